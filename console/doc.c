/*
 * doc.c: pages of text that scroll, and money as officers type it.  The
 * review of an application, an evaluation and a replay are lists of lines
 * of different depth and emphasis, longer than a screen; a doc holds them
 * and draws the part scrolled to, wrapping each line under its indent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "console.h"
#include "i18n.h"

struct console_doc_line {
	int indent;
	int attr;
	char *text;
};

struct console_doc {
	struct console_doc_line *lines;
	size_t n, cap;
	int scroll; /* the first row shown */
	int rows;   /* rows of the whole doc at the last draw */
	int shown;  /* rows shown at the last draw */
};

struct console_doc *
console_doc_new(void)
{
	return calloc(1, sizeof(struct console_doc));
}

void
console_doc_clear(struct console_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		explicit_bzero(d->lines[i].text, strlen(d->lines[i].text));
		free(d->lines[i].text);
	}
	d->n = 0;
}

void
console_doc_add(struct console_doc *d, int indent, int attr,
    const char *fmt, ...)
{
	struct console_doc_line *nl;
	va_list ap;
	char *text;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;

		if ((nl = reallocarray(d->lines, cap, sizeof *nl)) == NULL)
			return;
		d->lines = nl;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	d->lines[d->n].indent = indent;
	d->lines[d->n].attr = attr;
	d->lines[d->n].text = text;
	d->n++;
}

/* Rows line l takes at cols columns (at least one: an empty line). */
static int
doc_line_rows(const struct console_doc_line *l, int cols)
{
	const char *p = l->text;
	size_t next;
	int n = 0, w = cols - l->indent;

	if (w < 8)
		w = 8;
	while (*p != '\0') {
		tui_text_wrap(p, w, &next);
		n++;
		if (next == 0)
			break;
		p += next;
	}
	return n > 0 ? n : 1;
}

int
console_doc_draw(struct tui *t, struct console_doc *d, int y, int x,
    int rows, int cols)
{
	int row = 0, used = 0, total = 0;

	for (size_t i = 0; i < d->n; i++)
		total += doc_line_rows(&d->lines[i], cols);
	d->rows = total;
	d->shown = rows;
	if (d->scroll > total - rows)
		d->scroll = total - rows;
	if (d->scroll < 0)
		d->scroll = 0;
	for (size_t i = 0; i < d->n && used < rows; i++) {
		const struct console_doc_line *l = &d->lines[i];
		const char *p = l->text;
		int w = cols - l->indent;
		size_t b, next;

		if (w < 8)
			w = 8;
		if (*p == '\0') {
			if (row++ >= d->scroll)
				used++;
			continue;
		}
		while (*p != '\0' && used < rows) {
			b = tui_text_wrap(p, w, &next);
			if (row++ >= d->scroll) {
				char part[1024];

				snprintf(part, sizeof part, "%.*s", (int)b, p);
				tui_put(t, y + used, x + l->indent, w, l->attr,
				    part);
				used++;
			}
			if (next == 0)
				break;
			p += next;
		}
	}
	if (d->scroll + rows < total)
		tui_put(t, y + rows - 1, x + cols - 3, 3, TUI_A_REVERSE,
		    " ▾ ");
	if (d->scroll > 0)
		tui_put(t, y, x + cols - 3, 3, TUI_A_REVERSE, " ▴ ");
	return used;
}

int
console_doc_key(struct console_doc *d, struct tui_key k)
{
	int page = d->shown > 2 ? d->shown - 1 : 1;

	if (!k.fn)
		return 0;
	switch (k.c) {
	case KEY_UP:
		d->scroll--;
		break;
	case KEY_DOWN:
		d->scroll++;
		break;
	case KEY_PPAGE:
		d->scroll -= page;
		break;
	case KEY_NPAGE:
		d->scroll += page;
		break;
	case KEY_HOME:
		d->scroll = 0;
		break;
	case KEY_END:
		d->scroll = d->rows;
		break;
	default:
		return 0;
	}
	/* The draw clamps it to the doc's length. */
	if (d->scroll < 0)
		d->scroll = 0;
	if (d->scroll > d->rows)
		d->scroll = d->rows;
	return 1;
}

void
console_doc_free(struct console_doc *d)
{
	if (d == NULL)
		return;
	console_doc_clear(d);
	free(d->lines);
	free(d);
}

/* ------------------------------------------------------------------------
 * A screen of one doc.
 */

struct docscreen {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char title[256];
	struct console_doc *doc;
};

static const struct tui_hint docscreen_hints[] = {
	{"↑↓ PgUp/Dn", N_("Scroll")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static void
docscreen_draw(struct tui *t, struct tui_screen *s)
{
	struct docscreen *ds = (struct docscreen *)s;
	int top, rows, cols;

	tui_body(t, &top, &rows, &cols);
	tui_put(t, top + 1, 2, cols - 4, TUI_A_BOLD, ds->title);
	console_doc_draw(t, ds->doc, top + 3, 2, rows - 3, cols - 4);
}

static int
docscreen_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct docscreen *ds = (struct docscreen *)s;

	if (tui_key_is(k, 27, 0) || tui_key_enter(k)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(ds->c);
		return 1;
	}
	return console_doc_key(ds->doc, k);
}

static void
docscreen_wipe(struct tui_screen *s)
{
	struct docscreen *ds = (struct docscreen *)s;

	console_doc_clear(ds->doc);
}

static void
docscreen_destroy(struct tui_screen *s)
{
	struct docscreen *ds = (struct docscreen *)s;

	console_doc_free(ds->doc);
	free(ds);
}

struct tui_screen *
console_doc_screen_new(struct console *c, const char *title,
    struct console_doc *d)
{
	struct docscreen *ds;

	if ((ds = calloc(1, sizeof *ds)) == NULL) {
		console_doc_free(d);
		return NULL;
	}
	ds->c = c;
	console_copy(ds->title, sizeof ds->title, title);
	ds->doc = d;
	ds->s.draw = docscreen_draw;
	ds->s.key = docscreen_key;
	ds->s.wipe = docscreen_wipe;
	ds->s.destroy = docscreen_destroy;
	ds->s.hints = docscreen_hints;
	return &ds->s;
}

/* ------------------------------------------------------------------------
 * Money.  Amounts travel in minor units; officers read and type them with
 * two decimals, and no floating point is involved either way.
 */

const char *
console_money(long long minor, char *buf, size_t len)
{
	unsigned long long a = minor < 0 ? -(unsigned long long)minor :
	    (unsigned long long)minor;

	snprintf(buf, len, "%s%llu.%02llu", minor < 0 ? "-" : "", a / 100,
	    a % 100);
	return buf;
}

int
console_money_parse(const char *s, long long *minor)
{
	long long major = 0;
	int cents = 0, digits = 0, dec = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (major > (999999999999LL - (*s - '0')) / 10)
			return -1;
		major = major * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9' && dec < 2; s++, dec++)
			cents = cents * 10 + (*s - '0');
		if (dec == 0)
			return -1;
		if (dec == 1)
			cents *= 10;
	}
	if (*s != '\0')
		return -1;
	*minor = major * 100 + cents;
	return 0;
}

const char *
console_check_money(struct console_form *f, int i, const char *v)
{
	long long m;

	(void)f;
	(void)i;
	if (console_money_parse(v, &m) != 0)
		return _("an amount such as 123.45");
	return NULL;
}
