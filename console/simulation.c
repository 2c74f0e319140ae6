/*
 * simulation.c: the microsimulation screens, for supervisors, admins and
 * analysts.  Pick a programme (Programmes/ListProgrammes); its current
 * rules are shown and copied into the rule editors as the candidate; edit
 * them and F5 runs the candidate over the whole registry
 * (Simulation/StartSimulation), which changes nothing.  A rule that does
 * not parse comes back with "line L, column C: ..." next to it.  The run
 * screen polls Simulation/GetSimulation for the progress and then shows
 * the table: the totals, and each municipality's gains, losses and cost
 * difference, largest cost difference first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "spis/v1/programmes.pb-c.h"
#include "spis/v1/simulation.pb-c.h"
#include "tui_edit.h"

#include "console.h"
#include "i18n.h"

/* The methods used, by their place in the proto. */
enum { SIM_PROG_LIST = 0, SIM_PROG_GET = 1 };
enum { SIM_START = 0, SIM_GET = 1 };

/* Room for a rule as UTF-8: the daemon takes 4096 bytes. */
#define SIM_RULE_BYTES (TUI_EDIT_MAX * 4 + 1)
/* How often a running simulation is asked about, in ms. */
#define SIM_POLL_MS 300

/* The states and periods the daemon names, for the translations. */
static const char *const sim_words[] __attribute__((unused)) = {
	N_("queued"), N_("running"), N_("done"), N_("failed"),
	N_("monthly"), N_("yearly"), N_("one_off"),
};

static long long
sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signed money, "+12.30" or "-4.00". */
static const char *
sim_diff(long long minor, char *buf, size_t len)
{
	char m[24];

	console_money(minor < 0 ? -minor : minor, m, sizeof m);
	snprintf(buf, len, "%s%s", minor < 0 ? "-" : minor > 0 ? "+" : "", m);
	return buf;
}

/* ------------------------------------------------------------------------
 * The run: progress, then the table.
 */

struct simrun {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	long long id;
	Spis__V1__SimulationJob *job;
	struct tui_list list;
	long long polled;
	char note[512];
};

static const struct tui_hint simrun_hints[] = {
	{"↑↓", N_("Scroll")},
	{"Esc", N_("Back to the rules")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static int
simrun_done(const struct simrun *r)
{
	return r->job != NULL && (strcmp(r->job->state, "done") == 0 ||
	    strcmp(r->job->state, "failed") == 0);
}

/* One row of the table into buf. */
static void
simrun_cells(const Spis__V1__SimulationRow *x, const char *name, char *buf,
    size_t len)
{
	char n[6][24], cost[32];
	size_t off = 0;

	snprintf(n[0], sizeof n[0], "%lld", (long long)x->units);
	snprintf(n[1], sizeof n[1], "%lld", (long long)x->gain);
	snprintf(n[2], sizeof n[2], "%lld", (long long)x->lose);
	snprintf(n[3], sizeof n[3], "%lld", (long long)x->keep_eligible);
	snprintf(n[4], sizeof n[4], "%lld", (long long)x->keep_ineligible);
	sim_diff(x->cost_difference, cost, sizeof cost);
	buf[0] = '\0';
	console_cell(buf, len, &off, name, 30);
	for (int i = 0; i < 5; i++)
		console_cell(buf, len, &off, n[i], 9);
	console_cell(buf, len, &off, cost, 14);
}

static void
simrun_item(size_t i, char *buf, size_t len, void *arg)
{
	struct simrun *r = arg;
	const Spis__V1__SimulationRow *x = r->job->rows[i];

	simrun_cells(x, x->municipality_name[0] ? x->municipality_name :
	    x->municipality, buf, len);
}

static void
simrun_fetch(struct simrun *r)
{
	Spis__V1__GetSimulationRequest req =
	    SPIS__V1__GET_SIMULATION_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	r->polled = sim_now_ms();
	req.id = r->id;
	st = console_call(r->c, &spis__v1__simulation__descriptor, SIM_GET,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, r->note, sizeof r->note);
		return;
	}
	r->note[0] = '\0';
	if (r->job != NULL)
		protobuf_c_message_free_unpacked(&r->job->base, NULL);
	r->job = (Spis__V1__SimulationJob *)resp;
	r->list.n = r->job->n_rows;
	if (r->list.sel >= r->list.n)
		r->list.sel = 0;
}

static int
simrun_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct simrun *r = (struct simrun *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(r->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	return tui_list_key(&r->list, k);
}

static void
simrun_tick(struct tui *t, struct tui_screen *s)
{
	struct simrun *r = (struct simrun *)s;

	(void)t;
	if (r->c->sess.active && !simrun_done(r) &&
	    sim_now_ms() - r->polled >= SIM_POLL_MS)
		simrun_fetch(r);
}

static void
simrun_draw(struct tui *t, struct tui_screen *s)
{
	struct simrun *r = (struct simrun *)s;
	const Spis__V1__SimulationJob *j = r->job;
	char head[256], row[256], a[32], b[32];
	size_t off = 0;
	int top, rows, cols, y, end, pct;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("Simulation %lld"), r->id);
	if (r->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, r->note);
	if (j == NULL)
		return;
	tui_putf(t, y++, 2, cols - 4, 0, _("%s against rule version %d, as "
	    "of %s; one unit per %s"), j->programme, j->rule_version,
	    j->as_of, strcmp(j->unit, "person") == 0 ? _("person") :
	    _("household"));
	pct = j->total > 0 ? (int)(j->processed * 100 / j->total) : 100;
	tui_putf(t, y++, 2, cols - 4, 0, _("State: %s · %lld of %lld people "
	    "(%d%%)"), _(j->state), (long long)j->processed,
	    (long long)j->total, pct);
	if (j->failed > 0 || j->error[0] != '\0')
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_ERROR, j->error[0] ?
		    j->error : _("some units failed"));
	if (strcmp(j->state, "done") != 0 || j->total_row == NULL)
		return;
	y++;
	tui_putf(t, y++, 2, cols - 4, 0, _("Cost per %s: now %s, candidate "
	    "%s, difference %s %s"), _(j->period), console_money(
	    j->total_row->current_cost, a, sizeof a), console_money(
	    j->total_row->candidate_cost, b, sizeof b), sim_diff(
	    j->total_row->cost_difference, head, sizeof head), j->currency);
	y++;
	head[0] = '\0';
	console_cell(head, sizeof head, &off, _("Municipality"), 30);
	console_cell(head, sizeof head, &off, _("Units"), 9);
	console_cell(head, sizeof head, &off, _("Gain"), 9);
	console_cell(head, sizeof head, &off, _("Lose"), 9);
	console_cell(head, sizeof head, &off, _("Keep"), 9);
	console_cell(head, sizeof head, &off, _("Not"), 9);
	console_cell(head, sizeof head, &off, _("Cost change"), 14);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, head);
	simrun_cells(j->total_row, _("All municipalities"), row, sizeof row);
	tui_put(t, y++, 4, cols - 6, TUI_A_BOLD, row);
	tui_list_draw(t, &r->list, y, 2, end - y - 2, cols - 4);
}

