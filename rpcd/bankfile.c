/*
 * bankfile.c: ISO 20022 credit transfers out (pain.001.001.03), the bank's
 * status report in (pain.002.001.03, camt.054.001.02 to .08, or CSV).  Amounts are minor units
 * throughout and written as decimal text with two decimals; no floating
 * point touches money.
 *
 * The pain.001 document is a libxml2 tree: the headers' counts and control
 * sums are left empty until every transaction has been added, and are then
 * written from what was added, so that they add up by construction.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>

#include "bankfile.h"
#include "check.h"

#define PAIN001_NS "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
#define PAIN002_NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:pain.002.001."
#define CAMT054_NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:camt.054.001."

/* ISO 20022 Max140Text and Max35Text, in characters. */
#define BANKFILE_MAX140 140
#define BANKFILE_REASON_MAX 500

struct bankfile_pain001 {
	xmlTextWriterPtr w;
	/* Where the document goes: write(arg, ...), or when write is NULL a
	 * buffer in memory that finish hands over. */
	int (*write)(void *arg, const void *buf, size_t len);
	void *arg;
	int failed;
	unsigned char *mem;
	size_t memlen, memcap;
	const char *currency;
	const char *remittance;
	int64_t want_count, want_total; /* what the headers say */
	int64_t count, total;		/* what was added */
};

static pthread_once_t bankfile_once = PTHREAD_ONCE_INIT;

static void
bankfile_init(void)
{
	xmlInitParser();
}

/* libxml2 reports to stderr unless told otherwise; the reason goes to the
 * caller instead (xmlCtxtGetLastError).  The handler is per thread. */
static void
bankfile_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
bankfile_silent_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

char *
bankfile_amount_text(int64_t minor, char *out, size_t outlen)
{
	uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor :
	    (uint64_t)minor;

	snprintf(out, outlen, "%s%" PRIu64 ".%02" PRIu64, minor < 0 ? "-" :
	    "", v / 100, v % 100);
	return out;
}

/* At most max characters of UTF-8 s, cut at a character boundary; s itself
 * when short enough, else a copy in buf. */
static const char *
bankfile_cut(const char *s, size_t max, char *buf, size_t buflen)
{
	size_t i = 0, chars = 0;

	while (s[i] != '\0' && chars < max) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0')
		return s;
	if (i >= buflen)
		i = buflen - 1;
	memcpy(buf, s, i);
	buf[i] = '\0';
	return buf;
}

/*
 * The pain.001 is written as a stream (libxml2's xmlTextWriter), element
 * by element, as the payments come from the store: a national run has
 * hundreds of thousands of transactions, and a document tree of them took
 * most of a gigabyte.  The headers' counts and control sums come first in
 * the file, so they are the run's, given up front, and the end checks the
 * transactions added agree with them.  The output is indented as
 * libxml2's own serialiser indents a tree.
 */
static int
bankfile_out_write(void *ctx, const char *buf, int len)
{
	struct bankfile_pain001 *p = ctx;
	unsigned char *grown;
	size_t cap;

	if (p->failed || len < 0)
		goto fail;
	if (p->write != NULL) {
		if (p->write(p->arg, buf, (size_t)len) != 0)
			goto fail;
		return len;
	}
	if (p->memlen + (size_t)len + 1 > p->memcap) {
		cap = p->memcap ? p->memcap : 4096;
		while (cap < p->memlen + (size_t)len + 1)
			cap *= 2;
		if ((grown = realloc(p->mem, cap)) == NULL)
			goto fail;
		p->mem = grown;
		p->memcap = cap;
	}
	memcpy(p->mem + p->memlen, buf, (size_t)len);
	p->memlen += (size_t)len;
	return len;
fail:
	p->failed = 1;
	return -1;
}

static int
bankfile_out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* One element with text (escaped by the writer), or -1. */
static int
bankfile_el(struct bankfile_pain001 *p, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(p->w, BAD_CAST name,
	    BAD_CAST text) < 0 ? -1 : 0;
}

static int
bankfile_open(struct bankfile_pain001 *p, const char *name)
{
	return xmlTextWriterStartElement(p->w, BAD_CAST name) < 0 ? -1 : 0;
}

static int
bankfile_close(struct bankfile_pain001 *p)
{
	return xmlTextWriterEndElement(p->w) < 0 ? -1 : 0;
}

