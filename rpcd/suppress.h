/*
 * suppress.h: small-cell suppression of a table of counts with its
 * margins, for public statistics (stats.c).  Pure: no store, no RPC.
 *
 * A table of n rows by m columns is held with its margins as one
 * (n + 1) x (m + 1) grid, row-major: cell (i, j) at v[i * (m + 1) + j],
 * the row totals in column m, the column totals in row n and the grand
 * total at (n, m).
 */
#ifndef SPIS_SUPPRESS_H
#define SPIS_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

/* The smallest min_cell accepted: below it suppression protects nobody. */
#define SUPPRESS_MIN_CELL 3

/* Fills the margins of v from its cells: row, column and grand totals. */
void suppress_totals(int64_t *v, size_t n, size_t m);

/*
 * Decides which entries of v (cells and margins alike) are withheld,
 * writing 1 (suppressed) or 0 (shown) to out, of the same layout.
 *
 * Primary: an entry from 1 to min_cell - 1 is suppressed (a zero is
 * shown: it identifies nobody).  Complementary, repeated until stable:
 * a row or column (margins included) with exactly one suppressed entry
 * gets a second one, the smallest other nonzero cell, else its total,
 * else a zero; and a suppressed entry that is still determined by the
 * published ones through a chain of rows and columns (a bridge in the
 * graph of suppressed entries, rows and columns as its nodes) gets a
 * partner across that chain.  When done, no suppressed entry can be
 * computed from the shown entries by any linear combination of the
 * table's row and column equations.
 *
 * Returns the number of entries suppressed, or -1 when out of memory.
 */
long suppress_table(const int64_t *v, size_t n, size_t m, int64_t min_cell,
    unsigned char *out);

#endif
