/*
 * programmes.c: the programme catalogue (Programmes/ListProgrammes, closed
 * ones too) and, for admins, its editor: names, pillar, scope, period and
 * the flags in a form, the eligibility and amount rules in text areas of
 * several lines.  F4 checks both rules (Programmes/CheckRule) and shows
 * the daemon's "line L, column C: ..." next to the rule it is about; the
 * facts a rule may name come with the check.  F2 saves with a reason and
 * the version read (Programmes/SaveProgramme), so that a change made
 * meanwhile is not overwritten; a change of either rule makes a new rule
 * version, and the versions are listed newest first
 * (Programmes/ListRuleVersions).  Officers who are not admins see the same
 * screens and change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/programmes.pb-c.h"
#include "tui_edit.h"

#include "console.h"
#include "i18n.h"

/* The methods of spis.v1.Programmes, by their place in the proto. */
enum {
	PROG_LIST = 0,
	PROG_GET = 1,
	PROG_SAVE = 2,
	PROG_VERSIONS = 3,
	PROG_CHECK = 4,
};

/* Room for a rule as UTF-8: the daemon takes 4096 bytes. */
#define PROG_RULE_BYTES (TUI_EDIT_MAX * 4 + 1)

static const char *
prog_name(const Spis__V1__Programme *p, const char *lang)
{
	for (size_t i = 0; i < p->n_names; i++)
		if (strcmp(p->names[i]->language, lang) == 0)
			return p->names[i]->text;
	return "";
}

/* The name in the console's language, else Lithuanian. */
static const char *
prog_local_name(const Spis__V1__Programme *p)
{
	const char *n = prog_name(p, i18n_language());

	return n[0] != '\0' ? n : prog_name(p, "lt");
}

/* ------------------------------------------------------------------------
 * Rule versions.
 */

struct versions {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char code[20];
	Spis__V1__RuleVersionList *reply;
	struct tui_list list;
	char note[512];
	int rerun;
};

static const struct tui_hint versions_hints[] = {
	{"↑↓", N_("Choose")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
versions_item(size_t i, char *buf, size_t len, void *arg)
{
	struct versions *v = arg;
	const Spis__V1__RuleVersion *rv = v->reply->versions[i];
	char n[16];
	size_t off = 0;

	snprintf(n, sizeof n, "v%d", rv->rule_version);
	buf[0] = '\0';
	console_cell(buf, len, &off, n, 5);
	console_cell(buf, len, &off, rv->created_at, 20);
	console_cell(buf, len, &off, rv->created_by, 12);
	console_cell(buf, len, &off, rv->reason, 60);
}

static void
versions_fetch(struct versions *v)
{
	Spis__V1__ListRuleVersionsRequest req =
	    SPIS__V1__LIST_RULE_VERSIONS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.code = v->code;
	st = console_call(v->c, &spis__v1__programmes__descriptor,
	    PROG_VERSIONS, &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		v->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, v->note, sizeof v->note);
		return;
	}
	if (v->reply != NULL)
		protobuf_c_message_free_unpacked(&v->reply->base, NULL);
	v->reply = (Spis__V1__RuleVersionList *)resp;
	v->list.n = v->reply->n_versions;
	v->list.sel = 0;
}

static int
versions_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct versions *v = (struct versions *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(v->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	return tui_list_key(&v->list, k);
}

static void
versions_tick(struct tui *t, struct tui_screen *s)
{
	struct versions *v = (struct versions *)s;

	(void)t;
	if (v->rerun && v->c->sess.active) {
		v->rerun = 0;
		versions_fetch(v);
	}
}

static void
versions_draw(struct tui *t, struct tui_screen *s)
{
	struct versions *v = (struct versions *)s;
	const Spis__V1__RuleVersion *rv;
	int top, rows, cols, y, end, n;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Rule versions of %s, "
	    "newest first"), v->code);
	y += 2;
	if (v->note[0] != '\0')
		tui_wrap(t, y++, 2, cols - 4, 2, TUI_A_ERROR, v->note);
	if (v->reply == NULL || v->reply->n_versions == 0)
		return;
	n = v->list.n < 6 ? (int)v->list.n : 6;
	tui_list_draw(t, &v->list, y, 2, n, cols - 4);
	y += n + 1;
	rv = v->reply->versions[v->list.sel];
	tui_putf(t, y++, 2, cols - 4, TUI_A_UNDERLINE, "%s", _("Eligibility"));
	y += tui_wrap(t, y, 4, cols - 6, (end - y) / 2, 0, rv->eligibility);
	y++;
	tui_putf(t, y++, 2, cols - 4, TUI_A_UNDERLINE, "%s", _("Amount"));
	tui_wrap(t, y, 4, cols - 6, end - y, 0, rv->amount);
}

