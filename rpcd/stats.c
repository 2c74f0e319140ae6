/*
 * stats.c: spis.v1.Stats, public statistics with small-cell suppression
 * (suppress.c) and anonymised research samples.  The store counts
 * (store_stats.c); this file lays the counts out month by month, withholds
 * what could identify someone, and writes the reply or its CSV.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "spis/v1/stats.pb-c.h"

#include "check.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_stats.h"
#include "suppress.h"

#define STATS_MAX_MONTHS 24
#define STATS_MAX_MUNICIPALITIES 60
#define STATS_MAX_PROGRAMMES 100
#define STATS_SAMPLE_CAP 100000
#define STATS_PREFIX "/spis.v1.Stats/"

/* A growing text buffer in the call's arena, for CSV. */
struct stats_buf {
	struct arena *a;
	char *p;
	size_t len, cap;
};

static void
stats_put(struct stats_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
stats_put(struct stats_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *np;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL,
		    b->p != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->p != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap == 0 ? 4096 : b->cap * 2;
		while (b->cap < b->len + (size_t)n + 1)
			b->cap *= 2;
		np = arena_alloc(b->a, b->cap);
		if (b->p != NULL)
			memcpy(np, b->p, b->len);
		b->p = np;
	}
}

/* Money in minor units as "12.30" into buf. */
static const char *
stats_money(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s%lld.%02lld", v < 0 ? "-" : "",
	    (long long)(v < 0 ? -v : v) / 100,
	    (long long)(v < 0 ? -v : v) % 100);
	return buf;
}

/* "YYYY-MM" into year and month; -1 when it is not a month. */
static int
stats_month(const char *s, int *y, int *m)
{
	char day[16];
	int d;

	if (s == NULL || strlen(s) != 7)
		return -1;
	snprintf(day, sizeof day, "%s-01", s);
	return check_date(day, y, m, &d) ? 0 : -1;
}

/* Checks a month range; the number of months in *n.  Returns OK or the
 * status rpc_error set. */
static grpc_status_code
stats_range(struct rpc_ctx *ctx, const char *from, const char *to, int *y0,
    int *m0, int *n)
{
	int y1, m1;

	if (stats_month(from, y0, m0) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "from_month: must be a month YYYY-MM");
	if (stats_month(to, &y1, &m1) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to_month: must be a month YYYY-MM");
	*n = (y1 * 12 + m1) - (*y0 * 12 + *m0) + 1;
	if (*n < 1)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to_month: must not be before from_month");
	if (*n > STATS_MAX_MONTHS)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to_month: at most %d months at a time",
		    STATS_MAX_MONTHS);
	return GRPC_STATUS_OK;
}

static grpc_status_code
stats_format(struct rpc_ctx *ctx, const char *format, int *csv)
{
	if (format[0] != '\0' && strcmp(format, "csv") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "format: must be empty or \"csv\", not \"%.20s\"",
		    format);
	*csv = format[0] != '\0';
	return GRPC_STATUS_OK;
}

/*
 * Public calls carry no session: one address may make public_per_minute
 * of them a minute, counted on the audit trail they write.
 */
static grpc_status_code
stats_rate(struct rpc_ctx *ctx)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	char since[32];
	time_t t = time(NULL) - 60;
	struct tm tm;
	int64_t n = 0;

	gmtime_r(&t, &tm);
	strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (store_stats_recent_calls(d->store, STATS_PREFIX,
	    rpcd_peer_address(ctx), since, &n) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if (n >= d->stats.public_per_minute)
		return rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "rate: at most %ld statistics calls a minute from one "
		    "address; try again shortly", d->stats.public_per_minute);
	return GRPC_STATUS_OK;
}

/* Writes the audit row of a successful public call: no actor, no
 * subject, the address (without its port, which the rate counts by) and
 * what was asked. */
static void
stats_audit_public(struct rpc_ctx *ctx, const char *detail)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_audit a;

	rpcd_audit_row(ctx, &a, detail);
	if (a.actor == NULL)
		a.actor = "";
	if (a.role == NULL)
		a.role = "";
	if (a.municipality == NULL)
		a.municipality = "";
	a.subject = "";
	a.purpose = "statistics";
	a.terminal = rpcd_peer_address(ctx);
	store_audit_append(d->store, &a);
}

