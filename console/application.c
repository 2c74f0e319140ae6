/*
 * application.c: the review of one application (Applications/
 * GetApplication): the applicant and their household, the means they
 * declared, the cross-check flags found on submission, every transition
 * and every decision.  The actions offered follow the state and the
 * officer's roles: start the review, evaluate the rules (the facts used
 * and every clause, nested as in the rule, with the explanation the
 * citizen gets), approve or reject with a reason, withdraw, appeal, and
 * replay a decision on its stored inputs.  A decision against the rules
 * is announced before it is sent, since it needs a supervisor; the daemon
 * decides, and its refusal is shown in its own words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/applications.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

/* The methods of spis.v1.Applications, by their place in the proto. */
enum {
	APP_GET = 2,
	APP_START_REVIEW = 4,
	APP_WITHDRAW = 5,
	APP_APPEAL = 6,
	APP_EVALUATE = 7,
	APP_DECIDE = 8,
	APP_REPLAY = 9,
};

struct app {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char ref[32];
	Spis__V1__Application *app;	 /* or NULL */
	Spis__V1__PersonCard *card;	 /* the applicant's, or NULL */
	struct console_doc *doc;
	char note[512];
	int note_error;
	int rerun;
	/* The action being asked about: a method, or APP_DECIDE with the
	 * outcome. */
	int action;
	char outcome[16];
};

