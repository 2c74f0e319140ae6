/*
 * natid.c: national identification numbers (see natid.h).  The words in
 * why are shown to officers as typed, so each names one problem exactly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "natid.h"

#define NATID_LEN 11

static void natid_why(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
natid_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/*
 * The shape both schemes share: exactly 11 ASCII digits.  Non-digits are
 * named before the length, since "12345 678901" is a typing problem the
 * officer fixes differently from a missing digit.
 */
static int
natid_digits(const char *id, int *d, char *why, size_t whylen)
{
	size_t len;

	for (len = 0; id[len] != '\0'; len++) {
		if (id[len] < '0' || id[len] > '9') {
			natid_why(why, whylen, "only digits are allowed "
			    "(no spaces, letters or signs)");
			return -1;
		}
	}
	if (len != NATID_LEN) {
		natid_why(why, whylen, "%d digits are required, not %zu",
		    NATID_LEN, len);
		return -1;
	}
	for (size_t i = 0; i < NATID_LEN; i++)
		d[i] = id[i] - '0';
	return 0;
}

/* check_date() stops at 1900, while a personal code goes back to 1800. */
static int
natid_real_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * The LT check digit: weights 1..9,1; a remainder of 10 means a second
 * pass with weights 3..9,1,2,3, and a second 10 means 0.
 */
static int
natid_lt_check_digit(const int *d)
{
	static const int w1[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1};
	static const int w2[] = {3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
	int s = 0;

	for (int i = 0; i < 10; i++)
		s += d[i] * w1[i];
	if (s % 11 != 10)
		return s % 11;
	s = 0;
	for (int i = 0; i < 10; i++)
		s += d[i] * w2[i];
	return s % 11 == 10 ? 0 : s % 11;
}

static int
natid_lt(const char *id, struct natid_info *info, char *why, size_t whylen)
{
	int d[NATID_LEN], y, m, day, k;
	char date[32], today[11];

	if (natid_digits(id, d, why, whylen) == -1)
		return -1;
	if (d[0] < 1 || d[0] > 6) {
		natid_why(why, whylen, "the first digit must be 1 to 6 "
		    "(century and sex)");
		return -1;
	}
	y = 1800 + 100 * ((d[0] - 1) / 2) + 10 * d[1] + d[2];
	m = 10 * d[3] + d[4];
	day = 10 * d[5] + d[6];
	snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, day);
	if (!natid_real_date(y, m, day)) {
		natid_why(why, whylen, "the birth date %s in it does not exist",
		    date);
		return -1;
	}
	/* Same-width ISO dates compare as text. */
	check_today(today, sizeof today);
	if (strcmp(date, today) > 0) {
		natid_why(why, whylen, "the birth date %s in it is in the "
		    "future", date);
		return -1;
	}
	k = natid_lt_check_digit(d);
	if (k != d[10]) {
		natid_why(why, whylen, "the check digit should be %d, not %d",
		    k, d[10]);
		return -1;
	}
	if (info != NULL) {
		memcpy(info->birth_date, date, sizeof info->birth_date - 1);
		info->birth_date[sizeof info->birth_date - 1] = '\0';
		info->sex = d[0] % 2 == 1 ? 'M' : 'F';
	}
	return 0;
}

static int
natid_tr(const char *id, char *why, size_t whylen)
{
	int d[NATID_LEN], odd, even, sum, k;

	if (natid_digits(id, d, why, whylen) == -1)
		return -1;
	if (d[0] == 0) {
		natid_why(why, whylen, "the first digit must not be 0");
		return -1;
	}
	odd = d[0] + d[2] + d[4] + d[6] + d[8];
	even = d[1] + d[3] + d[5] + d[7];
	/* odd * 7 - even can be negative; keep the remainder in 0..9. */
	k = ((odd * 7 - even) % 10 + 10) % 10;
	if (k != d[9]) {
		natid_why(why, whylen, "the 10th digit (a check digit) should "
		    "be %d, not %d", k, d[9]);
		return -1;
	}
	sum = 0;
	for (int i = 0; i < 10; i++)
		sum += d[i];
	if (sum % 10 != d[10]) {
		natid_why(why, whylen, "the check digit should be %d, not %d",
		    sum % 10, d[10]);
		return -1;
	}
	return 0;
}

int
natid_country_known(const char *country)
{
	return country != NULL &&
	    (strcmp(country, "LT") == 0 || strcmp(country, "TR") == 0);
}

int
natid_check(const char *country, const char *id, struct natid_info *info,
    char *why, size_t whylen)
{
	if (info != NULL)
		memset(info, 0, sizeof *info);
	if (!natid_country_known(country)) {
		natid_why(why, whylen, "unknown country \"%s\" (LT or TR are "
		    "known)", country != NULL ? country : "");
		return -1;
	}
	if (id == NULL)
		id = "";
	if (strcmp(country, "LT") == 0)
		return natid_lt(id, info, why, whylen);
	return natid_tr(id, why, whylen);
}

int
natid_check_person(const char *country, const char *id,
    const char *birth_date, const char *sex, char *why, size_t whylen)
{
	struct natid_info info;

	if (natid_check(country, id, &info, why, whylen) == -1)
		return -1;
	if (birth_date != NULL && *birth_date != '\0' &&
	    info.birth_date[0] != '\0' &&
	    strcmp(birth_date, info.birth_date) != 0) {
		natid_why(why, whylen, "birth_date: the code says %s",
		    info.birth_date);
		return -1;
	}
	if (sex != NULL && *sex != '\0' && info.sex != 0 &&
	    (sex[0] != info.sex || sex[1] != '\0')) {
		natid_why(why, whylen, "sex: the code says %c", info.sex);
		return -1;
	}
	return 0;
}
