/*
 * test_store.c: the SQLite store on real files: set-up, migrations and the
 * hash-chained audit trail, plain and keyed.  The tamper tests reach around the store with
 * sqlite3 directly, as an attacker with the file would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_audit.h"
#include "store_int.h"

struct tdb {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct tdb *t = calloc(1, sizeof *t);

	strcpy(t->dir, "/tmp/spis-store.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof t->path, "%s/spis.db", t->dir);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tdb *t = *state;
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void
raw_exec(const char *path, const char *sql, int expect_ok)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (expect_ok)
		assert_int_equal(rc, SQLITE_OK);
	else
		assert_int_not_equal(rc, SQLITE_OK);
	sqlite3_close(db);
}

static void
raw_text(const char *path, const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
test_open_sets_up_and_migrates(void **state)
{
	struct tdb *t = *state;
	char err[256], mode[32];
	struct store *st = store_open(t->path, err, sizeof err);

	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_schema_latest());
	assert_true(store_schema_latest() >= 1);
	store_close(st);
	raw_text(t->path, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	/* Opening again is a no-op for the schema. */
	st = store_open(t->path, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_schema_latest());
	store_close(st);
}

static void
test_refuses_newer_schema(void **state)
{
	struct tdb *t = *state;
	char err[256];

	raw_exec(t->path, "PRAGMA user_version = 1000", 1);
	assert_null(store_open(t->path, err, sizeof err));
	assert_non_null(strstr(err, "newer than this build"));
}

static void
append(struct store *st, const char *method, const char *outcome)
{
	struct store_audit a = {.actor = "officer1", .role = "clerk",
	    .terminal = "127.0.0.1", .method = method, .subject = "39001010000",
	    .purpose = "test", .outcome = outcome, .detail = "ąčę"};

	assert_int_equal(store_audit_append(st, &a), 0);
}

static void
test_audit_chain_verifies(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);
	int64_t bad, checked;

	assert_int_equal(store_audit_verify(st, &bad, &checked), 0);
	for (int i = 0; i < 50; i++)
		append(st, "/spis.v1.Registry/GetPerson", "OK");
	assert_int_equal(store_audit_verify(st, &bad, &checked), 50);
	assert_int_equal(checked, 50);
	store_close(st);
}

/* Group commit: threads appending at once each get their own row in, in
 * one chain that verifies, and none returns before its row is there. */
#define GROUP_THREADS 8
#define GROUP_ROWS 100

struct group_arg {
	struct store *st;
	int id;
	int failed;
};

static void
group_seen(void *arg, const struct store_audit_row *r)
{
	(void)arg;
	(void)r;
}

static void *
group_thread(void *arg)
{
	struct group_arg *g = arg;
	char detail[32];
	struct store_audit a = {.actor = "clerk13", .role = "clerk",
	    .terminal = "t1", .method = "/spis.v1.Applications/GetStatus",
	    .outcome = "OK", .detail = detail, .subject = detail};
	struct store_audit_filter f = {.subject = detail, .limit = 2};

	for (int i = 0; i < GROUP_ROWS; i++) {
		snprintf(detail, sizeof detail, "thread %d row %d", g->id, i);
		if (store_audit_append(g->st, &a) != 0)
			g->failed++;
		/* The row is in by the time append returns, once. */
		if (store_audit_list(g->st, &f, group_seen, NULL) != 1)
			g->failed++;
	}
	return NULL;
}

static void
test_audit_group_commit(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);
	pthread_t th[GROUP_THREADS];
	struct group_arg g[GROUP_THREADS];
	int64_t bad, checked;

	assert_non_null(st);
	for (int i = 0; i < GROUP_THREADS; i++) {
		g[i] = (struct group_arg){.st = st, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, group_thread,
		    &g[i]), 0);
	}
	for (int i = 0; i < GROUP_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(g[i].failed, 0);
	}
	assert_int_equal(store_audit_verify(st, &bad, &checked),
	    GROUP_THREADS * GROUP_ROWS);
	store_close(st);
}

/* store_audit_append_async: rows queued from several threads, mixed with
 * waiting appends; each callback comes once, after its row is in. */
struct async_arg {
	struct store *st;
	int id;
	int failed;
	struct store_audit rows[GROUP_ROWS];
	char details[GROUP_ROWS][32];
};

static pthread_mutex_t async_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *async_st;
static int async_done, async_bad;