/*
 * A month's table as the store counted it: keys of rows and columns and
 * the nonzero cells, then laid out as a grid with margins.
 */
struct stats_cellv {
	char *row, *col;
	int64_t count, entitled, paid;
};

struct stats_table {
	struct arena *a;
	struct stats_cellv *cells;
	size_t ncells, capcells;
	char **rows, **cols;
	size_t nrows, ncols;
	int64_t *v, *ent, *paid; /* (nrows + 1) x (ncols + 1) */
	unsigned char *out;
};

static void
stats_cell_add(const struct store_stats_cell *c, void *arg)
{
	struct stats_table *t = arg;
	struct stats_cellv *nc;

	if (t->ncells == t->capcells) {
		t->capcells = t->capcells ? t->capcells * 2 : 64;
		nc = arena_alloc(t->a, t->capcells * sizeof *nc);
		if (t->ncells > 0)
			memcpy(nc, t->cells, t->ncells * sizeof *nc);
		t->cells = nc;
	}
	nc = &t->cells[t->ncells++];
	nc->row = arena_strdup(t->a, c->row);
	nc->col = arena_strdup(t->a, c->col);
	nc->count = c->count;
	nc->entitled = c->entitled;
	nc->paid = c->paid;
}

static int
stats_strcmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Whether key is one of the n filter values; no filter takes all. */
static int
stats_wanted(char **keys, size_t n, const char *key)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* Adds key to keys (n of them, room for max) unless there. */
static void
stats_key_add(char **keys, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(keys[i], key) == 0)
			return;
	keys[(*n)++] = (char *)key;
}

/*
 * Lays the cells out, with fixed rows and columns first when given (in
 * that order), others sorted after, and suppresses.  Returns 0, or -1
 * when out of memory.
 */
static int
stats_layout(struct stats_table *t, const char *const *fixrows,
    const char *const *fixcols, long min_cell)
{
	size_t nfr = 0, nfc = 0, w, e;
	long i, j;

	t->rows = arena_alloc(t->a, (t->ncells + 8) * sizeof *t->rows);
	t->cols = arena_alloc(t->a, (t->ncells + 8) * sizeof *t->cols);
	for (; fixrows != NULL && fixrows[nfr] != NULL; nfr++)
		t->rows[t->nrows++] = (char *)fixrows[nfr];
	for (; fixcols != NULL && fixcols[nfc] != NULL; nfc++)
		t->cols[t->ncols++] = (char *)fixcols[nfc];
	for (size_t k = 0; k < t->ncells; k++) {
		stats_key_add(t->rows, &t->nrows, t->cells[k].row);
		stats_key_add(t->cols, &t->ncols, t->cells[k].col);
	}
	qsort(t->rows + nfr, t->nrows - nfr, sizeof *t->rows, stats_strcmp);
	qsort(t->cols + nfc, t->ncols - nfc, sizeof *t->cols, stats_strcmp);
	w = t->ncols + 1;
	e = (t->nrows + 1) * w;
	t->v = arena_alloc(t->a, e * sizeof *t->v);
	t->ent = arena_alloc(t->a, e * sizeof *t->ent);
	t->paid = arena_alloc(t->a, e * sizeof *t->paid);
	t->out = arena_alloc(t->a, e);
	for (size_t k = 0; k < t->ncells; k++) {
		i = j = -1;
		for (size_t x = 0; x < t->nrows && i < 0; x++)
			if (strcmp(t->rows[x], t->cells[k].row) == 0)
				i = (long)x;
		for (size_t x = 0; x < t->ncols && j < 0; x++)
			if (strcmp(t->cols[x], t->cells[k].col) == 0)
				j = (long)x;
		t->v[(size_t)i * w + (size_t)j] += t->cells[k].count;
		t->ent[(size_t)i * w + (size_t)j] += t->cells[k].entitled;
		t->paid[(size_t)i * w + (size_t)j] += t->cells[k].paid;
	}
	suppress_totals(t->v, t->nrows, t->ncols);
	suppress_totals(t->ent, t->nrows, t->ncols);
	suppress_totals(t->paid, t->nrows, t->ncols);
	return suppress_table(t->v, t->nrows, t->ncols, min_cell, t->out) <
	    0 ? -1 : 0;
}

