/*
 * institutions.c: the institutions that send facts and search the
 * registry (Exchange/ListInstitutions), for admins: each one's last feed,
 * its stored, unchanged and rejected counts and last error; Enter opens its
 * recent feed errors.  An admin registers a new institution with the fact
 * kinds it may send (the token is shown once, never again), replaces a
 * token after a confirmation, and disables or enables one.  Also the facts
 * held about a person, for the person card (console_facts_show).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/exchange.pb-c.h"

#include "console.h"
#include "i18n.h"

/* Method indexes in exchange.proto's service. */
#define EX_REGISTER 3
#define EX_ROTATE 4
#define EX_LIST 5
#define EX_ERRORS 6
#define EX_FACTS 7
#define EX_DISABLE 8

struct inst {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__InstitutionList *list_msg;
	struct tui_list list;
	char code[32];	     /* the institution being acted on */
	char token[64];	     /* a new token until its notice shows it */
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint inst_hints[] = {
	{"Enter", N_("Feed errors")},
	{"n", N_("Register")},
	{"t", N_("New token")},
	{"d", N_("Disable/enable")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
inst_free(struct inst *q)
{
	if (q->list_msg != NULL)
		protobuf_c_message_free_unpacked(&q->list_msg->base, NULL);
	q->list_msg = NULL;
	q->list.n = 0;
}

static const Spis__V1__Institution *
inst_selected(const struct inst *q)
{
	if (q->list_msg == NULL || q->list.n == 0)
		return NULL;
	return q->list_msg->institutions[q->list.sel];
}

static void
inst_item(size_t i, char *buf, size_t len, void *arg)
{
	struct inst *q = arg;
	const Spis__V1__Institution *n = q->list_msg->institutions[i];
	char num[3][24];
	size_t off = 0;

	snprintf(num[0], sizeof num[0], "%lld", (long long)n->facts_stored);
	snprintf(num[1], sizeof num[1], "%lld",
	    (long long)n->facts_unchanged);
	snprintf(num[2], sizeof num[2], "%lld", (long long)n->facts_rejected);
	buf[0] = '\0';
	console_cell(buf, len, &off, n->code, 8);
	console_cell(buf, len, &off, n->name, 26);
	console_cell(buf, len, &off, n->last_feed_at[0] != '\0' ?
	    n->last_feed_at : "-", 20);
	console_cell(buf, len, &off, num[0], 8);
	console_cell(buf, len, &off, num[1], 9);
	console_cell(buf, len, &off, num[2], 8);
	console_cell(buf, len, &off, n->disabled ? _("disabled") : "", 9);
}

static void
inst_fetch(struct inst *q)
{
	Spis__V1__ListInstitutionsRequest req =
	    SPIS__V1__LIST_INSTITUTIONS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];
	size_t sel = q->list.sel;

	st = console_call(q->c, &spis__v1__exchange__descriptor, EX_LIST,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		q->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, q->note, sizeof q->note);
		q->note_error = 1;
		return;
	}
	inst_free(q);
	q->list_msg = (Spis__V1__InstitutionList *)resp;
	q->list.n = q->list_msg->n_institutions;
	q->list.sel = sel < q->list.n ? sel : 0;
}

/* Shows the token of q->code once, in a box wiped when it closes, and
 * forgets it here. */
static void
inst_show_token(struct console *c, void *arg)
{
	struct inst *q = arg;
	char text[512];

	if (q->token[0] == '\0')
		return;
	snprintf(text, sizeof text, _("The token of %s is shown this once; "
	    "give it to the institution by a safe channel. Its calls carry it "
	    "in the x-spis-institution metadata.\n\n%s"), q->code, q->token);
	explicit_bzero(q->token, sizeof q->token);
	console_notice(c, _("Institution token"), text);
	explicit_bzero(text, sizeof text);
}

/* Keeps a new token until its notice can be shown. */
static void
inst_keep_token(struct inst *q, ProtobufCMessage *resp)
{
	Spis__V1__InstitutionCredential *k =
	    (Spis__V1__InstitutionCredential *)resp;

	console_copy(q->token, sizeof q->token, k->token);
	explicit_bzero(k->token, strlen(k->token));
	protobuf_c_message_free_unpacked(resp, NULL);
}

/* ------------------------------------------------------------------------
 * Register.
 */

static const char *const inst_yesno[] = {"no", "yes", NULL};

static const struct console_input register_inputs[] = {
	{"institution.code", N_("Code (e.g. VMI)"), 16, 1, NULL, 0, 0, NULL},
	{"institution.name", N_("Name"), 100, 1, NULL, 0, 0, NULL},
	{"institution.kinds", N_("Fact kinds (comma-separated)"), 80, 1,
	    NULL, 0, 0, NULL},
	{"institution.may_search", N_("May search the registry"), 3, 1,
	    inst_yesno, 0, 0, NULL},
	{"institution.purposes", N_("Search purposes (comma-separated)"), 40,
	    0, NULL, 0, 0, NULL},
	{"institution.cert_cn", N_("Client certificate CN"), 64, 0, NULL, 0,
	    0, NULL},
};
#define REGISTER_N (int)(sizeof register_inputs / sizeof register_inputs[0])

/* Splits a comma list (modified in place) into at most max items. */
static size_t
inst_split(char *s, char **out, size_t max)
{
	char *save, *tok;
	size_t n = 0;

	for (tok = strtok_r(s, ", ", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, ", ", &save))
		out[n++] = tok;
	return n;
}

static int
register_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct inst *q = arg;
	Spis__V1__RegisterInstitutionRequest req =
	    SPIS__V1__REGISTER_INSTITUTION_REQUEST__INIT;
	Spis__V1__Institution in = SPIS__V1__INSTITUTION__INIT;
	char v[REGISTER_N][CONSOLE_VALUE_MAX], rid[40], msg[512];
	char *kinds[16], *purposes[8];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < REGISTER_N; i++)
		console_form_value(f, i, v[i]);
	in.code = v[0];
	in.name = v[1];
	in.n_kinds = inst_split(v[2], kinds, 16);
	in.kinds = kinds;
	in.may_search = strcmp(v[3], "yes") == 0;
	in.n_purposes = inst_split(v[4], purposes, 8);
	in.purposes = purposes;
	in.cert_cn = v[5];
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.institution = &in;
	st = console_call(c, &spis__v1__exchange__descriptor, EX_REGISTER,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	snprintf(q->note, sizeof q->note, _("%s is registered."), v[0]);
	q->note_error = 0;
	q->rerun = 1;
	console_copy(q->code, sizeof q->code, v[0]);
	/* Shown once the dialog has gone (inst_show_token). */
	inst_keep_token(q, resp);
	return 0;
}

