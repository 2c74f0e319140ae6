/*
 * lifeevent.c: what a fact from an institution sets off (lifeevent.h).
 *
 * Each due fact is read out of the store first; whatever the effect needs
 * from elsewhere (the mother's record, a programme's rules, the household's
 * reported income) is read next, with no store lock held; then one store
 * call makes the effects, marks the fact acted on and writes the audit row
 * (actor "inst:<source>", subject the fact's person) in one transaction.
 * The mark is taken first in that transaction, so that two runs at once
 * (two feeds arriving together) act on a fact once.
 *
 *   death       the registry's RecordDeath change (benefits suspended,
 *               household membership ended; a head's household passes to
 *               its eldest other member); a death already recorded is
 *               left as it is.
 *   birth       the child registered if not yet (the ID checked against
 *               the birth date and sex), added to the mother's household
 *               as "child" from the birth date, and the mother offered
 *               child benefit by a notice in her language.  A mother in
 *               no household gets one, at her address, with the child; a
 *               mother not in the registry (or an ID that does not agree
 *               with the birth) leaves the child unregistered or in no
 *               household, and the audit row says why: a registry
 *               officer sees it in the trail and registers by hand.
 *   income      the household's reported income recomputed, and each
 *               active benefit of a means-tested programme held by one of
 *               its members run through the programme's current
 *               eligibility rule with it: flagged for review when it no
 *               longer passes, the flag cleared when it passes again.
 *   employment, disability
 *               the person's registry field, through the update path with
 *               a history row ("fact from <source>").
 *   others      stored only.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "natid.h"
#include "rpcd.h"
#include "lifeevent.h"
#include "store_household.h"
#include "store_lifeevent.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"

#define LE_BATCH 64

/* le_one's answer for a fact that changes nothing in the registry. */
#define LE_NO_EFFECT 2
#define LE_MEMBERS 64
#define LE_BENEFITS 64

/* The programme a birth's notice offers. */
#define LE_CHILD_PROGRAMME "CHILD"

struct le {
	struct rpcd *d;
	const struct store_fact *f;
	char actor[48];
	char reason[96];
	struct store_audit a;
	struct arena ar;
};