/* The counts and control sum of both headers. */
static int
bankfile_sums(struct bankfile_pain001 *p)
{
	char n[32], sum[32];

	snprintf(n, sizeof n, "%" PRId64, p->want_count);
	bankfile_amount_text(p->want_total, sum, sizeof sum);
	return bankfile_el(p, "NbOfTxs", n) != 0 ||
	    bankfile_el(p, "CtrlSum", sum) != 0 ? -1 : 0;
}

struct bankfile_pain001 *
bankfile_pain001_new(const struct bankfile_debtor *d,
    const struct bankfile_header *h,
    int (*write)(void *arg, const void *buf, size_t len), void *arg)
{
	struct bankfile_pain001 *p;
	xmlOutputBufferPtr out;
	char id[64], buf[BANKFILE_MAX140 * 4 + 1];
	const char *cut;
	int bad;

	pthread_once(&bankfile_once, bankfile_init);
	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->write = write;
	p->arg = arg;
	p->currency = h->currency;
	p->remittance = h->remittance;
	p->want_count = h->count;
	p->want_total = h->total;
	if ((out = xmlOutputBufferCreateIO(bankfile_out_write,
	    bankfile_out_close, p, NULL)) == NULL)
		goto fail;
	/* The writer owns the buffer from here, and closes it. */
	if ((p->w = xmlNewTextWriter(out)) == NULL) {
		xmlOutputBufferClose(out);
		goto fail;
	}
	snprintf(id, sizeof id, "%s-1", h->message_id);
	cut = bankfile_cut(d->name, BANKFILE_MAX140, buf, sizeof buf);
	bad = xmlTextWriterSetIndent(p->w, 1) < 0 ||
	    xmlTextWriterSetIndentString(p->w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(p->w, "1.0", "UTF-8", NULL) < 0 ||
	    bankfile_open(p, "Document") != 0 ||
	    xmlTextWriterWriteAttribute(p->w, BAD_CAST "xmlns",
	    BAD_CAST PAIN001_NS) < 0 ||
	    bankfile_open(p, "CstmrCdtTrfInitn") != 0 ||
	    bankfile_open(p, "GrpHdr") != 0 ||
	    bankfile_el(p, "MsgId", h->message_id) != 0 ||
	    bankfile_el(p, "CreDtTm", h->created_at) != 0 ||
	    bankfile_sums(p) != 0 ||
	    bankfile_open(p, "InitgPty") != 0 ||
	    bankfile_el(p, "Nm", cut) != 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0 ||
	    bankfile_open(p, "PmtInf") != 0 ||
	    bankfile_el(p, "PmtInfId", id) != 0 ||
	    bankfile_el(p, "PmtMtd", "TRF") != 0 ||
	    bankfile_sums(p) != 0;
	/* Euro transfers go as SEPA credit transfers. */
	if (!bad && strcmp(h->currency, "EUR") == 0)
		bad = bankfile_open(p, "PmtTpInf") != 0 ||
		    bankfile_open(p, "SvcLvl") != 0 ||
		    bankfile_el(p, "Cd", "SEPA") != 0 ||
		    bankfile_close(p) != 0 || bankfile_close(p) != 0;
	bad = bad || bankfile_el(p, "ReqdExctnDt", h->execution_date) != 0 ||
	    bankfile_open(p, "Dbtr") != 0 || bankfile_el(p, "Nm", cut) != 0 ||
	    bankfile_close(p) != 0 ||
	    bankfile_open(p, "DbtrAcct") != 0 || bankfile_open(p, "Id") != 0 ||
	    bankfile_el(p, "IBAN", d->iban) != 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0 ||
	    bankfile_open(p, "DbtrAgt") != 0 ||
	    bankfile_open(p, "FinInstnId") != 0 ||
	    bankfile_el(p, "BIC", d->bic) != 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0 ||
	    bankfile_el(p, "ChrgBr", "SLEV") != 0;
	if (bad)
		goto fail;
	return p;
fail:
	bankfile_pain001_free(p);
	return NULL;
}

int
bankfile_pain001_add(struct bankfile_pain001 *p, const char *end_to_end_id,
    int64_t amount, const char *name, const char *iban)
{
	char text[32], buf[BANKFILE_MAX140 * 4 + 1];
	char rbuf[BANKFILE_MAX140 * 4 + 1];
	const char *cut, *rem;

	if (amount <= 0)
		return -1;
	cut = bankfile_cut(name, BANKFILE_MAX140, buf, sizeof buf);
	rem = bankfile_cut(p->remittance, BANKFILE_MAX140, rbuf, sizeof rbuf);
	if (bankfile_open(p, "CdtTrfTxInf") != 0 ||
	    bankfile_open(p, "PmtId") != 0 ||
	    bankfile_el(p, "EndToEndId", end_to_end_id) != 0 ||
	    bankfile_close(p) != 0 ||
	    bankfile_open(p, "Amt") != 0 ||
	    bankfile_open(p, "InstdAmt") != 0 ||
	    xmlTextWriterWriteAttribute(p->w, BAD_CAST "Ccy",
	    BAD_CAST p->currency) < 0 ||
	    xmlTextWriterWriteString(p->w, BAD_CAST bankfile_amount_text(
	    amount, text, sizeof text)) < 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0 ||
	    bankfile_open(p, "Cdtr") != 0 || bankfile_el(p, "Nm", cut) != 0 ||
	    bankfile_close(p) != 0 ||
	    bankfile_open(p, "CdtrAcct") != 0 || bankfile_open(p, "Id") != 0 ||
	    bankfile_el(p, "IBAN", iban) != 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0 ||
	    bankfile_open(p, "RmtInf") != 0 ||
	    bankfile_el(p, "Ustrd", rem) != 0 ||
	    bankfile_close(p) != 0 || bankfile_close(p) != 0) {
		p->failed = 1;
		return -1;
	}
	p->count++;
	p->total += amount;
	return 0;
}

int
bankfile_pain001_end(struct bankfile_pain001 *p, int64_t *count,
    int64_t *total)
{
	*count = p->count;
	*total = p->total;
	if (p->failed || xmlTextWriterEndDocument(p->w) < 0 ||
	    xmlTextWriterFlush(p->w) < 0 || p->failed)
		return -1;
	/* A file whose headers disagree with its transactions would be
	 * refused by the bank, or worse, not. */
	if (p->count != p->want_count || p->total != p->want_total)
		return -1;
	return 0;
}

int
bankfile_pain001_finish(struct bankfile_pain001 *p, struct arena *a,
    unsigned char **out, size_t *len, int64_t *count, int64_t *total)
{
	if (p->write != NULL || bankfile_pain001_end(p, count, total) != 0)
		return -1;
	*out = arena_alloc(a, p->memlen + 1);
	memcpy(*out, p->mem, p->memlen);
	*len = p->memlen;
	return 0;
}

void
bankfile_pain001_free(struct bankfile_pain001 *p)
{
	if (p == NULL)
		return;
	if (p->w != NULL)
		xmlFreeTextWriter(p->w);
	free(p->mem);
	free(p);
}

/* ------------------------------------------------------------------------
 * Status reports.
 */

struct bankfile_lines {
	struct arena *a;
	struct bankfile_status *items;
	size_t n, cap;
};

static struct bankfile_status *
bankfile_line_new(struct bankfile_lines *l, int line)
{
	struct bankfile_status *grown, *s;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		grown = arena_alloc(l->a, sizeof *grown * l->cap);
		if (l->n > 0)
			memcpy(grown, l->items, sizeof *grown * l->n);
		l->items = grown;
	}
	s = &l->items[l->n++];
	memset(s, 0, sizeof *s);
	s->line = line;
	s->end_to_end_id = s->status = s->reason = "";
	s->amount = -1;
	return s;
}

