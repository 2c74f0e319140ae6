/*
 * appmenu.c: "Support and benefits", the welcome screen's way to the
 * programme screens: what I could get (no identification), applying or
 * my applications (after identifying), the status of an application by
 * its reference (no identification), and my benefits and payments (after
 * identifying).  Numbers choose, as on the welcome screen.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "i18n.h"
#include "apps.h"

struct appmenu {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
};

static const struct tui_hint appmenu_hints[] = {
	{"1-4", N_("Choose")},
	{"F2", N_("Back")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

/* Each entry and the line under it that says what it needs. */
static const char *const appmenu_items[][2] = {
	{N_("1  What support could I get?"),
	    N_("A few questions about your household. You do not say who "
	       "you are, and nothing is stored.")},
	{N_("2  Apply for support, or see my applications"),
	    N_("You identify with your personal code and the PIN from a "
	       "social support office.")},
	{N_("3  Check my application status"),
	    N_("With the reference from your receipt and your birth date.")},
	{N_("4  My benefits and payments"),
	    N_("What you get, the next payment and the last ones. You "
	       "identify as for applying.")},
};
#define APPMENU_N (sizeof appmenu_items / sizeof appmenu_items[0])

static int
appmenu_key(struct tui *t, struct tui_screen *s, struct tui_key key)
{
	struct appmenu *m = (struct appmenu *)s;
	struct tui_screen *next = NULL;

	if (tui_key_is(key, 27, KEY_F(2))) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(key, '1', 0))
		next = kiosk_precheck_new(m->k);
	else if (tui_key_is(key, '2', 0))
		next = kiosk_identify_new(m->k, KIOSK_FLOW_APPLY);
	else if (tui_key_is(key, '3', 0))
		next = kiosk_status_new(m->k);
	else if (tui_key_is(key, '4', 0))
		next = kiosk_identify_new(m->k, KIOSK_FLOW_BENEFITS);
	else
		return 0;
	if (next != NULL)
		tui_push(t, next);
	return 1;
}

static void
appmenu_draw(struct tui *t, struct tui_screen *s)
{
	int top, rows, cols, y, end;

	(void)s;
	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, 0, 0, _("Support and benefits"));
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("What would you like to do? Press its number.")) + 1;
	for (size_t i = 0; i < APPMENU_N && y < end; i++) {
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD, _(appmenu_items[i][0]));
		if (y < end)
			y += tui_wrap(t, y, 7, cols - 9, end - y, TUI_A_NORMAL,
			    _(appmenu_items[i][1])) + 1;
	}
}

static void
appmenu_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_appmenu_new(struct kiosk *k)
{
	struct appmenu *m;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	m->k = k;
	m->s.draw = appmenu_draw;
	m->s.key = appmenu_key;
	m->s.destroy = appmenu_destroy;
	m->s.hints = appmenu_hints;
	return &m->s;
}
