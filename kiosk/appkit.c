/*
 * appkit.c: what the kiosk's programme and application screens share.
 * The daemon sends codes ("in_review", "monthly"); a stranger reads words.
 * Amounts travel in minor units and are typed and shown as euros with two
 * decimals, never through floating point.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "check.h"
#include "reference.h"
#include "i18n.h"
#include "apps.h"

/* A billion euros: more than any household declares, and far from
 * overflowing the minor units. */
#define KIOSK_MONEY_LIMIT 100000000000LL

static const struct {
	const char *code;
	const char *words; /* msgid */
} kiosk_states[] = {
	{"submitted", N_("Received, waiting to be reviewed")},
	{"in_review", N_("Being reviewed by a social worker")},
	{"approved", N_("Approved")},
	{"rejected", N_("Not approved")},
	{"withdrawn", N_("Withdrawn")},
	{"appealed", N_("Appealed, waiting to be reviewed again")},
};

const char *
kiosk_state_words(const char *state)
{
	for (size_t i = 0; i < sizeof kiosk_states / sizeof kiosk_states[0];
	    i++)
		if (strcmp(kiosk_states[i].code, state) == 0)
			return _(kiosk_states[i].words);
	return state;
}

const char *
kiosk_period_words(const char *period)
{
	if (strcmp(period, "monthly") == 0)
		return _("a month");
	if (strcmp(period, "yearly") == 0)
		return _("a year");
	if (strcmp(period, "one_off") == 0)
		return _("once");
	return "";
}

/* The text of texts[] in the language on show, else in Lithuanian, else
 * the first, else NULL. */
static const char *
kiosk_local(Spis__V1__LocalText **texts, size_t n)
{
	const char *lang = i18n_language();

	for (size_t i = 0; i < n; i++)
		if (strcmp(texts[i]->language, lang) == 0 &&
		    texts[i]->text[0] != '\0')
			return texts[i]->text;
	for (size_t i = 0; i < n; i++)
		if (strcmp(texts[i]->language, "lt") == 0 &&
		    texts[i]->text[0] != '\0')
			return texts[i]->text;
	return n > 0 ? texts[0]->text : NULL;
}

const char *
kiosk_programme_name(const Spis__V1__Programme *p)
{
	const char *s = kiosk_local(p->names, p->n_names);

	return s != NULL && s[0] != '\0' ? s : p->code;
}

const char *
kiosk_programme_text(const Spis__V1__Programme *p)
{
	const char *s = kiosk_local(p->descriptions, p->n_descriptions);

	return s != NULL ? s : "";
}

void
kiosk_money_plain(long long minor, char *buf, size_t len)
{
	const char *sign = minor < 0 ? "-" : "";
	unsigned long long v = minor < 0 ? 0ULL - (unsigned long long)minor :
	    (unsigned long long)minor;

	snprintf(buf, len, "%s%llu.%02llu", sign, v / 100, v % 100);
}

void
kiosk_money_text(long long minor, const char *currency, char *buf,
    size_t len)
{
	char plain[KIOSK_MONEY_MAX];

	kiosk_money_plain(minor, plain, sizeof plain);
	snprintf(buf, len, "%s %s", currency != NULL && currency[0] != '\0' ?
	    currency : "EUR", plain);
}

int
kiosk_money_parse(const char *s, long long *minor)
{
	long long whole = 0, cents = 0;
	int digits = 0, decimals = -1;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (*s == '.' || *s == ',') {
			if (decimals >= 0 || digits == 0)
				return -1;
			decimals = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (decimals >= 0) {
			if (++decimals > 2)
				return -1;
			cents = cents * 10 + (*s - '0');
		} else {
			if (whole > KIOSK_MONEY_LIMIT / 100)
				return -1;
			whole = whole * 10 + (*s - '0');
			digits++;
		}
	}
	if (digits == 0 || decimals == 0)
		return -1;
	if (decimals == 1)
		cents *= 10;
	if (whole * 100 + cents > KIOSK_MONEY_LIMIT)
		return -1;
	*minor = whole * 100 + cents;
	return 0;
}

const char *
kiosk_money_check(const char *value, void *arg)
{
	long long v;

	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Type an amount in euros, 0 if there is none.");
	if (kiosk_money_parse(value, &v) != 0)
		return _("Type the amount in euros with digits, such as "
		    "1234.56.");
	return NULL;
}

