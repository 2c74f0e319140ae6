/*
 * test_reference.c: application references (lib/reference.h) and date
 * arithmetic (check_date_add in lib/check.h), and cutting UTF-8 at a
 * character (check_utf8_copy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "reference.h"

static void
test_round_trip(void **state)
{
	int v[8] = {20, 7, 23, 19, 2, 29, 9, 10};
	char ref[REFERENCE_LEN], back[REFERENCE_LEN];

	(void)state;
	reference_format(v, ref);
	assert_int_equal(strlen(ref), 11);
	assert_true(ref[4] == '-' && ref[9] == '-');
	assert_int_equal(reference_parse(ref, back), 0);
	assert_string_equal(back, ref);
}

static void
test_typing(void **state)
{
	int v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	char ref[REFERENCE_LEN], typed[32], back[REFERENCE_LEN];
	size_t n = 0;

	(void)state;
	reference_format(v, ref);
	/* Lower case, no dashes, O for 0 and l for 1. */
	for (const char *p = ref; *p != '\0'; p++) {
		if (*p == '-')
			continue;
		typed[n++] = *p == '0' ? 'o' : *p == '1' ? 'l' :
		    (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	typed[n] = '\0';
	assert_int_equal(reference_parse(typed, back), 0);
	assert_string_equal(back, ref);
}

static void
test_mistakes(void **state)
{
	int v[8] = {20, 7, 23, 19, 2, 29, 9, 10};
	char ref[REFERENCE_LEN], bad[REFERENCE_LEN], out[REFERENCE_LEN];

	(void)state;
	reference_format(v, ref);
	/* Every single mistyped symbol is caught. */
	for (int i = 0; i < 11; i++) {
		if (ref[i] == '-')
			continue;
		memcpy(bad, ref, sizeof bad);
		bad[i] = bad[i] == 'Z' ? 'Y' : (bad[i] == '9' ? 'A' :
		    (char)(bad[i] + 1));
		if (bad[i] == 'I' || bad[i] == 'L' || bad[i] == 'O' ||
		    bad[i] == 'U')
			bad[i]++;
		assert_int_equal(reference_parse(bad, out), -1);
	}
	assert_int_equal(reference_parse("", out), -1);
	assert_int_equal(reference_parse("K7QM-2XPA", out), -1);
	assert_int_equal(reference_parse("K7QM-2XPA-RR", out), -1);
	assert_int_equal(reference_parse("K7QM-2XPA-U", out), -1);
}

static void
test_date_add(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(check_date_add("2026-01-31", 0, 30, out, sizeof out),
	    0);
	assert_string_equal(out, "2026-03-02");
	assert_int_equal(check_date_add("2024-02-29", 1, 0, out, sizeof out),
	    0);
	assert_string_equal(out, "2025-03-01");
	assert_int_equal(check_date_add("2026-11-24T10:00:00Z", 0, 0, out,
	    sizeof out), 0);
	assert_string_equal(out, "2026-11-24");
	assert_int_equal(check_date_add("2026-12-31", 0, 1, out, sizeof out),
	    0);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(check_date_add("yesterday", 0, 1, out, sizeof out),
	    -1);
}

/* check_utf8_copy cuts at a character, never inside one. */
static void
test_utf8_copy(void **state)
{
	char out[8];

	(void)state;
	check_utf8_copy(out, sizeof out, "Rūta");
	assert_string_equal(out, "Rūta");
	/* "abcdeū" is 7 bytes; 6 fit with the NUL only if ū is dropped. */
	check_utf8_copy(out, 7, "abcdeūx");
	assert_string_equal(out, "abcde");
	assert_true(check_utf8_text(out));
	check_utf8_copy(out, sizeof out, "žžžž");
	assert_string_equal(out, "žžž");
	check_utf8_copy(out, 1, "ž");
	assert_string_equal(out, "");
}

/* The three readings of UTF-8: text (no controls), valid (protobuf's
 * rule) and scrubbed (each bad byte made '?'). */
static void
test_utf8_kinds(void **state)
{
	char s[32];

	(void)state;
	assert_true(check_utf8_text("Šiaulių rajono savivaldybė İğdır"));
	assert_false(check_utf8_text("tab\there"));
	assert_false(check_utf8_text("\xc2\x85")); /* C1 NEL */
	assert_false(check_utf8_text("\xc0\xaf")); /* overlong '/' */
	assert_false(check_utf8_text("\xed\xa0\x80")); /* surrogate */
	assert_false(check_utf8_text("abc\xc5")); /* cut short */
	assert_true(check_utf8_valid("a\tb\n", 4));
	assert_true(check_utf8_valid("\xc2\x85", 2));
	assert_false(check_utf8_valid("\xc5\xab", 1)); /* ū cut by length */
	assert_true(check_utf8_valid("\xc5\xab", 2));
	assert_false(check_utf8_valid("\xf4\x90\x80\x80", 4)); /* > 10FFFF */

	snprintf(s, sizeof s, "%s", "\"abcde\xc5\" is not");
	check_utf8_scrub(s);
	assert_string_equal(s, "\"abcde?\" is not");
	snprintf(s, sizeof s, "%s", "Rūta\x01\xff\xc2\x85ž");
	check_utf8_scrub(s);
	assert_string_equal(s, "Rūta????ž");
	assert_true(check_utf8_text(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_typing),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_date_add),
		cmocka_unit_test(test_utf8_copy),
		cmocka_unit_test(test_utf8_kinds),
	};

	return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