/* Sets the line's error, which quotes what the bank wrote cut to a
 * length ("%.20s"); the cut may fall inside a character, so the message
 * is scrubbed to text before it reaches a reply. */
static void
bankfile_error(struct bankfile_status *s, struct arena *a, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
bankfile_error(struct bankfile_status *s, struct arena *a, const char *fmt,
    ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	check_utf8_scrub(buf);
	s->error = arena_strdup(a, buf);
}

/* A reason as given, checked: UTF-8 text of at most 500 characters. */
static int
bankfile_reason(struct bankfile_status *s, struct arena *a, const char *r)
{
	char why[96];

	if (check_text(r, 0, BANKFILE_REASON_MAX, why, sizeof why) != 0) {
		s->error = arena_printf(a, "reason: %s", why);
		return -1;
	}
	s->reason = arena_strdup(a, r);
	return 0;
}

/* An end-to-end id as ISO 20022 allows: 1..35 printable ASCII. */
static int
bankfile_e2e(struct bankfile_status *s, struct arena *a, const char *id)
{
	size_t n = strlen(id);

	if (n == 0) {
		s->error = "end_to_end_id: required";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
			n = 0;
	if (n == 0 || n > 35) {
		s->error = "end_to_end_id: 1 to 35 printable ASCII characters";
		return -1;
	}
	s->end_to_end_id = arena_strdup(a, id);
	return 0;
}

/*
 * The ISO 20022 external reason codes banks give most often for a transfer
 * that failed or came back, in plain words for the officer and the
 * citizen's notice.  A code not listed is kept as it came.
 */
static const struct {
	const char *code;
	const char *words;
} bankfile_reasons[] = {
	{"AC01", "incorrect account number"},
	{"AC03", "invalid creditor account number"},
	{"AC04", "account closed"},
	{"AC06", "account blocked"},
	{"AC13", "invalid debtor account type"},
	{"AG01", "transaction forbidden on this account"},
	{"AG02", "invalid bank operation code"},
	{"AM04", "insufficient funds"},
	{"AM05", "duplicate payment"},
	{"AM09", "wrong amount"},
	{"BE01", "name does not match the account holder"},
	{"BE04", "creditor address missing"},
	{"CUST", "requested by the customer"},
	{"DUPL", "duplicate payment"},
	{"FF01", "invalid file format"},
	{"FOCR", "returned after a cancellation request"},
	{"MD06", "refund requested by the customer"},
	{"MD07", "account holder deceased"},
	{"MS02", "refused by the account holder"},
	{"MS03", "reason not given by the bank"},
	{"NARR", "see the bank's note"},
	{"RC01", "bank identifier incorrect"},
	{"RR01", "regulatory: debtor account or identification missing"},
	{"RR02", "regulatory: debtor name or address missing"},
	{"RR03", "regulatory: creditor name or address missing"},
	{"RR04", "regulatory reason"},
	{"TECH", "technical problem at the bank"},
};

/* A reason code and the bank's note as one text, arena-owned: "AC04
 * account closed: note", the code alone when not known. */
static const char *
bankfile_reason_words(struct arena *a, const char *code, const char *note)
{
	const char *words = NULL;

	if (code == NULL)
		code = "";
	if (note == NULL)
		note = "";
	for (size_t i = 0; i < sizeof bankfile_reasons /
	    sizeof bankfile_reasons[0]; i++)
		if (strcmp(code, bankfile_reasons[i].code) == 0)
			words = bankfile_reasons[i].words;
	if (code[0] == '\0')
		return note;
	if (words != NULL && note[0] != '\0')
		return arena_printf(a, "%s %s: %s", code, words, note);
	if (words != NULL)
		return arena_printf(a, "%s %s", code, words);
	if (note[0] != '\0')
		return arena_printf(a, "%s: %s", code, note);
	return code;
}

/* --- CSV --------------------------------------------------------------- */

#define CSV_FIELDS_MAX 8

struct bankfile_csv {
	struct bankfile_lines *l;
	int line;	       /* the physical line being fed */
	int record_line;       /* where the current record's first field ended */
	int records;
	char *fields[CSV_FIELDS_MAX];
	int nfields;
	int too_many;
	int bad_header;
	int nul;
};

static void
bankfile_csv_field(void *s, size_t len, void *data)
{
	struct bankfile_csv *c = data;

	if (c->nfields == 0)
		c->record_line = c->line;
	if (c->nfields == CSV_FIELDS_MAX) {
		c->too_many = 1;
		return;
	}
	if (s != NULL && memchr(s, '\0', len) != NULL)
		c->nul = 1;
	c->fields[c->nfields++] = arena_strndup(c->l->a, s != NULL ? s : "",
	    s != NULL ? len : 0);
}

static char *
bankfile_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static void
bankfile_csv_record(int term, void *data)
{
	struct bankfile_csv *c = data;
	struct bankfile_status *s;
	struct arena *a = c->l->a;
	char *status;

	(void)term;
	if (c->records++ == 0) {
		/* The header names the columns, in this order. */
		c->bad_header = c->nfields < 2 || c->nfields > 3 ||
		    strcasecmp(bankfile_trim(c->fields[0]),
		    "end_to_end_id") != 0 ||
		    strcasecmp(bankfile_trim(c->fields[1]), "status") != 0 ||
		    (c->nfields == 3 && strcasecmp(bankfile_trim(c->fields[2]),
		    "reason") != 0);
		c->nfields = 0;
		c->too_many = 0;
		return;
	}
	s = bankfile_line_new(c->l, c->record_line);
	if (c->too_many || c->nfields > 3 || c->nfields < 2) {
		s->error = arena_printf(a, "line: %s%d fields; expected "
		    "end_to_end_id,status,reason", c->too_many ? "more than " :
		    "", c->nfields);
		goto done;
	}
	if (c->nul) {
		s->error = "line: contains a NUL byte";
		goto done;
	}
	if (bankfile_e2e(s, a, bankfile_trim(c->fields[0])) != 0)
		goto done;
	status = bankfile_trim(c->fields[1]);
	for (char *p = status; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(status, "paid") != 0 && strcmp(status, "failed") != 0 &&
	    strcmp(status, "returned") != 0) {
		bankfile_error(s, a, "status: \"%.20s\" is not paid, "
		    "failed or returned", check_utf8_text(status) ? status :
		    "?");
		goto done;
	}
	s->status = status;
	if (c->nfields == 3)
		bankfile_reason(s, a, bankfile_trim(c->fields[2]));
done:
	c->nfields = 0;
	c->too_many = 0;
	c->nul = 0;
}

static int
bankfile_csv_read(const char *buf, size_t len, struct bankfile_lines *l,
    char *why, size_t whylen)
{
	struct csv_parser p;
	struct bankfile_csv c = {.l = l};
	const char *line, *end = buf + len, *nl;
	int rc = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) !=
	    0) {
		snprintf(why, whylen, "content: out of memory");
		return -1;
	}
	/* A byte order mark some spreadsheets write is not part of the
	 * header. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3;
	/* Fed one physical line at a time, so that a record knows its
	 * line number. */
	for (line = buf; line < end; line = nl) {
		nl = memchr(line, '\n', (size_t)(end - line));
		nl = nl != NULL ? nl + 1 : end;
		c.line++;
		if (csv_parse(&p, line, (size_t)(nl - line),
		    bankfile_csv_field, bankfile_csv_record, &c) !=
		    (size_t)(nl - line)) {
			snprintf(why, whylen, "content: line %d: malformed "
			    "CSV (%s)", c.line, csv_strerror(csv_error(&p)));
			goto out;
		}
	}
	if (csv_fini(&p, bankfile_csv_field, bankfile_csv_record, &c) != 0) {
		snprintf(why, whylen, "content: line %d: malformed CSV (%s)",
		    c.line, csv_strerror(csv_error(&p)));
		goto out;
	}
	if (c.records == 0 || c.bad_header)
		snprintf(why, whylen, "content: the first line must be the "
		    "header end_to_end_id,status,reason");
	else if (l->n == 0)
		snprintf(why, whylen, "content: no payment lines after the "
		    "header");
	else
		rc = 0;
out:
	csv_free(&p);
	return rc;
}

