/*
 * rule.h: the small rule language programmes use for eligibility and
 * amounts.  A rule is parsed once into a tree, checked against a schema of
 * the facts it may name (unknown names and type errors are refused with
 * their position), and evaluated many times.  Evaluation never uses
 * floating point: money is int64 minor units.
 *
 * The language, in short (the README's "Rules" section has the full text):
 *
 *   household.income_per_member <= 102.00
 *   person.age >= 18 and household.children > 0
 *   person.municipality in ["13", "19"] or not (person.sex == "F")
 *   max(0.00, 102.00 * household.size - household.income)
 *   if(person.disability == "severe", 150.00, 75.50)
 *
 * Types are bool, int, money and text.  A literal with exactly two decimals
 * (102.00) is money; without decimals (3) it is int; "..." is text; true and
 * false are bool.  money + money, money - money, money * int, int * money
 * and money / int give money (division truncates toward zero); int
 * arithmetic gives int; money * money, money + int and the like are type
 * errors.  Comparisons (== != < <= > >=) need both sides of one type (text
 * only == and !=); `x in [a, b, ...]` needs items of x's type; and, or, not
 * take bool.  min() and max() take two or more arguments of one numeric
 * type; if(cond, a, b) takes a bool and two values of one type.  Overflow
 * and division by zero are evaluation errors, never wrong answers.
 *
 * Comments run from # to the end of the line.  Limits: RULE_MAX_SOURCE
 * bytes of text, RULE_MAX_DEPTH levels of nesting, RULE_MAX_NODES nodes;
 * beyond them parsing fails with a message, it does not crash.
 */
#ifndef SPIS_RULE_H
#define SPIS_RULE_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define RULE_MAX_SOURCE 4096
#define RULE_MAX_DEPTH 32
#define RULE_MAX_NODES 512

enum rule_type { RULE_BOOL, RULE_INT, RULE_MONEY, RULE_TEXT };

/* One fact a rule may name, e.g. {"household.size", RULE_INT, "household
 * size"}.  The label is what explanations say instead of the name. */
struct rule_fact_def {
	const char *name;
	enum rule_type type;
	const char *label;
};

struct rule_value {
	enum rule_type type;
	int64_t i;     /* bool (0 or 1), int, or money in minor units */
	const char *s; /* text; never NULL for RULE_TEXT */
};

/* Where and why parsing or evaluation failed: 1-based line and column of
 * the offending token, and a sentence naming it ("line 1, column 12:
 * unknown name \"househld.size\""). */
struct rule_error {
	int line;
	int col;
	char msg[200];
};

/* One clause's result: every comparison, in-test, and/or/not and if node,
 * in source order (pre-order: a parent before its children).  text is the
 * clause's source text; explain is a sentence a citizen can read, e.g.
 * "household income per member EUR 131.40 is above the limit EUR 102.00"
 * for a false `household.income_per_member <= 102.00`. */
struct rule_clause {
	int depth; /* 0 for the outermost clause */
	const char *text;
	struct rule_value value;
	const char *explain;
};

struct rule_result {
	struct rule_value value;
	struct rule_clause *clauses;
	size_t nclauses;
};

struct rule;

/*
 * Parses src against the n facts in defs, requiring the whole rule to have
 * type want.  Returns a tree the caller frees with rule_free(), or NULL
 * with *err filled.  defs must outlive the tree.
 */
struct rule *rule_parse(const char *src, const struct rule_fact_def *defs,
    size_t n, enum rule_type want, struct rule_error *err);

void rule_free(struct rule *r);

/* Whether r names defs[fact] anywhere (a comment does not count): what a
 * means test is told apart by. */
int rule_names_fact(const struct rule *r, size_t fact);

/*
 * Evaluates r with facts[i] the value of defs[i] (the defs given to
 * rule_parse; a value's type must match its def).  Both sides of and/or
 * are evaluated so that every clause has a result; if() evaluates only the
 * branch it takes (the other's clauses are left out).  Clause texts and
 * explanations are allocated from a; currency ("EUR") is used to write
 * money.  Returns 0, or -1 with *err filled (overflow, division by zero).
 */
int rule_eval(const struct rule *r, const struct rule_value *facts,
    const char *currency, struct arena *a, struct rule_result *out,
    struct rule_error *err);

/*
 * Evaluates r as rule_eval does, but only its value: no clauses, no
 * explanations, nothing allocated; for running a rule over many rows (the
 * microsimulation).  A text value may point into r or facts.  Returns 0,
 * or -1 with *err filled (overflow, division by zero).
 */
int rule_eval_value(const struct rule *r, const struct rule_value *facts,
    struct rule_value *out, struct rule_error *err);

/* Writes v as text into a: "true", "42", "EUR 131.40", "\"13\"". */
char *rule_value_text(struct arena *a, const struct rule_value *v,
    const char *currency);

/* Parses a money amount written "131.40" or "131" (major units, at most two
 * decimals, optional leading '-') into minor units; -1 when malformed or out
 * of range. */
int rule_money_parse(const char *s, int64_t *minor);

const char *rule_type_name(enum rule_type t);

#endif
