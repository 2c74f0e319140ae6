/*
 * tui.h: the ncurses kit shared by spis-console and spis-kiosk.
 *
 * The terminal is a header line (program, who is logged in, server, link
 * state), a body drawn by the screen on top of a stack, and a footer listing
 * the keys of that screen.  One loop reads keys with a half-second timeout,
 * so that programs can poll the daemon and run timers between keys, and
 * redraws everything from the screens' state on every turn: ncurses sends
 * only what changed.  Only the thread that called tui_open() may call the
 * drawing functions; nothing is drawn from a signal handler.
 *
 * Text is UTF-8 throughout.  Strings named "msgid" below are untranslated
 * and go through gettext when drawn, so a language switch redraws in the
 * new language.
 */
#ifndef SPIS_TUI_H
#define SPIS_TUI_H

#include <stddef.h>
#include <wchar.h>

struct tui;
struct tui_screen;

/*
 * A key as get_wch() read it: a character, or a function key (KEY_UP,
 * KEY_RESIZE...).  The two are kept apart because wide characters such as
 * U+0105 'ą' fall in the range of the KEY_* codes.
 */
struct tui_key {
	int fn;	  /* 1: c is a KEY_* code; 0: c is a character */
	wint_t c;
};

/* Builds a character key, for comparisons and tests. */
#define TUI_CHAR(ch) ((struct tui_key){0, (wint_t)(ch)})
#define TUI_FN(code) ((struct tui_key){1, (wint_t)(code)})

/* True when k is the character ch or the function key code (0 for none). */
int tui_key_is(struct tui_key k, wint_t ch, int code);

/* True for Enter, however the terminal sends it. */
int tui_key_enter(struct tui_key k);

/* One entry of the footer: a key label shown as is, and a msgid. */
struct tui_hint {
	const char *key;  /* "q", "Enter", "PgDn" */
	const char *what; /* msgid: "Quit" */
};

/*
 * A screen.  The caller allocates it (usually embedded first in a larger
 * struct) and fills in the hooks; tui_push() hands it to the stack, which
 * calls wipe and then destroy when it is popped or the kit closes.
 */
struct tui_screen {
	/* Draws the body; see tui_body() for where. */
	void (*draw)(struct tui *t, struct tui_screen *s);
	/* Handles a key; returns 1 when used.  May push or pop screens. */
	int (*key)(struct tui *t, struct tui_screen *s, struct tui_key k);
	/* Called on every turn of the loop (at least twice a second) while
	 * the screen is on top; for timers and polling.  May be NULL. */
	void (*tick)(struct tui *t, struct tui_screen *s);
	/* Zeroes whatever the user typed into the screen.  May be NULL. */
	void (*wipe)(struct tui_screen *s);
	/* Frees the screen.  May be NULL for static screens. */
	void (*destroy)(struct tui_screen *s);
	/* Footer entries, ended by {NULL, NULL}.  May change at any time. */
	const struct tui_hint *hints;
	/* Set for dialogs: the screen below is drawn first. */
	int overlay;
	/* Owned by the stack. */
	struct tui_screen *below;
};

enum tui_mode {
	TUI_OFFICE, /* cbreak: ^Z suspends; SIGINT, SIGTERM, SIGHUP quit */
	TUI_KIOSK,  /* raw: ^C, ^Z, ^\ are plain keys; no signal stops it but
		       SIGTERM and SIGHUP, which leave cleanly */
};

enum tui_conn {
	TUI_CONN_CONNECTING,
	TUI_CONN_UP,
	TUI_CONN_DOWN,
};

/*
 * Starts curses on the terminal.  program is a msgid for the header.
 * While curses owns the screen, stderr goes to log_path (appended) when
 * given, else to /dev/null when it is a terminal; tui_close() restores it.
 * Returns NULL and a reason in err when there is no usable terminal.
 */
struct tui *tui_open(const char *program, enum tui_mode mode,
    const char *log_path, char *err, size_t errlen);

