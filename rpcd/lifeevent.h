/*
 * lifeevent.h: what a fact from an institution sets off in the registry.
 * A death suspends the person's benefits and ends their household
 * membership; a birth adds the child to the mother's household and offers
 * child benefit by a notice; an income that lifts a household over a
 * means test's threshold flags its means-tested benefits for review.
 */
#ifndef SPIS_LIFEEVENT_H
#define SPIS_LIFEEVENT_H

#include <stdint.h>

struct rpcd;

/*
 * Acts on every stored fact whose effects are not done yet, oldest first,
 * each fact's effects and its effects_done mark in one transaction, so
 * that a crash in between leaves it due and it is acted on exactly once.
 * exchange.c calls it after each batch it stored; main.c once at start.
 * Returns the number of facts acted on, or -1 on a store error (logged).
 */
int64_t lifeevent_run(struct rpcd *d);

#endif
