/*
 * accesslog.c: "Who looked at my record".  Every read, search hit and
 * change of the citizen's record, newest first, a page at a time: when,
 * what was done, by which role in which municipality, and for what
 * purpose.  Never an officer's name: the daemon does not send one.  The
 * codes the daemon sends are put in plain words here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/citizen.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

#define LOG_PAGE 20	   /* entries per page at most: two rows each */
#define LOG_PAGES_MAX 64   /* pages one can go back through */
#define LOG_TOKEN_MAX 256
#define LOG_TEXT_MAX 256

struct log_entry {
	char when[32];
	char action[LOG_TEXT_MAX];
	char who[LOG_TEXT_MAX];
};

struct accesslog {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	int loaded;
	int busy;
	char error[KIOSK_MSG_MAX];
	struct log_entry entries[LOG_PAGE];
	int n;
	/* tokens[i] fetches page i + 1; tokens[0] is "". */
	char tokens[LOG_PAGES_MAX][LOG_TOKEN_MAX];
	int page;     /* from 0 */
	char next[LOG_TOKEN_MAX];
	struct tui_hint hints[5];
};

/* A code from the daemon and its words. */
struct log_word {
	const char *code;
	const char *words; /* msgid */
};

static const struct log_word log_roles[] = {
	{"helpdesk", N_("a help desk officer")},
	{"clerk", N_("a clerk")},
	{"caseworker", N_("a social worker")},
	{"supervisor", N_("a supervisor")},
	{"auditor", N_("an auditor")},
	{"admin", N_("an administrator")},
	{"intermediary", N_("a volunteer helping you")},
	{"citizen", N_("you")},
	{NULL, NULL},
};

static const struct log_word log_actions[] = {
	{"read", N_("Looked at your record")},
	{"search", N_("Found your record in a search")},
	{"change", N_("Changed your record")},
	{"document", N_("Opened your documents")},
	{NULL, NULL},
};

static const struct log_word log_purposes[] = {
	{"case_work", N_("case work")},
	{"intake", N_("an application")},
	{"helpdesk", N_("help desk")},
	{"audit", N_("an audit")},
	{"employment", N_("employment services")},
	{"health", N_("health services")},
	{"research", N_("research")},
	{NULL, NULL},
};

/* The words for a code, or the code itself when it is new to us. */
static const char *
log_words(const struct log_word *w, const char *code)
{
	for (; w->code != NULL; w++)
		if (strcmp(w->code, code) == 0)
			return _(w->words);
	return code;
}

