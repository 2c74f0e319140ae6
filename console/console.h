/*
 * console.h: spis-console, the officer console.  main.c reads the flags and
 * runs the terminal; each screen lives in its own file.
 */
#ifndef SPIS_CONSOLE_H
#define SPIS_CONSOLE_H

#include "tui.h"
#include "tui_link.h"

/* What every screen of the console may look at. */
struct console {
	struct tui *tui;
	struct tui_link *link;
	struct tui_link_state st; /* refreshed on every turn of the loop */
	const char *server;	  /* as given on the command line */
	int tls;
};

/*
 * The screen at the bottom of the stack: the server's identity and health,
 * or why it cannot be reached.  Officer login is pushed above it.  Freed
 * by the stack.
 */
struct tui_screen *console_status_new(struct console *c);

#endif
