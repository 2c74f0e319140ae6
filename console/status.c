/*
 * status.c: the console's first screen, the daemon it talks to.  It shows
 * the version and health while the daemon answers, and says plainly that it
 * cannot be reached while it does not; the link retries by itself, so the
 * screen follows without the officer doing anything.  Once an officer has
 * logged in it is the home screen: r also checks the session (an expired
 * one leads to the login screen and back), the registry's screens, the
 * work queue, the programmes, the helpdesk's status lookup, the payment
 * runs, the failed payments, the yearly renewal and its objections and the
 * audit trail are reached from here as the roles allow, and F10 logs out.
 * For
 * officers who read applications it is also the dashboard: what waits,
 * per programme and state, with the age of the oldest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/auth.pb-c.h"

#include "console.h"
#include "i18n.h"

struct status {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char note[512];	     /* the outcome of the last check */
	int note_error;
	/* The dashboard: read again when this screen is back on top after
	 * another, and when a different officer logs in. */
	struct console_counts *counts;
	char counts_for[CONSOLE_NAME_MAX];
	int counts_stale;
};

/* Auditors have one key more; the others are not shown a key they may
 * not use. */
static const struct tui_hint status_hints[] = {
	{"q", N_("Quit")},
	{"r", N_("Check the server now")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint status_hints_auditor[] = {
	{"q", N_("Quit")},
	{"r", N_("Check the server now")},
	{"a", N_("Audit trail")},
	{"F10", N_("Log out")},
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

int
console_server_draw(struct console *c, struct tui *t, int y, int rows,
    int cols, int full)
{
	const struct tui_link_state *ls = &c->st;
	char schema[16], text[512];
	int y0 = y;

	if (ls->conn == TUI_CONN_CONNECTING) {
		snprintf(text, sizeof text,
		    _("Connecting to the SPIS server at %s…"), c->server);
		return tui_wrap(t, y, 2, cols - 4, rows, TUI_A_NORMAL, text);
	}
	if (ls->conn == TUI_CONN_DOWN) {
		snprintf(text, sizeof text,
		    _("Cannot reach the SPIS server at %s. Retrying…"),
		    c->server);
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_ERROR, text) + 1;
		snprintf(text, sizeof text, _("Last error: %s"), ls->error);
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL, text) + 1;
		if (y - y0 < rows)
			y += tui_wrap(t, y, 2, cols - 4, rows - (y - y0),
			    TUI_A_NORMAL, _("The console checks again every two "
			    "seconds and carries on as soon as the server "
			    "answers."));
		return y - y0;
	}

	snprintf(schema, sizeof schema, "%d", ls->schema_version);
	{
		const char *const info[] = {
		    _("Address"), c->server,
		    _("Encryption"), c->tls ? _("TLS") :
			_("none (this machine only)"),
		    _("Health"), tui_link_health_name(ls->health),
		    _("Version"), ls->version,
		    _("Started at"), ls->started_at,
		    _("Database schema"), schema,
		    _("Country"), ls->country,
		    _("gRPC core"), ls->grpc_version,
		    _("SQLite"), ls->sqlite_version,
		};
		size_t n = full ? sizeof info / sizeof info[0] : 8;

		/* The version arrives just after the health on a
		 * (re)connection; until then only the first three rows. */
		if (!ls->have_version)
			n = 6;
		if ((int)n / 2 > rows)
			n = 2 * (size_t)rows;
		return status_rows(t, y, cols, info, n) - y;
	}
}

/* Draws one group of menu entries, key and msgid pairs, those with a
 * NULL key left out.  Returns the row after them. */
static int
status_group(struct tui *t, int y, int end, int cols, const char *title,
    const char *const *items, size_t n)
{
	int shown = 0;

	for (size_t i = 0; i < n && y < end; i += 2) {
		if (items[i] == NULL)
			continue;
		if (!shown++)
			tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, title);
		tui_put(t, y, 4, 2, TUI_A_REVERSE, items[i]);
		tui_put(t, y++, 7, cols - 9, 0, _(items[i + 1]));
	}
	return shown ? y + 1 : y;
}

/*
 * The registry's and the applications' entries, those the officer's roles
 * allow (the daemon still decides).  Returns the row after them.
 */