static const struct tui_hint app_hints[] = {
	{"↑↓ PgUp/Dn", N_("Scroll")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
app_free(struct app *a)
{
	if (a->app != NULL)
		protobuf_c_message_free_unpacked(&a->app->base, NULL);
	if (a->card != NULL)
		protobuf_c_message_free_unpacked(&a->card->base, NULL);
	a->app = NULL;
	a->card = NULL;
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57". */
static const char *
app_time(const char *at, char *buf, size_t len)
{
	snprintf(buf, len, "%.16s", at);
	if (strlen(buf) > 10)
		buf[10] = ' ';
	return buf;
}

static const char *
app_or(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

/* Adds clauses to d, each indented by its depth, its explanation under
 * it. */
static void
app_clauses(struct console_doc *d, Spis__V1__Clause **cl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ind = 4 + 2 * cl[i]->depth;

		console_doc_add(d, ind, cl[i]->depth == 0 ? TUI_A_BOLD : 0,
		    "%s  →  %s", cl[i]->text, cl[i]->value);
		if (cl[i]->explain[0] != '\0')
			console_doc_add(d, ind + 4, 0, "%s", cl[i]->explain);
	}
}

static void
app_facts(struct console_doc *d, Spis__V1__Fact **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_doc_add(d, 4, 0, "%-34s %s", f[i]->name, f[i]->value);
}

/* Lays the application out in the doc. */
static void
app_build(struct app *a)
{
	const Spis__V1__Application *p = a->app;
	struct console_doc *d = a->doc;
	char t1[32], m1[32], m2[32];

	console_doc_clear(d);
	if (p == NULL)
		return;
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Applicant"));
	console_doc_add(d, 2, 0, "%s · %s", app_or(p->applicant_name),
	    p->national_id);
	console_doc_add(d, 2, 0, _("Handled by municipality %s · channel %s%s%s"),
	    p->municipality, p->channel, p->terminal[0] != '\0' ? " · " : "",
	    p->terminal);
	console_doc_add(d, 2, 0, _("Submitted %s · updated %s · version %lld"),
	    app_time(p->submitted_at, t1, sizeof t1), app_time(p->updated_at,
	    m1, sizeof m1), (long long)p->version);
	if (p->appeal_until[0] != '\0')
		console_doc_add(d, 2, 0, _("May be appealed until %s"),
		    p->appeal_until);
	console_doc_add(d, 0, 0, "%s", "");

	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Declared means"));
	if (p->declared != NULL)
		console_doc_add(d, 2, 0, _("Monthly income %s · assets %s · %s"),
		    console_money(p->declared->monthly_income, m1, sizeof m1),
		    console_money(p->declared->assets, m2, sizeof m2),
		    p->declared->confirmed ? _("confirmed by the applicant") :
		    _("not confirmed"));
	console_doc_add(d, 0, 0, "%s", "");

	if (p->n_flags > 0) {
		console_doc_add(d, 0, TUI_A_ERROR, _("Cross-check flags: %zu"),
		    p->n_flags);
		for (size_t i = 0; i < p->n_flags; i++) {
			const Spis__V1__CrossFlag *f = p->flags[i];

			console_doc_add(d, 2, TUI_A_ERROR,
			    _("! %s: %s has %s (%s) in municipality %s"),
			    f->kind, f->national_id, f->reference, f->state,
			    f->municipality);
		}
	} else
		console_doc_add(d, 0, 0, "%s", _("Cross-checks: no flags"));
	console_doc_add(d, 0, 0, "%s", "");

	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Household"));
	if (a->card == NULL || a->card->household == NULL ||
	    a->card->household->id[0] == '\0')
		console_doc_add(d, 2, 0, "%s", p->household_id[0] != '\0' ?
		    p->household_id : _("none"));
	else {
		const Spis__V1__Household *h = a->card->household;

		console_doc_add(d, 2, 0, _("%s · %s · %zu members"), h->id,
		    app_or(h->address), h->n_members);
		for (size_t i = 0; i < h->n_members; i++) {
			const Spis__V1__Member *mb = h->members[i];

			console_doc_add(d, 4, 0, "%-14s %-11s %s %s · %s %s",
			    mb->relationship, mb->national_id, mb->surname,
			    mb->given_names, _("born"), mb->birth_date);
		}
	}
	console_doc_add(d, 0, 0, "%s", "");

	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Transitions"));
	for (size_t i = 0; i < p->n_transitions; i++) {
		const Spis__V1__Transition *tr = p->transitions[i];

		console_doc_add(d, 2, 0, "%s  %s → %s  %s (%s) · %s",
		    app_time(tr->at, t1, sizeof t1), app_or(tr->from_state),
		    tr->to_state, tr->actor, app_or(tr->role),
		    app_or(tr->reason));
	}
	console_doc_add(d, 0, 0, "%s", "");

	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Decisions"));
	if (p->n_decisions == 0)
		console_doc_add(d, 2, 0, "%s", _("none yet"));
	for (size_t i = 0; i < p->n_decisions; i++) {
		const Spis__V1__Decision *dc = p->decisions[i];

		console_doc_add(d, 2, dc->override ? TUI_A_ERROR : 0,
		    _("#%lld %s by %s on %s · the rules said %s%s"),
		    (long long)dc->id, dc->outcome, dc->decided_by,
		    app_time(dc->decided_at, t1, sizeof t1),
		    dc->engine_eligible ? _("eligible") : _("not eligible"),
		    dc->override ? _(" · AGAINST THE RULES") : "");
		console_doc_add(d, 4, 0, _("Amount %s %s · rule version %d · "
		    "reason: %s"), console_money(dc->amount, m1, sizeof m1),
		    dc->currency, dc->rule_version, app_or(dc->reason));
		if (dc->explanation[0] != '\0')
			console_doc_add(d, 4, 0, "%s", dc->explanation);
	}
}

/* Reads the application, and the applicant's card for the household. */
static void
app_fetch(struct app *a)
{
	Spis__V1__GetApplicationRequest req =
	    SPIS__V1__GET_APPLICATION_REQUEST__INIT;
	Spis__V1__GetPersonRequest preq = SPIS__V1__GET_PERSON_REQUEST__INIT;
	ProtobufCMessage *resp, *presp;
	grpc_status_code st;
	char msg[512];

	req.reference = a->ref;
	st = console_call(a->c, &spis__v1__applications__descriptor, APP_GET,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		a->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, a->note, sizeof a->note);
		a->note_error = 1;
		return;
	}
	app_free(a);
	a->app = (Spis__V1__Application *)resp;
	if (a->c->sess.can_read) {
		preq.national_id = a->app->national_id;
		preq.purpose = a->c->sess.can_decide || a->c->sess.can_submit ?
		    "case_work" : "audit";
		if (console_call(a->c, &spis__v1__registry__descriptor, 2,
		    &preq.base, &presp, msg, sizeof msg) == GRPC_STATUS_OK)
			a->card = (Spis__V1__PersonCard *)presp;
	}
	app_build(a);
}

/* ------------------------------------------------------------------------
 * Evaluate and replay: read-only, shown on a page of their own.
 */

/* Runs the rules now.  Returns the evaluation for the caller to free, or
 * NULL with the reason in the note. */
static Spis__V1__Evaluation *
app_evaluate(struct app *a)
{
	Spis__V1__EvaluateRequest req = SPIS__V1__EVALUATE_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.reference = a->ref;
	st = console_call(a->c, &spis__v1__applications__descriptor,
	    APP_EVALUATE, &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return NULL;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, a->note, sizeof a->note);
		a->note_error = 1;
		return NULL;
	}
	return (Spis__V1__Evaluation *)resp;
}

static void
app_show_evaluation(struct app *a)
{
	Spis__V1__Evaluation *ev;
	struct console_doc *d;
	struct tui_screen *s;
	char title[128], m[32];

	if ((ev = app_evaluate(a)) == NULL)
		return;
	if ((d = console_doc_new()) == NULL) {
		protobuf_c_message_free_unpacked(&ev->base, NULL);
		return;
	}
	console_doc_add(d, 0, TUI_A_BOLD, _("The rules (version %d) say: %s"),
	    ev->rule_version, ev->eligible ? _("ELIGIBLE") :
	    _("NOT ELIGIBLE"));
	if (ev->eligible)
		console_doc_add(d, 2, 0, _("Amount per period: %s %s"),
		    ev->currency, console_money(ev->amount, m, sizeof m));
	if (ev->explanation[0] != '\0') {
		console_doc_add(d, 0, 0, "%s", "");
		console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Explanation"));
		console_doc_add(d, 2, 0, "%s", ev->explanation);
	}
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Facts used"));
	app_facts(d, ev->inputs, ev->n_inputs);
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s",
	    _("Eligibility, clause by clause"));
	app_clauses(d, ev->clauses, ev->n_clauses);
	if (ev->n_amount_clauses > 0) {
		console_doc_add(d, 0, 0, "%s", "");
		console_doc_add(d, 0, TUI_A_BOLD, "%s",
		    _("Amount, clause by clause"));
		app_clauses(d, ev->amount_clauses, ev->n_amount_clauses);
	}
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	snprintf(title, sizeof title, _("Evaluation of %s, now"), a->ref);
	if ((s = console_doc_screen_new(a->c, title, d)) != NULL)
		tui_push(a->c->tui, s);
}

