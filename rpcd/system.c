/*
 * system.c: spis.v1.System, what the daemon is and what it runs.
 */
#include <time.h>

#include "spis/v1/system.pb-c.h"

#include "rpcd.h"

static grpc_status_code
system_get_version(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	Spis__V1__VersionInfo *v;
	struct tm tm;
	char when[32];

	(void)reqm;
	v = RPC_NEW(ctx, Spis__V1__VersionInfo, spis__v1__version_info__init);
	gmtime_r(&d->started, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	v->version = SPIS_VERSION;
	v->grpc_version = (char *)grpc_version_string();
	v->sqlite_version = (char *)store_engine_version();
	v->schema_version = store_schema_version(d->store);
	v->started_at = arena_strdup(rpc_ctx_arena(ctx), when);
	v->country = (char *)d->country;
	*respm = &v->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method system_methods[] = {
	RPC_METHOD(spis__v1__system, 0, system_get_version, PERM_PUBLIC),
};
const size_t system_nmethods = sizeof system_methods / sizeof system_methods[0];
