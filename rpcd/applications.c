/*
 * applications.c: spis.v1.Applications, from submission to decision and
 * appeal.  The allowed transitions are the table below and nowhere else;
 * the store checks them inside the change's transaction.  A decision runs
 * the programme's rules on the facts gathered here, and stores the facts
 * with the result of every clause, so that it can be replayed later on
 * exactly what was known then.
 *
 * The citizen's own calls (Citizen.Apply and the like, in citizen.c) come
 * through applications_submit() and the other functions exported here, so
 * that an application made at a kiosk and one made at an office are
 * checked the same way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "spis/v1/applications.pb-c.h"
#include "spis/v1/programmes.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "check.h"
#include "log.h"
#include "municipality.h"
#include "reference.h"
#include "rpcd.h"
#include "store_application.h"
#include "store_household.h"
#include "store_lifeevent.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"

#define APP_REASON_MAX 500
#define APP_PAGE_DEFAULT 25
#define APP_PAGE_MAX 100
/* Declared money: at most a billion in major units. */
#define APP_MONEY_MAX INT64_C(100000000000)

/* The transitions, by what the caller asks for. */
static const char *const app_from_review[] = {"submitted", "appealed", NULL};
static const char *const app_from_withdraw[] = {"submitted", "in_review",
    NULL};
static const char *const app_from_appeal[] = {"approved", "rejected", NULL};

/* ------------------------------------------------------------------------
 * References (lib/reference.h): random, with a check symbol.
 */

static void
app_reference_new(char out[REFERENCE_LEN])
{
	int v[8];

	for (int i = 0; i < 8; i++)
		v[i] = (int)randombytes_uniform(32);
	reference_format(v, out);
}

