/*
 * renewal.c: the yearly renewal of benefits, from the officer's side.  The
 * renewal screen starts a job (as of a date, after a confirm) and follows
 * it: the daemon's renewal thread does the work, so the screen asks
 * GetRenewalJob again about once a second from its tick while the job
 * runs, and the keyboard is never held.  Under it, the recent jobs
 * (ListRenewalJobs); Enter shows one.  The objections screen lists the
 * renewals a citizen objected to, which wait for a caseworker; one opens
 * on a page with the person, both amounts, the informative calculation
 * clause by clause and the citizen's reason, and is resolved there (renew,
 * keep or end, with a reason and a confirm).  The menu offers these to
 * the roles that may; the daemon decides, and a refusal is said plainly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "spis/v1/benefits.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

/* The methods of spis.v1.Benefits used here, by their place in the
 * proto. */
enum {
	REN_START = 9,
	REN_GET = 10,
	REN_LIST = 11,
	REN_RESOLVE = 13,
	REN_JOBS = 14,
	REG_GET_PERSON = 2,
};

/* How often a running job is asked about, and how many jobs are listed. */
#define REN_POLL_MS 1000
#define REN_JOBS_SHOWN 20

/*
 * Sets note from a failed call.  A refusal (PERMISSION_DENIED) is said in
 * the officer's words first, what (translated), then the daemon's own; an
 * expired session leaves the note empty, as the login screen says enough.
 */
static void
ren_failed(grpc_status_code st, const char *msg, const char *what,
    char *note, size_t len, int *error)
{
	char why[512];

	*error = 1;
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		note[0] = '\0';
	else if (st == GRPC_STATUS_UNIMPLEMENTED)
		console_copy(note, len,
		    _("Yearly renewal is not available on this server."));
	else if (st == GRPC_STATUS_PERMISSION_DENIED)
		snprintf(note, len, _("Not allowed: %s\nThe server said: %s"),
		    what, console_status_text(st, msg, why, sizeof why));
	else
		console_status_text(st, msg, note, len);
}

static long long
ren_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57", "-" when empty. */
static const char *
ren_time(const char *at, char *buf, size_t len)
{
	if (at == NULL || at[0] == '\0')
		return "-";
	snprintf(buf, len, "%.16s", at);
	if (strlen(buf) > 10)
		buf[10] = ' ';
	return buf;
}

/* ------------------------------------------------------------------------
 * Renewal jobs.
 */

struct jobs {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__RenewalJob *job;    /* the job shown, or NULL */
	int64_t shown;		      /* its id; 0 for the latest */
	int none;		      /* no job has been started */
	Spis__V1__RenewalJobList *jl; /* the recent jobs, or NULL */
	struct tui_list list;
	char as_of[16];		      /* the date a start is confirmed for */
	long long polled;	      /* when the job was last asked about */
	char note[1024];
	int note_error;
	int rerun;
};

