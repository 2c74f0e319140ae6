/*
 * precheck.c: "What support could I get?", with no identification.  A
 * few questions in four steps (the household and the asker's age, the
 * household's money, the asker's disability and work, the municipality),
 * then the programmes the person may qualify for, with the amount and the
 * rules' reasons, and those they may not, with theirs.  The daemon's
 * PreCheck stores nothing, and the screen says so; the answers live in
 * this screen only and are zeroed when it is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>

#include "spis/v1/programmes.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "i18n.h"
#include "apps.h"

#define PRE_STEPS 5

enum pre_step {
	PRE_HOUSEHOLD = 1,
	PRE_MONEY,
	PRE_YOU,
	PRE_MUNICIPALITY,
	PRE_RESULTS,
};

enum { PRE_SIZE, PRE_CHILDREN, PRE_OVER65, PRE_DISABLED, PRE_AGE, PRE_NH };
enum { PRE_INCOME, PRE_ASSETS, PRE_NM };

struct pre_range {
	int min, max;
};

static const struct pre_range pre_ranges[PRE_NH] = {
	{1, 30}, {0, 30}, {0, 30}, {0, 30}, {0, 130},
};

static const struct {
	const char *code;
	const char *words; /* msgid */
} pre_disabilities[] = {
	{"none", N_("No disability")},
	{"moderate", N_("A moderate disability")},
	{"severe", N_("A severe disability")},
}, pre_employments[] = {
	{"employed", N_("I work")},
	{"unemployed", N_("I am looking for work")},
	{"retired", N_("I am retired")},
	{"student", N_("I study")},
	{"other", N_("Something else")},
	{"", N_("I would rather not say")},
};
#define PRE_NDIS (sizeof pre_disabilities / sizeof pre_disabilities[0])
#define PRE_NEMP (sizeof pre_employments / sizeof pre_employments[0])

struct pre_muni {
	char *code;
	char *name;
};

struct precheck {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum pre_step step;
	int busy;
	char error[KIOSK_MSG_MAX];

	struct tui_field hfields[PRE_NH];
	struct tui_form hform;
	struct tui_field mfields[PRE_NM];
	struct tui_form mform;
	struct tui_list dis, emp;
	int on_emp; /* step 3: the focus is on the work list */

	struct pre_muni *munis;
	size_t nmunis;
	struct tui_list mlist;

	struct kiosk_page page; /* the results */
	struct tui_hint hints[6];
};

static const char *
pre_check_count(const char *value, void *arg)
{
	static char why[256];
	const struct pre_range *r = arg;
	char *end;
	long v;

	v = strtol(value, &end, 10);
	if (value[0] == '\0' || *end != '\0' || v < r->min || v > r->max) {
		snprintf(why, sizeof why, _("Type a number from %d to %d."),
		    r->min, r->max);
		return why;
	}
	return NULL;
}

static void
pre_dis_item(size_t i, char *buf, size_t len, void *arg)
{
	(void)arg;
	snprintf(buf, len, "%s", _(pre_disabilities[i].words));
}

static void
pre_emp_item(size_t i, char *buf, size_t len, void *arg)
{
	(void)arg;
	snprintf(buf, len, "%s", _(pre_employments[i].words));
}

static void
pre_muni_item(size_t i, char *buf, size_t len, void *arg)
{
	struct precheck *p = arg;

	if (i < p->nmunis)
		snprintf(buf, len, "%s", p->munis[i].name);
}

static void
pre_set_hints(struct precheck *p)
{
	int i = 0;

	p->hints[i++] = (struct tui_hint){"Enter",
	    p->step == PRE_MUNICIPALITY ? N_("See what I could get") :
	    p->step == PRE_RESULTS ? N_("Done") : N_("Next")};
	p->hints[i++] = (struct tui_hint){"F2", N_("Back")};
	if (p->step == PRE_YOU)
		p->hints[i++] = (struct tui_hint){"Tab",
		    N_("Disability or work")};
	if (p->step == PRE_RESULTS)
		p->hints[i++] = (struct tui_hint){"↑ ↓", N_("Scroll")};
	p->hints[i++] = (struct tui_hint){"Esc", N_("Leave")};
	p->hints[i] = (struct tui_hint){NULL, NULL};
}