static void
log_set_hints(struct accesslog *l)
{
	int i = 0;

	if (l->next[0] != '\0')
		l->hints[i++] = (struct tui_hint){"PgDn", N_("Older")};
	if (l->page > 0)
		l->hints[i++] = (struct tui_hint){"PgUp", N_("Newer")};
	l->hints[i++] = (struct tui_hint){"F2", N_("Back")};
	l->hints[i++] = (struct tui_hint){"Esc", l->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	l->hints[i] = (struct tui_hint){NULL, NULL};
}

static void
log_forget(struct accesslog *l)
{
	explicit_bzero(l->entries, sizeof l->entries);
	explicit_bzero(l->next, sizeof l->next);
	l->n = 0;
}

/* Fetches page l->page.  Returns 1 when the screen has left the stack. */
static int
log_load(struct accesslog *l)
{
	Spis__V1__GetMyAccessLogRequest req =
	    SPIS__V1__GET_MY_ACCESS_LOG_REQUEST__INIT;
	Spis__V1__AccessLog *r = NULL;
	grpc_status_code st;
	char msg[KIOSK_MSG_MAX];
	int top, rows, cols;

	/* As many entries as the terminal shows under the heading. */
	tui_body(l->k->tui, &top, &rows, &cols);
	req.page_size = (rows - 9) / 2;
	if (req.page_size < 1)
		req.page_size = 1;
	if (req.page_size > LOG_PAGE)
		req.page_size = LOG_PAGE;
	req.page_token = l->tokens[l->page];
	l->busy = 1;
	l->error[0] = '\0';
	tui_redraw(l->k->tui);
	st = kiosk_call(l->k, &spis__v1__citizen__descriptor, 4, &req.base,
	    (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	l->busy = 0;
	l->loaded = 1;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, l->error, sizeof l->error);
		log_set_hints(l);
		return 0;
	}
	log_forget(l);
	for (size_t i = 0; i < r->n_entries && l->n < LOG_PAGE; i++) {
		const Spis__V1__AccessEntry *e = r->entries[i];
		struct log_entry *o = &l->entries[l->n++];
		const struct municipality *m;
		const char *where;

		/* "2026-11-24T16:20:05Z" as "2026-11-24 16:20". */
		snprintf(o->when, sizeof o->when, "%.10s %.5s", e->at,
		    strlen(e->at) > 11 ? e->at + 11 : "");
		snprintf(o->action, sizeof o->action, "%s",
		    log_words(log_actions, e->action));
		if (e->municipality[0] == '\0')
			where = _("the national office");
		else if ((m = municipality_find(e->municipality)) != NULL)
			where = m->name;
		else
			where = e->municipality;
		snprintf(o->who, sizeof o->who, _("By %s, %s. Purpose: %s."),
		    log_words(log_roles, e->role), where,
		    e->purpose[0] != '\0' ? log_words(log_purposes,
		    e->purpose) : _("not given"));
	}
	kiosk_copy(l->next, sizeof l->next, r->next_page_token);
	kiosk_msg_free(&r->base);
	log_set_hints(l);
	return 0;
}

static int
log_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct accesslog *l = (struct accesslog *)s;

	(void)t;
	if (l->busy)
		return 1;
	if (tui_key_is(k, 0, KEY_F(2))) {
		tui_pop(l->k->tui);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		kiosk_finish(l->k);
		return 1;
	}
	if ((tui_key_is(k, 0, KEY_NPAGE) || tui_key_is(k, 0, KEY_DOWN)) &&
	    l->next[0] != '\0' && l->page + 1 < LOG_PAGES_MAX) {
		kiosk_copy(l->tokens[l->page + 1], LOG_TOKEN_MAX, l->next);
		l->page++;
		log_load(l);
		return 1;
	}
	if ((tui_key_is(k, 0, KEY_PPAGE) || tui_key_is(k, 0, KEY_UP)) &&
	    l->page > 0) {
		l->page--;
		log_load(l);
		return 1;
	}
	if (tui_key_enter(k) && l->error[0] != '\0') {
		log_load(l);
		return 1;
	}
	return 1;
}

static void
log_tick(struct tui *t, struct tui_screen *s)
{
	struct accesslog *l = (struct accesslog *)s;

	(void)t;
	if (!l->loaded)
		log_load(l);
}

static void
log_draw(struct tui *t, struct tui_screen *s)
{
	struct accesslog *l = (struct accesslog *)s;
	char text[64];
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, 0, 0,
	    _("Who looked at my record"));
	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Every time someone at a social support office used your "
	      "record, newest first. Officers' names are not shown.")) + 1;
	if (l->busy) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	if (l->error[0] != '\0') {
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_ERROR, l->error) + 1;
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL,
		    _("Press Enter to try again."));
		return;
	}
	if (l->n == 0 && l->loaded) {
		tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Nobody has looked at your record yet."));
		return;
	}
	for (int i = 0; i < l->n && y + 1 < end - 1; i++) {
		tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, "%s  %s",
		    l->entries[i].when, l->entries[i].action);
		tui_put(t, y++, 4, cols - 6, TUI_A_NORMAL, l->entries[i].who);
	}
	if (l->page > 0 || l->next[0] != '\0') {
		snprintf(text, sizeof text, _("Page %d"), l->page + 1);
		tui_put(t, end - 1, 2, cols - 4, TUI_A_BOLD, text);
	}
}

static void
log_wipe(struct tui_screen *s)
{
	struct accesslog *l = (struct accesslog *)s;

	log_forget(l);
	explicit_bzero(l->tokens, sizeof l->tokens);
	explicit_bzero(l->error, sizeof l->error);
}

static void
log_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_accesslog_new(struct kiosk *k)
{
	struct accesslog *l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->k = k;
	l->s.draw = log_draw;
	l->s.key = log_key;
	l->s.tick = log_tick;
	l->s.wipe = log_wipe;
	l->s.destroy = log_destroy;
	l->s.hints = l->hints;
	log_set_hints(l);
	return &l->s;
}
