/*
 * arena.h: a region allocator.  Every allocation made from an arena is
 * released at once by arena_free(); nothing is freed one by one.  The RPC
 * runtime gives each call its own arena, so request messages, response
 * messages and handler scratch space all die with the call.
 */
#ifndef SPIS_ARENA_H
#define SPIS_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	ProtobufCAllocator pb; /* protobuf-c allocator backed by this arena */
};

void arena_init(struct arena *a);

/* Releases every allocation made from the arena, zeroing it first; the
 * arena may be reused after. */
void arena_free(struct arena *a);

/* Zeroed memory owned by the arena; aborts when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);

/* Copies owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Makes room for one more item in an array of n items of size bytes with
 * room for *cap: returns items when it has room, else a copy twice as
 * large (or 8 items for an empty one) with *cap updated; the old copy is
 * left to the arena.  For building repeated fields of a reply.
 */
void *arena_grow(struct arena *a, void *items, size_t n, size_t *cap,
    size_t size);

#endif
