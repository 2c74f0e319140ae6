/*
 * test_rpc.c: the RPC runtime (lib/rpc_server.c, lib/rpc_client.c) against
 * itself over real loopback HTTP/2, with a test-only service.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "echo.pb-c.h"
#include "log.h"
#include "rpc.h"

#define PERM_OPEN 0
#define PERM_CLOSED 1

static atomic_int handler_calls;
static atomic_int finished_calls;
static atomic_int last_finished_status;

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static grpc_status_code
h_echo(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spistest__EchoMsg *req = (const Spistest__EchoMsg *)reqm;
	Spistest__EchoMsg *r = RPC_NEW(ctx, Spistest__EchoMsg,
	    spistest__echo_msg__init);
	const char *md = rpc_ctx_metadata(ctx, "x-test");

	atomic_fetch_add(&handler_calls, 1);
	r->text = arena_printf(rpc_ctx_arena(ctx), "%s|%s", req->text,
	    md != NULL ? md : "-");
	r->blob = req->blob;
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* Sleeps in small steps and stops early when the caller's deadline passes,
 * as a long handler should. */
static grpc_status_code
h_sleep(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spistest__SleepRequest *req = (const Spistest__SleepRequest *)reqm;
	Spistest__SleepReply *r = RPC_NEW(ctx, Spistest__SleepReply,
	    spistest__sleep_reply__init);
	long start = now_ms();

	atomic_fetch_add(&handler_calls, 1);
	while (now_ms() - start < req->ms) {
		if (rpc_ctx_remaining_ms(ctx) == 0) {
			r->saw_deadline = 1;
			return rpc_error(ctx, GRPC_STATUS_DEADLINE_EXCEEDED,
			    "gave up at the deadline");
		}
		usleep(5000);
	}
	r->slept_ms = (int)(now_ms() - start);
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
h_fail(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	(void)reqm;
	(void)respm;
	atomic_fetch_add(&handler_calls, 1);
	return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
	    "text: not allowed now");
}

/* Answers from a thread of its own after 100 ms, as the PAM login does. */
static void *
later_thread(void *arg)
{
	struct rpc_ctx *ctx = arg;
	Spistest__EchoMsg *r = RPC_NEW(ctx, Spistest__EchoMsg,
	    spistest__echo_msg__init);

	usleep(100000);
	r->text = arena_strdup(rpc_ctx_arena(ctx), "from another thread");
	rpc_complete(ctx, GRPC_STATUS_OK, &r->base);
	return NULL;
}

static grpc_status_code
h_later(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spistest__EchoMsg *req = (const Spistest__EchoMsg *)reqm;
	pthread_t t;

	(void)respm;
	atomic_fetch_add(&handler_calls, 1);
	if (strcmp(req->text, "fail") == 0) {
		rpc_error(ctx, GRPC_STATUS_ABORTED, "text: failed later");
		rpc_complete(ctx, GRPC_STATUS_ABORTED, NULL);
		return RPC_DEFERRED;
	}
	pthread_create(&t, NULL, later_thread, ctx);
	pthread_detach(t);
	return RPC_DEFERRED;
}

static const struct rpc_method echo_methods[] = {
	RPC_METHOD(spistest__echo, 0, h_echo, PERM_OPEN),
	RPC_METHOD(spistest__echo, 1, h_sleep, PERM_OPEN),
	RPC_METHOD(spistest__echo, 2, h_fail, PERM_OPEN),
	RPC_METHOD(spistest__echo, 3, h_echo, PERM_CLOSED),
	RPC_METHOD(spistest__echo, 4, h_later, PERM_OPEN),
};

static grpc_status_code
t_authorize(struct rpc_ctx *ctx, const struct rpc_method *m, void *arg)
{
	(void)arg;
	if (m->permission == PERM_CLOSED)
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "closed to everyone");
	return GRPC_STATUS_OK;
}

