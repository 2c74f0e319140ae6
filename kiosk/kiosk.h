/*
 * kiosk.h: spis-kiosk, the citizen kiosk in libraries and NGOs.  main.c
 * reads the flags, runs the terminal and wipes it when left idle; each
 * screen lives in its own file.
 */
#ifndef SPIS_KIOSK_H
#define SPIS_KIOSK_H

#include "tui.h"
#include "tui_link.h"

/* What every screen of the kiosk may look at. */
struct kiosk {
	struct tui *tui;
	struct tui_link *link;
	struct tui_link_state st; /* refreshed on every turn of the loop */
	const char *server;	  /* as given on the command line */
	long idle_s;		  /* wipe after this many seconds idle */
	const char *language;	  /* the language a new visitor sees */
};

/*
 * The welcome screen, always at the bottom of the stack: what this
 * terminal is, the language choice, and whether the server answers.  Freed
 * by the stack.
 */
struct tui_screen *kiosk_welcome_new(struct kiosk *k);

#endif