/* Called from the writer thread: the row must be in by now. */
static void
async_cb(void *arg, int rc)
{
	struct store_audit *a = arg;
	struct store_audit_filter f = {.subject = a->subject, .limit = 2};
	int n = store_audit_list(async_st, &f, group_seen, NULL);

	pthread_mutex_lock(&async_lock);
	async_done++;
	if (rc != 0 || n != 1)
		async_bad++;
	pthread_mutex_unlock(&async_lock);
}

static void *
async_thread(void *arg)
{
	struct async_arg *g = arg;
	struct store_audit w = {.actor = "help", .role = "helpdesk",
	    .terminal = "t2", .method = "/spis.v1.Registry/GetPerson",
	    .outcome = "OK", .detail = "waited", .subject = "waited"};

	for (int i = 0; i < GROUP_ROWS; i++) {
		snprintf(g->details[i], sizeof g->details[i], "async %d %d",
		    g->id, i);
		g->rows[i] = (struct store_audit){.actor = "help",
		    .role = "helpdesk", .terminal = "t2",
		    .method = "/spis.v1.Applications/GetStatus",
		    .outcome = "OK", .detail = g->details[i],
		    .subject = g->details[i]};
		store_audit_append_async(g->st, &g->rows[i], async_cb,
		    &g->rows[i]);
		if (i % 10 == 0 && store_audit_append(g->st, &w) != 0)
			g->failed++;
	}
	return NULL;
}

static void
test_audit_async(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);
	pthread_t th[GROUP_THREADS];
	static struct async_arg g[GROUP_THREADS];
	struct store_audit_filter f = {.method =
	    "/spis.v1.Applications/GetStatus", .limit = 10000};
	int64_t bad, checked, before;

	assert_non_null(st);
	async_st = st;
	async_done = async_bad = 0;
	before = store_audit_verify(st, &bad, &checked);
	for (int i = 0; i < GROUP_THREADS; i++) {
		g[i].st = st;
		g[i].id = i;
		g[i].failed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, async_thread,
		    &g[i]), 0);
	}
	for (int i = 0; i < GROUP_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(g[i].failed, 0);
	}
	/* The writer stops once the queue is written: every callback has
	 * come, each once, with success. */
	store_audit_writer_stop(st);
	assert_int_equal(async_done, GROUP_THREADS * GROUP_ROWS);
	assert_int_equal(async_bad, 0);
	assert_int_equal(store_audit_list(st, &f, group_seen, NULL),
	    GROUP_THREADS * GROUP_ROWS);
	assert_int_equal(store_audit_verify(st, &bad, &checked), before +
	    GROUP_THREADS * GROUP_ROWS + GROUP_THREADS *
	    ((GROUP_ROWS + 9) / 10));
	store_close(st);
}

/* One change of a batch: an audit row in the change's own transaction,
 * committed, or rolled back as a refused change is. */
static void
batch_change(struct store *st, const char *subject, int refuse)
{
	struct store_audit a = {.actor = "gen", .method = "batch",
	    .outcome = "OK", .subject = subject};

	pthread_mutex_lock(&st->lock);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_audit_insert(st, &a), 0);
	if (refuse)
		store_rollback(st);
	else
		assert_int_equal(store_commit(st), 0);
	pthread_mutex_unlock(&st->lock);
}

static int
batch_rows(struct store *st, const char *subject)
{
	struct store_audit_filter f = {.subject = subject, .limit = 10};

	return store_audit_list(st, &f, group_seen, NULL);
}

/* A batch undoes only a refused change; a flat batch undoes everything
 * when one change is refused, and says so. */
static void
test_batches(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);

	assert_non_null(st);
	assert_int_equal(store_batch_begin(st), 0);
	batch_change(st, "kept", 0);
	batch_change(st, "refused", 1);
	assert_int_equal(store_batch_commit(st), 0);
	assert_int_equal(batch_rows(st, "kept"), 1);
	assert_int_equal(batch_rows(st, "refused"), 0);

	assert_int_equal(store_batch_begin_flat(st), 0);
	batch_change(st, "flat ok", 0);
	assert_int_equal(store_batch_commit(st), 0);
	assert_int_equal(batch_rows(st, "flat ok"), 1);

	assert_int_equal(store_batch_begin_flat(st), 0);
	batch_change(st, "flat lost", 0);
	batch_change(st, "flat refused", 1);
	assert_int_equal(store_batch_commit(st), -1);
	assert_int_equal(batch_rows(st, "flat lost"), 0);
	assert_int_equal(batch_rows(st, "flat refused"), 0);

	/* The store works as before afterwards. */
	batch_change(st, "after", 0);
	assert_int_equal(batch_rows(st, "after"), 1);
	store_close(st);
}

