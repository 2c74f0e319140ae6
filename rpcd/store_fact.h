/*
 * store_fact.h: facts from other institutions in the store: the registered
 * institutions with their credentials and feed totals, the facts they
 * send (idempotent by source and record id), and the items they sent that
 * were refused.  Only the store (store_fact.c) implements these;
 * exchange.c and lifeevent.c call them.
 */
#ifndef SPIS_STORE_FACT_H
#define SPIS_STORE_FACT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One fact as stored.  The strings are the proto's (exchange.proto Fact). */
struct store_fact {
	int64_t id;
	char source[32];
	char record_id[80];
	char national_id[24];
	char kind[16];
	char period[11];	/* YYYY-MM or YYYY-MM-DD */
	int64_t amount;
	char value[40];
	char related_id[24];
	char given_names[101 * 4];
	char surname[101 * 4];
	char sex[2];
	char batch_id[80];
	char received_at[32];
};

#endif
