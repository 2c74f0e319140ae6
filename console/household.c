/*
 * household.c: a household (Households/GetHousehold) with its members,
 * their relationship to the head and dates, and its former members; and
 * the changes made to it, each with a reason: create one for a person who
 * has none, add, move or remove a member, change the head.  The daemon
 * keeps the rules (one head, no overlapping memberships) and its refusal is
 * shown in its words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "check.h"
#include "municipality.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

struct household {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char hid[64];
	char person[32];	/* whose card led here */
	char address[256];	/* theirs, for a new household */
	char municipality[16];
	char purpose[32];
	Spis__V1__Household *h;
	struct tui_list list;	/* current members, then former ones */
	char note[512];
	int note_error;
	int rerun;
};

static const char *const hh_relationships[] = {"spouse", "partner", "child",
	"parent", "sibling", "grandchild", "grandparent", "other_relative",
	"other", NULL};

static const struct tui_hint household_hints[] = {
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
household_free(struct household *hh)
{
	if (hh->h != NULL)
		protobuf_c_message_free_unpacked(&hh->h->base, NULL);
	hh->h = NULL;
	hh->list.n = hh->list.sel = 0;
}

/* Row i of the list: a current member, or a former one after them. */
static const Spis__V1__Member *
household_member(const struct household *hh, size_t i, int *former)
{
	*former = i >= hh->h->n_members;
	return *former ? hh->h->former[i - hh->h->n_members] :
	    hh->h->members[i];
}

static void
household_item(size_t i, char *buf, size_t len, void *arg)
{
	struct household *hh = arg;
	const Spis__V1__Member *m;
	char name[256];
	int former;
	size_t off = 0;

	m = household_member(hh, i, &former);
	snprintf(name, sizeof name, "%s %s", m->given_names, m->surname);
	buf[0] = '\0';
	console_cell(buf, len, &off, m->relationship, 14);
	console_cell(buf, len, &off, m->national_id, 11);
	console_cell(buf, len, &off, name, 24);
	console_cell(buf, len, &off, m->from_date, 10);
	console_cell(buf, len, &off, m->to_date[0] != '\0' ? m->to_date : "-",
	    10);
	console_cell(buf, len, &off, former ? _("(former)") : "", 10);
}

static void
household_fetch(struct household *hh)
{
	Spis__V1__GetHouseholdRequest req =
	    SPIS__V1__GET_HOUSEHOLD_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	if (hh->hid[0] == '\0')
		return;
	req.household_id = hh->hid;
	req.purpose = hh->purpose;
	st = console_call(hh->c, &spis__v1__households__descriptor, 5,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		hh->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, hh->note, sizeof hh->note);
		hh->note_error = 1;
		return;
	}
	household_free(hh);
	hh->h = (Spis__V1__Household *)resp;
	hh->list.n = hh->h->n_members + hh->h->n_former;
}

/*
 * After a change the daemon answers with the household as it now is; the
 * screen reads it again in full (with its former members).  A call that
 * failed leaves err with the daemon's words.
 */
static int
household_answer(struct household *hh, grpc_status_code st,
    ProtobufCMessage *resp, const char *msg, char *err, size_t errlen,
    const char *done)
{
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	console_copy(hh->hid, sizeof hh->hid,
	    ((Spis__V1__Household *)resp)->id);
	protobuf_c_message_free_unpacked(resp, NULL);
	console_copy(hh->note, sizeof hh->note, done);
	hh->note_error = 0;
	hh->rerun = 1;
	return 0;
}

/* The member selected, or NULL (none, or a former one). */
static const Spis__V1__Member *
household_selected(struct household *hh)
{
	const Spis__V1__Member *m;
	int former;

	if (hh->h == NULL || hh->list.n == 0)
		return NULL;
	m = household_member(hh, hh->list.sel, &former);
	return former ? NULL : m;
}

/* ------------------------------------------------------------------------
 * The changes.  Each dialog's first field carries what the change is
 * about, so the daemon's message naming it lands there.
 */