static int
status_menu(struct console *c, struct tui *t, int y, int end, int cols)
{
	const struct console_session *s = &c->sess;
	const char *const registry[] = {
		s->can_read ? "s" : NULL, N_("Search for a person"),
		s->can_write ? "n" : NULL, N_("Register a person"),
		s->can_review ? "d" : NULL, N_("Review likely duplicates"),
		s->can_write ? "k" : NULL, N_("Registration requests from "
		    "kiosks"),
	};
	/* The payments share the applications' group: a separate one would
	 * push the notes below the menu off a 24-row terminal. */
	const char *const apps[] = {
		s->can_apps ? "w" : NULL, N_("Work queue"),
		s->can_status ? "l" : NULL, N_("Application status lookup"),
		s->can_programmes ? "p" : NULL, N_("Programmes and rules"),
		!s->can_programmes && s->can_apps ? "p" : NULL,
		    N_("Programmes"),
		s->can_pay_read ? "y" : NULL, N_("Payment runs"),
		s->can_pay_read ? "f" : NULL, N_("Failed payments to follow up"),
		s->can_renewal ? "e" : NULL, N_("Yearly renewal of benefits"),
		s->can_benefit_write ? "o" : NULL,
		    N_("Objections to renewals"),
	};
	/* The statistics are public: every officer has them. */
	const char *const monitoring[] = {
		"t", N_("Statistics"),
		s->can_simulate ? "m" : NULL, N_("Microsimulation of a rule"),
		s->can_research ? "x" : NULL, N_("Research sample "
		    "(anonymised extract)"),
		s->can_exchange ? "i" : NULL, N_("Institutions and their "
		    "feeds"),
	};
	int pay = s->can_pay_read;
	int renew = s->can_renewal || s->can_benefit_write;

	if (!s->active)
		return y;
	y = status_group(t, y, end, cols, _("Registry"), registry,
	    sizeof registry / sizeof registry[0]);
	y = status_group(t, y, end, cols, pay ?
	    _("Applications and payments") : renew ?
	    _("Applications and benefits") : _("Applications"), apps,
	    sizeof apps / sizeof apps[0]);
	return status_group(t, y, end, cols, _("Monitoring"), monitoring,
	    sizeof monitoring / sizeof monitoring[0]);
}

static void
status_draw(struct tui *t, struct tui_screen *s)
{
	struct status *st = (struct status *)s;
	struct console *c = st->c;
	int top, rows, cols, y, y0, end, dash, side;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("SPIS server"));
	y += 2;
	/* With the dashboard shown the server takes its first rows only. */
	dash = c->sess.active && c->sess.can_apps;
	y += console_server_draw(c, t, y, end - y, cols, !dash) + 1;
	y0 = y;
	y = status_menu(c, t, y, end, cols);
	if (dash) {
		/* Beside the menu when there is room, else under it. */
		side = cols >= 90;
		if (side)
			console_counts_draw(t, st->counts, y0, cols / 2,
			    end - y0 - 2, cols / 2 - 2);
		else
			y += console_counts_draw(t, st->counts, y, 2,
			    end - y - 2, cols - 4) + 1;
	}
	/* The outcome of the officer's last key goes on the last row
	 * rather than nowhere when the menu fills the screen. */
	if (st->note[0] != '\0') {
		if (y > end - 1)
			y = end - 1;
		tui_wrap(t, y, 2, cols - 4, end - y,
		    st->note_error ? TUI_A_ERROR : TUI_A_NORMAL, st->note);
	}
}

static void
status_quit(struct tui *t, int yes, void *arg)
{
	struct console *c = arg;

	if (!yes)
		return;
	console_session_end(c);
	tui_quit(t, 0);
}

/*
 * Asks the daemon whether the session still stands.  An expired one puts
 * the login screen on top (console_call), and this screen is found again
 * after the login.
 */
static void
status_check_session(struct status *st)
{
	Spis__V1__WhoAmIRequest req = SPIS__V1__WHO_AM_IREQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code rc;
	char msg[256];

	rc = console_call(st->c, &spis__v1__auth__descriptor, 3, &req.base,
	    &resp, msg, sizeof msg);
	if (rc == GRPC_STATUS_OK) {
		const Spis__V1__Session *who = (Spis__V1__Session *)resp;

		snprintf(st->note, sizeof st->note,
		    _("Session checked: logged in as %s."), who->username);
		st->note_error = 0;
		protobuf_c_message_free_unpacked(resp, NULL);
	} else if (rc != GRPC_STATUS_UNAUTHENTICATED) {
		console_status_text(rc, msg, st->note, sizeof st->note);
		st->note_error = 1;
	}
}

