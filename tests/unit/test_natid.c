/*
 * test_natid.c: national ID check digits and what the codes encode, and the
 * municipality table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "municipality.h"
#include "natid.h"

/* Asserts that id is valid and encodes date and sex. */
static void
lt_valid(const char *id, const char *date, char sex)
{
	struct natid_info info;
	char why[128] = "";

	if (natid_check("LT", id, &info, why, sizeof why) != 0)
		fail_msg("%s: %s", id, why);
	assert_string_equal(info.birth_date, date);
	assert_int_equal(info.sex, sex);
}

/* Asserts that id is refused with exactly this reason. */
static void
refused(const char *country, const char *id, const char *reason)
{
	struct natid_info info;
	char why[128] = "";

	assert_int_equal(natid_check(country, id, &info, why, sizeof why), -1);
	assert_string_equal(why, reason);
	assert_string_equal(info.birth_date, "");
	assert_int_equal(info.sex, 0);
}

static void
test_lt_valid(void **state)
{
	(void)state;
	/* Three centuries, both sexes. */
	lt_valid("18501010033", "1885-01-01", 'M');
	lt_valid("29912310042", "1899-12-31", 'F');
	lt_valid("38703181745", "1987-03-18", 'M');
	lt_valid("49001011238", "1990-01-01", 'F');
	lt_valid("35006071110", "1950-06-07", 'M');
	lt_valid("45012030158", "1950-12-03", 'F');
	lt_valid("51508200074", "2015-08-20", 'M');
	lt_valid("61503120025", "2015-03-12", 'F');
	/* Leap day. */
	lt_valid("60002290003", "2000-02-29", 'F');
	/* info may be NULL. */
	assert_int_equal(natid_check("LT", "38703181745", NULL, NULL, 0), 0);
}

static void
test_lt_check_digit(void **state)
{
	(void)state;
	refused("LT", "38703181746", "the check digit should be 5, not 6");
	refused("LT", "49001011236", "the check digit should be 8, not 6");
	/* Often quoted as valid, but its check digit is 8. */
	refused("LT", "33309240164", "the check digit should be 8, not 4");
}

static void
test_lt_second_pass(void **state)
{
	(void)state;
	/*
	 * 3*1+3*2+3*3+0*4+9*5+2*6+4*7+0*8+0*9+6*1 = 109 = 9*11+10, so the
	 * second weights decide: 3*3+3*4+3*5+0*6+9*7+2*8+4*9+0*1+0*2+6*3 =
	 * 169 = 15*11+4.
	 */
	lt_valid("33309240064", "1933-09-24", 'M');
	refused("LT", "33309240069", "the check digit should be 4, not 9");
	/*
	 * 3870318003: the first pass gives 120 % 11 = 10, the second 186 %
	 * 11 = 10 again, so the digit is 0.
	 */
	lt_valid("38703180030", "1987-03-18", 'M');
	refused("LT", "38703180031", "the check digit should be 0, not 1");
	/* Second pass, ordinary remainder. */
	lt_valid("38703180157", "1987-03-18", 'M');
}

static void
test_lt_century(void **state)
{
	const char *why = "the first digit must be 1 to 6 (century and sex)";

	(void)state;
	refused("LT", "08703181745", why);
	refused("LT", "78703181745", why);
	refused("LT", "88703181745", why);
	refused("LT", "98703181745", why);
}

static void
test_lt_dates(void **state)
{
	char id[32], why[128], today[11];
	int y, m, d;

	(void)state;
	refused("LT", "38702301745", "the birth date 1987-02-30 in it does "
	    "not exist");
	refused("LT", "38713011745", "the birth date 1987-13-01 in it does "
	    "not exist");
	refused("LT", "38700011745", "the birth date 1987-00-01 in it does "
	    "not exist");
	refused("LT", "38703001745", "the birth date 1987-03-00 in it does "
	    "not exist");
	/* 1900 was not a leap year; 2000 was. */
	refused("LT", "40002291745", "the birth date 1900-02-29 in it does "
	    "not exist");
	refused("LT", "69901011745", "the birth date 2099-01-01 in it is in "
	    "the future");

	/* Tomorrow is refused for its date whatever the check digit. */
	check_today(today, sizeof today);
	assert_true(check_date(today, &y, &m, &d));
	if (y < 2099) {
		snprintf(id, sizeof id, "6%02d12310001", (y + 1) % 100);
		assert_int_equal(natid_check("LT", id, NULL, why, sizeof why),
		    -1);
		assert_non_null(strstr(why, "in the future"));
	}
}

static void
test_lt_shape(void **state)
{
	(void)state;
	refused("LT", "3870318174", "11 digits are required, not 10");
	refused("LT", "387031817450", "11 digits are required, not 12");
	refused("LT", "", "11 digits are required, not 0");
	refused("LT", NULL, "11 digits are required, not 0");
	refused("LT", "3870318174A", "only digits are allowed (no spaces, "
	    "letters or signs)");
	refused("LT", "387031 81745", "only digits are allowed (no spaces, "
	    "letters or signs)");
	refused("LT", " 38703181745", "only digits are allowed (no spaces, "
	    "letters or signs)");
	refused("LT", "38703181745 ", "only digits are allowed (no spaces, "
	    "letters or signs)");
	refused("LT", "-3870318174", "only digits are allowed (no spaces, "
	    "letters or signs)");
	/* Full-width digits are not ASCII digits. */
	refused("LT", "３8703181745", "only digits are allowed (no spaces, "
	    "letters or signs)");
}