static Spis__V1__Figure *
stats_figure(struct rpc_ctx *ctx, int suppressed, int64_t v)
{
	Spis__V1__Figure *f = RPC_NEW(ctx, Spis__V1__Figure,
	    spis__v1__figure__init);

	f->suppressed = suppressed != 0;
	f->value = suppressed ? 0 : v;
	return f;
}

/* Appends p to the arena array *arr of *n (room for *cap). */
static void
stats_push(struct arena *a, void ***arr, size_t *n, size_t *cap, void *p)
{
	void **na;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		na = arena_alloc(a, *cap * sizeof *na);
		if (*n > 0)
			memcpy(na, *arr, *n * sizeof *na);
		*arr = na;
	}
	(*arr)[(*n)++] = p;
}

/* The k-th month from y, m as "YYYY-MM" in the arena. */
static char *
stats_nth_month(struct arena *a, int y, int m, int k)
{
	int i = m - 1 + k;

	return arena_printf(a, "%04d-%02d", y + i / 12, i % 12 + 1);
}

/* One CSV line of the beneficiaries: suppressed figures empty. */
static void
stats_csv_benef(struct stats_buf *b, const char *month, const char *prog,
    const char *muni, int sup, int64_t people, int64_t ent, int64_t paid)
{
	char m1[32], m2[32];

	if (sup)
		stats_put(b, "%s,%s,%s,,,,1\r\n", month, prog, muni);
	else
		stats_put(b, "%s,%s,%s,%lld,%s,%s,0\r\n", month, prog, muni,
		    (long long)people, stats_money(ent, m1, sizeof m1),
		    stats_money(paid, m2, sizeof m2));
}

static Spis__V1__BeneficiaryTotal *
stats_benef_total(struct rpc_ctx *ctx, const char *month, const char *key,
    const struct stats_table *t, size_t e)
{
	Spis__V1__BeneficiaryTotal *x = RPC_NEW(ctx,
	    Spis__V1__BeneficiaryTotal, spis__v1__beneficiary_total__init);

	x->month = (char *)month;
	x->key = (char *)key;
	x->people = stats_figure(ctx, t->out[e], t->v[e]);
	x->entitled = stats_figure(ctx, t->out[e], t->ent[e]);
	x->paid = stats_figure(ctx, t->out[e], t->paid[e]);
	return x;
}

