/*
 * rpc_server.c: unary gRPC calls served from gRPC core.
 *
 * Every worker thread owns a completion queue and keeps RPC_ARMED generic
 * requests outstanding on it.  A call moves through three steps, each the
 * completion of one batch on that queue:
 *
 *   REQUESTED  core handed us a new call: look its path up; unknown paths
 *              are answered UNIMPLEMENTED at once, known ones read the body.
 *   RECEIVED   the body arrived: decode, authorise, run the handler and send
 *              the answer and status in one batch.
 *   FINISHED   the answer went out (or the call died): free everything.
 *
 * Generic requests (grpc_server_request_call) rather than registered
 * methods are used so that one path handles known and unknown methods
 * alike; the method table is a sorted array searched by path.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "check.h"
#include "log.h"
#include "rpc.h"

#define RPC_ARMED 16	     /* outstanding requests per completion queue */
#define RPC_MAX_THREADS 64

enum rpc_step { RPC_REQUESTED, RPC_RECEIVED, RPC_FINISHED };

struct rpc_entry {
	char *path;
	const struct rpc_method *m;
};

struct rpc_worker {
	struct rpc_server *srv;
	grpc_completion_queue *cq;
	pthread_t thread;
};

struct rpc_server {
	grpc_server *server;
	struct rpc_server_opts opts;
	struct rpc_worker *workers;
	int nworkers;
	int port;
	int started;
	atomic_int stopping;
	atomic_int cancelled; /* the shutdown grace period ran out */
	atomic_int handling;  /* calls in a handler or deferred, not yet
				 answered: shutdown waits for them */

	struct rpc_entry *table;
	size_t ntable, captable;

	/* The shutdown notification: its tag, and a flag under the lock. */
	char shutdown_tag;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int shutdown_done;
};

struct rpc_ctx {
	struct rpc_worker *w;
	enum rpc_step step;
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	grpc_byte_buffer *recv;
	grpc_byte_buffer *send;
	int cancelled;
	struct arena arena;
	char *path;
	const struct rpc_method *m;
	void *user;
	grpc_status_code status;
	char *message; /* arena-owned status message */
	char *peer;
	char *client_cn;
	int client_cn_read;
	const ProtobufCMessage *req;
	uint8_t *reply;		/* encoded OK response, arena-owned */
	size_t reply_len;
	int replayed;
	atomic_int held; /* RPC_HOLD_*: the answer waits for rpc_release */
	int local;	/* rpc_call_local: no core call to answer */
};

static void rpc_arm(struct rpc_worker *w);

/* ------------------------------------------------------------------------ */

static const char *const rpc_status_names[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
	"RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
};

const char *
rpc_status_name(grpc_status_code code)
{
	if ((unsigned)code < sizeof rpc_status_names / sizeof rpc_status_names[0])
		return rpc_status_names[code];
	return "UNKNOWN";
}

struct arena *
rpc_ctx_arena(struct rpc_ctx *ctx)
{
	return &ctx->arena;
}

void *
rpc_ctx_arg(struct rpc_ctx *ctx)
{
	return ctx->w->srv->opts.arg;
}

const char *
rpc_ctx_path(struct rpc_ctx *ctx)
{
	return ctx->path;
}

const char *
rpc_ctx_peer(struct rpc_ctx *ctx)
{
	char *p;

	if (ctx->peer == NULL) {
		p = grpc_call_get_peer(ctx->call);
		ctx->peer = arena_strdup(&ctx->arena, p != NULL ? p : "");
		gpr_free(p);
	}
	return ctx->peer;
}

const char *
rpc_ctx_metadata(struct rpc_ctx *ctx, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < ctx->md.count; i++) {
		const grpc_metadata *e = &ctx->md.metadata[i];

		if (GRPC_SLICE_LENGTH(e->key) == klen &&
		    memcmp(GRPC_SLICE_START_PTR(e->key), key, klen) == 0)
			return arena_strndup(&ctx->arena,
			    (const char *)GRPC_SLICE_START_PTR(e->value),
			    GRPC_SLICE_LENGTH(e->value));
	}
	return NULL;
}

