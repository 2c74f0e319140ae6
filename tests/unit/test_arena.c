/*
 * test_arena.c: the per-call region allocator and its protobuf-c adapter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "spis/v1/system.pb-c.h"

static void
test_alloc_zeroed_aligned(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	for (size_t n = 1; n < 3000; n += 97) {
		unsigned char *p = arena_alloc(&a, n);

		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, n);
	}
	arena_free(&a);
}

static void
test_big_allocation_keeps_head(void **state)
{
	struct arena a;
	char *small1, *big, *small2;

	(void)state;
	arena_init(&a);
	small1 = arena_strdup(&a, "one");
	big = arena_alloc(&a, 1 << 20);
	small2 = arena_strdup(&a, "two");
	memset(big, 1, 1 << 20);
	assert_string_equal(small1, "one");
	assert_string_equal(small2, "two");
	/* The small ones share the first chunk. */
	assert_true(small2 > small1 && small2 - small1 < 4096);
	arena_free(&a);
}

static void
test_printf_and_strndup(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(arena_printf(&a, "%s-%d", "Šiauliai", 42),
	    "Šiauliai-42");
	assert_string_equal(arena_strndup(&a, "Kaunas", 3), "Kau");
	arena_free(&a);
	/* Reusable after free. */
	assert_string_equal(arena_strdup(&a, "again"), "again");
	arena_free(&a);
}

static void
test_protobuf_unpack_into_arena(void **state)
{
	struct arena a;
	Spis__V1__VersionInfo v = SPIS__V1__VERSION_INFO__INIT, *out;
	uint8_t buf[256];
	size_t len;

	(void)state;
	v.version = "1.2.3";
	v.country = "LT";
	v.schema_version = 7;
	len = spis__v1__version_info__pack(&v, buf);
	arena_init(&a);
	out = spis__v1__version_info__unpack(&a.pb, len, buf);
	assert_non_null(out);
	assert_string_equal(out->version, "1.2.3");
	assert_int_equal(out->schema_version, 7);
	/* Freed with the arena, not one by one. */
	spis__v1__version_info__free_unpacked(out, &a.pb);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_aligned),
		cmocka_unit_test(test_big_allocation_keeps_head),
		cmocka_unit_test(test_printf_and_strndup),
		cmocka_unit_test(test_protobuf_unpack_into_arena),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