/* The audit row of fact f's effects, with a note of what was done. */
static void
le_audit(struct le *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
le_audit(struct le *e, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	e->a.detail = arena_printf(&e->ar, "fact %s/%s: %s", e->f->source,
	    e->f->record_id, buf);
}

/* A change's result as lifeevent_run counts it: 1 acted on, 0 acted on
 * by another run meanwhile, -1 a store error. */
static int
le_rc(enum store_rc rc)
{
	return rc == STORE_OK ? 1 : rc == STORE_EXISTS ? 0 : -1;
}

/* Marks the fact acted on with only the audit row's note. */
static int
le_done(struct le *e)
{
	return le_rc(store_lifeevent_done(e->d->store, e->f->id, &e->a));
}

static int
le_death(struct le *e)
{
	const struct store_fact *f = e->f;
	struct store_person p;
	char why[64];
	int y, m, dd, already;
	enum store_rc rc;

	switch (store_person_get(e->d->store, f->national_id, NULL, &p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		le_audit(e, "death of a person not in the registry; nothing "
		    "to do");
		return le_done(e);
	default:
		return -1;
	}
	if (!check_date(f->period, &y, &m, &dd) ||
	    strcmp(f->period, p.birth_date) < 0) {
		le_audit(e, "death on \"%s\" is not a day after the birth "
		    "date %s; not recorded", f->period, p.birth_date);
		return le_done(e);
	}
	if (p.deceased_date[0] != '\0') {
		le_audit(e, "death on %s already recorded (%s); nothing to "
		    "do", f->period, p.deceased_date);
		return le_done(e);
	}
	if (p.merged_into[0] != '\0') {
		le_audit(e, "death of a record merged into %s; record it "
		    "there", p.merged_into);
		return le_done(e);
	}
	le_audit(e, "death on %s recorded; benefits suspended, household "
	    "membership ended", f->period);
	rc = store_lifeevent_death(e->d->store, f, e->actor, e->reason, &e->a,
	    &already, why, sizeof why);
	if (rc == STORE_REFUSED || rc == STORE_NOTFOUND) {
		le_audit(e, "death on %s not recorded (%s)", f->period,
		    rc == STORE_REFUSED ? "household head" : "no record");
		return le_done(e);
	}
	/* Recorded by an officer between the look and the change: that
	 * record stands, and the log says so beside the audit row. */
	if (rc == STORE_OK && already)
		log_info("life event: fact %" PRId64 ": death of %s already "
		    "recorded on %s", f->id, f->national_id, why);
	return le_rc(rc);
}

/* The mother's record and household, for a birth. */
struct le_mother {
	int known;
	struct store_person p;
	int64_t household; /* 0 none */
};

static int
le_mother(struct le *e, struct le_mother *mo)
{
	char hh[32];

	memset(mo, 0, sizeof *mo);
	if (e->f->related_id[0] == '\0')
		return 0;
	switch (store_person_get(e->d->store, e->f->related_id, NULL,
	    &mo->p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return 0;
	default:
		return -1;
	}
	if (mo->p.deceased_date[0] != '\0' || mo->p.merged_into[0] != '\0')
		return 0;
	mo->known = 1;
	switch (store_household_of(e->d->store, mo->p.national_id, NULL, hh,
	    sizeof hh)) {
	case STORE_OK:
		mo->household = strtoll(hh, NULL, 10);
		return 0;
	case STORE_NOTFOUND:
		return 0;
	default:
		return -1;
	}
}

static int
le_birth(struct le *e)
{
	const struct store_fact *f = e->f;
	struct store_lifeevent_birth b = {0};
	struct store_notice n;
	struct store_programme *prog;
	struct store_person *child;
	struct le_mother mo;
	char why[200];
	enum store_rc rc;
	int registered = 0, attempt;

	if (natid_check_person(e->d->country, f->national_id, f->period,
	    f->sex, why, sizeof why) != 0) {
		le_audit(e, "birth not registered: national ID: %s", why);
		return le_done(e);
	}
	child = arena_alloc(&e->ar, sizeof *child);
	prog = arena_alloc(&e->ar, sizeof *prog);
	for (attempt = 0; attempt < 2; attempt++) {
		if (le_mother(e, &mo) != 0)
			return -1;
		switch (store_person_get(e->d->store, f->national_id, NULL,
		    child)) {
		case STORE_OK:
			registered = 1;
			break;
		case STORE_NOTFOUND:
			registered = 0;
			break;
		default:
			return -1;
		}
		if (!registered) {
			if (f->given_names[0] == '\0' || f->surname[0] ==
			    '\0') {
				le_audit(e, "birth not registered: the "
				    "child's names are missing");
				return le_done(e);
			}
			memset(child, 0, sizeof *child);
			snprintf(child->national_id,
			    sizeof child->national_id, "%.15s", f->national_id);
			snprintf(child->given_names,
			    sizeof child->given_names, "%s", f->given_names);
			snprintf(child->surname, sizeof child->surname, "%s",
			    f->surname);
			snprintf(child->birth_date, sizeof child->birth_date,
			    "%s", f->period);
			snprintf(child->sex, sizeof child->sex, "%s", f->sex);
			snprintf(child->disability, sizeof child->disability,
			    "none");
			if (mo.known) {
				snprintf(child->address,
				    sizeof child->address, "%s",
				    mo.p.address);
				snprintf(child->municipality,
				    sizeof child->municipality, "%s",
				    mo.p.municipality);
				snprintf(child->language,
				    sizeof child->language, "%s",
				    mo.p.language);
			} else
				snprintf(child->language,
				    sizeof child->language, "lt");
		}
		b.child = registered ? NULL : child;
		b.child_id = f->national_id;
		b.date = f->period;
		b.mother = mo.known ? mo.p.national_id : "";
		b.household = !mo.known ? -1 : mo.household;
		b.address = mo.known ? mo.p.address : "";
		b.municipality = mo.known ? mo.p.municipality : "";
		b.notice = NULL;
		if (mo.known && store_programme_get(e->d->store,
		    LE_CHILD_PROGRAMME, prog) == STORE_OK && prog->open) {
			notice_child_benefit_offer(&e->ar, &mo.p,
			    arena_printf(&e->ar, "%s %s", f->given_names,
			    f->surname), f->period, programme_name(prog,
			    mo.p.language), &n);
			b.notice = &n;
		}
		le_audit(e, "birth on %s: %s%s%s", f->period, registered ?
		    "child registered already" : "child registered",
		    !mo.known ? "; mother not in the registry, no household, "
		    "no offer" : mo.household > 0 ? "; added to the mother's "
		    "household" : "; a household made for mother and child",
		    b.notice != NULL ? "; child benefit offered" : "");
		rc = store_lifeevent_birth(e->d->store, f->id, &b, e->actor,
		    e->reason, &e->a, why, sizeof why);
		/* Registered, or moved, between the look and the change:
		 * look again. */
		if (rc != STORE_CONFLICT)
			break;
	}
	if (rc == STORE_REFUSED || rc == STORE_CONFLICT) {
		le_audit(e, "birth on %s: %s; the child is not in a "
		    "household", f->period, rc == STORE_REFUSED ? why :
		    "the registry changed meanwhile");
		return le_done(e);
	}
	return le_rc(rc);
}

/* The current members of person's household (or the person alone). */
struct le_hh {
	char ids[LE_MEMBERS][24];
	const char *ptr[LE_MEMBERS];
	size_t n;
};

/* Called with the store's lock held: copies only. */
static void
le_hh_member(void *arg, const struct store_member *m)
{
	struct le_hh *h = arg;

	if (m->to_date[0] != '\0' || h->n >= LE_MEMBERS)
		return;
	snprintf(h->ids[h->n], sizeof h->ids[0], "%s", m->national_id);
	h->ptr[h->n] = h->ids[h->n];
	h->n++;
}

static int
le_household(struct rpcd *d, const char *national_id, struct le_hh *h)
{
	char hh[32];

	h->n = 0;
	switch (store_household_of(d->store, national_id, NULL, hh,
	    sizeof hh)) {
	case STORE_OK:
		if (store_household_members(d->store, strtoll(hh, NULL, 10),
		    le_hh_member, h) < 0)
			return -1;
		break;
	case STORE_NOTFOUND:
		break;
	default:
		return -1;
	}
	if (h->n == 0) {
		snprintf(h->ids[0], sizeof h->ids[0], "%s", national_id);
		h->ptr[0] = h->ids[0];
		h->n = 1;
	}
	return 0;
}

static char *
le_money(struct arena *a, int64_t minor)
{
	return arena_printf(a, "EUR %" PRId64 ".%02" PRId64, minor / 100,
	    minor % 100);
}

static int
le_income(struct le *e)
{
	struct rpcd *d = e->d;
	struct le_hh *h = arena_alloc(&e->ar, sizeof *h);
	struct store_lifeevent_benefit *bs = arena_alloc(&e->ar,
	    sizeof *bs * LE_BENEFITS);
	struct store_lifeevent_review *rv = arena_alloc(&e->ar,
	    sizeof *rv * LE_BENEFITS);
	struct store_programme *prog = arena_alloc(&e->ar, sizeof *prog);
	struct rule_value facts[FACT__COUNT];
	struct prog_reported rep;
	struct programme_eval ev;
	struct rule_error err;
	struct store_person p;
	char today[16];
	int nb, flagged = 0, cleared = 0;
	size_t nr = 0;

	check_today(today, sizeof today);
	if (le_household(d, e->f->national_id, h) != 0 ||
	    store_lifeevent_reported(d->store, e->f->national_id, h->ptr,
	    h->n, today, &rep) != STORE_OK ||
	    (nb = store_lifeevent_benefits(d->store, h->ptr, h->n, bs,
	    LE_BENEFITS)) < 0)
		return -1;
	for (int i = 0; i < nb; i++) {
		if (store_programme_get(d->store, bs[i].programme, prog) !=
		    STORE_OK || programme_means_tested(prog->eligibility) != 1)
			continue;
		/* The holder's facts as a decision would gather them today,
		 * with the reported income in place of the declared one. */
		if (applications_facts(d, bs[i].national_id, rep.income,
		    bs[i].assets, today, &p, facts) != 0)
			return -1;
		if (programme_evaluate(prog->eligibility, prog->amount, facts,
		    prog->currency, 0, &e->ar, &ev, &err) != 0) {
			log_warn("life event: fact %" PRId64 ": benefit %"
			    PRId64 " (%s): %s", e->f->id, bs[i].id,
			    prog->code, err.msg);
			continue;
		}
		if (!ev.eligible) {
			rv[nr].benefit_id = bs[i].id;
			rv[nr++].reason = arena_printf(&e->ar, "reported "
			    "household income %s a month (%s per member) "
			    "fails the means test of %s rules version %d: %s",
			    le_money(&e->ar, rep.income), le_money(&e->ar,
			    facts[FACT_HH_INCOME_PM].i), prog->code,
			    prog->rule_version, ev.explanation);
			flagged++;
		} else if (bs[i].flagged) {
			rv[nr].benefit_id = bs[i].id;
			rv[nr++].reason = "";
			cleared++;
		}
	}
	/* Nothing to flag or clear: the fact changes nothing, and is marked
	 * acted on with others in one transaction (lifeevent_run). */
	if (nr == 0)
		return LE_NO_EFFECT;
	le_audit(e, "income for %s: household reported income %s a month; "
	    "%d benefit(s) flagged for review, %d flag(s) cleared",
	    e->f->period, le_money(&e->ar, rep.income), flagged, cleared);
	return le_rc(store_lifeevent_review(d->store, e->f->id, rv, nr,
	    &e->a));
}

static int
le_person(struct le *e, const char *field)
{
	const struct store_fact *f = e->f;
	const char *value = f->value;
	char why[128];
	int changed;
	enum store_rc rc;

	/* The registry knows unemployment, not the employment service's
	 * registration; person.registered_unemployed reads the fact. */
	if (strcmp(field, "employment") == 0 &&
	    strcmp(value, "registered_unemployed") == 0)
		value = "unemployed";
	if (person_check_field(field, value, why, sizeof why) != 0) {
		le_audit(e, "%s \"%s\" not taken: %s", field, f->value, why);
		return le_done(e);
	}
	le_audit(e, "%s set to %s", field, value);
	rc = store_lifeevent_person(e->d->store, f->id, f->national_id, field,
	    value, e->actor, e->reason, &e->a, &changed);
	if (rc == STORE_NOTFOUND) {
		le_audit(e, "%s of a person not in the registry", field);
		return le_done(e);
	}
	return le_rc(rc);
}

/* Acts on one fact: 1 when acted on, 0 when another run had,
 * LE_NO_EFFECT when it changes nothing (the caller marks it), -1 on a
 * store error (the fact stays due). */
static int
le_one(struct rpcd *d, const struct store_fact *f)
{
	struct le e = {.d = d, .f = f};
	int rc;

	arena_init(&e.ar);
	snprintf(e.actor, sizeof e.actor, "inst:%s", f->source);
	snprintf(e.reason, sizeof e.reason, "fact from %s", f->source);
	e.a.actor = e.actor;
	e.a.role = "";
	e.a.terminal = "";
	e.a.method = arena_printf(&e.ar, "life event %s", f->kind);
	e.a.subject = f->national_id;
	e.a.purpose = "";
	e.a.outcome = "OK";
	e.a.municipality = "";
	le_audit(&e, "stored");
	if (strcmp(f->kind, "death") == 0)
		rc = le_death(&e);
	else if (strcmp(f->kind, "birth") == 0)
		rc = le_birth(&e);
	else if (strcmp(f->kind, "income") == 0)
		rc = le_income(&e);
	else if (strcmp(f->kind, "employment") == 0 ||
	    strcmp(f->kind, "disability") == 0)
		rc = le_person(&e, f->kind);
	else
		rc = LE_NO_EFFECT; /* vehicle, land, education: for rules */
	arena_free(&e.ar);
	return rc;
}

int64_t
lifeevent_run(struct rpcd *d)
{
	struct store_fact *batch = calloc(LE_BATCH, sizeof *batch);
	int64_t after = 0, acted = 0, idle[LE_BATCH];
	size_t nidle;
	int n, failed = 0, r;

	if (batch == NULL)
		fatalx("out of memory");
	while ((n = store_lifeevent_due(d->store, after, batch, LE_BATCH)) >
	    0) {
		nidle = 0;
		for (int i = 0; i < n; i++) {
			after = batch[i].id;
			/* A fact that fails stays due for the next run; the
			 * others go on. */
			if ((r = le_one(d, &batch[i])) < 0) {
				log_error("life event: fact %" PRId64 " (%s "
				    "%s) not acted on; left for the next run",
				    batch[i].id, batch[i].source,
				    batch[i].record_id);
				failed = 1;
			} else if (r == LE_NO_EFFECT)
				idle[nidle++] = batch[i].id;
			else
				acted += r;
		}
		/* One commit for the facts that change nothing, rather than
		 * one each: a feed of a million incomes is mostly these. */
		if (store_lifeevent_done_many(d->store, idle, nidle) !=
		    STORE_OK)
			failed = 1;
		else
			acted += (int64_t)nidle;
	}
	free(batch);
	if (n < 0 || failed)
		return -1;
	return acted;
}
