/*
 * history.c: a person's change history (Registry/GetPersonHistory), newest
 * first: when, which officer, which field, the old and the new value, and
 * why.  Pages come with an opaque token, kept for every page shown so that
 * PgUp walks back; the selected change is shown in full under the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

#define HISTORY_PAGES_MAX 200
#define HISTORY_TOKEN_MAX 128

struct history {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char id[32];
	char purpose[32];
	Spis__V1__PersonHistory *page;
	struct tui_list list;
	char tokens[HISTORY_PAGES_MAX][HISTORY_TOKEN_MAX];
	int page_no;
	char note[512];
	int rerun;
};

static const struct tui_hint history_hints[] = {
	{"PgUp/Dn", N_("Pages")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
history_free(struct history *h)
{
	if (h->page != NULL)
		protobuf_c_message_free_unpacked(&h->page->base, NULL);
	h->page = NULL;
	h->list.n = h->list.sel = 0;
}

static int
history_rows(struct history *h)
{
	int top, rows, cols, n;

	tui_body(h->c->tui, &top, &rows, &cols);
	n = rows - 8;
	return n < 3 ? 3 : n;
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57". */
static void
history_time(const char *at, char *buf, size_t len)
{
	snprintf(buf, len, "%.16s", at);
	if (strlen(buf) > 10)
		buf[10] = ' ';
}

static void
history_item(size_t i, char *buf, size_t len, void *arg)
{
	struct history *h = arg;
	const Spis__V1__PersonChange *ch = h->page->changes[i];
	char at[32];
	size_t off = 0;

	history_time(ch->at, at, sizeof at);
	buf[0] = '\0';
	console_cell(buf, len, &off, at, 17);
	console_cell(buf, len, &off, ch->officer, 10);
	console_cell(buf, len, &off, ch->field, 13);
	if (off < len)
		snprintf(buf + off, len - off, "%s → %s · %s",
		    ch->old_value[0] != '\0' ? ch->old_value : "-",
		    ch->new_value[0] != '\0' ? ch->new_value : "-", ch->reason);
}

static void
history_fetch(struct history *h, int page_no)
{
	Spis__V1__GetPersonHistoryRequest req =
	    SPIS__V1__GET_PERSON_HISTORY_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.national_id = h->id;
	req.purpose = h->purpose;
	req.page_size = history_rows(h);
	req.page_token = h->tokens[page_no];
	h->note[0] = '\0';
	st = console_call(h->c, &spis__v1__registry__descriptor, 3, &req.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		h->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, h->note, sizeof h->note);
		return;
	}
	history_free(h);
	h->page = (Spis__V1__PersonHistory *)resp;
	h->list.n = h->page->n_changes;
	h->page_no = page_no;
	if (page_no + 1 < HISTORY_PAGES_MAX)
		console_copy(h->tokens[page_no + 1], HISTORY_TOKEN_MAX,
		    h->page->next_page_token);
}

static int
history_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct history *h = (struct history *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(h->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (h->page != NULL && h->page->next_page_token[0] != '\0' &&
		    h->page_no + 1 < HISTORY_PAGES_MAX)
			history_fetch(h, h->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (h->page_no > 0)
			history_fetch(h, h->page_no - 1);
		return 1;
	}
	return tui_list_key(&h->list, k);
}

static void
history_tick(struct tui *t, struct tui_screen *s)
{
	struct history *h = (struct history *)s;

	(void)t;
	if (h->rerun && h->c->sess.active) {
		h->rerun = 0;
		history_fetch(h, h->page_no);
	}
}

static void
history_draw(struct tui *t, struct tui_screen *s)
{
	struct history *h = (struct history *)s;
	const Spis__V1__PersonChange *ch;
	char line[1024];
	int top, rows, cols, y, n;

	tui_body(t, &top, &rows, &cols);
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("History of %s"), h->id);
	y += 2;
	if (h->note[0] != '\0') {
		tui_wrap(t, y, 2, cols - 4, 2, TUI_A_ERROR, h->note);
		return;
	}
	if (h->page == NULL)
		return;
	if (h->page->n_changes == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No changes recorded."));
		return;
	}
	snprintf(line, sizeof line, "  %-16s  %-10s %-13s %s", _("When"),
	    _("Officer"), _("Field"), _("Old → new · reason"));
	tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
	n = top + rows - y - 3;
	tui_list_draw(t, &h->list, y, 2, n, cols - 4);
	y += n;
	ch = h->page->changes[h->list.sel];
	/* The selected change in full: the list cuts long values. */
	snprintf(line, sizeof line, "%s: %s → %s", ch->field, ch->old_value,
	    ch->new_value);
	tui_put(t, y, 2, cols - 4, 0, line);
	snprintf(line, sizeof line, _("Reason: %s"), ch->reason);
	tui_put(t, y + 1, 2, cols - 4, 0, line);
	snprintf(line, sizeof line, _("Page %d, %zu changes"), h->page_no + 1,
	    h->page->n_changes);
	if (h->page->next_page_token[0] != '\0') {
		size_t l = strlen(line);

		snprintf(line + l, sizeof line - l, "  %s", _("More: PgDn"));
	}
	tui_put(t, y + 2, 2, cols - 4, TUI_A_BOLD, line);
}

static void
history_wipe(struct tui_screen *s)
{
	struct history *h = (struct history *)s;

	history_free(h);
	explicit_bzero(h->tokens, sizeof h->tokens);
	explicit_bzero(h->note, sizeof h->note);
}

static void
history_destroy(struct tui_screen *s)
{
	struct history *h = (struct history *)s;

	history_free(h);
	free(h);
}

struct tui_screen *
console_history_new(struct console *c, const char *national_id,
    const char *purpose)
{
	struct history *h;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->c = c;
	console_copy(h->id, sizeof h->id, national_id);
	console_copy(h->purpose, sizeof h->purpose, purpose);
	h->list.item = history_item;
	h->list.arg = h;
	h->rerun = 1;
	h->s.draw = history_draw;
	h->s.key = history_key;
	h->s.tick = history_tick;
	h->s.wipe = history_wipe;
	h->s.destroy = history_destroy;
	h->s.hints = history_hints;
	return &h->s;
}
