/*
 * myapps.c: "My applications", for the identified citizen: each
 * application with its state in plain words, newest first; Enter opens
 * one (its steps with their dates, the latest decision and its reasons,
 * and the last day to appeal); while that day has not passed, the citizen
 * may appeal the decision with a reason.  The appeal is sent with a
 * request_id made when its form opens, so that a retry does not appeal
 * twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "check.h"
#include "spis/v1/citizen.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "i18n.h"
#include "apps.h"

#define MY_TRIES 3   /* automatic tries of one appeal */
#define MY_PAUSE_S 1 /* between them */

enum my_view {
	MY_LIST,
	MY_ONE,
	MY_APPEAL,
	MY_DONE,
};

struct myapps {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum my_view view;
	int loaded;
	int busy;
	char error[KIOSK_MSG_MAX];

	Spis__V1__ApplicationList *apps;
	Spis__V1__ProgrammeList *progs; /* for the programmes' names */
	struct tui_list list;
	struct kiosk_page page; /* the application opened */
	int can_appeal;		/* the one opened */

	struct tui_field reason;
	char request_id[40];
	char done[KIOSK_MSG_MAX]; /* what the appeal did */

	struct tui_hint hints[6];
};

static const Spis__V1__Application *
my_chosen(const struct myapps *m)
{
	if (m->apps == NULL || m->list.sel >= m->apps->n_applications)
		return NULL;
	return m->apps->applications[m->list.sel];
}

/* A programme's name in the language on show, or its code when the
 * catalogue could not be read. */
static const char *
my_programme(const struct myapps *m, const char *code)
{
	if (m->progs != NULL)
		for (size_t i = 0; i < m->progs->n_programmes; i++)
			if (strcmp(m->progs->programmes[i]->code, code) == 0)
				return kiosk_programme_name(
				    m->progs->programmes[i]);
	return code;
}

/* The columns of the list; the state's words are padded to the widest
 * so that the programmes line up. */
static void
my_columns(const struct myapps *m, const char *ref, const char *date,
    const char *state, const char *prog, char *buf, size_t len)
{
	int w = 0, sw;

	for (size_t i = 0; m->apps != NULL && i < m->apps->n_applications;
	    i++)
		if ((sw = tui_text_width(kiosk_state_words(
		    m->apps->applications[i]->state))) > w)
			w = sw;
	if ((sw = tui_text_width(state)) > w)
		w = sw;
	snprintf(buf, len, "%-12s %-10.10s  %s%*s  %s", ref, date, state,
	    w - tui_text_width(state), "", prog);
}

static void
my_item(size_t i, char *buf, size_t len, void *arg)
{
	struct myapps *m = arg;
	const Spis__V1__Application *a;

	if (m->apps == NULL || i >= m->apps->n_applications)
		return;
	a = m->apps->applications[i];
	my_columns(m, a->reference, a->submitted_at,
	    kiosk_state_words(a->state), my_programme(m, a->programme), buf,
	    len);
}

static const char *
my_check_reason(const char *value, void *arg)
{
	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Say in a few words why you disagree.");
	return NULL;
}