static grpc_status_code
app_reference(struct rpc_ctx *ctx, const char *in, char out[16])
{
	if (in[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reference: required");
	if (reference_parse(in, out) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reference: not an application reference (like "
		    "K7QM-2XPA-R); check it for a mistyped character");
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * The facts a decision is made on.
 */

/* Full years between birth and on (both YYYY-MM-DD). */
static int
app_age(const char *birth, const char *on)
{
	int by, bm, bd, y, m, d, age;

	if (sscanf(birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3 ||
	    sscanf(on, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age < 0 ? 0 : age;
}

/* Households are small; a larger one is counted, not looked into. */
#define APP_HH_MAX 64

struct app_hh {
	const char *on;
	int size, children, over65, disabled;
	char ids[APP_HH_MAX][16];
	int nids;
};

/* Called with a store connection held: no store calls from here. */
static void
app_hh_member(void *arg, const struct store_member *m)
{
	struct app_hh *h = arg;
	int age;

	if (m->to_date[0] != '\0')
		return;
	h->size++;
	age = app_age(m->birth_date, h->on);
	if (age < 18)
		h->children++;
	if (age >= 65)
		h->over65++;
	if (h->nids < APP_HH_MAX) {
		snprintf(h->ids[h->nids++], sizeof h->ids[0], "%s",
		    m->national_id);
		/* From the members' query itself, not a read per member. */
		if (m->disability[0] != '\0' &&
		    strcmp(m->disability, "none") != 0)
			h->disabled++;
	}
}

/*
 * Gathers the facts about person p and their household (household_id, 0
 * for none) on the day on, with the declared income and assets, into f.
 * Strings in f point into p.
 */
static int
app_facts(struct rpcd *d, const struct store_person *p, int64_t household_id,
    int64_t income, int64_t assets, const char *on, struct rule_value *f)
{
	struct app_hh *h = calloc(1, sizeof *h);
	struct prog_reported rep;
	const char *ids[APP_HH_MAX];
	int age = app_age(p->birth_date, on), disabled = 0, size, children,
	    over65, nids;

	if (h == NULL)
		return -1;
	h->on = on;
	if (household_id > 0 && store_household_members(d->store,
	    household_id, app_hh_member, h) < 0) {
		free(h);
		return -1;
	}
	disabled = h->disabled;
	size = h->size;
	children = h->children;
	over65 = h->over65;
	/* What institutions reported about the same members, for rules
	 * that name it (decisions store it with the other inputs). */
	for (nids = 0; nids < h->nids; nids++)
		ids[nids] = h->ids[nids];
	if (store_lifeevent_reported(d->store, p->national_id, ids,
	    (size_t)nids, on, &rep) != STORE_OK) {
		free(h);
		return -1;
	}
	free(h);
	if (size == 0) {
		/* Someone in no household is a household of one. */
		size = 1;
		children = age < 18;
		over65 = age >= 65;
		disabled = strcmp(p->disability, "none") != 0 &&
		    p->disability[0] != '\0';
	}
	programme_facts_of(f, age, p->sex, p->disability[0] ? p->disability :
	    "none", p->employment, p->municipality, size, children, over65,
	    disabled, income, assets);
	programme_facts_reported(f, size, &rep);
	return 0;
}

int
applications_facts(struct rpcd *d, const char *national_id, int64_t income,
    int64_t assets, const char *on, struct store_person *p,
    struct rule_value *f)
{
	int64_t household = 0;
	char hh[32];

	if (store_person_get(d->store, national_id, NULL, p) != STORE_OK)
		return -1;
	switch (store_household_of(d->store, national_id, NULL, hh,
	    sizeof hh)) {
	case STORE_OK:
		household = strtoll(hh, NULL, 10);
		break;
	case STORE_NOTFOUND:
		break;
	default:
		return -1;
	}
	return app_facts(d, p, household, income, assets, on, f);
}

static Spis__V1__Fact **
app_facts_msg(struct rpc_ctx *ctx, const struct rule_value *f,
    const char *currency, size_t *n)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Fact **out = arena_alloc(a, sizeof *out * FACT__COUNT);

	for (int i = 0; i < FACT__COUNT; i++) {
		out[i] = RPC_NEW(ctx, Spis__V1__Fact, spis__v1__fact__init);
		out[i]->name = (char *)programme_facts[i].name;
		out[i]->value = rule_value_text(a, &f[i], currency);
	}
	*n = FACT__COUNT;
	return out;
}

/* ------------------------------------------------------------------------
 * Messages.
 */

struct app_fill {
	struct rpc_ctx *ctx;
	Spis__V1__Application *m;
	size_t cap_steps, cap_flags;
};

/* Room for one more pointer in a repeated field. */
#define APP_GROW(a, items, n, cap) \
	arena_grow((a), (items), (n), (cap), sizeof *(items))

static void
app_step_one(void *arg, const struct store_app_step *s)
{
	struct app_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__Transition *t;

	f->m->transitions = APP_GROW(a, f->m->transitions,
	    f->m->n_transitions, &f->cap_steps);
	t = RPC_NEW(f->ctx, Spis__V1__Transition, spis__v1__transition__init);
	t->from_state = arena_strdup(a, s->from_state);
	t->to_state = arena_strdup(a, s->to_state);
	t->at = arena_strdup(a, s->at);
	t->actor = arena_strdup(a, s->actor);
	t->role = arena_strdup(a, s->role);
	t->reason = arena_strdup(a, s->reason);
	t->decision_id = s->decision_id;
	f->m->transitions[f->m->n_transitions++] = t;
}

static void
app_flag_one(void *arg, const struct store_app_flag *s)
{
	struct app_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__CrossFlag *x;

	f->m->flags = APP_GROW(a, f->m->flags, f->m->n_flags,
	    &f->cap_flags);
	x = RPC_NEW(f->ctx, Spis__V1__CrossFlag, spis__v1__cross_flag__init);
	x->kind = arena_strdup(a, s->kind);
	x->national_id = arena_strdup(a, s->national_id);
	x->reference = arena_strdup(a, s->reference);
	x->municipality = arena_strdup(a, s->municipality);
	x->state = arena_strdup(a, s->state);
	f->m->flags[f->m->n_flags++] = x;
}

struct app_dec_fill {
	struct rpc_ctx *ctx;
	Spis__V1__Decision *m;
	size_t cap_in, cap_cl, cap_acl;
};

static void
app_input_one(void *arg, const struct store_decision_input *in)
{
	struct app_dec_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__Fact *x;
	struct rule_value v = {RULE_INT, in->ival, in->sval};

	if (strcmp(in->type, "money") == 0)
		v.type = RULE_MONEY;
	else if (strcmp(in->type, "text") == 0)
		v.type = RULE_TEXT;
	else if (strcmp(in->type, "bool") == 0)
		v.type = RULE_BOOL;
	f->m->inputs = APP_GROW(a, f->m->inputs, f->m->n_inputs, &f->cap_in);
	x = RPC_NEW(f->ctx, Spis__V1__Fact, spis__v1__fact__init);
	x->name = arena_strdup(a, in->name);
	x->value = rule_value_text(a, &v, f->m->currency);
	f->m->inputs[f->m->n_inputs++] = x;
}

static void
app_clause_one(void *arg, const struct store_decision_clause *c)
{
	struct app_dec_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__Clause *x = RPC_NEW(f->ctx, Spis__V1__Clause,
	    spis__v1__clause__init);

	x->depth = c->depth;
	x->text = arena_strdup(a, c->text);
	x->value = arena_strdup(a, c->value);
	x->explain = arena_strdup(a, c->explain);
	if (strcmp(c->rule, "amount") == 0) {
		f->m->amount_clauses = APP_GROW(a, f->m->amount_clauses,
		    f->m->n_amount_clauses, &f->cap_acl);
		f->m->amount_clauses[f->m->n_amount_clauses++] = x;
	} else {
		f->m->clauses = APP_GROW(a, f->m->clauses, f->m->n_clauses,
		    &f->cap_cl);
		f->m->clauses[f->m->n_clauses++] = x;
	}
}

static Spis__V1__Decision *
app_decision_msg(struct rpc_ctx *ctx, const struct store_decision *d,
    int full)
{
	struct rpcd *rd = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Decision *m;
	struct app_dec_fill f = {.ctx = ctx};

	m = RPC_NEW(ctx, Spis__V1__Decision, spis__v1__decision__init);
	m->id = d->id;
	m->outcome = arena_strdup(a, d->outcome);
	m->engine_eligible = d->engine_eligible;
	m->override = d->override;
	m->reason = arena_strdup(a, d->reason);
	m->explanation = arena_strdup(a, d->explanation);
	m->decided_by = arena_strdup(a, d->decided_by);
	m->decided_at = arena_strdup(a, d->decided_at);
	m->rule_version = d->rule_version;
	m->amount = d->amount;
	m->currency = arena_strdup(a, d->currency);
	m->evaluated_on = arena_strdup(a, d->evaluated_on);
	if (full) {
		f.m = m;
		store_decision_inputs(rd->store, d->id, app_input_one, &f);
		store_decision_clauses(rd->store, d->id, app_clause_one, &f);
	}
	return m;
}

struct app_decisions {
	struct arena *a;
	struct store_decision *items;
	size_t n, cap;
};

/* Called with the store's lock held: copies only. */
static void
app_decision_one(void *arg, const struct store_decision *d)
{
	struct app_decisions *l = arg;

	l->items = APP_GROW(l->a, l->items, l->n, &l->cap);
	l->items[l->n++] = *d;
}

/* The date days after date ("YYYY-MM-DD..."), in a; "" for a bad one. */
static const char *
app_date_plus(struct arena *a, const char *date, long days)
{
	char out[16];

	if (check_date_add(date, 0, days, out, sizeof out) != 0)
		return "";
	return arena_strdup(a, out);
}

/* The last day the latest decision may be appealed, or "" for none. */
static const char *
app_appeal_until(struct rpc_ctx *ctx, const Spis__V1__Application *m)
{
	struct rpcd *d = rpc_ctx_arg(ctx);

	if (m->n_decisions == 0 || (strcmp(m->state, "approved") != 0 &&
	    strcmp(m->state, "rejected") != 0))
		return "";
	return app_date_plus(rpc_ctx_arena(ctx), m->decisions[0]->decided_at,
	    d->appeal_days);
}

/*
 * The application's message: the row, its transitions, flags and
 * decisions (full: with each decision's inputs and clauses).
 */
static Spis__V1__Application *
app_msg(struct rpc_ctx *ctx, const struct store_application *app, int full)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Application *m;
	struct app_fill f = {.ctx = ctx};
	struct app_decisions dl = {.a = a};

	m = RPC_NEW(ctx, Spis__V1__Application, spis__v1__application__init);
	m->reference = arena_strdup(a, app->reference);
	m->programme = arena_strdup(a, app->programme);
	m->national_id = arena_strdup(a, app->national_id);
	m->applicant_name = arena_strdup(a, app->applicant);
	m->channel = arena_strdup(a, app->channel);
	m->municipality = arena_strdup(a, app->municipality);
	m->state = arena_strdup(a, app->state);
	m->declared = RPC_NEW(ctx, Spis__V1__Declared,
	    spis__v1__declared__init);
	m->declared->monthly_income = app->monthly_income;
	m->declared->assets = app->assets;
	m->declared->confirmed = 1;
	m->terminal = arena_strdup(a, app->terminal);
	m->submitted_at = arena_strdup(a, app->submitted_at);
	m->updated_at = arena_strdup(a, app->updated_at);
	m->version = app->version;
	m->household_id = app->household_id > 0 ? arena_printf(a, "%" PRId64,
	    app->household_id) : "";
	f.m = m;
	store_app_steps(d->store, app->id, app_step_one, &f);
	store_app_flags(d->store, app->id, app_flag_one, &f);
	store_app_decisions(d->store, app->id, app_decision_one, &dl);
	m->decisions = arena_alloc(a, sizeof *m->decisions * (dl.n + 1));
	for (size_t i = 0; i < dl.n; i++)
		m->decisions[m->n_decisions++] = app_decision_msg(ctx,
		    &dl.items[i], full);
	m->appeal_until = (char *)app_appeal_until(ctx, m);
	return m;
}

/*
 * What a citizen is shown of their own application: the states and dates,
 * the decisions' outcome, amount and explanation, and nothing about other
 * people (no cross-check flags, which name household members) or about
 * the officers (no usernames or roles, no inputs).
 */
static void
app_for_citizen(struct rpc_ctx *ctx, Spis__V1__Application *m)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	if (c == NULL || c->citizen_id == NULL)
		return;
	m->n_flags = 0;
	for (size_t i = 0; i < m->n_transitions; i++) {
		m->transitions[i]->actor = "";
		m->transitions[i]->role = "";
		m->transitions[i]->reason = "";
	}
	for (size_t i = 0; i < m->n_decisions; i++) {
		m->decisions[i]->decided_by = "";
		m->decisions[i]->reason = "";
		m->decisions[i]->n_inputs = 0;
	}
	m->terminal = "";
}

/* ------------------------------------------------------------------------
 * Finding things for a request.
 */

static grpc_status_code
app_find(struct rpc_ctx *ctx, const char *reference,
    struct store_application *app)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	grpc_status_code st;
	char ref[16];

	if ((st = app_reference(ctx, reference, ref)) != GRPC_STATUS_OK)
		return st;
	switch (store_app_get(d->store, ref, app)) {
	case STORE_OK:
		return GRPC_STATUS_OK;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "reference: no application %s", ref);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

/* The person an application is for: registered, alive, not merged. */
static grpc_status_code
app_person(struct rpc_ctx *ctx, const char *field, const char *national_id,
    struct store_person *p)
{
	struct rpcd *d = rpc_ctx_arg(ctx);

	if (national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	switch (store_person_get(d->store, national_id, NULL, p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "%s: no person is registered with this ID", field);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (p->merged_into[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: this record was merged into %s; use that one", field,
		    p->merged_into);
	if (p->deceased_date[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: died on %s", field, p->deceased_date);
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_reason(struct rpc_ctx *ctx, const char *s)
{
	char why[96];

	if (check_text(s, 1, APP_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	return GRPC_STATUS_OK;
}

/* An officer acting on an application handled outside their scope. */
static grpc_status_code
app_scoped(struct rpc_ctx *ctx, const struct store_application *app)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	if (c->citizen_id == NULL && !authz_in_scope(c, app->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "reference: application %s is handled in municipality %s, "
		    "outside your scope (%s)", app->reference,
		    app->municipality, c->officer.municipality);
	return GRPC_STATUS_OK;
}

/* Who acts, for the transition rows: the officer and the roles they act
 * in, or the citizen (and the volunteer helping). */
static void
app_actor(struct rpc_ctx *ctx, struct store_app_actor *who,
    const char *reason)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	who->reason = reason;
	if (c->citizen_id == NULL) {
		who->actor = c->officer.username;
		who->role = c->officer.roles;
		return;
	}
	who->actor = "citizen";
	who->role = c->officer.username[0] == '\0' ? "citizen" :
	    arena_printf(rpc_ctx_arena(ctx), "citizen, helped by %s",
	    c->officer.username);
}

/* ------------------------------------------------------------------------
 * The form and submission.
 */

static int app_latest(struct rpcd *d, const char *national_id,
    struct store_application *app);

grpc_status_code
applications_form(struct rpc_ctx *ctx, const char *national_id,
    const char *programme, int kiosk, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_programme *prog;
	struct store_person p;
	Spis__V1__ApplicationForm *out;
	grpc_status_code st;
	char hh[32];
	struct store_application *last = NULL;

	if ((st = programme_find(ctx, "programme", programme, &prog)) !=
	    GRPC_STATUS_OK ||
	    (st = app_person(ctx, "national_id", national_id, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	if (kiosk && !prog->online)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "programme: %s cannot be applied for at a kiosk; apply "
		    "at a municipal office", prog->code);
	rpcd_audit_subject(ctx, p.national_id, "intake");
	out = RPC_NEW(ctx, Spis__V1__ApplicationForm,
	    spis__v1__application_form__init);
	out->programme = programme_msg(ctx, prog);
	out->person = registry_person_of(ctx, &p);
	if (store_household_of(d->store, p.national_id, NULL, hh,
	    sizeof hh) == STORE_OK &&
	    (out->household = households_msg(ctx, hh, NULL)) != NULL)
		out->person->household_id = arena_strdup(rpc_ctx_arena(ctx),
		    hh);
	/* Pre-filled from the person's latest application, whatever the
	 * programme: the household's means rarely change between two. */
	last = arena_alloc(rpc_ctx_arena(ctx), sizeof *last);
	out->declared = RPC_NEW(ctx, Spis__V1__Declared,
	    spis__v1__declared__init);
	if (app_latest(d, p.national_id, last) == 0) {
		out->declared->monthly_income = last->monthly_income;
		out->declared->assets = last->assets;
	}
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

struct app_latest {
	struct store_application *app;
	int found;
};

static void
app_latest_one(void *arg, const struct store_application *app)
{
	struct app_latest *l = arg;

	if (!l->found) {
		*l->app = *app;
		l->found = 1;
	}
}

/* The person's latest application into *app; 0, or -1 when none. */
static int
app_latest(struct rpcd *d, const char *national_id,
    struct store_application *app)
{
	struct app_latest l = {.app = app};

	if (store_app_of_person(d->store, national_id, app_latest_one, &l) !=
	    STORE_OK)
		return -1;
	return l.found ? 0 : -1;
}

grpc_status_code
applications_submit(struct rpc_ctx *ctx, const char *national_id,
    const char *programme, const char *channel, const char *municipality,
    const Spis__V1__Declared *declared, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_programme *prog;
	struct store_application *app;
	struct store_person p;
	struct store_app_actor who;
	struct store_audit a;
	Spis__V1__Application *out;
	grpc_status_code st;
	char hh[32], other[16];
	const char *cn;
	enum store_rc rc;

	if ((st = programme_find(ctx, "programme", programme, &prog)) !=
	    GRPC_STATUS_OK ||
	    (st = app_person(ctx, "national_id", national_id, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, p.national_id, "intake");
	if (declared == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "declared: required: the household's monthly income and "
		    "assets, confirmed by the applicant");
	if (declared->monthly_income < 0 ||
	    declared->monthly_income > APP_MONEY_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "declared.monthly_income: must be 0 or more, in cents, "
		    "below a billion");
	if (declared->assets < 0 || declared->assets > APP_MONEY_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "declared.assets: must be 0 or more, in cents, below a "
		    "billion");
	if (!declared->confirmed)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "declared.confirmed: the applicant must confirm the data "
		    "shown before the application is sent");
	if (!prog->open)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "programme: %s is not open for applications", prog->code);
	if (strcmp(channel, "kiosk") == 0 && !prog->online)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "programme: %s cannot be applied for at a kiosk; apply "
		    "at a municipal office", prog->code);
	if (municipality == NULL || municipality[0] == '\0')
		municipality = p.municipality;
	else if (municipality_find(municipality) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: unknown code \"%.16s\"", municipality);
	if (strcmp(prog->scope, "municipal") == 0 &&
	    strcmp(prog->municipality, municipality) != 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "programme: %s is a programme of municipality %s only",
		    prog->code, prog->municipality);
	if (c->citizen_id == NULL && !authz_in_scope(c, municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %s is outside your scope (%s)",
		    municipality, c->officer.municipality);

	app = arena_alloc(ar, sizeof *app);
	snprintf(app->programme, sizeof app->programme, "%s", prog->code);
	snprintf(app->national_id, sizeof app->national_id, "%s",
	    p.national_id);
	if (store_household_of(d->store, p.national_id, NULL, hh,
	    sizeof hh) == STORE_OK)
		app->household_id = strtoll(hh, NULL, 10);
	snprintf(app->channel, sizeof app->channel, "%s", channel);
	snprintf(app->municipality, sizeof app->municipality, "%s",
	    municipality);
	app->monthly_income = declared->monthly_income;
	app->assets = declared->assets;
	cn = rpc_ctx_client_cn(ctx);
	snprintf(app->terminal, sizeof app->terminal, "%s", cn != NULL ? cn :
	    "");
	app_actor(ctx, &who, "submitted");
	/* A random reference may, rarely, be taken: draw again. */
	for (int tries = 0;; tries++) {
		app_reference_new(app->reference);
		rpcd_audit_row(ctx, &a, arena_printf(ar, "application %s for "
		    "%s", app->reference, prog->code));
		rc = store_app_submit(d->store, app, &who, &a, other,
		    sizeof other);
		if (rc != STORE_CONFLICT || tries == 5)
			break;
	}
	switch (rc) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "programme: an application for %s is already pending "
		    "(reference %s); wait for its decision or withdraw it",
		    prog->code, other);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	out = app_msg(ctx, app, 0);
	app_for_citizen(ctx, out);
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_form(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetApplicationFormRequest *req = (const void *)reqm;

	return applications_form(ctx, req->national_id, req->programme, 0,
	    respm);
}

static grpc_status_code
app_submit(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SubmitRequest *req = (const void *)reqm;

	if (req->channel[0] != '\0' && strcmp(req->channel, "office") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "channel: officers submit \"office\" applications; kiosk "
		    "applications come from the kiosk");
	return applications_submit(ctx, req->national_id, req->programme,
	    "office", req->municipality, req->declared, respm);
}

/* ------------------------------------------------------------------------
 * Reading.
 */

static grpc_status_code
app_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetApplicationRequest *req = (const void *)reqm;
	struct store_application app;
	grpc_status_code st;

	if ((st = app_find(ctx, req->reference, &app)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, app.national_id, "case_work");
	*respm = &app_msg(ctx, &app, 1)->base;
	return GRPC_STATUS_OK;
}

struct app_list {
	struct arena *a;
	struct store_application *items;
	size_t n, cap;
};

/* Called with the store's lock held: copies only. */
static void
app_list_one(void *arg, const struct store_application *app)
{
	struct app_list *l = arg;

	l->items = APP_GROW(l->a, l->items, l->n, &l->cap);
	l->items[l->n++] = *app;
}

grpc_status_code
applications_list(struct rpc_ctx *ctx, const char *national_id,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct app_list l = {.a = a};
	Spis__V1__ApplicationList *out;

	if (national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: required");
	rpcd_audit_subject(ctx, national_id, "case_work");
	if (store_app_of_person(d->store, national_id, app_list_one, &l) !=
	    STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__ApplicationList,
	    spis__v1__application_list__init);
	out->applications = arena_alloc(a, sizeof *out->applications *
	    (l.n + 1));
	for (size_t i = 0; i < l.n; i++) {
		out->applications[out->n_applications] = app_msg(ctx,
		    &l.items[i], 0);
		app_for_citizen(ctx,
		    out->applications[out->n_applications++]);
	}
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListApplicationsRequest *req = (const void *)reqm;

	return applications_list(ctx, req->national_id, respm);
}

/* ------------------------------------------------------------------------
 * Transitions.
 */

/* Turns a refused move into a status naming why. */
static grpc_status_code
app_refused(struct rpc_ctx *ctx, enum store_rc rc,
    const struct store_application *app, const char *what,
    const char *const *from)
{
	char allowed[96] = "";

	switch (rc) {
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "reference: no application %s", app->reference);
	case STORE_CONFLICT:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "expected_version: the application changed since you "
		    "read it (it is at version %" PRId64 "); read it again",
		    app->version);
	case STORE_REFUSED:
		for (; *from != NULL; from++)
			snprintf(allowed + strlen(allowed),
			    sizeof allowed - strlen(allowed), "%s%s",
			    allowed[0] ? " or " : "", *from);
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "reference: application %s is %s; it can be %s only when "
		    "%s", app->reference, app->state, what, allowed);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

/* Whether the latest decision on app may still be appealed today; its id
 * in *decision_id.  Reads the decisions only, not the whole application. */
static grpc_status_code
app_appeal_window(struct rpc_ctx *ctx, const struct store_application *app,
    int64_t *decision_id)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct app_decisions dl = {.a = rpc_ctx_arena(ctx)};
	const char *until;
	char today[16];

	if (strcmp(app->state, "approved") != 0 &&
	    strcmp(app->state, "rejected") != 0)
		return GRPC_STATUS_OK; /* app_refused names the state */
	if (store_app_decisions(d->store, app->id, app_decision_one, &dl) !=
	    STORE_OK || dl.n == 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*decision_id = dl.items[0].id;
	until = app_date_plus(dl.a, dl.items[0].decided_at, d->appeal_days);
	check_today(today, sizeof today);
	if (strcmp(today, until) > 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "reference: the decision of %.10s could be appealed until "
		    "%s; that time has passed", dl.items[0].decided_at, until);
	return GRPC_STATUS_OK;
}

grpc_status_code
applications_move(struct rpc_ctx *ctx, const char *reference,
    const char *to, const char *reason, int64_t expected_version,
    const char *owner, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_application app;
	struct store_app_actor who;
	struct store_audit a;
	const char *const *from;
	const char *what;
	Spis__V1__Application *m;
	grpc_status_code st;
	int64_t decision_id = 0;
	enum store_rc rc;

	if (strcmp(to, "in_review") == 0) {
		from = app_from_review;
		what = "taken into review";
	} else if (strcmp(to, "withdrawn") == 0) {
		from = app_from_withdraw;
		what = "withdrawn";
	} else {
		from = app_from_appeal;
		what = "appealed";
	}
	if ((st = app_find(ctx, reference, &app)) != GRPC_STATUS_OK)
		return st;
	/* A citizen acts on their own applications only, and learns
	 * nothing of others'. */
	if (owner != NULL && strcmp(owner, app.national_id) != 0)
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "reference: no application %s", app.reference);
	rpcd_audit_subject(ctx, app.national_id, "case_work");
	if ((st = app_scoped(ctx, &app)) != GRPC_STATUS_OK ||
	    (st = app_reason(ctx, reason)) != GRPC_STATUS_OK)
		return st;
	if (expected_version < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "expected_version: 0 to skip the check, else the version "
		    "read");
	if (strcmp(to, "appealed") == 0 &&
	    (st = app_appeal_window(ctx, &app, &decision_id)) !=
	    GRPC_STATUS_OK)
		return st;
	app_actor(ctx, &who, reason);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "application %s: %s -> %s", app.reference, app.state, to));
	rc = store_app_move(d->store, app.reference, from, to,
	    expected_version, decision_id, &who, &a, &app);
	if (rc != STORE_OK)
		return app_refused(ctx, rc, &app, what, from);
	m = app_msg(ctx, &app, 0);
	app_for_citizen(ctx, m);
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_start_review(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__TransitionRequest *req = (const void *)reqm;

	return applications_move(ctx, req->reference, "in_review",
	    req->reason, req->expected_version, NULL, respm);
}

static grpc_status_code
app_withdraw(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__TransitionRequest *req = (const void *)reqm;

	return applications_move(ctx, req->reference, "withdrawn",
	    req->reason, req->expected_version, NULL, respm);
}

static grpc_status_code
app_appeal(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__TransitionRequest *req = (const void *)reqm;

	return applications_move(ctx, req->reference, "appealed",
	    req->reason, req->expected_version, NULL, respm);
}

/* ------------------------------------------------------------------------
 * Evaluation, decisions and replay.
 */

struct app_eval {
	struct store_programme *prog;
	struct store_person p;
	struct rule_value facts[FACT__COUNT];
	char on[16];
	struct programme_eval ev;
};

/* Runs the programme's current rules on the application's facts today. */
static grpc_status_code
app_evaluate_now(struct rpc_ctx *ctx, const struct store_application *app,
    int force_amount, struct app_eval *e)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rule_error err;
	grpc_status_code st;
	int64_t household = 0;
	char hh[32];

	if ((st = programme_find(ctx, "programme", app->programme,
	    &e->prog)) != GRPC_STATUS_OK)
		return st;
	if (store_person_get(d->store, app->national_id, NULL, &e->p) !=
	    STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	check_today(e->on, sizeof e->on);
	/* The household is the applicant's as it is now, not the one they
	 * were in when they applied: the means test is of today's. */
	switch (store_household_of(d->store, app->national_id, NULL, hh,
	    sizeof hh)) {
	case STORE_OK:
		household = strtoll(hh, NULL, 10);
		break;
	case STORE_NOTFOUND:
		break;
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (app_facts(d, &e->p, household, app->monthly_income, app->assets,
	    e->on, e->facts) != 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if (programme_evaluate(e->prog->eligibility, e->prog->amount,
	    e->facts, e->prog->currency, force_amount, rpc_ctx_arena(ctx),
	    &e->ev, &err) != 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "programme: the rules of %s version %d cannot be applied "
		    "to this application: %s", e->prog->code,
		    e->prog->rule_version, err.msg);
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_evaluate(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__EvaluateRequest *req = (const void *)reqm;
	struct store_application app;
	struct app_eval *e = arena_alloc(rpc_ctx_arena(ctx), sizeof *e);
	Spis__V1__Evaluation *out;
	grpc_status_code st;

	if ((st = app_find(ctx, req->reference, &app)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, app.national_id, "case_work");
	if ((st = app_evaluate_now(ctx, &app, 0, e)) != GRPC_STATUS_OK)
		return st;
	out = RPC_NEW(ctx, Spis__V1__Evaluation,
	    spis__v1__evaluation__init);
	out->eligible = e->ev.eligible;
	out->amount = e->ev.amount;
	out->currency = e->prog->currency;
	out->rule_version = e->prog->rule_version;
	out->clauses = programme_clauses(ctx, &e->ev.elig, e->prog->currency,
	    &out->n_clauses);
	out->amount_clauses = programme_clauses(ctx, &e->ev.amount_result,
	    e->prog->currency, &out->n_amount_clauses);
	out->inputs = app_facts_msg(ctx, e->facts, e->prog->currency,
	    &out->n_inputs);
	out->explanation = (char *)e->ev.explanation;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* Appends the clause results of r to cl as rows of rule. */
static size_t
app_clause_rows(struct rpc_ctx *ctx, const struct rule_result *r,
    const char *rule, const char *currency, struct store_decision_clause *cl)
{
	for (size_t i = 0; i < r->nclauses; i++) {
		cl[i].rule = rule;
		cl[i].depth = r->clauses[i].depth;
		cl[i].text = r->clauses[i].text;
		cl[i].value = rule_value_text(rpc_ctx_arena(ctx),
		    &r->clauses[i].value, currency);
		cl[i].explain = r->clauses[i].explain;
	}
	return r->nclauses;
}

static grpc_status_code
app_decide(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__DecideRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_application app;
	struct app_eval *e = arena_alloc(ar, sizeof *e);
	struct store_decision *dec = arena_alloc(ar, sizeof *dec);
	struct store_decision_input in[FACT__COUNT];
	struct store_decision_clause *cl;
	struct store_benefit_new b;
	struct store_app_actor who;
	struct store_notice notice;
	struct store_audit a;
	grpc_status_code st;
	char until[16];
	int approve;
	size_t ncl;
	enum store_rc rc;

	if ((st = app_find(ctx, req->reference, &app)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, app.national_id, "case_work");
	if ((st = app_scoped(ctx, &app)) != GRPC_STATUS_OK)
		return st;
	if (strcmp(req->outcome, "approved") == 0)
		approve = 1;
	else if (strcmp(req->outcome, "rejected") == 0)
		approve = 0;
	else
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "outcome: \"approved\" or \"rejected\"");
	if ((st = app_reason(ctx, req->reason)) != GRPC_STATUS_OK)
		return st;
	if (req->expected_version < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "expected_version: 0 to skip the check, else the version "
		    "read");
	if (strcmp(app.state, "in_review") != 0)
		return app_refused(ctx, STORE_REFUSED, &app, "decided",
		    (const char *const[]){"in_review", NULL});
	/* The rules run first; an approval against them still needs the
	 * amount they compute. */
	if ((st = app_evaluate_now(ctx, &app, approve, e)) != GRPC_STATUS_OK)
		return st;
	if (approve != e->ev.eligible &&
	    !authz_caller_may(c, PERM_DECISION_OVERRIDE))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "outcome: the rules say %s (%s); deciding otherwise needs "
		    "a supervisor", e->ev.eligible ? "eligible" :
		    "not eligible", e->ev.explanation);

	snprintf(dec->outcome, sizeof dec->outcome, "%s", req->outcome);
	dec->engine_eligible = e->ev.eligible;
	dec->override = approve != e->ev.eligible;
	snprintf(dec->reason, sizeof dec->reason, "%s", req->reason);
	snprintf(dec->explanation, sizeof dec->explanation, "%s",
	    e->ev.explanation);
	snprintf(dec->decided_by, sizeof dec->decided_by, "%s",
	    c->officer.username);
	snprintf(dec->evaluated_on, sizeof dec->evaluated_on, "%.10s", e->on);
	dec->rule_version = e->prog->rule_version;
	dec->amount = approve ? e->ev.amount : 0;
	snprintf(dec->currency, sizeof dec->currency, "%s",
	    e->prog->currency);
	for (int i = 0; i < FACT__COUNT; i++) {
		in[i].name = programme_facts[i].name;
		in[i].type = rule_type_name(e->facts[i].type);
		in[i].ival = e->facts[i].i;
		in[i].sval = e->facts[i].s;
	}
	cl = arena_alloc(ar, sizeof *cl * (e->ev.elig.nclauses +
	    e->ev.amount_result.nclauses + 1));
	ncl = app_clause_rows(ctx, &e->ev.elig, "eligibility",
	    dec->currency, cl);
	ncl += app_clause_rows(ctx, &e->ev.amount_result, "amount",
	    dec->currency, cl + ncl);
	b.period = e->prog->period;
	b.start_date = e->on;
	b.renew_on = e->prog->auto_renew ? renewal_year_after(ar, e->on) : "";
	app_actor(ctx, &who, req->reason);
	rpcd_audit_row(ctx, &a, arena_printf(ar, "application %s %s%s",
	    app.reference, req->outcome, dec->override ?
	    " against the rules" : ""));
	/* The citizen's notice goes into the outbox with the decision. */
	check_today(until, sizeof until);
	notice_decision(ar, &e->p, programme_name(e->prog, e->p.language),
	    app.reference, approve, dec->amount, dec->currency,
	    e->prog->period, e->ev.explanation,
	    app_date_plus(ar, until, d->appeal_days), &notice);
	rc = store_app_decide(d->store, app.reference, req->expected_version,
	    &who, dec, in, FACT__COUNT, cl, ncl, &b, &notice, &a, &app);
	if (rc != STORE_OK)
		return app_refused(ctx, rc, &app, "decided",
		    (const char *const[]){"in_review", NULL});
	*respm = &app_msg(ctx, &app, 1)->base;
	return GRPC_STATUS_OK;
}

struct app_replay {
	struct rpc_ctx *ctx;
	struct rule_value facts[FACT__COUNT];
	int have[FACT__COUNT];
	const struct store_decision *want; /* 0: the latest */
	int64_t want_id;
	struct store_decision *found;
};

static void
app_replay_decision(void *arg, const struct store_decision *d)
{
	struct app_replay *r = arg;

	if (r->found->id != 0)
		return;
	if (r->want_id == 0 || d->id == r->want_id)
		*r->found = *d;
}

static void
app_replay_input(void *arg, const struct store_decision_input *in)
{
	struct app_replay *r = arg;
	struct arena *a = rpc_ctx_arena(r->ctx);

	for (int i = 0; i < FACT__COUNT; i++) {
		if (strcmp(in->name, programme_facts[i].name) != 0)
			continue;
		r->facts[i].type = programme_facts[i].type;
		r->facts[i].i = in->ival;
		r->facts[i].s = programme_facts[i].type == RULE_TEXT ?
		    arena_strdup(a, in->sval) : NULL;
		r->have[i] = 1;
	}
}

static grpc_status_code
app_replay(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ReplayRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_application app;
	struct app_replay r = {.ctx = ctx, .want_id = req->decision_id};
	struct programme_eval ev;
	struct rule_error err;
	Spis__V1__ReplayReply *out;
	Spis__V1__Decision *stored;
	char *elig, *amount;
	grpc_status_code st;
	int same;

	if ((st = app_find(ctx, req->reference, &app)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, app.national_id, "case_work");
	r.found = arena_alloc(ar, sizeof *r.found);
	if (store_app_decisions(d->store, app.id, app_replay_decision, &r) !=
	    STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if (r.found->id == 0)
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "decision_id: application %s has %s", app.reference,
		    req->decision_id ? "no such decision" : "no decision yet");
	if (store_decision_inputs(d->store, r.found->id, app_replay_input,
	    &r) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	/* A decision from before the reported facts existed was made by
	 * rules that could not name them: zero (false) stands in. */
	for (int i = FACT__DECLARED; i < FACT__COUNT; i++)
		if (!r.have[i]) {
			r.facts[i] = (struct rule_value){
			    programme_facts[i].type, 0, NULL};
			r.have[i] = 1;
		}
	for (int i = 0; i < FACT__COUNT; i++)
		if (!r.have[i])
			return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
			    "decision_id: the decision's inputs lack %s",
			    programme_facts[i].name);
	elig = arena_alloc(ar, RULE_MAX_SOURCE + 1);
	amount = arena_alloc(ar, RULE_MAX_SOURCE + 1);
	if (store_programme_rules(d->store, app.programme,
	    r.found->rule_version, elig, RULE_MAX_SOURCE + 1, amount,
	    RULE_MAX_SOURCE + 1) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if (programme_evaluate(elig, amount, r.facts, r.found->currency,
	    strcmp(r.found->outcome, "approved") == 0, ar, &ev, &err) != 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "decision_id: the rules no longer run on the stored "
		    "inputs: %s", err.msg);
	stored = app_decision_msg(ctx, r.found, 1);
	out = RPC_NEW(ctx, Spis__V1__ReplayReply,
	    spis__v1__replay_reply__init);
	out->decision = stored;
	out->eligible = ev.eligible;
	out->amount = strcmp(r.found->outcome, "approved") == 0 ? ev.amount :
	    0;
	out->clauses = programme_clauses(ctx, &ev.elig, r.found->currency,
	    &out->n_clauses);
	same = out->eligible == stored->engine_eligible &&
	    out->amount == stored->amount &&
	    out->n_clauses == stored->n_clauses;
	for (size_t i = 0; same && i < out->n_clauses; i++)
		same = strcmp(out->clauses[i]->value,
		    stored->clauses[i]->value) == 0 &&
		    strcmp(out->clauses[i]->text, stored->clauses[i]->text) ==
		    0;
	out->same = same;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * The work queue.
 */

static const char *const app_states[] = {"submitted", "in_review",
    "approved", "rejected", "withdrawn", "appealed"};

/* The municipality a queue request is about, within the caller's scope. */
static grpc_status_code
app_queue_scope(struct rpc_ctx *ctx, const char *asked, const char **out)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	if (asked[0] == '\0') {
		*out = c->officer.municipality;
		return GRPC_STATUS_OK;
	}
	if (municipality_find(asked) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: unknown code \"%.16s\"", asked);
	if (!authz_in_scope(c, asked))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %s is outside your scope (%s)", asked,
		    c->officer.municipality);
	*out = asked;
	return GRPC_STATUS_OK;
}

struct app_queue {
	struct rpc_ctx *ctx;
	Spis__V1__QueueReply *m;
	size_t cap;
	int64_t ids[APP_PAGE_MAX + 1];
};

static void
app_queue_one(void *arg, const struct store_application *app)
{
	struct app_queue *q = arg;
	struct arena *a = rpc_ctx_arena(q->ctx);
	Spis__V1__QueueItem *it;

	q->m->items = APP_GROW(a, q->m->items, q->m->n_items, &q->cap);
	it = RPC_NEW(q->ctx, Spis__V1__QueueItem, spis__v1__queue_item__init);
	it->reference = arena_strdup(a, app->reference);
	it->programme = arena_strdup(a, app->programme);
	it->national_id = arena_strdup(a, app->national_id);
	it->applicant_name = arena_strdup(a, app->applicant);
	it->state = arena_strdup(a, app->state);
	it->municipality = arena_strdup(a, app->municipality);
	it->submitted_at = arena_strdup(a, app->submitted_at);
	it->age_days = app->age_days;
	it->flags = app->nflags;
	q->ids[q->m->n_items] = app->id;
	q->m->items[q->m->n_items++] = it;
}

static grpc_status_code
app_queue(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__QueueRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct app_queue q = {.ctx = ctx};
	const char *states[3] = {NULL}, *muni;
	const char *pending[] = {"submitted", "in_review", "appealed", NULL};
	struct store_programme *prog;
	int64_t after = 0, total = 0;
	int limit = req->page_size;
	grpc_status_code st;
	char *end;
	size_t i;

	if ((st = app_queue_scope(ctx, req->municipality, &muni)) !=
	    GRPC_STATUS_OK)
		return st;
	if (req->state[0] != '\0') {
		for (i = 0; i < sizeof app_states / sizeof app_states[0]; i++)
			if (strcmp(req->state, app_states[i]) == 0)
				break;
		if (i == sizeof app_states / sizeof app_states[0])
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "state: one of submitted, in_review, approved, "
			    "rejected, withdrawn, appealed");
		states[0] = app_states[i];
	}
	if (limit == 0)
		limit = APP_PAGE_DEFAULT;
	if (limit < 1 || limit > APP_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: 1 to %d", APP_PAGE_MAX);
	if (req->page_token[0] != '\0') {
		/* Only the digits this call writes: no sign, no spaces, no
		 * number too large to read back. */
		if (strspn(req->page_token, "0123456789") !=
		    strlen(req->page_token) || strlen(req->page_token) > 18 ||
		    (after = strtoll(req->page_token, &end, 10)) <= 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "page_token: not a token this call returned");
	}
	if (req->programme[0] != '\0' && (st = programme_find(ctx,
	    "programme", req->programme, &prog)) != GRPC_STATUS_OK)
		return st;
	q.m = RPC_NEW(ctx, Spis__V1__QueueReply,
	    spis__v1__queue_reply__init);
	if (store_app_queue(d->store, muni, req->programme,
	    states[0] != NULL ? states : pending, after, limit + 1,
	    app_queue_one, &q, &total) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	/* One more than asked tells whether there is a next page. */
	if (q.m->n_items > (size_t)limit) {
		q.m->n_items = (size_t)limit;
		q.m->next_page_token = arena_printf(rpc_ctx_arena(ctx),
		    "%" PRId64, q.ids[limit - 1]);
	}
	q.m->total = total;
	*respm = &q.m->base;
	return GRPC_STATUS_OK;
}

struct app_counts {
	struct rpc_ctx *ctx;
	Spis__V1__QueueCountsReply *m;
	size_t cap;
};

static void
app_count_one(void *arg, const char *programme, const char *state,
    int64_t count, int oldest)
{
	struct app_counts *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__QueueCount *x;

	l->m->counts = APP_GROW(a, l->m->counts, l->m->n_counts, &l->cap);
	x = RPC_NEW(l->ctx, Spis__V1__QueueCount, spis__v1__queue_count__init);
	x->programme = arena_strdup(a, programme);
	x->state = arena_strdup(a, state);
	x->count = count;
	x->oldest_days = oldest;
	l->m->counts[l->m->n_counts++] = x;
}

static grpc_status_code
app_counts(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__QueueCountsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct app_counts l = {.ctx = ctx};
	const char *muni;
	grpc_status_code st;

	if ((st = app_queue_scope(ctx, req->municipality, &muni)) !=
	    GRPC_STATUS_OK)
		return st;
	l.m = RPC_NEW(ctx, Spis__V1__QueueCountsReply,
	    spis__v1__queue_counts_reply__init);
	if (store_app_counts(d->store, muni, app_count_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &l.m->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * Status by reference and birth date.
 */

static const char *
app_next_step(const char *state)
{
	if (strcmp(state, "submitted") == 0)
		return "Your application is waiting for a caseworker to start "
		    "the review.";
	if (strcmp(state, "in_review") == 0)
		return "A caseworker is reviewing your application; you will "
		    "get a notice of the decision.";
	if (strcmp(state, "approved") == 0)
		return "Approved. Payments follow in the next payment run. If "
		    "you disagree, you may appeal until the date shown.";
	if (strcmp(state, "rejected") == 0)
		return "Rejected. The notice explains why. You may appeal "
		    "until the date shown, at a kiosk or an office.";
	if (strcmp(state, "appealed") == 0)
		return "Your appeal is waiting for a caseworker to review the "
		    "decision again.";
	return "Withdrawn. Nothing more will happen with this application.";
}

static grpc_status_code
app_status(struct rpc_ctx *ctx, const Spis__V1__StatusRequest *req,
    int helpdesk, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_application app;
	struct store_programme *prog;
	struct store_person p;
	Spis__V1__Application *full;
	Spis__V1__StatusReply *out;
	const char *peer = "";
	char ref[16];
	int match, failures;

	if (req->birth_date[0] == '\0' ||
	    !check_date(req->birth_date, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "birth_date: required (YYYY-MM-DD)");
	if (app_reference(ctx, req->reference, ref) != GRPC_STATUS_OK)
		return GRPC_STATUS_INVALID_ARGUMENT;
	/* Guessing a birth date for a known reference is a few hundred
	 * tries: failures from one address are limited as for PINs and
	 * logins (the same table and limit). */
	if (!helpdesk) {
		peer = rpcd_peer_address(ctx);
		failures = store_login_failures_peer(d->store, peer,
		    (int64_t)time(NULL) - d->auth.lockout_seconds);
		if (failures < 0 || failures >= d->auth.peer_failures)
			return rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "too many status checks that matched nothing from "
			    "this terminal; wait and try again");
	}
	/* A wrong reference and a wrong birth date get the same answer:
	 * the status must not confirm that a reference exists. */
	match = store_app_get(d->store, ref, &app) == STORE_OK &&
	    store_person_get(d->store, app.national_id, NULL, &p) ==
	    STORE_OK && strcmp(p.birth_date, req->birth_date) == 0;
	if (!match) {
		if (!helpdesk)
			store_login_failure_add(d->store, arena_printf(ar,
			    "status:%s", ref), peer, (int64_t)time(NULL));
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "reference: no application matches this reference and "
		    "birth date");
	}
	if (helpdesk)
		rpcd_audit_subject(ctx, app.national_id, "helpdesk");
	else {
		/* A public answer about someone's application is still a
		 * read of their data: it goes in the trail (and in "who
		 * looked at my record") like any other, before the answer
		 * is sent. */
		rpcd_audit_public(ctx, app.national_id, "status",
		    "status by reference and birth date");
	}
	if (programme_find(ctx, "programme", app.programme, &prog) !=
	    GRPC_STATUS_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	full = app_msg(ctx, &app, 0);
	out = RPC_NEW(ctx, Spis__V1__StatusReply,
	    spis__v1__status_reply__init);
	out->reference = full->reference;
	out->programme = full->programme;
	out->programme_name = arena_strdup(ar, programme_name(prog,
	    p.language));
	out->state = full->state;
	out->steps = arena_alloc(ar, sizeof *out->steps *
	    (full->n_transitions + 1));
	for (size_t i = 0; i < full->n_transitions; i++) {
		Spis__V1__StatusStep *s = RPC_NEW(ctx, Spis__V1__StatusStep,
		    spis__v1__status_step__init);

		s->state = full->transitions[i]->to_state;
		s->date = arena_strndup(ar, full->transitions[i]->at, 10);
		out->steps[out->n_steps++] = s;
	}
	out->next_step = (char *)app_next_step(full->state);
	out->appeal_until = full->appeal_until;
	out->municipality = helpdesk ? full->municipality : "";
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
app_get_status(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	return app_status(ctx, (const void *)reqm, 0, respm);
}

static grpc_status_code
app_get_status_helpdesk(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	return app_status(ctx, (const void *)reqm, 1, respm);
}

const struct rpc_method applications_methods[] = {
	RPC_METHOD(spis__v1__applications, 0, app_form,
	    PERM_APPLICATION_SUBMIT),
	RPC_METHOD(spis__v1__applications, 1, app_submit,
	    PERM_APPLICATION_SUBMIT),
	RPC_METHOD(spis__v1__applications, 2, app_get, PERM_APPLICATION_READ),
	RPC_METHOD(spis__v1__applications, 3, app_list,
	    PERM_APPLICATION_READ),
	RPC_METHOD(spis__v1__applications, 4, app_start_review,
	    PERM_APPLICATION_DECIDE),
	RPC_METHOD(spis__v1__applications, 5, app_withdraw,
	    PERM_APPLICATION_SUBMIT),
	RPC_METHOD(spis__v1__applications, 6, app_appeal,
	    PERM_APPLICATION_SUBMIT),
	RPC_METHOD(spis__v1__applications, 7, app_evaluate,
	    PERM_APPLICATION_DECIDE),
	RPC_METHOD(spis__v1__applications, 8, app_decide,
	    PERM_APPLICATION_DECIDE),
	RPC_METHOD(spis__v1__applications, 9, app_replay,
	    PERM_APPLICATION_READ),
	RPC_METHOD(spis__v1__applications, 10, app_queue,
	    PERM_APPLICATION_READ),
	RPC_METHOD(spis__v1__applications, 11, app_counts,
	    PERM_APPLICATION_READ),
	RPC_METHOD(spis__v1__applications, 12, app_get_status, PERM_PUBLIC),
	RPC_METHOD(spis__v1__applications, 13, app_get_status_helpdesk,
	    PERM_STATUS_READ),
};
const size_t applications_nmethods =
    sizeof applications_methods / sizeof applications_methods[0];