static void
versions_destroy(struct tui_screen *s)
{
	struct versions *v = (struct versions *)s;

	if (v->reply != NULL)
		protobuf_c_message_free_unpacked(&v->reply->base, NULL);
	free(v);
}

static struct tui_screen *
versions_new(struct console *c, const char *code)
{
	struct versions *v;

	if ((v = calloc(1, sizeof *v)) == NULL)
		return NULL;
	v->c = c;
	console_copy(v->code, sizeof v->code, code);
	v->list.item = versions_item;
	v->list.arg = v;
	v->rerun = 1;
	v->s.draw = versions_draw;
	v->s.key = versions_key;
	v->s.tick = versions_tick;
	v->s.destroy = versions_destroy;
	v->s.hints = versions_hints;
	return &v->s;
}

/* ------------------------------------------------------------------------
 * The editor.
 */

enum { ED_CODE, ED_NAME_LT, ED_NAME_EN, ED_PILLAR, ED_SCOPE, ED_MUNI,
	ED_ONLINE, ED_PERIOD, ED_RENEW, ED_OPEN, ED_NFIELDS };

/* The two text areas follow the form's fields in the focus order. */
#define ED_ELIG ED_NFIELDS
#define ED_AMOUNT (ED_NFIELDS + 1)

static const char *const ed_pillars[] = {"cash_benefits", "child_protection",
	"school_support", "social_services", "disability", "housing", NULL};
static const char *const ed_scopes[] = {"national", "municipal", NULL};
static const char *const ed_periods[] = {"monthly", "yearly", "one_off",
	NULL};
static const char *const ed_yesno[] = {"yes", "no", NULL};

static const struct console_input ed_inputs[ED_NFIELDS] = {
	{"programme.code", N_("Code"), 16, 1, NULL, 0, 0, NULL},
	{"programme.names", N_("Name (lt)"), 128, 1, NULL, 0, 0, NULL},
	{"programme.names[1]", N_("Name (en)"), 128, 0, NULL, 0, 0, NULL},
	{"programme.pillar", N_("Pillar"), 16, 1, ed_pillars, 0, 0, NULL},
	{"programme.scope", N_("Scope"), 9, 1, ed_scopes, 0, 0, NULL},
	{"programme.municipality", N_("Municipality"), 4, 0, NULL, 1, 0,
	    NULL},
	{"programme.online", N_("Online"), 3, 1, ed_yesno, 0, 0, NULL},
	{"programme.period", N_("Period"), 8, 1, ed_periods, 0, 0, NULL},
	{"programme.auto_renew", N_("Auto-renew"), 3, 1, ed_yesno, 0, 0,
	    NULL},
	{"programme.open", N_("Open"), 3, 1, ed_yesno, 0, 0, NULL},
};

struct editor {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	int admin;
	char code[20];		   /* to read; "" for a new programme */
	Spis__V1__Programme *prog; /* as read, or NULL for a new one */
	struct console_form form;
	struct tui_edit rule[2];   /* eligibility, amount */
	char check[2][512];	   /* the last check of each rule */
	int check_ok[2];
	Spis__V1__CheckRuleReply *facts;
	int focus;		   /* 0..ED_AMOUNT */
	char note[512];
	int note_error;
	int rerun;
};