/* Pops (wiping) every screen, ends curses, restores stderr, frees t. */
void tui_close(struct tui *t);

/* Header contents.  who is NULL for "not logged in"; strings are copied. */
void tui_set_user(struct tui *t, const char *who);
void tui_set_server(struct tui *t, const char *addr);
void tui_set_conn(struct tui *t, enum tui_conn state);

/* The screen stack.  tui_pop() wipes and destroys the top screen;
 * tui_reset() does so for every screen above the bottom one, wipes the
 * bottom one, forgets typed-ahead keys and clears the terminal. */
void tui_push(struct tui *t, struct tui_screen *s);
void tui_pop(struct tui *t);
void tui_reset(struct tui *t);
struct tui_screen *tui_top(struct tui *t);

/*
 * Runs until tui_quit() or a terminating signal.  tick (may be NULL) runs
 * on every turn before the screen's own.  Returns the status given to
 * tui_quit(), or 128 + the signal number.
 */
int tui_run(struct tui *t, void (*tick)(struct tui *t, void *arg), void *arg);
void tui_quit(struct tui *t, int status);

/*
 * Draws every screen now instead of at the next turn of the loop: for a
 * screen about to wait on the network, so that "please wait" is seen.
 */
void tui_redraw(struct tui *t);

/* Milliseconds since the last key (or since tui_open). */
long tui_idle_ms(const struct tui *t);
/* True once a key has been read since tui_open() or tui_reset(). */
int tui_touched(const struct tui *t);

/* The body: first row, number of rows and columns, on the current size. */
void tui_body(const struct tui *t, int *top, int *rows, int *cols);

/* Where the cursor rests after this turn's drawing (screen coordinates):
 * on the focused field, for screen readers.  Reset every turn. */
void tui_cursor(struct tui *t, int y, int x);

/* Attributes for tui_put(). */
#define TUI_A_NORMAL 0
#define TUI_A_BOLD 1
#define TUI_A_REVERSE 2
#define TUI_A_ERROR 4
#define TUI_A_UNDERLINE 8

/*
 * Draws UTF-8 text at screen row y, column x, cut to cols columns and the
 * screen edge.  Returns the columns used.
 */
int tui_put(struct tui *t, int y, int x, int cols, int attr, const char *s);

/* As tui_put() with printf formatting. */
int tui_putf(struct tui *t, int y, int x, int cols, int attr, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));

/* Draws text word-wrapped into at most rows rows of cols columns; '\n'
 * starts a new row.  Returns the rows used. */
int tui_wrap(struct tui *t, int y, int x, int cols, int rows, int attr,
    const char *s);

/* Clears a rectangle of the screen and draws a border round it. */
void tui_box(struct tui *t, int y, int x, int rows, int cols);

/*
 * Pushes a yes/no dialog over the current screen.  question is shown as
 * given (translate it first).  The dialog pops itself, then calls done
 * with yes set to 1 or 0.  Esc answers no; "No" has the focus first.
 */
void tui_confirm(struct tui *t, const char *question,
    void (*done)(struct tui *t, int yes, void *arg), void *arg);

/* ------------------------------------------------------------------------
 * Text measured in terminal columns (UTF-8, wide and combining characters).
 * These need an UTF-8 LC_CTYPE, which i18n_init() arranges.
 */

/* Columns taken by s; an invalid byte counts as one column. */
int tui_text_width(const char *s);

/* Bytes of the longest prefix of s that fits in cols columns; *used (may
 * be NULL) receives its width. */
size_t tui_text_fit(const char *s, int cols, int *used);

/*
 * Splits off the first row of s word-wrapped at cols columns.  Returns the
 * bytes to draw; *next receives the offset where the next row starts (past
 * the space or newline that ended this one).  A word longer than a row is
 * cut.  At the end of s, returns 0 with *next pointing at the NUL.
 */
size_t tui_text_wrap(const char *s, int cols, size_t *next);

/* ------------------------------------------------------------------------
 * Text fields and forms.  The editing and validation logic draws nothing;
 * tui_form_draw() shows a form.
 */