long
rpc_ctx_remaining_ms(struct rpc_ctx *ctx)
{
	gpr_timespec now, dl = ctx->details.deadline, left;
	int64_t ms;

	if (atomic_load(&ctx->w->srv->cancelled))
		return 0;
	if (gpr_time_cmp(dl, gpr_inf_future(dl.clock_type)) == 0)
		return LONG_MAX;
	now = gpr_now(dl.clock_type);
	left = gpr_time_sub(dl, now);
	ms = gpr_time_to_millis(left);
	return ms < 0 ? 0 : (long)ms;
}

const char *
rpc_ctx_client_cn(struct rpc_ctx *ctx)
{
	grpc_auth_context *ac;
	grpc_auth_property_iterator it;
	const grpc_auth_property *p;

	if (ctx->client_cn_read)
		return ctx->client_cn;
	ctx->client_cn_read = 1;
	if ((ac = grpc_call_auth_context(ctx->call)) == NULL)
		return NULL;
	/* Only a peer whose certificate chain was verified is authenticated. */
	if (grpc_auth_context_peer_is_authenticated(ac)) {
		it = grpc_auth_context_find_properties_by_name(ac,
		    GRPC_X509_CN_PROPERTY_NAME);
		if ((p = grpc_auth_property_iterator_next(&it)) != NULL)
			ctx->client_cn = arena_strndup(&ctx->arena, p->value,
			    p->value_length);
	}
	grpc_auth_context_release(ac);
	return ctx->client_cn;
}

const ProtobufCMessage *
rpc_ctx_request(struct rpc_ctx *ctx)
{
	return ctx->req;
}

void
rpc_ctx_replay(struct rpc_ctx *ctx, const void *data, size_t len)
{
	ctx->reply = arena_alloc(&ctx->arena, len);
	memcpy(ctx->reply, data, len);
	ctx->reply_len = len;
	ctx->replayed = 1;
}

const void *
rpc_ctx_reply(struct rpc_ctx *ctx, size_t *len)
{
	*len = ctx->reply_len;
	return ctx->reply;
}

void
rpc_ctx_set_user(struct rpc_ctx *ctx, void *user)
{
	ctx->user = user;
}

void *
rpc_ctx_user(struct rpc_ctx *ctx)
{
	return ctx->user;
}

grpc_status_code
rpc_error(struct rpc_ctx *ctx, grpc_status_code code, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ctx->message = arena_alloc(&ctx->arena, (size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(ctx->message, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* Messages quote what the client sent ("\"%.20s\" is not ..."),
	 * and a cut can fall inside a character: the status message goes
	 * to the client and the audit trail as well-formed text. */
	check_utf8_scrub(ctx->message);
	ctx->status = code;
	return code;
}

/* ------------------------------------------------------------------------ */

static int
rpc_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rpc_entry *)a)->path,
	    ((const struct rpc_entry *)b)->path);
}

void
rpc_server_add(struct rpc_server *srv, const struct rpc_method *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const ProtobufCServiceDescriptor *sd = m[i].service;

		if (m[i].index >= sd->n_methods)
			fatalx("method %u out of range for %s", m[i].index,
			    sd->name);
		if (srv->ntable == srv->captable) {
			srv->captable = srv->captable ? srv->captable * 2 : 32;
			srv->table = realloc(srv->table,
			    srv->captable * sizeof *srv->table);
			if (srv->table == NULL)
				fatalx("out of memory");
		}
		if (asprintf(&srv->table[srv->ntable].path, "/%s/%s", sd->name,
		    sd->methods[m[i].index].name) < 0)
			fatalx("out of memory");
		srv->table[srv->ntable].m = &m[i];
		srv->ntable++;
	}
	qsort(srv->table, srv->ntable, sizeof *srv->table, rpc_entry_cmp);
	for (size_t i = 1; i < srv->ntable; i++)
		if (strcmp(srv->table[i - 1].path, srv->table[i].path) == 0)
			fatalx("method %s registered twice", srv->table[i].path);
}

static const struct rpc_method *
rpc_lookup(struct rpc_server *srv, const char *path)
{
	struct rpc_entry key = {.path = (char *)path}, *e;

	e = bsearch(&key, srv->table, srv->ntable, sizeof *srv->table,
	    rpc_entry_cmp);
	return e != NULL ? e->m : NULL;
}

/* ------------------------------------------------------------------------ */

static struct rpc_ctx *
rpc_ctx_new(struct rpc_worker *w)
{
	struct rpc_ctx *ctx = calloc(1, sizeof *ctx);

	if (ctx == NULL)
		fatalx("out of memory");
	ctx->w = w;
	ctx->step = RPC_REQUESTED;
	grpc_call_details_init(&ctx->details);
	grpc_metadata_array_init(&ctx->md);
	arena_init(&ctx->arena);
	return ctx;
}