static const char *const ed_kinds[2] = {"eligibility", "amount"};

static const struct tui_hint editor_hints[] = {
	{"Tab", N_("Next")},
	{"F4", N_("Check rules")},
	{"F6", N_("Facts")},
	{"F7", N_("Versions")},
	{"F2", N_("Save")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static const struct tui_hint editor_hints_view[] = {
	{"Tab", N_("Next")},
	{"F7", N_("Versions")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static void
editor_fill(struct editor *e)
{
	const Spis__V1__Programme *p = e->prog;

	console_form_init(&e->form, ed_inputs, ED_NFIELDS, e);
	if (p == NULL) {
		console_form_set(&e->form, ED_OPEN, "no");
		tui_edit_set(&e->rule[0], "household.income_per_member < "
		    "102.00");
		tui_edit_set(&e->rule[1], "0.00");
		return;
	}
	console_form_set(&e->form, ED_CODE, p->code);
	console_form_set(&e->form, ED_NAME_LT, prog_name(p, "lt"));
	console_form_set(&e->form, ED_NAME_EN, prog_name(p, "en"));
	console_form_set(&e->form, ED_PILLAR, p->pillar);
	console_form_set(&e->form, ED_SCOPE, p->scope);
	console_form_set(&e->form, ED_MUNI, p->municipality);
	console_form_set(&e->form, ED_ONLINE, p->online ? "yes" : "no");
	console_form_set(&e->form, ED_PERIOD, p->period);
	console_form_set(&e->form, ED_RENEW, p->auto_renew ? "yes" : "no");
	console_form_set(&e->form, ED_OPEN, p->open ? "yes" : "no");
	tui_edit_set(&e->rule[0], p->eligibility);
	tui_edit_set(&e->rule[1], p->amount);
}

/* Reads the programme, as it now stands. */
static void
editor_fetch(struct editor *e)
{
	Spis__V1__GetProgrammeRequest req =
	    SPIS__V1__GET_PROGRAMME_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.code = e->code;
	st = console_call(e->c, &spis__v1__programmes__descriptor, PROG_GET,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			e->rerun = 1;
		else {
			console_status_text(st, msg, e->note, sizeof e->note);
			e->note_error = 1;
		}
		return;
	}
	if (e->prog != NULL)
		protobuf_c_message_free_unpacked(&e->prog->base, NULL);
	e->prog = (Spis__V1__Programme *)resp;
	editor_fill(e);
}

/* Checks one rule; the daemon's verdict goes next to it.  The first good
 * answer also brings the facts a rule may name.  Returns 0 when good. */
static int
editor_check_one(struct editor *e, int i)
{
	Spis__V1__CheckRuleRequest req = SPIS__V1__CHECK_RULE_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char *text, msg[512];
	const char *m;

	if ((text = malloc(PROG_RULE_BYTES)) == NULL)
		return -1;
	tui_edit_value(&e->rule[i], text, PROG_RULE_BYTES);
	req.text = text;
	req.kind = (char *)ed_kinds[i];
	st = console_call(e->c, &spis__v1__programmes__descriptor, PROG_CHECK,
	    &req.base, &resp, msg, sizeof msg);
	free(text);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return -1;
	if (st != GRPC_STATUS_OK) {
		/* "text: line 1, column 5: ..." names the request's field;
		 * the officer knows which rule it is about. */
		m = strncmp(msg, "text: ", 6) == 0 ? msg + 6 : msg;
		console_status_text(st, m, e->check[i], sizeof e->check[i]);
		e->check_ok[i] = 0;
		return -1;
	}
	console_copy(e->check[i], sizeof e->check[i], _("good"));
	e->check_ok[i] = 1;
	if (e->facts != NULL)
		protobuf_c_message_free_unpacked(&e->facts->base, NULL);
	e->facts = (Spis__V1__CheckRuleReply *)resp;
	return 0;
}

static void
editor_check(struct editor *e)
{
	e->note[0] = '\0';
	editor_check_one(e, 0);
	editor_check_one(e, 1);
}

static void
editor_facts(struct editor *e)
{
	char text[2048];
	size_t off = 0;

	if (e->facts == NULL)
		editor_check(e);
	if (e->facts == NULL) {
		console_copy(e->note, sizeof e->note, _("The facts come with a "
		    "good check of a rule; fix the rules first."));
		e->note_error = 1;
		return;
	}
	text[0] = '\0';
	for (size_t i = 0; i < e->facts->n_facts && off < sizeof text; i++)
		off += snprintf(text + off, sizeof text - off, "%s (%s): %s\n",
		    e->facts->facts[i]->name, e->facts->facts[i]->type,
		    e->facts->facts[i]->label);
	console_notice(e->c, _("Facts a rule may name"), text);
}

static const struct console_input ed_reason[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
editor_save(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct editor *e = arg;
	Spis__V1__SaveProgrammeRequest req =
	    SPIS__V1__SAVE_PROGRAMME_REQUEST__INIT;
	Spis__V1__Programme p = SPIS__V1__PROGRAMME__INIT;
	Spis__V1__LocalText lt = SPIS__V1__LOCAL_TEXT__INIT;
	Spis__V1__LocalText en = SPIS__V1__LOCAL_TEXT__INIT;
	Spis__V1__LocalText *names[2] = {&lt, &en};
	const Spis__V1__Programme *saved;
	char v[ED_NFIELDS][CONSOLE_VALUE_MAX], reason[CONSOLE_VALUE_MAX];
	char rid[40], msg[512], *rules[2] = {NULL, NULL};
	ProtobufCMessage *resp;
	grpc_status_code st;
	int rc = -1;

	console_form_value(f, 0, reason);
	for (int i = 0; i < ED_NFIELDS; i++)
		console_form_value(&e->form, i, v[i]);
	for (int i = 0; i < 2; i++) {
		if ((rules[i] = malloc(PROG_RULE_BYTES)) == NULL)
			goto out;
		tui_edit_value(&e->rule[i], rules[i], PROG_RULE_BYTES);
	}
	p.code = v[ED_CODE];
	lt.language = "lt";
	lt.text = v[ED_NAME_LT];
	en.language = "en";
	en.text = v[ED_NAME_EN];
	p.names = names;
	p.n_names = v[ED_NAME_EN][0] != '\0' ? 2 : 1;
	if (e->prog != NULL) {
		/* What the editor does not show is kept as it was. */
		p.descriptions = e->prog->descriptions;
		p.n_descriptions = e->prog->n_descriptions;
		p.currency = e->prog->currency;
	} else
		p.currency = "EUR";
	p.pillar = v[ED_PILLAR];
	p.scope = v[ED_SCOPE];
	p.municipality = v[ED_MUNI];
	p.online = strcmp(v[ED_ONLINE], "yes") == 0;
	p.period = v[ED_PERIOD];
	p.auto_renew = strcmp(v[ED_RENEW], "yes") == 0;
	p.open = strcmp(v[ED_OPEN], "yes") == 0;
	p.eligibility = rules[0];
	p.amount = rules[1];
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.programme = &p;
	req.expected_version = e->prog != NULL ? e->prog->version : 0;
	req.reason = reason;
	st = console_call(c, &spis__v1__programmes__descriptor, PROG_SAVE,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED) {
			err[0] = '\0';
			goto out;
		}
		console_status_text(st, msg, err, errlen);
		/* A rule's problem also goes next to the rule, and a
		 * field's next to the field. */
		for (int i = 0; i < 2; i++) {
			char name[32];

			snprintf(name, sizeof name, "programme.%s: ",
			    ed_kinds[i]);
			if (strncmp(msg, name, strlen(name)) == 0) {
				console_copy(e->check[i], sizeof e->check[i],
				    msg + strlen(name));
				e->check_ok[i] = 0;
			}
		}
		console_form_server_error(&e->form, msg);
		goto out;
	}
	saved = (const Spis__V1__Programme *)resp;
	snprintf(e->note, sizeof e->note, _("Saved %s: version %lld, rule "
	    "version %d."), saved->code, (long long)saved->version,
	    saved->rule_version);
	e->note_error = 0;
	if (e->prog != NULL)
		protobuf_c_message_free_unpacked(&e->prog->base, NULL);
	e->prog = (Spis__V1__Programme *)resp;
	console_copy(e->code, sizeof e->code, e->prog->code);
	editor_fill(e);
	rc = 0;
out:
	free(rules[0]);
	free(rules[1]);
	return rc;
}

static void
editor_focus(struct editor *e, int to)
{
	if (e->focus < ED_NFIELDS)
		tui_field_check(&e->form.f[e->focus]);
	if (to < 0 || to > ED_AMOUNT)
		return;
	e->focus = to;
	if (to < ED_NFIELDS)
		e->form.focus = to;
}

static int
editor_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct editor *e = (struct editor *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(e->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(7))) {
		if (e->prog != NULL &&
		    (next = versions_new(e->c, e->prog->code)) != NULL)
			tui_push(t, next);
		return 1;
	}
	if (tui_key_is(k, '\t', 0)) {
		editor_focus(e, e->focus < ED_AMOUNT ? e->focus + 1 : 0);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_BTAB)) {
		editor_focus(e, e->focus > 0 ? e->focus - 1 : ED_AMOUNT);
		return 1;
	}
	if (!e->admin) {
		/* Looking only: the arrows still scroll the rules. */
		if (e->focus >= ED_ELIG && k.fn && k.c != KEY_BACKSPACE &&
		    k.c != KEY_DC && k.c != KEY_ENTER)
			tui_edit_key(&e->rule[e->focus - ED_ELIG], k);
		else if (e->focus < ED_NFIELDS && (tui_key_is(k, 0, KEY_UP) ||
		    tui_key_is(k, 0, KEY_DOWN)))
			editor_focus(e, e->focus + (k.c == KEY_UP ? -1 : 1));
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(4))) {
		editor_check(e);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(6))) {
		editor_facts(e);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		e->note[0] = '\0';
		if (console_form_check(&e->form) != 0) {
			e->focus = e->form.focus;
			return 1;
		}
		next = console_dialog_new(e->c, _("Save the programme: why?"),
		    ed_reason, 1, editor_save, NULL, e);
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	if (e->focus >= ED_ELIG) {
		/* A changed rule is unchecked until checked again. */
		if (tui_edit_key(&e->rule[e->focus - ED_ELIG], k)) {
			if (!k.fn || k.c == KEY_BACKSPACE || k.c == KEY_DC ||
			    k.c == KEY_ENTER)
				e->check[e->focus - ED_ELIG][0] = '\0';
			return 1;
		}
		return 0;
	}
	if (tui_key_enter(k) || (tui_key_is(k, 0, KEY_DOWN) &&
	    e->focus == ED_NFIELDS - 1)) {
		editor_focus(e, e->focus + 1);
		return 1;
	}
	console_form_key(&e->form, k);
	e->focus = e->form.focus;
	return 1;
}

static void
editor_tick(struct tui *t, struct tui_screen *s)
{
	struct editor *e = (struct editor *)s;

	(void)t;
	if (e->rerun && e->c->sess.active) {
		e->rerun = 0;
		editor_fetch(e);
	}
}

/* One rule: its title and the last check on a row, then the text area. */
static void
editor_rule(struct editor *e, struct tui *t, int i, int y, int rows,
    int cols)
{
	int line, col;

	tui_edit_where(&e->rule[i], &line, &col);
	tui_putf(t, y, 2, 24, e->focus == ED_ELIG + i ? TUI_A_BOLD : 0,
	    "%s", i == 0 ? _("Eligibility rule") : _("Amount rule"));
	if (e->check[i][0] != '\0')
		tui_putf(t, y, 22, cols - 24, e->check_ok[i] ? 0 : TUI_A_ERROR,
		    "%s %s", e->check_ok[i] ? "✓" : "✗", e->check[i]);
	else if (e->focus == ED_ELIG + i)
		tui_putf(t, y, 22, cols - 24, 0, _("line %d, column %d"), line,
		    col);
	tui_edit_draw(t, &e->rule[i], y + 1, 4, rows, cols - 6, 0);
}

static void
editor_draw(struct tui *t, struct tui_screen *s)
{
	struct editor *e = (struct editor *)s;
	int top, rows, cols, y, end, er, ar, fy;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (e->prog != NULL)
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Programme %s · "
		    "version %lld · rule version %d · by %s %s"), e->prog->code,
		    (long long)e->prog->version, e->prog->rule_version,
		    e->prog->updated_by, e->prog->updated_at);
	else
		tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("New programme"));
	y += 2;
	fy = y;
	console_form_draw(t, &e->form, y, 2, cols - 4, 0);
	y += ED_NFIELDS + 1;
	/* What is left goes to the rules, the eligibility rule first. */
	er = (end - y - 5) * 3 / 5;
	if (er < 1)
		er = 1;
	ar = end - y - 5 - er;
	if (ar < 1)
		ar = 1;
	editor_rule(e, t, 0, y, er, cols);
	y += er + 1;
	editor_rule(e, t, 1, y, ar, cols);
	y += ar + 1;
	if (e->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2,
		    e->note_error ? TUI_A_ERROR : TUI_A_BOLD, e->note);
	/* The cursor goes where the focus is. */
	if (e->focus < ED_NFIELDS)
		console_form_draw(t, &e->form, fy, 2, cols - 4, 1);
	else
		tui_edit_draw(t, &e->rule[e->focus - ED_ELIG],
		    e->focus == ED_ELIG ? fy + ED_NFIELDS + 2 :
		    fy + ED_NFIELDS + er + 3, 4,
		    e->focus == ED_ELIG ? er : ar, cols - 6, 1);
}