/* --- pain.002 ---------------------------------------------------------- */

static int
bankfile_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static xmlNodePtr
bankfile_child(xmlNodePtr n, const char *name)
{
	if (n == NULL)
		return NULL;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (bankfile_is(c, name))
			return c;
	return NULL;
}

/* The text of the element at a path of child names below n, trimmed,
 * arena-owned; NULL when absent. */
static const char *
bankfile_text(struct arena *a, xmlNodePtr n, const char *const *path)
{
	xmlChar *t;
	char *s;

	for (; *path != NULL && n != NULL; path++)
		n = bankfile_child(n, *path);
	if (n == NULL)
		return NULL;
	t = xmlNodeGetContent(n);
	s = arena_strdup(a, t != NULL ? (const char *)t : "");
	xmlFree(t);
	return bankfile_trim(s);
}

/* "12.34" into minor units; -1 when not a positive amount with at most two
 * decimals. */
static int64_t
bankfile_amount_parse(const char *s)
{
	int64_t v = 0;
	int decimals = -1;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || decimals == 2 ||
		    v > INT64_C(9000000000000000))
			return -1;
		v = v * 10 + (*s - '0');
		if (decimals >= 0)
			decimals++;
	}
	for (; decimals < 2; decimals = decimals < 0 ? 1 : decimals + 1)
		v *= 10;
	return v;
}

