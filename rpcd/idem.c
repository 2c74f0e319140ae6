/*
 * idem.c: at most once for mutating requests.  A request message with a
 * request_id field is a change; its id is claimed in the store before the
 * handler runs, and the outcome recorded after, so that a kiosk on library
 * Wi-Fi that retries gets the first answer instead of a second action.
 * The claim lives in the store, so several daemons share it.
 */
#include <string.h>
#include <time.h>
#include <stdlib.h>

#include <sodium.h>

#include "rpcd.h"

#define IDEM_MAX_ID 128

/* The request_id of a request, "" when empty, NULL when the message type
 * has no such field (not a change). */
static const char *
idem_request_id(const ProtobufCMessage *req)
{
	const ProtobufCFieldDescriptor *f;
	const char *id;

	if (req == NULL)
		return NULL;
	f = protobuf_c_message_descriptor_get_field_by_name(req->descriptor,
	    "request_id");
	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING ||
	    f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	id = *(const char *const *)((const char *)req + f->offset);
	return id != NULL ? id : "";
}

/* Whose request ids these are: the officer's, or for a citizen's own calls
 * at a kiosk (helped or not) the citizen's, since officer.username is then
 * "citizen" for everyone or the volunteer's, shared by many citizens. */
static const char *
idem_actor(struct rpc_ctx *ctx, const struct rpcd_caller *c)
{
	if (c->citizen_id != NULL)
		return arena_printf(rpc_ctx_arena(ctx), "citizen:%s",
		    c->citizen_id);
	return c->officer.username;
}

/* A digest of the whole request as it encodes, request_id included: the
 * same retry gives the same digest, another request another. */
static void
idem_digest(struct rpc_ctx *ctx, const ProtobufCMessage *req,
    unsigned char digest[STORE_IDEM_DIGEST])
{
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t *buf = arena_alloc(rpc_ctx_arena(ctx), len + 1);

	protobuf_c_message_pack(req, buf);
	crypto_generichash(digest, STORE_IDEM_DIGEST, buf, len, NULL, 0);
}

grpc_status_code
idem_begin(struct rpc_ctx *ctx, struct rpcd_caller *c)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const char *id = idem_request_id(rpc_ctx_request(ctx));
	unsigned char digest[STORE_IDEM_DIGEST];
	struct store_idem prev;
	grpc_status_code st;

	if (id == NULL)
		return GRPC_STATUS_OK;
	if (id[0] == '\0' || strlen(id) > IDEM_MAX_ID)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "request_id: required for a change (1 to %d characters); "
		    "make one per change and send it again when retrying",
		    IDEM_MAX_ID);
	idem_digest(ctx, rpc_ctx_request(ctx), digest);
	switch (store_idem_claim(d->store, idem_actor(ctx, c), id,
	    rpc_ctx_path(ctx), digest, time(NULL), (int64_t)d->started,
	    &prev)) {
	case STORE_OK:
		c->request_id = id;
		return GRPC_STATUS_OK;
	case STORE_EXISTS:
		break;
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (strcmp(prev.method, rpc_ctx_path(ctx)) != 0)
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "request_id: "
		    "already used for %s; make a new one", prev.method);
	else if (prev.other_request)
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "request_id: "
		    "already used for a different request; make a new one "
		    "for each change, and send the same request again only "
		    "when retrying");
	else if (prev.pending)
		st = rpc_error(ctx, GRPC_STATUS_UNAVAILABLE, "request_id: "
		    "the first attempt is still running; retry in a moment");
	else if (prev.status == GRPC_STATUS_OK) {
		rpc_ctx_replay(ctx, prev.response != NULL ? prev.response : "",
		    prev.len);
		st = GRPC_STATUS_OK;
	} else
		st = rpc_error(ctx, (grpc_status_code)prev.status, "%s",
		    prev.message);
	free(prev.response);
	return st;
}

void
idem_end(struct rpc_ctx *ctx, struct rpcd_caller *c, grpc_status_code st,
    const char *message)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const void *reply;
	size_t len;

	if (c == NULL || c->request_id == NULL)
		return;
	switch (st) {
	case GRPC_STATUS_OK:
		if (c->secret_reply) {
			store_idem_finish(d->store, idem_actor(ctx, c),
			    c->request_id, GRPC_STATUS_FAILED_PRECONDITION,
			    "request_id: this was answered once and its secret "
			    "is not kept; make a new request to get a new one",
			    NULL, 0);
			break;
		}
		/* FALLTHROUGH */
	case GRPC_STATUS_ALREADY_EXISTS:
	case GRPC_STATUS_NOT_FOUND:
	case GRPC_STATUS_FAILED_PRECONDITION:
		/* Final: the same request would get the same answer. */
		reply = rpc_ctx_reply(ctx, &len);
		store_idem_finish(d->store, idem_actor(ctx, c), c->request_id,
		    st, message, reply, reply != NULL ? len : 0);
		break;
	default:
		/* Nothing happened, or it may go differently next time. */
		store_idem_finish(d->store, idem_actor(ctx, c), c->request_id,
		    -1, NULL, NULL, 0);
	}
}