static void
t_finished(struct rpc_ctx *ctx, const struct rpc_method *m,
    grpc_status_code st, const char *msg, void *arg)
{
	(void)ctx;
	(void)m;
	(void)msg;
	(void)arg;
	atomic_store(&last_finished_status, (int)st);
	atomic_fetch_add(&finished_calls, 1);
}

struct fixture {
	struct rpc_server *srv;
	struct rpc_client *cl;
	char addr[64];
};

static struct fixture *
start(size_t max_recv)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct rpc_server_opts so = {.listen = "127.0.0.1:0", .threads = 2,
	    .max_recv_bytes = max_recv, .authorize = t_authorize,
	    .finished = t_finished};
	struct rpc_client_opts co = {0};
	char err[256];
	int port;

	f->srv = rpc_server_new(&so, err, sizeof err);
	assert_non_null(f->srv);
	rpc_server_add(f->srv, echo_methods, 5);
	port = rpc_server_start(f->srv);
	assert_true(port > 0);
	snprintf(f->addr, sizeof f->addr, "127.0.0.1:%d", port);
	co.target = f->addr;
	f->cl = rpc_client_new(&co, err, sizeof err);
	assert_non_null(f->cl);
	return f;
}

static void
stop(struct fixture *f)
{
	rpc_client_free(f->cl);
	rpc_server_shutdown(f->srv, 1000);
	rpc_server_free(f->srv);
	free(f);
}

static grpc_status_code
echo(struct fixture *f, unsigned idx, const char *text, size_t bloblen,
    const char *const *md, char **out, char *msg, size_t msglen)
{
	Spistest__EchoMsg req = SPISTEST__ECHO_MSG__INIT;
	ProtobufCMessage *resp = NULL;
	grpc_status_code st;
	uint8_t *blob = NULL;

	req.text = (char *)text;
	if (bloblen > 0) {
		blob = calloc(1, bloblen);
		req.blob.data = blob;
		req.blob.len = bloblen;
	}
	st = rpc_call(f->cl, &spistest__echo__descriptor, idx, &req.base,
	    &resp, 5000, md, msg, msglen);
	if (out != NULL)
		*out = st == GRPC_STATUS_OK ?
		    strdup(((Spistest__EchoMsg *)resp)->text) : NULL;
	if (resp != NULL)
		protobuf_c_message_free_unpacked(resp, NULL);
	free(blob);
	return st;
}

static void
test_round_trip_and_metadata(void **state)
{
	struct fixture *f = start(0);
	const char *md[] = {"x-test", "hello metadata", NULL};
	char msg[256], *out = NULL;

	(void)state;
	assert_int_equal(echo(f, 0, "ąčę", 0, md, &out, msg, sizeof msg),
	    GRPC_STATUS_OK);
	assert_string_equal(out, "ąčę|hello metadata");
	free(out);
	assert_int_equal(echo(f, 0, "plain", 0, NULL, &out, msg, sizeof msg),
	    GRPC_STATUS_OK);
	assert_string_equal(out, "plain|-");
	free(out);
	stop(f);
}

static void
test_error_status_and_message(void **state)
{
	struct fixture *f = start(0);
	char msg[256];

	(void)state;
	assert_int_equal(echo(f, 2, "x", 0, NULL, NULL, msg, sizeof msg),
	    GRPC_STATUS_FAILED_PRECONDITION);
	assert_string_equal(msg, "text: not allowed now");
	stop(f);
}

static void
test_authorize_blocks_handler(void **state)
{
	struct fixture *f = start(0);
	char msg[256];
	int before = atomic_load(&handler_calls);

	(void)state;
	assert_int_equal(echo(f, 3, "x", 0, NULL, NULL, msg, sizeof msg),
	    GRPC_STATUS_PERMISSION_DENIED);
	assert_string_equal(msg, "closed to everyone");
	assert_int_equal(atomic_load(&handler_calls), before);
	stop(f);
}

/* A method the server does not know: a second descriptor with the same
 * messages but another service name. */