const char *
kiosk_date_check(const char *value, void *arg)
{
	(void)arg;
	if (value[0] == '\0')
		return _("Type your birth date.");
	if (!check_date(value, NULL, NULL, NULL))
		return _("Type the date as year-month-day, such as "
		    "1987-03-18.");
	return NULL;
}

void
kiosk_reference_norm(const char *in, char *out, size_t len)
{
	char ref[REFERENCE_LEN];
	size_t n = 0;

	/* A well-formed reference is sent in its canonical form; anything
	 * else as typed, upper case, for the daemon to say what is wrong. */
	if (reference_parse(in, ref) == 0) {
		snprintf(out, len, "%s", ref);
		return;
	}
	for (; *in != '\0' && n + 1 < len; in++)
		if (*in != ' ')
			out[n++] = (char)toupper((unsigned char)*in);
	out[n] = '\0';
}

/* Letters five rows high, five columns wide: '#' is drawn as a block. */
static const struct {
	char c;
	const char *rows[5];
} kiosk_font[] = {
	{'0', {".###.", "#..##", "#.#.#", "##..#", ".###."}},
	{'1', {"..#..", ".##..", "..#..", "..#..", ".###."}},
	{'2', {".###.", "#...#", "..##.", ".#...", "#####"}},
	{'3', {"####.", "....#", ".###.", "....#", "####."}},
	{'4', {"#..#.", "#..#.", "#####", "...#.", "...#."}},
	{'5', {"#####", "#....", "####.", "....#", "####."}},
	{'6', {".###.", "#....", "####.", "#...#", ".###."}},
	{'7', {"#####", "...#.", "..#..", ".#...", ".#..."}},
	{'8', {".###.", "#...#", ".###.", "#...#", ".###."}},
	{'9', {".###.", "#...#", ".####", "....#", ".###."}},
	{'A', {".###.", "#...#", "#####", "#...#", "#...#"}},
	{'B', {"####.", "#...#", "####.", "#...#", "####."}},
	{'C', {".####", "#....", "#....", "#....", ".####"}},
	{'D', {"####.", "#...#", "#...#", "#...#", "####."}},
	{'E', {"#####", "#....", "####.", "#....", "#####"}},
	{'F', {"#####", "#....", "####.", "#....", "#...."}},
	{'G', {".####", "#....", "#..##", "#...#", ".###."}},
	{'H', {"#...#", "#...#", "#####", "#...#", "#...#"}},
	{'I', {".###.", "..#..", "..#..", "..#..", ".###."}},
	{'J', {"..###", "...#.", "...#.", "#..#.", ".##.."}},
	{'K', {"#...#", "#..#.", "###..", "#..#.", "#...#"}},
	{'L', {"#....", "#....", "#....", "#....", "#####"}},
	{'M', {"#...#", "##.##", "#.#.#", "#...#", "#...#"}},
	{'N', {"#...#", "##..#", "#.#.#", "#..##", "#...#"}},
	{'O', {".###.", "#...#", "#...#", "#...#", ".###."}},
	{'P', {"####.", "#...#", "####.", "#....", "#...."}},
	{'Q', {".###.", "#...#", "#.#.#", "#..#.", ".##.#"}},
	{'R', {"####.", "#...#", "####.", "#..#.", "#...#"}},
	{'S', {".####", "#....", ".###.", "....#", "####."}},
	{'T', {"#####", "..#..", "..#..", "..#..", "..#.."}},
	{'U', {"#...#", "#...#", "#...#", "#...#", ".###."}},
	{'V', {"#...#", "#...#", "#...#", ".#.#.", "..#.."}},
	{'W', {"#...#", "#...#", "#.#.#", "##.##", "#...#"}},
	{'X', {"#...#", ".#.#.", "..#..", ".#.#.", "#...#"}},
	{'Y', {"#...#", ".#.#.", "..#..", "..#..", "..#.."}},
	{'Z', {"#####", "...#.", "..#..", ".#...", "#####"}},
	{'-', {".....", ".....", ".###.", ".....", "....."}},
};
#define KIOSK_NFONT (sizeof kiosk_font / sizeof kiosk_font[0])

static int
kiosk_glyph(char c)
{
	for (size_t i = 0; i < KIOSK_NFONT; i++)
		if (kiosk_font[i].c == c)
			return (int)i;
	return -1;
}

