/*
 * rpcd.h: what the daemon's service files share: the daemon context handed
 * to every handler, the permissions, and each service's method table.
 */
#ifndef SPIS_RPCD_H
#define SPIS_RPCD_H

#include <stddef.h>
#include <time.h>

#include "rpc.h"
#include "store.h"

/* The daemon context: rpc_ctx_arg() of every call. */
struct rpcd {
	struct store *store;
	time_t started;
	const char *country; /* national ID scheme: "LT" or "TR" */
};

/*
 * Permissions a method may require.  authz.c maps roles to these; no
 * handler checks a role itself.
 */
enum rpcd_perm {
	PERM_PUBLIC, /* anyone, before login: health, version */
};

/* Decides whether a call may proceed (the rpc authorize hook). */
grpc_status_code authz_check(struct rpc_ctx *ctx, const struct rpc_method *m,
    void *arg);

/* Writes the audit row for a finished call (the rpc finished hook). */
void rpcd_audit_call(struct rpc_ctx *ctx, const struct rpc_method *m,
    grpc_status_code status, const char *message, void *arg);

/* Method tables, one per proto service, each in the file of that name. */
extern const struct rpc_method health_methods[];
extern const size_t health_nmethods;
extern const struct rpc_method system_methods[];
extern const size_t system_nmethods;

#endif
