/*
 * welcome.c: the kiosk's welcome screen.  A stranger, or the library
 * volunteer explaining the kiosk to one, should learn from it what the
 * terminal is, what it offers, how to pick a language, and that nothing
 * typed is kept.  The services are chosen with their number, so that the
 * arrow keys stay with the language list.  Once a volunteer has logged in
 * it is the volunteer's start screen: the same services, done for the
 * citizen in front of them, and the volunteer's log out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "i18n.h"
#include "kiosk.h"

struct welcome {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	struct tui_list langs;
};

static const struct tui_hint welcome_hints[] = {
	{"↑ ↓", N_("Choose a language")},
	{"Enter", N_("Confirm")},
	{"1-5", N_("Choose what to do")},
	{NULL, NULL},
};

/* The services by their number, alone and with a volunteer. */
static const char *const welcome_menu[] = {
	N_("Register or update my details"),
	N_("Who looked at my record"),
	N_("Volunteer: start assisted mode"),
	N_("Not registered yet? Ask to be registered"),
	N_("Support and benefits: what I could get, apply, check a status"),
};
static const char *const welcome_menu_assisted[] = {
	N_("Help a citizen register or update their details"),
	N_("Help a citizen see who looked at their record"),
	N_("Volunteer log out"),
	N_("Help a citizen ask to be registered"),
	N_("Help a citizen with support: what they could get, apply, status"),
};
#define WELCOME_NMENU 5

/* The index of a language code among ours, 0 (English) if unknown. */
static size_t
welcome_lang_index(const char *code)
{
	const struct i18n_lang *langs;
	size_t n;

	langs = i18n_languages(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(langs[i].code, code) == 0)
			return i;
	return 0;
}

/* A language as a radio button, each name in its own language so that a
 * visitor finds theirs whatever is shown now. */
static void
welcome_lang_item(size_t i, char *buf, size_t len, void *arg)
{
	const struct i18n_lang *langs;
	size_t n;

	(void)arg;
	langs = i18n_languages(&n);
	snprintf(buf, len, "(%s) %s",
	    strcmp(langs[i].code, i18n_language()) == 0 ? "•" : " ",
	    langs[i].name);
}

/* The idle notice in whole minutes when it can be, else in seconds. */
static void
welcome_idle_text(long idle_s, char *buf, size_t len)
{
	if (idle_s >= 60 && idle_s % 60 == 0)
		snprintf(buf, len, ngettext(
		    "For your privacy: if no key is pressed for %ld minute, "
		    "the screen is cleared and everything typed is erased.",
		    "For your privacy: if no key is pressed for %ld minutes, "
		    "the screen is cleared and everything typed is erased.",
		    (unsigned long)(idle_s / 60)), idle_s / 60);
	else
		snprintf(buf, len, ngettext(
		    "For your privacy: if no key is pressed for %ld second, "
		    "the screen is cleared and everything typed is erased.",
		    "For your privacy: if no key is pressed for %ld seconds, "
		    "the screen is cleared and everything typed is erased.",
		    (unsigned long)idle_s), idle_s);
}

static void
welcome_draw(struct tui *t, struct tui_screen *s)
{
	struct welcome *w = (struct welcome *)s;
	struct kiosk *k = w->k;
	char text[512];
	int top, rows, cols, y, bottom, x = 2, wcols;

	tui_body(t, &top, &rows, &cols);
	wcols = cols - 2 * x;
	bottom = top + rows; /* the first row past the body */

	/* The server's state keeps the last two rows of the body, so that
	 * it shows however small the terminal. */
	if (k->st.conn == TUI_CONN_DOWN)
		snprintf(text, sizeof text,
		    _("Cannot reach the SPIS server at %s. Retrying…"),
		    k->server);
	else if (k->st.conn == TUI_CONN_UP)
		snprintf(text, sizeof text, "%s",
		    _("The SPIS server is available."));
	else
		snprintf(text, sizeof text,
		    _("Connecting to the SPIS server at %s…"), k->server);
	tui_wrap(t, bottom - 2, x, wcols, 2,
	    k->st.conn == TUI_CONN_DOWN ? TUI_A_ERROR : TUI_A_NORMAL, text);
	bottom -= 3;

	y = top + 1;
	if (k->vol.active) {
		snprintf(text, sizeof text, _("Assisted mode: %s is helping."),
		    k->vol.name);
		y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_BOLD,
		    text) + 1;
		if (y < bottom)
			y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_NORMAL,
			    _("Ask the person you help to sit in front of "
			      "the screen: they type their personal code and "
			      "PIN themselves.")) + 1;
	} else {
		y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_BOLD,
		    _("Welcome to SPIS, the social support information "
		      "system.")) + 1;
		if (y < bottom)
			y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_NORMAL,
			    _("This public terminal lets residents use social "
			      "support services themselves. A library or NGO "
			      "volunteer nearby can help you.")) + 1;
	}
	if (k->notice != NULL && y < bottom)
		y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_ERROR,
		    _(k->notice)) + 1;
	/* The language first: a stranger reads the rest in it. */
	if (y < bottom)
		y += tui_wrap(t, y, x, wcols, bottom - y, TUI_A_NORMAL,
		    _("Choose your language with the ↑ and ↓ keys, then "
		      "press Enter."));
	if (y + (int)w->langs.n <= bottom) {
		tui_list_draw(t, &w->langs, y, x + 2, (int)w->langs.n,
		    wcols - 2);
		y += (int)w->langs.n + 1;
	}
	if (y < bottom)
		y += tui_wrap(t, y, x, wcols, 1, TUI_A_NORMAL,
		    _("What would you like to do? Press its number."));
	for (int i = 0; i < WELCOME_NMENU && y < bottom; i++)
		tui_putf(t, y++, x + 2, wcols - 2, TUI_A_BOLD, "%d  %s", i + 1,
		    _(k->vol.active ? welcome_menu_assisted[i] :
		    welcome_menu[i]));
	y++;
	if (y < bottom) {
		welcome_idle_text(k->idle_s, text, sizeof text);
		tui_wrap(t, y, x, wcols, bottom - y, TUI_A_NORMAL, text);
	}
}