static void
rpc_ctx_free(struct rpc_ctx *ctx)
{
	if (ctx->recv != NULL)
		grpc_byte_buffer_destroy(ctx->recv);
	if (ctx->send != NULL)
		grpc_byte_buffer_destroy(ctx->send);
	grpc_metadata_array_destroy(&ctx->md);
	grpc_call_details_destroy(&ctx->details);
	if (ctx->call != NULL)
		grpc_call_unref(ctx->call);
	arena_free(&ctx->arena);
	free(ctx);
}

/* Keeps one more request outstanding on the worker's queue, unless the
 * server is going away. */
static void
rpc_arm(struct rpc_worker *w)
{
	struct rpc_ctx *ctx;
	grpc_call_error e;

	if (atomic_load(&w->srv->stopping))
		return;
	ctx = rpc_ctx_new(w);
	e = grpc_server_request_call(w->srv->server, &ctx->call, &ctx->details,
	    &ctx->md, w->cq, w->cq, ctx);
	if (e != GRPC_CALL_OK) {
		log_warn("rpc: request_call: %s", grpc_call_error_to_string(e));
		rpc_ctx_free(ctx);
	}
}

/*
 * Sends the final batch: initial metadata, the response (when there is one)
 * and the status.  The call's status and message come from ctx.
 */
/* A held call's state.  The hook holds the call and hands it to another
 * thread, which may release it before the hook has even returned: then
 * the finishing worker sends the answer, otherwise the releasing thread. */
enum {
	RPC_HOLD_NONE,
	RPC_HOLD_HOOK,	   /* held; the finished hook is still running */
	RPC_HOLD_WAITING,  /* held; the hook returned, rpc_release sends */
	RPC_HOLD_RELEASED  /* released while the hook ran; the worker sends */
};

static void
rpc_send(struct rpc_ctx *ctx)
{
	grpc_op ops[4], *op = ops;
	grpc_slice details;
	grpc_call_error e;

	memset(ops, 0, sizeof ops);
	op->op = GRPC_OP_SEND_INITIAL_METADATA;
	op++;
	if (ctx->send != NULL) {
		op->op = GRPC_OP_SEND_MESSAGE;
		op->data.send_message.send_message = ctx->send;
		op++;
	}
	details = grpc_slice_from_copied_string(
	    ctx->message != NULL ? ctx->message : "");
	op->op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	op->data.send_status_from_server.status = ctx->status;
	op->data.send_status_from_server.status_details =
	    ctx->status != GRPC_STATUS_OK ? &details : NULL;
	op++;
	op->op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op->data.recv_close_on_server.cancelled = &ctx->cancelled;
	op++;

	ctx->step = RPC_FINISHED;
	e = grpc_call_start_batch(ctx->call, ops, (size_t)(op - ops), ctx, NULL);
	grpc_slice_unref(details);
	if (e != GRPC_CALL_OK) {
		log_warn("rpc: %s: final batch: %s", ctx->path,
		    grpc_call_error_to_string(e));
		rpc_ctx_free(ctx);
	}
}

static void
rpc_finish(struct rpc_ctx *ctx)
{
	struct rpc_server *srv = ctx->w->srv;
	int state = RPC_HOLD_HOOK;

	/* Counted while the hooks run, whatever brought the call here (a
	 * refusal before any handler too): a shutdown must not free the
	 * server while a hook is about to hold a call. */
	atomic_fetch_add(&srv->handling, 1);
	if (ctx->status == GRPC_STATUS_INTERNAL && srv->opts.internal != NULL)
		srv->opts.internal(ctx, srv->opts.arg);
	atomic_store(&ctx->held, RPC_HOLD_NONE);
	if (srv->opts.finished != NULL)
		srv->opts.finished(ctx, ctx->m, ctx->status, ctx->message,
		    srv->opts.arg);
	switch (atomic_load(&ctx->held)) {
	case RPC_HOLD_NONE:
		rpc_send(ctx);
		break;
	default:
		if (atomic_compare_exchange_strong(&ctx->held, &state,
		    RPC_HOLD_WAITING))
			break; /* rpc_release answers */
		rpc_send(ctx);
		atomic_fetch_sub(&srv->handling, 1);
		break;
	}
	/* ctx may be freed by now; srv was read before. */
	atomic_fetch_sub(&srv->handling, 1);
}

