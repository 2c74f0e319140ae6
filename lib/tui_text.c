/*
 * tui_text.c: measuring, cutting and wrapping UTF-8 text in terminal
 * columns.  Pure functions of the text and LC_CTYPE, so the unit tests
 * reach them without a terminal.
 */
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

/*
 * Decodes the character at s into *wc and returns its length in bytes.  An
 * invalid or cut sequence counts as one byte, shown by ncurses as one
 * column.
 */
static size_t
tui_text_char(const char *s, wchar_t *wc, int *cols)
{
	mbstate_t st;
	size_t n;
	int w;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, strnlen(s, MB_LEN_MAX), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = (unsigned char)*s;
		*cols = 1;
		return 1;
	}
	if ((w = wcwidth(*wc)) < 0) {
		/* ncurses shows control characters as ^X. */
		w = *wc < 0x20 || *wc == 0x7f ? 2 : 1;
	}
	*cols = w;
	return n;
}

int
tui_text_width(const char *s)
{
	wchar_t wc;
	int w = 0, cw;

	while (*s != '\0') {
		s += tui_text_char(s, &wc, &cw);
		w += cw;
	}
	return w;
}

size_t
tui_text_fit(const char *s, int cols, int *used)
{
	size_t off = 0, n;
	wchar_t wc;
	int w = 0, cw;

	while (s[off] != '\0') {
		n = tui_text_char(s + off, &wc, &cw);
		if (w + cw > cols)
			break;
		w += cw;
		off += n;
	}
	if (used != NULL)
		*used = w;
	return off;
}

size_t
tui_text_wrap(const char *s, int cols, size_t *next)
{
	size_t off = 0, n, space = 0;
	int have_space = 0, w = 0, cw;
	wchar_t wc;

	for (;;) {
		if (s[off] == '\0') {
			*next = off;
			return off;
		}
		if (s[off] == '\n') {
			*next = off + 1;
			return off;
		}
		n = tui_text_char(s + off, &wc, &cw);
		if (w + cw > cols)
			break;
		if (wc == L' ') {
			space = off;
			have_space = 1;
		}
		w += cw;
		off += n;
	}
	if (have_space && space > 0) {
		off = space;
		*next = space;
	} else {
		/* One word longer than the row: cut it, but always make
		 * progress, even on a row too narrow for one character. */
		if (off == 0)
			off = n;
		*next = off;
	}
	while (s[*next] == ' ')
		(*next)++;
	return off;
}
