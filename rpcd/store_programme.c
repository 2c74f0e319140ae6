/*
 * store_programme.c: the programme catalogue.  A programme's row holds
 * what it is now; its names and descriptions are rows per language; its
 * rules are rows per version that are only ever added, so that a decision
 * made under version 3 can always be replayed under version 3.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store.h"
#include "store_int.h"
#include "store_programme.h"

const char *const store_prog_langs[STORE_PROG_LANGS] = {"lt", "en", "tr"};

static int
prog_lang(const char *lang)
{
	for (int i = 0; i < STORE_PROG_LANGS; i++)
		if (strcmp(lang, store_prog_langs[i]) == 0)
			return i;
	return -1;
}

#define PROG_COLUMNS \
	"p.code, p.pillar, p.scope, p.municipality, p.online, p.period," \
	" p.auto_renew, p.open, p.currency, p.rule_version, p.version," \
	" p.updated_at, p.updated_by, r.eligibility, r.amount"

static void
prog_row(sqlite3_stmt *s, struct store_programme *p)
{
	memset(p, 0, sizeof *p);
	store_copy(p->code, sizeof p->code, s, 0);
	store_copy(p->pillar, sizeof p->pillar, s, 1);
	store_copy(p->scope, sizeof p->scope, s, 2);
	store_copy(p->municipality, sizeof p->municipality, s, 3);
	p->online = sqlite3_column_int(s, 4);
	store_copy(p->period, sizeof p->period, s, 5);
	p->auto_renew = sqlite3_column_int(s, 6);
	p->open = sqlite3_column_int(s, 7);
	store_copy(p->currency, sizeof p->currency, s, 8);
	p->rule_version = sqlite3_column_int(s, 9);
	p->version = sqlite3_column_int64(s, 10);
	store_copy(p->updated_at, sizeof p->updated_at, s, 11);
	store_copy(p->updated_by, sizeof p->updated_by, s, 12);
	store_copy(p->eligibility, sizeof p->eligibility, s, 13);
	store_copy(p->amount, sizeof p->amount, s, 14);
}

/* Fills the names and descriptions of p; the caller holds the lock. */
static enum store_rc
prog_texts(struct store *st, struct store_programme *p)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r, l;

	s = store_prepare(st, "SELECT kind, language, text FROM"
	    " programme_texts WHERE code = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, p->code, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((l = prog_lang(store_text(s, 1))) < 0)
			continue;
		if (strcmp(store_text(s, 0), "name") == 0)
			store_copy(p->names[l], sizeof p->names[l], s, 2);
		else
			store_copy(p->descriptions[l],
			    sizeof p->descriptions[l], s, 2);
	}
	if (r == SQLITE_DONE)
		rc = STORE_OK;
	else
		store_log_error(st, "programme texts");
	store_release(st, s);
	return rc;
}

/* Copies the cached programme code into p; 0 when it is not cached. */
static int
prog_cached(struct store *st, const char *code, struct store_programme *p,
    uint64_t *gen)
{
	int found = 0;

	pthread_mutex_lock(&st->pclock);
	*gen = st->pgen;
	for (size_t i = 0; i < st->npcache; i++)
		if (strcmp(st->pcache[i]->code, code) == 0) {
			memcpy(p, st->pcache[i], sizeof *p);
			found = 1;
			break;
		}
	pthread_mutex_unlock(&st->pclock);
	return found;
}

/* Caches p as read when no save came since gen. */
static void
prog_cache_put(struct store *st, const struct store_programme *p,
    uint64_t gen)
{
	struct store_programme *copy, **grown;

	pthread_mutex_lock(&st->pclock);
	if (gen == st->pgen && st->npcache < 1024 &&
	    (copy = malloc(sizeof *copy)) != NULL) {
		if ((grown = realloc(st->pcache, (st->npcache + 1) *
		    sizeof *grown)) != NULL) {
			memcpy(copy, p, sizeof *copy);
			st->pcache = grown;
			st->pcache[st->npcache++] = copy;
		} else
			free(copy);
	}
	pthread_mutex_unlock(&st->pclock);
}

void
store_programme_cache_clear(struct store *st)
{
	pthread_mutex_lock(&st->pclock);
	for (size_t i = 0; i < st->npcache; i++)
		free(st->pcache[i]);
	free(st->pcache);
	st->pcache = NULL;
	st->npcache = 0;
	st->pgen++;
	pthread_mutex_unlock(&st->pclock);
}

