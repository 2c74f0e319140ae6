/*
 * exchange.c: spis.v1.Exchange, data exchange with other institutions.
 * Institutions send facts about people (batches or CSV files), each item
 * validated and stored idempotently by (source, record id), and search the
 * registry for a purpose each person's consent is checked against.  Their
 * calls carry the institution's token, never an officer session;
 * exchange_authorize resolves them.  Officers with exchange.admin register
 * institutions and read their feeds.
 */
#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <sodium.h>

#include "spis/v1/exchange.pb-c.h"

#include "check.h"
#include "lifeevent.h"
#include "log.h"
#include "municipality.h"
#include "natid.h"
#include "rpcd.h"
#include "store_fact.h"
#include "store_person.h"

#define EXCHANGE_BATCH_MAX 1000
#define EXCHANGE_FILE_MAX (8 << 20)
/* Rows of a file held at once (each item is about a kilobyte while the
 * call lasts); a larger feed is split into files. */
#define EXCHANGE_FILE_ROWS 20000
#define EXCHANGE_AMOUNT_MAX 1000000000000LL	/* ten billion in cents */
#define EXCHANGE_QUERIES_MAX 20
#define EXCHANGE_PREDICATES_MAX 10
#define EXCHANGE_IN_MAX 50
#define EXCHANGE_PAGE_DEFAULT 20
#define EXCHANGE_PAGE_MAX 100
#define EXCHANGE_LIST_DEFAULT 50
#define EXCHANGE_LIST_MAX 500

static const char *const exchange_employments[] = {"employed", "unemployed",
    "registered_unemployed", "retired", "student", "other", NULL};
static const char *const exchange_disabilities[] = {"none", "moderate",
    "severe", NULL};
static const char *const exchange_educations[] = {"pupil", "student", "none",
    NULL};

/* What each kind carries: an amount, a value from a list, a day rather
 * than a month, the birth's fields. */
#define KIND_AMOUNT 0x1
#define KIND_VALUE 0x2
#define KIND_DAY 0x4
#define KIND_BIRTH 0x8

static const struct {
	const char *name;
	int flags;
	const char *const *values;
	const char *values_text;
} exchange_kinds[] = {
	{"income", KIND_AMOUNT, NULL, NULL},
	{"employment", KIND_VALUE, exchange_employments, "employed, "
	    "unemployed, registered_unemployed, retired, student or other"},
	{"disability", KIND_VALUE, exchange_disabilities,
	    "none, moderate or severe"},
	{"vehicle", KIND_AMOUNT, NULL, NULL},
	{"land", KIND_AMOUNT, NULL, NULL},
	{"death", KIND_DAY, NULL, NULL},
	{"birth", KIND_DAY | KIND_BIRTH, NULL, NULL},
	{"education", KIND_VALUE, exchange_educations,
	    "pupil, student or none"},
};
#define NKINDS (sizeof exchange_kinds / sizeof exchange_kinds[0])
#define KINDS_TEXT "income, employment, disability, vehicle, land, death, " \
	"birth or education"

/* The purposes an institution may search for: those a person consents
 * to (registry.c checks the same names against the consent table). */
static const char *const exchange_purposes[] = {"employment", "health",
    "research", NULL};

static const char *const exchange_csv_header[] = {"record_id",
    "national_id", "kind", "period", "amount", "value", "related_id",
    "given_names", "surname", "sex"};
#define CSV_COLUMNS 10
#define CSV_HEADER_TEXT "record_id,national_id,kind,period,amount,value," \
	"related_id,given_names,surname,sex"

static int
exchange_kind(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(name, exchange_kinds[i].name) == 0)
			return (int)i;
	return -1;
}

static int
exchange_in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Whether name is an item of the comma-separated list. */
static int
exchange_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) == NULL)
			break;
		p++;
	}
	return 0;
}

/* 1 to max printable ASCII characters without spaces. */
static int
exchange_token_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* --- the institution's credential -------------------------------------- */

grpc_status_code
exchange_authorize(struct rpc_ctx *ctx, struct rpcd_caller **out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	const char *tok = rpc_ctx_metadata(ctx, "x-spis-institution");
	const char *cn = rpc_ctx_client_cn(ctx);
	struct store_institution *i = arena_alloc(a, sizeof *i);
	struct rpcd_caller *c;
	uint8_t hash[32];
	enum store_rc rc;

	*out = NULL;
	if (tok != NULL && tok[0] != '\0') {
		crypto_hash_sha256(hash, (const unsigned char *)tok,
		    strlen(tok));
		rc = store_institution_by_token(d->store, hash, i);
	} else if (cn != NULL && cn[0] != '\0')
		rc = store_institution_by_cn(d->store, cn, i);
	else
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-institution: no institution token");
	if (rc == STORE_NOTFOUND)
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-institution: unknown or replaced institution "
		    "credential");
	if (rc != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");

	/* From here on the audit rows name the institution. */
	c = arena_alloc(a, sizeof *c);
	snprintf(c->officer.username, sizeof c->officer.username, "inst:%s",
	    i->code);
	snprintf(c->officer.roles, sizeof c->officer.roles, "institution");
	c->institution = i;
	rpc_ctx_set_user(ctx, c);
	if (i->disabled)
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-institution: institution %s is disabled", i->code);
	*out = c;
	return GRPC_STATUS_OK;
}

/* --- facts -------------------------------------------------------------- */

/* Marks an item refused with code and a message naming the field. */
static void
item_error(struct store_fact_item *it, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
item_error(struct store_fact_item *it, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->msgbuf, sizeof it->msgbuf, fmt, ap);
	va_end(ap);
	/* The message may quote the item and the buffer may cut it. */
	check_utf8_scrub(it->msgbuf);
	it->code = code;
	it->message = it->msgbuf;
}

