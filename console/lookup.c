/*
 * lookup.c: the helpdesk's answer to "where is my application?"  The
 * caller gives the reference and their birth date, as a citizen would at a
 * kiosk, and the helpdesk sees what the citizen would (the state, the date
 * of each step, what happens next) and the municipality handling it
 * (Applications/GetStatusForHelpdesk); nothing else about the person.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/applications.pb-c.h"

#include "console.h"
#include "i18n.h"

enum { LOOKUP_REF, LOOKUP_BIRTH, LOOKUP_NFIELDS };

static const struct console_input lookup_inputs[LOOKUP_NFIELDS] = {
	{"reference", N_("Reference"), 16, 1, NULL, 0, 0, NULL},
	{"birth_date", N_("Birth date"), 10, 1, NULL, 0, 1, NULL},
};

struct lookup {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct console_form form;
	Spis__V1__StatusReply *reply;
	char note[512];
};

static const struct tui_hint lookup_hints[] = {
	{"Enter", N_("Look up")},
	{"Tab", N_("Next field")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
lookup_free(struct lookup *l)
{
	if (l->reply != NULL)
		protobuf_c_message_free_unpacked(&l->reply->base, NULL);
	l->reply = NULL;
}

static void
lookup_fetch(struct lookup *l)
{
	Spis__V1__StatusRequest req = SPIS__V1__STATUS_REQUEST__INIT;
	char v[LOOKUP_NFIELDS][CONSOLE_VALUE_MAX], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	lookup_free(l);
	l->note[0] = '\0';
	if (console_form_check(&l->form) != 0)
		return;
	for (int i = 0; i < LOOKUP_NFIELDS; i++)
		console_form_value(&l->form, i, v[i]);
	req.reference = v[LOOKUP_REF];
	req.birth_date = v[LOOKUP_BIRTH];
	st = console_call(l->c, &spis__v1__applications__descriptor, 13,
	    &req.base, &resp, msg, sizeof msg);
	explicit_bzero(v, sizeof v);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, l->note, sizeof l->note);
		console_form_server_error(&l->form, msg);
		return;
	}
	l->reply = (Spis__V1__StatusReply *)resp;
}

static int
lookup_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct lookup *l = (struct lookup *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(l->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (l->form.focus < LOOKUP_NFIELDS - 1) {
			console_form_key(&l->form, TUI_CHAR('\t'));
			return 1;
		}
		tui_redraw(t);
		lookup_fetch(l);
		return 1;
	}
	return console_form_key(&l->form, k);
}

static void
lookup_draw(struct tui *t, struct tui_screen *s)
{
	struct lookup *l = (struct lookup *)s;
	const Spis__V1__StatusReply *r = l->reply;
	const struct municipality *m;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Application status"));
	tui_put(t, y, 2, cols - 4, 0, _("The reference and the applicant's "
	    "birth date, as the caller gives them."));
	y += 2;
	y += console_form_draw(t, &l->form, y, 2, cols - 4, 0) + 1;
	if (l->note[0] != '\0')
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_ERROR, l->note) + 1;
	if (r != NULL) {
		tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, "%s · %s (%s)",
		    r->reference, r->programme_name, r->programme);
		tui_putf(t, y++, 2, cols - 4, 0, "%-16s %s", _("State"),
		    r->state);
		m = municipality_find(r->municipality);
		tui_putf(t, y++, 2, cols - 4, 0, "%-16s %s %s",
		    _("Municipality"), r->municipality, m != NULL ? m->name : "");
		if (r->appeal_until[0] != '\0')
			tui_putf(t, y++, 2, cols - 4, 0, "%-16s %s",
			    _("Appeal until"), r->appeal_until);
		tui_putf(t, y++, 2, cols - 4, 0, "%-16s", _("Steps"));
		for (size_t i = 0; i < r->n_steps && y < end - 3; i++)
			tui_putf(t, y++, 4, cols - 6, 0, "%s  %s",
			    r->steps[i]->date, r->steps[i]->state);
		y++;
		tui_putf(t, y++, 2, cols - 4, 0, "%-16s", _("Next step"));
		tui_wrap(t, y, 4, cols - 6, end - y, 0,
		    r->next_step[0] != '\0' ? r->next_step : "-");
	}
	/* The cursor goes back to the focused field. */
	console_form_draw(t, &l->form, top + 4, 2, cols - 4, 1);
}

static void
lookup_wipe(struct tui_screen *s)
{
	struct lookup *l = (struct lookup *)s;

	lookup_free(l);
	console_form_wipe(&l->form);
	explicit_bzero(l->note, sizeof l->note);
}

static void
lookup_destroy(struct tui_screen *s)
{
	struct lookup *l = (struct lookup *)s;

	lookup_free(l);
	free(l);
}

struct tui_screen *
console_lookup_new(struct console *c)
{
	struct lookup *l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->c = c;
	console_form_init(&l->form, lookup_inputs, LOOKUP_NFIELDS, l);
	l->s.draw = lookup_draw;
	l->s.key = lookup_key;
	l->s.wipe = lookup_wipe;
	l->s.destroy = lookup_destroy;
	l->s.hints = lookup_hints;
	return &l->s;
}