static void
app_replay(struct app *a)
{
	Spis__V1__ReplayRequest req = SPIS__V1__REPLAY_REQUEST__INIT;
	const Spis__V1__ReplayReply *rp;
	const Spis__V1__Decision *dc;
	ProtobufCMessage *resp;
	grpc_status_code st;
	struct console_doc *d;
	struct tui_screen *s;
	char msg[512], title[128], m1[32], m2[32];

	req.reference = a->ref;
	st = console_call(a->c, &spis__v1__applications__descriptor,
	    APP_REPLAY, &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, a->note, sizeof a->note);
		a->note_error = 1;
		return;
	}
	rp = (const Spis__V1__ReplayReply *)resp;
	dc = rp->decision;
	if ((d = console_doc_new()) == NULL || dc == NULL) {
		console_doc_free(d);
		protobuf_c_message_free_unpacked(resp, NULL);
		return;
	}
	if (rp->same)
		console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Replay: same. Every "
		    "clause and the amount agree with the stored decision."));
	else
		console_doc_add(d, 0, TUI_A_ERROR, "%s", _("Replay: DIFFERENT "
		    "from the stored decision."));
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 2, 0, _("Decision #%lld, %s, rule version %d, "
	    "evaluated on %s"), (long long)dc->id, dc->outcome,
	    dc->rule_version, app_or(dc->evaluated_on));
	console_doc_add(d, 2, rp->eligible != dc->engine_eligible ?
	    TUI_A_ERROR : 0, _("Eligible: stored %s, now %s"),
	    dc->engine_eligible ? _("yes") : _("no"),
	    rp->eligible ? _("yes") : _("no"));
	console_doc_add(d, 2, rp->amount != dc->amount ? TUI_A_ERROR : 0,
	    _("Amount: stored %s, now %s"), console_money(dc->amount, m1,
	    sizeof m1), console_money(rp->amount, m2, sizeof m2));
	/* The clauses that came out otherwise, side by side. */
	for (size_t i = 0; i < rp->n_clauses || i < dc->n_clauses; i++) {
		const Spis__V1__Clause *now = i < rp->n_clauses ?
		    rp->clauses[i] : NULL;
		const Spis__V1__Clause *was = i < dc->n_clauses ?
		    dc->clauses[i] : NULL;

		if (now != NULL && was != NULL &&
		    strcmp(now->value, was->value) == 0 &&
		    strcmp(now->text, was->text) == 0)
			continue;
		console_doc_add(d, 4, TUI_A_ERROR, _("%s: stored %s, now %s"),
		    now != NULL ? now->text : was->text,
		    was != NULL ? was->value : "-",
		    now != NULL ? now->value : "-");
	}
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("Stored inputs"));
	app_facts(d, dc->inputs, dc->n_inputs);
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s",
	    _("Eligibility, clause by clause, replayed"));
	app_clauses(d, rp->clauses, rp->n_clauses);
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(title, sizeof title, _("Replay of the latest decision on %s"),
	    a->ref);
	if ((s = console_doc_screen_new(a->c, title, d)) != NULL)
		tui_push(a->c->tui, s);
}

