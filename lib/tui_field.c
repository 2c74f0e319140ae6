/*
 * tui_field.c: text fields and forms.  A field holds wide characters so
 * that editing moves by whole characters (Lithuanian and Turkish letters
 * are two bytes in UTF-8); the value leaves as UTF-8.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>

#include "i18n.h"
#include "tui.h"

/* A value as UTF-8: each character is at most MB_LEN_MAX bytes. */
#define TUI_VALUE_MAX (TUI_FIELD_MAX * MB_LEN_MAX + 1)

#define TUI_CTRL(c) ((c) & 0x1f)

static int
tui_field_cap(const struct tui_field *f)
{
	if (f->maxlen <= 0 || f->maxlen > TUI_FIELD_MAX)
		return TUI_FIELD_MAX;
	return f->maxlen;
}

static void
tui_field_delete(struct tui_field *f, int at)
{
	if (at < 0 || at >= f->len)
		return;
	memmove(&f->buf[at], &f->buf[at + 1],
	    (size_t)(f->len - at) * sizeof f->buf[0]);
	f->len--;
	f->buf[f->len] = L'\0';
}

int
tui_field_key(struct tui_field *f, struct tui_key k)
{
	if (k.fn) {
		switch (k.c) {
		case KEY_LEFT:
			if (f->pos > 0)
				f->pos--;
			return 1;
		case KEY_RIGHT:
			if (f->pos < f->len)
				f->pos++;
			return 1;
		case KEY_HOME:
			f->pos = 0;
			return 1;
		case KEY_END:
			f->pos = f->len;
			return 1;
		case KEY_BACKSPACE:
			if (f->pos > 0)
				tui_field_delete(f, --f->pos);
			return 1;
		case KEY_DC:
			tui_field_delete(f, f->pos);
			return 1;
		}
		return 0;
	}
	switch (k.c) {
	case 0x7f:
	case TUI_CTRL('h'):
		if (f->pos > 0)
			tui_field_delete(f, --f->pos);
		return 1;
	case TUI_CTRL('a'):
		f->pos = 0;
		return 1;
	case TUI_CTRL('e'):
		f->pos = f->len;
		return 1;
	case TUI_CTRL('u'):
		wmemset(f->buf, L'\0', TUI_FIELD_MAX + 1);
		f->len = f->pos = f->scroll = 0;
		return 1;
	}
	if (!iswprint(k.c))
		return 0;
	if (f->len >= tui_field_cap(f))
		return 1; /* full: the key is the field's, it adds nothing */
	wmemmove(&f->buf[f->pos + 1], &f->buf[f->pos], (size_t)(f->len - f->pos));
	f->buf[f->pos++] = (wchar_t)k.c;
	f->buf[++f->len] = L'\0';
	return 1;
}

int
tui_field_value(const struct tui_field *f, char *out, size_t outlen)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t off = 0, n;

	if (outlen == 0)
		return -1;
	memset(&st, 0, sizeof st);
	for (int i = 0; i < f->len; i++) {
		n = wcrtomb(mb, f->buf[i], &st);
		if (n == (size_t)-1)
			continue;
		if (off + n >= outlen) {
			out[off] = '\0';
			return -1;
		}
		memcpy(out + off, mb, n);
		off += n;
	}
	out[off] = '\0';
	explicit_bzero(mb, sizeof mb);
	return 0;
}

int
tui_field_set(struct tui_field *f, const char *value)
{
	wchar_t buf[TUI_FIELD_MAX + 1];
	mbstate_t st;
	size_t n;
	int len = 0, cap = tui_field_cap(f);

	memset(&st, 0, sizeof st);
	while (*value != '\0' && len < cap) {
		n = mbrtowc(&buf[len], value, strnlen(value, MB_LEN_MAX), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || !iswprint(buf[len])) {
			explicit_bzero(buf, sizeof buf);
			return -1;
		}
		value += n;
		len++;
	}
	buf[len] = L'\0';
	wmemcpy(f->buf, buf, (size_t)len + 1);
	f->len = f->pos = len;
	f->scroll = 0;
	explicit_bzero(buf, sizeof buf);
	return 0;
}

int
tui_field_check(struct tui_field *f)
{
	char value[TUI_VALUE_MAX];
	const char *problem = NULL;

	f->error[0] = '\0';
	if (f->validate == NULL)
		return 0;
	tui_field_value(f, value, sizeof value);
	problem = f->validate(value, f->arg);
	explicit_bzero(value, sizeof value);
	if (problem == NULL)
		return 0;
	snprintf(f->error, sizeof f->error, "%s", problem);
	return -1;
}

