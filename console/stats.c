/*
 * stats.c: the statistics screen, open to every officer (the tables are
 * public).  It reads a month range of one table, beneficiaries by
 * programme or applications by channel and outcome, and draws for each
 * row a horizontal bar of its last month, scaled to the terminal's width
 * with eighth-block characters, and a sparkline of every month.  What the
 * daemon withheld is drawn as "<5" (the threshold it names) on a bar and
 * "·" in a sparkline, and the legend says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "spis/v1/stats.pb-c.h"

#include "console.h"
#include "i18n.h"

#define STATS_MONTHS 24
#define STATS_SERIES 64

enum { STATS_FROM, STATS_TO, STATS_NFIELDS };

/* One row of the chart: its value and whether it was withheld, month by
 * month. */
struct stats_series {
	char label[64];
	int64_t v[STATS_MONTHS];
	unsigned char sup[STATS_MONTHS];
};

struct stats {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct tui_field f[STATS_NFIELDS];
	int focus;
	int table;		/* 0 beneficiaries, 1 applications */
	char months[STATS_MONTHS][16];
	int nmonths;
	struct stats_series series[STATS_SERIES];
	int nseries;
	int min_cell;
	int fetched;
	char note[512];
	int note_error;
	int rerun;
};

static const char *const stats_labels[STATS_NFIELDS] = {
	N_("From month"), N_("To month"),
};

static const char *const stats_outcome_names[] = {
	N_("approved"), N_("rejected"), N_("withdrawn"), N_("pending"),
	N_("office"), N_("kiosk"), N_("online"),
};

