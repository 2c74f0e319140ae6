/*
 * fuzz_rule.c: libFuzzer target for the rule language (rpcd/rule.c): any
 * text, as any of the four rule types, against the programme facts.  A
 * rule that parses is evaluated on a household's figures; neither step
 * may crash, leak or overflow whatever the text (deep nesting and huge
 * rules are refused, not recursed into).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "rpcd.h"
#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rule_value facts[FACT__COUNT];
	struct prog_reported rep = {.income = 45000, .vehicles = 300000,
	    .land = 0, .registered_unemployed = 1};
	struct rule_error err;
	struct rule_result out;
	struct rule *r;
	struct arena a;
	char *src;

	if (len == 0)
		return 0;
	if ((src = malloc(len)) == NULL)
		return 0;
	memcpy(src, data + 1, len - 1);
	src[len - 1] = '\0';
	r = rule_parse(src, programme_facts, FACT__COUNT,
	    (enum rule_type)(data[0] % 4), &err);
	if (r != NULL) {
		programme_facts_of(facts, 41, "F", "moderate", "unemployed",
		    "13", 3, 2, 0, 1, 61200, 150000);
		programme_facts_reported(facts, 3, &rep);
		arena_init(&a);
		rule_eval(r, facts, "EUR", &a, &out, &err);
		arena_free(&a);
		rule_free(r);
	}
	free(src);
	return 0;
}
