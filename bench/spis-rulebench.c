/*
 * spis-rulebench: what evaluating one programme's rules for one household
 * costs, in process.  The programme's rules are read from a registry
 * (the seed catalogue's SOC-BEN unless told otherwise); the household is
 * one that qualifies, so that both the eligibility and the amount rule run.
 *
 *   spis-rulebench --db FILE [--programme CODE] [--seconds S]
 *
 * Prints key=value: eval_us (both rules, parsed once, evaluated with every
 * clause's explanation, as a decision does), parse_eval_us (parsing and
 * evaluating both, as programme_evaluate does for every decision), and
 * native_ns, the baseline: SOC-BEN's test and amount written in C.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "log.h"
#include "rpcd.h"
#include "rule.h"
#include "store.h"
#include "store_programme.h"

static double
rb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SOC-BEN by hand: the baseline an interpreter is measured against. */
static int64_t
rb_native(volatile int64_t *in)
{
	int64_t size = in[0], income = in[1], assets = in[2], a, b;

	if (!(income / size < 10200 && assets <= 500000 * size))
		return -1;
	a = size - 1 < 1 ? size - 1 : 1;
	b = size - 2 > 0 ? size - 2 : 0;
	a = 10200 + 8160 * a + 7140 * b - income;
	return a > 0 ? a : 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"programme", required_argument, NULL, 'p'},
		{"seconds", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *code = "SOC-BEN";
	double seconds = 1, t0, eval_us, parse_us, native_ns;
	struct store_programme *p = malloc(sizeof *p);
	struct rule_value facts[FACT__COUNT];
	struct programme_eval pe;
	struct rule_result res;
	struct rule_error err;
	struct rule *elig, *amount;
	struct arena a;
	struct store *st;
	volatile int64_t in[3] = {3, 25000, 100000};
	int64_t sink = 0;
	char errbuf[256];
	long n;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'p': code = optarg; break;
		case 's': seconds = atof(optarg); break;
		default:
			fprintf(stderr, "usage: spis-rulebench --db FILE "
			    "[--programme CODE] [--seconds S]\n");
			return 2;
		}
	}
	if (db == NULL || p == NULL)
		fatalx("usage: spis-rulebench --db FILE");
	if ((st = store_open(db, errbuf, sizeof errbuf)) == NULL)
		fatalx("%s", errbuf);
	if (store_programme_get(st, code, p) != STORE_OK)
		fatalx("no programme %s", code);
	store_close(st);

	/* A household of three with a child, EUR 250 a month: eligible. */
	programme_facts_of(facts, 34, "F", "none", "employed", "13", 3, 1, 0,
	    0, in[1], in[2]);
	if ((elig = rule_parse(p->eligibility, programme_facts, FACT__COUNT,
	    RULE_BOOL, &err)) == NULL ||
	    (amount = rule_parse(p->amount, programme_facts, FACT__COUNT,
	    RULE_MONEY, &err)) == NULL)
		fatalx("%s: %s", code, err.msg);

	t0 = rb_now();
	for (n = 0; rb_now() - t0 < seconds; n++) {
		arena_init(&a);
		if (rule_eval(elig, facts, "EUR", &a, &res, &err) != 0 ||
		    (res.value.i && rule_eval(amount, facts, "EUR", &a, &res,
		    &err) != 0))
			fatalx("%s: %s", code, err.msg);
		sink += res.value.i;
		arena_free(&a);
	}
	eval_us = (rb_now() - t0) * 1e6 / (double)n;

	t0 = rb_now();
	for (n = 0; rb_now() - t0 < seconds; n++) {
		arena_init(&a);
		if (programme_evaluate(p->eligibility, p->amount, facts, "EUR",
		    0, &a, &pe, &err) != 0)
			fatalx("%s: %s", code, err.msg);
		sink += pe.amount;
		arena_free(&a);
	}
	parse_us = (rb_now() - t0) * 1e6 / (double)n;

	t0 = rb_now();
	for (n = 0; n < 50000000; n++)
		sink += rb_native(in);
	native_ns = (rb_now() - t0) * 1e9 / (double)n;

	printf("programme=%s eligible=%d amount=%lld eval_us=%.3f "
	    "parse_eval_us=%.3f native_ns=%.3f sink=%lld\n", code,
	    pe.eligible, (long long)pe.amount, eval_us, parse_us, native_ns,
	    (long long)sink);
	rule_free(elig);
	rule_free(amount);
	free(p);
	return 0;
}