/* Copies a field into a fixed buffer; -1 when it does not fit. */
static int
item_copy(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* The SHA-256 of what a fact says, each field ended by a NUL (which no
 * field contains), so that no two contents share a digest. */
static void
item_digest(struct store_fact_item *it)
{
	crypto_hash_sha256_state h;
	const struct store_fact *f = &it->f;
	const char *parts[] = {f->national_id, f->kind, f->period, "",
	    f->value, f->related_id, f->given_names, f->surname, f->sex};
	char amount[24];

	snprintf(amount, sizeof amount, "%" PRId64, f->amount);
	parts[3] = amount;
	crypto_hash_sha256_init(&h);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		crypto_hash_sha256_update(&h, (const unsigned char *)parts[i],
		    strlen(parts[i]) + 1);
	crypto_hash_sha256_final(&h, it->digest);
}

/*
 * Checks one fact from inst and fills *it for the store: the fields, the
 * digest, the person who must be registered, or a refusal with its code.
 * The strings are the request's.
 */
static void
item_check(struct rpcd *d, const struct store_institution *inst,
    const char *record_id, const char *national_id, const char *kind,
    const char *period, int64_t amount, const char *value,
    const char *related_id, const char *given_names, const char *surname,
    const char *sex, struct store_fact_item *it)
{
	struct store_fact *f = &it->f;
	struct natid_info info;
	char why[96], today[16], day[16];
	int k, y, m;

	if (!exchange_token_text(record_id, sizeof f->record_id - 1) ||
	    item_copy(f->record_id, sizeof f->record_id, record_id) != 0) {
		/* Echoed back in the item's result: cut at a character,
		 * for a reply must hold well-formed UTF-8. */
		check_utf8_copy(f->record_id, 41, check_utf8_text(record_id) ?
		    record_id : "?");
		item_error(it, "invalid", "record_id: 1 to %zu printable "
		    "characters without spaces", sizeof f->record_id - 1);
		return;
	}
	if (natid_check(d->country, national_id, &info, why,
	    sizeof why) != 0 || item_copy(f->national_id,
	    sizeof f->national_id, national_id) != 0) {
		item_error(it, "invalid", "national_id: %s", why);
		return;
	}
	if ((k = exchange_kind(kind)) < 0) {
		char shown[17];

		/* Cut at a character: the message goes back in a reply. */
		check_utf8_copy(shown, sizeof shown, check_utf8_text(kind) ?
		    kind : "?");
		item_error(it, "invalid", "kind: \"%s\" is not a fact kind "
		    "(" KINDS_TEXT ")", shown);
		return;
	}
	snprintf(f->kind, sizeof f->kind, "%s", kind);
	if (!exchange_listed(inst->kinds, kind)) {
		item_error(it, "kind_not_allowed", "kind: %s may not send %s "
		    "facts", inst->code, kind);
		return;
	}

	/* The period: a day for deaths and births, else a month; never
	 * after today. */
	check_today(today, sizeof today);
	if (exchange_kinds[k].flags & KIND_DAY) {
		if (strlen(period) != 10 || !check_date(period, NULL, NULL,
		    NULL)) {
			item_error(it, "invalid", "period: a %s is dated "
			    "YYYY-MM-DD", kind);
			return;
		}
		if (strcmp(period, today) > 0) {
			item_error(it, "future_period", "period: %s is after "
			    "today", period);
			return;
		}
	} else {
		snprintf(day, sizeof day, "%.7s-01", period);
		if (strlen(period) != 7 || !check_date(day, &y, &m, NULL)) {
			item_error(it, "invalid", "period: %s facts are for a "
			    "month, YYYY-MM", kind);
			return;
		}
		if (strncmp(period, today, 7) > 0) {
			item_error(it, "future_period", "period: %s is after "
			    "this month", period);
			return;
		}
	}
	snprintf(f->period, sizeof f->period, "%s", period);

	/* What the kind carries, and nothing it does not. */
	if (exchange_kinds[k].flags & KIND_AMOUNT) {
		if (amount < 0 || amount > EXCHANGE_AMOUNT_MAX) {
			item_error(it, "invalid", "amount: from 0 to %lld "
			    "cents", EXCHANGE_AMOUNT_MAX);
			return;
		}
	} else if (amount != 0) {
		item_error(it, "invalid", "amount: not used for %s facts",
		    kind);
		return;
	}
	f->amount = amount;
	if (exchange_kinds[k].flags & KIND_VALUE) {
		if (!exchange_in(exchange_kinds[k].values, value)) {
			char shown[21];

			check_utf8_copy(shown, sizeof shown,
			    check_utf8_text(value) ? value : "?");
			item_error(it, "invalid", "value: %s, not \"%s\"",
			    exchange_kinds[k].values_text, shown);
			return;
		}
		snprintf(f->value, sizeof f->value, "%s", value);
	} else if (value[0] != '\0') {
		item_error(it, "invalid", "value: not used for %s facts",
		    kind);
		return;
	}
	if (!(exchange_kinds[k].flags & KIND_BIRTH)) {
		const char *extra = related_id[0] != '\0' ? "related_id" :
		    given_names[0] != '\0' ? "given_names" :
		    surname[0] != '\0' ? "surname" :
		    sex[0] != '\0' ? "sex" : NULL;

		if (extra != NULL) {
			item_error(it, "invalid", "%s: only for birth facts",
			    extra);
			return;
		}
		it->must_exist = f->national_id;
		it->must_exist_field = "national_id";
		item_digest(it);
		return;
	}

	/* A birth: the newborn's code agrees with the day and sex; the
	 * mother is registered. */
	if (info.birth_date[0] != '\0' && strcmp(info.birth_date,
	    period) != 0) {
		item_error(it, "invalid", "period: the national ID says born "
		    "on %s", info.birth_date);
		return;
	}
	if (strcmp(sex, "M") != 0 && strcmp(sex, "F") != 0) {
		item_error(it, "invalid", "sex: M or F");
		return;
	}
	if (info.sex != 0 && info.sex != sex[0]) {
		item_error(it, "invalid", "sex: the national ID says %c",
		    info.sex);
		return;
	}
	snprintf(f->sex, sizeof f->sex, "%s", sex);
	if (check_text(given_names, 1, 100, why, sizeof why) != 0) {
		item_error(it, "invalid", "given_names: %s", why);
		return;
	}
	if (check_text(surname, 1, 100, why, sizeof why) != 0) {
		item_error(it, "invalid", "surname: %s", why);
		return;
	}
	snprintf(f->given_names, sizeof f->given_names, "%s", given_names);
	snprintf(f->surname, sizeof f->surname, "%s", surname);
	if (natid_check(d->country, related_id, NULL, why, sizeof why) != 0 ||
	    item_copy(f->related_id, sizeof f->related_id, related_id) != 0) {
		item_error(it, "invalid", "related_id: the mother's national "
		    "ID: %s", why);
		return;
	}
	if (strcmp(related_id, national_id) == 0) {
		item_error(it, "invalid", "related_id: the mother, not the "
		    "child");
		return;
	}
	it->must_exist = f->related_id;
	it->must_exist_field = "related_id";
	item_digest(it);
}

/* Stores checked items, answers with one result each, and sets off the
 * life events of what was stored. */
static grpc_status_code
exchange_store(struct rpc_ctx *ctx, const char *batch_id, const char *what,
    struct store_fact_item *items, size_t n, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_fact_totals t;
	struct store_audit row;
	Spis__V1__SubmitFactsReply *r;
	size_t i;

	rpcd_audit_row(ctx, &row, what);
	if (store_fact_submit(d->store, c->institution->code, batch_id, items,
	    n, &row, &t) != STORE_OK) {
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (t.stored > 0 && lifeevent_run(d) < 0)
		log_warn("exchange: life events of batch %s from %s are left "
		    "due", batch_id, c->institution->code);
	r = RPC_NEW(ctx, Spis__V1__SubmitFactsReply,
	    spis__v1__submit_facts_reply__init);
	r->stored = t.stored;
	r->unchanged = t.unchanged;
	r->errors = t.errors;
	r->results = arena_alloc(a, sizeof *r->results * (n ? n : 1));
	for (i = 0; i < n; i++) {
		Spis__V1__FactResult *m = RPC_NEW(ctx, Spis__V1__FactResult,
		    spis__v1__fact_result__init);

		m->index = items[i].index;
		m->record_id = arena_strdup(a, items[i].f.record_id);
		m->outcome = (char *)items[i].outcome;
		m->code = (char *)(items[i].code != NULL ? items[i].code : "");
		m->message = arena_strdup(a, items[i].message != NULL ?
		    items[i].message : "");
		r->results[r->n_results++] = m;
	}
	c->detail = arena_printf(a, "%s: %d stored, %d unchanged, %d errors",
	    what, t.stored, t.unchanged, t.errors);
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
exchange_batch_id(struct rpc_ctx *ctx, const char *batch_id)
{
	char why[64];

	if (check_text(batch_id, 0, 79, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "batch_id: %s", why);
	return GRPC_STATUS_OK;
}

static grpc_status_code
exchange_submit(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SubmitFactsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_fact_item *items;
	grpc_status_code st;

	if ((st = exchange_batch_id(ctx, req->batch_id)) != GRPC_STATUS_OK)
		return st;
	if (req->n_facts == 0 || req->n_facts > EXCHANGE_BATCH_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "facts: 1 to %d per call", EXCHANGE_BATCH_MAX);
	items = arena_alloc(rpc_ctx_arena(ctx), sizeof *items * req->n_facts);
	for (size_t i = 0; i < req->n_facts; i++) {
		const Spis__V1__InstitutionFact *f = req->facts[i];

		items[i].index = (int)i;
		item_check(d, c->institution, f->record_id, f->national_id,
		    f->kind, f->period, f->amount, f->value, f->related_id,
		    f->given_names, f->surname, f->sex, &items[i]);
	}
	return exchange_store(ctx, req->batch_id, arena_printf(
	    rpc_ctx_arena(ctx), "batch \"%s\"", req->batch_id), items,
	    req->n_facts, respm);
}

/* --- files -------------------------------------------------------------- */

struct exchange_csv {
	struct arena *a;
	struct rpcd *d;
	const struct store_institution *inst;
	int line;		/* the physical line being fed */
	int record_line;	/* where the current record began */
	int records;
	char *fields[CSV_COLUMNS];
	int nfields;
	int too_many;
	int nul;
	int bad_header;
	struct store_fact_item *items;
	size_t n, cap;
	int overflow;		/* more rows than EXCHANGE_FILE_ROWS */
	struct store_fact_item spare; /* where rows past the cap go */
};

static void
exchange_csv_field(void *s, size_t len, void *data)
{
	struct exchange_csv *c = data;

	if (c->nfields == 0 && !c->too_many)
		c->record_line = c->line;
	if (c->nfields == CSV_COLUMNS) {
		c->too_many = 1;
		return;
	}
	if (s != NULL && memchr(s, '\0', len) != NULL)
		c->nul = 1;
	c->fields[c->nfields++] = arena_strndup(c->a, s != NULL ? s : "",
	    s != NULL ? len : 0);
}

static struct store_fact_item *
exchange_csv_item(struct exchange_csv *c)
{
	struct store_fact_item *it;

	if (c->n >= EXCHANGE_FILE_ROWS) {
		c->overflow = 1;
		memset(&c->spare, 0, sizeof c->spare);
		return &c->spare;
	}
	c->items = arena_grow(c->a, c->items, c->n, &c->cap, sizeof *c->items);
	it = &c->items[c->n++];
	memset(it, 0, sizeof *it);
	it->index = c->record_line;
	return it;
}

static void
exchange_csv_record(int term, void *data)
{
	struct exchange_csv *c = data;
	struct store_fact_item *it;
	char *end;
	int64_t amount = 0;

	(void)term;
	if (c->records++ == 0) {
		c->bad_header = c->nfields != CSV_COLUMNS || c->too_many;
		for (int i = 0; !c->bad_header && i < CSV_COLUMNS; i++)
			if (strcmp(c->fields[i], exchange_csv_header[i]) != 0)
				c->bad_header = 1;
		goto done;
	}
	if (c->bad_header)
		goto done;
	it = exchange_csv_item(c);
	if (c->nfields > 0 && !c->too_many)
		check_utf8_copy(it->f.record_id, sizeof it->f.record_id,
		    check_utf8_text(c->fields[0]) ? c->fields[0] : "");
	if (c->too_many || c->nfields != CSV_COLUMNS) {
		item_error(it, "invalid", "line: %s%d fields; expected %d ("
		    CSV_HEADER_TEXT ")", c->too_many ? "more than " : "",
		    c->nfields, CSV_COLUMNS);
		goto done;
	}
	if (c->nul) {
		item_error(it, "invalid", "line: contains a NUL byte");
		goto done;
	}
	if (c->fields[4][0] != '\0') {
		amount = strtoll(c->fields[4], &end, 10);
		if (*end != '\0' || !(isdigit((unsigned char)c->fields[4][0]) ||
		    c->fields[4][0] == '-')) {
			item_error(it, "invalid", "amount: a whole number of "
			    "cents");
			goto done;
		}
	}
	item_check(c->d, c->inst, c->fields[0], c->fields[1], c->fields[2],
	    c->fields[3], amount, c->fields[5], c->fields[6], c->fields[7],
	    c->fields[8], c->fields[9], it);
done:
	c->nfields = 0;
	c->too_many = 0;
	c->nul = 0;
}

int
exchange_csv_read(struct rpcd *d, const struct store_institution *inst,
    struct arena *a, const void *content, size_t len,
    struct store_fact_item **items, size_t *n, char *why, size_t whylen)
{
	struct exchange_csv x = {.a = a, .d = d, .inst = inst};
	const char *buf = content, *end, *line, *nl;
	struct csv_parser p;
	int opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;

	*items = NULL;
	*n = 0;
	if (len == 0) {
		snprintf(why, whylen, "content: empty; expected the header "
		    CSV_HEADER_TEXT);
		return -1;
	}
	if (len > EXCHANGE_FILE_MAX) {
		snprintf(why, whylen, "content: at most %d MiB per file",
		    EXCHANGE_FILE_MAX >> 20);
		return -1;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (csv_init(&p, (unsigned char)opts) != 0)
		return -2;
	/* Fed one physical line at a time, so that a record knows its line.
	 * A line the parser cannot read is reported and parsing starts
	 * afresh on the next one, so one stray quote costs one row. */
	end = buf + len;
	for (line = buf; line < end; line = nl) {
		nl = memchr(line, '\n', (size_t)(end - line));
		nl = nl != NULL ? nl + 1 : end;
		x.line++;
		if (csv_parse(&p, line, (size_t)(nl - line),
		    exchange_csv_field, exchange_csv_record, &x) ==
		    (size_t)(nl - line))
			continue;
		if (x.records == 0) {
			csv_free(&p);
			snprintf(why, whylen, "content: the first line must "
			    "be the header " CSV_HEADER_TEXT);
			return -1;
		}
		if (x.nfields == 0)
			x.record_line = x.line;
		item_error(exchange_csv_item(&x), "invalid", "line: malformed "
		    "CSV (%s)", csv_strerror(csv_error(&p)));
		x.nfields = x.too_many = x.nul = 0;
		csv_free(&p);
		if (csv_init(&p, (unsigned char)opts) != 0)
			return -2;
	}
	if (csv_fini(&p, exchange_csv_field, exchange_csv_record, &x) != 0)
		item_error(exchange_csv_item(&x), "invalid", "line: malformed "
		    "CSV (%s)", csv_strerror(csv_error(&p)));
	csv_free(&p);
	if (x.records == 0 || x.bad_header) {
		snprintf(why, whylen, "content: the first line must be the "
		    "header " CSV_HEADER_TEXT);
		return -1;
	}
	if (x.n == 0) {
		snprintf(why, whylen, "content: no facts after the header");
		return -1;
	}
	if (x.overflow) {
		snprintf(why, whylen, "content: at most %d facts per file; "
		    "split it", EXCHANGE_FILE_ROWS);
		return -1;
	}
	*items = x.items;
	*n = x.n;
	return 0;
}

static grpc_status_code
exchange_submit_file(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SubmitFactsFileRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_fact_item *items;
	grpc_status_code st;
	char why[256];
	size_t n;

	if ((st = exchange_batch_id(ctx, req->batch_id)) != GRPC_STATUS_OK)
		return st;
	if (check_text(req->file_name, 0, 255, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "file_name: %s", why);
	switch (exchange_csv_read(rpc_ctx_arg(ctx), c->institution,
	    rpc_ctx_arena(ctx), req->content.data, req->content.len, &items,
	    &n, why, sizeof why)) {
	case 0:
		break;
	case -1:
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s", why);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	return exchange_store(ctx, req->batch_id, arena_printf(
	    rpc_ctx_arena(ctx), "file \"%s\" batch \"%s\"", req->file_name,
	    req->batch_id), items, n, respm);
}

/* --- registry search ----------------------------------------------------- */

/* The attributes a predicate may name: a number, or text from a list
 * (NULL: any programme code, or a municipality code). */
static const struct {
	const char *name;
	int number;
	const char *const *values;
} exchange_attrs[] = {
	{"municipality", 0, NULL},
	{"birth_year", 1, NULL},
	{"age", 1, NULL},
	{"sex", 0, (const char *const[]){"M", "F", NULL}},
	{"disability", 0, exchange_disabilities},
	{"employment", 0, (const char *const[]){"employed", "unemployed",
	    "retired", "student", "other", NULL}},
	{"household.size", 1, NULL},
	{"benefit", 0, NULL},
};
#define NATTRS (sizeof exchange_attrs / sizeof exchange_attrs[0])
static const char *const exchange_ops[] = {"eq", "ne", "lt", "le", "gt",
    "ge", "in", NULL};

/* Checks one predicate; 0, or -1 with "field: problem" in why. */
static int
exchange_pred(const Spis__V1__SearchPredicate *pr, size_t i,
    struct store_search_pred *out, char *why, size_t whylen)
{
	size_t k, j;
	char *end;
	long long v;

	for (k = 0; k < NATTRS; k++)
		if (strcmp(pr->attribute, exchange_attrs[k].name) == 0)
			break;
	if (k == NATTRS) {
		snprintf(why, whylen, "predicates[%zu].attribute: \"%.20s\" is "
		    "not one of municipality, birth_year, age, sex, "
		    "disability, employment, household.size, benefit", i,
		    check_utf8_text(pr->attribute) ? pr->attribute : "?");
		return -1;
	}
	if (!exchange_in(exchange_ops, pr->operator_)) {
		snprintf(why, whylen, "predicates[%zu].operator: \"%.20s\" is "
		    "not one of eq, ne, lt, le, gt, ge, in", i,
		    check_utf8_text(pr->operator_) ? pr->operator_ : "?");
		return -1;
	}
	if (!exchange_attrs[k].number && strcmp(pr->operator_, "eq") != 0 &&
	    strcmp(pr->operator_, "ne") != 0 &&
	    strcmp(pr->operator_, "in") != 0) {
		snprintf(why, whylen, "predicates[%zu].operator: %s compares "
		    "with eq, ne or in", i, pr->attribute);
		return -1;
	}
	if (strcmp(pr->operator_, "in") == 0 ? pr->n_values < 1 ||
	    pr->n_values > EXCHANGE_IN_MAX : pr->n_values != 1) {
		snprintf(why, whylen, "predicates[%zu].values: %s", i,
		    strcmp(pr->operator_, "in") == 0 ? "1 to 50 values for in" :
		    "one value");
		return -1;
	}
	for (j = 0; j < pr->n_values; j++) {
		const char *s = pr->values[j];
		int ok;

		if (exchange_attrs[k].number) {
			v = strtoll(s, &end, 10);
			ok = s[0] != '\0' && *end == '\0' && v >= 0 &&
			    v <= 9999;
		} else if (exchange_attrs[k].values != NULL)
			ok = exchange_in(exchange_attrs[k].values, s);
		else if (strcmp(pr->attribute, "municipality") == 0)
			ok = municipality_find(s) != NULL;
		else
			ok = exchange_token_text(s, 32);
		if (!ok) {
			snprintf(why, whylen, "predicates[%zu].values: \"%.20s\" "
			    "is not a %s %s", i, check_utf8_text(s) ? s : "?",
			    exchange_attrs[k].number ? "whole number for" :
			    "value of", pr->attribute);
			return -1;
		}
	}
	out->attr = pr->attribute;
	out->op = pr->operator_;
	out->nvalues = pr->n_values;
	out->values = (const char *const *)pr->values;
	return 0;
}

struct exchange_found {
	struct rpc_ctx *ctx;
	const char *purpose;
	Spis__V1__SearchResult *r;
	int max;		/* the page's size */
	int seen;		/* matches looked at */
	/* The page's matches, copied out of the store's callback (which
	 * holds the store's lock, so consent is read after). */
	struct store_search_hit *hits;
	size_t nhits, hcap;
	/* People returned, for the audit rows. */
	const char **returned;
	size_t nreturned, cap, rcap;
};

static void
exchange_found_one(void *arg, const struct store_search_hit *h)
{
	struct exchange_found *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	struct store_search_hit *c;

	if (f->seen++ >= f->max)
		return;
	f->hits = arena_grow(a, f->hits, f->nhits, &f->hcap, sizeof *f->hits);
	c = &f->hits[f->nhits++];
	c->national_id = arena_strdup(a, h->national_id);
	c->given_names = arena_strdup(a, h->given_names);
	c->surname = arena_strdup(a, h->surname);
	c->birth_date = arena_strdup(a, h->birth_date);
	c->sex = arena_strdup(a, h->sex);
	c->municipality = arena_strdup(a, h->municipality);
	c->household_id = h->household_id;
	c->household_size = h->household_size;
	c->benefits = arena_strdup(a, h->benefits);
}

/* Returns a match, or counts it withheld when the person has not
 * consented to the purpose: the consent table decides, as it does for an
 * officer's read (rpcd_purpose_check).  0, or -1 on a store error. */
static int
exchange_found_return(struct exchange_found *f,
    const struct store_search_hit *h)
{
	struct rpcd *d = rpc_ctx_arg(f->ctx);
	struct arena *a = rpc_ctx_arena(f->ctx);
	struct store_consent k;
	Spis__V1__SearchRecord *m;
	char *save, *tok, *list;

	switch (store_consent_latest(d->store, h->national_id, f->purpose,
	    &k)) {
	case STORE_OK:
		if (k.given)
			break;
		/* FALLTHROUGH */
	case STORE_NOTFOUND:
		f->r->withheld++;
		return 0;
	default:
		return -1;
	}
	m = RPC_NEW(f->ctx, Spis__V1__SearchRecord,
	    spis__v1__search_record__init);
	m->national_id = (char *)h->national_id;
	m->given_names = (char *)h->given_names;
	m->surname = (char *)h->surname;
	m->birth_date = (char *)h->birth_date;
	m->sex = (char *)h->sex;
	m->municipality = (char *)h->municipality;
	m->household_id = h->household_id != 0 ?
	    arena_printf(a, "%" PRId64, h->household_id) : "";
	m->household_size = h->household_size;
	list = arena_strdup(a, h->benefits);
	m->active_benefits = arena_alloc(a, sizeof *m->active_benefits *
	    (strlen(list) / 2 + 1));
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		m->active_benefits[m->n_active_benefits++] = tok;
	f->r->records = arena_grow(a, f->r->records, f->r->n_records,
	    &f->cap, sizeof *f->r->records);
	f->r->records[f->r->n_records++] = m;
	f->returned = arena_grow(a, f->returned, f->nreturned, &f->rcap,
	    sizeof *f->returned);
	f->returned[f->nreturned++] = m->national_id;
	return 0;
}

/* A page token names the last person of the page, opaquely. */
static const char *
exchange_page_token(struct arena *a, const char *last)
{
	size_t n = strlen(last);
	size_t len = sodium_base64_ENCODED_LEN(n + 2,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *raw = arena_printf(a, "p:%s", last);
	char *out = arena_alloc(a, len);

	sodium_bin2base64(out, len, (const unsigned char *)raw, n + 2,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static int
exchange_page_after(const char *token, char *after, size_t afterlen)
{
	unsigned char raw[32];
	size_t n;

	after[0] = '\0';
	if (token[0] == '\0')
		return 0;
	if (sodium_base642bin(raw, sizeof raw - 1, token, strlen(token), NULL,
	    &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < 3 || n - 2 >= afterlen || memcmp(raw, "p:", 2) != 0)
		return -1;
	raw[n] = '\0';
	for (size_t i = 2; i < n; i++)
		if (!isdigit(raw[i]))
			return -1;
	memcpy(after, raw + 2, n - 1);
	return 0;
}

static grpc_status_code
exchange_search(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RegistrySearchRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	const struct store_institution *inst = c->institution;
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__RegistrySearchReply *r;
	struct store_audit *rows, *more;
	size_t nrows = 0, returned = 0, withheld = 0, i, j;
	char after[24], today[16], why[256];
	int page;

	if (!exchange_in(exchange_purposes, req->purpose))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "purpose: employment, health or research");
	rpcd_audit_subject(ctx, NULL, req->purpose);
	if (!inst->may_search)
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "purpose: %s may not search the registry", inst->code);
	if (!exchange_listed(inst->purposes, req->purpose))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "purpose: %s may not search for %s (only %s)", inst->code,
		    req->purpose, inst->purposes);
	if (req->n_queries == 0 || req->n_queries > EXCHANGE_QUERIES_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "queries: 1 to %d per call", EXCHANGE_QUERIES_MAX);
	if (req->page_size < 0 || req->page_size > EXCHANGE_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", EXCHANGE_PAGE_MAX,
		    EXCHANGE_PAGE_DEFAULT);
	page = req->page_size ? req->page_size : EXCHANGE_PAGE_DEFAULT;
	if (req->page_token[0] != '\0' && req->n_queries != 1)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_token: only with a single query");
	if (exchange_page_after(req->page_token, after, sizeof after) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_token: not a token this service gave");
	check_today(today, sizeof today);

	r = RPC_NEW(ctx, Spis__V1__RegistrySearchReply,
	    spis__v1__registry_search_reply__init);
	r->results = arena_alloc(a, sizeof *r->results * req->n_queries);
	rows = arena_alloc(a, sizeof *rows);
	nrows = 1;
	for (i = 0; i < req->n_queries; i++) {
		const Spis__V1__SearchQuery *q = req->queries[i];
		struct exchange_found f = {.ctx = ctx, .purpose = req->purpose,
		    .max = page};
		struct store_search_pred *preds = NULL;
		const Spis__V1__PredicateList *pl;
		size_t npreds = 0;
		int n;

		f.r = RPC_NEW(ctx, Spis__V1__SearchResult,
		    spis__v1__search_result__init);
		r->results[r->n_results++] = f.r;
		f.r->query_id = q->query_id;
		f.r->status = "invalid";
		if (q->by_case == SPIS__V1__SEARCH_QUERY__BY_NATIONAL_ID) {
			if (natid_check(d->country, q->national_id, NULL, why,
			    sizeof why) != 0) {
				f.r->message = arena_printf(a,
				    "national_id: %s", why);
				continue;
			}
			f.max = 1;
		} else if (q->by_case ==
		    SPIS__V1__SEARCH_QUERY__BY_PREDICATES) {
			pl = q->predicates;
			if (pl->n_predicates == 0 || pl->n_predicates >
			    EXCHANGE_PREDICATES_MAX) {
				f.r->message = arena_printf(a, "predicates: "
				    "1 to %d", EXCHANGE_PREDICATES_MAX);
				continue;
			}
			preds = arena_alloc(a, sizeof *preds *
			    pl->n_predicates);
			for (j = 0; j < pl->n_predicates; j++)
				if (exchange_pred(pl->predicates[j], j,
				    &preds[j], why, sizeof why) != 0)
					break;
			if (j < pl->n_predicates) {
				check_utf8_scrub(why);
				f.r->message = arena_strdup(a, why);
				continue;
			}
			npreds = pl->n_predicates;
		} else {
			f.r->message = "query: national_id or predicates";
			continue;
		}
		n = store_fact_search(d->store, q->by_case ==
		    SPIS__V1__SEARCH_QUERY__BY_NATIONAL_ID ? q->national_id :
		    NULL, preds, npreds, today, after, f.max + 1,
		    exchange_found_one, &f);
		if (n < 0)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		for (j = 0; j < f.nhits; j++)
			if (exchange_found_return(&f, &f.hits[j]) != 0)
				return rpc_error(ctx, GRPC_STATUS_INTERNAL,
				    "internal error");
		if (n > f.max)
			f.r->next_page_token = (char *)exchange_page_token(a,
			    f.hits[f.nhits - 1].national_id);
		if (n == 0)
			f.r->status = "not_found";
		else if (f.max == 1 && f.r->withheld > 0)
			f.r->status = "consent_refused";
		else
			f.r->status = "ok";
		returned += f.nreturned;
		withheld += (size_t)f.r->withheld;
		if (f.nreturned == 0)
			continue;
		more = arena_alloc(a, sizeof *more * (nrows + f.nreturned));
		memcpy(more, rows, sizeof *rows * nrows);
		rows = more;
		for (j = 0; j < f.nreturned; j++) {
			rows[nrows].subject = f.returned[j];
			rows[nrows].detail = arena_printf(a, "returned for "
			    "query \"%s\"", q->query_id);
			nrows++;
		}
	}

	/* The answer goes out only once it is audited: the call's row with
	 * the counts, and a row per person returned, each with the purpose,
	 * so that the person's access log shows who searched them. */
	rpcd_audit_row(ctx, &rows[0], arena_printf(a, "%zu queries, %zu "
	    "returned, %zu withheld", req->n_queries, returned, withheld));
	for (i = 1; i < nrows; i++) {
		const char *subject = rows[i].subject, *detail = rows[i].detail;

		rows[i] = rows[0];
		rows[i].subject = subject;
		rows[i].detail = detail;
	}
	if (store_fact_audit_rows(d->store, rows, nrows) != 0) {
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* --- officers' calls ----------------------------------------------------- */

/* A comma list as a repeated field, arena-owned. */
static char **
exchange_split(struct arena *a, const char *list, size_t *n)
{
	char *copy = arena_strdup(a, list), *save, *tok;
	char **out = arena_alloc(a, sizeof *out * (strlen(list) / 2 + 1));

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		out[(*n)++] = tok;
	return out;
}

static Spis__V1__Institution *
exchange_inst_msg(struct rpc_ctx *ctx, const struct store_institution *i)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Institution *m = RPC_NEW(ctx, Spis__V1__Institution,
	    spis__v1__institution__init);

	m->code = arena_strdup(a, i->code);
	m->name = arena_strdup(a, i->name);
	m->kinds = exchange_split(a, i->kinds, &m->n_kinds);
	m->may_search = i->may_search;
	m->purposes = exchange_split(a, i->purposes, &m->n_purposes);
	m->cert_cn = arena_strdup(a, i->cert_cn);
	m->disabled = i->disabled;
	m->created_at = arena_strdup(a, i->created_at);
	m->last_feed_at = arena_strdup(a, i->last_feed_at);
	m->facts_stored = i->facts_stored;
	m->facts_unchanged = i->facts_unchanged;
	m->facts_rejected = i->facts_rejected;
	m->last_error = arena_strdup(a, i->last_error);
	return m;
}

/* Joins a repeated field of names, each in allowed (or, with allowed NULL,
 * a fact kind), without repeats, into out; 0, or -1 with why. */
static int
exchange_join(char *const *names, size_t n, const char *const *allowed,
    const char *allowed_text, char *out, size_t outlen, char *why,
    size_t whylen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int ok = allowed != NULL ? exchange_in(allowed, names[i]) :
		    exchange_kind(names[i]) >= 0;

		if (!ok) {
			snprintf(why, whylen, "\"%.20s\" is not one of %s",
			    check_utf8_text(names[i]) ? names[i] : "?",
			    allowed_text);
			return -1;
		}
		if (exchange_listed(out, names[i])) {
			snprintf(why, whylen, "%s is named twice", names[i]);
			return -1;
		}
		if (strlen(out) + strlen(names[i]) + 2 > outlen) {
			snprintf(why, whylen, "too many");
			return -1;
		}
		if (out[0] != '\0')
			strcat(out, ",");
		strcat(out, names[i]);
	}
	return 0;
}

/* A new token into out (44 bytes) and its hash. */
static void
exchange_new_token(char out[44], uint8_t hash[32])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, 44, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	crypto_hash_sha256(hash, (const unsigned char *)out, strlen(out));
}

static grpc_status_code
exchange_credential(struct rpc_ctx *ctx, const char *code, const char *token,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_institution i;
	Spis__V1__InstitutionCredential *m;

	if (store_institution_get(d->store, code, &i) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	m = RPC_NEW(ctx, Spis__V1__InstitutionCredential,
	    spis__v1__institution_credential__init);
	m->institution = exchange_inst_msg(ctx, &i);
	m->token = arena_strdup(rpc_ctx_arena(ctx), token);
	/* The token is shown once: idem.c keeps no copy of the reply. */
	c->secret_reply = 1;
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
exchange_register(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RegisterInstitutionRequest *req = (const void *)reqm;
	const Spis__V1__Institution *in = req->institution;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_institution i = {0};
	struct store_audit a;
	char why[128], token[44];
	uint8_t hash[32];
	const char *p;

	if (in == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution: required");
	for (p = in->code; *p != '\0'; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_' && *p != '-')
			break;
	if (*p != '\0' || strlen(in->code) < 2 || strlen(in->code) > 16)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.code: 2 to 16 capital letters, digits, _ "
		    "or -");
	snprintf(i.code, sizeof i.code, "%s", in->code);
	if (check_text(in->name, 1, 200, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.name: %s", why);
	snprintf(i.name, sizeof i.name, "%s", in->name);
	if (in->n_kinds == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.kinds: at least one fact kind (" KINDS_TEXT
		    ")");
	if (exchange_join(in->kinds, in->n_kinds, NULL, KINDS_TEXT, i.kinds,
	    sizeof i.kinds, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.kinds: %s", why);
	if (exchange_join(in->purposes, in->n_purposes, exchange_purposes,
	    "employment, health, research", i.purposes, sizeof i.purposes,
	    why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.purposes: %s", why);
	if (in->may_search && in->n_purposes == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.purposes: an institution that may search "
		    "names the purposes it searches for");
	if (!in->may_search && in->n_purposes > 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.purposes: only for an institution that may "
		    "search");
	i.may_search = in->may_search;
	if (in->cert_cn[0] != '\0' && !exchange_token_text(in->cert_cn, 128))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "institution.cert_cn: up to 128 printable characters "
		    "without spaces");
	snprintf(i.cert_cn, sizeof i.cert_cn, "%s", in->cert_cn);

	exchange_new_token(token, hash);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "registered %s (kinds %s%s%s)", i.code, i.kinds,
	    i.may_search ? "; searches for " : "", i.purposes));
	switch (store_institution_add(d->store, &i, hash,
	    c->officer.username, &a)) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "institution.code: %s is registered already", i.code);
	default:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	return exchange_credential(ctx, i.code, token, respm);
}

static grpc_status_code
exchange_rotate(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RotateInstitutionTokenRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_audit a;
	char token[44];
	uint8_t hash[32];

	exchange_new_token(token, hash);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "new token for %.16s; the old one no longer works", req->code));
	switch (store_institution_rotate(d->store, req->code, hash, &a)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "code: no institution \"%.16s\"", req->code);
	default:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	return exchange_credential(ctx, req->code, token, respm);
}

static grpc_status_code
exchange_set_disabled(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SetInstitutionDisabledRequest *req =
	    (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_institution i;
	struct store_audit a;
	char why[64];

	if (req->disabled && check_text(req->reason, 1, 500, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx), "%s %.16s%s%s",
	    req->disabled ? "disabled" : "enabled", req->code,
	    req->disabled ? ": " : "", req->disabled ? req->reason : ""));
	switch (store_institution_set_disabled(d->store, req->code,
	    req->disabled, &a)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "code: no institution \"%.16s\"", req->code);
	default:
		c->audited = 0;
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_institution_get(d->store, req->code, &i) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &exchange_inst_msg(ctx, &i)->base;
	return GRPC_STATUS_OK;
}

struct exchange_list {
	struct rpc_ctx *ctx;
	Spis__V1__InstitutionList *l;
	size_t cap;
};

static void
exchange_list_one(void *arg, const struct store_institution *i)
{
	struct exchange_list *x = arg;

	x->l->institutions = arena_grow(rpc_ctx_arena(x->ctx),
	    x->l->institutions, x->l->n_institutions, &x->cap,
	    sizeof *x->l->institutions);
	x->l->institutions[x->l->n_institutions++] = exchange_inst_msg(x->ctx,
	    i);
}

static grpc_status_code
exchange_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct exchange_list x = {.ctx = ctx};

	(void)reqm;
	x.l = RPC_NEW(ctx, Spis__V1__InstitutionList,
	    spis__v1__institution_list__init);
	if (store_institution_list(d->store, exchange_list_one, &x) !=
	    STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &x.l->base;
	return GRPC_STATUS_OK;
}

struct exchange_errors {
	struct rpc_ctx *ctx;
	Spis__V1__FeedErrorList *l;
};

static void
exchange_error_one(void *arg, const struct store_feed_error *e)
{
	struct exchange_errors *x = arg;
	struct arena *a = rpc_ctx_arena(x->ctx);
	Spis__V1__FeedError *m = RPC_NEW(x->ctx, Spis__V1__FeedError,
	    spis__v1__feed_error__init);

	m->at = arena_strdup(a, e->at);
	m->batch_id = arena_strdup(a, e->batch_id);
	m->index = e->item;
	m->record_id = arena_strdup(a, e->record_id);
	m->error_code = arena_strdup(a, e->code);
	m->message = arena_strdup(a, e->message);
	x->l->errors[x->l->n_errors++] = m;
}

static grpc_status_code
exchange_feed_errors(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListFeedErrorsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct exchange_errors x = {.ctx = ctx};
	struct store_institution i;
	int limit;

	if (req->limit < 0 || req->limit > EXCHANGE_LIST_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "limit: from 1 to %d, or 0 for %d", EXCHANGE_LIST_MAX,
		    EXCHANGE_LIST_DEFAULT);
	limit = req->limit ? req->limit : EXCHANGE_LIST_DEFAULT;
	switch (store_institution_get(d->store, req->code, &i)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "code: no institution \"%.16s\"", req->code);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	x.l = RPC_NEW(ctx, Spis__V1__FeedErrorList,
	    spis__v1__feed_error_list__init);
	x.l->errors = arena_alloc(rpc_ctx_arena(ctx), sizeof *x.l->errors *
	    (size_t)limit);
	if (store_feed_errors(d->store, i.code, limit, exchange_error_one,
	    &x) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &x.l->base;
	return GRPC_STATUS_OK;
}

struct exchange_facts {
	struct rpc_ctx *ctx;
	Spis__V1__PersonFactList *l;
};

static void
exchange_fact_one(void *arg, const struct store_fact *f)
{
	struct exchange_facts *x = arg;
	struct arena *a = rpc_ctx_arena(x->ctx);
	Spis__V1__StoredFact *m = RPC_NEW(x->ctx, Spis__V1__StoredFact,
	    spis__v1__stored_fact__init);
	Spis__V1__InstitutionFact *g = RPC_NEW(x->ctx,
	    Spis__V1__InstitutionFact, spis__v1__institution_fact__init);

	m->source = arena_strdup(a, f->source);
	m->received_at = arena_strdup(a, f->received_at);
	g->record_id = arena_strdup(a, f->record_id);
	g->national_id = arena_strdup(a, f->national_id);
	g->kind = arena_strdup(a, f->kind);
	g->period = arena_strdup(a, f->period);
	g->amount = f->amount;
	g->value = arena_strdup(a, f->value);
	g->related_id = arena_strdup(a, f->related_id);
	g->given_names = arena_strdup(a, f->given_names);
	g->surname = arena_strdup(a, f->surname);
	g->sex = arena_strdup(a, f->sex);
	m->fact = g;
	x->l->facts[x->l->n_facts++] = m;
}

static grpc_status_code
exchange_person_facts(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListPersonFactsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct exchange_facts x = {.ctx = ctx};
	grpc_status_code st;
	char why[96];
	int limit, n;

	if (natid_check(d->country, req->national_id, NULL, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: %s", why);
	if ((st = rpcd_purpose_check(ctx, req->national_id, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	if (req->kind[0] != '\0' && exchange_kind(req->kind) < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "kind: " KINDS_TEXT ", or empty for all");
	if (req->limit < 0 || req->limit > EXCHANGE_LIST_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "limit: from 1 to %d, or 0 for %d", EXCHANGE_LIST_MAX,
		    EXCHANGE_LIST_DEFAULT);
	limit = req->limit ? req->limit : EXCHANGE_LIST_DEFAULT;
	x.l = RPC_NEW(ctx, Spis__V1__PersonFactList,
	    spis__v1__person_fact_list__init);
	x.l->facts = arena_alloc(rpc_ctx_arena(ctx), sizeof *x.l->facts *
	    (size_t)limit);
	if ((n = store_fact_person(d->store, req->national_id, req->kind,
	    limit, exchange_fact_one, &x)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	c->detail = arena_printf(rpc_ctx_arena(ctx), "%d facts%s%s", n,
	    req->kind[0] != '\0' ? " of kind " : "", req->kind);
	*respm = &x.l->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method exchange_methods[] = {
	RPC_METHOD(spis__v1__exchange, 0, exchange_submit,
	    PERM_EXCHANGE_SUBMIT),
	RPC_METHOD(spis__v1__exchange, 1, exchange_submit_file,
	    PERM_EXCHANGE_SUBMIT),
	RPC_METHOD(spis__v1__exchange, 2, exchange_search,
	    PERM_EXCHANGE_SEARCH),
	RPC_METHOD(spis__v1__exchange, 3, exchange_register,
	    PERM_EXCHANGE_ADMIN),
	RPC_METHOD(spis__v1__exchange, 4, exchange_rotate,
	    PERM_EXCHANGE_ADMIN),
	RPC_METHOD(spis__v1__exchange, 5, exchange_list, PERM_EXCHANGE_ADMIN),
	RPC_METHOD(spis__v1__exchange, 6, exchange_feed_errors,
	    PERM_EXCHANGE_ADMIN),
	RPC_METHOD(spis__v1__exchange, 7, exchange_person_facts,
	    PERM_FACT_READ),
	RPC_METHOD(spis__v1__exchange, 8, exchange_set_disabled,
	    PERM_EXCHANGE_ADMIN),
};
const size_t exchange_nmethods =
    sizeof exchange_methods / sizeof exchange_methods[0];