int
rpc_may_hold(const struct rpc_ctx *ctx)
{
	return !ctx->local;
}

void
rpc_hold(struct rpc_ctx *ctx)
{
	/* Counted like a deferred call: a shutdown waits for its answer. */
	atomic_fetch_add(&ctx->w->srv->handling, 1);
	atomic_store(&ctx->held, RPC_HOLD_HOOK);
}

void
rpc_release(struct rpc_ctx *ctx)
{
	struct rpc_server *srv = ctx->w->srv;
	int state = RPC_HOLD_HOOK;

	if (atomic_compare_exchange_strong(&ctx->held, &state,
	    RPC_HOLD_RELEASED))
		return; /* the hook is still running: rpc_finish answers */
	rpc_send(ctx);
	atomic_fetch_sub(&srv->handling, 1);
}

static void
rpc_on_request(struct rpc_ctx *ctx)
{
	grpc_op op;
	grpc_call_error e;

	ctx->path = arena_strndup(&ctx->arena,
	    (const char *)GRPC_SLICE_START_PTR(ctx->details.method),
	    GRPC_SLICE_LENGTH(ctx->details.method));
	ctx->m = rpc_lookup(ctx->w->srv, ctx->path);
	if (ctx->m == NULL) {
		rpc_error(ctx, GRPC_STATUS_UNIMPLEMENTED, "unknown method %s",
		    ctx->path);
		rpc_finish(ctx);
		return;
	}
	memset(&op, 0, sizeof op);
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &ctx->recv;
	ctx->step = RPC_RECEIVED;
	e = grpc_call_start_batch(ctx->call, &op, 1, ctx, NULL);
	if (e != GRPC_CALL_OK) {
		log_warn("rpc: %s: receive: %s", ctx->path,
		    grpc_call_error_to_string(e));
		rpc_ctx_free(ctx);
	}
}

/* Flattens a received byte buffer into the arena.  The flat copy gRPC
 * made on the way (when the message came in pieces or compressed) is
 * zeroed before it is let go, as rpc_wipe_received does for the rest. */
static uint8_t *
rpc_flatten(struct rpc_ctx *ctx, grpc_byte_buffer *bb, size_t *len)
{
	grpc_byte_buffer_reader r;
	grpc_slice s;
	uint8_t *p;

	if (!grpc_byte_buffer_reader_init(&r, bb))
		return NULL;
	s = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	*len = GRPC_SLICE_LENGTH(s);
	p = arena_alloc(&ctx->arena, *len);
	memcpy(p, GRPC_SLICE_START_PTR(s), *len);
	explicit_bzero(GRPC_SLICE_START_PTR(s), *len);
	grpc_slice_unref(s);
	return p;
}

/*
 * Requests carry secrets (passwords and one-time codes in ContinueLogin, a
 * citizen's PIN in Identify), so once a request is decoded, the bytes it
 * came in are zeroed and let go at once: the flat copy in the arena and
 * the slices of the received byte buffer, which for a plain message are
 * the very bytes the transport read.  The decoded message stays in the
 * arena, which zeroes itself when the call ends; handlers wipe the secret
 * fields sooner.  What remains out of reach without patching gRPC: copies
 * inside core's transport (HTTP/2 frame and TLS record buffers freed
 * without zeroing, bytes around our message in a shared read slice), and
 * the kernel's socket buffers.
 */
static void
rpc_wipe_received(struct rpc_ctx *ctx, uint8_t *buf, size_t len)
{
	grpc_slice_buffer *sb;

	if (buf != NULL)
		explicit_bzero(buf, len);
	if (ctx->recv == NULL)
		return;
	if (ctx->recv->type == GRPC_BB_RAW) {
		sb = &ctx->recv->data.raw.slice_buffer;
		for (size_t i = 0; i < sb->count; i++)
			explicit_bzero(GRPC_SLICE_START_PTR(sb->slices[i]),
			    GRPC_SLICE_LENGTH(sb->slices[i]));
	}
	grpc_byte_buffer_destroy(ctx->recv);
	ctx->recv = NULL;
}

