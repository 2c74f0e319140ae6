/*
 * tui_confirm.c: the yes/no dialog, a screen drawn over the one below.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <curses.h>

#include "i18n.h"
#include "tui.h"

struct tui_confirm {
	struct tui_screen s; /* first: the stack sees only this */
	char question[512];
	int yes; /* the focused button: 1 for "Yes" */
	void (*done)(struct tui *t, int yes, void *arg);
	void *arg;
	/* Footer labels: the first letters of the translated answers. */
	char ykey[MB_LEN_MAX + 1], nkey[MB_LEN_MAX + 1];
	struct tui_hint hints[5];
};

/* The first letter of a translated answer, lower case: the key that
 * gives that answer, and its label for the footer. */
static wint_t
tui_confirm_letter(const char *word, char *label, size_t len)
{
	wchar_t wc = L'\0';
	mbstate_t st;
	size_t n;

	label[0] = '\0';
	memset(&st, 0, sizeof st);
	n = mbrtowc(&wc, word, strlen(word), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
		return 0;
	wc = (wchar_t)towlower((wint_t)wc);
	memset(&st, 0, sizeof st);
	if (len < MB_LEN_MAX + 1 || (n = wcrtomb(label, wc, &st)) == (size_t)-1)
		return 0;
	label[n] = '\0';
	return (wint_t)wc;
}

static void
tui_confirm_answer(struct tui *t, struct tui_confirm *c, int yes)
{
	void (*done)(struct tui *, int, void *) = c->done;
	void *arg = c->arg;

	tui_pop(t); /* frees c */
	if (done != NULL)
		done(t, yes, arg);
}

static int
tui_confirm_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct tui_confirm *c = (struct tui_confirm *)s;
	char label[MB_LEN_MAX + 1];
	wint_t y = tui_confirm_letter(_("Yes"), label, sizeof label);
	wint_t n = tui_confirm_letter(_("No"), label, sizeof label);

	if (tui_key_is(k, 0, KEY_LEFT) || tui_key_is(k, 0, KEY_RIGHT) ||
	    tui_key_is(k, '\t', KEY_BTAB)) {
		c->yes = !c->yes;
		return 1;
	}
	if (tui_key_enter(k)) {
		tui_confirm_answer(t, c, c->yes);
		return 1;
	}
	if (tui_key_is(k, 0x1b, 0)) {
		tui_confirm_answer(t, c, 0);
		return 1;
	}
	if (!k.fn && (towlower(k.c) == y || towlower(k.c) == L'y')) {
		tui_confirm_answer(t, c, 1);
		return 1;
	}
	if (!k.fn && (towlower(k.c) == n || towlower(k.c) == L'n')) {
		tui_confirm_answer(t, c, 0);
		return 1;
	}
	return 1; /* a dialog keeps every key from the screen below */
}

static void
tui_confirm_draw(struct tui *t, struct tui_screen *s)
{
	struct tui_confirm *c = (struct tui_confirm *)s;
	const char *yes = _("Yes"), *no = _("No");
	int top, rows, cols, w, h, y, x, qrows, bw, by, bx;
	size_t next;

	tui_confirm_letter(yes, c->ykey, sizeof c->ykey);
	tui_confirm_letter(no, c->nkey, sizeof c->nkey);
	c->hints[0] = (struct tui_hint){c->ykey, N_("Yes")};
	c->hints[1] = (struct tui_hint){c->nkey, N_("No")};
	c->hints[2] = (struct tui_hint){"Enter", N_("Choose")};
	c->hints[3] = (struct tui_hint){"Esc", N_("Cancel")};
	c->hints[4] = (struct tui_hint){NULL, NULL};

	tui_body(t, &top, &rows, &cols);
	w = tui_text_width(c->question) + 4;
	if (w < 30)
		w = 30;
	if (w > cols - 2)
		w = cols - 2;
	/* Count the rows the question wraps to. */
	qrows = 0;
	for (const char *p = c->question; *p != '\0'; p += next) {
		tui_text_wrap(p, w - 4, &next);
		qrows++;
	}
	h = qrows + 4;
	if (h > rows)
		h = rows;
	y = top + (rows - h) / 2;
	x = (cols - w) / 2;
	tui_box(t, y, x, h, w);
	tui_wrap(t, y + 1, x + 2, w - 4, h - 4, TUI_A_BOLD, c->question);

	by = y + h - 2;
	bw = tui_text_width(yes) + tui_text_width(no) + 4 + 4 + 3;
	bx = x + (w - bw) / 2;
	if (bx < x + 1)
		bx = x + 1;
	if (c->yes)
		tui_cursor(t, by, bx + 2);
	bx += tui_putf(t, by, bx, x + w - 1 - bx,
	    c->yes ? TUI_A_REVERSE : 0, "[ %s ]", yes);
	bx += 3;
	if (!c->yes)
		tui_cursor(t, by, bx + 2);
	tui_putf(t, by, bx, x + w - 1 - bx, !c->yes ? TUI_A_REVERSE : 0,
	    "[ %s ]", no);
}

static void
tui_confirm_destroy(struct tui_screen *s)
{
	free(s);
}

void
tui_confirm(struct tui *t, const char *question,
    void (*done)(struct tui *t, int yes, void *arg), void *arg)
{
	struct tui_confirm *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		/* Without memory for a dialog, the safe answer is no. */
		if (done != NULL)
			done(t, 0, arg);
		return;
	}
	snprintf(c->question, sizeof c->question, "%s", question);
	c->done = done;
	c->arg = arg;
	c->s.draw = tui_confirm_draw;
	c->s.key = tui_confirm_key;
	c->s.destroy = tui_confirm_destroy;
	c->s.hints = c->hints;
	c->s.overlay = 1;
	c->hints[0] = (struct tui_hint){NULL, NULL};
	tui_push(t, &c->s);
}