int
kiosk_big_text(struct tui *t, int y, int x, int cols, const char *s)
{
	/* Each letter's row as blocks and spaces: 5 x 3 bytes at most. */
	char row[KIOSK_REF_MAX * 6 * 3 + 1];
	size_t n = strlen(s), o;

	(void)t;
	if (n == 0 || n > KIOSK_REF_MAX || (int)n * 6 > cols)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (kiosk_glyph(s[i]) < 0)
			return 0;
	for (int r = 0; r < 5; r++) {
		o = 0;
		for (size_t i = 0; i < n; i++) {
			const char *g = kiosk_font[kiosk_glyph(s[i])].rows[r];

			for (int j = 0; j < 5; j++) {
				if (g[j] == '#') {
					memcpy(row + o, "\u2588", 3);
					o += 3;
				} else
					row[o++] = ' ';
			}
			row[o++] = ' ';
		}
		row[o] = '\0';
		tui_put(t, y + r, x, cols, TUI_A_BOLD, row);
	}
	return 5;
}

void
kiosk_page_add(struct kiosk_page *p, int attr, int indent, const char *fmt,
    ...)
{
	struct kiosk_para *np;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1) {
		va_end(ap);
		return;
	}
	va_end(ap);
	if (p->n == p->cap) {
		size_t cap = p->cap == 0 ? 32 : 2 * p->cap;

		if ((np = reallocarray(p->paras, cap, sizeof *np)) == NULL) {
			explicit_bzero(text, strlen(text));
			free(text);
			return;
		}
		p->paras = np;
		p->cap = cap;
	}
	p->paras[p->n++] = (struct kiosk_para){attr, indent, text};
}

/* Draws (when draw is set) or counts the rows of the page wrapped to cols
 * columns, skipping the first skip rows and stopping after max rows. */
static int
kiosk_page_lay(struct tui *t, struct kiosk_page *p, int y, int x, int cols,
    int skip, int max, int draw)
{
	char buf[1024];
	int row = 0;

	for (size_t i = 0; i < p->n; i++) {
		const char *s = p->paras[i].text;
		int w = cols - p->paras[i].indent;
		size_t len, next;

		if (w < 8)
			w = 8;
		if (*s == '\0') {
			row++;
			continue;
		}
		while (*s != '\0') {
			len = tui_text_wrap(s, w, &next);
			if (len >= sizeof buf)
				len = sizeof buf - 1;
			if (draw && row >= skip && row - skip < max) {
				memcpy(buf, s, len);
				buf[len] = '\0';
				tui_put(t, y + row - skip, x + p->paras[i].indent,
				    w, p->paras[i].attr, buf);
			}
			row++;
			if (next == 0)
				break;
			s += next;
		}
	}
	explicit_bzero(buf, sizeof buf);
	return row;
}

void
kiosk_page_draw(struct tui *t, struct kiosk_page *p, int y, int x, int rows,
    int cols)
{
	int shown;

	if (rows < 2)
		return;
	p->rows = kiosk_page_lay(t, p, y, x, cols, 0, 0, 0);
	shown = p->rows > rows ? rows - 1 : rows;
	if (p->top > p->rows - shown)
		p->top = p->rows - shown;
	if (p->top < 0)
		p->top = 0;
	p->shown = shown;
	kiosk_page_lay(t, p, y, x, cols, p->top, shown, 1);
	if (p->rows > rows)
		tui_put(t, y + rows - 1, x, cols, TUI_A_REVERSE,
		    p->top + shown < p->rows ?
		    _("More below: press ↓ or PgDn") :
		    _("End. Press ↑ or PgUp to go back up"));
}

int
kiosk_page_key(struct kiosk_page *p, struct tui_key k)
{
	int page = p->shown > 1 ? p->shown - 1 : 1;

	if (!k.fn)
		return 0;
	switch (k.c) {
	case KEY_UP:
		p->top--;
		break;
	case KEY_DOWN:
		p->top++;
		break;
	case KEY_PPAGE:
		p->top -= page;
		break;
	case KEY_NPAGE:
		p->top += page;
		break;
	case KEY_HOME:
		p->top = 0;
		break;
	case KEY_END:
		p->top = p->rows;
		break;
	default:
		return 0;
	}
	/* The draw keeps the top within the text. */
	if (p->top < 0)
		p->top = 0;
	if (p->top > p->rows)
		p->top = p->rows;
	return 1;
}

void
kiosk_page_clear(struct kiosk_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		explicit_bzero(p->paras[i].text, strlen(p->paras[i].text));
		free(p->paras[i].text);
	}
	free(p->paras);
	*p = (struct kiosk_page){0};
}