static void
simrun_destroy(struct tui_screen *s)
{
	struct simrun *r = (struct simrun *)s;

	if (r->job != NULL)
		protobuf_c_message_free_unpacked(&r->job->base, NULL);
	free(r);
}

static struct tui_screen *
simrun_new(struct console *c, long long id)
{
	struct simrun *r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->c = c;
	r->id = id;
	r->list.item = simrun_item;
	r->list.arg = r;
	r->s.draw = simrun_draw;
	r->s.key = simrun_key;
	r->s.tick = simrun_tick;
	r->s.destroy = simrun_destroy;
	r->s.hints = simrun_hints;
	return &r->s;
}

/* ------------------------------------------------------------------------
 * The candidate's editor.
 */

struct simed {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char code[20];
	Spis__V1__Programme *prog;
	struct tui_edit rule[2]; /* eligibility, amount */
	char check[2][512];	 /* the daemon's verdict on each */
	int focus;		 /* 0 or 1 */
	char note[512];
	int rerun;
};

static const struct tui_hint simed_hints[] = {
	{"Tab", N_("Other rule")},
	{"F5", N_("Run")},
	{"F3", N_("Current rules")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static void
simed_fetch(struct simed *e)
{
	Spis__V1__GetProgrammeRequest req =
	    SPIS__V1__GET_PROGRAMME_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.code = e->code;
	st = console_call(e->c, &spis__v1__programmes__descriptor,
	    SIM_PROG_GET, &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		e->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, e->note, sizeof e->note);
		return;
	}
	if (e->prog != NULL)
		protobuf_c_message_free_unpacked(&e->prog->base, NULL);
	e->prog = (Spis__V1__Programme *)resp;
	tui_edit_set(&e->rule[0], e->prog->eligibility);
	tui_edit_set(&e->rule[1], e->prog->amount);
}

/* Starts the candidate; a rule the daemon refuses gets its verdict beside
 * it, named by the request's field. */
static void
simed_run(struct tui *t, struct simed *e)
{
	Spis__V1__StartSimulationRequest req =
	    SPIS__V1__START_SIMULATION_REQUEST__INIT;
	Spis__V1__SimulationJob *job;
	ProtobufCMessage *resp;
	struct tui_screen *next;
	grpc_status_code st;
	char rid[40], msg[512], *text[2];

	text[0] = malloc(SIM_RULE_BYTES);
	text[1] = malloc(SIM_RULE_BYTES);
	if (text[0] == NULL || text[1] == NULL)
		goto out;
	tui_edit_value(&e->rule[0], text[0], SIM_RULE_BYTES);
	tui_edit_value(&e->rule[1], text[1], SIM_RULE_BYTES);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.programme = e->code;
	req.eligibility = text[0];
	req.amount = text[1];
	e->note[0] = e->check[0][0] = e->check[1][0] = '\0';
	st = console_call(e->c, &spis__v1__simulation__descriptor, SIM_START,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		goto out;
	if (st == GRPC_STATUS_INVALID_ARGUMENT &&
	    strncmp(msg, "eligibility: ", 13) == 0)
		console_status_text(st, msg + 13, e->check[0],
		    sizeof e->check[0]);
	else if (st == GRPC_STATUS_INVALID_ARGUMENT &&
	    strncmp(msg, "amount: ", 8) == 0)
		console_status_text(st, msg + 8, e->check[1],
		    sizeof e->check[1]);
	else if (st != GRPC_STATUS_OK)
		console_status_text(st, msg, e->note, sizeof e->note);
	else {
		job = (Spis__V1__SimulationJob *)resp;
		if ((next = simrun_new(e->c, job->id)) != NULL)
			tui_push(t, next);
		protobuf_c_message_free_unpacked(&job->base, NULL);
	}
out:
	free(text[0]);
	free(text[1]);
}

/* The current rules in a page of their own. */
static void
simed_current(struct simed *e)
{
	char text[2 * SIM_RULE_BYTES / 4];

	if (e->prog == NULL)
		return;
	snprintf(text, sizeof text, "%s (%s %d)\n\n%s\n\n%s\n\n%s\n",
	    e->prog->code, _("rule version"), e->prog->rule_version,
	    e->prog->eligibility, _("Amount:"), e->prog->amount);
	console_notice(e->c, _("Current rules"), text);
}

static int
simed_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct simed *e = (struct simed *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(e->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, '\t', 0) || tui_key_is(k, 0, KEY_BTAB)) {
		e->focus = !e->focus;
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(5))) {
		simed_run(t, e);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(3))) {
		simed_current(e);
		return 1;
	}
	if (tui_edit_key(&e->rule[e->focus], k)) {
		if (!k.fn || k.c == KEY_BACKSPACE || k.c == KEY_DC ||
		    k.c == KEY_ENTER)
			e->check[e->focus][0] = '\0';
		return 1;
	}
	return 0;
}

