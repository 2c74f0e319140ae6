/*
 * status.c: "Check my application status", with no identification: the
 * reference from the receipt and the applicant's birth date.  The answer
 * is the state in plain words, the date of each step, what happens next
 * and until when a decision may be appealed, and nothing else.  A wrong
 * reference and a wrong birth date get the same answer from the daemon
 * (NOT_FOUND), and the same words here, so that the screen cannot be used
 * to learn whether a reference exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/applications.pb-c.h"

#include "i18n.h"
#include "apps.h"

#define STATUS_STEPS 2
#define STATUS_REF_LEN 16

enum { STATUS_REF, STATUS_BIRTH, STATUS_NFIELDS };

struct status {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	int step;	     /* 1: the question, 2: the answer */
	int busy;
	struct tui_field fields[STATUS_NFIELDS];
	struct tui_form form;
	char error[KIOSK_MSG_MAX];
	struct kiosk_page page; /* the answer */
	struct tui_hint hints[5];
};

static const char *
status_check_ref(const char *value, void *arg)
{
	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Type the reference from your receipt, such as "
		    "K7QM-2XPA-R.");
	return NULL;
}

static void
status_set_hints(struct status *st)
{
	st->hints[0] = (struct tui_hint){"Enter", st->step == 1 ?
	    N_("Check") : N_("Done")};
	st->hints[1] = (struct tui_hint){"F2", N_("Back")};
	if (st->step == 2) {
		st->hints[2] = (struct tui_hint){"↑ ↓", N_("Scroll")};
		st->hints[3] = (struct tui_hint){"Esc", N_("Leave")};
	} else {
		st->hints[2] = (struct tui_hint){"Esc", N_("Leave")};
		st->hints[3] = (struct tui_hint){NULL, NULL};
	}
	st->hints[4] = (struct tui_hint){NULL, NULL};
}

/* The answer as paragraphs. */
static void
status_fill(struct status *st, const Spis__V1__StatusReply *r)
{
	struct kiosk_page *p = &st->page;

	kiosk_page_clear(p);
	kiosk_page_add(p, TUI_A_NORMAL, 0, _("Application %s"), r->reference);
	kiosk_page_add(p, TUI_A_BOLD, 0, "%s", r->programme_name[0] != '\0' ?
	    r->programme_name : r->programme);
	kiosk_page_add(p, 0, 0, "%s", "");
	kiosk_page_add(p, TUI_A_BOLD, 0, _("Now: %s"),
	    kiosk_state_words(r->state));
	kiosk_page_add(p, 0, 0, "%s", "");
	if (r->n_steps > 0) {
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("What has happened so far:"));
		for (size_t i = 0; i < r->n_steps; i++)
			kiosk_page_add(p, TUI_A_NORMAL, 2, "%s  %s",
			    r->steps[i]->date,
			    kiosk_state_words(r->steps[i]->state));
		kiosk_page_add(p, 0, 0, "%s", "");
	}
	if (r->next_step[0] != '\0') {
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("What happens next:"));
		kiosk_page_add(p, TUI_A_NORMAL, 2, "%s", r->next_step);
		kiosk_page_add(p, 0, 0, "%s", "");
	}
	if (r->appeal_until[0] != '\0') {
		kiosk_page_add(p, TUI_A_BOLD, 0,
		    _("If you disagree with the decision, you may appeal "
		      "until %s."), r->appeal_until);
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("Appeal at a social support office, or here under "
		      "\"My applications\" after identifying yourself."));
	}
}