static const struct tui_hint jobs_hints[] = {
	{"Enter", N_("Show the job")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
jobs_free_job(struct jobs *js)
{
	if (js->job != NULL)
		protobuf_c_message_free_unpacked(&js->job->base, NULL);
	js->job = NULL;
}

static void
jobs_free_list(struct jobs *js)
{
	if (js->jl != NULL)
		protobuf_c_message_free_unpacked(&js->jl->base, NULL);
	js->jl = NULL;
	js->list.n = 0;
}

static const char *
jobs_denied(void)
{
	return _("your roles do not let you start or follow renewal jobs.");
}

/* Takes a job read or started as the one shown. */
static void
jobs_take(struct jobs *js, ProtobufCMessage *resp)
{
	jobs_free_job(js);
	js->job = (Spis__V1__RenewalJob *)resp;
	js->shown = js->job->id;
	js->none = 0;
	js->polled = ren_now_ms();
}

/* Asks for the job shown (the latest when none is yet).  Returns 0, or
 * -1 when it could not be read. */
static int
jobs_fetch_job(struct jobs *js)
{
	Spis__V1__GetRenewalJobRequest req =
	    SPIS__V1__GET_RENEWAL_JOB_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.job_id = js->shown;
	js->polled = ren_now_ms();
	st = console_call(js->c, &spis__v1__benefits__descriptor, REN_GET,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		js->rerun = 1;
		return -1;
	}
	if (st == GRPC_STATUS_NOT_FOUND && js->shown == 0) {
		jobs_free_job(js);
		js->none = 1;
		return 0;
	}
	if (st != GRPC_STATUS_OK) {
		ren_failed(st, msg, jobs_denied(), js->note, sizeof js->note,
		    &js->note_error);
		return -1;
	}
	jobs_take(js, resp);
	return 0;
}

static void
jobs_fetch_list(struct jobs *js)
{
	Spis__V1__ListRenewalJobsRequest req =
	    SPIS__V1__LIST_RENEWAL_JOBS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.limit = REN_JOBS_SHOWN;
	st = console_call(js->c, &spis__v1__benefits__descriptor, REN_JOBS,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		js->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		ren_failed(st, msg, jobs_denied(), js->note, sizeof js->note,
		    &js->note_error);
		return;
	}
	jobs_free_list(js);
	js->jl = (Spis__V1__RenewalJobList *)resp;
	js->list.n = js->jl->n_jobs;
	if (js->list.sel >= js->list.n)
		js->list.sel = 0;
}

static void
jobs_item(size_t i, char *buf, size_t len, void *arg)
{
	struct jobs *js = arg;
	const Spis__V1__RenewalJob *j = js->jl->jobs[i];
	char id[32], handled[48], n[4][24], at[32];
	size_t off = 0;

	snprintf(id, sizeof id, "#%lld", (long long)j->id);
	snprintf(handled, sizeof handled, "%lld/%lld",
	    (long long)j->processed, (long long)j->due);
	snprintf(n[0], sizeof n[0], "%lld", (long long)j->eligible);
	snprintf(n[1], sizeof n[1], "%lld", (long long)j->changed);
	snprintf(n[2], sizeof n[2], "%lld", (long long)j->not_eligible);
	snprintf(n[3], sizeof n[3], "%lld", (long long)j->objected);
	buf[0] = '\0';
	console_cell(buf, len, &off, id, 6);
	console_cell(buf, len, &off, j->as_of, 10);
	console_cell(buf, len, &off, j->state, 8);
	console_cell(buf, len, &off, handled, 9);
	console_cell(buf, len, &off, n[0], 8);
	console_cell(buf, len, &off, n[1], 8);
	console_cell(buf, len, &off, n[2], 9);
	console_cell(buf, len, &off, n[3], 9);
	console_cell(buf, len, &off, j->started_by, 11);
	console_cell(buf, len, &off, ren_time(j->started_at, at, sizeof at),
	    16);
}

static const struct console_input jobs_start_inputs[] = {
	{"as_of", N_("Benefits due by"), 10, 1, NULL, 0, 1, NULL},
};

/* The dialog only takes the date; the confirm comes once it is gone. */
static int
jobs_start_date(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct jobs *js = arg;
	char v[CONSOLE_VALUE_MAX];

	(void)c;
	(void)err;
	(void)errlen;
	console_form_value(f, 0, v);
	console_copy(js->as_of, sizeof js->as_of, v);
	return 0;
}

static void
jobs_start(struct tui *t, int yes, void *arg)
{
	struct jobs *js = arg;
	Spis__V1__StartRenewalRequest req =
	    SPIS__V1__START_RENEWAL_REQUEST__INIT;
	const Spis__V1__RenewalJob *j;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512];

	(void)t;
	if (!yes)
		return;
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.as_of = js->as_of;
	st = console_call(js->c, &spis__v1__benefits__descriptor, REN_START,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		ren_failed(st, msg, jobs_denied(), js->note, sizeof js->note,
		    &js->note_error);
		return;
	}
	jobs_take(js, resp);
	j = js->job;
	snprintf(js->note, sizeof js->note, _("Renewal job %lld was started "
	    "as of %s: %lld benefits due."), (long long)j->id, j->as_of,
	    (long long)j->due);
	js->note_error = 0;
	jobs_fetch_list(js);
}

static void
jobs_start_confirm(struct console *c, void *arg)
{
	struct jobs *js = arg;
	char q[512];

	snprintf(q, sizeof q, _("Start the yearly renewal as of %s? Every "
	    "benefit due by then is recomputed on current data and its "
	    "citizen is sent an informative calculation."), js->as_of);
	tui_confirm(c->tui, q, jobs_start, js);
}

static void
jobs_new_job(struct jobs *js)
{
	struct tui_screen *d;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;

	d = console_dialog_new(js->c, _("Start a renewal job"),
	    jobs_start_inputs, 1, jobs_start_date, jobs_start_confirm, js);
	if (d == NULL)
		return;
	localtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	console_form_set(console_dialog_form(d), 0, today);
	tui_push(js->c->tui, d);
}

static int
jobs_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct jobs *js = (struct jobs *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(js->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		js->note[0] = '\0';
		js->rerun = 1;
		return 1;
	}
	/* Offered to those whose roles allow it; the daemon decides. */
	if (tui_key_is(k, 'n', 0)) {
		js->note[0] = '\0';
		jobs_new_job(js);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (js->jl == NULL || js->list.sel >= js->jl->n_jobs)
			return 1;
		js->note[0] = '\0';
		js->shown = js->jl->jobs[js->list.sel]->id;
		jobs_fetch_job(js);
		return 1;
	}
	return tui_list_key(&js->list, k);
}

/* Reads everything when asked to, then the running job about once a
 * second; once it is done, the list too, to show how it ended. */
static void
jobs_tick(struct tui *t, struct tui_screen *s)
{
	struct jobs *js = (struct jobs *)s;

	(void)t;
	if (!js->c->sess.active)
		return;
	if (js->rerun) {
		js->rerun = 0;
		if (jobs_fetch_job(js) == 0)
			jobs_fetch_list(js);
		return;
	}
	if (js->job == NULL || strcmp(js->job->state, "running") != 0 ||
	    ren_now_ms() - js->polled < REN_POLL_MS)
		return;
	if (jobs_fetch_job(js) == 0 && js->job != NULL &&
	    strcmp(js->job->state, "running") != 0)
		jobs_fetch_list(js);
}

/* "[#######.........]  42%" of width columns into buf. */
static const char *
jobs_bar(long long done, long long total, int width, char *buf, size_t len)
{
	int fill, pct, i;
	size_t off = 0;

	if (width > (int)len - 8)
		width = (int)len - 8;
	if (width < 3) {
		buf[0] = '\0';
		return buf;
	}
	pct = total > 0 ? (int)(done * 100 / total) : 100;
	if (pct > 100)
		pct = 100;
	fill = (width - 2) * pct / 100;
	buf[off++] = '[';
	for (i = 0; i < width - 2; i++)
		buf[off++] = i < fill ? '#' : '.';
	buf[off++] = ']';
	snprintf(buf + off, len - off, " %3d%%", pct);
	return buf;
}

/* The job shown, from row y; returns the row after it. */
static int
jobs_draw_job(struct tui *t, struct jobs *js, int y, int cols)
{
	const Spis__V1__RenewalJob *j = js->job;
	char t1[32], t2[32], bar[96];

	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Job %lld · benefits due by "
	    "%s"), (long long)j->id, j->as_of);
	tui_put(t, y++, cols - 2 - tui_text_width(j->state),
	    tui_text_width(j->state), TUI_A_REVERSE, j->state);
	tui_putf(t, y++, 2, cols - 4, 0, _("Started by %s at %s · finished at "
	    "%s"), j->started_by, ren_time(j->started_at, t1, sizeof t1),
	    ren_time(j->finished_at, t2, sizeof t2));
	y++;
	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("Handled %lld of %lld  %s"),
	    (long long)j->processed, (long long)j->due, jobs_bar(j->processed,
	    j->due, cols / 3, bar, sizeof bar));
	tui_putf(t, y++, 2, cols - 4, 0, _("Eligible %lld · amount changed "
	    "%lld · not eligible %lld · could not be computed %lld"),
	    (long long)j->eligible, (long long)j->changed,
	    (long long)j->not_eligible, (long long)j->failed);
	tui_putf(t, y++, 2, cols - 4, 0, _("Its renewals now: in the objection "
	    "window %lld · objected %lld · renewed %lld · kept %lld · ended "
	    "%lld"), (long long)j->pending, (long long)j->objected,
	    (long long)j->renewed, (long long)j->kept, (long long)j->ended);
	return y;
}

