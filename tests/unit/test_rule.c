/*
 * test_rule.c: the rule language (rpcd/rule.c): parsing and its errors with
 * their positions, types, exact money arithmetic, every clause's result and
 * explanation, the limits, and random input that must never crash it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "rpcd.h"
#include "rule.h"

enum {
	F_IPM,
	F_SIZE,
	F_INCOME,
	F_CHILDREN,
	F_AGE,
	F_SEX,
	F_MUNI,
	F_DISABILITY,
	F_DISABLED,
	F_ASSETS,
	F_N
};

static const struct rule_fact_def defs[F_N] = {
	[F_IPM] = {"household.income_per_member", RULE_MONEY,
	    "household income per member"},
	[F_SIZE] = {"household.size", RULE_INT, "household size"},
	[F_INCOME] = {"household.income", RULE_MONEY, "household income"},
	[F_CHILDREN] = {"household.children", RULE_INT, "children under 18"},
	[F_AGE] = {"person.age", RULE_INT, "age"},
	[F_SEX] = {"person.sex", RULE_TEXT, "sex"},
	[F_MUNI] = {"person.municipality", RULE_TEXT, "municipality"},
	[F_DISABILITY] = {"person.disability", RULE_TEXT, "disability"},
	[F_DISABLED] = {"person.disabled", RULE_BOOL, "has a disability"},
	[F_ASSETS] = {"household.assets", RULE_MONEY, NULL},
};

/* The facts every evaluation sees; tests change them and setup resets. */
static struct rule_value facts[F_N];
static struct arena arena;

static int
setup(void **state)
{
	(void)state;
	facts[F_IPM] = (struct rule_value){RULE_MONEY, 13140, NULL};
	facts[F_SIZE] = (struct rule_value){RULE_INT, 3, NULL};
	facts[F_INCOME] = (struct rule_value){RULE_MONEY, 39420, NULL};
	facts[F_CHILDREN] = (struct rule_value){RULE_INT, 1, NULL};
	facts[F_AGE] = (struct rule_value){RULE_INT, 34, NULL};
	facts[F_SEX] = (struct rule_value){RULE_TEXT, 0, "F"};
	facts[F_MUNI] = (struct rule_value){RULE_TEXT, 0, "13"};
	facts[F_DISABILITY] = (struct rule_value){RULE_TEXT, 0, "none"};
	facts[F_DISABLED] = (struct rule_value){RULE_BOOL, 0, NULL};
	facts[F_ASSETS] = (struct rule_value){RULE_MONEY, 0, NULL};
	arena_init(&arena);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(&arena);
	return 0;
}

/* Parses src, which must be good and of type want. */
static struct rule *
parsed(const char *src, enum rule_type want)
{
	struct rule_error err;
	struct rule *r = rule_parse(src, defs, F_N, want, &err);

	if (r == NULL)
		fail_msg("%s: %s", src, err.msg);
	return r;
}

