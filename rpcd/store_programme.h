/*
 * store_programme.h: the programme catalogue and its rule versions in the
 * store.  Only the store (store_programme.c) implements these; handlers
 * call them.
 */
#ifndef SPIS_STORE_PROGRAMME_H
#define SPIS_STORE_PROGRAMME_H

#include <stddef.h>
#include <stdint.h>

#include "rule.h"
#include "store.h"

#define STORE_PROG_LANGS 3 /* "lt", "en", "tr", in that order */

extern const char *const store_prog_langs[STORE_PROG_LANGS];

/* A programme with the texts of its current rule version.  Texts absent in
 * a language are "".  Large (rule texts are held whole): allocate it, do
 * not put many on a stack. */
struct store_programme {
	char code[20];
	char names[STORE_PROG_LANGS][804];
	char descriptions[STORE_PROG_LANGS][4004];
	char pillar[24];
	char scope[12];
	char municipality[16];
	int online;
	char period[12];
	int auto_renew;
	int open;
	char currency[4];
	char eligibility[RULE_MAX_SOURCE + 1];
	char amount[RULE_MAX_SOURCE + 1];
	int rule_version;
	int64_t version;
	char updated_at[32];
	char updated_by[80];
};

/* STORE_NOTFOUND when there is no programme with this code. */
enum store_rc store_programme_get(struct store *st, const char *code,
    struct store_programme *p);

/* Calls fn for every programme in code order.  p is valid during the call
 * only. */
enum store_rc store_programme_list(struct store *st,
    void (*fn)(void *arg, const struct store_programme *p), void *arg);

/*
 * Creates (expected_version 0) or updates p, with the audit row a, in one
 * transaction.  A rule text that differs from the current version's makes a
 * new rule version with reason.  On success p->version, rule_version and
 * the dates are what was stored.  STORE_EXISTS when creating a code that
 * exists; STORE_NOTFOUND when updating one that does not; STORE_CONFLICT
 * when the stored version is not expected_version (p->version then holds
 * the stored one).  scope is the saving officer's municipality ("" for a
 * national one): STORE_REFUSED when the stored programme is not that
 * municipality's own.
 */
enum store_rc store_programme_save(struct store *st, struct store_programme *p,
    int64_t expected_version, const char *scope, const char *actor,
    const char *reason, const struct store_audit *a);

/* The rule texts of one version of a programme; STORE_NOTFOUND when there
 * is no such version. */
enum store_rc store_programme_rules(struct store *st, const char *code,
    int rule_version, char *eligibility, size_t elen, char *amount,
    size_t alen);

struct store_rule_version {
	int rule_version;
	const char *eligibility;
	const char *amount;
	const char *created_at;
	const char *created_by;
	const char *reason;
};

/* Calls fn for every rule version of code, newest first; strings are
 * valid during the call only.  STORE_NOTFOUND for an unknown code. */
enum store_rc store_programme_versions(struct store *st, const char *code,
    void (*fn)(void *arg, const struct store_rule_version *v), void *arg);

/* How many programmes there are (-1 on error). */
int64_t store_programme_count(struct store *st);

#endif