static void
bankfile_pain002_tx(struct bankfile_lines *l, xmlNodePtr tx)
{
	static const char *const e2e[] = {"OrgnlEndToEndId", NULL};
	static const char *const sts[] = {"TxSts", NULL};
	static const char *const cd[] = {"StsRsnInf", "Rsn", "Cd", NULL};
	static const char *const prtry[] = {"StsRsnInf", "Rsn", "Prtry", NULL};
	static const char *const info[] = {"StsRsnInf", "AddtlInf", NULL};
	static const char *const amt[] = {"OrgnlTxRef", "Amt", "InstdAmt",
	    NULL};
	struct arena *a = l->a;
	struct bankfile_status *s = bankfile_line_new(l, (int)l->n + 1);
	const char *id, *st, *reason, *more, *am;

	id = bankfile_text(a, tx, e2e);
	if (bankfile_e2e(s, a, id != NULL ? id : "") != 0)
		return;
	st = bankfile_text(a, tx, sts);
	if (st == NULL) {
		s->error = "TxSts: required";
		return;
	}
	/* Accepted and settled, or accepted by the creditor's bank: paid.
	 * Rejected: failed.  Anything else is not a final answer. */
	if (strcmp(st, "ACSC") == 0 || strcmp(st, "ACCP") == 0)
		s->status = "paid";
	else if (strcmp(st, "RJCT") == 0)
		s->status = "failed";
	else {
		bankfile_error(s, a, "TxSts: \"%.8s\" is not a final "
		    "status (ACSC, ACCP or RJCT)", check_utf8_text(st) ? st :
		    "?");
		return;
	}
	if ((am = bankfile_text(a, tx, amt)) != NULL &&
	    (s->amount = bankfile_amount_parse(am)) < 0) {
		s->error = "OrgnlTxRef.Amt.InstdAmt: not an amount";
		return;
	}
	if (strcmp(s->status, "failed") == 0) {
		if ((reason = bankfile_text(a, tx, cd)) == NULL)
			reason = bankfile_text(a, tx, prtry);
		more = bankfile_text(a, tx, info);
		bankfile_reason(s, a, bankfile_reason_words(a, reason, more));
	}
}