/* Asserts that src is refused with exactly msg (which holds the place). */
static void
refused(const char *src, enum rule_type want, const char *msg)
{
	struct rule_error err;
	struct rule *r = rule_parse(src, defs, F_N, want, &err);

	if (r != NULL) {
		rule_free(r);
		fail_msg("accepted: %s", src);
	}
	if (strcmp(err.msg, msg) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", src, err.msg, msg);
	assert_true(err.line >= 1 && err.col >= 1);
}

/* Evaluates src (of type want) into *res; the result's value. */
static struct rule_value
run(const char *src, enum rule_type want, struct rule_result *res)
{
	struct rule_result local;
	struct rule_error err;
	struct rule *r = parsed(src, want);

	if (res == NULL)
		res = &local;
	if (rule_eval(r, facts, "EUR", &arena, res, &err) != 0)
		fail_msg("%s: %s", src, err.msg);
	assert_int_equal(res->value.type, want);
	rule_free(r);
	return res->value;
}

static int64_t
num(const char *src, enum rule_type want)
{
	return run(src, want, NULL).i;
}

/* Asserts that src parses but its evaluation fails with msg. */
static void
eval_fails(const char *src, enum rule_type want, const char *msg)
{
	struct rule_result res;
	struct rule_error err;
	struct rule *r = parsed(src, want);

	assert_int_equal(rule_eval(r, facts, "EUR", &arena, &res, &err), -1);
	rule_free(r);
	if (strcmp(err.msg, msg) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", src, err.msg, msg);
}

/* The explanation of the outermost clause. */
static const char *
explain(const char *src)
{
	struct rule_result res;

	run(src, RULE_BOOL, &res);
	assert_true(res.nclauses > 0);
	return res.clauses[0].explain;
}

static void
test_literals(void **state)
{
	struct rule_value v;

	(void)state;
	assert_int_equal(num("42", RULE_INT), 42);
	assert_int_equal(num("007", RULE_INT), 7);
	assert_int_equal(num("102.00", RULE_MONEY), 10200);
	assert_int_equal(num("0.01", RULE_MONEY), 1);
	assert_int_equal(num("-5.25", RULE_MONEY), -525);
	assert_int_equal(num("true", RULE_BOOL), 1);
	assert_int_equal(num("false", RULE_BOOL), 0);
	v = run("\"a \\\"b\\\" \\\\ c\"", RULE_TEXT, NULL);
	assert_string_equal(v.s, "a \"b\" \\ c");
	assert_string_equal(run("\"\"", RULE_TEXT, NULL).s, "");
	assert_int_equal(num("9223372036854775807", RULE_INT), INT64_MAX);
	assert_int_equal(num("92233720368547758.07", RULE_MONEY), INT64_MAX);
	assert_int_equal(num("-9223372036854775807", RULE_INT),
	    -INT64_MAX);

	refused("9223372036854775808", RULE_INT,
	    "line 1, column 1: number 9223372036854775808 is too large");
	refused("1 + 92233720368547758.08", RULE_INT,
	    "line 1, column 5: amount 92233720368547758.08 is too large");
	refused("99999999999999999999.00", RULE_MONEY,
	    "line 1, column 1: amount 99999999999999999999.00 is too large");
	refused("102.0", RULE_MONEY,
	    "line 1, column 1: amount 102.0 needs exactly two decimals, "
	    "like 102.00");
	refused("x.y < 102.000", RULE_BOOL,
	    "line 1, column 1: unknown name \"x.y\"");
	refused("1.00 < 102.000", RULE_BOOL,
	    "line 1, column 8: amount 102.000 needs exactly two decimals, "
	    "like 102.00");
	refused("12abc", RULE_INT, "line 1, column 1: malformed number 12abc");
	refused("1.2.3", RULE_MONEY, "line 1, column 1: malformed number 1.2.3");
	/* A point without decimals is not a number. */
	refused("102.", RULE_MONEY, "line 1, column 1: malformed number 102.");
}

static void
test_value_text(void **state)
{
	struct rule_value v = {RULE_MONEY, 13140, NULL};

	(void)state;
	assert_string_equal(rule_value_text(&arena, &v, "EUR"),
	    "EUR 131.40");
	v.i = -5;
	assert_string_equal(rule_value_text(&arena, &v, "EUR"), "EUR -0.05");
	v.i = INT64_MIN;
	assert_string_equal(rule_value_text(&arena, &v, "EUR"),
	    "EUR -92233720368547758.08");
	v.i = 700;
	assert_string_equal(rule_value_text(&arena, &v, NULL), "7.00");
	v = (struct rule_value){RULE_INT, -42, NULL};
	assert_string_equal(rule_value_text(&arena, &v, "EUR"), "-42");
	v = (struct rule_value){RULE_BOOL, 1, NULL};
	assert_string_equal(rule_value_text(&arena, &v, "EUR"), "true");
	v = (struct rule_value){RULE_TEXT, 0, "13"};
	assert_string_equal(rule_value_text(&arena, &v, "EUR"), "\"13\"");
	v.s = "say \"hi\"";
	assert_string_equal(rule_value_text(&arena, &v, "EUR"),
	    "\"say \\\"hi\\\"\"");
	assert_string_equal(rule_type_name(RULE_MONEY), "money");
	assert_string_equal(rule_type_name(RULE_TEXT), "text");
}

static void
test_money_parse(void **state)
{
	int64_t m = 0;

	(void)state;
	assert_int_equal(rule_money_parse("131.40", &m), 0);
	assert_int_equal(m, 13140);
	assert_int_equal(rule_money_parse("131", &m), 0);
	assert_int_equal(m, 13100);
	assert_int_equal(rule_money_parse("131.4", &m), 0);
	assert_int_equal(m, 13140);
	assert_int_equal(rule_money_parse("-0.05", &m), 0);
	assert_int_equal(m, -5);
	assert_int_equal(rule_money_parse("0", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(rule_money_parse("92233720368547758.07", &m), 0);
	assert_int_equal(m, INT64_MAX);
	m = 99;
	assert_int_equal(rule_money_parse("92233720368547758.08", &m), -1);
	assert_int_equal(rule_money_parse("92233720368547759", &m), -1);
	assert_int_equal(rule_money_parse("1.234", &m), -1);
	assert_int_equal(rule_money_parse("1.", &m), -1);
	assert_int_equal(rule_money_parse(".5", &m), -1);
	assert_int_equal(rule_money_parse("", &m), -1);
	assert_int_equal(rule_money_parse("-", &m), -1);
	assert_int_equal(rule_money_parse(" 1", &m), -1);
	assert_int_equal(rule_money_parse("1,50", &m), -1);
	assert_int_equal(rule_money_parse("+1", &m), -1);
	assert_int_equal(rule_money_parse(NULL, &m), -1);
	assert_int_equal(m, 99);
}

static void
test_money_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(num("0.01 + 0.02", RULE_MONEY), 3);
	assert_int_equal(num("0.10 - 0.01 * 3", RULE_MONEY), 7);
	assert_int_equal(num("0.01 - 0.02", RULE_MONEY), -1);
	assert_int_equal(num("102.00 * household.size - household.income",
	    RULE_MONEY), 30600 - 39420);
	assert_int_equal(num("max(0.00, 102.00 * household.size - "
	    "household.income)", RULE_MONEY), 0);
	assert_int_equal(num("2 * 0.01", RULE_MONEY), 2);
	/* Division truncates toward zero, both ways. */
	assert_int_equal(num("-7.00 / 2", RULE_MONEY), -350);
	assert_int_equal(num("-7.01 / 2", RULE_MONEY), -350);
	assert_int_equal(num("7.01 / 2", RULE_MONEY), 350);
	assert_int_equal(num("1.00 / 3", RULE_MONEY), 33);
	assert_int_equal(num("-1.00 / 3", RULE_MONEY), -33);
	assert_int_equal(num("0.01 / 2", RULE_MONEY), 0);
	assert_int_equal(num("-7 / 2", RULE_INT), -3);
	assert_int_equal(num("7 / -2", RULE_INT), -3);
	/* Precedence and unary minus. */
	assert_int_equal(num("1 + 2 * 3", RULE_INT), 7);
	assert_int_equal(num("(1 + 2) * 3", RULE_INT), 9);
	assert_int_equal(num("10 - 4 - 3", RULE_INT), 3);
	assert_int_equal(num("24 / 4 / 2", RULE_INT), 3);
	assert_int_equal(num("-household.size", RULE_INT), -3);
	assert_int_equal(num("- -3", RULE_INT), 3);
	assert_int_equal(num("-(2 - 5)", RULE_INT), 3);
	assert_int_equal(num("--3", RULE_INT), 3);
	assert_int_equal(num("-household.income", RULE_MONEY), -39420);
	assert_int_equal(num("household.income / household.size",
	    RULE_MONEY), 13140);

	/* The edges of int64. */
	assert_int_equal(num("92233720368547758.06 + 0.01", RULE_MONEY),
	    INT64_MAX);
	eval_fails("92233720368547758.07 + 0.01", RULE_MONEY,
	    "line 1, column 22: the result of '+' is out of range");
	eval_fails("92233720368547758.07 * 2", RULE_MONEY,
	    "line 1, column 22: the result of '*' is out of range");
	eval_fails("-92233720368547758.07 - 0.02", RULE_MONEY,
	    "line 1, column 23: the result of '-' is out of range");
	eval_fails("9223372036854775807 + 1", RULE_INT,
	    "line 1, column 21: the result of '+' is out of range");
	assert_int_equal(num("-9223372036854775807 - 1", RULE_INT),
	    INT64_MIN);
	facts[F_INCOME].i = INT64_MIN;
	eval_fails("-household.income", RULE_MONEY,
	    "line 1, column 1: the result of '-' is out of range");
	eval_fails("household.income / -1", RULE_MONEY,
	    "line 1, column 18: the result of '/' is out of range");
	facts[F_INCOME].i = INT64_MAX;
	eval_fails("household.income * household.size", RULE_MONEY,
	    "line 1, column 18: the result of '*' is out of range");
	eval_fails("household.size * household.income", RULE_MONEY,
	    "line 1, column 16: the result of '*' is out of range");
	assert_int_equal(num("household.income / household.size",
	    RULE_MONEY), INT64_MAX / 3);

	/* A fact given with the wrong type is refused, not misread. */
	facts[F_SIZE].type = RULE_MONEY;
	eval_fails("1 + household.size", RULE_INT,
	    "line 1, column 5: the value given for household.size is not an "
	    "int");
	facts[F_SIZE].type = RULE_INT;
	facts[F_SEX].s = NULL;
	eval_fails("person.sex == \"F\"", RULE_BOOL,
	    "line 1, column 1: the value given for person.sex is not text");
	facts[F_SEX].s = "F";

	/* Division by zero names the place of the '/'. */
	facts[F_CHILDREN].i = 0;
	eval_fails("household.income / household.children > 0.00", RULE_BOOL,
	    "line 1, column 18: division by zero");
	eval_fails("# per child\n\n  1.00 +\n   1.00 / (2 - 2)", RULE_MONEY,
	    "line 4, column 9: division by zero");
}

static void
test_types(void **state)
{
	(void)state;
	refused("household.income_per_member + 3 <= 102.00", RULE_BOOL,
	    "line 1, column 29: cannot add money and int");
	refused("household.size - 1.00", RULE_MONEY,
	    "line 1, column 16: cannot subtract money from int");
	refused("household.income * 1.00", RULE_MONEY,
	    "line 1, column 18: cannot multiply money by money");
	refused("3 / household.income", RULE_MONEY,
	    "line 1, column 3: cannot divide int by money");
	refused("1.00 / 1.00", RULE_MONEY,
	    "line 1, column 6: cannot divide money by money");
	refused("\"a\" + \"b\"", RULE_TEXT,
	    "line 1, column 5: cannot add text and text");
	refused("true + 1", RULE_INT,
	    "line 1, column 6: cannot add bool and int");
	refused("household.income > 100", RULE_BOOL,
	    "line 1, column 18: cannot compare money with int");
	refused("person.age == \"34\"", RULE_BOOL,
	    "line 1, column 12: cannot compare int with text");
	refused("person.sex < \"M\"", RULE_BOOL,
	    "line 1, column 12: text can only be compared with == or !=");
	refused("true >= false", RULE_BOOL,
	    "line 1, column 6: bool can only be compared with == or !=");
	refused("-person.sex", RULE_TEXT,
	    "line 1, column 1: cannot negate text");
	refused("not person.age", RULE_BOOL,
	    "line 1, column 1: not needs a bool, not int");
	refused("person.age and true", RULE_BOOL,
	    "line 1, column 12: and needs a bool on each side, not int");
	refused("true and true and 1.00", RULE_BOOL,
	    "line 1, column 15: and needs a bool on each side, not money");
	refused("true or \"yes\"", RULE_BOOL,
	    "line 1, column 6: or needs a bool on each side, not text");
	refused("min(1, 2.00)", RULE_INT,
	    "line 1, column 1: min needs values of one type, not int and "
	    "money");
	refused("max(\"a\", \"b\")", RULE_TEXT,
	    "line 1, column 1: max needs int or money, not text");
	refused("max(1)", RULE_INT,
	    "line 1, column 1: max needs at least two values");
	refused("if(person.age, 1, 2)", RULE_INT,
	    "line 1, column 1: the condition of if must be a bool, not int");
	refused("if(true, 1, 2.00)", RULE_INT,
	    "line 1, column 1: the two values of if must have one type, not "
	    "int and money");
	refused("if(true, 1)", RULE_INT,
	    "line 1, column 1: if needs three values: a condition, the value "
	    "when it holds and the value when it does not");
	refused("if(true, 1, 2, 3)", RULE_INT,
	    "line 1, column 1: if needs three values: a condition, the value "
	    "when it holds and the value when it does not");
	/* The whole rule's type. */
	refused("102.00 * household.size", RULE_BOOL,
	    "line 1, column 1: the rule must give a bool, this gives money");
	refused("  person.age >= 18", RULE_MONEY,
	    "line 1, column 3: the rule must give money, this gives bool");
	refused("person.sex", RULE_INT,
	    "line 1, column 1: the rule must give an int, this gives text");
	refused("1", RULE_TEXT,
	    "line 1, column 1: the rule must give text, this gives int");
	/* Types that do mix. */
	assert_int_equal(num("household.income >= 394.20", RULE_BOOL), 1);
	assert_int_equal(num("person.disabled == false", RULE_BOOL), 1);
	assert_int_equal(num("if(person.disabled, \"a\", \"b\") == \"b\"",
	    RULE_BOOL), 1);
}

static void
test_text(void **state)
{
	char src[512], lit[128];

	(void)state;
	facts[F_MUNI].s = "Šiaulių m.";
	assert_int_equal(num("person.municipality == \"Šiaulių m.\"",
	    RULE_BOOL), 1);
	assert_int_equal(num("person.municipality != \"Siauliu m.\"",
	    RULE_BOOL), 1);
	assert_int_equal(num("person.municipality == \"ŠIAULIŲ M.\"",
	    RULE_BOOL), 0);
	assert_int_equal(num("\"Ąžuolas\" == \"Ąžuolas\"", RULE_BOOL), 1);
	assert_int_equal(num("\"\" != \"a\"", RULE_BOOL), 1);
	assert_string_equal(explain("person.municipality == \"Šiaulių m.\""),
	    "municipality is \"Šiaulių m.\"");
	/* Columns count characters, not bytes. */
	refused("\"Šiaulių\" == 3", RULE_BOOL,
	    "line 1, column 11: cannot compare text with int");

	/* 100 bytes are allowed, 101 are not; "š" is two bytes. */
	memset(lit, 'a', 100);
	lit[100] = '\0';
	snprintf(src, sizeof src, "\"%s\" != person.sex", lit);
	assert_int_equal(num(src, RULE_BOOL), 1);
	snprintf(src, sizeof src, "person.sex != \"%sa\"", lit);
	refused(src, RULE_BOOL, "line 1, column 15: text longer than 100 "
	    "bytes");
	strcpy(src, "\"");
	for (int i = 0; i < 50; i++)
		strcat(src, "š");
	strcat(src, "\" != person.sex");
	assert_int_equal(num(src, RULE_BOOL), 1);
	strcpy(src, "\"a");
	for (int i = 0; i < 50; i++)
		strcat(src, "š");
	strcat(src, "\" != person.sex");
	refused(src, RULE_BOOL, "line 1, column 1: text longer than 100 "
	    "bytes");

	refused("person.sex == \"F", RULE_BOOL,
	    "line 1, column 15: this text is never closed with '\"'");
	refused("person.sex == \"F\n\"", RULE_BOOL,
	    "line 1, column 15: this text is never closed with '\"'");
	refused("person.sex == \"a\\nb\"", RULE_BOOL,
	    "line 1, column 17: unknown escape in text: only \\\" and \\\\ "
	    "are allowed");
	refused("person.sex == \"\xc5\"", RULE_BOOL,
	    "line 1, column 15: text must be UTF-8 without control "
	    "characters");
	refused("person.sex == \"a\tb\"", RULE_BOOL,
	    "line 1, column 15: text must be UTF-8 without control "
	    "characters");
	refused("person.sex == Ąžuolas", RULE_BOOL,
	    "line 1, column 15: unexpected non-ASCII character outside "
	    "quotes");
}

static void
test_in(void **state)
{
	char src[2048];
	size_t n;

	(void)state;
	assert_int_equal(num("person.municipality in [\"13\", \"19\"]",
	    RULE_BOOL), 1);
	assert_int_equal(num("person.municipality in [\"19\"]", RULE_BOOL), 0);
	assert_int_equal(num("household.size in [1, 2, 3]", RULE_BOOL), 1);
	assert_int_equal(num("household.size - 5 in [-2, -1]", RULE_BOOL), 1);
	assert_int_equal(num("household.income in [0.00, 394.20]", RULE_BOOL),
	    1);
	assert_int_equal(num("household.income in [-394.20]", RULE_BOOL), 0);
	assert_int_equal(num("person.disabled in [false]", RULE_BOOL), 1);
	assert_int_equal(num("person.disabled in [true]", RULE_BOOL), 0);
	assert_int_equal(num("not (person.age in [18, 34]) == false",
	    RULE_BOOL), 1);
	assert_string_equal(explain("person.municipality in [\"13\", \"19\"]"),
	    "municipality \"13\" is one of the listed");
	assert_string_equal(explain("person.municipality in [\"19\"]"),
	    "municipality \"13\" is not one of the listed");

	refused("person.municipality in [\"13\", 19]", RULE_BOOL,
	    "line 1, column 31: cannot look for text in a list with int");
	refused("household.size in [1.00]", RULE_BOOL,
	    "line 1, column 20: cannot look for int in a list with money");
	refused("household.size in []", RULE_BOOL,
	    "line 1, column 19: the list is empty");
	refused("household.size in [1, 2", RULE_BOOL,
	    "line 1, column 19: this '[' is never closed");
	refused("household.size in [1 2]", RULE_BOOL,
	    "line 1, column 22: expected ',' or ']' in the list, not number "
	    "2");
	refused("household.size in [household.children]", RULE_BOOL,
	    "line 1, column 20: list items are numbers, amounts, texts, true "
	    "or false, not name \"household.children\"");
	refused("household.size in (1, 2)", RULE_BOOL,
	    "line 1, column 19: expected '[' after in, not '('");
	refused("household.size in [1] in [true]", RULE_BOOL,
	    "line 1, column 23: cannot chain 'in' after a comparison; join "
	    "comparisons with and");

	/* 100 items are fine, 101 are too many. */
	n = (size_t)snprintf(src, sizeof src, "household.size in [0");
	for (int i = 1; i < 100; i++)
		n += (size_t)snprintf(src + n, sizeof src - n, ",%d", i);
	strcpy(src + n, "]");
	assert_int_equal(num(src, RULE_BOOL), 1);
	strcpy(src + n, ",100]");
	refused(src, RULE_BOOL,
	    "line 1, column 310: the list has more than 100 items");
}

static void
test_functions(void **state)
{
	struct rule_result res;

	(void)state;
	assert_int_equal(num("min(3, 1, 2)", RULE_INT), 1);
	assert_int_equal(num("max(3, 1, 2)", RULE_INT), 3);
	assert_int_equal(num("max(-3, -1, -2, -7)", RULE_INT), -1);
	assert_int_equal(num("min(1.00, household.income, 0.50, 2.00)",
	    RULE_MONEY), 50);
	assert_int_equal(num("max(0.00, 102.00 * household.size - "
	    "household.income, 1.00)", RULE_MONEY), 100);
	assert_int_equal(num("min(max(1, 5), 4) + 1", RULE_INT), 5);
	assert_int_equal(num("if(person.age >= 18, 150.00, 75.50)",
	    RULE_MONEY), 15000);
	assert_int_equal(num("if(person.age >= 65, 150.00, 75.50)",
	    RULE_MONEY), 7550);

	/* if() evaluates only the branch it takes. */
	assert_int_equal(num("if(true, 1, 1 / 0)", RULE_INT), 1);
	assert_int_equal(num("if(false, 1 / 0, 2)", RULE_INT), 2);
	assert_int_equal(num("if(person.age > 18, household.size > 1, "
	    "household.children > 5)", RULE_BOOL), 1);
	run("if(person.age > 18, household.size > 1, household.children > 5)",
	    RULE_BOOL, &res);
	assert_int_equal(res.nclauses, 3);
	assert_string_equal(res.clauses[0].text, "if(person.age > 18, "
	    "household.size > 1, household.children > 5)");
	assert_string_equal(res.clauses[0].explain,
	    "the condition holds, so the value is true");
	assert_string_equal(res.clauses[1].text, "person.age > 18");
	assert_string_equal(res.clauses[2].text, "household.size > 1");
	assert_int_equal(res.clauses[2].depth, 1);
	run("if(person.age > 40, household.size > 1, household.children > 5)",
	    RULE_BOOL, &res);
	assert_int_equal(res.nclauses, 3);
	assert_string_equal(res.clauses[2].text, "household.children > 5");
	assert_int_equal(res.clauses[2].value.i, 0);
	run("if(person.age > 40, 150.00, 75.50)", RULE_MONEY, &res);
	assert_int_equal(res.nclauses, 2);
	assert_int_equal(res.clauses[0].value.type, RULE_MONEY);
	assert_string_equal(res.clauses[0].explain,
	    "the condition does not hold, so the value is EUR 75.50");
	/* Text results live in the arena, not in the freed rule. */
	assert_string_equal(run("if(person.disabled, \"yes\", \"no\")",
	    RULE_TEXT, &res).s, "no");
	assert_string_equal(res.clauses[0].value.s, "no");
	eval_fails("if(false, 1, 1 / 0)", RULE_INT,
	    "line 1, column 16: division by zero");

	refused("min 1, 2", RULE_INT,
	    "line 1, column 5: expected '(' after min, not number 1");
	refused("max(1, 2", RULE_INT, "line 1, column 4: this '(' is never "
	    "closed");
	refused("max(1, 2]", RULE_INT, "line 1, column 9: expected ',' or ')' "
	    "in max(...), not ']'");
	refused("max()", RULE_INT,
	    "line 1, column 5: expected a value, not ')'");
	refused("max(1,)", RULE_INT,
	    "line 1, column 7: expected a value, not ')'");
}

/* The spec's sentences for each operator. */
static void
test_explanations(void **state)
{
	(void)state;
	assert_string_equal(explain("household.income_per_member <= 102.00"),
	    "household income per member EUR 131.40 is above the limit EUR "
	    "102.00");
	facts[F_IPM].i = 9500;
	assert_string_equal(explain("household.income_per_member <= 102.00"),
	    "household income per member EUR 95.00 is within the limit EUR "
	    "102.00");
	assert_string_equal(explain("household.income_per_member < 95.00"),
	    "household income per member EUR 95.00 is not below the limit "
	    "EUR 95.00");
	assert_string_equal(explain("household.income_per_member < 95.01"),
	    "household income per member EUR 95.00 is below the limit EUR "
	    "95.01");
	assert_string_equal(explain("person.age >= 18"),
	    "age 34 is at least 18");
	assert_string_equal(explain("person.age >= 65"),
	    "age 34 is below the minimum 65");
	assert_string_equal(explain("household.children > 0"),
	    "children under 18 1 is above 0");
	assert_string_equal(explain("household.children > 1"),
	    "children under 18 1 is not above 1");
	assert_string_equal(explain("person.sex == \"F\""), "sex is \"F\"");
	assert_string_equal(explain("person.sex == \"M\""),
	    "sex \"F\" is not \"M\"");
	assert_string_equal(explain("person.sex != \"M\""),
	    "sex \"F\" is not \"M\"");
	assert_string_equal(explain("person.sex != \"F\""), "sex is \"F\"");
	/* Facts on the right, expressions and literals on the left. */
	assert_string_equal(explain("household.income <= household.assets"),
	    "household income EUR 394.20 is above the limit household.assets "
	    "EUR 0.00");
	assert_string_equal(explain("household.income / household.size <= "
	    "102.00"), "household.income / household.size EUR 131.40 is "
	    "above the limit EUR 102.00");
	assert_string_equal(explain("18 <= person.age"),
	    "18 is within the limit age 34");
	assert_string_equal(explain("person.disabled"),
	    "has a disability does not hold");
	assert_string_equal(explain("true and person.age > 1"),
	    "all of these hold");
	assert_string_equal(explain("true and person.age > 100"),
	    "not all of these hold");
	assert_string_equal(explain("false or person.age > 1"),
	    "at least one holds");
	assert_string_equal(explain("false or person.age > 100"),
	    "none holds");
	assert_string_equal(explain("not (person.age > 100)"),
	    "the clause below does not hold");
	assert_string_equal(explain("not (person.age > 1)"),
	    "the clause below holds");
}

static void
test_clauses(void **state)
{
	struct rule_result res;
	static const struct {
		int depth;
		const char *text;
		int value;
	} want[] = {
		{0, "person.age >= 18 and (household.children > 0 or not "
		    "(person.sex == \"F\")) and person.disabled == false", 1},
		{1, "person.age >= 18", 1},
		{1, "household.children > 0 or not (person.sex == \"F\")", 1},
		{2, "household.children > 0", 1},
		{2, "not (person.sex == \"F\")", 0},
		{3, "person.sex == \"F\"", 1},
		{1, "person.disabled == false", 1},
		{2, "person.disabled", 0},
	};
	const char *src =
	    "# adults with children, or men\n"
	    "person.age >= 18   # of age\n"
	    "  and (household.children > 0\n"
	    "       or not (person.sex == \"F\"))\n"
	    "  and person.disabled == false";

	(void)state;
	assert_int_equal(run(src, RULE_BOOL, &res).i, 1);
	assert_int_equal(res.nclauses, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < res.nclauses; i++) {
		assert_int_equal(res.clauses[i].depth, want[i].depth);
		assert_string_equal(res.clauses[i].text, want[i].text);
		assert_int_equal(res.clauses[i].value.type, RULE_BOOL);
		if (i > 0)
			assert_int_equal(res.clauses[i].value.i,
			    want[i].value);
		assert_non_null(res.clauses[i].explain);
	}
	assert_string_equal(res.clauses[0].text, want[0].text);

	/* Both sides of and/or are evaluated: every clause has a result. */
	run("false and person.age > 1 and person.sex == \"F\"", RULE_BOOL,
	    &res);
	assert_int_equal(res.value.i, 0);
	assert_int_equal(res.nclauses, 3);
	assert_int_equal(res.clauses[2].value.i, 1);
	assert_string_equal(res.clauses[2].explain, "sex is \"F\"");

	/* Arithmetic inside a clause is not a clause of its own; a rule with
	 * no clause has none. */
	run("max(1.00, 2.00) > 1.00 or person.age - 1 == 33", RULE_BOOL, &res);
	assert_int_equal(res.nclauses, 3);
	run("max(1.00, 2.00 * household.size)", RULE_MONEY, &res);
	assert_int_equal(res.nclauses, 0);
	assert_int_equal(res.value.i, 600);

	/* Comments and "#" inside text, blanks collapsed. */
	run("person.sex   ==\n\"# not  a comment\"  # a comment", RULE_BOOL,
	    &res);
	assert_string_equal(res.clauses[0].text,
	    "person.sex == \"# not  a comment\"");
}

static void
test_syntax(void **state)
{
	(void)state;
	refused("", RULE_BOOL, "line 1, column 1: the rule is empty");
	refused("  \n # only a comment\n", RULE_BOOL,
	    "line 1, column 1: the rule is empty");
	refused("househld.size > 1", RULE_BOOL,
	    "line 1, column 1: unknown name \"househld.size\"");
	refused("person.age > 1 and person.agee > 2", RULE_BOOL,
	    "line 1, column 20: unknown name \"person.agee\"");
	refused("Person.age > 1", RULE_BOOL,
	    "line 1, column 1: \"Person.age\" is not a name: names are "
	    "lowercase letters, digits and _, in parts joined by dots");
	refused("person..age > 1", RULE_BOOL,
	    "line 1, column 1: \"person..age\" is not a name: names are "
	    "lowercase letters, digits and _, in parts joined by dots");
	refused("person.age. > 1", RULE_BOOL,
	    "line 1, column 1: \"person.age.\" is not a name: names are "
	    "lowercase letters, digits and _, in parts joined by dots");
	refused("person.1st > 1", RULE_BOOL,
	    "line 1, column 1: \"person.1st\" is not a name: names are "
	    "lowercase letters, digits and _, in parts joined by dots");
	refused("(person.age > 1", RULE_BOOL,
	    "line 1, column 1: this '(' is never closed");
	refused("((person.age > 1) and true", RULE_BOOL,
	    "line 1, column 1: this '(' is never closed");
	refused("(person.age > 1 true", RULE_BOOL,
	    "line 1, column 17: expected ')' to close the '(' at line 1, "
	    "column 1, not 'true'");
	refused("person.age > 1)", RULE_BOOL,
	    "line 1, column 15: unexpected ')' with no '(' before it");
	refused("person.age > 1 person.age", RULE_BOOL,
	    "line 1, column 16: unexpected name \"person.age\" after the end "
	    "of the rule");
	refused("person.age > 1 1", RULE_BOOL,
	    "line 1, column 16: unexpected number 1 after the end of the "
	    "rule");
	refused("person.age >", RULE_BOOL,
	    "line 1, column 13: the rule ends where a value should be");
	refused("person.age > > 1", RULE_BOOL,
	    "line 1, column 14: expected a value, not '>'");
	refused("person.age = 1", RULE_BOOL,
	    "line 1, column 12: unexpected '=': compare with ==");
	refused("!true", RULE_BOOL,
	    "line 1, column 1: unexpected '!': write not, or != to compare");
	refused("true && true", RULE_BOOL,
	    "line 1, column 6: unexpected '&': write and");
	refused("true || true", RULE_BOOL,
	    "line 1, column 6: unexpected '|': write or");
	refused("person.age > 1 ; 2", RULE_BOOL,
	    "line 1, column 16: unexpected character ';'");
	refused("true\x01", RULE_BOOL,
	    "line 1, column 5: unexpected control character 0x01");
	refused("1 < person.age < 99", RULE_BOOL,
	    "line 1, column 16: cannot chain '<' after a comparison; join "
	    "comparisons with and");
	refused("and", RULE_BOOL, "line 1, column 1: expected a value, not "
	    "'and'");
	refused("in", RULE_BOOL, "line 1, column 1: expected a value, not "
	    "'in'");
	refused("if", RULE_BOOL, "line 1, column 3: expected '(' after if, "
	    "not the end of the rule");
	refused("not", RULE_BOOL,
	    "line 1, column 4: the rule ends where a value should be");
	/* Long tokens are cut short in a message. */
	refused("1 < 2 " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    RULE_BOOL, "line 1, column 7: unexpected name \"aaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaa...\" after the end of the rule");
	/* Keywords are whole words; a name may contain one as a part. */
	refused("person.in > 1", RULE_BOOL,
	    "line 1, column 1: unknown name \"person.in\"");
	assert_int_equal(num("not not true", RULE_BOOL), 1);
	assert_int_equal(num("true or false and false", RULE_BOOL), 1);
	assert_int_equal(num("(true or false) and false", RULE_BOOL), 0);
	assert_int_equal(num("not false and false", RULE_BOOL), 0);
	assert_int_equal(num("\tperson.age\r\n>=\t18", RULE_BOOL), 1);
}

/* Errors on later lines, after comments, name their line and column. */
static void
test_positions(void **state)
{
	(void)state;
	refused("# eligibility\n"
		"person.age >= 18 # adults\n"
		"  and household.income_per_member <= 102\n",
	    RULE_BOOL, "line 3, column 35: cannot compare money with int");
	refused("# eligibility\n"
		"person.age >= 18\n"
		"\n"
		"   and (household.size > 1\n"
		"        or household.sizes > 2)\n",
	    RULE_BOOL, "line 5, column 12: unknown name \"household.sizes\"");
	refused("person.age >= 18 and\n"
		"(person.sex == \"F\" # a comment with \"quotes\n"
		"or person.sex == \"M\"\n",
	    RULE_BOOL, "line 2, column 1: this '(' is never closed");
	refused("person.age >= 18 and\n"
		"  person.sex == \"F\" or\n"
		"  person.sex == \"M\n",
	    RULE_BOOL, "line 3, column 17: this text is never closed with "
	    "'\"'");
	refused("# the amount\n"
		"max(0.00,\n"
		"    102.00 * household.size - household.income)\n"
		"  > 1.0\n",
	    RULE_BOOL, "line 4, column 5: amount 1.0 needs exactly two "
	    "decimals, like 102.00");
	refused("person.age >= 18\n# done\n)", RULE_BOOL,
	    "line 3, column 1: unexpected ')' with no '(' before it");
}

static void
test_limits(void **state)
{
	char *src;
	size_t n;

	(void)state;
	src = malloc(RULE_MAX_SOURCE * 4);
	assert_non_null(src);

	/* Source: exactly the limit is fine, one byte more is not. */
	memset(src, ' ', RULE_MAX_SOURCE);
	memcpy(src, "true", 4);
	src[RULE_MAX_SOURCE] = '\0';
	rule_free(parsed(src, RULE_BOOL));
	src[RULE_MAX_SOURCE] = ' ';
	src[RULE_MAX_SOURCE + 1] = '\0';
	refused(src, RULE_BOOL, "line 1, column 1: the rule is longer than "
	    "4096 bytes");

	/* Nesting: RULE_MAX_DEPTH - 1 parentheses inside the outermost level
	 * are fine; one more is refused. */
	n = 0;
	for (int i = 0; i < RULE_MAX_DEPTH - 1; i++)
		src[n++] = '(';
	src[n++] = '1';
	for (int i = 0; i < RULE_MAX_DEPTH - 1; i++)
		src[n++] = ')';
	src[n] = '\0';
	assert_int_equal(num(src, RULE_INT), 1);
	memmove(src + 1, src, n + 1);
	src[0] = '(';
	strcat(src, ")");
	refused(src, RULE_INT, "line 1, column 33: the rule nests more than "
	    "32 levels deep");

	/* 1000 of each kind of nesting is refused, not a stack overflow. */
	n = 0;
	for (int i = 0; i < 1000; i++)
		src[n++] = '(';
	src[n++] = '1';
	for (int i = 0; i < 1000; i++)
		src[n++] = ')';
	src[n] = '\0';
	refused(src, RULE_INT, "line 1, column 33: the rule nests more than "
	    "32 levels deep");
	src[0] = '\0';
	for (int i = 0; i < 1000; i++)
		strcat(src, "not ");
	strcat(src, "true");
	refused(src, RULE_BOOL, "line 1, column 125: the rule nests more "
	    "than 32 levels deep");
	memset(src, '-', 1000);
	strcpy(src + 1000, "1");
	refused(src, RULE_INT, "line 1, column 32: the rule nests more than "
	    "32 levels deep");
	src[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(src, "max(1,");
	strcat(src, "1");
	refused(src, RULE_INT, "line 1, column 191: the rule nests more "
	    "than 32 levels deep");
	/* Nesting that is only deep in the source is refused too, early. */
	memset(src, '(', 3 * RULE_MAX_SOURCE);
	src[3 * RULE_MAX_SOURCE] = '\0';
	refused(src, RULE_INT, "line 1, column 1: the rule is longer than "
	    "4096 bytes");

	/* Nodes: a long flat sum is fine up to RULE_MAX_NODES. */
	n = 0;
	for (int i = 0; i < (RULE_MAX_NODES + 1) / 2; i++)
		n += (size_t)sprintf(src + n, "%s1", i > 0 ? "+" : "");
	assert_int_equal(num(src, RULE_INT), (RULE_MAX_NODES + 1) / 2);
	strcpy(src + n, "+1");
	refused(src, RULE_INT, "line 1, column 512: the rule has more than "
	    "512 parts");
	/* One or-node holds a long chain. */
	n = 0;
	for (int i = 0; i < 400; i++)
		n += (size_t)sprintf(src + n, "%strue", i > 0 ? " or " : "");
	assert_int_equal(num(src, RULE_BOOL), 1);
	free(src);
}

/* A tiny deterministic generator, so that a failure repeats. */
static uint64_t fuzz_state = 0x5eed5eed5eedULL;

static uint32_t
fuzz_next(void)
{
	fuzz_state = fuzz_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (uint32_t)(fuzz_state >> 33);
}

/* Parses src; either a tree that evaluates (or fails cleanly), or an
 * error with a place and a message. */
static void
fuzz_one(const char *src, enum rule_type want, int *trees)
{
	struct rule_error err;
	struct rule_result res;
	struct rule *r = rule_parse(src, defs, F_N, want, &err);

	if (r == NULL) {
		assert_true(err.line >= 1 && err.col >= 1);
		assert_true(strncmp(err.msg, "line ", 5) == 0);
		assert_true(strlen(err.msg) > 20);
		return;
	}
	(*trees)++;
	if (rule_eval(r, facts, "EUR", &arena, &res, &err) == 0) {
		assert_int_equal(res.value.type, want);
		for (size_t i = 0; i < res.nclauses; i++) {
			assert_non_null(res.clauses[i].text);
			assert_non_null(res.clauses[i].explain);
		}
	} else
		assert_true(strncmp(err.msg, "line ", 5) == 0);
	rule_free(r);
}

/* Appends to a bounded buffer; what does not fit is dropped. */
static void __attribute__((format(printf, 3, 4)))
gen_put(char *buf, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= RULE_MAX_SOURCE)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, RULE_MAX_SOURCE + 1 - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
	if (*n > RULE_MAX_SOURCE)
		*n = RULE_MAX_SOURCE;
}

/* Writes a random well-typed expression of type t. */
static void
gen_expr(char *buf, size_t *n, enum rule_type t, int depth)
{
	static const char *ints[] = {"household.size", "person.age",
	    "household.children"};
	static const char *moneys[] = {"household.income",
	    "household.income_per_member", "household.assets"};
	static const char *texts[] = {"person.sex", "person.municipality",
	    "\"F\"", "\"13\"", "\"Šiauliai\""};
	static const char *cmps[] = {"==", "!=", "<", "<=", ">", ">="};
	static const char *ariths[] = {"+", "-", "*", "/"};
	uint32_t pick = fuzz_next() % (depth > 4 ? 2 : 8);
	enum rule_type nt = fuzz_next() % 2 ? RULE_INT : RULE_MONEY;
	const char *op;

	if (pick == 7) {
		gen_put(buf, n, "if(");
		gen_expr(buf, n, RULE_BOOL, depth + 1);
		gen_put(buf, n, ", ");
		gen_expr(buf, n, t, depth + 1);
		gen_put(buf, n, ", ");
		gen_expr(buf, n, t, depth + 1);
		gen_put(buf, n, ")");
		return;
	}
	switch (t) {
	case RULE_BOOL:
		if (pick == 0)
			gen_put(buf, n, fuzz_next() % 2 ? "true" :
			    "person.disabled");
		else if (pick == 1 || pick == 2) {
			gen_expr(buf, n, nt, depth + 1);
			gen_put(buf, n, " %s ", cmps[fuzz_next() % 6]);
			gen_expr(buf, n, nt, depth + 1);
		} else if (pick == 3) {
			gen_expr(buf, n, RULE_TEXT, depth + 1);
			gen_put(buf, n, fuzz_next() % 2 ? " == " : " != ");
			gen_expr(buf, n, RULE_TEXT, depth + 1);
		} else if (pick == 4) {
			gen_expr(buf, n, RULE_INT, depth + 1);
			gen_put(buf, n, " in [1, -2, 34]");
		} else if (pick == 5) {
			gen_put(buf, n, "not (");
			gen_expr(buf, n, RULE_BOOL, depth + 1);
			gen_put(buf, n, ")");
		} else {
			gen_put(buf, n, "(");
			gen_expr(buf, n, RULE_BOOL, depth + 1);
			gen_put(buf, n, fuzz_next() % 2 ? " and " : " or ");
			gen_expr(buf, n, RULE_BOOL, depth + 1);
			gen_put(buf, n, ")");
		}
		return;
	case RULE_TEXT:
		gen_put(buf, n, "%s", texts[fuzz_next() % 5]);
		return;
	case RULE_INT:
	case RULE_MONEY:
		break;
	}
	if (pick == 0) {
		if (t == RULE_INT)
			gen_put(buf, n, "%s", ints[fuzz_next() % 3]);
		else
			gen_put(buf, n, "%s", moneys[fuzz_next() % 3]);
	} else if (pick == 1) {
		if (t == RULE_INT)
			gen_put(buf, n, "%d", (int)(fuzz_next() % 7) - 1);
		else if (fuzz_next() % 8 == 0)
			gen_put(buf, n, "92233720368547758.07");
		else
			gen_put(buf, n, "%u.%02u", fuzz_next() % 500,
			    fuzz_next() % 100);
	} else if (pick <= 4) {
		op = ariths[fuzz_next() % 4];
		gen_put(buf, n, "(");
		gen_expr(buf, n, t, depth + 1);
		gen_put(buf, n, " %s ", op);
		/* money only multiplies and divides by int */
		gen_expr(buf, n, t == RULE_MONEY && (*op == '*' || *op == '/') ?
		    RULE_INT : t, depth + 1);
		gen_put(buf, n, ")");
	} else if (pick == 5) {
		gen_put(buf, n, "-");
		gen_expr(buf, n, t, depth + 1);
	} else {
		gen_put(buf, n, fuzz_next() % 2 ? "min(" : "max(");
		gen_expr(buf, n, t, depth + 1);
		for (uint32_t k = fuzz_next() % 3; k < 3; k++) {
			gen_put(buf, n, ", ");
			gen_expr(buf, n, t, depth + 1);
		}
		gen_put(buf, n, ")");
	}
}

/* Random facts, the edges of int64 among them. */
static void
fuzz_facts(void)
{
	static const int64_t edges[] = {0, 1, -1, 3, 13140, INT64_MAX,
	    INT64_MIN, INT64_MAX / 2};

	for (int f = 0; f < F_N; f++) {
		if (facts[f].type == RULE_INT || facts[f].type == RULE_MONEY)
			facts[f].i = edges[fuzz_next() % 8];
		else if (facts[f].type == RULE_BOOL)
			facts[f].i = fuzz_next() % 2;
	}
}

static void
test_fuzz(void **state)
{
	static const char *soup[] = {"household.size", "household.income",
	    "person.sex", "person.age", "person.disabled", "nope.x", "and",
	    "or", "not", "in", "true", "false", "if", "min", "max", "(", ")",
	    "[", "]", ",", "+", "-", "*", "/", "==", "!=", "<", "<=", ">",
	    ">=", "0", "1", "7", "9223372036854775807", "0.00", "102.00",
	    "92233720368547758.07", "1.5", "\"F\"", "\"13\"", "\"Š\"", "\"",
	    "#c\n", "\n", "=", "!", "."};
	static const enum rule_type types[] = {RULE_BOOL, RULE_INT,
	    RULE_MONEY, RULE_TEXT};
	char src[RULE_MAX_SOURCE + 64];
	int trees = 0, good = 0, generated = 0;
	size_t len, n;

	(void)state;
	/* Random bytes. */
	for (int round = 0; round < 3000; round++) {
		len = fuzz_next() % 200;
		for (size_t i = 0; i < len; i++)
			src[i] = (char)(1 + fuzz_next() % 255);
		src[len] = '\0';
		fuzz_one(src, types[round % 4], &trees);
	}
	/* Token soups, short and long. */
	for (int round = 0; round < 20000; round++) {
		len = 1 + fuzz_next() % (round % 10 == 0 ? 800 : 12);
		n = 0;
		for (size_t i = 0; i < len && n < RULE_MAX_SOURCE; i++)
			n += (size_t)snprintf(src + n, sizeof src - n, "%s ",
			    soup[fuzz_next() % (sizeof soup / sizeof soup[0])]);
		arena_free(&arena);
		fuzz_one(src, types[round % 4], &trees);
	}
	/* Well-typed rules with random facts, most of them good, then the
	 * same rules with one byte changed. */
	for (int round = 0; round < 5000; round++) {
		enum rule_type t = types[round % 4];

		n = 0;
		gen_expr(src, &n, t, 0);
		src[n] = '\0';
		fuzz_facts();
		arena_free(&arena);
		generated++;
		len = trees;
		fuzz_one(src, t, &trees);
		good += (size_t)trees > len;
		if (n > 0) {
			src[fuzz_next() % n] = soup[fuzz_next() %
			    (sizeof soup / sizeof soup[0])][0];
			fuzz_one(src, t, &trees);
		}
	}
	/* Random input must make some good rules, or the loops test little;
	 * generated rules are refused only for their size. */
	assert_true(trees > generated);
	assert_true(good > generated * 9 / 10);
}

/* rule_names_fact: what a means test is told apart by.  A name in a
 * comment or a text literal is not a reference. */
static void
test_names_fact(void **state)
{
	struct rule *r;

	(void)state;
	r = parsed("household.income_per_member < 102.00 # household.income",
	    RULE_BOOL);
	assert_true(rule_names_fact(r, F_IPM));
	assert_false(rule_names_fact(r, F_INCOME));
	assert_false(rule_names_fact(r, F_SIZE));
	rule_free(r);
	r = parsed("if(person.sex == \"household.income\", 1.00, "
	    "max(0.00, 102.00 * household.size - household.income))",
	    RULE_MONEY);
	assert_true(rule_names_fact(r, F_INCOME));
	assert_true(rule_names_fact(r, F_SIZE));
	assert_true(rule_names_fact(r, F_SEX));
	assert_false(rule_names_fact(r, F_IPM));
	rule_free(r);
}

/* The reported facts institutions send, as programmes.c gives them to
 * rules: zero (false) until reported, per member truncated, and a means
 * test told by the income it names, declared or reported. */
static void
test_reported_facts(void **state)
{
	struct rule_value f[FACT__COUNT];
	struct prog_reported rep = {.income = 100001, .vehicles = 350000,
	    .land = 5, .registered_unemployed = 1};
	struct programme_eval ev;
	struct rule_error err;

	(void)state;
	programme_facts_of(f, 40, "F", "none", "employed", "13", 3, 1, 0, 0,
	    30000, 0);
	assert_int_equal(f[FACT_HH_INCOME_PM].i, 10000);
	assert_int_equal(f[FACT_HH_INCOME_REP].type, RULE_MONEY);
	assert_int_equal(f[FACT_HH_INCOME_REP].i, 0);
	assert_int_equal(f[FACT_HH_INCOME_REP_PM].i, 0);
	assert_int_equal(f[FACT_REG_UNEMPLOYED].type, RULE_BOOL);
	assert_int_equal(f[FACT_REG_UNEMPLOYED].i, 0);
	programme_facts_reported(f, 3, &rep);
	assert_int_equal(f[FACT_HH_INCOME_REP].i, 100001);
	assert_int_equal(f[FACT_HH_INCOME_REP_PM].i, 33333);
	assert_int_equal(f[FACT_HH_VEHICLES].i, 350000);
	assert_int_equal(f[FACT_HH_LAND].i, 5);
	assert_int_equal(f[FACT_REG_UNEMPLOYED].i, 1);
	/* The declared figures are left as they were. */
	assert_int_equal(f[FACT_HH_INCOME].i, 30000);

	assert_int_equal(programme_evaluate(
	    "household.income_reported_per_member < 333.34\n"
	    "and person.registered_unemployed\n"
	    "and household.vehicles_value + household.land_value <= 3500.05",
	    "10.00", f, "EUR", 0, &arena, &ev, &err), 0);
	assert_true(ev.eligible);
	assert_int_equal(programme_evaluate(
	    "household.income_reported_per_member < 333.33", "10.00", f,
	    "EUR", 0, &arena, &ev, &err), 0);
	assert_false(ev.eligible);
	assert_non_null(strstr(ev.explanation,
	    "reported household income per member EUR 333.33"));

	assert_int_equal(programme_means_tested(
	    "household.income_per_member < 2 * 102.00"), 1);
	assert_int_equal(programme_means_tested(
	    "household.children > 0 and household.income < 900.00"), 1);
	assert_int_equal(programme_means_tested(
	    "household.income_reported_per_member < 150.00"), 1);
	assert_int_equal(programme_means_tested(
	    "person.disability in [\"moderate\", \"severe\"]\n"
	    "# not household.income_per_member"), 0);
	assert_int_equal(programme_means_tested("household.vehicles_value < "
	    "1000.00 and not person.registered_unemployed"), 0);
	assert_int_equal(programme_means_tested("household.incme < 1.00"),
	    -1);
}

/* The value alone (rule_eval_value, for the microsimulation) is the value
 * rule_eval gives, errors included; rule_names_fact names what a rule
 * reads. */
static void
test_value_only(void **state)
{
	static const struct {
		const char *src;
		enum rule_type want;
	} rules[] = {
		{"household.income_per_member <= 102.00 and household.size > 1",
		    RULE_BOOL},
		{"person.sex == \"F\" or not (person.age >= 65)", RULE_BOOL},
		{"person.municipality in [\"13\", \"19\"]", RULE_BOOL},
		{"max(0.00, 102.00 * household.size - household.income)",
		    RULE_MONEY},
		{"if(person.disability == \"severe\", 150.00, 75.50)",
		    RULE_MONEY},
		{"household.income / (household.size - 3)", RULE_MONEY},
	};
	struct rule_result res;
	struct rule_value v;
	struct rule_error e1, e2;
	struct rule *r;
	int a, b;

	(void)state;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		r = rule_parse(rules[i].src, defs, F_N, rules[i].want, &e1);
		assert_non_null(r);
		a = rule_eval(r, facts, "EUR", &arena, &res, &e1);
		b = rule_eval_value(r, facts, &v, &e2);
		assert_int_equal(a, b);
		if (a == 0) {
			assert_int_equal(res.value.type, v.type);
			assert_true(res.value.i == v.i);
		} else
			assert_string_equal(e1.msg, e2.msg);
		rule_free(r);
	}
	r = rule_parse(rules[1].src, defs, F_N, RULE_BOOL, &e1);
	assert_non_null(r);
	assert_true(rule_names_fact(r, F_SEX));
	assert_true(rule_names_fact(r, F_AGE));
	assert_false(rule_names_fact(r, F_SIZE));
	rule_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_money_parse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_money_arithmetic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_explanations, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_fact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reported_facts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_value_only, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("rule", tests, NULL, NULL);
}