static void
test_unknown_method_answered_at_once(void **state)
{
	struct fixture *f = start(0);
	ProtobufCServiceDescriptor other = spistest__echo__descriptor;
	Spistest__EchoMsg req = SPISTEST__ECHO_MSG__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256];
	long t0;
	grpc_status_code st;

	(void)state;
	other.name = "spistest.Nowhere";
	t0 = now_ms();
	st = rpc_call(f->cl, &other, 0, &req.base, &resp, 10000, NULL, msg,
	    sizeof msg);
	assert_int_equal(st, GRPC_STATUS_UNIMPLEMENTED);
	assert_non_null(strstr(msg, "/spistest.Nowhere/Echo"));
	/* Far below the 10 s deadline: answered, not timed out. */
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(atomic_load(&last_finished_status),
	    GRPC_STATUS_UNIMPLEMENTED);
	stop(f);
}

static void
test_garbage_body_is_invalid_argument(void **state)
{
	struct fixture *f = start(0);
	ProtobufCServiceDescriptor wrong = spistest__echo__descriptor;
	ProtobufCMethodDescriptor methods[4];
	Spistest__SleepRequest bad = SPISTEST__SLEEP_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256], *out = NULL;

	(void)state;
	/* Send a SleepRequest with a negative varint where Echo expects a
	 * string in field 1: the wire types disagree, so unpack fails. */
	memcpy(methods, spistest__echo__descriptor.methods, sizeof methods);
	methods[0].input = &spistest__sleep_request__descriptor;
	wrong.methods = methods;
	bad.ms = -1;
	assert_int_equal(rpc_call(f->cl, &wrong, 0, &bad.base, &resp, 5000,
	    NULL, msg, sizeof msg), GRPC_STATUS_INVALID_ARGUMENT);
	assert_non_null(strstr(msg, "does not decode"));
	assert_int_equal(echo(f, 0, "still here", 0, NULL, &out, msg,
	    sizeof msg), GRPC_STATUS_OK);
	assert_string_equal(out, "still here|-");
	free(out);
	stop(f);
}

static void
test_nul_in_string_is_named(void **state)
{
	struct fixture *f = start(0);
	ProtobufCServiceDescriptor wrong = spistest__echo__descriptor;
	ProtobufCMethodDescriptor methods[5];
	Spistest__RawMsg raw = SPISTEST__RAW_MSG__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256], *out = NULL, field[64];
	/* text "a\0b" (field 1) and blob "\0" (field 2, bytes: allowed). */
	static const uint8_t wire[] = {0x0a, 3, 'a', 0, 'b', 0x12, 1, 0};
	static const uint8_t blob_only[] = {0x12, 2, 0, 0, 0x0a, 1, 'a'};

	(void)state;
	assert_int_equal(rpc_wire_check(&spistest__echo_msg__descriptor,
	    wire, sizeof wire, field, sizeof field), -1);
	assert_string_equal(field, "text");
	assert_int_equal(rpc_wire_check(&spistest__echo_msg__descriptor,
	    blob_only, sizeof blob_only, field, sizeof field), 0);

	/* Through the server: protobuf-c would have cut the text at the
	 * NUL; the call is refused instead, naming the field, and the
	 * server goes on answering. */
	memcpy(methods, spistest__echo__descriptor.methods, sizeof methods);
	methods[0].input = &spistest__raw_msg__descriptor;
	wrong.methods = methods;
	raw.text.data = (uint8_t *)"Jo\0nas";
	raw.text.len = 6;
	assert_int_equal(rpc_call(f->cl, &wrong, 0, &raw.base, &resp, 5000,
	    NULL, msg, sizeof msg), GRPC_STATUS_INVALID_ARGUMENT);
	assert_non_null(strstr(msg, "text: must not contain a NUL"));
	raw.text.data = (uint8_t *)"Jonas";
	raw.text.len = 5;
	assert_int_equal(rpc_call(f->cl, &wrong, 0, &raw.base, &resp, 5000,
	    NULL, msg, sizeof msg), GRPC_STATUS_OK);
	protobuf_c_message_free_unpacked(resp, NULL);
	assert_int_equal(echo(f, 0, "still here", 0, NULL, &out, msg,
	    sizeof msg), GRPC_STATUS_OK);
	free(out);
	stop(f);
}

