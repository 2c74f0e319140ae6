/*
 * suppress.c: small-cell suppression with complementary suppression.
 *
 * The table with its margins satisfies one equation per row and one per
 * column (the cells add up to the total).  A suppressed entry can be
 * recovered from what is shown exactly when it lies on no cycle of
 * suppressed entries, alternating between rows and columns: in the graph
 * whose nodes are the rows and columns of the grid (margins included) and
 * whose edges are the suppressed entries, it is a bridge.  The rule the
 * public reads in the README (a lone suppressed entry in a row or column
 * forces a second) removes the commonest bridges cheaply; the bridge
 * search then catches the rest, such as two suppressed blocks joined by
 * one entry.
 */
#include <stdlib.h>
#include <string.h>

#include "suppress.h"

struct supp {
	const int64_t *v;
	unsigned char *out;
	size_t n, m;	/* cells; the grid is (n + 1) x (m + 1) */
	size_t nodes;	/* n + 1 rows, then m + 1 columns */
	int *disc, *low;
	unsigned char *mark;
	size_t *stack;
	long time;
	long bridge;	/* entry index of a bridge found, or -1 */
};

void
suppress_totals(int64_t *v, size_t n, size_t m)
{
	size_t w = m + 1;

	for (size_t j = 0; j <= m; j++)
		v[n * w + j] = 0;
	for (size_t i = 0; i < n; i++) {
		v[i * w + m] = 0;
		for (size_t j = 0; j < m; j++) {
			v[i * w + m] += v[i * w + j];
			v[n * w + j] += v[i * w + j];
		}
		v[n * w + m] += v[i * w + m];
	}
}

/*
 * Whether entry a is a better second suppression than entry b: a nonzero
 * entry before a zero (suppressing a known zero hides little), a cell
 * before a total (totals are what readers use most), then the smaller
 * value (the least information lost), then the lower index.
 */
static int
supp_better(const struct supp *s, size_t a, size_t b)
{
	size_t w = s->m + 1;
	int za = s->v[a] == 0, zb = s->v[b] == 0;
	int ma = a / w == s->n || a % w == s->m;
	int mb = b / w == s->n || b % w == s->m;

	if (za != zb)
		return zb;
	if (ma != mb)
		return mb;
	if (s->v[a] != s->v[b])
		return s->v[a] < s->v[b];
	return a < b;
}

/* The entry of the grid where row node r meets column node c. */
static size_t
supp_entry(const struct supp *s, size_t r, size_t c)
{
	return r * (s->m + 1) + (c - (s->n + 1));
}

/*
 * The line rule over every row and column, once.  Returns whether it
 * suppressed anything.
 */
static int
supp_lines(struct supp *s)
{
	size_t w = s->m + 1, len, step, base, e, best;
	int changed = 0, count;

	for (int dir = 0; dir < 2; dir++) {
		size_t lines = dir == 0 ? s->n + 1 : s->m + 1;

		for (size_t l = 0; l < lines; l++) {
			/* A row: step 1 from l * w; a column: step w from
			 * l. */
			base = dir == 0 ? l * w : l;
			step = dir == 0 ? 1 : w;
			len = dir == 0 ? w : s->n + 1;
			count = 0;
			for (size_t k = 0; k < len; k++)
				count += s->out[base + k * step];
			if (count != 1)
				continue;
			best = (size_t)-1;
			for (size_t k = 0; k < len; k++) {
				e = base + k * step;
				if (s->out[e])
					continue;
				if (best == (size_t)-1 || supp_better(s, e,
				    best))
					best = e;
			}
			if (best != (size_t)-1) {
				s->out[best] = 1;
				changed = 1;
			}
		}
	}
	return changed;
}

/* Whether node x and node y are joined by a suppressed entry; if so its
 * index in *e. */
static int
supp_edge(const struct supp *s, size_t x, size_t y, size_t *e)
{
	if (x > y) {
		size_t t = x;

		x = y;
		y = t;
	}
	if (x > s->n || y <= s->n)
		return 0;
	*e = supp_entry(s, x, y);
	return s->out[*e];
}

