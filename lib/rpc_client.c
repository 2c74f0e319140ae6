/*
 * rpc_client.c: the client half of lib/rpc.h.  One channel per process;
 * each unary call runs one batch on a private pluck queue and waits for it,
 * which suits the single-threaded consoles and the test tools.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "log.h"
#include "rpc.h"

#define RPC_MAX_MD 16

struct rpc_client {
	grpc_channel *channel;
	char *target;
};

struct rpc_client *
rpc_client_new(const struct rpc_client_opts *opts, char *err, size_t errlen)
{
	struct rpc_client *cl;
	grpc_channel_credentials *creds;
	grpc_arg args[5];
	grpc_channel_args cargs = {.num_args = 0, .args = args};
	grpc_ssl_pem_key_cert_pair pair;

	/* A restarted daemon should be found within a couple of seconds, not
	 * after core's default back-off of up to two minutes. */
	args[cargs.num_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
	    .key = GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, .value.integer = 250};
	args[cargs.num_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
	    .key = GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, .value.integer = 250};
	args[cargs.num_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
	    .key = GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, .value.integer = 2000};
	/* The largest answer a screen takes whole: a research sample of the
	 * daemon's 100,000-row cap is about 7 MB, over core's 4 MiB default.
	 * Bank files, larger still, come in 1 MiB chunks. */
	args[cargs.num_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
	    .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
	    .value.integer = 16 * 1024 * 1024};
	if (opts->tls_server_name != NULL)
		args[cargs.num_args++] = (grpc_arg){.type = GRPC_ARG_STRING,
		    .key = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
		    .value.string = (char *)opts->tls_server_name};

	if (opts->target == NULL || *opts->target == '\0') {
		snprintf(err, errlen, "no server address given");
		return NULL;
	}
	if (opts->tls_ca_pem != NULL) {
		if ((opts->tls_cert_pem == NULL) != (opts->tls_key_pem == NULL)) {
			snprintf(err, errlen, "a client certificate needs its "
			    "key, and a key its certificate");
			return NULL;
		}
		pair.private_key = opts->tls_key_pem;
		pair.cert_chain = opts->tls_cert_pem;
		creds = grpc_ssl_credentials_create(opts->tls_ca_pem,
		    opts->tls_cert_pem != NULL ? &pair : NULL, NULL, NULL);
	} else {
		if (opts->tls_cert_pem != NULL) {
			snprintf(err, errlen, "a client certificate needs TLS: "
			    "give the server's CA as well");
			return NULL;
		}
		creds = grpc_insecure_credentials_create();
	}
	if (creds == NULL) {
		snprintf(err, errlen, "could not create channel credentials");
		return NULL;
	}
	if ((cl = calloc(1, sizeof *cl)) == NULL)
		fatalx("out of memory");
	cl->target = strdup(opts->target);
	cl->channel = grpc_channel_create(opts->target, creds, &cargs);
	grpc_channel_credentials_release(creds);
	if (cl->channel == NULL || cl->target == NULL) {
		snprintf(err, errlen, "could not open a channel to %s",
		    opts->target);
		rpc_client_free(cl);
		return NULL;
	}
	return cl;
}

void
rpc_client_free(struct rpc_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->channel != NULL)
		grpc_channel_destroy(cl->channel);
	free(cl->target);
	free(cl);
}

static void
rpc_copy_msg(char *msg, size_t msglen, grpc_slice s)
{
	size_t n = GRPC_SLICE_LENGTH(s);

	if (msglen == 0)
		return;
	if (n >= msglen)
		n = msglen - 1;
	memcpy(msg, GRPC_SLICE_START_PTR(s), n);
	msg[n] = '\0';
}