static void
test_oversize_is_resource_exhausted(void **state)
{
	struct fixture *f = start(4096);
	char msg[256], *out = NULL;

	(void)state;
	assert_int_equal(echo(f, 0, "big", 64 * 1024, NULL, NULL, msg,
	    sizeof msg), GRPC_STATUS_RESOURCE_EXHAUSTED);
	/* Just under the limit passes, and the server keeps answering. */
	assert_int_equal(echo(f, 0, "small", 3000, NULL, &out, msg,
	    sizeof msg), GRPC_STATUS_OK);
	free(out);
	stop(f);
}

static grpc_status_code
sleep_call(struct fixture *f, int ms, long deadline, char *msg, size_t len)
{
	Spistest__SleepRequest req = SPISTEST__SLEEP_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	grpc_status_code st;

	req.ms = ms;
	st = rpc_call(f->cl, &spistest__echo__descriptor, 1, &req.base, &resp,
	    deadline, NULL, msg, len);
	if (resp != NULL)
		protobuf_c_message_free_unpacked(resp, NULL);
	return st;
}

static void
test_deadline_honoured(void **state)
{
	struct fixture *f = start(0);
	char msg[256];
	long t0 = now_ms();

	(void)state;
	assert_int_equal(sleep_call(f, 3000, 200, msg, sizeof msg),
	    GRPC_STATUS_DEADLINE_EXCEEDED);
	assert_true(now_ms() - t0 < 2500);
	/* The handler saw the deadline and stopped: the server is free at
	 * once for the next call. */
	assert_int_equal(sleep_call(f, 10, 2000, msg, sizeof msg),
	    GRPC_STATUS_OK);
	stop(f);
}

struct bg_call {
	struct fixture *f;
	int ms;
	grpc_status_code st;
	pthread_t t;
};

static void *
bg_sleep(void *arg)
{
	struct bg_call *b = arg;
	char msg[256];
	struct rpc_client_opts co = {.target = b->f->addr};
	char err[128];
	struct rpc_client *cl = rpc_client_new(&co, err, sizeof err);
	struct fixture tmp = *b->f;

	tmp.cl = cl;
	b->st = sleep_call(&tmp, b->ms, 10000, msg, sizeof msg);
	rpc_client_free(cl);
	return NULL;
}

static void
test_graceful_shutdown_finishes_calls_in_flight(void **state)
{
	struct fixture *f = start(0);
	struct bg_call b = {.f = f, .ms = 600, .st = -1};
	char msg[256];
	int before = atomic_load(&handler_calls);
	long t0;

	(void)state;
	pthread_create(&b.t, NULL, bg_sleep, &b);
	/* Wait until the call is inside its handler. */
	for (int i = 0; i < 200 && atomic_load(&handler_calls) == before; i++)
		usleep(10000);
	assert_int_equal(atomic_load(&handler_calls), before + 1);
	t0 = now_ms();
	rpc_server_shutdown(f->srv, 5000);
	/* Shutdown waited for the call rather than cutting it off. */
	pthread_join(b.t, NULL);
	assert_int_equal(b.st, GRPC_STATUS_OK);
	assert_true(now_ms() - t0 < 4000);
	/* New calls are refused once it is down. */
	assert_int_equal(echo(f, 0, "late", 0, NULL, NULL, msg, sizeof msg),
	    GRPC_STATUS_UNAVAILABLE);
	rpc_client_free(f->cl);
	rpc_server_free(f->srv);
	free(f);
}