static void
editor_wipe(struct tui_screen *s)
{
	struct editor *e = (struct editor *)s;

	console_form_wipe(&e->form);
	tui_edit_wipe(&e->rule[0]);
	tui_edit_wipe(&e->rule[1]);
}

static void
editor_destroy(struct tui_screen *s)
{
	struct editor *e = (struct editor *)s;

	if (e->prog != NULL)
		protobuf_c_message_free_unpacked(&e->prog->base, NULL);
	if (e->facts != NULL)
		protobuf_c_message_free_unpacked(&e->facts->base, NULL);
	free(e);
}

/* The editor of code, or of a new programme with code NULL. */
static struct tui_screen *
editor_new(struct console *c, const char *code)
{
	struct editor *e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	e->c = c;
	e->admin = c->sess.can_programmes;
	editor_fill(e);
	if (code != NULL) {
		console_copy(e->code, sizeof e->code, code);
		e->rerun = 1;
	}
	e->s.draw = editor_draw;
	e->s.key = editor_key;
	e->s.tick = editor_tick;
	e->s.wipe = editor_wipe;
	e->s.destroy = editor_destroy;
	e->s.hints = e->admin ? editor_hints : editor_hints_view;
	return &e->s;
}

/* ------------------------------------------------------------------------
 * The catalogue.
 */