static void
test_audit_is_append_only(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);

	append(st, "/x/Y", "OK");
	store_close(st);
	raw_exec(t->path, "UPDATE audit SET outcome = 'PERMISSION_DENIED'", 0);
	raw_exec(t->path, "DELETE FROM audit", 0);
}

/* With the triggers dropped, an edit in the middle or a deleted row is
 * still caught by the chain, and the first bad row is named. */
static void
test_audit_tampering_detected(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);
	int64_t bad, checked;

	for (int i = 0; i < 10; i++)
		append(st, "/spis.v1.Registry/GetPerson", "OK");
	store_close(st);
	raw_exec(t->path, "DROP TRIGGER audit_no_update;"
	    "UPDATE audit SET subject = '48001010000' WHERE id = 4", 1);
	st = store_open(t->path, err, sizeof err);
	assert_int_equal(store_audit_verify(st, &bad, &checked), -1);
	assert_int_equal(bad, 4);
	assert_int_equal(checked, 3);
	store_close(st);

	raw_exec(t->path, "UPDATE audit SET subject = '39001010000' WHERE id = 4",
	    1);
	st = store_open(t->path, err, sizeof err);
	assert_int_equal(store_audit_verify(st, &bad, &checked), 10);
	store_close(st);

	raw_exec(t->path, "DROP TRIGGER audit_no_delete;"
	    "DELETE FROM audit WHERE id = 7", 1);
	st = store_open(t->path, err, sizeof err);
	assert_int_equal(store_audit_verify(st, &bad, &checked), -1);
	assert_int_equal(bad, 8);
	/* Rows 1 to 6 verify; 7 is gone. */
	assert_int_equal(checked, 6);
	store_close(st);
}

/* A keyed start is recorded once, binds the key, and from it on nothing
 * is written or verified without that key. */
static void
test_audit_keyed(void **state)
{
	struct tdb *t = *state;
	char err[256];
	struct store *st = store_open(t->path, err, sizeof err);
	unsigned char key[32], other[32];
	struct store_audit start = {.actor = "test", .method = "audit key",
	    .outcome = "OK"};
	struct store_audit_check c;
	int64_t bad, checked;

	memset(key, 7, sizeof key);
	memset(other, 8, sizeof other);
	/* Two plain rows from before keying, then the keyed start. */
	append(st, "/x/Old", "OK");
	append(st, "/x/Old", "OK");
	assert_int_equal(store_audit_set_key(st, key, &start, err,
	    sizeof err), 0);
	assert_int_equal(store_audit_keyed_from(st), 3);
	for (int i = 0; i < 5; i++)
		append(st, "/x/New", "OK");
	assert_int_equal(store_audit_check(st, &c), 0);
	assert_int_equal(c.checked, 8);
	assert_int_equal(c.keyed_from, 3);
	assert_int_equal(c.last_id, 8);
	store_close(st);

	/* Without the key: nothing written, nothing called intact. */
	st = store_open(t->path, err, sizeof err);
	assert_int_equal(store_audit_append(st, &start), -1);
	assert_int_equal(store_audit_check(st, &c), -1);
	assert_int_equal(c.verdict, STORE_AUDIT_NOKEY);
	assert_int_equal(c.bad_id, 3);
	assert_int_equal(store_audit_verify(st, &bad, &checked), -1);
	/* Another key does not match the record. */
	assert_int_equal(store_audit_set_key(st, other, NULL, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(store_audit_set_key(st, key, NULL, err,
	    sizeof err), 0);
	assert_int_equal(store_audit_verify(st, &bad, &checked), 8);
	store_close(st);

	/* Moving the keyed start to pass keyed rows off as plain breaks
	 * its tag. */
	raw_exec(t->path, "DROP TRIGGER audit_key_no_update;"
	    "UPDATE audit_key SET from_id = 100", 1);
	st = store_open(t->path, err, sizeof err);
	assert_int_equal(store_audit_set_key(st, key, NULL, err,
	    sizeof err), -1);
	store_close(st);
}

static void
test_open_failure_names_file(void **state)
{
	char err[256];

	(void)state;
	assert_null(store_open("/nonexistent-dir/spis.db", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent-dir/spis.db"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_sets_up_and_migrates,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain_verifies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_async, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_group_commit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_is_append_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_tampering_detected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_keyed, setup,
		    teardown),
		cmocka_unit_test(test_open_failure_names_file),
	};

	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