static void
jobs_draw(struct tui *t, struct tui_screen *s)
{
	struct jobs *js = (struct jobs *)s;
	char line[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Yearly renewal of benefits"));
	y += 2;
	if (js->note[0] != '\0')
		tui_wrap(t, end - 4, 2, cols - 4, 3,
		    js->note_error ? TUI_A_ERROR : TUI_A_BOLD, js->note);
	tui_put(t, end - 1, 2, cols - 4, 0, js->c->sess.can_renewal ?
	    _("n Start a renewal job · Enter Show the selected job") :
	    _("Enter Show the selected job"));
	if (js->none)
		tui_put(t, y++, 2, cols - 4, 0,
		    _("No renewal job has been started yet."));
	else if (js->job != NULL)
		y = jobs_draw_job(t, js, y, cols);
	if (js->jl == NULL || js->jl->n_jobs == 0)
		return;
	y++;
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Recent jobs"));
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Job"), 6);
	console_cell(line, sizeof line, &off, _("Due by"), 10);
	console_cell(line, sizeof line, &off, _("State"), 8);
	console_cell(line, sizeof line, &off, _("Handled"), 9);
	console_cell(line, sizeof line, &off, _("Eligible"), 8);
	console_cell(line, sizeof line, &off, _("Changed"), 8);
	console_cell(line, sizeof line, &off, _("Not elig."), 9);
	console_cell(line, sizeof line, &off, _("Objected"), 9);
	console_cell(line, sizeof line, &off, _("Started by"), 11);
	console_cell(line, sizeof line, &off, _("Started at"), 16);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &js->list, y, 2, end - y - 4, cols - 4);
}

