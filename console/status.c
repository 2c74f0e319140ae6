/*
 * status.c: the console's first screen, the daemon it talks to.  It shows
 * the version and health while the daemon answers, and says plainly that it
 * cannot be reached while it does not; the link retries by itself, so the
 * screen follows without the officer doing anything.
 */
#include <stdio.h>
#include <stdlib.h>

#include "console.h"
#include "i18n.h"

struct status {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
};

static const struct tui_hint status_hints[] = {
	{"q", N_("Quit")},
	{"r", N_("Check the server now")},
	{NULL, NULL},
};

/* Draws label: value rows from y with the values aligned; returns the row
 * after the last. */
static int
status_rows(struct tui *t, int y, int cols, const char *const *rows,
    size_t n)
{
	int lw = 0, w;

	for (size_t i = 0; i < n; i += 2)
		if ((w = tui_text_width(rows[i])) > lw)
			lw = w;
	if (lw > cols / 2)
		lw = cols / 2;
	for (size_t i = 0; i < n; i += 2, y++) {
		tui_put(t, y, 2, lw, TUI_A_NORMAL, rows[i]);
		tui_put(t, y, 4 + lw, cols - 4 - lw, TUI_A_BOLD, rows[i + 1]);
	}
	return y;
}

static void
status_draw(struct tui *t, struct tui_screen *s)
{
	struct status *st = (struct status *)s;
	const struct tui_link_state *ls = &st->c->st;
	char schema[16], text[512];
	int top, rows, cols, y;

	tui_body(t, &top, &rows, &cols);
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("SPIS server"));
	y += 2;

	if (ls->conn == TUI_CONN_CONNECTING) {
		snprintf(text, sizeof text,
		    _("Connecting to the SPIS server at %s…"), st->c->server);
		tui_wrap(t, y, 2, cols - 4, rows - y, TUI_A_NORMAL, text);
		return;
	}
	if (ls->conn == TUI_CONN_DOWN) {
		snprintf(text, sizeof text,
		    _("Cannot reach the SPIS server at %s. Retrying…"),
		    st->c->server);
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_ERROR, text) + 1;
		snprintf(text, sizeof text, _("Last error: %s"), ls->error);
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL, text) + 1;
		tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("The console checks again every two seconds and carries "
		      "on as soon as the server answers."));
		return;
	}

	snprintf(schema, sizeof schema, "%d", ls->schema_version);
	{
		const char *const info[] = {
		    _("Address"), st->c->server,
		    _("Encryption"), st->c->tls ? _("TLS") :
			_("none (this machine only)"),
		    _("Health"), tui_link_health_name(ls->health),
		    _("Version"), ls->version,
		    _("Started at"), ls->started_at,
		    _("Database schema"), schema,
		    _("Country"), ls->country,
		    _("gRPC core"), ls->grpc_version,
		    _("SQLite"), ls->sqlite_version,
		};
		/* The version arrives just after the health on a
		 * (re)connection; until then only the first three rows. */
		status_rows(t, y, cols, info,
		    ls->have_version ? sizeof info / sizeof info[0] : 6);
	}
}

static void
status_quit(struct tui *t, int yes, void *arg)
{
	(void)arg;
	if (yes)
		tui_quit(t, 0);
}

static int
status_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct status *st = (struct status *)s;

	if (tui_key_is(k, 'q', 0) || tui_key_is(k, 'Q', 0)) {
		tui_confirm(t, _("Quit the SPIS console?"), status_quit, NULL);
		return 1;
	}
	if (tui_key_is(k, 'r', 0) || tui_key_is(k, 'R', 0)) {
		tui_link_retry(st->c->link);
		return 1;
	}
	return 0;
}

static void
status_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
console_status_new(struct console *c)
{
	struct status *st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->c = c;
	st->s.draw = status_draw;
	st->s.key = status_key;
	st->s.destroy = status_destroy;
	st->s.hints = status_hints;
	return &st->s;
}