static void
rpc_on_received(struct rpc_ctx *ctx, int success)
{
	struct rpc_server *srv = ctx->w->srv;
	const ProtobufCMethodDescriptor *md;
	ProtobufCMessage *req, *resp = NULL;
	grpc_status_code st;
	uint8_t *buf;
	size_t len = 0;
	char field[128];

	md = &ctx->m->service->methods[ctx->m->index];
	if (!success || ctx->recv == NULL) {
		/* The client went away, or sent a message over the size
		 * limit, which core has already answered RESOURCE_EXHAUSTED.
		 * The status below only reaches the audit trail. */
		rpc_error(ctx, GRPC_STATUS_CANCELLED, "request not received: "
		    "cancelled by the client or over the %zu-byte limit",
		    srv->opts.max_recv_bytes);
		rpc_finish(ctx);
		return;
	}
	buf = rpc_flatten(ctx, ctx->recv, &len);
	if (buf == NULL) {
		rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "request message could not be read");
		rpc_finish(ctx);
		return;
	}
	req = protobuf_c_message_unpack(md->input, &ctx->arena.pb, len, buf);
	if (req != NULL &&
	    rpc_wire_check(md->input, buf, len, field, sizeof field) != 0) {
		rpc_wipe_received(ctx, buf, len);
		rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: must not contain a NUL character", field);
		rpc_finish(ctx);
		return;
	}
	rpc_wipe_received(ctx, buf, len);
	if (req == NULL) {
		rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "request body does not decode as %s", md->input->name);
		rpc_finish(ctx);
		return;
	}
	if (rpc_ctx_remaining_ms(ctx) == 0) {
		rpc_error(ctx, GRPC_STATUS_DEADLINE_EXCEEDED,
		    "deadline passed before the call was handled");
		rpc_finish(ctx);
		return;
	}
	ctx->status = GRPC_STATUS_OK;
	ctx->req = req;
	if (srv->opts.authorize != NULL &&
	    (st = srv->opts.authorize(ctx, ctx->m, srv->opts.arg)) !=
		GRPC_STATUS_OK) {
		ctx->status = st;
		rpc_finish(ctx);
		return;
	}
	if (ctx->replayed) {
		/* The first outcome of a retried request, encoded already. */
		grpc_slice out = grpc_slice_from_copied_buffer(
		    (const char *)ctx->reply, ctx->reply_len);

		ctx->send = grpc_raw_byte_buffer_create(&out, 1);
		grpc_slice_unref(out);
		ctx->status = GRPC_STATUS_OK;
		rpc_finish(ctx);
		return;
	}
	/* Counted until rpc_complete has started the answer, so that a
	 * shutdown never frees the server under a deferred call. */
	atomic_fetch_add(&srv->handling, 1);
	st = ctx->m->handler(ctx, req, &resp);
	if (st == RPC_DEFERRED)
		return;
	rpc_complete(ctx, st, resp);
}

void
rpc_complete(struct rpc_ctx *ctx, grpc_status_code st, ProtobufCMessage *resp)
{
	struct rpc_server *srv = ctx->w->srv;
	const ProtobufCMethodDescriptor *md;
	size_t len;
	grpc_slice out;

	md = &ctx->m->service->methods[ctx->m->index];
	ctx->status = st;
	if (st == GRPC_STATUS_OK) {
		if (resp == NULL || resp->descriptor != md->output) {
			log_error("rpc: %s: handler returned no %s",
			    ctx->path, md->output->name);
			rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
		} else {
			len = protobuf_c_message_get_packed_size(resp);
			ctx->reply = arena_alloc(&ctx->arena, len);
			ctx->reply_len = protobuf_c_message_pack(resp,
			    ctx->reply);
			out = grpc_slice_from_copied_buffer(
			    (const char *)ctx->reply, ctx->reply_len);
			ctx->send = grpc_raw_byte_buffer_create(&out, 1);
			grpc_slice_unref(out);
		}
	} else if (ctx->message == NULL) {
		rpc_error(ctx, st, "%s", rpc_status_name(st));
	}
	rpc_finish(ctx);
	/* The last touch of srv: ctx may already be freed. */
	atomic_fetch_sub(&srv->handling, 1);
}

/*
 * In-process calls for tests and fuzzing: everything rpc_on_received and
 * rpc_complete do for one call, on a context that belongs to no server
 * and no core call.  The accessors that would ask core are answered from
 * the context (peer "local", the metadata given, no client certificate,
 * no deadline).
 */