static void
simed_tick(struct tui *t, struct tui_screen *s)
{
	struct simed *e = (struct simed *)s;

	(void)t;
	if (e->rerun && e->c->sess.active) {
		e->rerun = 0;
		simed_fetch(e);
	}
}

static void
simed_rule(struct simed *e, struct tui *t, int i, int y, int rows, int cols)
{
	int line, col;

	tui_edit_where(&e->rule[i], &line, &col);
	tui_putf(t, y, 2, 30, e->focus == i ? TUI_A_BOLD : 0, "%s",
	    i == 0 ? _("Candidate eligibility rule") :
	    _("Candidate amount rule"));
	if (e->check[i][0] != '\0')
		tui_putf(t, y, 32, cols - 34, TUI_A_ERROR, "✗ %s",
		    e->check[i]);
	else if (e->focus == i)
		tui_putf(t, y, 32, cols - 34, 0, _("line %d, column %d"), line,
		    col);
	tui_edit_draw(t, &e->rule[i], y + 1, 4, rows, cols - 6, 0);
}

static void
simed_draw(struct tui *t, struct tui_screen *s)
{
	struct simed *e = (struct simed *)s;
	int top, rows, cols, y, end, er, ar, ey[2];

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (e->prog == NULL) {
		tui_put(t, y, 2, cols - 4, TUI_A_BOLD, e->code);
		if (e->note[0] != '\0')
			tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR,
			    e->note);
		return;
	}
	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("Microsimulation of %s · "
	    "now rule version %d"), e->prog->code, e->prog->rule_version);
	tui_wrap(t, y, 2, cols - 4, 2, 0, _("Edit the candidate rules and "
	    "press F5: both versions run over the whole registry and nothing "
	    "changes."));
	y += 3;
	er = (end - y - 4) * 3 / 5;
	if (er < 1)
		er = 1;
	ar = end - y - 4 - er;
	if (ar < 1)
		ar = 1;
	ey[0] = y + 1;
	simed_rule(e, t, 0, y, er, cols);
	y += er + 1;
	ey[1] = y + 1;
	simed_rule(e, t, 1, y, ar, cols);
	if (e->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, e->note);
	tui_edit_draw(t, &e->rule[e->focus], ey[e->focus], 4,
	    e->focus == 0 ? er : ar, cols - 6, 1);
}