struct progs {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__ProgrammeList *reply;
	struct tui_list list;
	char note[512];
	int rerun;
};

static const struct tui_hint progs_hints[] = {
	{"Enter", N_("Open")},
	{"n", N_("New")},
	{"v", N_("Rule versions")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint progs_hints_view[] = {
	{"Enter", N_("Open")},
	{"v", N_("Rule versions")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
progs_item(size_t i, char *buf, size_t len, void *arg)
{
	struct progs *ps = arg;
	const Spis__V1__Programme *p = ps->reply->programmes[i];
	char flags[64], rv[16];
	size_t off = 0;

	snprintf(flags, sizeof flags, "%s%s", p->open ? _("open") :
	    _("closed"), p->online ? _(", online") : "");
	snprintf(rv, sizeof rv, "v%d", p->rule_version);
	buf[0] = '\0';
	console_cell(buf, len, &off, p->code, 12);
	console_cell(buf, len, &off, prog_local_name(p), 30);
	console_cell(buf, len, &off, p->pillar, 16);
	console_cell(buf, len, &off, p->scope[0] == 'm' ? p->municipality :
	    p->scope, 8);
	console_cell(buf, len, &off, p->period, 7);
	console_cell(buf, len, &off, rv, 4);
	console_cell(buf, len, &off, flags, 24);
}

static void
progs_fetch(struct progs *ps)
{
	Spis__V1__ListProgrammesRequest req =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.include_closed = 1;
	st = console_call(ps->c, &spis__v1__programmes__descriptor, PROG_LIST,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		ps->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, ps->note, sizeof ps->note);
		return;
	}
	if (ps->reply != NULL)
		protobuf_c_message_free_unpacked(&ps->reply->base, NULL);
	ps->reply = (Spis__V1__ProgrammeList *)resp;
	ps->list.n = ps->reply->n_programmes;
	if (ps->list.sel >= ps->list.n)
		ps->list.sel = 0;
}

static int
progs_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct progs *ps = (struct progs *)s;
	const char *code = NULL;
	struct tui_screen *next = NULL;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(ps->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (ps->reply != NULL && ps->list.sel < ps->reply->n_programmes)
		code = ps->reply->programmes[ps->list.sel]->code;
	if (tui_key_enter(k) && code != NULL)
		next = editor_new(ps->c, code);
	else if (tui_key_is(k, 'v', 0) && code != NULL)
		next = versions_new(ps->c, code);
	else if (tui_key_is(k, 'n', 0) && ps->c->sess.can_programmes)
		next = editor_new(ps->c, NULL);
	else
		return tui_list_key(&ps->list, k);
	if (next != NULL) {
		ps->rerun = 1;
		tui_push(t, next);
	}
	return 1;
}

static void
progs_tick(struct tui *t, struct tui_screen *s)
{
	struct progs *ps = (struct progs *)s;

	(void)t;
	if (ps->rerun && ps->c->sess.active) {
		ps->rerun = 0;
		progs_fetch(ps);
	}
}

static void
progs_draw(struct tui *t, struct tui_screen *s)
{
	struct progs *ps = (struct progs *)s;
	char head[256];
	int top, rows, cols, y, end;
	size_t off = 0;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Programmes"));
	y += 2;
	if (ps->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, ps->note);
	if (ps->reply == NULL)
		return;
	head[0] = '\0';
	console_cell(head, sizeof head, &off, _("Code"), 12);
	console_cell(head, sizeof head, &off, _("Name"), 30);
	console_cell(head, sizeof head, &off, _("Pillar"), 16);
	console_cell(head, sizeof head, &off, _("Scope"), 8);
	console_cell(head, sizeof head, &off, _("Period"), 7);
	console_cell(head, sizeof head, &off, _("Rule"), 4);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, head);
	tui_list_draw(t, &ps->list, y, 2, end - y - 2, cols - 4);
}

static void
progs_destroy(struct tui_screen *s)
{
	struct progs *ps = (struct progs *)s;

	if (ps->reply != NULL)
		protobuf_c_message_free_unpacked(&ps->reply->base, NULL);
	free(ps);
}

struct tui_screen *
console_programmes_new(struct console *c)
{
	struct progs *ps;

	if ((ps = calloc(1, sizeof *ps)) == NULL)
		return NULL;
	ps->c = c;
	ps->list.item = progs_item;
	ps->list.arg = ps;
	ps->rerun = 1;
	ps->s.draw = progs_draw;
	ps->s.key = progs_key;
	ps->s.tick = progs_tick;
	ps->s.destroy = progs_destroy;
	ps->s.hints = c->sess.can_programmes ? progs_hints : progs_hints_view;
	return &ps->s;
}