static void
pre_go(struct precheck *p, enum pre_step step)
{
	p->step = step;
	p->error[0] = '\0';
	/* Back on a step, its first question has the focus again. */
	p->hform.focus = p->mform.focus = 0;
	if (step == PRE_YOU)
		p->on_emp = 0;
	if (step != PRE_RESULTS)
		kiosk_page_clear(&p->page);
	pre_set_hints(p);
}

static void
pre_munis_free(struct precheck *p)
{
	for (size_t i = 0; i < p->nmunis; i++) {
		free(p->munis[i].code);
		free(p->munis[i].name);
	}
	free(p->munis);
	p->munis = NULL;
	p->nmunis = p->mlist.n = 0;
}

/* Registry.ListMunicipalities, public: the list for step 4. */
static void
pre_munis_load(struct precheck *p)
{
	Spis__V1__ListMunicipalitiesRequest req =
	    SPIS__V1__LIST_MUNICIPALITIES_REQUEST__INIT;
	Spis__V1__MunicipalityList *r = NULL;
	char msg[KIOSK_MSG_MAX];
	grpc_status_code st;

	p->busy = 1;
	tui_redraw(p->k->tui);
	st = kiosk_call(p->k, &spis__v1__registry__descriptor, 9, &req.base,
	    (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg, sizeof msg);
	p->busy = 0;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, p->error, sizeof p->error);
		return;
	}
	if ((p->munis = calloc(r->n_municipalities + 1, sizeof *p->munis)) ==
	    NULL) {
		kiosk_msg_free(&r->base);
		return;
	}
	for (size_t i = 0; i < r->n_municipalities; i++) {
		p->munis[i].code = strdup(r->municipalities[i]->code);
		p->munis[i].name = strdup(r->municipalities[i]->name);
		p->nmunis++;
		if (p->munis[i].code == NULL || p->munis[i].name == NULL) {
			pre_munis_free(p);
			break;
		}
	}
	p->mlist.n = p->nmunis;
	p->mlist.sel = 0;
	kiosk_msg_free(&r->base);
}

/* Typing a letter on the list jumps to the next municipality whose name
 * starts with it. */
static void
pre_muni_jump(struct precheck *p, wint_t c)
{
	wchar_t first;
	mbstate_t st;

	if (!iswalpha(c) || p->nmunis == 0)
		return;
	for (size_t j = 1; j <= p->nmunis; j++) {
		size_t i = (p->mlist.sel + j) % p->nmunis;
		const char *name = p->munis[i].name;

		memset(&st, 0, sizeof st);
		if (mbrtowc(&first, name, strlen(name), &st) < (size_t)-2 &&
		    towlower((wint_t)first) == towlower(c)) {
			p->mlist.sel = i;
			break;
		}
	}
}

static int
pre_value(struct tui_field *f)
{
	char buf[32];

	if (tui_field_value(f, buf, sizeof buf) != 0)
		return -1;
	return atoi(buf);
}

/* Step 1 as a whole: the parts of the household cannot outnumber it. */
static int
pre_household_ok(struct precheck *p)
{
	int size = pre_value(&p->hfields[PRE_SIZE]);

	if (pre_value(&p->hfields[PRE_CHILDREN]) +
	    pre_value(&p->hfields[PRE_OVER65]) > size) {
		snprintf(p->error, sizeof p->error, "%s",
		    _("Children and people aged 65 or more are part of the "
		      "household: together they cannot be more than the "
		      "people in it."));
		return 0;
	}
	if (pre_value(&p->hfields[PRE_DISABLED]) > size) {
		snprintf(p->error, sizeof p->error, "%s",
		    _("People with a disability cannot be more than the "
		      "people in the household."));
		return 0;
	}
	return 1;
}

/*
 * The reasons the rules gave: as the daemon's own explanation does, the
 * innermost comparisons (clauses with nothing nested under them) that
 * agree with the verdict, so that an "or" branch that did not matter is
 * not shown as a reason.
 */