static void
simed_wipe(struct tui_screen *s)
{
	struct simed *e = (struct simed *)s;

	tui_edit_wipe(&e->rule[0]);
	tui_edit_wipe(&e->rule[1]);
}

static void
simed_destroy(struct tui_screen *s)
{
	struct simed *e = (struct simed *)s;

	if (e->prog != NULL)
		protobuf_c_message_free_unpacked(&e->prog->base, NULL);
	free(e);
}

static struct tui_screen *
simed_new(struct console *c, const char *code)
{
	struct simed *e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	e->c = c;
	console_copy(e->code, sizeof e->code, code);
	e->rerun = 1;
	e->s.draw = simed_draw;
	e->s.key = simed_key;
	e->s.tick = simed_tick;
	e->s.wipe = simed_wipe;
	e->s.destroy = simed_destroy;
	e->s.hints = simed_hints;
	return &e->s;
}

/* ------------------------------------------------------------------------
 * Picking the programme.
 */

struct simprogs {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__ProgrammeList *reply;
	struct tui_list list;
	char note[512];
	int rerun;
};

static const struct tui_hint simprogs_hints[] = {
	{"Enter", N_("Simulate")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
simprogs_item(size_t i, char *buf, size_t len, void *arg)
{
	struct simprogs *ps = arg;
	const Spis__V1__Programme *p = ps->reply->programmes[i];
	const char *name = "";
	char rv[16];
	size_t off = 0;

	for (size_t k = 0; k < p->n_names; k++)
		if (strcmp(p->names[k]->language, i18n_language()) == 0 ||
		    (name[0] == '\0' && strcmp(p->names[k]->language, "lt") ==
		    0))
			name = p->names[k]->text;
	snprintf(rv, sizeof rv, "v%d", p->rule_version);
	buf[0] = '\0';
	console_cell(buf, len, &off, p->code, 14);
	console_cell(buf, len, &off, name, 40);
	console_cell(buf, len, &off, p->period, 8);
	console_cell(buf, len, &off, rv, 4);
}

static void
simprogs_fetch(struct simprogs *ps)
{
	Spis__V1__ListProgrammesRequest req =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.include_closed = 1;
	st = console_call(ps->c, &spis__v1__programmes__descriptor,
	    SIM_PROG_LIST, &req.base, &resp, msg, sizeof msg);
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
simprogs_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct simprogs *ps = (struct simprogs *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(ps->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_enter(k) && ps->reply != NULL &&
	    ps->list.sel < ps->reply->n_programmes) {
		next = simed_new(ps->c,
		    ps->reply->programmes[ps->list.sel]->code);
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	return tui_list_key(&ps->list, k);
}

static void
simprogs_tick(struct tui *t, struct tui_screen *s)
{
	struct simprogs *ps = (struct simprogs *)s;

	(void)t;
	if (ps->rerun && ps->c->sess.active) {
		ps->rerun = 0;
		simprogs_fetch(ps);
	}
}

static void
simprogs_draw(struct tui *t, struct tui_screen *s)
{
	struct simprogs *ps = (struct simprogs *)s;
	char head[256];
	size_t off = 0;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Microsimulation: choose a "
	    "programme"));
	y += 2;
	if (ps->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, ps->note);
	if (ps->reply == NULL)
		return;
	head[0] = '\0';
	console_cell(head, sizeof head, &off, _("Code"), 14);
	console_cell(head, sizeof head, &off, _("Name"), 40);
	console_cell(head, sizeof head, &off, _("Period"), 8);
	console_cell(head, sizeof head, &off, _("Rule"), 4);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, head);
	tui_list_draw(t, &ps->list, y, 2, end - y - 2, cols - 4);
}

static void
simprogs_destroy(struct tui_screen *s)
{
	struct simprogs *ps = (struct simprogs *)s;

	if (ps->reply != NULL)
		protobuf_c_message_free_unpacked(&ps->reply->base, NULL);
	free(ps);
}

struct tui_screen *
console_simulation_new(struct console *c)
{
	struct simprogs *ps;

	if ((ps = calloc(1, sizeof *ps)) == NULL)
		return NULL;
	ps->c = c;
	ps->list.item = simprogs_item;
	ps->list.arg = ps;
	ps->rerun = 1;
	ps->s.draw = simprogs_draw;
	ps->s.key = simprogs_key;
	ps->s.tick = simprogs_tick;
	ps->s.destroy = simprogs_destroy;
	ps->s.hints = simprogs_hints;
	return &ps->s;
}