/* ------------------------------------------------------------------------
 * Rotate, disable, enable.
 */

static void
inst_rotate_confirmed(struct tui *t, int yes, void *arg)
{
	struct inst *q = arg;
	Spis__V1__RotateInstitutionTokenRequest req =
	    SPIS__V1__ROTATE_INSTITUTION_TOKEN_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512];

	(void)t;
	if (!yes)
		return;
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.code = q->code;
	st = console_call(q->c, &spis__v1__exchange__descriptor, EX_ROTATE,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, q->note, sizeof q->note);
		q->note_error = 1;
		return;
	}
	snprintf(q->note, sizeof q->note, _("%s has a new token; the old one "
	    "no longer works."), q->code);
	q->note_error = 0;
	inst_keep_token(q, resp);
	inst_show_token(q->c, q);
	q->rerun = 1;
}

static int
inst_set_disabled(struct inst *q, int disabled, const char *reason,
    char *err, size_t errlen)
{
	Spis__V1__SetInstitutionDisabledRequest req =
	    SPIS__V1__SET_INSTITUTION_DISABLED_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512];

	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.code = q->code;
	req.disabled = disabled;
	req.reason = (char *)reason;
	st = console_call(q->c, &spis__v1__exchange__descriptor, EX_DISABLE,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(q->note, sizeof q->note, disabled ? _("%s is disabled.") :
	    _("%s is enabled."), q->code);
	q->note_error = 0;
	q->rerun = 1;
	return 0;
}

static const struct console_input disable_inputs[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
disable_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	char reason[CONSOLE_VALUE_MAX];

	(void)c;
	console_form_value(f, 0, reason);
	return inst_set_disabled(arg, 1, reason, err, errlen);
}

static void
inst_enable_confirmed(struct tui *t, int yes, void *arg)
{
	struct inst *q = arg;

	(void)t;
	if (yes && inst_set_disabled(q, 0, "", q->note, sizeof q->note) != 0)
		q->note_error = 1;
}

