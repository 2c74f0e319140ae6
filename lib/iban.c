/*
 * iban.c: the ISO 13616 check.  The first four characters move to the end,
 * letters become two-digit numbers (A = 10 ... Z = 35), and the whole
 * number must leave 1 when divided by 97; it is worked through piece by
 * piece so that no big-number arithmetic is needed.
 */
#include <stdio.h>
#include <string.h>

#include "iban.h"

static const struct {
	const char *country;
	size_t length;
} iban_lengths[] = {
	{"LT", 20}, {"LV", 21}, {"EE", 20}, {"PL", 28}, {"DE", 22},
	{"FI", 18}, {"SE", 24}, {"TR", 26},
};

static int
iban_mod97(const char *s, size_t n)
{
	int rem = 0;

	for (size_t k = 0; k < n; k++) {
		char ch = s[(k + 4) % n];

		if (ch >= '0' && ch <= '9')
			rem = (rem * 10 + (ch - '0')) % 97;
		else
			rem = (rem * 100 + (ch - 'A' + 10)) % 97;
	}
	return rem;
}

int
iban_check(const char *in, char *out, size_t outlen, char *why,
    size_t whylen)
{
	char buf[64];
	size_t n = 0;

	for (; *in != '\0'; in++) {
		char ch = *in;

		if (ch == ' ')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
			snprintf(why, whylen, "only letters, digits and "
			    "spaces belong in an IBAN");
			return -1;
		}
		if (n == sizeof buf - 1) {
			snprintf(why, whylen, "too long for an IBAN (at most "
			    "34 characters)");
			return -1;
		}
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (n == 0) {
		snprintf(why, whylen, "required");
		return -1;
	}
	if (n < 15 || n > 34) {
		snprintf(why, whylen, "an IBAN has 15 to 34 characters, this "
		    "has %zu", n);
		return -1;
	}
	if (buf[0] < 'A' || buf[0] > 'Z' || buf[1] < 'A' || buf[1] > 'Z' ||
	    buf[2] < '0' || buf[2] > '9' || buf[3] < '0' || buf[3] > '9') {
		snprintf(why, whylen, "an IBAN starts with a country's two "
		    "letters and two check digits");
		return -1;
	}
	for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0];
	    i++)
		if (strncmp(buf, iban_lengths[i].country, 2) == 0 &&
		    n != iban_lengths[i].length) {
			snprintf(why, whylen, "an IBAN of %s has %zu "
			    "characters, this has %zu",
			    iban_lengths[i].country, iban_lengths[i].length, n);
			return -1;
		}
	if (iban_mod97(buf, n) != 1) {
		snprintf(why, whylen, "the check digits do not match; a "
		    "character is mistyped");
		return -1;
	}
	if (outlen <= n) {
		snprintf(why, whylen, "internal: output too small");
		return -1;
	}
	memcpy(out, buf, n + 1);
	return 0;
}