grpc_status_code
rpc_call(struct rpc_client *cl, const ProtobufCServiceDescriptor *svc,
    unsigned index, const ProtobufCMessage *req, ProtobufCMessage **resp,
    long deadline_ms, const char *const *md, char *msg, size_t msglen)
{
	const ProtobufCMethodDescriptor *m;
	grpc_completion_queue *cq;
	grpc_call *call;
	grpc_metadata meta[RPC_MAX_MD];
	grpc_metadata_array recv_md, trail_md;
	grpc_byte_buffer *send = NULL, *recv = NULL;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice(), method, out;
	grpc_op ops[6], *op = ops;
	grpc_event ev;
	gpr_timespec deadline;
	size_t nmd = 0, len;
	char path[256];

	*resp = NULL;
	if (msglen > 0)
		msg[0] = '\0';
	if (index >= svc->n_methods) {
		snprintf(msg, msglen, "no method %u in %s", index, svc->name);
		return GRPC_STATUS_INTERNAL;
	}
	m = &svc->methods[index];
	snprintf(path, sizeof path, "/%s/%s", svc->name, m->name);

	for (; md != NULL && md[0] != NULL && nmd < RPC_MAX_MD; md += 2) {
		meta[nmd] = (grpc_metadata){
		    .key = grpc_slice_from_copied_string(md[0]),
		    .value = grpc_slice_from_copied_string(md[1])};
		nmd++;
	}

	len = protobuf_c_message_get_packed_size(req);
	out = grpc_slice_malloc(len);
	protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(out));
	send = grpc_raw_byte_buffer_create(&out, 1);
	grpc_slice_unref(out);

	cq = grpc_completion_queue_create_for_pluck(NULL);
	deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(deadline_ms, GPR_TIMESPAN));
	method = grpc_slice_from_copied_string(path);
	call = grpc_channel_create_call(cl->channel, NULL,
	    GRPC_PROPAGATE_DEFAULTS, cq, method, NULL, deadline, NULL);
	grpc_slice_unref(method);

	grpc_metadata_array_init(&recv_md);
	grpc_metadata_array_init(&trail_md);
	memset(ops, 0, sizeof ops);
	op->op = GRPC_OP_SEND_INITIAL_METADATA;
	op->data.send_initial_metadata.count = nmd;
	op->data.send_initial_metadata.metadata = nmd ? meta : NULL;
	op++;
	op->op = GRPC_OP_SEND_MESSAGE;
	op->data.send_message.send_message = send;
	op++;
	op->op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	op++;
	op->op = GRPC_OP_RECV_INITIAL_METADATA;
	op->data.recv_initial_metadata.recv_initial_metadata = &recv_md;
	op++;
	op->op = GRPC_OP_RECV_MESSAGE;
	op->data.recv_message.recv_message = &recv;
	op++;
	op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	op->data.recv_status_on_client.trailing_metadata = &trail_md;
	op->data.recv_status_on_client.status = &status;
	op->data.recv_status_on_client.status_details = &details;
	op++;

	if (grpc_call_start_batch(call, ops, (size_t)(op - ops), call, NULL) !=
	    GRPC_CALL_OK) {
		snprintf(msg, msglen, "could not start the call");
		status = GRPC_STATUS_INTERNAL;
		grpc_call_cancel(call, NULL);
	}
	/* Core completes the batch by the deadline at the latest. */
	ev = grpc_completion_queue_pluck(cq, call,
	    gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	(void)ev;

	if (status == GRPC_STATUS_OK) {
		if (recv == NULL) {
			snprintf(msg, msglen, "the server sent no reply");
			status = GRPC_STATUS_INTERNAL;
		} else {
			grpc_byte_buffer_reader r;
			grpc_slice all;

			grpc_byte_buffer_reader_init(&r, recv);
			all = grpc_byte_buffer_reader_readall(&r);
			grpc_byte_buffer_reader_destroy(&r);
			*resp = protobuf_c_message_unpack(m->output, NULL,
			    GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
			grpc_slice_unref(all);
			if (*resp == NULL) {
				snprintf(msg, msglen, "the reply does not "
				    "decode as %s", m->output->name);
				status = GRPC_STATUS_INTERNAL;
			}
		}
	} else if (msglen > 0 && msg[0] == '\0') {
		rpc_copy_msg(msg, msglen, details);
	}

	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&recv_md);
	grpc_metadata_array_destroy(&trail_md);
	if (recv != NULL)
		grpc_byte_buffer_destroy(recv);
	grpc_byte_buffer_destroy(send);
	for (size_t i = 0; i < nmd; i++) {
		grpc_slice_unref(meta[i].key);
		grpc_slice_unref(meta[i].value);
	}
	grpc_call_unref(call);
	grpc_completion_queue_shutdown(cq);
	grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME),
	    NULL);
	grpc_completion_queue_destroy(cq);
	return status;
}
