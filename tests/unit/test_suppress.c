/*
 * test_suppress.c: small-cell suppression on hand-made tables.  Besides
 * the expected pattern, every result is checked the way an attacker
 * would: by solving the table's row and column equations for the
 * suppressed entries, none of which may come out determined.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "suppress.h"

#define MAXE 400

/* The rank of the rows x cols matrix a (row-major), destroyed. */
static int
rank_of(double *a, int rows, int cols)
{
	int rank = 0;

	for (int c = 0; c < cols && rank < rows; c++) {
		int p = -1;

		for (int r = rank; r < rows; r++)
			if (fabs(a[r * cols + c]) > 1e-9 && (p < 0 ||
			    fabs(a[r * cols + c]) > fabs(a[p * cols + c])))
				p = r;
		if (p < 0)
			continue;
		for (int k = 0; k < cols; k++) {
			double t = a[p * cols + k];

			a[p * cols + k] = a[rank * cols + k];
			a[rank * cols + k] = t;
		}
		for (int r = 0; r < rows; r++) {
			double f;

			if (r == rank || fabs(a[r * cols + c]) < 1e-12)
				continue;
			f = a[r * cols + c] / a[rank * cols + c];
			for (int k = 0; k < cols; k++)
				a[r * cols + k] -= f * a[rank * cols + k];
		}
		rank++;
	}
	return rank;
}

/*
 * The number of suppressed entries of the (n + 1) x (m + 1) grid whose
 * value the shown entries determine.  Unknowns are the suppressed entries;
 * each row and column gives an equation; an unknown is determined when
 * its column of the system is independent of the others.
 */
static int
determined(const unsigned char *out, size_t n, size_t m)
{
	size_t w = m + 1, total = (n + 1) * w;
	int idx[MAXE], nu = 0, eq = (int)(n + 1 + m + 1), bad = 0;
	double *a, *b;

	for (size_t e = 0; e < total; e++)
		idx[e] = out[e] ? nu++ : -1;
	if (nu == 0)
		return 0;
	a = calloc((size_t)eq * (size_t)nu, sizeof *a);
	b = calloc((size_t)eq * (size_t)nu, sizeof *b);
	/* Row i: its cells minus its total; column j likewise. */
	for (size_t i = 0; i <= n; i++)
		for (size_t j = 0; j <= m; j++) {
			int u = idx[i * w + j];

			if (u < 0)
				continue;
			a[i * (size_t)nu + (size_t)u] += j == m ? -1 : 1;
			a[(n + 1 + j) * (size_t)nu + (size_t)u] += i == n ?
			    -1 : 1;
		}
	memcpy(b, a, (size_t)eq * (size_t)nu * sizeof *a);
	{
		int full = rank_of(b, eq, nu);

		for (int u = 0; u < nu; u++) {
			int k = 0;

			for (int r = 0; r < eq; r++)
				for (int c = 0; c < nu; c++)
					if (c != u)
						b[k++] = a[r * nu + c];
			if (rank_of(b, eq, nu - 1) < full)
				bad++;
		}
	}
	free(a);
	free(b);
	return bad;
}

/* Runs suppression on cells (n x m), margins filled in. */
static long
run(const int64_t *cells, size_t n, size_t m, int64_t k, int64_t *v,
    unsigned char *out)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			v[i * (m + 1) + j] = cells[i * m + j];
	suppress_totals(v, n, m);
	return suppress_table(v, n, m, k, out);
}

static void
test_totals(void **state)
{
	const int64_t c[] = {1, 2, 3, 4, 5, 6};
	int64_t v[12];
	unsigned char out[12];

	(void)state;
	run(c, 2, 3, 5, v, out);
	assert_int_equal(v[3], 6);
	assert_int_equal(v[7], 15);
	assert_int_equal(v[8], 5);
	assert_int_equal(v[10], 9);
	assert_int_equal(v[11], 21);
}

static void
test_nothing_small(void **state)
{
	const int64_t c[] = {10, 20, 0, 30, 40, 50};
	int64_t v[12];
	unsigned char out[12];

	(void)state;
	assert_int_equal(run(c, 2, 3, 5, v, out), 0);
}

/* The case the README describes: one small cell in a row forces the
 * smallest other cell of that row out too (6, not 7), the small column
 * total its smallest neighbour in the totals row (11), and those four
 * make a cycle nobody can solve. */