static void
pre_clauses(struct kiosk_page *pg, const Spis__V1__PreCheckResult *r)
{
	const char *want = r->eligible ? "true" : "false";
	int shown = 0;

	for (size_t i = 0; i < r->n_clauses; i++) {
		const Spis__V1__Clause *c = r->clauses[i];

		if (i + 1 < r->n_clauses && r->clauses[i + 1]->depth > c->depth)
			continue;
		if (strcmp(c->value, want) != 0 || c->explain[0] == '\0')
			continue;
		kiosk_page_add(pg, TUI_A_NORMAL, 4, "- %s", c->explain);
		shown++;
	}
	if (shown == 0 && r->n_clauses > 0 && r->clauses[0]->explain[0])
		kiosk_page_add(pg, TUI_A_NORMAL, 4, "- %s",
		    r->clauses[0]->explain);
}

static void
pre_fill(struct precheck *p, const Spis__V1__PreCheckReply *r)
{
	struct kiosk_page *pg = &p->page;
	char money[KIOSK_MONEY_MAX];
	size_t yes = 0;

	kiosk_page_clear(pg);
	for (size_t i = 0; i < r->n_results; i++)
		if (r->results[i]->eligible)
			yes++;
	if (yes > 0)
		kiosk_page_add(pg, TUI_A_BOLD | TUI_A_UNDERLINE, 0, "%s",
		    _("You may qualify for:"));
	else
		kiosk_page_add(pg, TUI_A_BOLD, 0, "%s",
		    _("From your answers, you may not qualify for any "
		      "programme now. A social worker at the office can look "
		      "at your case with you."));
	for (int pass = 1; pass >= 0; pass--) {
		if (pass == 0 && yes < r->n_results) {
			kiosk_page_add(pg, 0, 0, "%s", "");
			kiosk_page_add(pg, TUI_A_BOLD | TUI_A_UNDERLINE, 0,
			    "%s", _("You may not qualify for:"));
		}
		for (size_t i = 0; i < r->n_results; i++) {
			const Spis__V1__PreCheckResult *x = r->results[i];
			const Spis__V1__Programme *pr = x->programme;

			if (x->eligible != pass || pr == NULL)
				continue;
			kiosk_page_add(pg, 0, 0, "%s", "");
			if (pass && x->amount > 0) {
				kiosk_money_text(x->amount, r->currency, money,
				    sizeof money);
				kiosk_page_add(pg, TUI_A_BOLD, 2, "%s: %s %s",
				    kiosk_programme_name(pr), money,
				    kiosk_period_words(pr->period));
			} else
				kiosk_page_add(pg, TUI_A_BOLD, 2, "%s",
				    kiosk_programme_name(pr));
			if (pass && x->amount == 0)
				kiosk_page_add(pg, TUI_A_NORMAL, 4, "%s",
				    _("A service, not money."));
			kiosk_page_add(pg, TUI_A_NORMAL, 4, "%s", _("Why:"));
			pre_clauses(pg, x);
			if (pass)
				kiosk_page_add(pg, TUI_A_NORMAL, 4, "%s",
				    pr->online ? _("You can apply for it at "
				    "this kiosk: \"Apply for support\" in "
				    "\"Support and benefits\" on the start "
				    "screen.") :
				    _("Apply for it at a social support "
				    "office."));
		}
	}
	kiosk_page_add(pg, 0, 0, "%s", "");
	kiosk_page_add(pg, TUI_A_BOLD, 0, "%s",
	    _("Nothing you typed was stored."));
	kiosk_page_add(pg, TUI_A_NORMAL, 0, "%s",
	    _("This is a guide, not a decision: when you apply, the decision "
	      "is made on what the registry holds about your household."));
}

