/*
 * tui_edit.c: a text area of several lines.  The text is one buffer of
 * wide characters with '\n' between lines; lines are found by scanning,
 * which is cheap at a few thousand characters and keeps one source of
 * truth.
 */
#include <limits.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>

#include "tui_edit.h"

/* Where the line holding offset at starts. */
static int
edit_line_start(const struct tui_edit *e, int at)
{
	while (at > 0 && e->buf[at - 1] != L'\n')
		at--;
	return at;
}

/* Where the line starting at start ends (its newline, or len). */
static int
edit_line_end(const struct tui_edit *e, int start)
{
	while (start < e->len && e->buf[start] != L'\n')
		start++;
	return start;
}

static void
edit_insert(struct tui_edit *e, wchar_t c)
{
	if (e->len >= TUI_EDIT_MAX)
		return;
	wmemmove(&e->buf[e->pos + 1], &e->buf[e->pos],
	    (size_t)(e->len - e->pos));
	e->buf[e->pos++] = c;
	e->buf[++e->len] = L'\0';
}

static void
edit_delete(struct tui_edit *e, int at)
{
	if (at < 0 || at >= e->len)
		return;
	wmemmove(&e->buf[at], &e->buf[at + 1], (size_t)(e->len - at));
	e->len--;
}

/* Moves the cursor to the previous (dir -1) or next line, at the same
 * column or the line's end. */
static void
edit_vertical(struct tui_edit *e, int dir)
{
	int start = edit_line_start(e, e->pos), col = e->pos - start, s, end;

	if (dir < 0) {
		if (start == 0)
			return;
		s = edit_line_start(e, start - 1);
	} else {
		end = edit_line_end(e, start);
		if (end >= e->len)
			return;
		s = end + 1;
	}
	end = edit_line_end(e, s);
	e->pos = s + col < end ? s + col : end;
}

int
tui_edit_key(struct tui_edit *e, struct tui_key k)
{
	if (k.fn) {
		switch (k.c) {
		case KEY_LEFT:
			if (e->pos > 0)
				e->pos--;
			return 1;
		case KEY_RIGHT:
			if (e->pos < e->len)
				e->pos++;
			return 1;
		case KEY_UP:
			edit_vertical(e, -1);
			return 1;
		case KEY_DOWN:
			edit_vertical(e, 1);
			return 1;
		case KEY_HOME:
			e->pos = edit_line_start(e, e->pos);
			return 1;
		case KEY_END:
			e->pos = edit_line_end(e, e->pos);
			return 1;
		case KEY_BACKSPACE:
			if (e->pos > 0)
				edit_delete(e, --e->pos);
			return 1;
		case KEY_DC:
			edit_delete(e, e->pos);
			return 1;
		case KEY_ENTER:
			edit_insert(e, L'\n');
			return 1;
		}
		return 0;
	}
	if (k.c == 0x7f || k.c == 0x08) {
		if (e->pos > 0)
			edit_delete(e, --e->pos);
		return 1;
	}
	if (k.c == '\r' || k.c == '\n') {
		edit_insert(e, L'\n');
		return 1;
	}
	if (!iswprint(k.c))
		return 0;
	edit_insert(e, (wchar_t)k.c);
	return 1;
}

int
tui_edit_value(const struct tui_edit *e, char *out, size_t outlen)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t off = 0, n;

	if (outlen == 0)
		return -1;
	memset(&st, 0, sizeof st);
	for (int i = 0; i < e->len; i++) {
		if ((n = wcrtomb(mb, e->buf[i], &st)) == (size_t)-1)
			continue;
		if (off + n >= outlen) {
			out[off] = '\0';
			return -1;
		}
		memcpy(out + off, mb, n);
		off += n;
	}
	out[off] = '\0';
	return 0;
}

int
tui_edit_set(struct tui_edit *e, const char *text)
{
	mbstate_t st;
	size_t n;
	wchar_t wc;

	tui_edit_wipe(e);
	memset(&st, 0, sizeof st);
	while (*text != '\0' && e->len < TUI_EDIT_MAX) {
		n = mbrtowc(&wc, text, strnlen(text, MB_LEN_MAX), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			tui_edit_wipe(e);
			return -1;
		}
		/* Tabs become a space; other control characters go. */
		if (wc == L'\t')
			wc = L' ';
		if (wc == L'\n' || iswprint(wc))
			e->buf[e->len++] = wc;
		text += n;
	}
	e->buf[e->len] = L'\0';
	return 0;
}

void
tui_edit_where(const struct tui_edit *e, int *line, int *col)
{
	int l = 1;

	for (int i = 0; i < e->pos; i++)
		if (e->buf[i] == L'\n')
			l++;
	*line = l;
	*col = e->pos - edit_line_start(e, e->pos) + 1;
}

void
tui_edit_draw(struct tui *t, struct tui_edit *e, int y, int x, int rows,
    int cols, int focus)
{
	int line, col, at = 0, cur_x = x, cw, w;

	if (rows < 1 || cols < 2)
		return;
	tui_edit_where(e, &line, &col);
	line--;
	col--;
	/* Scroll so that the cursor's line and column show. */
	if (line < e->top)
		e->top = line;
	if (line >= e->top + rows)
		e->top = line - rows + 1;
	if (col < e->left)
		e->left = col;
	if (col - e->left > cols - 2)
		e->left = col - cols + 2;
	/* Skip to the first line shown. */
	for (int l = 0; l < e->top && at <= e->len; l++)
		at = edit_line_end(e, at) + 1;
	attron(A_UNDERLINE);
	for (int r = 0; r < rows; r++) {
		int start = at, end = at <= e->len ? edit_line_end(e, at) : at;

		mvhline(y + r, x, ' ', cols);
		move(y + r, x);
		w = 0;
		for (int i = start + e->left; at <= e->len && i < end; i++) {
			if ((cw = wcwidth(e->buf[i])) < 0)
				cw = 0;
			if (w + cw > cols)
				break;
			addnwstr(&e->buf[i], 1);
			if (e->top + r == line && i < e->pos)
				cur_x = x + w + cw;
			w += cw;
		}
		if (e->top + r == line && col == e->left)
			cur_x = x;
		at = end + 1;
	}
	attroff(A_UNDERLINE);
	if (focus)
		tui_cursor(t, y + line - e->top, cur_x);
}

void
tui_edit_wipe(struct tui_edit *e)
{
	explicit_bzero(e->buf, sizeof e->buf);
	e->len = e->pos = e->top = e->left = 0;
}