static void
my_set_hints(struct myapps *m)
{
	int i = 0;

	switch (m->view) {
	case MY_LIST:
		m->hints[i++] = (struct tui_hint){"Enter", N_("Open")};
		break;
	case MY_ONE:
		if (m->can_appeal)
			m->hints[i++] = (struct tui_hint){"1",
			    N_("Appeal the decision")};
		m->hints[i++] = (struct tui_hint){"↑ ↓", N_("Scroll")};
		break;
	case MY_APPEAL:
		m->hints[i++] = (struct tui_hint){"Enter",
		    N_("Send the appeal")};
		break;
	case MY_DONE:
		m->hints[i++] = (struct tui_hint){"Enter", N_("Done")};
		break;
	}
	m->hints[i++] = (struct tui_hint){"F2", N_("Back")};
	m->hints[i++] = (struct tui_hint){"Esc", m->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	m->hints[i] = (struct tui_hint){NULL, NULL};
}

static void
my_go(struct myapps *m, enum my_view view)
{
	m->view = view;
	m->error[0] = '\0';
	if (view == MY_APPEAL) {
		tui_field_wipe(&m->reason);
		kiosk_request_id(m->request_id, sizeof m->request_id);
	}
	my_set_hints(m);
}

/* The YYYY-MM-DD at the start of an instant or a date. */
static void
my_date(const char *at, char *buf, size_t len)
{
	snprintf(buf, len, "%.10s", at);
}

/* Whether the latest decision of a may still be appealed today. */
static int
my_appealable(const Spis__V1__Application *a)
{
	char today[16];

	if (strcmp(a->state, "approved") != 0 &&
	    strcmp(a->state, "rejected") != 0)
		return 0;
	if (!check_date(a->appeal_until, NULL, NULL, NULL))
		return 0;
	check_today(today, sizeof today);
	return strcmp(today, a->appeal_until) <= 0;
}

/* Opens the chosen application as a page. */
static void
my_open(struct myapps *m)
{
	const Spis__V1__Application *a = my_chosen(m);
	struct kiosk_page *p = &m->page;
	char date[16], money[KIOSK_MONEY_MAX];

	if (a == NULL)
		return;
	kiosk_page_clear(p);
	kiosk_page_add(p, TUI_A_NORMAL, 0, _("Application %s"),
	    a->reference);
	kiosk_page_add(p, TUI_A_BOLD, 0, "%s", my_programme(m, a->programme));
	kiosk_page_add(p, 0, 0, "%s", "");
	kiosk_page_add(p, TUI_A_BOLD, 0, _("Now: %s"),
	    kiosk_state_words(a->state));
	kiosk_page_add(p, 0, 0, "%s", "");
	if (a->n_transitions > 0) {
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("What has happened so far:"));
		for (size_t i = 0; i < a->n_transitions; i++) {
			my_date(a->transitions[i]->at, date, sizeof date);
			kiosk_page_add(p, TUI_A_NORMAL, 2, "%s  %s", date,
			    kiosk_state_words(a->transitions[i]->to_state));
		}
		kiosk_page_add(p, 0, 0, "%s", "");
	}
	if (a->n_decisions > 0) {
		const Spis__V1__Decision *d = a->decisions[0];

		my_date(d->decided_at, date, sizeof date);
		kiosk_page_add(p, TUI_A_BOLD, 0, _("The decision of %s: %s"),
		    date, kiosk_state_words(d->outcome));
		if (strcmp(d->outcome, "approved") == 0) {
			kiosk_money_text(d->amount, d->currency, money,
			    sizeof money);
			kiosk_page_add(p, TUI_A_NORMAL, 2, _("Amount: %s"),
			    money);
		}
		/* The explanation is the rules' words for the citizen; the
		 * officer's own note stays in the office. */
		if (d->explanation[0] != '\0')
			kiosk_page_add(p, TUI_A_NORMAL, 2, _("Why: %s"),
			    d->explanation);
		kiosk_page_add(p, 0, 0, "%s", "");
	}
	m->can_appeal = my_appealable(a);
	if (m->can_appeal)
		kiosk_page_add(p, TUI_A_BOLD, 0,
		    _("If you disagree with the decision, you may appeal "
		      "until %s: press 1."), a->appeal_until);
	else if (a->appeal_until[0] != '\0' &&
	    (strcmp(a->state, "approved") == 0 ||
	    strcmp(a->state, "rejected") == 0))
		kiosk_page_add(p, TUI_A_NORMAL, 0,
		    _("The last day to appeal was %s."), a->appeal_until);
	my_go(m, MY_ONE);
}

/* Citizen.ListMyApplications, and the catalogue (public) for the
 * programmes' names once.  Returns 1 when the screen has left the
 * stack. */
static int
my_load(struct myapps *m)
{
	Spis__V1__ListMyApplicationsRequest req =
	    SPIS__V1__LIST_MY_APPLICATIONS_REQUEST__INIT;
	Spis__V1__ListProgrammesRequest preq =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	char msg[KIOSK_MSG_MAX];
	grpc_status_code st;

	kiosk_msg_free(m->apps != NULL ? &m->apps->base : NULL);
	m->apps = NULL;
	m->list.n = 0;
	m->busy = 1;
	tui_redraw(m->k->tui);
	st = kiosk_call(m->k, &spis__v1__citizen__descriptor, 8, &req.base,
	    (ProtobufCMessage **)&m->apps, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	m->busy = 0;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, m->error, sizeof m->error);
		return 0;
	}
	/* Without the names the codes are shown: not worth an error. */
	preq.include_closed = 1;
	if (m->progs == NULL && kiosk_call(m->k,
	    &spis__v1__programmes__descriptor, 0, &preq.base,
	    (ProtobufCMessage **)&m->progs, KIOSK_CALL_MS, msg, sizeof msg) ==
	    GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	m->loaded = 1;
	m->list.n = m->apps->n_applications;
	if (m->list.sel >= m->list.n)
		m->list.sel = 0;
	return 0;
}

