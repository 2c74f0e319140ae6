/*
 * municipality.h: reference data, the 60 Lithuanian municipalities with
 * their official codes.  Used for officers' scope, people's addresses and
 * statistics.  Shared by the daemon and the clients (pick lists).
 */
#ifndef SPIS_MUNICIPALITY_H
#define SPIS_MUNICIPALITY_H

#include <stddef.h>

struct municipality {
	const char *code; /* e.g. "13" */
	const char *name; /* e.g. "Vilniaus miesto savivaldybė" (UTF-8) */
};

/* The table, in code order; *n is its length.  Static storage. */
const struct municipality *municipality_all(size_t *n);

/* The municipality with this code, or NULL. */
const struct municipality *municipality_find(const char *code);

#endif
