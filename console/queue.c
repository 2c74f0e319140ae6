/*
 * queue.c: the work that waits.  The home screen's dashboard counts the
 * applications per programme and state with the age of the oldest
 * (Applications/QueueCounts); the work queue lists them oldest first
 * (Applications/Queue), filtered by programme and state, a page at a time,
 * and Enter opens the review of the one selected.  The daemon decides
 * which municipality's queue an officer sees: their own, or all for a
 * national officer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/applications.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "console.h"
#include "i18n.h"

#define QUEUE_PAGES_MAX 100
#define QUEUE_TOKEN_MAX 128
#define QUEUE_PROGS_MAX 64

/* ------------------------------------------------------------------------
 * The dashboard.
 */

struct console_counts {
	Spis__V1__QueueCountsReply *reply; /* or NULL */
	char note[256];			   /* why there is none */
};

struct console_counts *
console_counts_new(void)
{
	return calloc(1, sizeof(struct console_counts));
}

static void
counts_drop(struct console_counts *k)
{
	if (k->reply != NULL)
		protobuf_c_message_free_unpacked(&k->reply->base, NULL);
	k->reply = NULL;
}

void
console_counts_fetch(struct console *c, struct console_counts *k)
{
	Spis__V1__QueueCountsRequest req =
	    SPIS__V1__QUEUE_COUNTS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[256];

	st = console_call(c, &spis__v1__applications__descriptor, 11,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	counts_drop(k);
	k->note[0] = '\0';
	if (st == GRPC_STATUS_UNIMPLEMENTED)
		console_copy(k->note, sizeof k->note,
		    _("The queue is not available on this server."));
	else if (st != GRPC_STATUS_OK)
		console_status_text(st, msg, k->note, sizeof k->note);
	else
		k->reply = (Spis__V1__QueueCountsReply *)resp;
}

int
console_counts_draw(struct tui *t, struct console_counts *k, int y,
    int x, int rows, int cols)
{
	char line[256];
	int y0 = y, end = y + rows;
	long long total = 0;
	size_t off;

	if (rows < 2)
		return 0;
	tui_put(t, y++, x, cols, TUI_A_BOLD, _("Applications waiting"));
	if (k->reply == NULL) {
		if (k->note[0] != '\0')
			y += tui_wrap(t, y, x + 2, cols - 2, end - y, TUI_A_ERROR,
			    k->note);
		return y - y0;
	}
	if (k->reply->n_counts == 0) {
		tui_put(t, y++, x + 2, cols - 2, 0, _("Nothing is waiting."));
		return y - y0;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Programme"), 10);
	console_cell(line, sizeof line, &off, _("State"), 10);
	console_cell(line, sizeof line, &off, _("Count"), 6);
	console_cell(line, sizeof line, &off, _("Oldest"), 8);
	tui_put(t, y++, x + 2, cols - 2, TUI_A_UNDERLINE, line);
	for (size_t i = 0; i < k->reply->n_counts; i++) {
		const Spis__V1__QueueCount *qc = k->reply->counts[i];
		char n[32], days[32];

		total += qc->count;
		if (y >= end - 1)
			continue;
		snprintf(n, sizeof n, "%lld", (long long)qc->count);
		snprintf(days, sizeof days, _("%d d"), qc->oldest_days);
		off = 0;
		line[0] = '\0';
		console_cell(line, sizeof line, &off, qc->programme, 10);
		console_cell(line, sizeof line, &off, qc->state, 10);
		console_cell(line, sizeof line, &off, n, 6);
		console_cell(line, sizeof line, &off, days, 8);
		tui_put(t, y++, x + 2, cols - 2, 0, line);
	}
	tui_putf(t, y++, x + 2, cols - 2, TUI_A_BOLD, _("Total %lld"), total);
	return y - y0;
}

void
console_counts_free(struct console_counts *k)
{
	if (k == NULL)
		return;
	counts_drop(k);
	free(k);
}

/* ------------------------------------------------------------------------
 * The work queue.
 */

/* "" is the daemon's default: everything still open. */
static const char *const queue_states[] = {"", "submitted", "in_review",
	"appealed", "approved", "rejected", "withdrawn", NULL};

struct queue {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char progs[QUEUE_PROGS_MAX][20]; /* "" first: every programme */
	int nprogs, prog, state;
	Spis__V1__QueueReply *page;
	struct tui_list list;
	char tokens[QUEUE_PAGES_MAX][QUEUE_TOKEN_MAX];
	int page_no;
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint queue_hints[] = {
	{"Enter", N_("Open")},
	{"p", N_("Programme")},
	{"s", N_("State")},
	{"PgUp/Dn", N_("Pages")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
queue_free(struct queue *q)
{
	if (q->page != NULL)
		protobuf_c_message_free_unpacked(&q->page->base, NULL);
	q->page = NULL;
	q->list.n = q->list.sel = 0;
}

static void
queue_item(size_t i, char *buf, size_t len, void *arg)
{
	struct queue *q = arg;
	const Spis__V1__QueueItem *it = q->page->items[i];
	char age[32], flags[32];
	size_t off = 0;

	snprintf(age, sizeof age, _("%d d"), it->age_days);
	if (it->flags > 0)
		snprintf(flags, sizeof flags, _("%d flags"), it->flags);
	else
		flags[0] = '\0';
	buf[0] = '\0';
	console_cell(buf, len, &off, it->reference, 12);
	console_cell(buf, len, &off, it->programme, 9);
	console_cell(buf, len, &off, it->state, 9);
	console_cell(buf, len, &off, age, 6);
	console_cell(buf, len, &off, it->applicant_name, 24);
	console_cell(buf, len, &off, it->municipality, 4);
	console_cell(buf, len, &off, flags, 9);
}

/* The programme codes for the filter, read once. */
static void
queue_programmes(struct queue *q)
{
	Spis__V1__ListProgrammesRequest req =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	const Spis__V1__ProgrammeList *pl;
	ProtobufCMessage *resp;
	char msg[256];

	q->nprogs = 1;
	q->progs[0][0] = '\0';
	req.include_closed = 1;
	if (console_call(q->c, &spis__v1__programmes__descriptor, 0, &req.base,
	    &resp, msg, sizeof msg) != GRPC_STATUS_OK)
		return;
	pl = (const Spis__V1__ProgrammeList *)resp;
	for (size_t i = 0; i < pl->n_programmes && q->nprogs < QUEUE_PROGS_MAX;
	    i++)
		console_copy(q->progs[q->nprogs++], sizeof q->progs[0],
		    pl->programmes[i]->code);
	protobuf_c_message_free_unpacked(resp, NULL);
}

static int
queue_rows(struct queue *q)
{
	int top, rows, cols;

	tui_body(q->c->tui, &top, &rows, &cols);
	return rows - 8 < 3 ? 3 : rows - 8;
}

static void
queue_fetch(struct queue *q, int page_no)
{
	Spis__V1__QueueRequest req = SPIS__V1__QUEUE_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.programme = q->progs[q->prog];
	req.state = (char *)queue_states[q->state];
	req.page_size = queue_rows(q);
	if (req.page_size > 100)
		req.page_size = 100;
	req.page_token = q->tokens[page_no];
	st = console_call(q->c, &spis__v1__applications__descriptor, 10,
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
	queue_free(q);
	q->note[0] = '\0';
	q->page = (Spis__V1__QueueReply *)resp;
	q->list.n = q->page->n_items;
	if (q->list.sel >= q->list.n)
		q->list.sel = q->list.n > 0 ? q->list.n - 1 : 0;
	q->page_no = page_no;
	if (page_no + 1 < QUEUE_PAGES_MAX)
		console_copy(q->tokens[page_no + 1], QUEUE_TOKEN_MAX,
		    q->page->next_page_token);
}

static void
queue_refilter(struct queue *q)
{
	q->tokens[0][0] = '\0';
	queue_fetch(q, 0);
}

static int
queue_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct queue *q = (struct queue *)s;
	struct tui_screen *next;

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
		    q->page_no + 1 < QUEUE_PAGES_MAX)
			queue_fetch(q, q->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (q->page_no > 0)
			queue_fetch(q, q->page_no - 1);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (q->page == NULL || q->list.sel >= q->page->n_items)
			return 1;
		next = console_application_new(q->c,
		    q->page->items[q->list.sel]->reference);
		if (next != NULL) {
			q->rerun = 1;
			tui_push(t, next);
		}
		return 1;
	}
	if (tui_key_is(k, 'p', 0)) {
		q->prog = (q->prog + 1) % q->nprogs;
		queue_refilter(q);
		return 1;
	}
	if (tui_key_is(k, 'P', 0)) {
		q->prog = (q->prog + q->nprogs - 1) % q->nprogs;
		queue_refilter(q);
		return 1;
	}
	if (tui_key_is(k, 's', 0)) {
		q->state = queue_states[q->state + 1] != NULL ? q->state + 1 : 0;
		queue_refilter(q);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		queue_fetch(q, q->page_no);
		return 1;
	}
	return tui_list_key(&q->list, k);
}

/* Read when shown, and again when the officer comes back from a review. */
static void
queue_tick(struct tui *t, struct tui_screen *s)
{
	struct queue *q = (struct queue *)s;

	(void)t;
	if (!q->rerun || !q->c->sess.active)
		return;
	q->rerun = 0;
	if (q->nprogs == 0)
		queue_programmes(q);
	queue_fetch(q, q->page_no);
}

static void
queue_draw(struct tui *t, struct tui_screen *s)
{
	struct queue *q = (struct queue *)s;
	char line[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Work queue"));
	tui_putf(t, y, 2, cols - 4, 0, _("Programme: %s · State: %s"),
	    q->nprogs > 0 && q->progs[q->prog][0] != '\0' ? q->progs[q->prog] :
	    _("all"), queue_states[q->state][0] != '\0' ?
	    queue_states[q->state] : _("open (submitted, in review, appealed)"));
	y += 2;
	if (q->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2,
		    q->note_error ? TUI_A_ERROR : TUI_A_BOLD, q->note);
	if (q->page == NULL)
		return;
	if (q->page->n_items == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No applications wait here."));
		return;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Reference"), 12);
	console_cell(line, sizeof line, &off, _("Programme"), 9);
	console_cell(line, sizeof line, &off, _("State"), 9);
	console_cell(line, sizeof line, &off, _("Age"), 6);
	console_cell(line, sizeof line, &off, _("Applicant"), 24);
	console_cell(line, sizeof line, &off, _("Mun."), 4);
	console_cell(line, sizeof line, &off, _("Flags"), 9);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &q->list, y, 2, end - y - 2, cols - 4);
	snprintf(line, sizeof line, _("Page %d · %lld waiting"),
	    q->page_no + 1, (long long)q->page->total);
	if (q->page->next_page_token[0] != '\0') {
		size_t l = strlen(line);

		snprintf(line + l, sizeof line - l, "  %s", _("More: PgDn"));
	}
	tui_put(t, end - 1, 2, cols - 4, TUI_A_BOLD, line);
}

/* Names and national IDs are personal data: nothing stays. */
static void
queue_wipe(struct tui_screen *s)
{
	struct queue *q = (struct queue *)s;

	queue_free(q);
	explicit_bzero(q->tokens, sizeof q->tokens);
	explicit_bzero(q->note, sizeof q->note);
}

static void
queue_destroy(struct tui_screen *s)
{
	struct queue *q = (struct queue *)s;

	queue_free(q);
	free(q);
}

struct tui_screen *
console_queue_new(struct console *c)
{
	struct queue *q;

	if ((q = calloc(1, sizeof *q)) == NULL)
		return NULL;
	q->c = c;
	q->list.item = queue_item;
	q->list.arg = q;
	q->rerun = 1;
	q->s.draw = queue_draw;
	q->s.key = queue_key;
	q->s.tick = queue_tick;
	q->s.wipe = queue_wipe;
	q->s.destroy = queue_destroy;
	q->s.hints = queue_hints;
	return &q->s;
}
