/*
 * rpc.h: unary gRPC over gRPC core, server and client, with protobuf-c
 * messages.
 *
 * Server: a service file exports a table of struct rpc_method built from the
 * protobuf-c service descriptor; the runtime derives the path
 * ("/spis.v1.System/GetVersion") and the message types from it.  Each worker
 * thread owns a completion queue; a call is decoded, authorised, handled and
 * answered on the thread that took it.
 *
 * Client: one channel per process (struct rpc_client), unary calls with a
 * deadline, status and message returned to the caller.
 */
#ifndef SPIS_RPC_H
#define SPIS_RPC_H

#include <stddef.h>

#include <grpc/grpc.h>
#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "arena.h"

struct rpc_ctx;
struct rpc_server;
struct rpc_client;

/*
 * A handler reads the decoded request and sets *resp to a response message
 * of the method's output type, allocated from rpc_ctx_arena() (or static).
 * It returns GRPC_STATUS_OK, or the result of rpc_error() for a failure, in
 * which case *resp is ignored.
 */
typedef grpc_status_code (*rpc_handler)(struct rpc_ctx *ctx,
    const ProtobufCMessage *req, ProtobufCMessage **resp);

/*
 * A handler that cannot answer on the RPC thread (it waits for PAM, say)
 * returns RPC_DEFERRED and later calls rpc_complete() from any thread.  The
 * context, its arena and the request stay valid until then.
 */
#define RPC_DEFERRED ((grpc_status_code)-1)

struct rpc_method {
	const ProtobufCServiceDescriptor *service;
	unsigned index; /* into service->methods */
	rpc_handler handler;
	int permission; /* interpreted by the authorize hook */
};

