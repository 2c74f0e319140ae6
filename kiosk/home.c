/*
 * home.c: the identified citizen's menu.  The flow chosen on the welcome
 * screen opens above it at once; when it is done the citizen lands here
 * and may choose another (details, who looked, applying, my
 * applications, my benefits and payments) or finish.  Finishing ends the sitting and
 * wipes every screen: a citizen alone goes back to the welcome screen, a
 * volunteer to their start screen, still logged in.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "apps.h"
#include "i18n.h"
#include "kiosk.h"

struct home {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
};

static const struct tui_hint home_hints[] = {
	{"1-5", N_("Choose")},
	{"6", N_("Finish")},
	{"Esc", N_("Finish")},
	{NULL, NULL},
};

void
kiosk_flow_push(struct kiosk *k, enum kiosk_flow flow)
{
	struct tui_screen *s;

	switch (flow) {
	case KIOSK_FLOW_DETAILS:
		s = kiosk_details_new(k);
		break;
	case KIOSK_FLOW_ACCESSLOG:
		s = kiosk_accesslog_new(k);
		break;
	case KIOSK_FLOW_APPLY:
		s = kiosk_apply_new(k);
		break;
	case KIOSK_FLOW_BENEFITS:
		s = kiosk_benefits_new(k);
		break;
	default:
		s = kiosk_myapps_new(k);
		break;
	}
	if (s != NULL)
		tui_push(k->tui, s);
}

static int
home_key(struct tui *t, struct tui_screen *s, struct tui_key key)
{
	struct home *h = (struct home *)s;

	(void)t;
	if (tui_key_is(key, '1', 0))
		kiosk_flow_push(h->k, KIOSK_FLOW_DETAILS);
	else if (tui_key_is(key, '2', 0))
		kiosk_flow_push(h->k, KIOSK_FLOW_ACCESSLOG);
	else if (tui_key_is(key, '3', 0))
		kiosk_flow_push(h->k, KIOSK_FLOW_APPLY);
	else if (tui_key_is(key, '4', 0))
		kiosk_flow_push(h->k, KIOSK_FLOW_MYAPPS);
	else if (tui_key_is(key, '5', 0))
		kiosk_flow_push(h->k, KIOSK_FLOW_BENEFITS);
	else if (tui_key_is(key, '6', 0) || tui_key_is(key, 27, 0))
		kiosk_finish(h->k);
	else
		return 0;
	return 1;
}

static void
home_draw(struct tui *t, struct tui_screen *s)
{
	struct home *h = (struct home *)s;
	struct kiosk *k = h->k;
	char text[KIOSK_MSG_MAX];
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	snprintf(text, sizeof text, _("Hello, %s."), k->cit.given_names);
	y = kiosk_heading(t, top + 1, cols, 0, 0, text);
	if (k->vol.active && y < end) {
		snprintf(text, sizeof text, _("%s is helping you."),
		    k->vol.name);
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL, text) + 1;
	}
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("What would you like to do? Press its number.")) + 1;
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD,
		    _("1  Register or update my details"));
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD,
		    _("2  Who looked at my record"));
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD,
		    _("3  Apply for support"));
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD,
		    _("4  My applications"));
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD,
		    _("5  My benefits and payments"));
	if (y < end)
		tui_put(t, y++, 4, cols - 6, TUI_A_BOLD, k->vol.active ?
		    _("6  Finish with this citizen") : _("6  Finish and leave"));
	y++;
	if (y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("When you finish, everything shown here is erased from "
		      "the screen."));
}

static void
home_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_home_new(struct kiosk *k)
{
	struct home *h;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->k = k;
	h->s.draw = home_draw;
	h->s.key = home_key;
	h->s.destroy = home_destroy;
	h->s.hints = home_hints;
	return &h->s;
}