static void
jobs_wipe(struct tui_screen *s)
{
	struct jobs *js = (struct jobs *)s;

	jobs_free_job(js);
	jobs_free_list(js);
	explicit_bzero(js->note, sizeof js->note);
}

static void
jobs_destroy(struct tui_screen *s)
{
	struct jobs *js = (struct jobs *)s;

	jobs_free_job(js);
	jobs_free_list(js);
	free(js);
}

struct tui_screen *
console_renewal_new(struct console *c)
{
	struct jobs *js;

	if ((js = calloc(1, sizeof *js)) == NULL)
		return NULL;
	js->c = c;
	js->list.item = jobs_item;
	js->list.arg = js;
	js->rerun = 1;
	js->s.draw = jobs_draw;
	js->s.key = jobs_key;
	js->s.tick = jobs_tick;
	js->s.wipe = jobs_wipe;
	js->s.destroy = jobs_destroy;
	js->s.hints = jobs_hints;
	return &js->s;
}

/* ------------------------------------------------------------------------
 * Objections.
 */

struct objs {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__RenewalList *rl;
	struct tui_list list;
	char note[1024];
	int note_error;
	int rerun;
};

/* One objection, on a page of its own. */
struct obj {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct objs *list;	/* below it on the stack, outliving it */
	Spis__V1__Renewal *r;	/* a copy of its row in the list */
	struct console_doc *doc;
	char outcome[16];	/* the resolution being confirmed */
	char reason[CONSOLE_VALUE_MAX];
	char note[1024];
	int note_error;
};