#define TUI_FIELD_MAX 128 /* characters */

struct tui_field {
	const char *label; /* msgid */
	int maxlen;	   /* characters, 1..TUI_FIELD_MAX */
	int secret;	   /* shown as '*' (PINs) */
	/*
	 * Called when the field is left and before a form is submitted
	 * with the value as UTF-8.  Returns NULL when it is acceptable, or
	 * the problem, already translated; the text is copied at once.
	 */
	const char *(*validate)(const char *value, void *arg);
	void *arg;

	/* State: zeroed by tui_field_wipe(). */
	wchar_t buf[TUI_FIELD_MAX + 1];
	int len;	/* characters in buf */
	int pos;	/* cursor, 0..len */
	int scroll;	/* first character shown */
	char error[256]; /* the problem shown next to the field, or "" */
};

/* Edits the field with k.  Returns 1 when the key was used. */
int tui_field_key(struct tui_field *f, struct tui_key k);

/* Runs the validator and records its verdict.  Returns 0 when valid. */
int tui_field_check(struct tui_field *f);

/* The value as UTF-8 into out (always NUL-terminated).  Returns 0, or -1
 * when out is too small.  Wipe out when done with a secret. */
int tui_field_value(const struct tui_field *f, char *out, size_t outlen);

/* Replaces the value with UTF-8 text (cut to maxlen).  Returns 0, or -1
 * for text that is not valid UTF-8 or not printable. */
int tui_field_set(struct tui_field *f, const char *value);

/* Zeroes the value and the error. */
void tui_field_wipe(struct tui_field *f);

/*
 * Draws the field's input area alone at row y, column x, at most cols
 * columns (its maxlen plus one at most), for screens that lay out their
 * own labels.  With focus set the cursor rests in it.  The field's error is
 * not drawn.  Returns the columns used.
 */
int tui_field_draw_at(struct tui *t, struct tui_field *f, int y, int x,
    int cols, int focus);

enum tui_form_result {
	TUI_FORM_IGNORED, /* the key is not for the form */
	TUI_FORM_HANDLED,
	TUI_FORM_SUBMIT, /* Enter on the last field with every field valid */
};

struct tui_form {
	struct tui_field *fields; /* owned by the caller */
	int n;
	int focus;
};

/*
 * Tab, Down and Enter leave a field forwards, Shift-Tab and Up backwards,
 * validating the field left; a field with a problem may be left, and the
 * problem stays shown.  Enter on the last field validates all and submits,
 * or moves to the first field with a problem.
 */
enum tui_form_result tui_form_key(struct tui_form *f, struct tui_key k);

/* Draws the form from row y (two rows per field: the field, then its
 * problem) and leaves the cursor in the focused field. */
void tui_form_draw(struct tui *t, struct tui_form *f, int y, int x, int cols);

/* Rows tui_form_draw() uses. */
int tui_form_rows(const struct tui_form *f);

/* Wipes every field and returns the focus to the first. */
void tui_form_wipe(struct tui_form *f);

/* ------------------------------------------------------------------------
 * Paged lists.
 */

struct tui_list {
	size_t n;   /* items */
	size_t sel; /* the selected item */
	/* Writes item i as UTF-8 into buf. */
	void (*item)(size_t i, char *buf, size_t len, void *arg);
	void *arg;
	int per_page; /* set by tui_list_draw(); items on one page */
};

/* Up, Down, PgUp, PgDn, Home and End.  per_page must have been set by a
 * draw (or by hand).  Returns 1 when the key was used. */
int tui_list_key(struct tui_list *l, struct tui_key k);

/* The page of the selected item and the number of pages, both from 1. */
void tui_list_page(const struct tui_list *l, size_t *page, size_t *pages);

/*
 * Draws the page holding the selected item in rows rows from row y, the
 * selection highlighted and the cursor on it.  When there is more than one
 * page the last row says "Page N of M".
 */
void tui_list_draw(struct tui *t, struct tui_list *l, int y, int x, int rows,
    int cols);

#endif