static void
test_shutdown_grace_expires(void **state)
{
	struct fixture *f = start(0);
	struct bg_call b = {.f = f, .ms = 8000, .st = -1};
	int before = atomic_load(&handler_calls);
	long t0;

	(void)state;
	pthread_create(&b.t, NULL, bg_sleep, &b);
	for (int i = 0; i < 200 && atomic_load(&handler_calls) == before; i++)
		usleep(10000);
	t0 = now_ms();
	rpc_server_shutdown(f->srv, 200);
	pthread_join(b.t, NULL);
	/* The stuck call was cancelled after the grace period; its handler
	 * notices through its deadline check. */
	assert_int_not_equal(b.st, GRPC_STATUS_OK);
	assert_true(now_ms() - t0 < 7000);
	rpc_client_free(f->cl);
	rpc_server_free(f->srv);
	free(f);
}

static void
test_deferred_answer_from_another_thread(void **state)
{
	struct fixture *f = start(0);
	char msg[256], *out = NULL;

	(void)state;
	assert_int_equal(echo(f, 4, "x", 0, NULL, &out, msg, sizeof msg),
	    GRPC_STATUS_OK);
	assert_string_equal(out, "from another thread");
	free(out);
	assert_int_equal(echo(f, 4, "fail", 0, NULL, &out, msg, sizeof msg),
	    GRPC_STATUS_ABORTED);
	assert_string_equal(msg, "text: failed later");
	assert_int_equal(atomic_load(&last_finished_status),
	    GRPC_STATUS_ABORTED);
	stop(f);
}

static void
test_unreachable_is_unavailable(void **state)
{
	struct rpc_client_opts co = {.target = "127.0.0.1:1"};
	struct rpc_client *cl;
	Spistest__EchoMsg req = SPISTEST__ECHO_MSG__INIT;
	ProtobufCMessage *resp = NULL;
	char err[128], msg[256];

	(void)state;
	cl = rpc_client_new(&co, err, sizeof err);
	assert_non_null(cl);
	assert_int_equal(rpc_call(cl, &spistest__echo__descriptor, 0,
	    &req.base, &resp, 2000, NULL, msg, sizeof msg),
	    GRPC_STATUS_UNAVAILABLE);
	assert_null(resp);
	rpc_client_free(cl);
}

static void
test_plaintext_refused_off_loopback(void **state)
{
	struct rpc_server_opts so = {.listen = "0.0.0.0:0"};
	char err[256];

	(void)state;
	assert_null(rpc_server_new(&so, err, sizeof err));
	assert_non_null(strstr(err, "without TLS"));
	assert_true(rpc_addr_is_local("127.0.0.1:5"));
	assert_true(rpc_addr_is_local("[::1]:5"));
	assert_true(rpc_addr_is_local("localhost:5"));
	assert_true(rpc_addr_is_local("unix:/run/spis.sock"));
	assert_false(rpc_addr_is_local("0.0.0.0:5"));
	assert_false(rpc_addr_is_local("10.0.0.1:5"));
	assert_false(rpc_addr_is_local("127x.example:5"));
	assert_false(rpc_addr_is_local("localhost.evil.example:5"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_metadata),
		cmocka_unit_test(test_error_status_and_message),
		cmocka_unit_test(test_authorize_blocks_handler),
		cmocka_unit_test(test_unknown_method_answered_at_once),
		cmocka_unit_test(test_garbage_body_is_invalid_argument),
		cmocka_unit_test(test_nul_in_string_is_named),
		cmocka_unit_test(test_oversize_is_resource_exhausted),
		cmocka_unit_test(test_deadline_honoured),
		cmocka_unit_test(test_graceful_shutdown_finishes_calls_in_flight),
		cmocka_unit_test(test_shutdown_grace_expires),
		cmocka_unit_test(test_deferred_answer_from_another_thread),
		cmocka_unit_test(test_unreachable_is_unavailable),
		cmocka_unit_test(test_plaintext_refused_off_loopback),
	};
	int rc;

	log_set_level(LOG_LVL_ERROR);
	grpc_init();
	rc = cmocka_run_group_tests_name("rpc", tests, NULL, NULL);
	grpc_shutdown();
	return rc;
}