/* Asks the daemon.  Both values are wiped from the request's copies. */
static void
status_send(struct status *st)
{
	Spis__V1__StatusRequest req = SPIS__V1__STATUS_REQUEST__INIT;
	Spis__V1__StatusReply *r = NULL;
	char typed[STATUS_REF_LEN * 4 + 1], ref[KIOSK_REF_MAX], birth[64];
	char msg[KIOSK_MSG_MAX];
	grpc_status_code code;

	tui_field_value(&st->fields[STATUS_REF], typed, sizeof typed);
	kiosk_reference_norm(typed, ref, sizeof ref);
	tui_field_value(&st->fields[STATUS_BIRTH], birth, sizeof birth);
	/* Show the reference as it was sent, so that a typing mistake can
	 * be seen. */
	tui_field_set(&st->fields[STATUS_REF], ref);
	req.reference = ref;
	req.birth_date = birth;
	st->busy = 1;
	st->error[0] = '\0';
	tui_redraw(st->k->tui);
	/* Applications.GetStatus */
	code = kiosk_call(st->k, &spis__v1__applications__descriptor, 12,
	    &req.base, (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg, sizeof msg);
	explicit_bzero(typed, sizeof typed);
	explicit_bzero(ref, sizeof ref);
	explicit_bzero(birth, sizeof birth);
	st->busy = 0;
	if (code == GRPC_STATUS_NOT_FOUND) {
		snprintf(st->error, sizeof st->error, "%s",
		    _("Nothing matches this reference and birth date. Check "
		      "both and try again; the reference is on your "
		      "receipt."));
		return;
	}
	if (code != GRPC_STATUS_OK) {
		kiosk_status_text(code, msg, st->error, sizeof st->error);
		return;
	}
	status_fill(st, r);
	kiosk_msg_free(&r->base);
	st->step = 2;
	status_set_hints(st);
}

static void
status_back(struct status *st)
{
	if (st->step == 1) {
		tui_pop(st->k->tui);
		return;
	}
	kiosk_page_clear(&st->page);
	st->step = 1;
	st->form.focus = STATUS_REF;
	status_set_hints(st);
}

static int
status_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct status *st = (struct status *)s;

	if (st->busy)
		return 1;
	if (tui_key_is(k, 27, 0)) {
		kiosk_finish(st->k);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		status_back(st);
		return 1;
	}
	if (st->step == 2) {
		if (tui_key_enter(k))
			tui_pop(t);
		else
			kiosk_page_key(&st->page, k);
		return 1;
	}
	if (tui_form_key(&st->form, k) == TUI_FORM_SUBMIT)
		status_send(st);
	return 1;
}

static void
status_draw(struct tui *t, struct tui_screen *s)
{
	struct status *st = (struct status *)s;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, st->step, STATUS_STEPS,
	    st->step == 1 ? _("Check my application status") :
	    _("Your application's status"));
	if (st->step == 2) {
		kiosk_page_draw(t, &st->page, y, 2, end - y, cols - 4);
		return;
	}
	y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
	    _("Type the reference from your receipt and the birth date of "
	      "the person who applied. Press Enter after each.")) + 1;
	tui_form_draw(t, &st->form, y, 2, cols - 4);
	y += tui_form_rows(&st->form) + 1;
	if (st->busy && y < end) {
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	if (st->error[0] != '\0' && y < end)
		y += tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_ERROR,
		    st->error) + 1;
	if (y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("Nothing you type here is kept."));
}

static void
status_wipe(struct tui_screen *s)
{
	struct status *st = (struct status *)s;

	tui_form_wipe(&st->form);
	kiosk_page_clear(&st->page);
	explicit_bzero(st->error, sizeof st->error);
	st->step = 1;
}

static void
status_destroy(struct tui_screen *s)
{
	struct status *st = (struct status *)s;

	kiosk_page_clear(&st->page);
	free(s);
}

struct tui_screen *
kiosk_status_new(struct kiosk *k)
{
	struct status *st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->k = k;
	st->step = 1;
	st->fields[STATUS_REF] = (struct tui_field){.label = N_("Reference"),
	    .maxlen = STATUS_REF_LEN, .validate = status_check_ref};
	st->fields[STATUS_BIRTH] = (struct tui_field){
	    .label = N_("Birth date"), .maxlen = 10,
	    .validate = kiosk_date_check};
	st->form.fields = st->fields;
	st->form.n = STATUS_NFIELDS;
	st->s.draw = status_draw;
	st->s.key = status_key;
	st->s.wipe = status_wipe;
	st->s.destroy = status_destroy;
	st->s.hints = st->hints;
	status_set_hints(st);
	return &st->s;
}