/* Declares one table entry: RPC_METHOD(spis__v1__system, 0, h, PERM_X). */
#define RPC_METHOD(svc, idx, fn, perm) \
	{ &svc##__descriptor, (idx), (fn), (perm) }

struct rpc_server_opts {
	const char *listen;	  /* "127.0.0.1:50051", "[::1]:0", "unix:/path" */
	int threads;		  /* worker threads; 0 means one per core */
	size_t max_recv_bytes;	  /* larger requests get RESOURCE_EXHAUSTED */
	const char *tls_cert_pem; /* server certificate chain, or NULL */
	const char *tls_key_pem;  /* its private key, or NULL */
	const char *tls_client_ca_pem; /* when set, client certificates are
					  requested and, when presented,
					  verified against it; officer
					  consoles connect without one, and
					  kiosk methods check
					  rpc_ctx_client_cn() */
	/*
	 * Called before every handler.  Returns GRPC_STATUS_OK to let the call
	 * proceed, or the result of rpc_error().  NULL allows everything.
	 */
	grpc_status_code (*authorize)(struct rpc_ctx *ctx,
	    const struct rpc_method *m, void *arg);
	/*
	 * Called after every call with its final status, including unknown
	 * methods and bodies that did not decode (m is NULL for those).
	 */
	void (*finished)(struct rpc_ctx *ctx, const struct rpc_method *m,
	    grpc_status_code status, const char *message, void *arg);
	/*
	 * Called once a shutdown has stopped new calls, so that the owner of
	 * deferred calls can complete them instead of holding the shutdown.
	 */
	void (*stopping)(void *arg);
	/*
	 * Called for a call about to end INTERNAL, before it is answered or
	 * finished is called; it may call rpc_error() to say better what went
	 * wrong (a full disk is UNAVAILABLE: worth trying again later).
	 */
	void (*internal)(struct rpc_ctx *ctx, void *arg);
	void *arg; /* passed to the hooks and returned by rpc_ctx_arg() */
};

/*
 * Creates a server bound to opts->listen.  Returns NULL and writes a
 * one-line reason into err on failure.  The strings in opts are copied where
 * needed; the caller keeps ownership of opts.
 */
struct rpc_server *rpc_server_new(const struct rpc_server_opts *opts,
    char *err, size_t errlen);

/* Adds n methods; the table must outlive the server.  Before start only. */
void rpc_server_add(struct rpc_server *srv, const struct rpc_method *m,
    size_t n);

/* Starts the worker threads.  Returns the bound TCP port (0 for unix). */
int rpc_server_start(struct rpc_server *srv);

/* The bound port, as rpc_server_start returned it. */
int rpc_server_port(const struct rpc_server *srv);

/*
 * Stops taking new calls (clients see UNAVAILABLE), lets calls in flight
 * finish for up to grace_ms, cancels what is left, and joins the workers.
 */
void rpc_server_shutdown(struct rpc_server *srv, long grace_ms);

/* Frees a server after rpc_server_shutdown() (or one never started). */
void rpc_server_free(struct rpc_server *srv);

/* Per-call accessors, valid for the life of the call. */
struct arena *rpc_ctx_arena(struct rpc_ctx *ctx);
void *rpc_ctx_arg(struct rpc_ctx *ctx);
const char *rpc_ctx_path(struct rpc_ctx *ctx);
const char *rpc_ctx_peer(struct rpc_ctx *ctx);

/* The first value of request metadata key (lower case), NUL-terminated and
 * owned by the call's arena, or NULL when absent. */
const char *rpc_ctx_metadata(struct rpc_ctx *ctx, const char *key);

/* Milliseconds left before the caller's deadline; LONG_MAX when none.  It
 * is 0 once the deadline has passed or a shutdown's grace period has run
 * out, so a long handler polls it and stops when it reaches 0. */
long rpc_ctx_remaining_ms(struct rpc_ctx *ctx);

/* The common name of a verified TLS client certificate, or NULL. */
const char *rpc_ctx_client_cn(struct rpc_ctx *ctx);

/* The decoded request (valid from the authorize hook on). */
const ProtobufCMessage *rpc_ctx_request(struct rpc_ctx *ctx);

/*
 * For the authorize hook: answer OK with these already-encoded response
 * bytes instead of running the handler (a replayed first outcome).  The
 * bytes are copied.
 */
void rpc_ctx_replay(struct rpc_ctx *ctx, const void *data, size_t len);

/* For the finished hook: the encoded response of an OK call, or NULL. */
const void *rpc_ctx_reply(struct rpc_ctx *ctx, size_t *len);

/* Slots for the authorize hook to pass what it learnt to handlers. */
void rpc_ctx_set_user(struct rpc_ctx *ctx, void *user);
void *rpc_ctx_user(struct rpc_ctx *ctx);

/* Records the status message of a failing call and returns code, so that a
 * handler can write `return rpc_error(ctx, GRPC_STATUS_NOT_FOUND, ...)`. */
grpc_status_code rpc_error(struct rpc_ctx *ctx, grpc_status_code code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Answers a deferred call: status, and for OK the response (allocated from
 * the call's arena).  For a failure, call rpc_error() first for the message.
 * The context must not be touched afterwards.
 */
void rpc_complete(struct rpc_ctx *ctx, grpc_status_code status,
    ProtobufCMessage *resp);

/* Allocates and initialises a message of type T in the call's arena. */
#define RPC_NEW(ctx, T, init) \
	({ T *rpc_new_p_ = arena_alloc(rpc_ctx_arena(ctx), sizeof(T)); \
	   init(rpc_new_p_); rpc_new_p_; })

/* The gRPC name of a status code ("NOT_FOUND"). */
const char *rpc_status_name(grpc_status_code code);

/*
 * Walks a request's wire bytes (already accepted by protobuf-c) with d as
 * the map and returns -1 when a string field holds a NUL byte, which
 * decoding would silently cut the value at; field then holds its path
 * ("person.given_names", always NUL-terminated).  Returns 0 otherwise.
 */
int rpc_wire_check(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, char *field, size_t fieldlen);

/* The same walk over a packed reply: -1, with the field's path, when a
 * string field is not well-formed UTF-8. */
int rpc_wire_check_reply(const ProtobufCMessageDescriptor *d,
    const void *buf, size_t len, char *field, size_t fieldlen);

/*
 * From the finished hook only: the answer is not sent when the hook
 * returns but when rpc_release(ctx) is called, from any thread, such as
 * the one that made the call's audit row durable; the context and its
 * arena stay valid until then, and a shutdown waits for it.  Only when
 * rpc_may_hold(ctx) says so: an in-process call (rpc_call_local) cannot
 * be held, and its hook must finish its work before returning.
 */
int rpc_may_hold(const struct rpc_ctx *ctx);
void rpc_hold(struct rpc_ctx *ctx);
void rpc_release(struct rpc_ctx *ctx);

/*
 * For tests and fuzzing: one call of method m made in process, without a
 * server or the network.  body is the request as it would arrive on the
 * wire; it is decoded and checked as the server does, then opts->authorize
 * runs (when set), the handler, opts->internal and opts->finished, in the
 * server's order, on the calling thread.  rpc_ctx_arg() is opts->arg,
 * rpc_ctx_user() starts as user, the request metadata is md (NULL, or a
 * NULL-terminated list of key, value pairs, keys in lower case), the peer
 * is "local", there is no client certificate and no deadline.  The status is
 * returned and its message copied into msg ("" for OK).  A reply with a
 * string that is not well-formed UTF-8 becomes INTERNAL, naming the field,
 * so that fuzzing finds the handler that wrote it.  A handler that
 * would answer later (RPC_DEFERRED) must not be called this way: it is a
 * fatal error.
 */
grpc_status_code rpc_call_local(const struct rpc_server_opts *opts,
    const struct rpc_method *m, const void *body, size_t len,
    const char *const *md, void *user, char *msg, size_t msglen);

/* ------------------------------------------------------------------------ */

struct rpc_client_opts {
	const char *target;	  /* "127.0.0.1:50051" or "unix:/path" */
	const char *tls_ca_pem;	  /* trust these roots and use TLS; NULL for
				     plaintext */
	const char *tls_cert_pem; /* client certificate (kiosk terminals) */
	const char *tls_key_pem;
	const char *tls_server_name; /* override the name checked, or NULL */
};

/* Opens the process's channel.  NULL and a reason in err on failure.
 * Reconnect back-off is capped at a few seconds so that clients notice a
 * restarted daemon quickly. */
struct rpc_client *rpc_client_new(const struct rpc_client_opts *opts,
    char *err, size_t errlen);
void rpc_client_free(struct rpc_client *cl);

/*
 * Makes one unary call to method index of svc.  md is NULL or a
 * NULL-terminated list of key, value pairs sent as metadata.  On OK, *resp
 * is a message the caller frees with protobuf_c_message_free_unpacked(resp,
 * NULL).  The status is returned; its message is copied into msg.
 */
grpc_status_code rpc_call(struct rpc_client *cl,
    const ProtobufCServiceDescriptor *svc, unsigned index,
    const ProtobufCMessage *req, ProtobufCMessage **resp, long deadline_ms,
    const char *const *md, char *msg, size_t msglen);

/* Reads a whole file into a NUL-terminated malloc'd string the caller
 * frees; NULL with errno set on failure.  For PEM files. */
char *rpc_read_file(const char *path);

/* True when a listen address is loopback or a unix socket, where plaintext
 * is allowed. */
int rpc_addr_is_local(const char *addr);

#endif
