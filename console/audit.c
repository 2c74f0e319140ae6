/*
 * audit.c: the audit trail, for auditors.  Filters on top, one page of
 * rows from Audit/ListAudit below (newest first), the selected row in full
 * under the list, and the chain check (Audit/VerifyAudit) on a key.  The
 * daemon pages with an opaque token; the screen keeps the tokens of the
 * pages it has shown so that PgUp walks back.  The daemon checks the
 * filters, and a field it refuses is marked next to that field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/audit.pb-c.h"

#include "console.h"
#include "i18n.h"

enum { AUDIT_ACTOR, AUDIT_SUBJECT, AUDIT_METHOD, AUDIT_FROM, AUDIT_TO,
	AUDIT_NFIELDS };

#define AUDIT_PAGES_MAX 1000
#define AUDIT_TOKEN_MAX 64
#define AUDIT_VALUE_MAX (TUI_FIELD_MAX * 4 + 1)
/* Rows above the list: title, blank, the filters, the note, the column
 * heads. */
#define AUDIT_LIST_OFFSET (3 + AUDIT_NFIELDS + 2)
/* Methods are shown without the package, which every one shares. */
#define AUDIT_PACKAGE "/spis.v1."

struct audit {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct tui_field f[AUDIT_NFIELDS];
	int focus;
	Spis__V1__AuditPage *page; /* the rows shown, or NULL */
	struct tui_list list;
	int cols;		   /* the width the rows are laid out for */
	char tokens[AUDIT_PAGES_MAX][AUDIT_TOKEN_MAX]; /* of pages 1..n */
	int page_no;		   /* of the page shown, from 0 */
	char note[512];		   /* the last outcome: a check, an error */
	int note_error;
	int rerun; /* fetch the page again on the next turn */
};

/* The daemon's names of the filters, which its field errors start with. */
static const char *const audit_names[AUDIT_NFIELDS] = {
	"actor", "subject", "method", "from", "to",
};

static const char *const audit_labels[AUDIT_NFIELDS] = {
	N_("Officer"), N_("Subject"), N_("Method"), N_("From"), N_("To"),
};

static const int audit_maxlen[AUDIT_NFIELDS] = {32, 20, 48, 20, 20};

