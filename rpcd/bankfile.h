/*
 * bankfile.h: the files exchanged with the bank.  An ISO 20022
 * pain.001.001.03 credit transfer file is written with libxml2; the
 * bank's status report is read as pain.002 or camt.054 (libxml2) or as
 * the CSV the README describes (libcsv).  No knowledge of runs or the
 * store: payments.c feeds and reads these.
 */
#ifndef SPIS_BANKFILE_H
#define SPIS_BANKFILE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Who pays: the paying agency's account ([payments] in the config). */
struct bankfile_debtor {
	const char *name;
	const char *iban;
	const char *bic;
};

/* What the group header and the payment information say beyond the
 * transactions, which the counts and control sums are taken from. */
struct bankfile_header {
	const char *message_id;	    /* MsgId, at most 35 characters */
	const char *created_at;	    /* CreDtTm, "YYYY-MM-DDTHH:MM:SSZ" */
	const char *execution_date; /* ReqdExctnDt, "YYYY-MM-DD" */
	const char *currency;	    /* ISO 4217 */
	const char *remittance;	    /* Ustrd of every transaction */
	int64_t count;		    /* NbOfTxs: the transactions to come */
	int64_t total;		    /* CtrlSum: their sum, minor units */
};

struct bankfile_pain001;

/*
 * Starts a pain.001.001.03 document, written as it goes to write (which
 * returns 0, or -1 to stop), or into memory when write is NULL (then
 * bankfile_pain001_finish).  The headers' counts and sums are h's, so the
 * transactions added must come to them.  Free it with
 * bankfile_pain001_free.  NULL when out of memory or writing failed.
 */
struct bankfile_pain001 *bankfile_pain001_new(const struct bankfile_debtor *d,
    const struct bankfile_header *h,
    int (*write)(void *arg, const void *buf, size_t len), void *arg);

/* Adds one credit transfer; amount in minor units (> 0).  0 or -1. */
int bankfile_pain001_add(struct bankfile_pain001 *p, const char *end_to_end_id,
    int64_t amount, const char *name, const char *iban);

/*
 * Ends the document.  *count and *total are the transactions added.  -1
 * when writing failed or they are not what the headers say.
 */
int bankfile_pain001_end(struct bankfile_pain001 *p, int64_t *count,
    int64_t *total);

/* bankfile_pain001_end for a document in memory, copied into arena a. */
int bankfile_pain001_finish(struct bankfile_pain001 *p, struct arena *a,
    unsigned char **out, size_t *len, int64_t *count, int64_t *total);

void bankfile_pain001_free(struct bankfile_pain001 *p);

/* Minor units as the decimal text bank files use: 12345 is "123.45".
 * Returns out. */
char *bankfile_amount_text(int64_t minor, char *out, size_t outlen);

/* One line (CSV) or transaction (pain.002, camt.054) of a status report.  When error
 * is not NULL the line could not be read and the rest may be empty.
 * Strings are owned by the arena the report was read into. */
struct bankfile_status {
	int line;
	const char *end_to_end_id;
	const char *status;	/* "paid", "failed" or "returned" */
	const char *reason;	/* the bank's reason, "" for none */
	int64_t amount;		/* minor units, -1 when not given */
	const char *error;	/* "field: problem", or NULL */
};

/*
 * Reads a status report: format "csv" (header end_to_end_id,status,reason),
 * "pain.002" (pain.002.001.xx; message_id, when not NULL, is the original
 * message it must answer), "camt.054" (camt.054.001.02 to .08: booked
 * debits paid, booked entries with return information returned, rejected
 * entries failed; a transaction's Refs.MsgId, when given, must be
 * message_id), or "" to tell from the content (XML by its root element's
 * namespace, else CSV).  Reason codes are given with their meaning in
 * words ("AC04 account closed").  Lines go into *out (n of them, arena a);
 * *used (when not NULL) is the format read.  Returns 0, or -1 with
 * "content: problem" or "format: problem" in why when the file as a whole
 * cannot be read (malformed, a DTD, wrong header or message, no lines).
 * The XML parser neither fetches nor expands anything.
 */
int bankfile_status_read(const char *format, const void *buf, size_t len,
    const char *message_id, struct arena *a, struct bankfile_status **out,
    size_t *n, const char **used, char *why, size_t whylen);

#endif