static void
test_lt_person(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(natid_check_person("LT", "38703181745", "1987-03-18",
	    "M", why, sizeof why), 0);
	/* Either may be skipped. */
	assert_int_equal(natid_check_person("LT", "38703181745", NULL, NULL,
	    why, sizeof why), 0);
	assert_int_equal(natid_check_person("LT", "38703181745", "", "", why,
	    sizeof why), 0);
	assert_int_equal(natid_check_person("LT", "61503120025", "2015-03-12",
	    "F", why, sizeof why), 0);

	assert_int_equal(natid_check_person("LT", "38703181745", "1987-03-19",
	    "M", why, sizeof why), -1);
	assert_string_equal(why, "birth_date: the code says 1987-03-18");
	assert_int_equal(natid_check_person("LT", "38703181745", "1987-03-18",
	    "F", why, sizeof why), -1);
	assert_string_equal(why, "sex: the code says M");
	assert_int_equal(natid_check_person("LT", "61503120025", NULL, "M",
	    why, sizeof why), -1);
	assert_string_equal(why, "sex: the code says F");
	assert_int_equal(natid_check_person("LT", "38703181745", NULL, "MALE",
	    why, sizeof why), -1);
	assert_string_equal(why, "sex: the code says M");
	/* An invalid code is reported as such, not as a disagreement. */
	assert_int_equal(natid_check_person("LT", "38703181746", "1987-03-18",
	    "M", why, sizeof why), -1);
	assert_string_equal(why, "the check digit should be 5, not 6");
}

static void
test_tr(void **state)
{
	struct natid_info info;
	char why[128];

	(void)state;
	assert_int_equal(natid_check("TR", "10000000146", &info, why,
	    sizeof why), 0);
	assert_string_equal(info.birth_date, "");
	assert_int_equal(info.sex, 0);
	assert_int_equal(natid_check("TR", "12345678950", NULL, why,
	    sizeof why), 0);
	assert_int_equal(natid_check("TR", "98765432150", NULL, why,
	    sizeof why), 0);
	/* 1*7 - 36 is negative: the 10th digit is 1, not -9. */
	assert_int_equal(natid_check("TR", "19090909018", NULL, why,
	    sizeof why), 0);

	refused("TR", "10000000156", "the 10th digit (a check digit) should "
	    "be 4, not 5");
	refused("TR", "10000000147", "the check digit should be 6, not 7");
	refused("TR", "01000000146", "the first digit must not be 0");
	refused("TR", "1000000014", "11 digits are required, not 10");
	refused("TR", "1000000014X", "only digits are allowed (no spaces, "
	    "letters or signs)");

	/* No date or sex encoded: nothing to disagree with. */
	assert_int_equal(natid_check_person("TR", "10000000146", "1970-01-01",
	    "F", why, sizeof why), 0);
	assert_int_equal(natid_check_person("TR", "10000000147", NULL, NULL,
	    why, sizeof why), -1);
}

static void
test_country(void **state)
{
	char why[8];

	(void)state;
	assert_true(natid_country_known("LT"));
	assert_true(natid_country_known("TR"));
	assert_false(natid_country_known("lt"));
	assert_false(natid_country_known("LV"));
	assert_false(natid_country_known(""));
	assert_false(natid_country_known(NULL));
	refused("LV", "38703181745", "unknown country \"LV\" (LT or TR are "
	    "known)");
	refused(NULL, "38703181745", "unknown country \"\" (LT or TR are "
	    "known)");
	/* A short buffer truncates and stays terminated. */
	assert_int_equal(natid_check("LT", "1", NULL, why, sizeof why), -1);
	assert_int_equal(strlen(why), sizeof why - 1);
}

static void
test_municipalities(void **state)
{
	const struct municipality *all, *m;
	size_t n;

	(void)state;
	all = municipality_all(&n);
	assert_int_equal(n, 60);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(all[i].code), 2);
		assert_true(all[i].code[0] >= '1' && all[i].code[0] <= '9');
		assert_true(all[i].code[1] >= '0' && all[i].code[1] <= '9');
		assert_true(check_utf8_text(all[i].name));
		assert_non_null(strstr(all[i].name, "savivaldybė"));
		/* Strictly increasing: sorted and no duplicates. */
		if (i > 0)
			assert_true(strcmp(all[i - 1].code, all[i].code) < 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(all[i].name, all[j].name);
		assert_ptr_equal(municipality_find(all[i].code), &all[i]);
	}

	m = municipality_find("13");
	assert_non_null(m);
	assert_string_equal(m->name, "Vilniaus miesto savivaldybė");
	assert_string_equal(municipality_find("19")->name,
	    "Kauno miesto savivaldybė");
	assert_string_equal(municipality_find("21")->name,
	    "Klaipėdos miesto savivaldybė");
	assert_string_equal(municipality_find("29")->name,
	    "Šiaulių miesto savivaldybė");
	assert_string_equal(municipality_find("27")->name,
	    "Panevėžio miesto savivaldybė");
	assert_string_equal(municipality_find("11")->name,
	    "Alytaus miesto savivaldybė");
	assert_string_equal(municipality_find("32")->name,
	    "Akmenės rajono savivaldybė");
	assert_string_equal(municipality_find("94")->name,
	    "Jurbarko rajono savivaldybė");
	assert_null(municipality_find("99"));
	assert_null(municipality_find("1"));
	assert_null(municipality_find("130"));
	assert_null(municipality_find(""));
	assert_null(municipality_find(NULL));
	assert_ptr_equal(municipality_all(NULL), all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lt_valid),
		cmocka_unit_test(test_lt_check_digit),
		cmocka_unit_test(test_lt_second_pass),
		cmocka_unit_test(test_lt_century),
		cmocka_unit_test(test_lt_dates),
		cmocka_unit_test(test_lt_shape),
		cmocka_unit_test(test_lt_person),
		cmocka_unit_test(test_tr),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_municipalities),
	};

	return cmocka_run_group_tests_name("natid", tests, NULL, NULL);
}