static grpc_status_code
stats_beneficiaries(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__BeneficiariesRequest *req =
	    (const Spis__V1__BeneficiariesRequest *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	Spis__V1__BeneficiariesTable *r;
	struct stats_buf b = {.a = ar};
	size_t cc = 0, pc = 0, mc = 0, tc = 0, w, e;
	grpc_status_code st;
	int y, m, n, csv = 0;

	if ((st = stats_range(ctx, req->from_month, req->to_month, &y, &m,
	    &n)) != GRPC_STATUS_OK ||
	    (st = stats_format(ctx, req->format, &csv)) != GRPC_STATUS_OK)
		return st;
	if (req->n_programmes > STATS_MAX_PROGRAMMES)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programmes: at most %d", STATS_MAX_PROGRAMMES);
	for (size_t i = 0; i < req->n_programmes; i++)
		if (req->programmes[i][0] == '\0' ||
		    strlen(req->programmes[i]) > 32)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "programmes: a code is 1 to 32 characters");
	if (req->n_municipalities > STATS_MAX_MUNICIPALITIES)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipalities: at most %d", STATS_MAX_MUNICIPALITIES);
	for (size_t i = 0; i < req->n_municipalities; i++)
		if (municipality_find(req->municipalities[i]) == NULL)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "municipalities: no municipality \"%.10s\"",
			    req->municipalities[i]);
	if ((st = stats_rate(ctx)) != GRPC_STATUS_OK)
		return st;

	r = RPC_NEW(ctx, Spis__V1__BeneficiariesTable,
	    spis__v1__beneficiaries_table__init);
	r->min_cell = (int32_t)d->stats.min_cell;
	if (csv)
		stats_put(&b, "month,programme,municipality,people,entitled,"
		    "paid,suppressed\r\n");
	for (int k = 0; k < n; k++) {
		struct stats_table t = {.a = ar};
		char *month = stats_nth_month(ar, y, m, k);

		if (store_stats_beneficiaries(d->store, month, stats_cell_add,
		    &t) != STORE_OK || stats_layout(&t, NULL, NULL,
		    d->stats.min_cell) != 0)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		w = t.ncols + 1;
		for (size_t i = 0; i < t.nrows; i++)
			for (size_t j = 0; j < t.ncols; j++) {
				Spis__V1__BeneficiaryCell *x;

				e = i * w + j;
				if ((t.v[e] == 0 && !t.out[e]) ||
				    !stats_wanted(req->programmes,
				    req->n_programmes, t.rows[i]) ||
				    !stats_wanted(req->municipalities,
				    req->n_municipalities, t.cols[j]))
					continue;
				if (csv) {
					stats_csv_benef(&b, month, t.rows[i],
					    t.cols[j], t.out[e], t.v[e],
					    t.ent[e], t.paid[e]);
					continue;
				}
				x = RPC_NEW(ctx, Spis__V1__BeneficiaryCell,
				    spis__v1__beneficiary_cell__init);
				x->month = month;
				x->programme = t.rows[i];
				x->municipality = t.cols[j];
				x->people = stats_figure(ctx, t.out[e], t.v[e]);
				x->entitled = stats_figure(ctx, t.out[e],
				    t.ent[e]);
				x->paid = stats_figure(ctx, t.out[e],
				    t.paid[e]);
				stats_push(ar, (void ***)&r->cells,
				    &r->n_cells, &cc, x);
			}
		for (size_t i = 0; i < t.nrows; i++) {
			e = i * w + t.ncols;
			if (!stats_wanted(req->programmes, req->n_programmes,
			    t.rows[i]))
				continue;
			if (csv)
				stats_csv_benef(&b, month, t.rows[i], "ALL",
				    t.out[e], t.v[e], t.ent[e], t.paid[e]);
			else
				stats_push(ar, (void ***)&r->programme_totals,
				    &r->n_programme_totals, &pc,
				    stats_benef_total(ctx, month, t.rows[i],
				    &t, e));
		}
		for (size_t j = 0; j < t.ncols; j++) {
			e = t.nrows * w + j;
			if (!stats_wanted(req->municipalities,
			    req->n_municipalities, t.cols[j]))
				continue;
			if (csv)
				stats_csv_benef(&b, month, "ALL", t.cols[j],
				    t.out[e], t.v[e], t.ent[e], t.paid[e]);
			else
				stats_push(ar,
				    (void ***)&r->municipality_totals,
				    &r->n_municipality_totals, &mc,
				    stats_benef_total(ctx, month, t.cols[j],
				    &t, e));
		}
		e = t.nrows * w + t.ncols;
		if (csv)
			stats_csv_benef(&b, month, "ALL", "ALL", t.out[e],
			    t.v[e], t.ent[e], t.paid[e]);
		else
			stats_push(ar, (void ***)&r->month_totals,
			    &r->n_month_totals, &tc,
			    stats_benef_total(ctx, month, "", &t, e));
	}
	if (csv) {
		r->csv.data = (uint8_t *)b.p;
		r->csv.len = b.len;
	}
	stats_audit_public(ctx, arena_printf(ar, "beneficiaries %s to %s%s",
	    req->from_month, req->to_month, csv ? " csv" : ""));
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

static const char *const stats_channels[] = {"office", "kiosk", "online",
	NULL};
static const char *const stats_outcomes[] = {"approved", "rejected",
	"withdrawn", "pending", NULL};

static Spis__V1__ApplicationTotal *
stats_app_total(struct rpc_ctx *ctx, const char *month, const char *key,
    const struct stats_table *t, size_t e)
{
	Spis__V1__ApplicationTotal *x = RPC_NEW(ctx,
	    Spis__V1__ApplicationTotal, spis__v1__application_total__init);

	x->month = (char *)month;
	x->key = (char *)key;
	x->applications = stats_figure(ctx, t->out[e], t->v[e]);
	return x;
}