enum store_rc
store_programme_get(struct store *st, const char *code,
    struct store_programme *p)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	uint64_t gen;

	if (prog_cached(st, code, p, &gen))
		return STORE_OK;
	store_read_lock(st);
	s = store_prepare(st, "SELECT " PROG_COLUMNS " FROM programmes p"
	    " JOIN programme_rules r ON r.code = p.code AND"
	    " r.rule_version = p.rule_version WHERE p.code = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			prog_row(s, p);
			rc = prog_texts(st, p);
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "programme");
		}
	}
	store_release(st, s);
	store_read_unlock(st);
	if (rc == STORE_OK)
		prog_cache_put(st, p, gen);
	return rc;
}

enum store_rc
store_programme_list(struct store *st,
    void (*fn)(void *arg, const struct store_programme *p), void *arg)
{
	struct store_programme *p;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	/* One programme at a time: the struct is large. */
	if ((p = calloc(1, sizeof *p)) == NULL)
		return STORE_ERR;
	store_read_lock(st);
	s = store_prepare(st, "SELECT " PROG_COLUMNS " FROM programmes p"
	    " JOIN programme_rules r ON r.code = p.code AND"
	    " r.rule_version = p.rule_version ORDER BY p.code");
	if (s != NULL) {
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			prog_row(s, p);
			if (prog_texts(st, p) != STORE_OK)
				break;
			fn(arg, p);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else if (r != SQLITE_ROW)
			store_log_error(st, "programmes");
	}
	store_release(st, s);
	store_read_unlock(st);
	free(p);
	return rc;
}

/* The stored version, rule texts and owner (the municipality of a
 * municipal programme, "" for a national one) of code; the caller holds
 * the lock. */
static enum store_rc
prog_current(struct store *st, const char *code, int64_t *version,
    int *rule_version, char *elig, size_t elen, char *amount, size_t alen,
    char *owner, size_t olen)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT p.version, p.rule_version,"
	    " r.eligibility, r.amount, CASE WHEN p.scope = 'municipal'"
	    " THEN p.municipality ELSE '' END FROM programmes p"
	    " JOIN programme_rules r ON r.code = p.code"
	    " AND r.rule_version = p.rule_version WHERE p.code = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		*version = sqlite3_column_int64(s, 0);
		*rule_version = sqlite3_column_int(s, 1);
		store_copy(elig, elen, s, 2);
		store_copy(amount, alen, s, 3);
		store_copy(owner, olen, s, 4);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "programme version");
	}
	store_release(st, s);
	return rc;
}

/* Writes the programme's row, texts and (when new_rules) a rule version;
 * the caller holds the lock inside a transaction. */