/* ------------------------------------------------------------------------
 * Feed errors.
 */

static void
inst_errors(struct inst *q, const Spis__V1__Institution *n)
{
	Spis__V1__ListFeedErrorsRequest req =
	    SPIS__V1__LIST_FEED_ERRORS_REQUEST__INIT;
	const Spis__V1__FeedErrorList *l;
	struct console_doc *d;
	struct tui_screen *s;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512], title[128];

	req.code = n->code;
	req.limit = 100;
	st = console_call(q->c, &spis__v1__exchange__descriptor, EX_ERRORS,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, q->note, sizeof q->note);
		q->note_error = 1;
		return;
	}
	l = (const Spis__V1__FeedErrorList *)resp;
	if ((d = console_doc_new()) == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		return;
	}
	if (l->n_errors == 0)
		console_doc_add(d, 0, 0, "%s", _("No rejected items."));
	for (size_t i = 0; i < l->n_errors; i++) {
		const Spis__V1__FeedError *e = l->errors[i];

		console_doc_add(d, 0, TUI_A_BOLD, "%s · %s %s · %s %d · %s",
		    e->at, _("batch"), e->batch_id, _("item"), e->index,
		    e->record_id);
		console_doc_add(d, 2, 0, "%s: %s", e->error_code, e->message);
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(title, sizeof title, _("Feed errors: %s"), n->code);
	if ((s = console_doc_screen_new(q->c, title, d)) != NULL)
		tui_push(q->c->tui, s);
}

/* ------------------------------------------------------------------------
 * The screen.
 */

static int
inst_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct inst *q = (struct inst *)s;
	const Spis__V1__Institution *n = inst_selected(q);
	struct tui_screen *d;
	char text[256];

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(q->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (n != NULL)
			inst_errors(q, n);
		return 1;
	}
	if (k.fn)
		return tui_list_key(&q->list, k);
	q->note[0] = '\0';
	switch (k.c) {
	case 'n':
		d = console_dialog_new(q->c, _("Register an institution"),
		    register_inputs, REGISTER_N, register_send,
		    inst_show_token, q);
		if (d != NULL) {
			console_form_set(console_dialog_form(d), 2, "income");
			tui_push(t, d);
		}
		return 1;
	case 't':
		if (n == NULL)
			return 1;
		console_copy(q->code, sizeof q->code, n->code);
		snprintf(text, sizeof text, _("Give %s a new token? The old one "
		    "stops working at once."), n->code);
		tui_confirm(t, text, inst_rotate_confirmed, q);
		return 1;
	case 'd':
		if (n == NULL)
			return 1;
		console_copy(q->code, sizeof q->code, n->code);
		if (n->disabled) {
			snprintf(text, sizeof text, _("Enable %s again?"),
			    n->code);
			tui_confirm(t, text, inst_enable_confirmed, q);
		} else if ((d = console_dialog_new(q->c, _("Disable the "
		    "institution: why?"), disable_inputs, 1, disable_send,
		    NULL, q)) != NULL)
			tui_push(t, d);
		return 1;
	case 'r':
		inst_fetch(q);
		return 1;
	}
	return 0;
}

static void
inst_tick(struct tui *t, struct tui_screen *s)
{
	struct inst *q = (struct inst *)s;

	(void)t;
	if (q->rerun && q->c->sess.active) {
		q->rerun = 0;
		inst_fetch(q);
	}
}

static int
inst_row(struct tui *t, int y, int cols, const char *label,
    const char *value)
{
	tui_put(t, y, 2, 18, 0, label);
	tui_put(t, y, 21, cols - 23, TUI_A_BOLD, value);
	return y + 1;
}

/* A repeated field as one comma list into buf. */
static const char *
inst_join(char **items, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? ", " : "", items[i]);
	return buf[0] != '\0' ? buf : "-";
}