static const struct tui_hint objs_hints[] = {
	{"Enter", N_("Open")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint obj_hints[] = {
	{"d", N_("Resolve")},
	{"↑↓", N_("Scroll")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint obj_hints_read[] = {
	{"↑↓", N_("Scroll")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
objs_free(struct objs *os)
{
	if (os->rl != NULL)
		protobuf_c_message_free_unpacked(&os->rl->base, NULL);
	os->rl = NULL;
	os->list.n = 0;
}

static void
objs_item(size_t i, char *buf, size_t len, void *arg)
{
	struct objs *os = arg;
	const Spis__V1__Renewal *r = os->rl->renewals[i];
	char id[32], m1[32], m2[32], amounts[80];
	size_t off = 0;

	snprintf(id, sizeof id, "#%lld", (long long)r->id);
	if (r->eligible)
		snprintf(amounts, sizeof amounts, "%s → %s",
		    console_money(r->old_amount, m1, sizeof m1),
		    console_money(r->new_amount, m2, sizeof m2));
	else
		snprintf(amounts, sizeof amounts, _("%s → not eligible"),
		    console_money(r->old_amount, m1, sizeof m1));
	buf[0] = '\0';
	console_cell(buf, len, &off, id, 8);
	console_cell(buf, len, &off, r->national_id, 11);
	console_cell(buf, len, &off, r->programme, 12);
	console_cell(buf, len, &off, amounts, 24);
	console_cell(buf, len, &off, r->municipality, 4);
	if (off < len)
		snprintf(buf + off, len - off, "%s", r->reason);
}

static void
objs_fetch(struct objs *os)
{
	Spis__V1__ListRenewalsRequest req =
	    SPIS__V1__LIST_RENEWALS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.state = "objected";
	st = console_call(os->c, &spis__v1__benefits__descriptor, REN_LIST,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		os->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		ren_failed(st, msg, _("your roles do not let you read "
		    "renewals."), os->note, sizeof os->note, &os->note_error);
		return;
	}
	objs_free(os);
	os->rl = (Spis__V1__RenewalList *)resp;
	os->list.n = os->rl->n_renewals;
	if (os->list.sel >= os->list.n)
		os->list.sel = os->list.n > 0 ? os->list.n - 1 : 0;
}

/* "eligible: a; b; amount EUR 1.00" as a heading and one line per
 * clause, into d at indent. */
static void
obj_explain(struct console_doc *d, int indent, const char *text)
{
	const char *p = text, *colon, *semi;

	if ((colon = strstr(p, ": ")) != NULL && colon - p < 16) {
		console_doc_add(d, indent, TUI_A_BOLD, "%.*s", (int)(colon - p),
		    p);
		p = colon + 2;
	}
	while (*p != '\0') {
		semi = strstr(p, "; ");
		if (semi == NULL) {
			console_doc_add(d, indent + 2, 0, "%s", p);
			break;
		}
		console_doc_add(d, indent + 2, 0, "%.*s", (int)(semi - p), p);
		p = semi + 2;
	}
}

/* The person's name, when the officer may read the registry; "" else. */
static void
obj_name(struct obj *o, char *buf, size_t len)
{
	Spis__V1__GetPersonRequest req = SPIS__V1__GET_PERSON_REQUEST__INIT;
	const Spis__V1__PersonCard *card;
	ProtobufCMessage *resp;
	char msg[256];

	buf[0] = '\0';
	if (!o->c->sess.can_read)
		return;
	req.national_id = o->r->national_id;
	req.purpose = "case_work";
	if (console_call(o->c, &spis__v1__registry__descriptor, REG_GET_PERSON,
	    &req.base, &resp, msg, sizeof msg) != GRPC_STATUS_OK)
		return;
	card = (const Spis__V1__PersonCard *)resp;
	if (card->person != NULL)
		snprintf(buf, len, "%s %s", card->person->given_names,
		    card->person->surname);
	protobuf_c_message_free_unpacked(resp, NULL);
}

static void
obj_fill(struct obj *o)
{
	const Spis__V1__Renewal *r = o->r;
	struct console_doc *d = o->doc;
	char name[256], m1[32], m2[32];

	obj_name(o, name, sizeof name);
	console_doc_clear(d);
	console_doc_add(d, 0, 0, _("Person: %s%s%s · municipality %s"),
	    name, name[0] != '\0' ? " · " : "", r->national_id,
	    r->municipality);
	console_doc_add(d, 0, 0, _("Benefit %lld · %s · renewal job %lld · "
	    "rules version %d"), (long long)r->benefit_id, r->programme,
	    (long long)r->job_id, r->rule_version);
	if (r->eligible)
		console_doc_add(d, 0, TUI_A_BOLD, _("Amount: %s %s now, %s %s "
		    "after the renewal"), console_money(r->old_amount, m1,
		    sizeof m1), r->currency, console_money(r->new_amount, m2,
		    sizeof m2), r->currency);
	else
		console_doc_add(d, 0, TUI_A_BOLD, _("Amount: %s %s now; no "
		    "longer eligible, the benefit would end"),
		    console_money(r->old_amount, m1, sizeof m1), r->currency);
	console_doc_add(d, 0, 0, _("Objections were accepted until %s; "
	    "recorded by %s"), r->objection_until, r->resolved_by);
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("The citizen's reason"));
	console_doc_add(d, 2, 0, "%s", r->reason);
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s",
	    _("The informative calculation"));
	obj_explain(d, 2, r->explanation);
}

static const char *const obj_outcomes[] = {"renew", "keep", "end", NULL};

static const struct console_input obj_resolve_inputs[] = {
	{"outcome", N_("Outcome: renew, keep or end"), 8, 1, obj_outcomes, 0,
	    0, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static void
obj_wipe_choice(struct obj *o)
{
	explicit_bzero(o->outcome, sizeof o->outcome);
	explicit_bzero(o->reason, sizeof o->reason);
}

static void
obj_resolve(struct tui *t, int yes, void *arg)
{
	struct obj *o = arg;
	struct objs *os = o->list;
	Spis__V1__ResolveObjectionRequest req =
	    SPIS__V1__RESOLVE_OBJECTION_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512];
	long long id = (long long)o->r->id;

	if (!yes) {
		obj_wipe_choice(o);
		return;
	}
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.renewal_id = o->r->id;
	req.outcome = o->outcome;
	req.reason = o->reason;
	st = console_call(o->c, &spis__v1__benefits__descriptor, REN_RESOLVE,
	    &req.base, &resp, msg, sizeof msg);
	obj_wipe_choice(o);
	if (st != GRPC_STATUS_OK) {
		ren_failed(st, msg, _("your roles do not let you resolve this "
		    "objection."), o->note, sizeof o->note, &o->note_error);
		return;
	}
	snprintf(os->note, sizeof os->note, _("The objection to renewal %lld "
	    "was resolved: %s."), id, ((Spis__V1__Renewal *)resp)->state);
	os->note_error = 0;
	os->rerun = 1;
	protobuf_c_message_free_unpacked(resp, NULL);
	/* Back to the list, which reads the objections again. */
	if (tui_top(t) == &o->s)
		tui_pop(t);
}

static int
obj_resolve_form(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct obj *o = arg;

	(void)c;
	(void)err;
	(void)errlen;
	console_form_value(f, 0, o->outcome);
	console_form_value(f, 1, o->reason);
	return 0;
}

/* Once the dialog is gone: what the choice does, to confirm. */
static void
obj_resolve_confirm(struct console *c, void *arg)
{
	struct obj *o = arg;
	const Spis__V1__Renewal *r = o->r;
	char q[1024], what[256], m[32];

	if (strcmp(o->outcome, "renew") == 0 && r->eligible)
		snprintf(what, sizeof what, _("renew the benefit with the new "
		    "amount, %s %s"), console_money(r->new_amount, m,
		    sizeof m), r->currency);
	else if (strcmp(o->outcome, "end") == 0)
		console_copy(what, sizeof what, _("end the benefit"));
	else
		snprintf(what, sizeof what, _("renew the benefit with the old "
		    "amount, %s %s"), console_money(r->old_amount, m,
		    sizeof m), r->currency);
	snprintf(q, sizeof q, _("Resolve the objection to renewal %lld: %s? "
	    "Reason: %s"), (long long)r->id, what, o->reason);
	tui_confirm(c->tui, q, obj_resolve, o);
}

static int
obj_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct obj *o = (struct obj *)s;
	struct tui_screen *d;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(o->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	/* Offered to those whose roles allow it; the daemon decides. */
	if (tui_key_is(k, 'd', 0)) {
		o->note[0] = '\0';
		d = console_dialog_new(o->c, _("Resolve the objection"),
		    obj_resolve_inputs, 2, obj_resolve_form,
		    obj_resolve_confirm, o);
		if (d != NULL)
			tui_push(t, d);
		return 1;
	}
	return console_doc_key(o->doc, k);
}

static void
obj_draw(struct tui *t, struct tui_screen *s)
{
	struct obj *o = (struct obj *)s;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Objection to renewal %lld · "
	    "%s · %s"), (long long)o->r->id, o->r->programme,
	    o->r->national_id);
	tui_put(t, y, cols - 2 - tui_text_width(o->r->state),
	    tui_text_width(o->r->state), TUI_A_REVERSE, o->r->state);
	y += 2;
	if (o->note[0] != '\0')
		tui_wrap(t, end - 4, 2, cols - 4, 3,
		    o->note_error ? TUI_A_ERROR : TUI_A_BOLD, o->note);
	if (o->c->sess.can_benefit_write)
		tui_put(t, end - 1, 2, cols - 4, 0,
		    _("d Resolve: renew, keep or end"));
	console_doc_draw(t, o->doc, y, 2, end - y - 5, cols - 4);
}

static void
obj_wipe(struct tui_screen *s)
{
	struct obj *o = (struct obj *)s;

	console_doc_clear(o->doc);
	obj_wipe_choice(o);
	explicit_bzero(o->note, sizeof o->note);
}

static void
obj_destroy(struct tui_screen *s)
{
	struct obj *o = (struct obj *)s;

	console_doc_free(o->doc);
	if (o->r != NULL)
		protobuf_c_message_free_unpacked(&o->r->base, NULL);
	free(o);
}

/* A deep copy of m by packing it; NULL when out of memory. */
static ProtobufCMessage *
ren_copy(const ProtobufCMessage *m)
{
	ProtobufCMessage *out;
	uint8_t *buf;
	size_t len;

	len = protobuf_c_message_get_packed_size(m);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		return NULL;
	protobuf_c_message_pack(m, buf);
	out = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
	explicit_bzero(buf, len);
	free(buf);
	return out;
}

static struct tui_screen *
obj_new(struct objs *os, const Spis__V1__Renewal *r)
{
	struct obj *o;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return NULL;
	o->c = os->c;
	o->list = os;
	if ((o->r = (Spis__V1__Renewal *)ren_copy(&r->base)) == NULL ||
	    (o->doc = console_doc_new()) == NULL) {
		if (o->r != NULL)
			protobuf_c_message_free_unpacked(&o->r->base, NULL);
		free(o);
		return NULL;
	}
	o->s.draw = obj_draw;
	o->s.key = obj_key;
	o->s.wipe = obj_wipe;
	o->s.destroy = obj_destroy;
	o->s.hints = os->c->sess.can_benefit_write ? obj_hints :
	    obj_hints_read;
	obj_fill(o);
	return &o->s;
}

static int
objs_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct objs *os = (struct objs *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(os->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		os->note[0] = '\0';
		objs_fetch(os);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (os->rl == NULL || os->list.sel >= os->rl->n_renewals)
			return 1;
		os->note[0] = '\0';
		next = obj_new(os, os->rl->renewals[os->list.sel]);
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	return tui_list_key(&os->list, k);
}

static void
objs_tick(struct tui *t, struct tui_screen *s)
{
	struct objs *os = (struct objs *)s;

	(void)t;
	if (os->rerun && os->c->sess.active) {
		os->rerun = 0;
		objs_fetch(os);
	}
}

static void
objs_draw(struct tui *t, struct tui_screen *s)
{
	struct objs *os = (struct objs *)s;
	char line[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD,
	    _("Objections to renewals awaiting a caseworker"));
	y += 2;
	if (os->note[0] != '\0')
		tui_wrap(t, end - 3, 2, cols - 4, 3,
		    os->note_error ? TUI_A_ERROR : TUI_A_BOLD, os->note);
	if (os->rl == NULL)
		return;
	if (os->rl->n_renewals == 0) {
		tui_put(t, y, 2, cols - 4, 0,
		    _("No objection is awaiting a caseworker."));
		return;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Renewal"), 8);
	console_cell(line, sizeof line, &off, _("National ID"), 11);
	console_cell(line, sizeof line, &off, _("Programme"), 12);
	console_cell(line, sizeof line, &off, _("Amount now → renewed"), 24);
	console_cell(line, sizeof line, &off, _("Mun."), 4);
	console_cell(line, sizeof line, &off, _("The citizen's reason"), 30);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &os->list, y, 2, end - y - 3, cols - 4);
}

static void
objs_wipe(struct tui_screen *s)
{
	struct objs *os = (struct objs *)s;

	objs_free(os);
	explicit_bzero(os->note, sizeof os->note);
}

static void
objs_destroy(struct tui_screen *s)
{
	struct objs *os = (struct objs *)s;

	objs_free(os);
	free(os);
}

struct tui_screen *
console_objections_new(struct console *c)
{
	struct objs *os;

	if ((os = calloc(1, sizeof *os)) == NULL)
		return NULL;
	os->c = c;
	os->list.item = objs_item;
	os->list.arg = os;
	os->rerun = 1;
	os->s.draw = objs_draw;
	os->s.key = objs_key;
	os->s.tick = objs_tick;
	os->s.wipe = objs_wipe;
	os->s.destroy = objs_destroy;
	os->s.hints = objs_hints;
	return &os->s;
}
