/*
 * test_iban.c: the IBAN check (ISO 13616 mod 97) with published examples
 * and the mistakes people make typing them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iban.h"

static void
valid(const char *in, const char *want)
{
	char out[40], why[128] = "";

	if (iban_check(in, out, sizeof out, why, sizeof why) != 0)
		fail_msg("%s: %s", in, why);
	assert_string_equal(out, want);
}

static void
invalid(const char *in, const char *reason)
{
	char out[40], why[128] = "";

	assert_int_equal(iban_check(in, out, sizeof out, why, sizeof why), -1);
	if (strstr(why, reason) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", in, why, reason);
}

static void
test_valid(void **state)
{
	(void)state;
	/* The ECBS examples for Lithuania, Germany and Turkey. */
	valid("LT12 1000 0111 0100 1000", "LT121000011101001000");
	valid("lt121000011101001000", "LT121000011101001000");
	valid("DE89 3704 0044 0532 0130 00", "DE89370400440532013000");
	valid("TR33 0006 1005 1978 6457 8413 26", "TR330006100519786457841326");
	valid("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819");
}

static void
test_invalid(void **state)
{
	(void)state;
	invalid("", "required");
	invalid("LT12 1000 0111 0100 1001", "check digits");
	/* Two neighbours swapped. */
	invalid("LT12 1000 0111 0100 0100", "check digits");
	invalid("LT12 1000 0111 0100 100", "LT has 20");
	invalid("LT12-1000-0111-0100-1000", "only letters");
	invalid("1234 1000 0111 0100 1000", "country");
	invalid("LT1", "15 to 34");
	invalid("LT12 1000 0111 0100 1000 0000 0000 0000 0000 0000", "this has 40");
	invalid("LT12 1000 0111 0100 1000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000", "too long");
	invalid("LT12 1000 0111 0100 1ą00", "only letters");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests_name("iban", tests, NULL, NULL);
}
