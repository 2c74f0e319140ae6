/*
 * check.h: checks on the text and dates people type, shared by the daemon
 * (which decides) and the console and kiosk (which warn as the user types,
 * so that a mistake is named before anything is sent).
 */
#ifndef SPIS_CHECK_H
#define SPIS_CHECK_H

#include <stddef.h>

/* Whether s is well-formed UTF-8 with no control characters. */
int check_utf8_text(const char *s);

/* Whether the len bytes at buf are well-formed UTF-8 (control characters
 * allowed), as protobuf requires of every string field. */
int check_utf8_valid(const void *buf, size_t len);

/* Makes s, in place, well-formed UTF-8 with no control characters: each
 * byte that does not start such a character becomes '?'.  For text built
 * from what a client sent, such as an error message quoting a value. */
void check_utf8_scrub(char *s);

/* The number of characters (code points) in well-formed UTF-8 s. */
size_t check_utf8_len(const char *s);

/* Copies well-formed UTF-8 src into dst (len bytes, len > 0), cut when
 * too long at a character's start, never inside one, so that the copy
 * is well-formed UTF-8 too. */
void check_utf8_copy(char *dst, size_t len, const char *src);

/*
 * A text field of min_chars to max_chars characters, well-formed UTF-8, no
 * control characters, not only spaces when min_chars > 0.  Returns 0, or -1
 * with the problem in words ("must be 1 to 100 characters") in why.
 */
int check_text(const char *s, size_t min_chars, size_t max_chars, char *why,
    size_t whylen);

/* Whether s is a real calendar date "YYYY-MM-DD" (1900..9999); fills the
 * parts when the pointers are not NULL. */
int check_date(const char *s, int *y, int *m, int *d);

/* Today's date in UTC as "YYYY-MM-DD" into out (at least 11 bytes). */
void check_today(char *out, size_t outlen);

/*
 * The date years and days after date ("YYYY-MM-DD", anything after it
 * ignored), into out (at least 11 bytes); 29 February of a year without
 * one becomes 1 March.  0, or -1 when date does not start with a date.
 */
int check_date_add(const char *date, int years, long days, char *out,
    size_t outlen);

/* The current instant as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21). */
void check_now(char *out, size_t outlen);

#endif