static void
welcome_logout(struct tui *t, int yes, void *arg)
{
	(void)t;
	if (yes)
		kiosk_volunteer_logout(arg);
}

/* Asking to be registered needs no identification; helped, the citizen
 * first agrees to the volunteer's help, as at identification. */
static void
welcome_register(struct tui *t, int yes, void *arg)
{
	struct tui_screen *next;

	if (yes && (next = kiosk_register_new(arg)) != NULL)
		tui_push(t, next);
}

static int
welcome_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct welcome *w = (struct welcome *)s;
	const struct i18n_lang *langs;
	size_t n;

	if (tui_key_is(k, '1', 0) || tui_key_is(k, '2', 0)) {
		struct tui_screen *next;

		w->k->notice = NULL;
		next = kiosk_identify_new(w->k, tui_key_is(k, '1', 0) ?
		    KIOSK_FLOW_DETAILS : KIOSK_FLOW_ACCESSLOG);
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	if (tui_key_is(k, '5', 0)) {
		struct tui_screen *next;

		w->k->notice = NULL;
		if ((next = kiosk_appmenu_new(w->k)) != NULL)
			tui_push(t, next);
		return 1;
	}
	if (tui_key_is(k, '4', 0)) {
		char q[KIOSK_MSG_MAX];

		w->k->notice = NULL;
		if (!w->k->vol.active) {
			welcome_register(t, 1, w->k);
			return 1;
		}
		snprintf(q, sizeof q, _("I agree that %s helps me ask to be "
		    "registered today."), w->k->vol.name);
		tui_confirm(t, q, welcome_register, w->k);
		return 1;
	}
	if (tui_key_is(k, '3', 0)) {
		struct tui_screen *next;

		w->k->notice = NULL;
		if (w->k->vol.active)
			tui_confirm(t, _("Log out the volunteer?"),
			    welcome_logout, w->k);
		else if ((next = kiosk_volunteer_new(w->k)) != NULL)
			tui_push(t, next);
		return 1;
	}
	if (tui_list_key(&w->langs, k))
		return 1;
	if (tui_key_enter(k)) {
		langs = i18n_languages(&n);
		if (w->langs.sel < n)
			i18n_set_language(langs[w->langs.sel].code);
		return 1;
	}
	return 0;
}

/* Back to how a new visitor finds it: the selection on the default
 * language (the kiosk switches the language itself). */
static void
welcome_wipe(struct tui_screen *s)
{
	struct welcome *w = (struct welcome *)s;

	w->langs.sel = welcome_lang_index(w->k->language);
}

static void
welcome_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_welcome_new(struct kiosk *k)
{
	struct welcome *w;
	size_t n;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return NULL;
	w->k = k;
	i18n_languages(&n);
	w->langs.n = n;
	w->langs.item = welcome_lang_item;
	w->langs.sel = welcome_lang_index(k->language);
	w->s.draw = welcome_draw;
	w->s.key = welcome_key;
	w->s.wipe = welcome_wipe;
	w->s.destroy = welcome_destroy;
	w->s.hints = welcome_hints;
	return &w->s;
}
