/*
 * arena.c: chunks of at least 4 KiB chained from the head; a request that
 * does not fit the current chunk gets a chunk of its own size.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ARENA_CHUNK 4096
#define ARENA_ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static void *
arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void
arena_pb_free(void *data, void *ptr)
{
	/* Freed with the whole arena. */
	(void)data;
	(void)ptr;
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->pb.alloc = arena_pb_alloc;
	a->pb.free = arena_pb_free;
	a->pb.allocator_data = a;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	/* Requests carry passwords and one-time codes: nothing of a call
	 * is left behind in freed memory. */
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		explicit_bzero(c->data, c->used);
		free(c);
	}
	a->head = NULL;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (size == 0)
		need = ARENA_ALIGN;
	if (c == NULL || c->size - c->used < need) {
		size_t csize = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		if ((c = malloc(sizeof *c + csize)) == NULL)
			fatalx("out of memory allocating %zu bytes", csize);
		c->size = csize;
		c->used = 0;
		/* A big private chunk goes second so the head keeps its room. */
		if (a->head != NULL && need > ARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("arena_printf: bad format");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *
arena_grow(struct arena *a, void *items, size_t n, size_t *cap, size_t size)
{
	void *grown;

	if (n < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 8;
	grown = arena_alloc(a, size * *cap);
	if (n > 0)
		memcpy(grown, items, size * n);
	return grown;
}