static int
status_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct status *st = (struct status *)s;
	struct console *c = st->c;
	struct tui_screen *audit, *next;

	if (tui_key_is(k, 'q', 0) || tui_key_is(k, 'Q', 0)) {
		tui_confirm(t, _("Quit the SPIS console?"), status_quit, c);
		return 1;
	}
	if (tui_key_is(k, 'r', 0) || tui_key_is(k, 'R', 0)) {
		st->note[0] = '\0';
		tui_link_retry(c->link);
		if (c->sess.active)
			status_check_session(st);
		st->counts_stale = 1;
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(10)) && c->sess.active) {
		console_logout(c);
		return 1;
	}
	if (c->sess.active && !k.fn) {
		next = NULL;
		if (k.c == 's' && c->sess.can_read)
			next = console_search_new(c);
		else if (k.c == 'n' && c->sess.can_write)
			next = console_register_new(c);
		else if (k.c == 'd' && c->sess.can_review)
			next = console_duplicates_new(c);
		else if (k.c == 'w' && c->sess.can_apps)
			next = console_queue_new(c);
		else if (k.c == 'l' && c->sess.can_status)
			next = console_lookup_new(c);
		else if (k.c == 'p' && (c->sess.can_apps ||
		    c->sess.can_programmes))
			next = console_programmes_new(c);
		else if (k.c == 'k' && c->sess.can_write)
			next = console_registrations_new(c);
		else if (k.c == 'y' && c->sess.can_pay_read)
			next = console_runs_new(c);
		else if (k.c == 'f' && c->sess.can_pay_read)
			next = console_failures_new(c);
		/* The renewal's screens open for anyone who asks: the
		 * menu offers them to the roles that may, and the daemon
		 * decides, its refusal said plainly there. */
		else if (k.c == 'e')
			next = console_renewal_new(c);
		else if (k.c == 'o')
			next = console_objections_new(c);
		else if (k.c == 't')
			next = console_stats_new(c);
		else if (k.c == 'm' && c->sess.can_simulate)
			next = console_simulation_new(c);
		/* Like the renewal's: the daemon says who may. */
		else if (k.c == 'x')
			next = console_research_new(c);
		else if (k.c == 'i' && c->sess.can_exchange)
			next = console_institutions_new(c);
		if (next != NULL) {
			st->note[0] = '\0';
			st->counts_stale = 1;
			tui_push(t, next);
			return 1;
		}
	}
	if ((tui_key_is(k, 'a', 0) || tui_key_is(k, 'A', 0)) &&
	    c->sess.active && c->sess.auditor) {
		if ((audit = console_audit_new(c)) != NULL)
			tui_push(t, audit);
		return 1;
	}
	return 0;
}

/* The footer follows the officer's roles; the dashboard is read for a
 * new officer and after a visit to another screen. */
static void
status_tick(struct tui *t, struct tui_screen *s)
{
	struct status *st = (struct status *)s;

	struct console *c = st->c;

	(void)t;
	st->s.hints = c->sess.auditor ? status_hints_auditor : status_hints;
	if (!c->sess.active || !c->sess.can_apps || st->counts == NULL)
		return;
	if (st->counts_stale ||
	    strcmp(st->counts_for, c->sess.username) != 0) {
		st->counts_stale = 0;
		console_copy(st->counts_for, sizeof st->counts_for,
		    c->sess.username);
		console_counts_fetch(c, st->counts);
	}
}

/* The note may name the officer; it goes with the session. */
static void
status_wipe(struct tui_screen *s)
{
	struct status *st = (struct status *)s;

	explicit_bzero(st->note, sizeof st->note);
	st->counts_for[0] = '\0';
}

static void
status_destroy(struct tui_screen *s)
{
	struct status *st = (struct status *)s;

	console_counts_free(st->counts);
	free(st);
}

struct tui_screen *
console_status_new(struct console *c)
{
	struct status *st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->c = c;
	if ((st->counts = console_counts_new()) == NULL) {
		free(st);
		return NULL;
	}
	st->s.draw = status_draw;
	st->s.key = status_key;
	st->s.tick = status_tick;
	st->s.wipe = status_wipe;
	st->s.destroy = status_destroy;
	st->s.hints = status_hints;
	return &st->s;
}
