/*
 * tui_list.c: paged lists.  The page is a function of the selection, so
 * the list keeps no scroll state that could disagree with it after a
 * resize.
 */
#include <curses.h>

#include "i18n.h"
#include "tui.h"

static size_t
tui_list_per(const struct tui_list *l)
{
	return l->per_page > 0 ? (size_t)l->per_page : 1;
}

void
tui_list_page(const struct tui_list *l, size_t *page, size_t *pages)
{
	size_t per = tui_list_per(l);

	*pages = l->n == 0 ? 1 : (l->n + per - 1) / per;
	*page = l->sel / per + 1;
}

int
tui_list_key(struct tui_list *l, struct tui_key k)
{
	size_t per = tui_list_per(l);

	if (!k.fn || l->n == 0)
		return 0;
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	switch (k.c) {
	case KEY_UP:
		if (l->sel > 0)
			l->sel--;
		return 1;
	case KEY_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		return 1;
	case KEY_PPAGE:
		l->sel = l->sel >= per ? l->sel - per : 0;
		return 1;
	case KEY_NPAGE:
		l->sel = l->sel + per < l->n ? l->sel + per : l->n - 1;
		return 1;
	case KEY_HOME:
		l->sel = 0;
		return 1;
	case KEY_END:
		l->sel = l->n - 1;
		return 1;
	}
	return 0;
}

void
tui_list_draw(struct tui *t, struct tui_list *l, int y, int x, int rows,
    int cols)
{
	char buf[512];
	size_t first, page, pages;
	int paged;

	if (rows < 1 || cols < 4)
		return;
	paged = l->n > (size_t)rows && rows > 1;
	l->per_page = paged ? rows - 1 : rows;
	if (l->n == 0)
		return;
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	first = l->sel / tui_list_per(l) * tui_list_per(l);
	for (size_t i = first; i < l->n && i < first + tui_list_per(l); i++) {
		int row = y + (int)(i - first), sel = i == l->sel;

		buf[0] = '\0';
		l->item(i, buf, sizeof buf, l->arg);
		if (sel) {
			attron(A_REVERSE);
			mvhline(row, x, ' ', cols);
			attroff(A_REVERSE);
		}
		tui_put(t, row, x, 2, sel ? TUI_A_REVERSE : 0, sel ? "> " : "  ");
		tui_put(t, row, x + 2, cols - 2, sel ? TUI_A_REVERSE : 0, buf);
		if (sel)
			tui_cursor(t, row, x);
	}
	if (paged) {
		tui_list_page(l, &page, &pages);
		tui_putf(t, y + rows - 1, x, cols, TUI_A_BOLD,
		    _("Page %zu of %zu"), page, pages);
	}
}