static void
inst_draw(struct tui *t, struct tui_screen *s)
{
	struct inst *q = (struct inst *)s;
	const Spis__V1__Institution *n;
	char line[512];
	int top, rows, cols, y, end, h;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Institutions and their "
	    "feeds"));
	y += 2;
	if (q->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2,
		    q->note_error ? TUI_A_ERROR : TUI_A_BOLD, q->note);
	if (q->list_msg == NULL)
		return;
	if (q->list_msg->n_institutions == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No institutions yet: n "
		    "registers one."));
		return;
	}
	snprintf(line, sizeof line, "  %-8s %-26s %-20s %-8s %-9s %-8s",
	    _("Code"), _("Name"), _("Last feed"), _("Stored"), _("Unchanged"),
	    _("Rejected"));
	tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
	h = end - y - 9;
	if (h < 2)
		h = 2;
	tui_list_draw(t, &q->list, y, 2, h, cols - 4);
	y += h + 1;
	if ((n = inst_selected(q)) == NULL)
		return;
	y = inst_row(t, y, cols, _("Fact kinds"), inst_join(n->kinds,
	    n->n_kinds, line, sizeof line));
	y = inst_row(t, y, cols, _("Searches for"), n->may_search ?
	    inst_join(n->purposes, n->n_purposes, line, sizeof line) :
	    _("may not search"));
	y = inst_row(t, y, cols, _("Certificate CN"), n->cert_cn[0] != '\0' ?
	    n->cert_cn : "-");
	y = inst_row(t, y, cols, _("Registered"), n->created_at);
	inst_row(t, y, cols, _("Last error"), n->last_error[0] != '\0' ?
	    n->last_error : "-");
}

static void
inst_wipe(struct tui_screen *s)
{
	struct inst *q = (struct inst *)s;

	inst_free(q);
	explicit_bzero(q->note, sizeof q->note);
	explicit_bzero(q->token, sizeof q->token);
}

static void
inst_destroy(struct tui_screen *s)
{
	struct inst *q = (struct inst *)s;

	inst_free(q);
	free(q);
}

struct tui_screen *
console_institutions_new(struct console *c)
{
	struct inst *q;

	if ((q = calloc(1, sizeof *q)) == NULL)
		return NULL;
	q->c = c;
	q->list.item = inst_item;
	q->list.arg = q;
	q->rerun = 1;
	q->s.draw = inst_draw;
	q->s.key = inst_key;
	q->s.tick = inst_tick;
	q->s.wipe = inst_wipe;
	q->s.destroy = inst_destroy;
	q->s.hints = inst_hints;
	return &q->s;
}

int
console_facts_show(struct console *c, const char *national_id,
    const char *purpose, char *note, size_t len)
{
	Spis__V1__ListPersonFactsRequest req =
	    SPIS__V1__LIST_PERSON_FACTS_REQUEST__INIT;
	const Spis__V1__PersonFactList *l;
	struct console_doc *d;
	struct tui_screen *s;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512], title[128], amount[48];

	req.national_id = (char *)national_id;
	req.purpose = (char *)purpose;
	req.limit = 200;
	st = console_call(c, &spis__v1__exchange__descriptor, EX_FACTS,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 0;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, note, len);
		return -1;
	}
	l = (const Spis__V1__PersonFactList *)resp;
	if ((d = console_doc_new()) == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		return -1;
	}
	if (l->n_facts == 0)
		console_doc_add(d, 0, 0, "%s", _("No facts from institutions."));
	for (size_t i = 0; i < l->n_facts; i++) {
		const Spis__V1__StoredFact *sf = l->facts[i];
		const Spis__V1__InstitutionFact *f = sf->fact;

		if (f == NULL)
			continue;
		console_doc_add(d, 0, TUI_A_BOLD, "%-10s %-11s %s", f->period,
		    f->kind, sf->source);
		if (f->amount != 0 || strcmp(f->kind, "income") == 0)
			console_doc_add(d, 2, 0, "%s", console_money(f->amount,
			    amount, sizeof amount));
		if (f->value[0] != '\0')
			console_doc_add(d, 2, 0, "%s", f->value);
		if (f->related_id[0] != '\0')
			console_doc_add(d, 2, 0, "%s %s %s · %s %s",
			    f->given_names, f->surname, f->sex, _("mother"),
			    f->related_id);
		console_doc_add(d, 2, 0, "%s %s · %s", _("record"),
		    f->record_id, sf->received_at);
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(title, sizeof title, _("Facts from institutions: %s"),
	    national_id);
	if ((s = console_doc_screen_new(c, title, d)) != NULL)
		tui_push(c->tui, s);
	return 0;
}
