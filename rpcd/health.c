/*
 * health.c: grpc.health.v1.Health.  Check with an empty service name, or the
 * name of a service this daemon serves, answers SERVING; any other name is
 * NOT_FOUND, as the standard asks.  Watch (a stream) is not offered, so it
 * gets UNIMPLEMENTED like any unknown method.
 */
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "spis/v1/applications.pb-c.h"
#include "spis/v1/audit.pb-c.h"
#include "spis/v1/auth.pb-c.h"
#include "spis/v1/benefits.pb-c.h"
#include "spis/v1/exchange.pb-c.h"
#include "spis/v1/programmes.pb-c.h"
#include "spis/v1/registry.pb-c.h"
#include "spis/v1/stats.pb-c.h"
#include "spis/v1/system.pb-c.h"

#include "rpcd.h"

static const ProtobufCServiceDescriptor *const health_known[] = {
	&grpc__health__v1__health__descriptor,
	&spis__v1__system__descriptor,
	&spis__v1__auth__descriptor,
	&spis__v1__registry__descriptor,
	&spis__v1__programmes__descriptor,
	&spis__v1__applications__descriptor,
	&spis__v1__benefits__descriptor,
	&spis__v1__exchange__descriptor,
	&spis__v1__stats__descriptor,
	&spis__v1__audit__descriptor,
};

static grpc_status_code
health_check(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Grpc__Health__V1__HealthCheckRequest *req =
	    (const Grpc__Health__V1__HealthCheckRequest *)reqm;
	Grpc__Health__V1__HealthCheckResponse *resp;
	int known = req->service[0] == '\0';

	for (size_t i = 0; !known && i < sizeof health_known /
	    sizeof health_known[0]; i++)
		known = strcmp(req->service, health_known[i]->name) == 0;
	if (!known)
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "service: unknown service \"%s\"", req->service);
	resp = RPC_NEW(ctx, Grpc__Health__V1__HealthCheckResponse,
	    grpc__health__v1__health_check_response__init);
	resp->status =
	    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	*respm = &resp->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method health_methods[] = {
	RPC_METHOD(grpc__health__v1__health, 0, health_check, PERM_PUBLIC),
};
const size_t health_nmethods = sizeof health_methods / sizeof health_methods[0];