void
tui_field_wipe(struct tui_field *f)
{
	explicit_bzero(f->buf, sizeof f->buf);
	explicit_bzero(f->error, sizeof f->error);
	f->len = f->pos = f->scroll = 0;
}

static int
tui_form_forward(struct tui_key k)
{
	return tui_key_is(k, '\t', KEY_DOWN);
}

static int
tui_form_backward(struct tui_key k)
{
	return tui_key_is(k, 0, KEY_BTAB) || tui_key_is(k, 0, KEY_UP);
}

enum tui_form_result
tui_form_key(struct tui_form *f, struct tui_key k)
{
	struct tui_field *cur;
	int first_bad = -1;

	if (f->n <= 0)
		return TUI_FORM_IGNORED;
	cur = &f->fields[f->focus];
	if (tui_key_enter(k) && f->focus == f->n - 1) {
		for (int i = 0; i < f->n; i++)
			if (tui_field_check(&f->fields[i]) != 0 &&
			    first_bad < 0)
				first_bad = i;
		if (first_bad < 0)
			return TUI_FORM_SUBMIT;
		f->focus = first_bad;
		return TUI_FORM_HANDLED;
	}
	if (tui_form_forward(k) || tui_key_enter(k)) {
		if (f->focus < f->n - 1) {
			tui_field_check(cur);
			f->focus++;
		}
		return TUI_FORM_HANDLED;
	}
	if (tui_form_backward(k)) {
		if (f->focus > 0) {
			tui_field_check(cur);
			f->focus--;
		}
		return TUI_FORM_HANDLED;
	}
	return tui_field_key(cur, k) ? TUI_FORM_HANDLED : TUI_FORM_IGNORED;
}

/* Columns taken by the characters from..to of the field as shown. */
static int
tui_field_cols(const struct tui_field *f, int from, int to)
{
	int w = 0, cw;

	if (f->secret)
		return to - from;
	for (int i = from; i < to; i++)
		w += (cw = wcwidth(f->buf[i])) > 0 ? cw : 0;
	return w;
}

/* Draws one field's input area, cols wide, and returns the cursor column
 * within it. */
static int
tui_field_draw(struct tui_field *f, int y, int x, int cols)
{
	int w = 0, cw, i;

	/* Scroll so that the cursor and one column after it are shown. */
	if (f->pos < f->scroll)
		f->scroll = f->pos;
	while (f->scroll < f->pos &&
	    tui_field_cols(f, f->scroll, f->pos) > cols - 1)
		f->scroll++;

	attron(A_UNDERLINE);
	mvhline(y, x, ' ', cols);
	move(y, x);
	for (i = f->scroll; i < f->len; i++) {
		cw = f->secret ? 1 : wcwidth(f->buf[i]);
		if (cw < 0)
			cw = 0;
		if (w + cw > cols)
			break;
		if (f->secret)
			addch('*');
		else
			addnwstr(&f->buf[i], 1);
		w += cw;
	}
	attroff(A_UNDERLINE);
	return tui_field_cols(f, f->scroll, f->pos);
}

int
tui_field_draw_at(struct tui *t, struct tui_field *f, int y, int x, int cols,
    int focus)
{
	int cur;

	if (cols > tui_field_cap(f) + 1)
		cols = tui_field_cap(f) + 1;
	if (cols < 1)
		return 0;
	cur = tui_field_draw(f, y, x, cols);
	if (focus)
		tui_cursor(t, y, x + cur);
	return cols;
}

int
tui_form_rows(const struct tui_form *f)
{
	return 2 * f->n;
}

void
tui_form_draw(struct tui *t, struct tui_form *f, int y, int x, int cols)
{
	int lw = 0, w, fx, fw, cur;

	for (int i = 0; i < f->n; i++)
		if ((w = tui_text_width(_(f->fields[i].label))) > lw)
			lw = w;
	if (lw > cols / 3)
		lw = cols / 3;
	fx = x + lw + 2;
	for (int i = 0; i < f->n; i++) {
		struct tui_field *fl = &f->fields[i];
		int row = y + 2 * i;

		tui_put(t, row, x, lw, i == f->focus ? TUI_A_BOLD : 0,
		    _(fl->label));
		fw = tui_field_cap(fl) + 1;
		if (fw > x + cols - fx)
			fw = x + cols - fx;
		if (fw < 1)
			continue;
		cur = tui_field_draw(fl, row, fx, fw);
		if (fl->error[0] != '\0')
			tui_put(t, row + 1, fx, x + cols - fx, TUI_A_ERROR,
			    fl->error);
		if (i == f->focus)
			tui_cursor(t, row, fx + cur);
	}
}

void
tui_form_wipe(struct tui_form *f)
{
	for (int i = 0; i < f->n; i++)
		tui_field_wipe(&f->fields[i]);
	f->focus = 0;
}