grpc_status_code
rpc_call_local(const struct rpc_server_opts *opts, const struct rpc_method *m,
    const void *body, size_t len, const char *const *md_pairs, void *user,
    char *msg, size_t msglen)
{
	struct rpc_server srv;
	struct rpc_worker w;
	struct rpc_ctx ctx;
	const ProtobufCMethodDescriptor *md;
	ProtobufCMessage *req, *resp = NULL;
	grpc_status_code st;
	uint8_t *buf;
	char field[128];

	memset(&srv, 0, sizeof srv);
	memset(&w, 0, sizeof w);
	memset(&ctx, 0, sizeof ctx);
	srv.opts = *opts;
	w.srv = &srv;
	ctx.w = &w;
	ctx.step = RPC_RECEIVED;
	ctx.local = 1;
	grpc_call_details_init(&ctx.details);
	ctx.details.deadline = gpr_inf_future(GPR_CLOCK_REALTIME);
	grpc_metadata_array_init(&ctx.md);
	for (size_t i = 0; md_pairs != NULL && md_pairs[i] != NULL; i += 2)
		ctx.md.capacity++;
	if (ctx.md.capacity > 0 && (ctx.md.metadata = gpr_malloc(
	    ctx.md.capacity * sizeof *ctx.md.metadata)) == NULL)
		fatalx("out of memory");
	for (size_t i = 0; i < ctx.md.capacity; i++) {
		ctx.md.metadata[i] = (grpc_metadata){
		    .key = grpc_slice_from_copied_string(md_pairs[2 * i]),
		    .value = grpc_slice_from_copied_string(md_pairs[2 * i + 1])};
		ctx.md.count++;
	}
	arena_init(&ctx.arena);
	ctx.m = m;
	ctx.peer = arena_strdup(&ctx.arena, "local");
	ctx.client_cn_read = 1;
	md = &m->service->methods[m->index];
	ctx.path = arena_printf(&ctx.arena, "/%s/%s", m->service->name,
	    md->name);
	ctx.user = user;

	/* Decoded from a copy in the arena, as the server decodes the copy
	 * it flattened: the handler may keep pointers into the request. */
	buf = arena_alloc(&ctx.arena, len);
	if (len > 0)
		memcpy(buf, body, len);
	req = protobuf_c_message_unpack(md->input, &ctx.arena.pb, len, buf);
	if (req != NULL &&
	    rpc_wire_check(md->input, buf, len, field, sizeof field) != 0)
		rpc_error(&ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: must not contain a NUL character", field);
	else if (req == NULL)
		rpc_error(&ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "request body does not decode as %s", md->input->name);
	else {
		ctx.status = GRPC_STATUS_OK;
		ctx.req = req;
		if (opts->authorize != NULL &&
		    (st = opts->authorize(&ctx, m, opts->arg)) !=
		    GRPC_STATUS_OK)
			ctx.status = st;
		else if (!ctx.replayed) {
			st = m->handler(&ctx, req, &resp);
			if (st == RPC_DEFERRED)
				fatalx("rpc: %s deferred its answer in a local "
				    "call", ctx.path);
			ctx.status = st;
			if (st == GRPC_STATUS_OK && (resp == NULL ||
			    resp->descriptor != md->output)) {
				log_error("rpc: %s: handler returned no %s",
				    ctx.path, md->output->name);
				rpc_error(&ctx, GRPC_STATUS_INTERNAL,
				    "internal error");
			} else if (st == GRPC_STATUS_OK) {
				ctx.reply_len =
				    protobuf_c_message_get_packed_size(resp);
				ctx.reply = arena_alloc(&ctx.arena,
				    ctx.reply_len);
				if (protobuf_c_message_pack(resp, ctx.reply) !=
				    ctx.reply_len)
					fatalx("rpc: %s: reply packed at a "
					    "size other than its own",
					    ctx.path);
				if (rpc_wire_check_reply(md->output,
				    ctx.reply, ctx.reply_len, field,
				    sizeof field) != 0)
					rpc_error(&ctx, GRPC_STATUS_INTERNAL,
					    "reply field %s is not UTF-8",
					    field);
			} else if (ctx.message == NULL)
				rpc_error(&ctx, st, "%s", rpc_status_name(st));
		}
	}
	if (ctx.status == GRPC_STATUS_INTERNAL && opts->internal != NULL)
		opts->internal(&ctx, opts->arg);
	if (opts->finished != NULL)
		opts->finished(&ctx, m, ctx.status, ctx.message, opts->arg);
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", ctx.message != NULL ?
		    ctx.message : "");
	st = ctx.status;
	for (size_t i = 0; i < ctx.md.count; i++) {
		grpc_slice_unref(ctx.md.metadata[i].key);
		grpc_slice_unref(ctx.md.metadata[i].value);
	}
	grpc_metadata_array_destroy(&ctx.md);
	grpc_call_details_destroy(&ctx.details);
	arena_free(&ctx.arena);
	return st;
}

