/*
 * tui_edit.h: a text area of several lines, for text longer than a field
 * holds (the rules of a programme).  Like a field it keeps wide
 * characters, so editing moves by whole characters, and hands its value
 * over as UTF-8; unlike one, Enter starts a new line, so the screen that
 * owns it chooses other keys (Tab) to leave it.
 */
#ifndef SPIS_TUI_EDIT_H
#define SPIS_TUI_EDIT_H

#include <stddef.h>
#include <wchar.h>

#include "tui.h"

#define TUI_EDIT_MAX 4096 /* characters */

struct tui_edit {
	wchar_t buf[TUI_EDIT_MAX + 1];
	int len;  /* characters in buf, newlines included */
	int pos;  /* cursor, 0..len */
	int top;  /* first line shown */
	int left; /* first column (character) shown on every line */
};

/* Edits with k: characters, Enter (a new line), the arrows, Home, End,
 * Backspace and Delete.  Returns 1 when the key was used. */
int tui_edit_key(struct tui_edit *e, struct tui_key k);

/* The text as UTF-8 into out.  Returns 0, or -1 when out is too small
 * (the text is cut). */
int tui_edit_value(const struct tui_edit *e, char *out, size_t outlen);

/* Replaces the text with UTF-8 text (cut to TUI_EDIT_MAX characters); the
 * cursor goes to the start.  Returns -1 for text that is not UTF-8. */
int tui_edit_set(struct tui_edit *e, const char *text);

/* The cursor's line and column (characters), both from 1. */
void tui_edit_where(const struct tui_edit *e, int *line, int *col);

/* Draws rows lines of cols columns at y, x, scrolled so that the cursor
 * shows; with focus set the cursor rests there. */
void tui_edit_draw(struct tui *t, struct tui_edit *e, int y, int x, int rows,
    int cols, int focus);

/* Zeroes the text. */
void tui_edit_wipe(struct tui_edit *e);

#endif
