/*
 * apps.h: the kiosk's programme and application screens.  Two need no
 * identification and start from the welcome screen: the status of an
 * application by its reference and the applicant's birth date (status.c),
 * and "what support could I get?", the eligibility pre-check that stores
 * nothing (precheck.c).  Two are the identified citizen's, from their home
 * menu: applying for a programme open online (apply.c) and the citizen's
 * own applications with their appeals (myapps.c).  The welcome screen
 * leads to them through one entry and a small menu (appmenu.c), so that
 * its list stays short enough for an 80x24 terminal.  appkit.c holds what
 * they share: codes in plain words, money, references, a scrolling page
 * of text, and letters drawn large.
 */
#ifndef SPIS_KIOSK_APPS_H
#define SPIS_KIOSK_APPS_H

#include "spis/v1/programmes.pb-c.h"

#include "kiosk.h"

/* Each screen is freed by the stack and zeroes what it held when left. */
struct tui_screen *kiosk_appmenu_new(struct kiosk *k);
struct tui_screen *kiosk_status_new(struct kiosk *k);
struct tui_screen *kiosk_precheck_new(struct kiosk *k);
struct tui_screen *kiosk_apply_new(struct kiosk *k);
struct tui_screen *kiosk_myapps_new(struct kiosk *k);
/* My benefits and payments (benefits.c), the identified citizen's. */
struct tui_screen *kiosk_benefits_new(struct kiosk *k);

/* ------------------------------------------------------------------------
 * appkit.c
 */

#define KIOSK_REF_MAX 32   /* a reference as typed, with room to spare */
#define KIOSK_MONEY_MAX 48 /* "EUR 1234567.89" */

/* An application's state in plain words (translated), or the code itself
 * when it is new to the kiosk.  Static storage. */
const char *kiosk_state_words(const char *state);

/* "a month", "a year", "once" for a programme's period; "" if unknown. */
const char *kiosk_period_words(const char *period);

/* A programme's name in the language on show, else Lithuanian, else its
 * code; its description likewise, else "".  Both point into p. */
const char *kiosk_programme_name(const Spis__V1__Programme *p);
const char *kiosk_programme_text(const Spis__V1__Programme *p);

/* Minor units as "EUR 1234.56" (currency "" counts as EUR). */
void kiosk_money_text(long long minor, const char *currency, char *buf,
    size_t len);

/* Minor units as the editable "1234.56". */
void kiosk_money_plain(long long minor, char *buf, size_t len);

/*
 * Reads an amount in euros as a person types it: "1234.56", "1234,56",
 * "1 234", "12.5".  Returns 0 with the minor units in *minor, or -1 for
 * anything else (a sign, a third decimal, more than a billion).
 */
int kiosk_money_parse(const char *s, long long *minor);

/* The validator for a money field (tui_field.validate). */
const char *kiosk_money_check(const char *value, void *arg);

/* The validator for a YYYY-MM-DD date field. */
const char *kiosk_date_check(const char *value, void *arg);

/*
 * A reference as typed, in the daemon's form when it is one
 * (lib/reference.h: "k7qm2xpar" -> "K7QM-2XPA-R"), else upper case without
 * spaces, for the daemon to say what is wrong.  Writes into out.
 */
void kiosk_reference_norm(const char *in, char *out, size_t len);

/*
 * Draws s (A-Z, 0-9 and '-') in letters five rows high from row y, column
 * x, within cols columns.  Returns the rows used, or 0 (nothing drawn)
 * when it does not fit or has another character: the caller then shows it
 * in bold as usual.
 */
int kiosk_big_text(struct tui *t, int y, int x, int cols, const char *s);

/* ------------------------------------------------------------------------
 * A page of paragraphs that scrolls with the arrow keys, for answers that
 * may be longer than the screen.
 */

struct kiosk_para {
	int attr;   /* TUI_A_* */
	int indent; /* columns */
	char *text; /* owned */
};

struct kiosk_page {
	struct kiosk_para *paras;
	size_t n, cap;
	int top;  /* the first row shown */
	int rows; /* set by the last draw: the rows of the whole text */
	int shown; /* set by the last draw: the rows on screen */
};

/* Adds a paragraph; "" makes an empty row.  Out of memory drops it. */
void kiosk_page_add(struct kiosk_page *p, int attr, int indent,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Draws the page in rows rows from row y; the last row says how to see
 * more when it does not fit. */
void kiosk_page_draw(struct tui *t, struct kiosk_page *p, int y, int x,
    int rows, int cols);

/* Up, Down, PgUp, PgDn, Home and End.  Returns 1 when the key was used. */
int kiosk_page_key(struct kiosk_page *p, struct tui_key k);

/* Zeroes and frees every paragraph; the page is empty again. */
void kiosk_page_clear(struct kiosk_page *p);

#endif
