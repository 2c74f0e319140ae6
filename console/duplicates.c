/*
 * duplicates.c: the review list of likely duplicates
 * (Duplicates/ListDuplicateFlags, open flags first): each pair with the
 * reasons it was flagged, the selected pair side by side, and the two
 * decisions a clerk takes on it, "distinct" or a merge keeping one of the
 * two records, each asked to be confirmed and given a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

#define DUP_PAGES_MAX 100
#define DUP_TOKEN_MAX 128

static const char *const dup_statuses[] = {"open", "distinct", "merged",
	NULL};

struct dup {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	int status;		 /* into dup_statuses */
	Spis__V1__DuplicateFlagList *page;
	struct tui_list list;
	char tokens[DUP_PAGES_MAX][DUP_TOKEN_MAX];
	int page_no;
	char note[512];
	int note_error;
	int rerun;
	/* The decision being confirmed. */
	int64_t flag_id;
	char resolution[16];
	char keep[32];
};

static const struct tui_hint dup_hints[] = {
	{"s", N_("Status")},
	{"PgUp/Dn", N_("Pages")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
dup_free(struct dup *d)
{
	if (d->page != NULL)
		protobuf_c_message_free_unpacked(&d->page->base, NULL);
	d->page = NULL;
	d->list.n = d->list.sel = 0;
}

static void
dup_item(size_t i, char *buf, size_t len, void *arg)
{
	struct dup *d = arg;
	const Spis__V1__DuplicateFlag *fl = d->page->flags[i];
	char reasons[256];
	size_t off = 0;

	reasons[0] = '\0';
	for (size_t k = 0; k < fl->n_reasons && off < sizeof reasons; k++)
		off += snprintf(reasons + off, sizeof reasons - off, "%s%s",
		    k > 0 ? ", " : "", fl->reasons[k]);
	snprintf(buf, len, "#%-5lld %-11s %-11s %s", (long long)fl->id,
	    fl->a != NULL ? fl->a->national_id : "-",
	    fl->b != NULL ? fl->b->national_id : "-", reasons);
}

static void
dup_fetch(struct dup *d, int page_no)
{
	Spis__V1__ListDuplicateFlagsRequest req =
	    SPIS__V1__LIST_DUPLICATE_FLAGS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];
	int top, rows, cols;

	tui_body(d->c->tui, &top, &rows, &cols);
	req.status = (char *)dup_statuses[d->status];
	req.page_size = rows - 14 < 3 ? 3 : rows - 14;
	req.page_token = d->tokens[page_no];
	st = console_call(d->c, &spis__v1__duplicates__descriptor, 1,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		d->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNIMPLEMENTED)
			console_copy(d->note, sizeof d->note,
			    _("Duplicate review is not available on this "
			    "server."));
		else
			console_status_text(st, msg, d->note, sizeof d->note);
		d->note_error = 1;
		return;
	}
	dup_free(d);
	d->page = (Spis__V1__DuplicateFlagList *)resp;
	d->list.n = d->page->n_flags;
	d->page_no = page_no;
	if (page_no + 1 < DUP_PAGES_MAX)
		console_copy(d->tokens[page_no + 1], DUP_TOKEN_MAX,
		    d->page->next_page_token);
}