/* Sends the answers to Programmes.PreCheck. */
static void
pre_send(struct precheck *p)
{
	Spis__V1__PreCheckRequest req = SPIS__V1__PRE_CHECK_REQUEST__INIT;
	Spis__V1__PreCheckReply *r = NULL;
	char buf[TUI_FIELD_MAX * 4 + 1], msg[KIOSK_MSG_MAX];
	long long income = 0, assets = 0;
	grpc_status_code st;

	if (p->mlist.sel >= p->nmunis)
		return;
	req.household_size = pre_value(&p->hfields[PRE_SIZE]);
	req.children = pre_value(&p->hfields[PRE_CHILDREN]);
	req.over65 = pre_value(&p->hfields[PRE_OVER65]);
	req.disabled = pre_value(&p->hfields[PRE_DISABLED]);
	req.age = pre_value(&p->hfields[PRE_AGE]);
	tui_field_value(&p->mfields[PRE_INCOME], buf, sizeof buf);
	kiosk_money_parse(buf, &income);
	tui_field_value(&p->mfields[PRE_ASSETS], buf, sizeof buf);
	kiosk_money_parse(buf, &assets);
	explicit_bzero(buf, sizeof buf);
	req.monthly_income = income;
	req.assets = assets;
	req.disability = (char *)pre_disabilities[p->dis.sel].code;
	req.employment = (char *)pre_employments[p->emp.sel].code;
	req.municipality = p->munis[p->mlist.sel].code;
	req.sex = "";
	p->busy = 1;
	p->error[0] = '\0';
	tui_redraw(p->k->tui);
	/* Programmes.PreCheck */
	st = kiosk_call(p->k, &spis__v1__programmes__descriptor, 5, &req.base,
	    (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg, sizeof msg);
	p->busy = 0;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, p->error, sizeof p->error);
		return;
	}
	pre_fill(p, r);
	kiosk_msg_free(&r->base);
	pre_go(p, PRE_RESULTS);
}

static void
pre_key_you(struct precheck *p, struct tui_key k)
{
	if (tui_key_is(k, '\t', KEY_BTAB)) {
		p->on_emp = !p->on_emp;
		return;
	}
	if (!p->on_emp) {
		if (tui_key_enter(k) || (tui_key_is(k, 0, KEY_DOWN) &&
		    p->dis.sel + 1 == p->dis.n))
			p->on_emp = 1;
		else
			tui_list_key(&p->dis, k);
		return;
	}
	if (tui_key_enter(k)) {
		pre_go(p, PRE_MUNICIPALITY);
		if (p->nmunis == 0)
			pre_munis_load(p);
		return;
	}
	if (tui_key_is(k, 0, KEY_UP) && p->emp.sel == 0) {
		p->on_emp = 0;
		return;
	}
	tui_list_key(&p->emp, k);
}

static int
pre_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct precheck *p = (struct precheck *)s;

	if (p->busy)
		return 1;
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		if (p->step == PRE_HOUSEHOLD)
			tui_pop(t);
		else
			pre_go(p, p->step - 1);
		return 1;
	}
	switch (p->step) {
	case PRE_HOUSEHOLD:
		if (tui_form_key(&p->hform, k) == TUI_FORM_SUBMIT) {
			p->error[0] = '\0';
			if (pre_household_ok(p))
				pre_go(p, PRE_MONEY);
		}
		break;
	case PRE_MONEY:
		if (tui_form_key(&p->mform, k) == TUI_FORM_SUBMIT)
			pre_go(p, PRE_YOU);
		break;
	case PRE_YOU:
		pre_key_you(p, k);
		break;
	case PRE_MUNICIPALITY:
		if (p->nmunis == 0) {
			/* Enter after a failed reading tries it again. */
			if (tui_key_enter(k)) {
				p->error[0] = '\0';
				pre_munis_load(p);
			}
		} else if (tui_key_enter(k))
			pre_send(p);
		else if (!tui_list_key(&p->mlist, k) && !k.fn)
			pre_muni_jump(p, k.c);
		break;
	case PRE_RESULTS:
		if (tui_key_enter(k))
			tui_pop(t);
		else
			kiosk_page_key(&p->page, k);
		break;
	}
	return 1;
}

static void
pre_draw_you(struct tui *t, struct precheck *p, int y, int end, int cols)
{
	tui_put(t, y++, 2, cols - 4, !p->on_emp ? TUI_A_BOLD : 0,
	    _("Do you have a disability?"));
	tui_list_draw(t, &p->dis, y, 4, (int)PRE_NDIS, cols - 8);
	y += (int)PRE_NDIS + 1;
	if (y >= end)
		return;
	tui_put(t, y++, 2, cols - 4, p->on_emp ? TUI_A_BOLD : 0,
	    _("What do you do?"));
	tui_list_draw(t, &p->emp, y, 4, (int)PRE_NEMP, cols - 8);
	/* The cursor rests on the list with the focus. */
	if (!p->on_emp)
		tui_list_draw(t, &p->dis, y - (int)PRE_NDIS - 2, 4,
		    (int)PRE_NDIS, cols - 8);
}