static enum store_rc
prog_write(struct store *st, const struct store_programme *p, int create,
    int new_rules, const char *actor, const char *reason)
{
	sqlite3_stmt *s;

	if (create)
		s = store_prepare(st, "INSERT INTO programmes (pillar, scope,"
		    " municipality, online, period, auto_renew, open, currency,"
		    " rule_version, version, updated_at, updated_by, code)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	else
		s = store_prepare(st, "UPDATE programmes SET pillar = ?,"
		    " scope = ?, municipality = ?, online = ?, period = ?,"
		    " auto_renew = ?, open = ?, currency = ?, rule_version = ?,"
		    " version = ?, updated_at = ?, updated_by = ?"
		    " WHERE code = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, p->pillar, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->municipality, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, p->online);
	sqlite3_bind_text(s, 5, p->period, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, p->auto_renew);
	sqlite3_bind_int(s, 7, p->open);
	sqlite3_bind_text(s, 8, p->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, p->rule_version);
	sqlite3_bind_int64(s, 10, p->version);
	sqlite3_bind_text(s, 11, p->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, p->updated_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, p->code, -1, SQLITE_STATIC);
	if (store_write(st, s, "programme") != STORE_OK)
		return STORE_ERR;

	if (new_rules) {
		s = store_prepare(st, "INSERT INTO programme_rules (code,"
		    " rule_version, eligibility, amount, created_at,"
		    " created_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return STORE_ERR;
		sqlite3_bind_text(s, 1, p->code, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, p->rule_version);
		sqlite3_bind_text(s, 3, p->eligibility, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, p->amount, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, p->updated_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, reason, -1, SQLITE_STATIC);
		if (store_write(st, s, "programme rules") != STORE_OK)
			return STORE_ERR;
	}

	s = store_prepare(st, "DELETE FROM programme_texts WHERE code = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, p->code, -1, SQLITE_STATIC);
	if (store_write(st, s, "programme texts") != STORE_OK)
		return STORE_ERR;
	for (int l = 0; l < STORE_PROG_LANGS; l++) {
		for (int k = 0; k < 2; k++) {
			const char *text = k == 0 ? p->names[l] :
			    p->descriptions[l];

			if (text[0] == '\0')
				continue;
			s = store_prepare(st, "INSERT INTO programme_texts"
			    " (code, kind, language, text) VALUES (?, ?, ?, ?)");
			if (s == NULL)
				return STORE_ERR;
			sqlite3_bind_text(s, 1, p->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, k == 0 ? "name" :
			    "description", -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, store_prog_langs[l], -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
			if (store_write(st, s, "programme text") != STORE_OK)
				return STORE_ERR;
		}
	}
	return STORE_OK;
}

enum store_rc
store_programme_save(struct store *st, struct store_programme *p,
    int64_t expected_version, const char *scope, const char *actor,
    const char *reason, const struct store_audit *a)
{
	char *elig, *amount, owner[16] = "";
	int64_t version = 0;
	int rule_version = 0, create = expected_version == 0, new_rules;
	enum store_rc rc;

	if ((elig = malloc(2 * (RULE_MAX_SOURCE + 1))) == NULL)
		return STORE_ERR;
	amount = elig + RULE_MAX_SOURCE + 1;
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		free(elig);
		return STORE_ERR;
	}
	rc = prog_current(st, p->code, &version, &rule_version, elig,
	    RULE_MAX_SOURCE + 1, amount, RULE_MAX_SOURCE + 1, owner,
	    sizeof owner);
	/* A municipal admin changes their own municipality's programmes
	 * only, whatever the new version says it is. */
	if (rc == STORE_OK && scope[0] != '\0' && strcmp(owner, scope) != 0)
		rc = STORE_REFUSED;
	else if (rc == STORE_OK && create)
		rc = STORE_EXISTS;
	else if (rc == STORE_NOTFOUND && create)
		rc = STORE_OK;
	else if (rc == STORE_OK && version != expected_version) {
		p->version = version;
		rc = STORE_CONFLICT;
	}
	if (rc != STORE_OK)
		goto fail;

	new_rules = create || strcmp(elig, p->eligibility) != 0 ||
	    strcmp(amount, p->amount) != 0;
	p->version = version + 1;
	p->rule_version = rule_version + (new_rules ? 1 : 0);
	check_now(p->updated_at, sizeof p->updated_at);
	snprintf(p->updated_by, sizeof p->updated_by, "%s", actor);
	if ((rc = prog_write(st, p, create, new_rules, actor, reason)) !=
	    STORE_OK)
		goto fail;
	if (a != NULL && store_audit_insert(st, a) != 0) {
		rc = STORE_ERR;
		goto fail;
	}
	if (store_commit(st) != 0)
		rc = STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	store_programme_cache_clear(st);
	free(elig);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	free(elig);
	return rc;
}

enum store_rc
store_programme_rules(struct store *st, const char *code, int rule_version,
    char *eligibility, size_t elen, char *amount, size_t alen)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT eligibility, amount FROM programme_rules"
	    " WHERE code = ? AND rule_version = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, rule_version);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			store_copy(eligibility, elen, s, 0);
			store_copy(amount, alen, s, 1);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "programme rules");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_programme_versions(struct store *st, const char *code,
    void (*fn)(void *arg, const struct store_rule_version *v), void *arg)
{
	struct store_rule_version v;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r, n = 0;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT rule_version, eligibility, amount,"
	    " created_at, created_by, reason FROM programme_rules"
	    " WHERE code = ? ORDER BY rule_version DESC");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			v.rule_version = sqlite3_column_int(s, 0);
			v.eligibility = store_text(s, 1);
			v.amount = store_text(s, 2);
			v.created_at = store_text(s, 3);
			v.created_by = store_text(s, 4);
			v.reason = store_text(s, 5);
			fn(arg, &v);
			n++;
		}
		if (r != SQLITE_DONE)
			store_log_error(st, "rule versions");
		else
			rc = n > 0 ? STORE_OK : STORE_NOTFOUND;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int64_t
store_programme_count(struct store *st)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT count(*) FROM programmes");
	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}