/* ------------------------------------------------------------------------
 * Changes: transitions and decisions, each with a reason.
 */

static const struct console_input app_reason[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
app_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct app *a = arg;
	Spis__V1__TransitionRequest tr = SPIS__V1__TRANSITION_REQUEST__INIT;
	Spis__V1__DecideRequest dr = SPIS__V1__DECIDE_REQUEST__INIT;
	char reason[CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *req, *resp;
	grpc_status_code st;
	const char *done;

	if (a->app == NULL)
		return -1;
	console_form_value(f, 0, reason);
	console_request_id(rid, sizeof rid);
	if (a->action == APP_DECIDE) {
		dr.request_id = rid;
		dr.reference = a->ref;
		dr.outcome = a->outcome;
		dr.reason = reason;
		dr.expected_version = a->app->version;
		req = &dr.base;
	} else {
		tr.request_id = rid;
		tr.reference = a->ref;
		tr.reason = reason;
		tr.expected_version = a->app->version;
		req = &tr.base;
	}
	st = console_call(c, &spis__v1__applications__descriptor,
	    (unsigned)a->action, req, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	switch (a->action) {
	case APP_START_REVIEW:
		done = _("The review has started.");
		break;
	case APP_WITHDRAW:
		done = _("The application was withdrawn.");
		break;
	case APP_APPEAL:
		done = _("The appeal was recorded; the application is back "
		    "for review.");
		break;
	default:
		done = strcmp(a->outcome, "approved") == 0 ?
		    _("Approved.") : _("Rejected.");
		break;
	}
	console_copy(a->note, sizeof a->note, done);
	a->note_error = 0;
	a->rerun = 1;
	return 0;
}

static void
app_ask(struct app *a, int action, const char *title, const char *preset)
{
	struct tui_screen *d;

	a->action = action;
	a->note[0] = '\0';
	d = console_dialog_new(a->c, title, app_reason, 1, app_send, NULL, a);
	if (d == NULL)
		return;
	if (preset != NULL)
		console_form_set(console_dialog_form(d), 0, preset);
	tui_push(a->c->tui, d);
}

static void
app_decide_reason(struct app *a)
{
	char title[256];

	snprintf(title, sizeof title, strcmp(a->outcome, "approved") == 0 ?
	    _("Approve %s: why?") : _("Reject %s: why?"), a->ref);
	app_ask(a, APP_DECIDE, title, NULL);
}

static void
app_decide_confirmed(struct tui *t, int yes, void *arg)
{
	(void)t;
	if (yes)
		app_decide_reason(arg);
}

/* The rules run first; a decision against them is announced. */
static void
app_decide(struct app *a, const char *outcome)
{
	Spis__V1__Evaluation *ev;
	char q[512];
	int approve = strcmp(outcome, "approved") == 0, eligible;

	console_copy(a->outcome, sizeof a->outcome, outcome);
	a->note[0] = '\0';
	if ((ev = app_evaluate(a)) == NULL)
		return;
	eligible = ev->eligible;
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	if (eligible == approve) {
		app_decide_reason(a);
		return;
	}
	snprintf(q, sizeof q, "%s %s", eligible ?
	    _("The rules say the applicant is eligible.") :
	    _("The rules say the applicant is not eligible."),
	    a->c->sess.can_override ?
	    _("Deciding against them is an override, kept with your reason "
	    "as supervisor. Go on?") :
	    _("Deciding against them needs a supervisor; the server will "
	    "refuse it from you. Go on anyway?"));
	tui_confirm(a->c->tui, q, app_decide_confirmed, a);
}

/* ------------------------------------------------------------------------
 * The screen.
 */

static int
app_state_is(const struct app *a, const char *state)
{
	return a->app != NULL && strcmp(a->app->state, state) == 0;
}

static int
app_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct app *a = (struct app *)s;
	const struct console_session *ss = &a->c->sess;
	int open, decided;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(a->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		a->note[0] = '\0';
		app_fetch(a);
		return 1;
	}
	if (a->app == NULL || k.fn)
		return console_doc_key(a->doc, k);
	open = app_state_is(a, "submitted") || app_state_is(a, "in_review");
	decided = app_state_is(a, "approved") || app_state_is(a, "rejected");
	switch (k.c) {
	case 's':
		if (ss->can_decide && (app_state_is(a, "submitted") ||
		    app_state_is(a, "appealed")))
			app_ask(a, APP_START_REVIEW, _("Start the review: why?"),
			    _("taken into review"));
		return 1;
	case 'e':
		if (ss->can_decide) {
			a->note[0] = '\0';
			app_show_evaluation(a);
		}
		return 1;
	case 'a':
	case 'x':
		if (ss->can_decide && app_state_is(a, "in_review"))
			app_decide(a, k.c == 'a' ? "approved" : "rejected");
		return 1;
	case 'w':
		if (ss->can_submit && open)
			app_ask(a, APP_WITHDRAW, _("Withdraw the application: "
			    "why?"), NULL);
		return 1;
	case 'p':
		if (ss->can_submit && decided)
			app_ask(a, APP_APPEAL, _("Appeal the decision: why?"),
			    NULL);
		return 1;
	case 'y':
		if (a->app->n_decisions > 0) {
			a->note[0] = '\0';
			app_replay(a);
		}
		return 1;
	}
	return 0;
}

static void
app_tick(struct tui *t, struct tui_screen *s)
{
	struct app *a = (struct app *)s;

	(void)t;
	if (a->rerun && a->c->sess.active) {
		a->rerun = 0;
		app_fetch(a);
	}
}

/* The keys of the actions this state and these roles allow. */
static void
app_actions(const struct app *a, char *buf, size_t len)
{
	const struct console_session *ss = &a->c->sess;
	int open = app_state_is(a, "submitted") || app_state_is(a, "in_review");
	int decided = app_state_is(a, "approved") ||
	    app_state_is(a, "rejected");
	size_t off = 0;

	buf[0] = '\0';
#define APP_KEY(cond, key, what)					\
	do {								\
		if ((cond) && off < len)				\
			off += snprintf(buf + off, len - off, "%s%s %s",\
			    off > 0 ? " · " : "", key, what);		\
	} while (0)
	APP_KEY(ss->can_decide && (app_state_is(a, "submitted") ||
	    app_state_is(a, "appealed")), "s", _("Start review"));
	APP_KEY(ss->can_decide, "e", _("Evaluate"));
	APP_KEY(ss->can_decide && app_state_is(a, "in_review"), "a",
	    _("Approve"));
	APP_KEY(ss->can_decide && app_state_is(a, "in_review"), "x",
	    _("Reject"));
	APP_KEY(ss->can_submit && open, "w", _("Withdraw"));
	APP_KEY(ss->can_submit && decided, "p", _("Appeal"));
	APP_KEY(a->app->n_decisions > 0, "y", _("Replay decision"));
#undef APP_KEY
}

static void
app_draw(struct tui *t, struct tui_screen *s)
{
	struct app *a = (struct app *)s;
	char keys[512];
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (a->app == NULL) {
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, "%s %s",
		    _("Application"), a->ref);
		if (a->note[0] != '\0')
			tui_wrap(t, y + 2, 2, cols - 4, 3,
			    a->note_error ? TUI_A_ERROR : 0, a->note);
		return;
	}
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, "%s %s · %s", _("Application"),
	    a->app->reference, a->app->programme);
	tui_put(t, y, cols - 2 - tui_text_width(a->app->state),
	    tui_text_width(a->app->state), TUI_A_REVERSE, a->app->state);
	y += 2;
	console_doc_draw(t, a->doc, y, 2, end - y - 3, cols - 4);
	if (a->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 1,
		    a->note_error ? TUI_A_ERROR : TUI_A_BOLD, a->note);
	app_actions(a, keys, sizeof keys);
	if (keys[0] != '\0')
		tui_put(t, end - 1, 2, cols - 4, 0, keys);
}

static void
app_wipe(struct tui_screen *s)
{
	struct app *a = (struct app *)s;

	app_free(a);
	console_doc_clear(a->doc);
	explicit_bzero(a->note, sizeof a->note);
}

static void
app_destroy(struct tui_screen *s)
{
	struct app *a = (struct app *)s;

	app_free(a);
	console_doc_free(a->doc);
	free(a);
}

struct tui_screen *
console_application_new(struct console *c, const char *reference)
{
	struct app *a;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	if ((a->doc = console_doc_new()) == NULL) {
		free(a);
		return NULL;
	}
	a->c = c;
	console_copy(a->ref, sizeof a->ref, reference);
	a->rerun = 1;
	a->s.draw = app_draw;
	a->s.key = app_key;
	a->s.tick = app_tick;
	a->s.wipe = app_wipe;
	a->s.destroy = app_destroy;
	a->s.hints = app_hints;
	return &a->s;
}