static void
test_complementary(void **state)
{
	/* HEAT: 6 2 7; HOT-WATER: 5 0 6. */
	const int64_t c[] = {6, 2, 7, 5, 0, 6};
	int64_t v[12];
	unsigned char out[12];
	const unsigned char want[12] = {
		1, 1, 0, 0,
		0, 0, 0, 0,
		1, 1, 0, 0,
	};

	(void)state;
	run(c, 2, 3, 5, v, out);
	assert_memory_equal(out, want, sizeof want);
	assert_int_equal(determined(out, 2, 3), 0);
}

/* The line rule alone would leave the lone small cell recoverable here:
 * the second suppression picks the smallest other cell. */
static void
test_second_smallest(void **state)
{
	const int64_t c[] = {3, 9, 8, 50, 40, 60, 70, 80, 90};
	int64_t v[16];
	unsigned char out[16];

	(void)state;
	run(c, 3, 3, 5, v, out);
	assert_true(out[0]);		/* 3 */
	assert_true(out[2]);		/* 8, the smaller of 9 and 8 */
	assert_false(out[1]);
	assert_true(out[4 * 1 + 0]);	/* 50: column 0's second */
	assert_true(out[4 * 1 + 2]);	/* 60: closes the cycle in row 1 */
	assert_false(out[3]);		/* the row totals stay */
	assert_int_equal(determined(out, 3, 3), 0);
}

/* A total under the threshold is suppressed itself, and then protected
 * like any cell. */
static void
test_small_total(void **state)
{
	const int64_t c[] = {1, 2, 0, 20, 30, 40};
	int64_t v[12];
	unsigned char out[12];

	(void)state;
	run(c, 2, 3, 5, v, out);
	assert_true(out[0]);
	assert_true(out[1]);
	assert_true(out[3]);		/* row 0's total, 3 */
	assert_int_equal(determined(out, 2, 3), 0);
}

/* A threshold under the floor is raised to it. */
static void
test_floor(void **state)
{
	const int64_t c[] = {2, 10, 10, 10};
	int64_t v[9];
	unsigned char out[9];

	(void)state;
	run(c, 2, 2, 1, v, out);
	assert_true(out[0]);
	assert_int_equal(determined(out, 2, 2), 0);
}

/* Two protected blocks joined by a single suppressed entry: every row and
 * column has two suppressed entries, yet the joining one is computable;
 * the bridge rule must catch it. */
static void
test_bridge(void **state)
{
	int64_t v[7 * 7];
	unsigned char out[7 * 7];
	int64_t c[6 * 6];

	(void)state;
	for (size_t i = 0; i < 36; i++)
		c[i] = 100 + (int64_t)i;
	/* Small cells in rows 0-1 x columns 0-1 and rows 3-4 x columns 3-4,
	 * and row 1 joined to column 3. */
	c[0] = c[1] = c[6] = c[7] = 2;
	c[3 * 6 + 3] = c[3 * 6 + 4] = c[4 * 6 + 3] = c[4 * 6 + 4] = 2;
	c[1 * 6 + 3] = 1;
	run(c, 6, 6, 5, v, out);
	assert_int_equal(determined(out, 6, 6), 0);
}

/* Random tables, dense and sparse in small cells: the primary cells are
 * always withheld and nothing withheld is computable. */
static void
test_random(void **state)
{
	int64_t c[8 * 9], v[9 * 10];
	unsigned char out[9 * 10];
	unsigned seed = 12345;

	(void)state;
	for (int t = 0; t < 300; t++) {
		size_t n = 1 + (size_t)(t % 7), m = 1 + (size_t)((t / 7) % 8);

		for (size_t e = 0; e < n * m; e++) {
			seed = seed * 1103515245u + 12345u;
			c[e] = (seed >> 16) % 4 == 0 ? (int64_t)((seed >> 8) %
			    5) : (int64_t)((seed >> 8) % 60);
		}
		assert_true(run(c, n, m, 5, v, out) >= 0);
		for (size_t e = 0; e < (n + 1) * (m + 1); e++)
			if (v[e] > 0 && v[e] < 5)
				assert_true(out[e]);
		assert_int_equal(determined(out, n, m), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_nothing_small),
		cmocka_unit_test(test_complementary),
		cmocka_unit_test(test_second_smallest),
		cmocka_unit_test(test_small_total),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_bridge),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