/* Every TxInfAndSts below n, in document order. */
static void
bankfile_pain002_walk(struct bankfile_lines *l, xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (bankfile_is(c, "TxInfAndSts"))
			bankfile_pain002_tx(l, c);
		else
			bankfile_pain002_walk(l, c);
	}
}

/* --- camt.054 ---------------------------------------------------------- */

/* The text of the first of two paths below n that is there, or NULL. */
static const char *
bankfile_text2(struct arena *a, xmlNodePtr n, const char *const *p1,
    const char *const *p2)
{
	const char *t;

	if ((t = bankfile_text(a, n, p1)) == NULL && p2 != NULL)
		t = bankfile_text(a, n, p2);
	return t;
}

/*
 * One TxDtls of a camt.054 entry.  The entry's status says whether money
 * moved: booked (BOOK) is final, rejected (RJCT) failed, anything else
 * (pending, information) is no answer yet.  A booked transaction with
 * return information (RtrInf) is a payment that came back; a booked debit
 * of our account without it is a payment made.
 */
static void
bankfile_camt_tx(struct bankfile_lines *l, xmlNodePtr ntry, xmlNodePtr tx,
    int single, const char *message_id)
{
	static const char *const e2e[] = {"Refs", "EndToEndId", NULL};
	static const char *const msg[] = {"Refs", "MsgId", NULL};
	static const char *const sts_cd[] = {"Sts", "Cd", NULL};
	static const char *const sts[] = {"Sts", NULL};
	static const char *const ind[] = {"CdtDbtInd", NULL};
	static const char *const rvsl[] = {"RvslInd", NULL};
	static const char *const amt[] = {"Amt", NULL};
	static const char *const amt_tx[] = {"AmtDtls", "TxAmt", "Amt", NULL};
	static const char *const amt_instd[] = {"AmtDtls", "InstdAmt", "Amt",
	    NULL};
	static const char *const rtr_cd[] = {"RtrInf", "Rsn", "Cd", NULL};
	static const char *const rtr_prtry[] = {"RtrInf", "Rsn", "Prtry",
	    NULL};
	static const char *const rtr_info[] = {"RtrInf", "AddtlInf", NULL};
	static const char *const tx_info[] = {"AddtlTxInf", NULL};
	static const char *const ntry_info[] = {"AddtlNtryInf", NULL};
	struct arena *a = l->a;
	struct bankfile_status *s = bankfile_line_new(l, (int)l->n + 1);
	const char *id, *st, *cd, *rv, *am, *m, *code, *note;
	int returned;

	id = bankfile_text(a, tx, e2e);
	if (id == NULL) {
		s->error = "Refs.EndToEndId: required";
		return;
	}
	if (bankfile_e2e(s, a, id) != 0)
		return;
	if ((m = bankfile_text(a, tx, msg)) != NULL && message_id != NULL &&
	    strcmp(m, "NOTPROVIDED") != 0 && strcmp(m, message_id) != 0) {
		bankfile_error(s, a, "Refs.MsgId: answers message %.40s, "
		    "not this run's %s", check_utf8_text(m) ? m : "?",
		    message_id);
		return;
	}
	/* camt.054.001.02 writes <Sts>BOOK</Sts>, later versions
	 * <Sts><Cd>BOOK</Cd></Sts>. */
	if ((st = bankfile_text2(a, ntry, sts_cd, sts)) == NULL) {
		s->error = "Ntry.Sts: required";
		return;
	}
	if ((am = bankfile_text2(a, tx, amt, amt_tx)) == NULL &&
	    (am = bankfile_text(a, tx, amt_instd)) == NULL && single)
		am = bankfile_text(a, ntry, amt);
	if (am != NULL && (s->amount = bankfile_amount_parse(am)) < 0) {
		s->error = "TxDtls.Amt: not an amount";
		return;
	}
	returned = bankfile_child(tx, "RtrInf") != NULL;
	if ((cd = bankfile_text(a, tx, ind)) == NULL)
		cd = bankfile_text(a, ntry, ind);
	rv = bankfile_text(a, ntry, rvsl);
	if (strcmp(st, "RJCT") == 0)
		s->status = "failed";
	else if (strcmp(st, "BOOK") != 0) {
		bankfile_error(s, a, "Ntry.Sts: \"%.8s\" is not a final "
		    "status (BOOK or RJCT)", check_utf8_text(st) ? st : "?");
		return;
	} else if (returned || (rv != NULL && strcmp(rv, "true") == 0))
		s->status = "returned";
	else if (cd != NULL && strcmp(cd, "DBIT") == 0)
		s->status = "paid";
	else {
		s->error = "CdtDbtInd: a booked credit without return "
		    "information (RtrInf) answers no payment";
		return;
	}
	if (strcmp(s->status, "paid") == 0)
		return;
	code = bankfile_text2(a, tx, rtr_cd, rtr_prtry);
	if ((note = bankfile_text(a, tx, rtr_info)) == NULL &&
	    (note = bankfile_text(a, tx, tx_info)) == NULL)
		note = bankfile_text(a, ntry, ntry_info);
	bankfile_reason(s, a, bankfile_reason_words(a, code, note));
}