/* Citizen.AppealMine with the reason typed.  Returns 1 when the screen
 * has left the stack. */
static int
my_appeal(struct myapps *m)
{
	Spis__V1__MyApplicationRequest req =
	    SPIS__V1__MY_APPLICATION_REQUEST__INIT;
	const Spis__V1__Application *a = my_chosen(m);
	Spis__V1__Application *r = NULL;
	char reason[TUI_FIELD_MAX * 4 + 1], ref[KIOSK_REF_MAX];
	char msg[KIOSK_MSG_MAX];
	grpc_status_code st = GRPC_STATUS_UNAVAILABLE;

	if (a == NULL)
		return 0;
	kiosk_copy(ref, sizeof ref, a->reference);
	tui_field_value(&m->reason, reason, sizeof reason);
	req.request_id = m->request_id;
	req.reference = ref;
	req.reason = reason;
	m->busy = 1;
	m->error[0] = '\0';
	for (int i = 0; i < MY_TRIES; i++) {
		tui_redraw(m->k->tui);
		/* Citizen.AppealMine */
		st = kiosk_call(m->k, &spis__v1__citizen__descriptor, 10,
		    &req.base, (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg,
		    sizeof msg);
		if (st == GRPC_STATUS_UNAUTHENTICATED) {
			explicit_bzero(reason, sizeof reason);
			explicit_bzero(ref, sizeof ref);
			return 1;
		}
		if (st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED)
			break;
		if (i + 1 < MY_TRIES)
			nanosleep(&(struct timespec){MY_PAUSE_S, 0}, NULL);
	}
	explicit_bzero(reason, sizeof reason);
	explicit_bzero(ref, sizeof ref);
	m->busy = 0;
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAVAILABLE ||
		    st == GRPC_STATUS_DEADLINE_EXCEEDED)
			snprintf(m->error, sizeof m->error, "%s",
			    _("Cannot reach the SPIS server just now. Press "
			      "Enter to try again: the appeal will not be "
			      "sent twice."));
		else
			kiosk_status_text(st, msg, m->error, sizeof m->error);
		return 0;
	}
	snprintf(m->done, sizeof m->done,
	    _("Your appeal of application %s was sent. Now: %s. A social "
	      "worker looks at the application again, and you get a letter "
	      "with the new decision."), r->reference,
	    kiosk_state_words(r->state));
	kiosk_msg_free(&r->base);
	my_go(m, MY_DONE);
	return 0;
}

static void
my_send(struct tui *t, int yes, void *arg)
{
	struct myapps *m = arg;

	(void)t;
	if (yes)
		my_appeal(m);
}

static int
my_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct myapps *m = (struct myapps *)s;

	if (m->busy)
		return 1;
	if (tui_key_is(k, 27, 0)) {
		kiosk_finish(m->k);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		if (m->view == MY_LIST)
			tui_pop(t);
		else if (m->view == MY_APPEAL)
			my_go(m, MY_ONE);
		else
			my_go(m, MY_LIST);
		return 1;
	}
	switch (m->view) {
	case MY_LIST:
		if (tui_key_enter(k) && !m->loaded)
			m->error[0] = '\0'; /* the tick reads again */
		else if (tui_key_enter(k))
			my_open(m);
		else
			tui_list_key(&m->list, k);
		break;
	case MY_ONE:
		if (tui_key_is(k, '1', 0) && m->can_appeal)
			my_go(m, MY_APPEAL);
		else
			kiosk_page_key(&m->page, k);
		break;
	case MY_APPEAL:
		if (tui_key_enter(k)) {
			if (tui_field_check(&m->reason) == 0)
				tui_confirm(t, _("Send this appeal now?"),
				    my_send, m);
		} else
			tui_field_key(&m->reason, k);
		break;
	case MY_DONE:
		if (tui_key_enter(k)) {
			my_go(m, MY_LIST);
			m->loaded = 0; /* the tick reads the new state */
		}
		break;
	}
	return 1;
}