static const struct tui_hint stats_hints[] = {
	{"Enter", N_("Show")},
	{"F2", N_("Other table")},
	{"Tab", N_("Field")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

/* The sparkline's eight heights, and a bar's eighths. */
static const char *const stats_spark[8] = {
	"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█",
};
static const char *const stats_eighths[8] = {
	"", "▏", "▎", "▍", "▌", "▋", "▊", "▉",
};

/* The series labelled label, added when new; NULL when full. */
static struct stats_series *
stats_series_get(struct stats *st, const char *label)
{
	struct stats_series *s;

	for (int i = 0; i < st->nseries; i++)
		if (strcmp(st->series[i].label, label) == 0)
			return &st->series[i];
	if (st->nseries == STATS_SERIES)
		return NULL;
	s = &st->series[st->nseries++];
	memset(s, 0, sizeof *s);
	console_copy(s->label, sizeof s->label, label);
	return s;
}

static int
stats_month_index(struct stats *st, const char *month)
{
	for (int i = 0; i < st->nmonths; i++)
		if (strcmp(st->months[i], month) == 0)
			return i;
	return -1;
}

static void
stats_put_value(struct stats *st, const char *label, const char *month,
    const Spis__V1__Figure *f)
{
	struct stats_series *s;
	int m;

	if (f == NULL || (m = stats_month_index(st, month)) < 0 ||
	    (s = stats_series_get(st, label)) == NULL)
		return;
	s->v[m] = f->value;
	s->sup[m] = f->suppressed;
}

/* The months from..to into st->months; -1 when they are not a range. */
static int
stats_months(struct stats *st, const char *from, const char *to)
{
	int y, m, y1, m1;

	st->nmonths = 0;
	if (sscanf(from, "%4d-%2d", &y, &m) != 2 ||
	    sscanf(to, "%4d-%2d", &y1, &m1) != 2)
		return -1;
	while ((y < y1 || (y == y1 && m <= m1)) &&
	    st->nmonths < STATS_MONTHS) {
		snprintf(st->months[st->nmonths++], 16, "%04d-%02d", y % 10000,
		    m % 100);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return 0;
}

static void
stats_fetch(struct stats *st)
{
	char from[64], to[64], msg[512], label[64];
	ProtobufCMessage *resp;
	grpc_status_code rc;

	tui_field_value(&st->f[STATS_FROM], from, sizeof from);
	tui_field_value(&st->f[STATS_TO], to, sizeof to);
	st->note[0] = '\0';
	st->f[STATS_FROM].error[0] = st->f[STATS_TO].error[0] = '\0';
	if (st->table == 0) {
		Spis__V1__BeneficiariesRequest req =
		    SPIS__V1__BENEFICIARIES_REQUEST__INIT;

		req.from_month = from;
		req.to_month = to;
		rc = console_call(st->c, &spis__v1__stats__descriptor, 0,
		    &req.base, &resp, msg, sizeof msg);
	} else {
		Spis__V1__ApplicationsRequest req =
		    SPIS__V1__APPLICATIONS_REQUEST__INIT;

		req.from_month = from;
		req.to_month = to;
		rc = console_call(st->c, &spis__v1__stats__descriptor, 1,
		    &req.base, &resp, msg, sizeof msg);
	}
	if (rc == GRPC_STATUS_UNAUTHENTICATED) {
		st->rerun = 1;
		return;
	}
	if (rc != GRPC_STATUS_OK) {
		if (strncmp(msg, "from_month:", 11) == 0)
			console_copy(st->f[STATS_FROM].error,
			    sizeof st->f[STATS_FROM].error, msg);
		else if (strncmp(msg, "to_month:", 9) == 0)
			console_copy(st->f[STATS_TO].error,
			    sizeof st->f[STATS_TO].error, msg);
		else {
			console_status_text(rc, msg, st->note,
			    sizeof st->note);
			st->note_error = 1;
		}
		return;
	}
	stats_months(st, from, to);
	st->nseries = 0;
	st->fetched = 1;
	if (st->table == 0) {
		Spis__V1__BeneficiariesTable *t =
		    (Spis__V1__BeneficiariesTable *)resp;

		st->min_cell = t->min_cell;
		for (size_t i = 0; i < t->n_programme_totals; i++)
			stats_put_value(st, t->programme_totals[i]->key,
			    t->programme_totals[i]->month,
			    t->programme_totals[i]->people);
	} else {
		Spis__V1__ApplicationsTable *t =
		    (Spis__V1__ApplicationsTable *)resp;

		st->min_cell = t->min_cell;
		for (size_t i = 0; i < t->n_cells; i++) {
			snprintf(label, sizeof label, "%s · %s",
			    _(t->cells[i]->channel), _(t->cells[i]->outcome));
			stats_put_value(st, label, t->cells[i]->month,
			    t->cells[i]->applications);
		}
	}
	protobuf_c_message_free_unpacked(resp, NULL);
}

/* A bar of value out of max in width columns, in whole and eighth
 * blocks, into buf. */
static void
stats_bar(int64_t value, int64_t max, int width, char *buf, size_t len)
{
	long eighths = max > 0 ? (long)(value * width * 8 / max) : 0;
	size_t off = 0;

	buf[0] = '\0';
	if (value > 0 && eighths == 0)
		eighths = 1;
	for (long i = 0; i < eighths / 8 && off + 4 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s", "█");
	if (off + 4 < len)
		snprintf(buf + off, len - off, "%s", stats_eighths[eighths % 8]);
}

/* The sparkline of s over the months, into buf. */
static void
stats_sparkline(const struct stats *st, const struct stats_series *s,
    char *buf, size_t len)
{
	int64_t max = 0;
	size_t off = 0;

	for (int m = 0; m < st->nmonths; m++)
		if (!s->sup[m] && s->v[m] > max)
			max = s->v[m];
	buf[0] = '\0';
	for (int m = 0; m < st->nmonths && off + 4 < len; m++) {
		const char *ch = s->sup[m] ? "·" :
		    stats_spark[max > 0 ? (int)(s->v[m] * 7 / max) : 0];

		off += (size_t)snprintf(buf + off, len - off, "%s", ch);
	}
}

static void
stats_draw(struct tui *t, struct tui_screen *scr)
{
	struct stats *st = (struct stats *)scr;
	char line[1024], bar[1024], spark[256], value[32];
	int top, rows, cols, y, end, lw = 0, w, x, labelw = 10, barw, last;
	int64_t max = 0;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, st->table == 0 ?
	    _("Statistics: beneficiaries by programme") :
	    _("Statistics: applications by channel and outcome"));
	y += 2;
	for (int i = 0; i < STATS_NFIELDS; i++)
		if ((w = tui_text_width(_(stats_labels[i]))) > lw)
			lw = w;
	x = 4 + lw;
	for (int i = 0; i < STATS_NFIELDS; i++, y++) {
		tui_put(t, y, 2, lw, i == st->focus ? TUI_A_BOLD : 0,
		    _(stats_labels[i]));
		w = tui_field_draw_at(t, &st->f[i], y, x, 10, 0);
		if (st->f[i].error[0] != '\0')
			tui_put(t, y, x + w + 1, cols - x - w - 3, TUI_A_ERROR,
			    st->f[i].error);
	}
	if (st->note[0] != '\0')
		tui_put(t, y, 2, cols - 4, st->note_error ? TUI_A_ERROR : 0,
		    st->note);
	y += 2;
	if (!st->fetched)
		goto cursor;
	snprintf(line, sizeof line, _("Legend: bars show %s; <%d: fewer "
	    "than %d people, or withheld so that it cannot be worked out "
	    "from the totals; · in a sparkline: a withheld month."),
	    st->nmonths > 0 ? st->months[st->nmonths - 1] : "",
	    st->min_cell, st->min_cell);
	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL, line) + 1;
	if (st->nseries == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("Nothing to show for these "
		    "months."));
		goto cursor;
	}
	last = st->nmonths - 1;
	for (int i = 0; i < st->nseries; i++) {
		if (tui_text_width(st->series[i].label) > labelw)
			labelw = tui_text_width(st->series[i].label);
		if (!st->series[i].sup[last] && st->series[i].v[last] > max)
			max = st->series[i].v[last];
	}
	if (labelw > cols / 3)
		labelw = cols / 3;
	barw = cols - 4 - labelw - 1 - 7 - 1 - st->nmonths - 2;
	if (barw < 5)
		barw = 5;
	for (int i = 0; i < st->nseries && y < end - 1; i++, y++) {
		const struct stats_series *s = &st->series[i];

		tui_put(t, y, 2, labelw, 0, s->label);
		if (s->sup[last]) {
			bar[0] = '\0';
			snprintf(value, sizeof value, "<%d", st->min_cell);
		} else {
			stats_bar(s->v[last], max, barw, bar, sizeof bar);
			snprintf(value, sizeof value, "%lld",
			    (long long)s->v[last]);
		}
		tui_put(t, y, 3 + labelw, barw, TUI_A_BOLD, bar);
		tui_put(t, y, 4 + labelw + barw, 7, s->sup[last] ?
		    TUI_A_ERROR : 0, value);
		stats_sparkline(st, s, spark, sizeof spark);
		tui_put(t, y, 12 + labelw + barw, st->nmonths + 1, 0, spark);
	}
cursor:
	tui_field_draw_at(t, &st->f[st->focus], top + 3 + st->focus, x, 10,
	    1);
}

static int
stats_key(struct tui *t, struct tui_screen *scr, struct tui_key k)
{
	struct stats *st = (struct stats *)scr;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(st->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_enter(k)) {
		stats_fetch(st);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		st->table = !st->table;
		stats_fetch(st);
		return 1;
	}
	if (tui_key_is(k, '\t', 0) || tui_key_is(k, 0, KEY_BTAB)) {
		st->focus = !st->focus;
		return 1;
	}
	return tui_field_key(&st->f[st->focus], k);
}

static void
stats_tick(struct tui *t, struct tui_screen *scr)
{
	struct stats *st = (struct stats *)scr;

	(void)t;
	if (st->rerun && st->c->sess.active) {
		st->rerun = 0;
		stats_fetch(st);
	}
}

static void
stats_destroy(struct tui_screen *scr)
{
	free(scr);
}

struct tui_screen *
console_stats_new(struct console *c)
{
	struct stats *st;
	char month[16];
	time_t now = time(NULL);
	struct tm tm;
	int y, m;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->c = c;
	/* The last six months, this one included. */
	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	for (int i = 0; i < STATS_NFIELDS; i++) {
		st->f[i].label = stats_labels[i];
		st->f[i].maxlen = 7;
	}
	snprintf(month, sizeof month, "%04d-%02d", (m > 5 ? y : y - 1) %
	    10000, (m > 5 ? m - 5 : m + 7) % 100);
	tui_field_set(&st->f[STATS_FROM], month);
	snprintf(month, sizeof month, "%04d-%02d", y % 10000, m % 100);
	tui_field_set(&st->f[STATS_TO], month);
	st->rerun = 1;
	st->s.draw = stats_draw;
	st->s.key = stats_key;
	st->s.tick = stats_tick;
	st->s.destroy = stats_destroy;
	st->s.hints = stats_hints;
	(void)stats_outcome_names;
	return &st->s;
}