static void
pre_draw(struct tui *t, struct tui_screen *s)
{
	static const char *const titles[PRE_STEPS + 1] = {
		NULL,
		N_("Your household"),
		N_("Your household's money"),
		N_("About you"),
		N_("Your municipality"),
		N_("What you could get"),
	};
	struct precheck *p = (struct precheck *)s;
	int top, rows, cols, y, end, lrows;

	tui_body(t, &top, &rows, &cols);
	end = top + rows - 2; /* the last two rows are for problems */
	y = kiosk_heading(t, top + 1, cols, (int)p->step, PRE_STEPS,
	    _(titles[p->step]));
	if (p->busy) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	switch (p->step) {
	case PRE_HOUSEHOLD:
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("A few questions show which support you may get. "
		      "Nothing is stored, and you do not need to say who you "
		      "are. Count yourself in the household.")) + 1;
		tui_form_draw(t, &p->hform, y, 2, cols - 4);
		break;
	case PRE_MONEY:
		y += tui_wrap(t, y, 2, cols - 4, 4, TUI_A_NORMAL,
		    _("Income: what the whole household receives in a month "
		      "(wages, pensions, benefits), on average over the last "
		      "three months. Assets: savings and the value of "
		      "property other than your home. In euros, such as "
		      "1234.56.")) + 1;
		tui_form_draw(t, &p->mform, y, 2, cols - 4);
		break;
	case PRE_YOU:
		pre_draw_you(t, p, y, end, cols);
		break;
	case PRE_MUNICIPALITY:
		tui_put(t, y++, 2, cols - 4, TUI_A_NORMAL,
		    _("Where do you live? Choose with ↑ ↓, or type its first "
		      "letter."));
		y++;
		lrows = end - y;
		if (lrows > 12)
			lrows = 12;
		tui_list_draw(t, &p->mlist, y, 4, lrows, cols - 8);
		break;
	case PRE_RESULTS:
		kiosk_page_draw(t, &p->page, y, 2, top + rows - y, cols - 4);
		break;
	}
	if (p->error[0] != '\0')
		tui_wrap(t, end, 2, cols - 4, 2, TUI_A_ERROR, p->error);
}

static void
pre_wipe(struct tui_screen *s)
{
	struct precheck *p = (struct precheck *)s;

	tui_form_wipe(&p->hform);
	tui_form_wipe(&p->mform);
	kiosk_page_clear(&p->page);
	explicit_bzero(p->error, sizeof p->error);
	p->dis.sel = p->emp.sel = p->mlist.sel = 0;
	pre_go(p, PRE_HOUSEHOLD);
}

static void
pre_destroy(struct tui_screen *s)
{
	struct precheck *p = (struct precheck *)s;

	kiosk_page_clear(&p->page);
	pre_munis_free(p);
	free(s);
}

struct tui_screen *
kiosk_precheck_new(struct kiosk *k)
{
	static const char *const hlabels[PRE_NH] = {
		N_("People in the household"),
		N_("Children under 18"),
		N_("People aged 65 or more"),
		N_("People with a disability"),
		N_("Your age"),
	};
	struct precheck *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->k = k;
	for (int i = 0; i < PRE_NH; i++)
		p->hfields[i] = (struct tui_field){.label = hlabels[i],
		    .maxlen = 3, .validate = pre_check_count,
		    .arg = (void *)&pre_ranges[i]};
	p->hform.fields = p->hfields;
	p->hform.n = PRE_NH;
	p->mfields[PRE_INCOME] = (struct tui_field){
	    .label = N_("Monthly income, EUR"), .maxlen = 16,
	    .validate = kiosk_money_check};
	p->mfields[PRE_ASSETS] = (struct tui_field){
	    .label = N_("Assets, EUR"), .maxlen = 16,
	    .validate = kiosk_money_check};
	p->mform.fields = p->mfields;
	p->mform.n = PRE_NM;
	p->dis.n = PRE_NDIS;
	p->dis.item = pre_dis_item;
	p->emp.n = PRE_NEMP;
	p->emp.item = pre_emp_item;
	p->mlist.item = pre_muni_item;
	p->mlist.arg = p;
	p->s.draw = pre_draw;
	p->s.key = pre_key;
	p->s.wipe = pre_wipe;
	p->s.destroy = pre_destroy;
	p->s.hints = p->hints;
	pre_go(p, PRE_HOUSEHOLD);
	return &p->s;
}