static const struct console_input dup_inputs[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
dup_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct dup *d = arg;
	Spis__V1__ResolveDuplicateRequest req =
	    SPIS__V1__RESOLVE_DUPLICATE_REQUEST__INIT;
	char reason[CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	console_form_value(f, 0, reason);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.flag_id = d->flag_id;
	req.resolution = d->resolution;
	req.keep_national_id = d->keep;
	req.reason = reason;
	st = console_call(c, &spis__v1__duplicates__descriptor, 2, &req.base,
	    &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(d->note, sizeof d->note, strcmp(d->resolution, "merge") == 0 ?
	    _("Pair #%lld merged, keeping %s.") :
	    _("Pair #%lld marked as distinct people."),
	    (long long)d->flag_id, d->keep);
	d->note_error = 0;
	d->rerun = 1;
	return 0;
}

/* Confirmed: the reason is asked for, and the decision sent with it. */
static void
dup_confirmed(struct tui *t, int yes, void *arg)
{
	struct dup *d = arg;
	struct tui_screen *dl;

	if (!yes)
		return;
	dl = console_dialog_new(d->c, _("Why? (kept in the history)"),
	    dup_inputs, 1, dup_send, NULL, d);
	if (dl != NULL)
		tui_push(t, dl);
}

static void
dup_decide(struct dup *d, const char *resolution, char which)
{
	const Spis__V1__DuplicateFlag *fl;
	const Spis__V1__PersonSummary *keep, *drop;
	char q[512];

	if (d->page == NULL || d->list.n == 0)
		return;
	fl = d->page->flags[d->list.sel];
	if (fl->a == NULL || fl->b == NULL || strcmp(fl->status, "open") != 0)
		return;
	d->flag_id = fl->id;
	console_copy(d->resolution, sizeof d->resolution, resolution);
	keep = which == 'b' ? fl->b : fl->a;
	drop = which == 'b' ? fl->a : fl->b;
	if (strcmp(resolution, "merge") == 0) {
		console_copy(d->keep, sizeof d->keep, keep->national_id);
		snprintf(q, sizeof q, _("Merge %s %s (%s) into %s %s (%s)? The "
		    "record %s stays; both histories are kept."),
		    drop->given_names, drop->surname, drop->national_id,
		    keep->given_names, keep->surname, keep->national_id,
		    keep->national_id);
	} else {
		d->keep[0] = '\0';
		snprintf(q, sizeof q, _("Mark %s and %s as two distinct "
		    "people?"), fl->a->national_id, fl->b->national_id);
	}
	d->note[0] = '\0';
	tui_confirm(d->c->tui, q, dup_confirmed, d);
}

static int
dup_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct dup *d = (struct dup *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(d->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (d->page != NULL && d->page->next_page_token[0] != '\0' &&
		    d->page_no + 1 < DUP_PAGES_MAX)
			dup_fetch(d, d->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (d->page_no > 0)
			dup_fetch(d, d->page_no - 1);
		return 1;
	}
	if (k.fn)
		return tui_list_key(&d->list, k);
	switch (k.c) {
	case 's':
		d->status = dup_statuses[d->status + 1] != NULL ?
		    d->status + 1 : 0;
		d->tokens[0][0] = '\0';
		d->note[0] = '\0';
		dup_fetch(d, 0);
		return 1;
	case 'x':
		dup_decide(d, "distinct", 0);
		return 1;
	case 'a':
	case 'b':
		dup_decide(d, "merge", (char)k.c);
		return 1;
	}
	return 0;
}

static void
dup_tick(struct tui *t, struct tui_screen *s)
{
	struct dup *d = (struct dup *)s;

	(void)t;
	if (d->rerun && d->c->sess.active) {
		d->rerun = 0;
		dup_fetch(d, d->page_no);
	}
}

/* One side of the pair, in a column from x. */
static void
dup_side(struct tui *t, int y, int x, int w, const char *head,
    const Spis__V1__PersonSummary *p)
{
	tui_put(t, y++, x, w, TUI_A_UNDERLINE, head);
	if (p == NULL)
		return;
	tui_put(t, y++, x, w, TUI_A_BOLD, p->national_id);
	tui_putf(t, y++, x, w, 0, "%s %s", p->given_names, p->surname);
	tui_putf(t, y++, x, w, 0, "%s %s · %s %s", _("born"), p->birth_date,
	    _("mun."), p->municipality);
	if (p->deceased_date[0] != '\0')
		tui_putf(t, y++, x, w, TUI_A_ERROR, "%s %s", _("deceased"),
		    p->deceased_date);
	if (p->merged_into[0] != '\0')
		tui_putf(t, y, x, w, TUI_A_ERROR, "%s %s", _("merged into"),
		    p->merged_into);
}

static void
dup_draw(struct tui *t, struct tui_screen *s)
{
	struct dup *d = (struct dup *)s;
	const Spis__V1__DuplicateFlag *fl;
	char line[512];
	int top, rows, cols, y, end, n, half;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Duplicate review: %s"),
	    dup_statuses[d->status]);
	y += 2;
	if (d->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 1,
		    d->note_error ? TUI_A_ERROR : TUI_A_BOLD, d->note);
	if (d->page == NULL)
		return;
	if (d->page->n_flags == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No pairs to review."));
		return;
	}
	snprintf(line, sizeof line, "  %-6s %-11s %-11s %s", _("Pair"), "A",
	    "B", _("Reasons"));
	tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
	n = end - y - 10;
	if (n < 2)
		n = 2;
	tui_list_draw(t, &d->list, y, 2, n, cols - 4);
	y += n + 1;
	fl = d->page->flags[d->list.sel];
	half = (cols - 6) / 2;
	dup_side(t, y, 2, half, "A", fl->a);
	dup_side(t, y, 4 + half, half, "B", fl->b);
	y += 6;
	if (strcmp(fl->status, "open") == 0)
		tui_put(t, y, 2, cols - 4, 0, _("x Distinct people · a Merge "
		    "keeping A · b Merge keeping B"));
	else
		tui_putf(t, y, 2, cols - 4, 0, "%s %s %s · %s",
		    fl->status, fl->resolved_at, fl->resolved_by,
		    fl->resolution_reason);
}

static void
dup_wipe(struct tui_screen *s)
{
	struct dup *d = (struct dup *)s;

	dup_free(d);
	explicit_bzero(d->tokens, sizeof d->tokens);
	explicit_bzero(d->note, sizeof d->note);
}

static void
dup_destroy(struct tui_screen *s)
{
	struct dup *d = (struct dup *)s;

	dup_free(d);
	free(d);
}

struct tui_screen *
console_duplicates_new(struct console *c)
{
	struct dup *d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->c = c;
	d->list.item = dup_item;
	d->list.arg = d;
	d->rerun = 1;
	d->s.draw = dup_draw;
	d->s.key = dup_key;
	d->s.tick = dup_tick;
	d->s.wipe = dup_wipe;
	d->s.destroy = dup_destroy;
	d->s.hints = dup_hints;
	return &d->s;
}