static void
my_tick(struct tui *t, struct tui_screen *s)
{
	struct myapps *m = (struct myapps *)s;

	(void)t;
	if (m->view == MY_LIST && !m->loaded && m->error[0] == '\0')
		my_load(m);
}

static void
my_draw_list(struct tui *t, struct myapps *m, int y, int end, int cols)
{
	char head[512];

	if (!m->loaded)
		return;
	if (m->apps->n_applications == 0) {
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("You have no applications yet. Choose \"Apply for "
		      "support\" in the menu to make one."));
		return;
	}
	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Your applications, newest first. Choose one with ↑ ↓ and "
	      "press Enter to see it.")) + 1;
	my_columns(m, _("Reference"), _("Applied"), _("Now"), _("Programme"),
	    head, sizeof head);
	tui_put(t, y++, 6, cols - 8, TUI_A_UNDERLINE, head);
	tui_list_draw(t, &m->list, y, 4, end - y, cols - 8);
}

static void
my_draw(struct tui *t, struct tui_screen *s)
{
	struct myapps *m = (struct myapps *)s;
	int top, rows, cols, y, end;
	const char *title;

	tui_body(t, &top, &rows, &cols);
	end = top + rows - 2; /* the last two rows are for problems */
	switch (m->view) {
	case MY_APPEAL:
	case MY_DONE:
		title = _("Appeal a decision");
		break;
	default:
		title = _("My applications");
		break;
	}
	y = kiosk_heading(t, top + 1, cols, 0, 0, title);
	if (m->busy && m->view == MY_LIST) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	switch (m->view) {
	case MY_LIST:
		my_draw_list(t, m, y, end, cols);
		break;
	case MY_ONE:
		kiosk_page_draw(t, &m->page, y, 2, end - y, cols - 4);
		break;
	case MY_APPEAL:
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("Why do you disagree with the decision? A social worker "
		      "reads this when looking at your application again. "
		      "Press Enter to send.")) + 1;
		tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Reason"));
		tui_field_draw_at(t, &m->reason, y++, 2, cols - 4, 1);
		if (m->reason.error[0] != '\0')
			tui_put(t, y, 2, cols - 4, TUI_A_ERROR,
			    m->reason.error);
		y += 2;
		if (m->busy && y < end)
			tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Sending…"));
		break;
	case MY_DONE:
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_BOLD, m->done);
		break;
	}
	if (m->error[0] != '\0')
		tui_wrap(t, end, 2, cols - 4, 2, TUI_A_ERROR, m->error);
}

static void
my_wipe(struct tui_screen *s)
{
	struct myapps *m = (struct myapps *)s;

	kiosk_msg_free(m->apps != NULL ? &m->apps->base : NULL);
	m->apps = NULL;
	kiosk_msg_free(m->progs != NULL ? &m->progs->base : NULL);
	m->progs = NULL;
	m->list.n = m->list.sel = 0;
	m->loaded = 0;
	kiosk_page_clear(&m->page);
	tui_field_wipe(&m->reason);
	explicit_bzero(m->error, sizeof m->error);
	explicit_bzero(m->done, sizeof m->done);
	explicit_bzero(m->request_id, sizeof m->request_id);
}

static void
my_destroy(struct tui_screen *s)
{
	my_wipe(s);
	free(s);
}

struct tui_screen *
kiosk_myapps_new(struct kiosk *k)
{
	struct myapps *m;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	m->k = k;
	m->list.item = my_item;
	m->list.arg = m;
	m->reason = (struct tui_field){.label = N_("Reason"),
	    .maxlen = TUI_FIELD_MAX, .validate = my_check_reason};
	m->s.draw = my_draw;
	m->s.key = my_key;
	m->s.tick = my_tick;
	m->s.wipe = my_wipe;
	m->s.destroy = my_destroy;
	m->s.hints = m->hints;
	my_go(m, MY_LIST);
	return &m->s;
}
