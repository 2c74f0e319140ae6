/*
 * test_households.c: the household store functions the other services use
 * without going through spis.v1.Households: which household a person was
 * in on a date (GetPerson's card) and leaving inside another change's
 * transaction (RecordDeath).
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_household.h"
#include "store_int.h"

struct tdb {
	char dir[64];
	char path[128];
	struct store *st;
};

static void
person(struct store *st, const char *nid, const char *birth)
{
	char sql[512];

	snprintf(sql, sizeof sql, "INSERT INTO people (national_id,"
	    " given_names, surname, birth_date, sex, municipality, created_at,"
	    " created_by, updated_at, name_key, surname_key, given_key)"
	    " VALUES ('%s', 'A', 'B', '%s', 'M', '13', 'x', 't', 'x', 'k',"
	    " 'k', 'k')", nid, birth);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

static int
setup(void **state)
{
	struct tdb *t = calloc(1, sizeof *t);
	char err[256];

	strcpy(t->dir, "/tmp/spis-hh.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof t->path, "%s/spis.db", t->dir);
	if ((t->st = store_open(t->path, err, sizeof err)) == NULL)
		return -1;
	person(t->st, "A", "1980-01-01");
	person(t->st, "B", "1981-01-01");
	person(t->st, "C", "2005-01-01");
	person(t->st, "N", "1990-01-01");
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tdb *t = *state;
	char cmd[160];

	store_close(t->st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

/* Household 1: A head from 2010, B spouse from 2010, C child from 2012. */
static int64_t
family(struct store *st)
{
	struct store_hh_change c = {.national_id = "A", .relationship = "head",
	    .date = "2010-01-01", .address = "x", .municipality = "13",
	    .actor = "t"};
	struct store_hh_why why;
	int64_t id;

	assert_int_equal(store_household_create(st, &c, &id, &why), HH_OK);
	c.household_id = id;
	c.national_id = "B";
	c.relationship = "spouse";
	assert_int_equal(store_household_add(st, &c, &why), HH_OK);
	c.national_id = "C";
	c.relationship = "child";
	c.date = "2012-06-01";
	assert_int_equal(store_household_add(st, &c, &why), HH_OK);
	return id;
}

static void
test_household_of(void **state)
{
	struct tdb *t = *state;
	struct store_hh_change c = {.national_id = "N", .relationship = "head",
	    .date = "2015-01-01", .municipality = "19", .actor = "t"};
	struct store_hh_why why;
	int64_t one = family(t->st), two;
	char id[24], want[24];

	assert_int_equal(store_household_create(t->st, &c, &two, &why),
	    HH_OK);
	c.household_id = two;
	c.national_id = "C";
	c.relationship = "other";
	c.date = "2020-03-01";
	assert_int_equal(store_household_move(t->st, &c, one, &why), HH_OK);

	snprintf(want, sizeof want, "%" PRId64, two);
	assert_int_equal(store_household_of(t->st, "C", NULL, id, sizeof id),
	    STORE_OK);
	assert_string_equal(id, want);
	assert_int_equal(store_household_of(t->st, "C", "", id, sizeof id),
	    STORE_OK);
	assert_string_equal(id, want);
	assert_int_equal(store_household_of(t->st, "C", "2020-03-01", id,
	    sizeof id), STORE_OK);
	assert_string_equal(id, want);
	snprintf(want, sizeof want, "%" PRId64, one);
	assert_int_equal(store_household_of(t->st, "C", "2020-02-29", id,
	    sizeof id), STORE_OK);
	assert_string_equal(id, want);
	assert_int_equal(store_household_of(t->st, "C", "2012-05-31", id,
	    sizeof id), STORE_NOTFOUND);
	assert_int_equal(store_household_of(t->st, "nobody", NULL, id,
	    sizeof id), STORE_NOTFOUND);
}

static void
test_leave_in_a_transaction(void **state)
{
	struct tdb *t = *state;
	struct store_hh_why why;
	char id[24];

	family(t->st);
	pthread_mutex_lock(&t->st->lock);
	assert_int_equal(store_begin(t->st), 0);
	/* The head leaves others behind: a successor is needed. */
	assert_int_equal(store_household_leave_tx(t->st, "A", "2021-05-05",
	    "died", "", "t", &why), HH_HEAD_LEAVES);
	assert_int_equal(why.problem, HH_HEAD_LEAVES);
	assert_int_equal(store_household_leave_tx(t->st, "A", "2021-05-05",
	    "died", "N", "t", &why), HH_NOT_MEMBER);
	assert_int_equal(why.second, 1);
	assert_int_equal(store_household_leave_tx(t->st, "N", "2021-05-05",
	    "died", "", "t", &why), HH_NOT_IN_ANY);
	assert_int_equal(store_household_leave_tx(t->st, "A", "2021-05-05",
	    "died", "B", "t", &why), HH_OK);
	assert_int_equal(store_commit(t->st), 0);
	pthread_mutex_unlock(&t->st->lock);

	assert_int_equal(store_household_of(t->st, "A", NULL, id, sizeof id),
	    STORE_NOTFOUND);
	assert_int_equal(store_household_of(t->st, "A", "2021-05-04", id,
	    sizeof id), STORE_OK);
}

/* The household's rows: B now heads it, and the history has the rest. */
struct rows {
	char text[512];
};

static void
collect(void *arg, const struct store_member *m)
{
	struct rows *r = arg;
	size_t n = strlen(r->text);

	snprintf(r->text + n, sizeof r->text - n, "%s:%s:%s:%s;",
	    m->national_id, m->relationship, m->from_date, m->to_date);
}

static void
test_leave_hands_over_the_head(void **state)
{
	struct tdb *t = *state;
	struct store_hh_why why;
	int64_t one = family(t->st);
	struct rows r = {""};

	pthread_mutex_lock(&t->st->lock);
	assert_int_equal(store_begin(t->st), 0);
	assert_int_equal(store_household_leave_tx(t->st, "A", "2021-05-05",
	    "died", "C", "t", &why), HH_OK);
	assert_int_equal(store_commit(t->st), 0);
	pthread_mutex_unlock(&t->st->lock);
	assert_int_equal(store_household_members(t->st, one, collect, &r), 4);
	assert_string_equal(r.text, "A:head:2010-01-01:2021-05-05;"
	    "B:spouse:2010-01-01:;C:child:2012-06-01:2021-05-05;"
	    "C:head:2021-05-05:;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_household_of, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_leave_in_a_transaction,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_hands_over_the_head,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
