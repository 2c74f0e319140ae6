/*
 * registrations.c: the registration requests citizens sent from a kiosk
 * (Registrations/ListRegistrations, pending first, the officer's
 * municipality), the selected one in full, and the clerk's two decisions.
 * Accepting is done with the citizen and their identity document at the
 * desk: it opens the register form filled in from the request, to be
 * checked against the document and corrected; once the person is
 * registered the request is linked to them and a kiosk PIN is offered
 * (register.c).  Rejecting asks for a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/registrations.pb-c.h"

#include "console.h"
#include "i18n.h"

#define RQ_PAGES_MAX 100
#define RQ_TOKEN_MAX 64

static const char *const rq_statuses[] = {"pending", "accepted", "rejected",
	"expired", NULL};

struct rq {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	int status;	     /* into rq_statuses */
	Spis__V1__RegistrationList *page;
	struct tui_list list;
	char tokens[RQ_PAGES_MAX][RQ_TOKEN_MAX];
	int page_no;
	char note[512];
	int note_error;
	int rerun;
	char reference[16];  /* the request being decided */
};

static const struct tui_hint rq_hints[] = {
	{"s", N_("Status")},
	{"PgUp/Dn", N_("Pages")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
rq_free(struct rq *q)
{
	if (q->page != NULL)
		protobuf_c_message_free_unpacked(&q->page->base, NULL);
	q->page = NULL;
	q->list.n = q->list.sel = 0;
}

static void
rq_item(size_t i, char *buf, size_t len, void *arg)
{
	struct rq *q = arg;
	const Spis__V1__Registration *r = q->page->registrations[i];
	const Spis__V1__Person *p = r->person;
	char name[256];
	size_t off = 0;

	snprintf(name, sizeof name, "%s, %s", p != NULL ? p->surname : "",
	    p != NULL ? p->given_names : "");
	buf[0] = '\0';
	console_cell(buf, len, &off, r->reference, 9);
	console_cell(buf, len, &off, p != NULL ? p->national_id : "-", 11);
	console_cell(buf, len, &off, name, 28);
	console_cell(buf, len, &off, p != NULL ? p->municipality : "", 3);
	console_cell(buf, len, &off, r->submitted_at, 10);
}

static void
rq_fetch(struct rq *q, int page_no)
{
	Spis__V1__ListRegistrationsRequest req =
	    SPIS__V1__LIST_REGISTRATIONS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];
	int top, rows, cols;

	tui_body(q->c->tui, &top, &rows, &cols);
	req.status = (char *)rq_statuses[q->status];
	req.page_size = rows - 16 < 3 ? 3 : rows - 16;
	req.page_token = q->tokens[page_no];
	st = console_call(q->c, &spis__v1__registrations__descriptor, 1,
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
	rq_free(q);
	q->page = (Spis__V1__RegistrationList *)resp;
	q->list.n = q->page->n_registrations;
	q->page_no = page_no;
	if (page_no + 1 < RQ_PAGES_MAX)
		console_copy(q->tokens[page_no + 1], RQ_TOKEN_MAX,
		    q->page->next_page_token);
}

static const Spis__V1__Registration *
rq_selected(const struct rq *q)
{
	if (q->page == NULL || q->list.n == 0)
		return NULL;
	return q->page->registrations[q->list.sel];
}

/* ------------------------------------------------------------------------
 * Reject.
 */

static const struct console_input reject_inputs[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
reject_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct rq *q = arg;
	Spis__V1__RejectRegistrationRequest req =
	    SPIS__V1__REJECT_REGISTRATION_REQUEST__INIT;
	char reason[CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	console_form_value(f, 0, reason);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.reference = q->reference;
	req.reason = reason;
	st = console_call(c, &spis__v1__registrations__descriptor, 4,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(q->note, sizeof q->note, _("Request %s was rejected."),
	    q->reference);
	q->note_error = 0;
	q->rerun = 1;
	return 0;
}

static void
rq_reject(struct rq *q)
{
	const Spis__V1__Registration *r = rq_selected(q);
	struct tui_screen *d;

	if (r == NULL || strcmp(r->status, "pending") != 0)
		return;
	console_copy(q->reference, sizeof q->reference, r->reference);
	q->note[0] = '\0';
	d = console_dialog_new(q->c, _("Reject the request: why? (the "
	    "citizen may be told)"), reject_inputs, 1, reject_send, NULL, q);
	if (d != NULL)
		tui_push(q->c->tui, d);
}

/* ------------------------------------------------------------------------
 * Accept: the register form, filled in from the request.
 */

static void
rq_accept_confirmed(struct tui *t, int yes, void *arg)
{
	struct rq *q = arg;
	const Spis__V1__Registration *r = rq_selected(q);
	struct tui_screen *form;

	if (!yes || r == NULL)
		return;
	if ((form = console_register_from_request(q->c, r)) != NULL)
		tui_push(t, form);
	q->rerun = 1;
}

static void
rq_accept(struct rq *q)
{
	const Spis__V1__Registration *r = rq_selected(q);
	char text[512];

	if (r == NULL || r->person == NULL || strcmp(r->status, "pending") != 0)
		return;
	q->note[0] = '\0';
	snprintf(text, sizeof text, _("Is the citizen here with an identity "
	    "document showing %s %s, personal code %s? The register form "
	    "opens filled in from the request: check each field against the "
	    "document."), r->person->given_names, r->person->surname,
	    r->person->national_id);
	tui_confirm(q->c->tui, text, rq_accept_confirmed, q);
}

/* ------------------------------------------------------------------------
 * The screen.
 */

static int
rq_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct rq *q = (struct rq *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(q->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (q->page != NULL && q->page->next_page_token[0] != '\0' &&
		    q->page_no + 1 < RQ_PAGES_MAX)
			rq_fetch(q, q->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (q->page_no > 0)
			rq_fetch(q, q->page_no - 1);
		return 1;
	}
	if (k.fn)
		return tui_list_key(&q->list, k);
	switch (k.c) {
	case 's':
		q->status = rq_statuses[q->status + 1] != NULL ?
		    q->status + 1 : 0;
		q->tokens[0][0] = '\0';
		q->note[0] = '\0';
		rq_fetch(q, 0);
		return 1;
	case 'a':
		rq_accept(q);
		return 1;
	case 'x':
		rq_reject(q);
		return 1;
	}
	return 0;
}

static void
rq_tick(struct tui *t, struct tui_screen *s)
{
	struct rq *q = (struct rq *)s;

	(void)t;
	if (q->rerun && q->c->sess.active) {
		q->rerun = 0;
		rq_fetch(q, q->page_no);
	}
}

static int
rq_row(struct tui *t, int y, int cols, const char *label, const char *value)
{
	tui_put(t, y, 2, 14, 0, label);
	tui_put(t, y, 17, cols - 19, TUI_A_BOLD, value);
	return y + 1;
}

static void
rq_draw(struct tui *t, struct tui_screen *s)
{
	struct rq *q = (struct rq *)s;
	const Spis__V1__Registration *r;
	const Spis__V1__Person *p;
	const struct municipality *m;
	char line[512];
	int top, rows, cols, y, end, n;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Registration requests: %s"),
	    rq_statuses[q->status]);
	y += 2;
	if (q->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 1,
		    q->note_error ? TUI_A_ERROR : TUI_A_BOLD, q->note);
	if (q->page == NULL)
		return;
	if (q->page->n_registrations == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No requests."));
		return;
	}
	snprintf(line, sizeof line, "  %-9s %-11s %-28s %-3s %s",
	    _("Reference"), _("ID"), _("Name"), _("Mun."), _("Sent"));
	tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
	n = end - y - 12;
	if (n < 2)
		n = 2;
	tui_list_draw(t, &q->list, y, 2, n, cols - 4);
	y += n + 1;
	r = rq_selected(q);
	if (r == NULL || (p = r->person) == NULL)
		return;
	snprintf(line, sizeof line, "%s %s · %s · %s %s", p->given_names,
	    p->surname, p->national_id, _("born"), p->birth_date);
	y = rq_row(t, y, cols, _("Person"), line);
	m = municipality_find(p->municipality);
	snprintf(line, sizeof line, "%s · %s %s", p->address, p->municipality,
	    m != NULL ? m->name : "");
	y = rq_row(t, y, cols, _("Address"), line);
	snprintf(line, sizeof line, "%s · %s %s · %s %s",
	    p->phone[0] != '\0' ? p->phone : "-", _("sex"), p->sex,
	    _("language"), p->language);
	y = rq_row(t, y, cols, _("Contacts"), line);
	snprintf(line, sizeof line, "%s · %s%s%s", r->submitted_at,
	    r->terminal, r->assisted_by[0] != '\0' ? _(", helped by ") : "",
	    r->assisted_by);
	y = rq_row(t, y, cols, _("Sent"), line);
	if (strcmp(r->status, "pending") == 0) {
		y = rq_row(t, y, cols, _("Expires"), r->expires_at);
		if (q->c->sess.can_write)
			tui_put(t, y + 1, 2, cols - 4, 0, _("a Accept: register "
			    "with the identity document · x Reject"));
	} else {
		snprintf(line, sizeof line, "%s %s %s%s%s", r->status,
		    r->resolved_at, r->resolved_by, r->reason[0] != '\0' ?
		    " · " : "", r->reason);
		y = rq_row(t, y, cols, _("Decision"), line);
	}
}

static void
rq_wipe(struct tui_screen *s)
{
	struct rq *q = (struct rq *)s;

	rq_free(q);
	explicit_bzero(q->tokens, sizeof q->tokens);
	explicit_bzero(q->note, sizeof q->note);
}

static void
rq_destroy(struct tui_screen *s)
{
	struct rq *q = (struct rq *)s;

	rq_free(q);
	free(q);
}

struct tui_screen *
console_registrations_new(struct console *c)
{
	struct rq *q;

	if ((q = calloc(1, sizeof *q)) == NULL)
		return NULL;
	q->c = c;
	q->list.item = rq_item;
	q->list.arg = q;
	q->rerun = 1;
	q->s.draw = rq_draw;
	q->s.key = rq_key;
	q->s.tick = rq_tick;
	q->s.wipe = rq_wipe;
	q->s.destroy = rq_destroy;
	q->s.hints = rq_hints;
	return &q->s;
}
