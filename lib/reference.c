/*
 * reference.c: making and reading application references (reference.h).
 */
#include <stdio.h>

#include "reference.h"

static const char ref_b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The value of a symbol as a person may type it, or -1. */
static int
ref_value(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	if (ch == 'O')
		ch = '0';
	else if (ch == 'I' || ch == 'L')
		ch = '1';
	for (int i = 0; i < 32; i++)
		if (ref_b32[i] == ch)
			return i;
	return -1;
}

/* The Luhn mod 32 check value of the n values v. */
static int
ref_luhn32(const int *v, int n)
{
	int factor = 2, sum = 0;

	for (int i = n - 1; i >= 0; i--) {
		int addend = factor * v[i];

		factor = factor == 2 ? 1 : 2;
		sum += addend / 32 + addend % 32;
	}
	return (32 - sum % 32) % 32;
}

/* Writes nine values (the ninth the check) as "XXXX-XXXX-C". */
static void
ref_write(const int v[9], char out[REFERENCE_LEN])
{
	snprintf(out, REFERENCE_LEN, "%c%c%c%c-%c%c%c%c-%c", ref_b32[v[0]],
	    ref_b32[v[1]], ref_b32[v[2]], ref_b32[v[3]], ref_b32[v[4]],
	    ref_b32[v[5]], ref_b32[v[6]], ref_b32[v[7]], ref_b32[v[8]]);
}

void
reference_format(const int v[8], char out[REFERENCE_LEN])
{
	int all[9];

	for (int i = 0; i < 8; i++)
		all[i] = v[i] & 31;
	all[8] = ref_luhn32(all, 8);
	ref_write(all, out);
}

int
reference_parse(const char *in, char out[REFERENCE_LEN])
{
	int v[9], n = 0, x;

	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (n == 9 || (x = ref_value(*in)) < 0)
			return -1;
		v[n++] = x;
	}
	if (n != 9 || ref_luhn32(v, 8) != v[8])
		return -1;
	ref_write(v, out);
	return 0;
}