static void
stats_csv_app(struct stats_buf *b, const char *month, const char *channel,
    const char *outcome, int sup, int64_t v)
{
	if (sup)
		stats_put(b, "%s,%s,%s,,1\r\n", month, channel, outcome);
	else
		stats_put(b, "%s,%s,%s,%lld,0\r\n", month, channel, outcome,
		    (long long)v);
}

static grpc_status_code
stats_applications(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ApplicationsRequest *req =
	    (const Spis__V1__ApplicationsRequest *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	Spis__V1__ApplicationsTable *r;
	struct stats_buf b = {.a = ar};
	size_t cc = 0, hc = 0, oc = 0, tc = 0, w, e;
	grpc_status_code st;
	int y, m, n, csv = 0;

	if ((st = stats_range(ctx, req->from_month, req->to_month, &y, &m,
	    &n)) != GRPC_STATUS_OK ||
	    (st = stats_format(ctx, req->format, &csv)) != GRPC_STATUS_OK ||
	    (st = stats_rate(ctx)) != GRPC_STATUS_OK)
		return st;
	r = RPC_NEW(ctx, Spis__V1__ApplicationsTable,
	    spis__v1__applications_table__init);
	r->min_cell = (int32_t)d->stats.min_cell;
	if (csv)
		stats_put(&b, "month,channel,outcome,applications,"
		    "suppressed\r\n");
	for (int k = 0; k < n; k++) {
		struct stats_table t = {.a = ar};
		char *month = stats_nth_month(ar, y, m, k);

		if (store_stats_applications(d->store, month, month,
		    stats_cell_add, &t) != STORE_OK ||
		    stats_layout(&t, stats_channels, stats_outcomes,
		    d->stats.min_cell) != 0)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		w = t.ncols + 1;
		for (size_t i = 0; i < t.nrows; i++)
			for (size_t j = 0; j < t.ncols; j++) {
				Spis__V1__ApplicationCell *x;

				e = i * w + j;
				if (csv) {
					stats_csv_app(&b, month, t.rows[i],
					    t.cols[j], t.out[e], t.v[e]);
					continue;
				}
				x = RPC_NEW(ctx, Spis__V1__ApplicationCell,
				    spis__v1__application_cell__init);
				x->month = month;
				x->channel = t.rows[i];
				x->outcome = t.cols[j];
				x->applications = stats_figure(ctx, t.out[e],
				    t.v[e]);
				stats_push(ar, (void ***)&r->cells,
				    &r->n_cells, &cc, x);
			}
		for (size_t i = 0; i < t.nrows; i++) {
			e = i * w + t.ncols;
			if (csv)
				stats_csv_app(&b, month, t.rows[i], "ALL",
				    t.out[e], t.v[e]);
			else
				stats_push(ar, (void ***)&r->channel_totals,
				    &r->n_channel_totals, &hc,
				    stats_app_total(ctx, month, t.rows[i], &t,
				    e));
		}
		for (size_t j = 0; j < t.ncols; j++) {
			e = t.nrows * w + j;
			if (csv)
				stats_csv_app(&b, month, "ALL", t.cols[j],
				    t.out[e], t.v[e]);
			else
				stats_push(ar, (void ***)&r->outcome_totals,
				    &r->n_outcome_totals, &oc,
				    stats_app_total(ctx, month, t.cols[j], &t,
				    e));
		}
		e = t.nrows * w + t.ncols;
		if (csv)
			stats_csv_app(&b, month, "ALL", "ALL", t.out[e],
			    t.v[e]);
		else
			stats_push(ar, (void ***)&r->month_totals,
			    &r->n_month_totals, &tc,
			    stats_app_total(ctx, month, "", &t, e));
	}
	if (csv) {
		r->csv.data = (uint8_t *)b.p;
		r->csv.len = b.len;
	}
	stats_audit_public(ctx, arena_printf(ar, "applications %s to %s%s",
	    req->from_month, req->to_month, csv ? " csv" : ""));
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/*
 * Research samples.  A person's key is the HMAC-SHA256 of their national
 * ID under a salt drawn for this extract alone and wiped when it is made;
 * the rows go out sorted by key, so their order tells nothing either.
 */
struct stats_person {
	char key[33];
	char *sex, *age_band, *municipality, *household, *benefits, *applied;
	int64_t amount;
};

struct stats_resident {
	char *municipality;
	int64_t residents, rows;
};

struct stats_sample {
	struct arena *a;
	unsigned char salt[crypto_auth_hmacsha256_KEYBYTES];
	int ty, tm, td; /* the range's last day, for ages */
	struct stats_person **p;
	size_t n, cap;
	struct stats_resident **m;
	size_t nm, capm;
};

static struct stats_resident *
stats_resident(struct stats_sample *k, const char *municipality)
{
	struct stats_resident *r;

	for (size_t i = 0; i < k->nm; i++)
		if (strcmp(k->m[i]->municipality, municipality) == 0)
			return k->m[i];
	r = arena_alloc(k->a, sizeof *r);
	r->municipality = arena_strdup(k->a, municipality);
	stats_push(k->a, (void ***)&k->m, &k->nm, &k->capm, r);
	return r;
}

static void
stats_residents_add(const char *municipality, int64_t n, void *arg)
{
	stats_resident(arg, municipality)->residents = n;
}

static void
stats_sample_add(const struct store_sample_person *sp, void *arg)
{
	struct stats_sample *k = arg;
	struct stats_person *p = arena_alloc(k->a, sizeof *p);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	int by = 0, bm = 0, bd = 0, age;

	crypto_auth_hmacsha256(mac, (const unsigned char *)sp->national_id,
	    strlen(sp->national_id), k->salt);
	sodium_bin2hex(p->key, sizeof p->key, mac, 16);
	sodium_memzero(mac, sizeof mac);
	p->sex = arena_strdup(k->a, sp->sex);
	if (!check_date(sp->birth_date, &by, &bm, &bd))
		p->age_band = "";
	else {
		age = k->ty - by - (k->tm < bm || (k->tm == bm &&
		    k->td < bd));
		if (age < 0)
			age = 0;
		p->age_band = age >= 90 ? "90+" : arena_printf(k->a, "%d-%d",
		    age / 5 * 5, age / 5 * 5 + 4);
	}
	p->municipality = arena_strdup(k->a, sp->municipality);
	p->household = sp->household_size <= 0 ? "" :
	    sp->household_size >= 5 ? "5+" :
	    arena_printf(k->a, "%lld", (long long)sp->household_size);
	p->benefits = arena_strdup(k->a, sp->benefits);
	p->applied = arena_strdup(k->a, sp->applied);
	/* To the nearest 10.00, so that an unusual amount does not single
	 * a person out. */
	p->amount = (sp->monthly_amount + 500) / 1000 * 1000;
	stats_resident(k, sp->municipality)->rows++;
	stats_push(k->a, (void ***)&k->p, &k->n, &k->cap, p);
}

static int
stats_key_cmp(const void *x, const void *y)
{
	return strcmp((*(struct stats_person *const *)x)->key,
	    (*(struct stats_person *const *)y)->key);
}

/* "A,B" as an arena array of strings. */
static char **
stats_split(struct arena *a, char *s, size_t *n)
{
	char **v, *tok, *save;
	size_t k = 1;

	*n = 0;
	if (s[0] == '\0')
		return NULL;
	for (const char *q = s; *q != '\0'; q++)
		k += *q == ',';
	v = arena_alloc(a, k * sizeof *v);
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = tok;
	return v;
}

static grpc_status_code
stats_research_sample(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ResearchSampleRequest *req =
	    (const Spis__V1__ResearchSampleRequest *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	Spis__V1__ResearchSampleReply *r;
	struct stats_sample k = {.a = ar};
	struct stats_buf b = {.a = ar};
	char limit[16], amount[32];
	enum store_rc rc;
	grpc_status_code st;
	int csv = 0;

	if (!check_date(req->from, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "from: must be a date YYYY-MM-DD");
	if (!check_date(req->to, &k.ty, &k.tm, &k.td))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to: must be a date YYYY-MM-DD");
	if (strcmp(req->to, req->from) < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to: must not be before from");
	if (check_date_add(req->from, 5, 0, limit, sizeof limit) != 0 ||
	    strcmp(req->to, limit) > 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to: at most 5 years after from");
	if ((st = stats_format(ctx, req->format, &csv)) != GRPC_STATUS_OK)
		return st;

	randombytes_buf(k.salt, sizeof k.salt);
	if (store_stats_residents(d->store, stats_residents_add, &k) !=
	    STORE_OK)
		rc = STORE_ERR;
	else
		rc = store_stats_sample(d->store, req->from, req->to,
		    STATS_SAMPLE_CAP, stats_sample_add, &k);
	sodium_memzero(k.salt, sizeof k.salt);
	if (rc == STORE_EXISTS)
		return rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "to: the range holds more than %d people; narrow it",
		    STATS_SAMPLE_CAP);
	if (rc != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");

	/* A municipality with few residents, or few people in the extract,
	 * would make its rows easy to recognise: they go as "other". */
	for (size_t i = 0; i < k.n; i++) {
		struct stats_resident *m = stats_resident(&k,
		    k.p[i]->municipality);

		if (m->residents < d->stats.research_min_municipality ||
		    m->rows < d->stats.min_cell)
			k.p[i]->municipality = "other";
	}
	if (k.n > 0)
		qsort(k.p, k.n, sizeof *k.p, stats_key_cmp);

	r = RPC_NEW(ctx, Spis__V1__ResearchSampleReply,
	    spis__v1__research_sample_reply__init);
	r->row_count = (int64_t)k.n;
	r->min_municipality = (int32_t)d->stats.research_min_municipality;
	if (csv)
		stats_put(&b, "key,sex,age_band,municipality,household_size,"
		    "benefits,applied,monthly_amount\r\n");
	else if (k.n > 0) {
		r->rows = arena_alloc(ar, k.n * sizeof *r->rows);
		r->n_rows = k.n;
	}
	for (size_t i = 0; i < k.n; i++) {
		struct stats_person *p = k.p[i];
		Spis__V1__SampleRow *x;

		if (csv) {
			/* Codes hold no commas or quotes: programme codes
			 * are joined with ';' inside their field. */
			for (char *q = p->benefits; *q != '\0'; q++)
				if (*q == ',')
					*q = ';';
			for (char *q = p->applied; *q != '\0'; q++)
				if (*q == ',')
					*q = ';';
			stats_put(&b, "%s,%s,%s,%s,%s,%s,%s,%s\r\n", p->key,
			    p->sex, p->age_band, p->municipality,
			    p->household, p->benefits, p->applied,
			    stats_money(p->amount, amount, sizeof amount));
			continue;
		}
		x = RPC_NEW(ctx, Spis__V1__SampleRow,
		    spis__v1__sample_row__init);
		x->key = arena_strdup(ar, p->key);
		x->sex = p->sex;
		x->age_band = p->age_band;
		x->municipality = p->municipality;
		x->household_size = p->household;
		x->benefits = stats_split(ar, p->benefits, &x->n_benefits);
		x->applied = stats_split(ar, p->applied, &x->n_applied);
		x->monthly_amount = p->amount;
		r->rows[i] = x;
	}
	if (csv) {
		r->csv.data = (uint8_t *)b.p;
		r->csv.len = b.len;
	}
	/* Audited with the range and the count, never whose rows. */
	if (c != NULL)
		c->detail = arena_printf(ar, "research sample %s to %s: %zu "
		    "rows%s", req->from, req->to, k.n, csv ? " csv" : "");
	rpcd_audit_subject(ctx, NULL, "research");
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method stats_methods[] = {
	RPC_METHOD(spis__v1__stats, 0, stats_beneficiaries, PERM_PUBLIC),
	RPC_METHOD(spis__v1__stats, 1, stats_applications, PERM_PUBLIC),
	RPC_METHOD(spis__v1__stats, 2, stats_research_sample,
	    PERM_RESEARCH_SAMPLE),
};
const size_t stats_nmethods = sizeof stats_methods / sizeof stats_methods[0];