static const struct console_input create_inputs[] = {
	{"head_national_id", N_("Head (national ID)"), 20, 1, NULL, 0, 0,
	    NULL},
	{"address", N_("Address"), 128, 1, NULL, 0, 0, NULL},
	{"municipality", N_("Municipality"), 4, 1, NULL, 1, 0, NULL},
	{"from_date", N_("From (empty: today)"), 10, 0, NULL, 0, 1, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
create_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct household *hh = arg;
	Spis__V1__CreateHouseholdRequest req =
	    SPIS__V1__CREATE_HOUSEHOLD_REQUEST__INIT;
	char v[5][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 5; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.head_national_id = v[0];
	req.address = v[1];
	req.municipality = v[2];
	req.from_date = v[3];
	req.reason = v[4];
	st = console_call(c, &spis__v1__households__descriptor, 0, &req.base,
	    &resp, msg, sizeof msg);
	return household_answer(hh, st, resp, msg, err, errlen,
	    _("The household was created."));
}

static const struct console_input add_inputs[] = {
	{"national_id", N_("Member (national ID)"), 20, 1, NULL, 0, 0, NULL},
	{"relationship", N_("Relationship to the head"), 14, 1,
	    hh_relationships, 0, 0, NULL},
	{"from_date", N_("From"), 10, 1, NULL, 0, 1, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
add_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct household *hh = arg;
	Spis__V1__AddMemberRequest req = SPIS__V1__ADD_MEMBER_REQUEST__INIT;
	char v[4][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 4; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.household_id = hh->hid;
	req.national_id = v[0];
	req.relationship = v[1];
	req.from_date = v[2];
	req.reason = v[3];
	st = console_call(c, &spis__v1__households__descriptor, 1, &req.base,
	    &resp, msg, sizeof msg);
	return household_answer(hh, st, resp, msg, err, errlen,
	    _("The member was added."));
}

static const struct console_input move_inputs[] = {
	{"national_id", N_("Member (national ID)"), 20, 1, NULL, 0, 0, NULL},
	{"to_household_id", N_("To household"), 40, 1, NULL, 0, 0, NULL},
	{"relationship", N_("Relationship there"), 14, 1, hh_relationships, 0,
	    0, NULL},
	{"date", N_("Date"), 10, 1, NULL, 0, 1, NULL},
	{"new_head_national_id", N_("New head here (ID)"), 20, 0, NULL, 0, 0,
	    NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
move_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct household *hh = arg;
	Spis__V1__MoveMemberRequest req = SPIS__V1__MOVE_MEMBER_REQUEST__INIT;
	char v[6][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 6; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.national_id = v[0];
	req.to_household_id = v[1];
	req.relationship = v[2];
	req.date = v[3];
	req.new_head_national_id = v[4];
	req.reason = v[5];
	st = console_call(c, &spis__v1__households__descriptor, 2, &req.base,
	    &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK)
		return household_answer(hh, st, resp, msg, err, errlen, "");
	/* The answer is the new household; this one is read again. */
	protobuf_c_message_free_unpacked(resp, NULL);
	console_copy(hh->note, sizeof hh->note, _("The member was moved."));
	hh->note_error = 0;
	hh->rerun = 1;
	return 0;
}

static const struct console_input remove_inputs[] = {
	{"national_id", N_("Member (national ID)"), 20, 1, NULL, 0, 0, NULL},
	{"to_date", N_("Leaves on"), 10, 1, NULL, 0, 1, NULL},
	{"new_head_national_id", N_("New head (ID)"), 20, 0, NULL, 0, 0,
	    NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
remove_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct household *hh = arg;
	Spis__V1__RemoveMemberRequest req =
	    SPIS__V1__REMOVE_MEMBER_REQUEST__INIT;
	char v[4][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 4; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.household_id = hh->hid;
	req.national_id = v[0];
	req.to_date = v[1];
	req.new_head_national_id = v[2];
	req.reason = v[3];
	st = console_call(c, &spis__v1__households__descriptor, 3, &req.base,
	    &resp, msg, sizeof msg);
	return household_answer(hh, st, resp, msg, err, errlen,
	    _("The member was removed."));
}

static const struct console_input head_inputs[] = {
	{"national_id", N_("New head (national ID)"), 20, 1, NULL, 0, 0, NULL},
	{"old_head_relationship", N_("The old head becomes"), 14, 1,
	    hh_relationships, 0, 0, NULL},
	{"date", N_("Date"), 10, 1, NULL, 0, 1, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
head_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct household *hh = arg;
	Spis__V1__ChangeHeadRequest req = SPIS__V1__CHANGE_HEAD_REQUEST__INIT;
	char v[4][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 4; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.household_id = hh->hid;
	req.national_id = v[0];
	req.old_head_relationship = v[1];
	req.date = v[2];
	req.reason = v[3];
	st = console_call(c, &spis__v1__households__descriptor, 4, &req.base,
	    &resp, msg, sizeof msg);
	return household_answer(hh, st, resp, msg, err, errlen,
	    _("The head was changed."));
}

/* Pushes a dialog with field 0 filled with first (may be NULL). */
static void
household_dialog(struct household *hh, const char *title,
    const struct console_input *in, int n, console_submit_fn send,
    const char *first)
{
	struct tui_screen *d;
	char today[16];

	if ((d = console_dialog_new(hh->c, title, in, n, send, NULL, hh)) ==
	    NULL)
		return;
	if (first != NULL)
		console_form_set(console_dialog_form(d), 0, first);
	/* Dates start at today, the usual answer. */
	check_today(today, sizeof today);
	for (int i = 1; i < n; i++)
		if (in[i].date && in[i].required)
			console_form_set(console_dialog_form(d), i, today);
	hh->note[0] = '\0';
	tui_push(hh->c->tui, d);
}

static int
household_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct household *hh = (struct household *)s;
	const Spis__V1__Member *m = household_selected(hh);
	struct tui_screen *d;
	struct console_form *f;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(hh->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (k.fn || !hh->c->sess.can_write)
		return tui_list_key(&hh->list, k);
	switch (k.c) {
	case 'n':
		if (hh->hid[0] != '\0')
			return 1;
		d = console_dialog_new(hh->c, _("Create a household"),
		    create_inputs, 5, create_send, NULL, hh);
		if (d == NULL)
			return 1;
		f = console_dialog_form(d);
		console_form_set(f, 0, hh->person);
		console_form_set(f, 1, hh->address);
		console_form_set(f, 2, hh->municipality);
		hh->note[0] = '\0';
		tui_push(t, d);
		return 1;
	case 'a':
		if (hh->h != NULL)
			household_dialog(hh, _("Add a member"), add_inputs, 4,
			    add_send, NULL);
		return 1;
	case 'm':
		if (m != NULL)
			household_dialog(hh, _("Move a member to another "
			    "household"), move_inputs, 6, move_send,
			    m->national_id);
		return 1;
	case 'x':
		if (m != NULL)
			household_dialog(hh, _("Remove a member"),
			    remove_inputs, 4, remove_send, m->national_id);
		return 1;
	case 'h':
		if (m != NULL)
			household_dialog(hh, _("Change the head"), head_inputs,
			    4, head_send, m->national_id);
		return 1;
	}
	return 0;
}

static void
household_tick(struct tui *t, struct tui_screen *s)
{
	struct household *hh = (struct household *)s;

	(void)t;
	if (hh->rerun && hh->c->sess.active) {
		hh->rerun = 0;
		household_fetch(hh);
	}
}

static void
household_draw(struct tui *t, struct tui_screen *s)
{
	struct household *hh = (struct household *)s;
	const struct municipality *mu;
	char line[512];
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (hh->hid[0] == '\0') {
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD,
		    _("%s is in no household."), hh->person);
		if (hh->c->sess.can_write)
			tui_put(t, y + 2, 2, cols - 4, 0,
			    _("n  Create a household headed by them"));
	} else if (hh->h != NULL) {
		mu = municipality_find(hh->h->municipality);
		tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("Household %s"),
		    hh->h->id);
		tui_putf(t, y++, 2, cols - 4, 0, "%s · %s %s", hh->h->address,
		    hh->h->municipality, mu != NULL ? mu->name : "");
		y++;
		snprintf(line, sizeof line, "  %-14s %-11s %-24s %-10s %-10s",
		    _("Relationship"), _("ID"), _("Name"), _("From"), _("To"));
		tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
		tui_list_draw(t, &hh->list, y, 2, end - y - 4, cols - 4);
		if (hh->c->sess.can_write) {
			tui_put(t, end - 2, 2, cols - 4, 0,
			    _("a Add a member · m Move · x Remove · "
			    "h Make head (the selected member)"));
		}
	}
	if (hh->note[0] != '\0')
		tui_wrap(t, end - 3, 2, cols - 4, 1,
		    hh->note_error ? TUI_A_ERROR : TUI_A_BOLD, hh->note);
}

static void
household_wipe(struct tui_screen *s)
{
	struct household *hh = (struct household *)s;

	household_free(hh);
	explicit_bzero(hh->note, sizeof hh->note);
	explicit_bzero(hh->address, sizeof hh->address);
}

static void
household_destroy(struct tui_screen *s)
{
	struct household *hh = (struct household *)s;

	household_free(hh);
	free(hh);
}

struct tui_screen *
console_household_new(struct console *c, const char *household_id,
    const char *national_id, const char *address, const char *municipality,
    const char *purpose)
{
	struct household *hh;

	if ((hh = calloc(1, sizeof *hh)) == NULL)
		return NULL;
	hh->c = c;
	console_copy(hh->hid, sizeof hh->hid, household_id);
	console_copy(hh->person, sizeof hh->person, national_id);
	console_copy(hh->address, sizeof hh->address, address);
	console_copy(hh->municipality, sizeof hh->municipality, municipality);
	console_copy(hh->purpose, sizeof hh->purpose, purpose);
	hh->list.item = household_item;
	hh->list.arg = hh;
	hh->rerun = 1;
	hh->s.draw = household_draw;
	hh->s.key = household_key;
	hh->s.tick = household_tick;
	hh->s.wipe = household_wipe;
	hh->s.destroy = household_destroy;
	hh->s.hints = household_hints;
	return &hh->s;
}