/* Tarjan's bridge search from node u, reached from parent p. */
static void
supp_dfs(struct supp *s, size_t u, size_t p)
{
	size_t e;

	s->disc[u] = s->low[u] = (int)++s->time;
	for (size_t x = 0; x < s->nodes && s->bridge < 0; x++) {
		if (x == p || !supp_edge(s, u, x, &e))
			continue;
		if (s->disc[x] == 0) {
			supp_dfs(s, x, u);
			if (s->low[x] < s->low[u])
				s->low[u] = s->low[x];
			if (s->low[x] > s->disc[u] && s->bridge < 0)
				s->bridge = (long)e;
		} else if (s->disc[x] < s->low[u])
			s->low[u] = s->disc[x];
	}
}

/* Marks in s->mark the nodes reachable from node start without using
 * entry skip. */
static void
supp_reach(struct supp *s, size_t start, size_t skip)
{
	size_t top = 0, u, e;

	memset(s->mark, 0, s->nodes);
	s->mark[start] = 1;
	s->stack[top++] = start;
	while (top > 0) {
		u = s->stack[--top];
		for (size_t x = 0; x < s->nodes; x++) {
			if (s->mark[x] || !supp_edge(s, u, x, &e) || e == skip)
				continue;
			s->mark[x] = 1;
			s->stack[top++] = x;
		}
	}
}

/*
 * Finds one suppressed entry that is a bridge and suppresses a partner
 * that closes a cycle through it: an entry joining the bridge's row side
 * to its column side.  Returns whether it suppressed anything.
 */
static int
supp_bridges(struct supp *s)
{
	size_t w = s->m + 1, r, e, best;

	memset(s->disc, 0, s->nodes * sizeof *s->disc);
	s->time = 0;
	s->bridge = -1;
	for (size_t u = 0; u < s->nodes && s->bridge < 0; u++)
		if (s->disc[u] == 0)
			supp_dfs(s, u, (size_t)-1);
	if (s->bridge < 0)
		return 0;
	r = (size_t)s->bridge / w;
	/* The side of the bridge's row, without the bridge. */
	supp_reach(s, r, (size_t)s->bridge);
	best = (size_t)-1;
	for (size_t i = 0; i <= s->n; i++)
		for (size_t j = s->n + 1; j < s->nodes; j++) {
			/* One end on the row's side, the other not. */
			if (s->mark[i] == s->mark[j])
				continue;
			e = supp_entry(s, i, j);
			if (s->out[e])
				continue;
			if (best == (size_t)-1 || supp_better(s, e, best))
				best = e;
		}
	if (best == (size_t)-1)
		return 0;
	s->out[best] = 1;
	return 1;
}

long
suppress_table(const int64_t *v, size_t n, size_t m, int64_t min_cell,
    unsigned char *out)
{
	struct supp s = {.v = v, .out = out, .n = n, .m = m,
	    .nodes = n + m + 2};
	size_t total = (n + 1) * (m + 1);
	long count = 0;

	if (min_cell < SUPPRESS_MIN_CELL)
		min_cell = SUPPRESS_MIN_CELL;
	for (size_t e = 0; e < total; e++)
		out[e] = v[e] > 0 && v[e] < min_cell;
	s.disc = calloc(s.nodes, sizeof *s.disc);
	s.low = calloc(s.nodes, sizeof *s.low);
	s.mark = calloc(s.nodes, 1);
	s.stack = calloc(s.nodes, sizeof *s.stack);
	if (s.disc == NULL || s.low == NULL || s.mark == NULL ||
	    s.stack == NULL) {
		count = -1;
		goto out;
	}
	/* Each pass suppresses at least one entry more, or ends. */
	for (;;) {
		if (supp_lines(&s))
			continue;
		if (!supp_bridges(&s))
			break;
	}
	for (size_t e = 0; e < total; e++)
		count += out[e];
out:
	free(s.disc);
	free(s.low);
	free(s.mark);
	free(s.stack);
	return count;
}
