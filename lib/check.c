/*
 * check.c: text and date checks (see check.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

/*
 * The length in bytes of the well-formed character at p (below end), or 0
 * when the bytes there are not one: a stray continuation byte, a sequence
 * cut short, an overlong form, a surrogate or a value past Unicode.  With
 * text set, control characters (C0, DEL and C1) count as not well-formed,
 * since nobody types them into a name or a reason.
 */
static size_t
check_utf8_char(const unsigned char *p, const unsigned char *end, int text)
{
	size_t n;
	unsigned cp;

	if (*p < 0x80)
		return text && (*p < 0x20 || *p == 0x7f) ? 0 : 1;
	if ((*p & 0xe0) == 0xc0)
		n = 1, cp = *p & 0x1f;
	else if ((*p & 0xf0) == 0xe0)
		n = 2, cp = *p & 0x0f;
	else if ((*p & 0xf8) == 0xf0)
		n = 3, cp = *p & 0x07;
	else
		return 0;
	if ((size_t)(end - p) <= n)
		return 0;
	for (size_t i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
	    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (text && cp >= 0x80 && cp < 0xa0)
		return 0;
	return n + 1;
}

int
check_utf8_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	size_t n;

	for (; p < end; p += n)
		if ((n = check_utf8_char(p, end, 1)) == 0)
			return 0;
	return 1;
}

int
check_utf8_valid(const void *buf, size_t len)
{
	const unsigned char *p = buf, *end = p + len;
	size_t n;

	for (; p < end; p += n)
		if ((n = check_utf8_char(p, end, 0)) == 0)
			return 0;
	return 1;
}

void
check_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	unsigned char *end = p + strlen(s);
	size_t n;

	for (; p < end; p += n)
		if ((n = check_utf8_char(p, end, 1)) == 0) {
			*p = '?';
			n = 1;
		}
}

void
check_utf8_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		n = len - 1;
		/* Back to the first byte of the character the cut falls in:
		 * continuation bytes are 10xxxxxx. */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

size_t
check_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
check_text(const char *s, size_t min_chars, size_t max_chars, char *why,
    size_t whylen)
{
	size_t n;
	const char *p;

	if (!check_utf8_text(s)) {
		snprintf(why, whylen, "is not valid text (broken UTF-8 or a "
		    "control character)");
		return -1;
	}
	n = check_utf8_len(s);
	for (p = s; *p == ' '; p++)
		;
	if (n < min_chars || n > max_chars || (min_chars > 0 && *p == '\0')) {
		if (min_chars > 0)
			snprintf(why, whylen, "must be %zu to %zu characters",
			    min_chars, max_chars);
		else
			snprintf(why, whylen, "must be at most %zu characters",
			    max_chars);
		return -1;
	}
	return 0;
}

int
check_date(const char *s, int *yp, int *mp, int *dp)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int y, m, d, n = 0, leap;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) !=
	    3 || n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return 0;
	if (yp != NULL)
		*yp = y;
	if (mp != NULL)
		*mp = m;
	if (dp != NULL)
		*dp = d;
	return 1;
}

void
check_today(char *out, size_t outlen)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, outlen, "%Y-%m-%d", &tm);
}

void
check_now(char *out, size_t outlen)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
check_date_add(const char *date, int years, long days, char *out,
    size_t outlen)
{
	struct tm tm = {0};
	int y, m, d;
	time_t t;

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	tm.tm_year = y + years - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + (int)days;
	tm.tm_hour = 12;
	/* timegm normalises the overflowing day and month. */
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d", &tm);
	return 0;
}
