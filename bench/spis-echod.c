/*
 * spis-echod: the benchmark's baseline, a bare gRPC-core server built from
 * the same library as the daemon and nothing else: no lib/rpc runtime, no
 * authorisation, no audit, no store.  It answers /spistest.Echo/Echo by
 * decoding the EchoMsg and sending it back, and any other method with
 * UNIMPLEMENTED.  A thread per core, each on its own completion queue, as
 * the daemon's runtime does, so the two differ only in what SPIS adds.
 *
 *   spis-echod --listen 127.0.0.1:0 [--port-file FILE] [--threads N]
 *
 * Runs until SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "echo.pb-c.h"
#include "log.h"

#define ECHOD_PENDING 64	/* calls each thread keeps requested */

/* Set once a shutdown began: calls that end are not requested again.
 * echod_shutdown's address is the tag of the server's shutdown, posted to
 * echod_stopped when it arrives. */
static atomic_int echod_stopping;
static int echod_shutdown;
static sem_t echod_stopped;

enum echod_state { ECHOD_REQUESTED, ECHOD_RECEIVED, ECHOD_SENT };

struct echod_call {
	enum echod_state state;
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	grpc_byte_buffer *recv, *send;
	int cancelled;
	struct echod_worker *w;
};

struct echod_worker {
	grpc_server *srv;
	grpc_completion_queue *cq;
	pthread_t thread;
};

static void
echod_request(struct echod_worker *w, struct echod_call *c)
{
	memset(c, 0, sizeof *c);
	c->w = w;
	c->state = ECHOD_REQUESTED;
	grpc_call_details_init(&c->details);
	grpc_metadata_array_init(&c->md);
	if (grpc_server_request_call(w->srv, &c->call, &c->details, &c->md,
	    w->cq, w->cq, c) != GRPC_CALL_OK)
		fatalx("cannot request a call");
}

/* The reply to a received message: the EchoMsg decoded and encoded again,
 * or NULL when it does not decode. */
static grpc_byte_buffer *
echod_reply(grpc_byte_buffer *in)
{
	grpc_byte_buffer_reader r;
	grpc_slice all, out;
	Spistest__EchoMsg *m;
	grpc_byte_buffer *bb;
	size_t len;

	if (in == NULL)
		return NULL;
	grpc_byte_buffer_reader_init(&r, in);
	all = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	m = spistest__echo_msg__unpack(NULL, GRPC_SLICE_LENGTH(all),
	    GRPC_SLICE_START_PTR(all));
	grpc_slice_unref(all);
	if (m == NULL)
		return NULL;
	len = spistest__echo_msg__get_packed_size(m);
	out = grpc_slice_malloc(len);
	spistest__echo_msg__pack(m, GRPC_SLICE_START_PTR(out));
	spistest__echo_msg__free_unpacked(m, NULL);
	bb = grpc_raw_byte_buffer_create(&out, 1);
	grpc_slice_unref(out);
	return bb;
}

static void
echod_answer(struct echod_call *c)
{
	static const char path[] = "/spistest.Echo/Echo";
	grpc_op ops[4], *op = ops;
	grpc_status_code st = GRPC_STATUS_OK;
	grpc_slice msg = grpc_empty_slice();

	memset(ops, 0, sizeof ops);
	if (GRPC_SLICE_LENGTH(c->details.method) != sizeof path - 1 ||
	    memcmp(GRPC_SLICE_START_PTR(c->details.method), path,
	    sizeof path - 1) != 0)
		st = GRPC_STATUS_UNIMPLEMENTED;
	else if ((c->send = echod_reply(c->recv)) == NULL)
		st = GRPC_STATUS_INVALID_ARGUMENT;
	op->op = GRPC_OP_SEND_INITIAL_METADATA;
	op++;
	if (c->send != NULL) {
		op->op = GRPC_OP_SEND_MESSAGE;
		op->data.send_message.send_message = c->send;
		op++;
	}
	op->op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	op->data.send_status_from_server.status = st;
	op->data.send_status_from_server.status_details = &msg;
	op++;
	op->op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op->data.recv_close_on_server.cancelled = &c->cancelled;
	op++;
	c->state = ECHOD_SENT;
	if (grpc_call_start_batch(c->call, ops, (size_t)(op - ops), c, NULL) !=
	    GRPC_CALL_OK)
		fatalx("cannot answer a call");
}