static void *
rpc_worker_main(void *arg)
{
	struct rpc_worker *w = arg;
	struct rpc_server *srv = w->srv;
	grpc_event ev;
	struct rpc_ctx *ctx;

	for (int i = 0; i < RPC_ARMED; i++)
		rpc_arm(w);
	for (;;) {
		ev = grpc_completion_queue_next(w->cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == &srv->shutdown_tag) {
			pthread_mutex_lock(&srv->lock);
			srv->shutdown_done = 1;
			pthread_cond_broadcast(&srv->cond);
			pthread_mutex_unlock(&srv->lock);
			continue;
		}
		ctx = ev.tag;
		switch (ctx->step) {
		case RPC_REQUESTED:
			if (!ev.success) {
				/* Server shutting down: the request was never
				 * filled. */
				rpc_ctx_free(ctx);
				break;
			}
			rpc_arm(w);
			rpc_on_request(ctx);
			break;
		case RPC_RECEIVED:
			rpc_on_received(ctx, ev.success);
			break;
		case RPC_FINISHED:
			rpc_ctx_free(ctx);
			break;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */

int
rpc_addr_is_local(const char *addr)
{
	static const char *const local[] = {"127.", "localhost:", "[::1]:",
	    "unix:", "unix-abstract:", "ipv4:127.", "ipv6:[::1]:"};

	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (strncmp(addr, local[i], strlen(local[i])) == 0)
			return 1;
	return 0;
}

char *
rpc_read_file(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

struct rpc_server *
rpc_server_new(const struct rpc_server_opts *opts, char *err, size_t errlen)
{
	struct rpc_server *srv;
	grpc_server_credentials *creds;
	grpc_arg args[2];
	grpc_channel_args cargs = {.num_args = 0, .args = args};
	long ncpu;

	if ((srv = calloc(1, sizeof *srv)) == NULL)
		fatalx("out of memory");
	srv->opts = *opts;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->cond, NULL);

	if (opts->max_recv_bytes > 0) {
		args[cargs.num_args].type = GRPC_ARG_INTEGER;
		args[cargs.num_args].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
		args[cargs.num_args].value.integer =
		    opts->max_recv_bytes > INT_MAX ? INT_MAX :
		    (int)opts->max_recv_bytes;
		cargs.num_args++;
	}
	srv->server = grpc_server_create(&cargs, NULL);

	srv->nworkers = opts->threads;
	if (srv->nworkers <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		srv->nworkers = ncpu > 0 ? (int)ncpu : 1;
	}
	if (srv->nworkers > RPC_MAX_THREADS)
		srv->nworkers = RPC_MAX_THREADS;
	srv->workers = calloc((size_t)srv->nworkers, sizeof *srv->workers);
	if (srv->workers == NULL)
		fatalx("out of memory");
	for (int i = 0; i < srv->nworkers; i++) {
		srv->workers[i].srv = srv;
		srv->workers[i].cq = grpc_completion_queue_create_for_next(NULL);
		grpc_server_register_completion_queue(srv->server,
		    srv->workers[i].cq, NULL);
	}

	if (opts->tls_cert_pem != NULL || opts->tls_key_pem != NULL) {
		grpc_ssl_pem_key_cert_pair pair = {
			.private_key = opts->tls_key_pem,
			.cert_chain = opts->tls_cert_pem,
		};

		if (opts->tls_cert_pem == NULL || opts->tls_key_pem == NULL) {
			snprintf(err, errlen, "TLS needs both a certificate "
			    "and a key");
			goto fail;
		}
		creds = grpc_ssl_server_credentials_create_ex(
		    opts->tls_client_ca_pem, &pair, 1,
		    opts->tls_client_ca_pem != NULL ?
			GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY :
			GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
		    NULL);
	} else {
		if (!rpc_addr_is_local(opts->listen)) {
			snprintf(err, errlen, "refusing to listen on %s "
			    "without TLS: plaintext is allowed on loopback "
			    "and unix sockets only (set tls_cert and tls_key)",
			    opts->listen);
			goto fail;
		}
		creds = grpc_insecure_server_credentials_create();
	}
	if (creds == NULL) {
		snprintf(err, errlen, "TLS credentials could not be created");
		goto fail;
	}
	srv->port = grpc_server_add_http2_port(srv->server, opts->listen, creds);
	grpc_server_credentials_release(creds);
	if (srv->port == 0) {
		snprintf(err, errlen, "cannot listen on %s", opts->listen);
		goto fail;
	}
	if (strncmp(opts->listen, "unix", 4) == 0)
		srv->port = 0;
	return srv;
fail:
	rpc_server_free(srv);
	return NULL;
}

int
rpc_server_start(struct rpc_server *srv)
{
	grpc_server_start(srv->server);
	for (int i = 0; i < srv->nworkers; i++)
		if (pthread_create(&srv->workers[i].thread, NULL,
		    rpc_worker_main, &srv->workers[i]) != 0)
			fatalx("cannot start worker thread");
	srv->started = 1;
	return srv->port;
}

int
rpc_server_port(const struct rpc_server *srv)
{
	return srv->port;
}

static int
rpc_wait_shutdown(struct rpc_server *srv, long ms)
{
	struct timespec ts;
	int done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->lock);
	while (!srv->shutdown_done)
		if (pthread_cond_timedwait(&srv->cond, &srv->lock, &ts) ==
		    ETIMEDOUT)
			break;
	done = srv->shutdown_done;
	pthread_mutex_unlock(&srv->lock);
	return done;
}

void
rpc_server_shutdown(struct rpc_server *srv, long grace_ms)
{
	if (!srv->started)
		return;
	atomic_store(&srv->stopping, 1);
	grpc_server_shutdown_and_notify(srv->server, srv->workers[0].cq,
	    &srv->shutdown_tag);
	if (srv->opts.stopping != NULL)
		srv->opts.stopping(srv->opts.arg);
	if (!rpc_wait_shutdown(srv, grace_ms)) {
		log_warn("rpc: calls still running after %ld ms; cancelling "
		    "them", grace_ms);
		atomic_store(&srv->cancelled, 1);
		grpc_server_cancel_all_calls(srv->server);
		while (!rpc_wait_shutdown(srv, 1000))
			;
	}
	/* Core may report the shutdown done while deferred calls are still
	 * held by their owners (a PAM module that takes its time); their
	 * answers need the server and the queues, so wait for them. */
	for (int ms = 0; atomic_load(&srv->handling) > 0; ms += 10) {
		if (ms % 5000 == 0)
			log_warn("rpc: waiting for %d deferred call(s) to be "
			    "answered", atomic_load(&srv->handling));
		usleep(10000);
	}
	grpc_server_destroy(srv->server);
	srv->server = NULL;
	for (int i = 0; i < srv->nworkers; i++)
		grpc_completion_queue_shutdown(srv->workers[i].cq);
	for (int i = 0; i < srv->nworkers; i++)
		pthread_join(srv->workers[i].thread, NULL);
	srv->started = 0;
}

void
rpc_server_free(struct rpc_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->started)
		rpc_server_shutdown(srv, 0);
	if (srv->server != NULL) {
		/* Never started: core still wants a shutdown before destroy
		 * once a port was added. */
		grpc_event ev;

		grpc_server_shutdown_and_notify(srv->server, srv->workers[0].cq,
		    &srv->shutdown_tag);
		do
			ev = grpc_completion_queue_next(srv->workers[0].cq,
			    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		while (ev.type != GRPC_QUEUE_SHUTDOWN &&
		    ev.tag != &srv->shutdown_tag);
		grpc_server_destroy(srv->server);
	}
	for (int i = 0; i < srv->nworkers; i++) {
		grpc_completion_queue *cq = srv->workers[i].cq;

		if (cq == NULL)
			continue;
		grpc_completion_queue_shutdown(cq);
		while (grpc_completion_queue_next(cq,
		    gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
		    GRPC_QUEUE_SHUTDOWN)
			;
		grpc_completion_queue_destroy(cq);
	}
	free(srv->workers);
	for (size_t i = 0; i < srv->ntable; i++)
		free(srv->table[i].path);
	free(srv->table);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->cond);
	free(srv);
}