static const struct tui_hint audit_hints[] = {
	{"Enter", N_("Search")},
	{"Tab", N_("Filter")},
	{"PgUp/Dn", N_("Pages")},
	{"F4", N_("Verify")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

/* Rows of the list on the current terminal; also the page size asked. */
static int
audit_list_rows(struct audit *a)
{
	int top, rows, cols, n;

	tui_body(a->c->tui, &top, &rows, &cols);
	n = rows - AUDIT_LIST_OFFSET - 2;
	return n < 3 ? 3 : n;
}

static void
audit_free_rows(struct audit *a)
{
	if (a->page != NULL)
		protobuf_c_message_free_unpacked(&a->page->base, NULL);
	a->page = NULL;
	a->list.n = a->list.sel = 0;
}

/* Appends text to buf at *off, cut or padded to width columns. */
static void
audit_cell(char *buf, size_t len, size_t *off, const char *text, int width)
{
	size_t b;
	int used;

	if (width <= 0 || *off >= len)
		return;
	b = tui_text_fit(text, width, &used);
	if (b > len - *off - 1)
		b = len - *off - 1;
	memcpy(buf + *off, text, b);
	*off += b;
	for (; used < width + 1 && *off < len - 1; used++)
		buf[(*off)++] = ' ';
	buf[*off] = '\0';
}

/* Column widths for the width of the terminal; the terminal address
 * needs a wide one, and is always in the selected row's line. */
static void
audit_widths(int cols, int w[7])
{
	int wide = cols >= 110;

	w[0] = wide ? 19 : 14;
	w[1] = 10;
	w[2] = 9;
	w[3] = wide ? 15 : 0;
	w[4] = 20;
	w[5] = 11;
	w[6] = cols - 2 - w[0] - w[1] - w[2] - w[3] - w[4] - w[5] - 6 -
	    (wide ? 1 : 0);
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57:36", or without the year
 * when short is set. */
static void
audit_time(const char *at, int shortened, char *buf, size_t len)
{
	snprintf(buf, len, "%s", at + (shortened && strlen(at) > 5 ? 5 : 0));
	for (char *p = buf; *p != '\0'; p++)
		if (*p == 'T')
			*p = ' ';
		else if (*p == 'Z')
			*p = '\0';
}

static const char *
audit_method(const char *m)
{
	size_t n = strlen(AUDIT_PACKAGE);

	return strncmp(m, AUDIT_PACKAGE, n) == 0 ? m + n : m;
}

static void
audit_line(char *buf, size_t len, int cols, const char *const cells[7])
{
	size_t off = 0;
	int w[7];

	audit_widths(cols, w);
	buf[0] = '\0';
	for (int i = 0; i < 7; i++)
		audit_cell(buf, len, &off, cells[i], w[i]);
}

static void
audit_item(size_t i, char *buf, size_t len, void *arg)
{
	struct audit *a = arg;
	const Spis__V1__AuditRow *r = a->page->rows[i];
	char at[32];
	const char *cells[7];

	audit_time(r->at, a->cols < 110, at, sizeof at);
	cells[0] = at;
	cells[1] = r->actor;
	cells[2] = r->role;
	cells[3] = r->terminal;
	cells[4] = audit_method(r->method);
	cells[5] = r->subject;
	cells[6] = r->outcome;
	audit_line(buf, len, a->cols, cells);
}

/* Marks the field a daemon's "name: problem" message names.  Returns 1
 * when there was one. */
static int
audit_field_error(struct audit *a, const char *msg)
{
	size_t n;

	for (int i = 0; i < AUDIT_NFIELDS; i++) {
		n = strlen(audit_names[i]);
		if (strncmp(msg, audit_names[i], n) == 0 && msg[n] == ':') {
			console_copy(a->f[i].error, sizeof a->f[i].error,
			    msg);
			a->focus = i;
			return 1;
		}
	}
	return 0;
}

/*
 * Fetches page page_no (from 0), whose token is already in tokens.
 * Returns 0, or -1 when it failed and the reason is shown.
 */
static int
audit_fetch(struct audit *a, int page_no)
{
	Spis__V1__ListAuditRequest req = SPIS__V1__LIST_AUDIT_REQUEST__INIT;
	char values[AUDIT_NFIELDS][AUDIT_VALUE_MAX], msg[512];
	char **dst[AUDIT_NFIELDS] = {&req.actor, &req.subject, &req.method,
	    &req.from, &req.to};
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < AUDIT_NFIELDS; i++) {
		tui_field_value(&a->f[i], values[i], sizeof values[i]);
		*dst[i] = values[i];
		a->f[i].error[0] = '\0';
	}
	req.page_size = audit_list_rows(a);
	req.page_token = a->tokens[page_no];
	a->note[0] = '\0';
	st = console_call(a->c, &spis__v1__audit__descriptor, 0, &req.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		/* The login screen is on top now; the page is fetched again
		 * once the officer is back. */
		audit_free_rows(a);
		a->rerun = 1;
		return -1;
	}
	if (st != GRPC_STATUS_OK) {
		if (st != GRPC_STATUS_INVALID_ARGUMENT ||
		    !audit_field_error(a, msg)) {
			console_status_text(st, msg, a->note, sizeof a->note);
			a->note_error = 1;
		}
		return -1;
	}
	audit_free_rows(a);
	a->page = (Spis__V1__AuditPage *)resp;
	a->list.n = a->page->n_rows;
	a->page_no = page_no;
	if (page_no + 1 < AUDIT_PAGES_MAX)
		snprintf(a->tokens[page_no + 1], AUDIT_TOKEN_MAX, "%s",
		    a->page->next_page_token);
	return 0;
}

static void
audit_verify(struct audit *a)
{
	Spis__V1__VerifyAuditRequest req = SPIS__V1__VERIFY_AUDIT_REQUEST__INIT;
	const Spis__V1__AuditVerification *v;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	snprintf(a->note, sizeof a->note, "%s", _("Verifying the chain…"));
	a->note_error = 0;
	tui_redraw(a->c->tui);
	st = console_call(a->c, &spis__v1__audit__descriptor, 1, &req.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		a->note[0] = '\0';
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, a->note, sizeof a->note);
		a->note_error = 1;
		return;
	}
	v = (const Spis__V1__AuditVerification *)resp;
	if (v->intact)
		snprintf(a->note, sizeof a->note,
		    _("Audit chain intact: %lld rows checked"),
		    (long long)v->rows_checked);
	else {
		snprintf(a->note, sizeof a->note,
		    _("Audit chain BROKEN at row %lld (%lld rows checked)"),
		    (long long)v->first_bad_row, (long long)v->rows_checked);
		a->note_error = 1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
}

static int
audit_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct audit *a = (struct audit *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		/* Logging out pops this screen: nothing of it is used after. */
		console_logout(a->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_enter(k)) {
		a->tokens[0][0] = '\0';
		audit_fetch(a, 0);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (a->page != NULL && a->page->next_page_token[0] != '\0' &&
		    a->page_no + 1 < AUDIT_PAGES_MAX)
			audit_fetch(a, a->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (a->page_no > 0)
			audit_fetch(a, a->page_no - 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(4))) {
		audit_verify(a);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_UP) || tui_key_is(k, 0, KEY_DOWN))
		return tui_list_key(&a->list, k);
	if (tui_key_is(k, '\t', 0)) {
		a->focus = (a->focus + 1) % AUDIT_NFIELDS;
		return 1;
	}
	if (tui_key_is(k, 0, KEY_BTAB)) {
		a->focus = (a->focus + AUDIT_NFIELDS - 1) % AUDIT_NFIELDS;
		return 1;
	}
	return tui_field_key(&a->f[a->focus], k);
}

static void
audit_tick(struct tui *t, struct tui_screen *s)
{
	struct audit *a = (struct audit *)s;

	(void)t;
	if (a->rerun && a->c->sess.active) {
		a->rerun = 0;
		audit_fetch(a, a->page_no);
	}
}

static void
audit_draw(struct tui *t, struct tui_screen *s)
{
	struct audit *a = (struct audit *)s;
	const Spis__V1__AuditRow *r;
	const char *heads[7];
	char line[1024], at[32];
	int top, rows, cols, y, lw = 0, w, x, fw, nrows, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	a->cols = cols;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Audit trail"));
	y += 2;

	for (int i = 0; i < AUDIT_NFIELDS; i++)
		if ((w = tui_text_width(_(audit_labels[i]))) > lw)
			lw = w;
	x = 4 + lw;
	for (int i = 0; i < AUDIT_NFIELDS; i++, y++) {
		tui_put(t, y, 2, lw, i == a->focus ? TUI_A_BOLD : 0,
		    _(audit_labels[i]));
		fw = tui_field_draw_at(t, &a->f[i], y, x, cols - x - 2,
		    i == a->focus);
		if (a->f[i].error[0] != '\0')
			tui_put(t, y, x + fw + 1, cols - x - fw - 1,
			    TUI_A_ERROR, a->f[i].error);
	}
	if (a->note[0] != '\0')
		tui_put(t, y, 2, cols - 4,
		    a->note_error ? TUI_A_ERROR : TUI_A_BOLD, a->note);
	y++;

	heads[0] = _("Time");
	heads[1] = _("Officer");
	heads[2] = _("Role");
	heads[3] = _("Terminal");
	heads[4] = _("Method");
	heads[5] = _("Subject");
	heads[6] = _("Outcome");
	audit_line(line, sizeof line, cols, heads);
	tui_put(t, y++, 2, cols - 2, TUI_A_UNDERLINE, line);

	nrows = end - y - 2;
	if (a->page == NULL || a->page->n_rows == 0) {
		if (a->page != NULL)
			tui_put(t, y, 2, cols - 4, TUI_A_NORMAL,
			    _("No audit rows match these filters."));
		return;
	}
	tui_list_draw(t, &a->list, y, 2, nrows, cols - 2);
	/* The list took the cursor; it belongs in the filter being typed,
	 * so that field is drawn once more. */
	tui_field_draw_at(t, &a->f[a->focus], top + 3 + a->focus, x,
	    cols - x - 2, 1);
	y += nrows;
	r = a->page->rows[a->list.sel];
	audit_time(r->at, 0, at, sizeof at);
	snprintf(line, sizeof line, "%s · %s · %s · %s · %s · %s · %s%s%s",
	    at, r->actor[0] != '\0' ? r->actor : "-", r->role, r->terminal,
	    r->method, r->subject[0] != '\0' ? r->subject : "-", r->outcome,
	    r->detail[0] != '\0' ? " · " : "", r->detail);
	tui_put(t, y++, 2, cols - 4, TUI_A_NORMAL, line);
	snprintf(line, sizeof line, _("Page %d, %zu rows"), a->page_no + 1,
	    a->page->n_rows);
	if (a->page->next_page_token[0] != '\0') {
		size_t n = strlen(line);

		snprintf(line + n, sizeof line - n, "  %s",
		    _("More: PgDn"));
	}
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, line);
}

/* The filters and the rows are personal data: nothing stays once the
 * screen is left. */
static void
audit_wipe(struct tui_screen *s)
{
	struct audit *a = (struct audit *)s;

	for (int i = 0; i < AUDIT_NFIELDS; i++)
		tui_field_wipe(&a->f[i]);
	audit_free_rows(a);
	explicit_bzero(a->tokens, sizeof a->tokens);
	explicit_bzero(a->note, sizeof a->note);
}

static void
audit_destroy(struct tui_screen *s)
{
	struct audit *a = (struct audit *)s;

	audit_free_rows(a);
	free(a);
}

struct tui_screen *
console_audit_new(struct console *c)
{
	struct audit *a;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	a->c = c;
	for (int i = 0; i < AUDIT_NFIELDS; i++) {
		a->f[i].label = audit_labels[i];
		a->f[i].maxlen = audit_maxlen[i];
	}
	a->list.item = audit_item;
	a->list.arg = a;
	a->rerun = 1; /* the newest rows, at once */
	a->s.draw = audit_draw;
	a->s.key = audit_key;
	a->s.tick = audit_tick;
	a->s.wipe = audit_wipe;
	a->s.destroy = audit_destroy;
	a->s.hints = audit_hints;
	return &a->s;
}