static void
echod_done(struct echod_call *c)
{
	if (c->recv != NULL)
		grpc_byte_buffer_destroy(c->recv);
	if (c->send != NULL)
		grpc_byte_buffer_destroy(c->send);
	grpc_call_unref(c->call);
	grpc_call_details_destroy(&c->details);
	grpc_metadata_array_destroy(&c->md);
}

static void *
echod_worker(void *arg)
{
	struct echod_worker *w = arg;
	struct echod_call *calls = calloc(ECHOD_PENDING, sizeof *calls);

	if (calls == NULL)
		fatalx("out of memory");
	for (int i = 0; i < ECHOD_PENDING; i++)
		echod_request(w, &calls[i]);
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(w->cq,
		    gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
		struct echod_call *c = ev.tag;
		grpc_op op;

		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.tag == &echod_shutdown) {
			sem_post(&echod_stopped);
			continue;
		}
		if (!ev.success) {
			/* A request cancelled by the shutdown, or a call
			 * that went away: ask for another unless stopping. */
			if (c->state != ECHOD_REQUESTED)
				echod_done(c);
			else {
				grpc_call_details_destroy(&c->details);
				grpc_metadata_array_destroy(&c->md);
			}
			if (!atomic_load(&echod_stopping))
				echod_request(w, c);
			continue;
		}
		switch (c->state) {
		case ECHOD_REQUESTED:
			memset(&op, 0, sizeof op);
			op.op = GRPC_OP_RECV_MESSAGE;
			op.data.recv_message.recv_message = &c->recv;
			c->state = ECHOD_RECEIVED;
			if (grpc_call_start_batch(c->call, &op, 1, c, NULL) !=
			    GRPC_CALL_OK)
				fatalx("cannot receive");
			break;
		case ECHOD_RECEIVED:
			echod_answer(c);
			break;
		case ECHOD_SENT:
			echod_done(c);
			echod_request(w, c);
			break;
		}
	}
	free(calls);
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"port-file", required_argument, NULL, 'p'},
		{"threads", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *listen = "127.0.0.1:0", *port_file = NULL;
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	grpc_server_credentials *creds;
	struct echod_worker *w;
	grpc_server *srv;
	sigset_t sigs;
	int c, port, sig;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'p': port_file = optarg; break;
		case 't': nthreads = atol(optarg); break;
		default:
			fprintf(stderr, "usage: spis-echod [--listen ADDR] "
			    "[--port-file FILE] [--threads N]\n");
			return 2;
		}
	}
	if (nthreads < 1)
		nthreads = 1;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	sem_init(&echod_stopped, 0, 0);
	grpc_init();
	srv = grpc_server_create(NULL, NULL);
	if ((w = calloc((size_t)nthreads, sizeof *w)) == NULL)
		fatalx("out of memory");
	for (long i = 0; i < nthreads; i++) {
		w[i].srv = srv;
		w[i].cq = grpc_completion_queue_create_for_next(NULL);
		grpc_server_register_completion_queue(srv, w[i].cq, NULL);
	}
	creds = grpc_insecure_server_credentials_create();
	port = grpc_server_add_http2_port(srv, listen, creds);
	grpc_server_credentials_release(creds);
	if (port == 0)
		fatalx("cannot listen on %s", listen);
	grpc_server_start(srv);
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&w[i].thread, NULL, echod_worker, &w[i]) != 0)
			fatalx("cannot start a thread");
	if (port_file != NULL) {
		if ((f = fopen(port_file, "w")) == NULL)
			fatalx("cannot write %s", port_file);
		fprintf(f, "%d\n", port);
		fclose(f);
	}
	sigwait(&sigs, &sig);

	atomic_store(&echod_stopping, 1);
	grpc_server_shutdown_and_notify(srv, w[0].cq, &echod_shutdown);
	grpc_server_cancel_all_calls(srv);
	sem_wait(&echod_stopped);
	grpc_server_destroy(srv);
	for (long i = 0; i < nthreads; i++)
		grpc_completion_queue_shutdown(w[i].cq);
	for (long i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		grpc_completion_queue_destroy(w[i].cq);
	}
	free(w);
	grpc_shutdown();
	return 0;
}