/* Every Ntry below n, in document order, and each entry's TxDtls. */
static void
bankfile_camt_walk(struct bankfile_lines *l, xmlNodePtr n,
    const char *message_id, int *entries)
{
	size_t ntx;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!bankfile_is(c, "Ntry")) {
			bankfile_camt_walk(l, c, message_id, entries);
			continue;
		}
		(*entries)++;
		/* How many transactions the entry holds decides whether the
		 * entry's amount is a transaction's. */
		ntx = 0;
		for (xmlNodePtr d = c->children; d != NULL; d = d->next)
			if (bankfile_is(d, "NtryDtls"))
				for (xmlNodePtr t = d->children; t != NULL;
				    t = t->next)
					if (bankfile_is(t, "TxDtls"))
						ntx++;
		if (ntx == 0) {
			bankfile_line_new(l, (int)l->n + 1)->error =
			    arena_printf(l->a, "Ntry: entry %d has no TxDtls "
			    "(EndToEndId) to match a payment by", *entries);
			continue;
		}
		for (xmlNodePtr d = c->children; d != NULL; d = d->next)
			if (bankfile_is(d, "NtryDtls"))
				for (xmlNodePtr t = d->children; t != NULL;
				    t = t->next)
					if (bankfile_is(t, "TxDtls"))
						bankfile_camt_tx(l, c, t,
						    ntx == 1, message_id);
	}
}

/* --- XML reports ------------------------------------------------------- */

/*
 * Parses an XML status report and reads it as the format its root element
 * says (want: "pain.002", "camt.054", or "" for either).  *used is the
 * format read.
 */
static int
bankfile_xml_read(const char *want, const char *buf, size_t len,
    const char *message_id, struct bankfile_lines *l, const char **used,
    char *why, size_t whylen)
{
	static const char *const orgnl[] = {"OrgnlGrpInfAndSts", "OrgnlMsgId",
	    NULL};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNodePtr root, rpt;
	xmlErrorPtr e;
	const char *msg, *ns = "";
	int rc = -1, entries = 0;

	pthread_once(&bankfile_once, bankfile_init);
	xmlSetGenericErrorFunc(NULL, bankfile_silent);
	xmlSetStructuredErrorFunc(NULL, bankfile_silent_structured);
	if (len > INT32_MAX) {
		snprintf(why, whylen, "content: too large");
		return -1;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(why, whylen, "content: out of memory");
		return -1;
	}
	/* No network, no entity substitution (no XML_PARSE_NOENT), and a
	 * DTD is refused below: a report cannot make the daemon read files
	 * or fetch anything. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "report.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (doc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(why, whylen, "content: line %d: not well-formed XML "
		    "(%.*s)", e != NULL ? e->line : 0, e != NULL &&
		    e->message != NULL ? (int)strcspn(e->message, "\n") : 7,
		    e != NULL && e->message != NULL ? e->message : "unknown");
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	/* Entities declared in a DTD would be expanded when the text is
	 * read, however large they grow: a bank's report needs none. */
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		snprintf(why, whylen, "content: a document type declaration "
		    "(DTD) is not accepted in a status report");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (bankfile_is(root, "Document") && root->ns != NULL)
		ns = (const char *)root->ns->href;
	if (strncmp(ns, PAIN002_NS_PREFIX, strlen(PAIN002_NS_PREFIX)) == 0)
		*used = "pain.002";
	else if (strncmp(ns, CAMT054_NS_PREFIX, strlen(CAMT054_NS_PREFIX)) ==
	    0)
		*used = "camt.054";
	else
		*used = NULL;
	if (*used == NULL || (want[0] != '\0' && strcmp(want, *used) != 0)) {
		if (want[0] == '\0')
			snprintf(why, whylen, "content: neither pain.002 nor "
			    "camt.054 (a Document in namespace %s... or "
			    "%s...)", PAIN002_NS_PREFIX, CAMT054_NS_PREFIX);
		else
			snprintf(why, whylen, "content: not a %s document (a "
			    "Document in namespace %s...)", want,
			    strcmp(want, "pain.002") == 0 ? PAIN002_NS_PREFIX :
			    CAMT054_NS_PREFIX);
		goto out;
	}
	if (strcmp(*used, "camt.054") == 0) {
		if ((rpt = bankfile_child(root, "BkToCstmrDbtCdtNtfctn")) ==
		    NULL) {
			snprintf(why, whylen, "content: no "
			    "BkToCstmrDbtCdtNtfctn");
			goto out;
		}
		bankfile_camt_walk(l, rpt, message_id, &entries);
		if (l->n == 0) {
			snprintf(why, whylen, "content: no Ntry (an entry for "
			    "each booking) in the notification");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if ((rpt = bankfile_child(root, "CstmrPmtStsRpt")) == NULL) {
		snprintf(why, whylen, "content: no CstmrPmtStsRpt");
		goto out;
	}
	msg = bankfile_text(l->a, rpt, orgnl);
	if (message_id != NULL && msg != NULL && strcmp(msg,
	    message_id) != 0) {
		snprintf(why, whylen, "content: the report answers message "
		    "%.40s, not this run's %s", check_utf8_text(msg) ? msg :
		    "?", message_id);
		check_utf8_scrub(why);
		goto out;
	}
	bankfile_pain002_walk(l, rpt);
	if (l->n == 0) {
		snprintf(why, whylen, "content: no TxInfAndSts (a status for "
		    "each transaction) in the report");
		goto out;
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* Whether buf starts (after a byte order mark and blanks) with markup. */
static int
bankfile_looks_xml(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '<';
}

int
bankfile_status_read(const char *format, const void *buf, size_t len,
    const char *message_id, struct arena *a, struct bankfile_status **out,
    size_t *n, const char **used, char *why, size_t whylen)
{
	struct bankfile_lines l = {.a = a};
	const char *fmt = "";
	int rc;

	*out = NULL;
	*n = 0;
	if (strcmp(format, "") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "pain.002") != 0 &&
	    strcmp(format, "camt.054") != 0) {
		snprintf(why, whylen, "format: \"csv\", \"pain.002\", "
		    "\"camt.054\", or \"\" to tell from the content");
		return -1;
	}
	if (len == 0) {
		snprintf(why, whylen, "content: required");
		return -1;
	}
	if (strcmp(format, "csv") == 0 || (format[0] == '\0' &&
	    !bankfile_looks_xml(buf, len))) {
		fmt = "csv";
		rc = bankfile_csv_read(buf, len, &l, why, whylen);
	} else
		rc = bankfile_xml_read(format, buf, len, message_id, &l, &fmt,
		    why, whylen);
	if (used != NULL)
		*used = fmt != NULL ? fmt : "";
	*out = l.items;
	*n = l.n;
	return rc;
}
