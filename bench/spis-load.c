/*
 * spis-load: the benchmark's load client, a separate process driving a
 * server over gRPC core with a fixed number of calls in flight on one
 * channel (one HTTP/2 connection), each answered call replaced by the next
 * at once.  Single-threaded on one completion queue, so that the client
 * costs as little CPU as it can on a machine it shares with the server.
 *
 *   spis-load --target ADDR [--token T] [--streams K] [--seconds S]
 *             [--warmup S] [--input FILE] KIND
 *   spis-load --target ADDR login USER PASSWORD    prints a session token
 *   spis-load --target ADDR --token T --approver-token T2 --input FILE payrun
 *   spis-load --target ADDR --token T renewal AS_OF
 *
 * KIND is the call made:
 *   echo             /spistest.Echo/Echo (the bare server)
 *   health           /grpc.health.v1.Health/Check
 *   status           Applications/GetStatus          input: REF BIRTH
 *   status-helpdesk  Applications/GetStatusForHelpdesk  input: REF BIRTH
 *   get-application  Applications/GetApplication     input: REF
 *   get-person       Registry/GetPerson              input: ID
 *   search           Registry/SearchPeople           input: ID SURNAME MUNI
 *   register         Registry/RegisterPerson, new people with serials
 *                    900-999 (spis-gen leaves them free)
 *   submit           Applications/Submit BIRTH-grant, input: ID (each used
 *                    once; spis-gen never applies for BIRTH)
 * Input lines are tab-separated; call i takes line i (modulo their count).
 *
 * Prints one line of key=value: calls, ok, errors, seconds, rate (calls
 * per second), p50_ms, p99_ms.  The first error's status and message go
 * to stderr.  Exits 1 when every call failed.
 *
 * The jobs are one call at a time, each step timed:
 *   payrun   for each input line PROGRAMME PERIOD: Payments/CreateRun
 *            (--token), ApproveRun (--approver-token: four eyes),
 *            ExportRun (--token).  Prints runs, payments, total and the
 *            seconds of each step summed over the runs; rate is payments
 *            per second of the three.
 *   renewal  Benefits/StartRenewal as of AS_OF, then GetRenewalJob until
 *            it is done.  Prints the job's counts, seconds and rate
 *            (benefits processed per second).
 * Any failed call ends a job with its status on stderr and exit 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <sodium.h>

#include "echo.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "spis/v1/applications.pb-c.h"
#include "spis/v1/auth.pb-c.h"
#include "spis/v1/benefits.pb-c.h"
#include "spis/v1/exchange.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "log.h"
#include "natid.h"
#include "rpc.h"

#define LOAD_MAX_STREAMS 1024
#define LOAD_DEADLINE_MS 10000

enum load_kind {
	K_ECHO, K_HEALTH, K_STATUS, K_STATUS_HELPDESK, K_GET_APPLICATION,
	K_GET_PERSON, K_SEARCH, K_REGISTER, K_SUBMIT,
};

static const struct {
	const char *name, *path;
	int fields;	/* input fields needed; 0: no input */
} load_kinds[] = {
	[K_ECHO] = {"echo", "/spistest.Echo/Echo", 0},
	[K_HEALTH] = {"health", "/grpc.health.v1.Health/Check", 0},
	[K_STATUS] = {"status", "/spis.v1.Applications/GetStatus", 2},
	[K_STATUS_HELPDESK] = {"status-helpdesk",
	    "/spis.v1.Applications/GetStatusForHelpdesk", 2},
	[K_GET_APPLICATION] = {"get-application",
	    "/spis.v1.Applications/GetApplication", 1},
	[K_GET_PERSON] = {"get-person", "/spis.v1.Registry/GetPerson", 1},
	[K_SEARCH] = {"search", "/spis.v1.Registry/SearchPeople", 3},
	[K_REGISTER] = {"register", "/spis.v1.Registry/RegisterPerson", 0},
	[K_SUBMIT] = {"submit", "/spis.v1.Applications/Submit", 1},
};
#define LOAD_NKINDS (sizeof load_kinds / sizeof load_kinds[0])

/* One call in flight. */
struct load_slot {
	grpc_call *call;
	grpc_metadata_array initial, trailing;
	grpc_byte_buffer *send, *recv;
	grpc_status_code status;
	grpc_slice details;
	double started;
};

struct load {
	enum load_kind kind;
	grpc_channel *ch;
	grpc_completion_queue *cq;
	grpc_slice path;
	grpc_metadata md[1];
	size_t nmd;
	char ***fields;	/* input lines, split at tabs */
	size_t nlines;
	long next;	/* calls made so far: the index of the next */
	long ok, errors;
	double *lat;	/* latencies of measured calls, ms */
	size_t nlat, caplat;
	int reported;
	char runid[24];
};

static double
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the input file into lines of tab-separated fields. */
static void
load_input(struct load *l, const char *path, int need)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t n;

	if (f == NULL)
		fatalx("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0) {
		char **fs;
		int nf = 0;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (l->nlines == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			l->fields = realloc(l->fields, alloc * sizeof *l->fields);
			if (l->fields == NULL)
				fatalx("out of memory");
		}
		if ((fs = calloc(4, sizeof *fs)) == NULL ||
		    (fs[0] = strdup(line)) == NULL)
			fatalx("out of memory");
		for (char *p = fs[0]; nf < 3 &&
		    (p = strchr(p, '\t')) != NULL; nf++) {
			*p++ = '\0';
			fs[nf + 1] = p;
		}
		if (nf + 1 < need)
			fatalx("%s: line %zu has %d fields, %d needed", path,
			    l->nlines + 1, nf + 1, need);
		l->fields[l->nlines++] = fs;
	}
	free(line);
	fclose(f);
	if (l->nlines == 0)
		fatalx("%s: no input lines", path);
}

/* A new person's code for call i: a birth day from 1950 on, both sexes,
 * serials 900-999, which spis-gen never hands out. */
static void
load_new_code(long i, char out[12], char birth[11], char *sex)
{
	struct tm tm = {.tm_year = 50, .tm_mon = 0, .tm_mday = 1 +
	    (int)(i / 200), .tm_hour = 12};
	char why[128];
	time_t t;

	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(birth, 11, "%Y-%m-%d", &tm);
	*sex = i % 2 ? 'F' : 'M';
	for (int k = 0; k <= 9; k++) {
		snprintf(out, 12, "%c%.2s%.2s%.2s%03d%d", (birth[0] == '1' ?
		    '3' : '5') + (*sex == 'F'), birth + 2, birth + 5,
		    birth + 8, 900 + (int)((i / 2) % 100), k);
		if (natid_check("LT", out, NULL, why, sizeof why) == 0)
			return;
	}
	fatalx("no check digit for %s", out);
}

/* The first four letters of a surname (UTF-8), the prefix searched. */
static void
load_prefix(const char *s, char *out, size_t len)
{
	size_t n = 0;
	int letters = 0;

	while (s[n] != '\0' && letters < 4) {
		n++;
		while (((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
		letters++;
	}
	snprintf(out, len, "%.*s", (int)n, s);
}

/* Packs the request of call i. */
static grpc_byte_buffer *
load_request(struct load *l, long i)
{
	char **f = l->nlines ? l->fields[(size_t)i % l->nlines] : NULL;
	char rid[64], id[12], birth[11], sex[2] = "", prefix[64];
	ProtobufCMessage *m;
	Spistest__EchoMsg echo = SPISTEST__ECHO_MSG__INIT;
	Grpc__Health__V1__HealthCheckRequest health =
	    GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Spis__V1__StatusRequest status = SPIS__V1__STATUS_REQUEST__INIT;
	Spis__V1__GetApplicationRequest getapp =
	    SPIS__V1__GET_APPLICATION_REQUEST__INIT;
	Spis__V1__GetPersonRequest getp = SPIS__V1__GET_PERSON_REQUEST__INIT;
	Spis__V1__SearchPeopleRequest search =
	    SPIS__V1__SEARCH_PEOPLE_REQUEST__INIT;
	Spis__V1__RegisterPersonRequest reg =
	    SPIS__V1__REGISTER_PERSON_REQUEST__INIT;
	Spis__V1__Person person = SPIS__V1__PERSON__INIT;
	Spis__V1__SubmitRequest sub = SPIS__V1__SUBMIT_REQUEST__INIT;
	Spis__V1__Declared decl = SPIS__V1__DECLARED__INIT;
	grpc_byte_buffer *bb;
	grpc_slice s;
	size_t len;

	snprintf(rid, sizeof rid, "bench-%s-%ld", l->runid, i);
	switch (l->kind) {
	case K_ECHO:
		echo.text = "ping";
		m = &echo.base;
		break;
	case K_HEALTH:
		m = &health.base;
		break;
	case K_STATUS:
	case K_STATUS_HELPDESK:
		status.reference = f[0];
		status.birth_date = f[1];
		m = &status.base;
		break;
	case K_GET_APPLICATION:
		getapp.reference = f[0];
		m = &getapp.base;
		break;
	case K_GET_PERSON:
		getp.national_id = f[0];
		getp.purpose = "case_work";
		m = &getp.base;
		break;
	case K_SEARCH:
		load_prefix(f[1], prefix, sizeof prefix);
		search.surname = prefix;
		search.municipality = f[2];
		search.purpose = "case_work";
		m = &search.base;
		break;
	case K_REGISTER:
		load_new_code(i, id, birth, sex);
		person.national_id = id;
		person.given_names = sex[0] == 'F' ? "Rūta" : "Žygimantas";
		person.surname = sex[0] == 'F' ? "Bandomoji" : "Bandomasis";
		person.birth_date = birth;
		person.sex = sex;
		person.municipality = "13";
		person.address = "Gedimino pr. 1, Vilnius";
		reg.request_id = rid;
		reg.person = &person;
		reg.reason = "benchmark";
		m = &reg.base;
		break;
	case K_SUBMIT:
		if ((size_t)i >= l->nlines)
			fatalx("submit: more calls than input lines (%zu)",
			    l->nlines);
		sub.request_id = rid;
		sub.programme = "BIRTH";
		sub.national_id = f[0];
		sub.channel = "office";
		decl.monthly_income = 80000;
		decl.assets = 0;
		decl.confirmed = 1;
		sub.declared = &decl;
		m = &sub.base;
		break;
	default:
		fatalx("kind");
	}
	len = protobuf_c_message_get_packed_size(m);
	s = grpc_slice_malloc(len);
	protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
	bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

static void
load_start(struct load *l, struct load_slot *s)
{
	grpc_op ops[6], *op = ops;
	gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(LOAD_DEADLINE_MS, GPR_TIMESPAN));

	memset(ops, 0, sizeof ops);
	s->send = load_request(l, l->next++);
	s->recv = NULL;
	s->status = GRPC_STATUS_UNKNOWN;
	s->details = grpc_empty_slice();
	grpc_metadata_array_init(&s->initial);
	grpc_metadata_array_init(&s->trailing);
	s->call = grpc_channel_create_call(l->ch, NULL, GRPC_PROPAGATE_DEFAULTS,
	    l->cq, l->path, NULL, deadline, NULL);
	op->op = GRPC_OP_SEND_INITIAL_METADATA;
	op->data.send_initial_metadata.count = l->nmd;
	op->data.send_initial_metadata.metadata = l->nmd ? l->md : NULL;
	op++;
	op->op = GRPC_OP_SEND_MESSAGE;
	op->data.send_message.send_message = s->send;
	op++;
	op->op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	op++;
	op->op = GRPC_OP_RECV_INITIAL_METADATA;
	op->data.recv_initial_metadata.recv_initial_metadata = &s->initial;
	op++;
	op->op = GRPC_OP_RECV_MESSAGE;
	op->data.recv_message.recv_message = &s->recv;
	op++;
	op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	op->data.recv_status_on_client.trailing_metadata = &s->trailing;
	op->data.recv_status_on_client.status = &s->status;
	op->data.recv_status_on_client.status_details = &s->details;
	op++;
	s->started = load_now();
	if (grpc_call_start_batch(s->call, ops, (size_t)(op - ops), s, NULL) !=
	    GRPC_CALL_OK)
		fatalx("cannot start a call");
}

/* Records a finished call (when measure is set) and frees its state. */
static void
load_finish(struct load *l, struct load_slot *s, int measure)
{
	double ms = (load_now() - s->started) * 1000.0;

	if (measure) {
		if (s->status == GRPC_STATUS_OK && s->recv != NULL) {
			l->ok++;
			if (l->nlat == l->caplat) {
				l->caplat = l->caplat ? l->caplat * 2 : 65536;
				if ((l->lat = realloc(l->lat, l->caplat *
				    sizeof *l->lat)) == NULL)
					fatalx("out of memory");
			}
			l->lat[l->nlat++] = ms;
		} else {
			l->errors++;
			if (!l->reported++) {
				char *d = grpc_slice_to_c_string(s->details);

				fprintf(stderr, "spis-load: %s: %s: %s\n",
				    load_kinds[l->kind].name,
				    rpc_status_name(s->status), d);
				gpr_free(d);
			}
		}
	}
	grpc_slice_unref(s->details);
	grpc_metadata_array_destroy(&s->initial);
	grpc_metadata_array_destroy(&s->trailing);
	grpc_byte_buffer_destroy(s->send);
	if (s->recv != NULL)
		grpc_byte_buffer_destroy(s->recv);
	grpc_call_unref(s->call);
	s->call = NULL;
}

static int
load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
load_pct(const struct load *l, double p)
{
	size_t i;

	if (l->nlat == 0)
		return 0;
	i = (size_t)(p * (double)(l->nlat - 1) + 0.5);
	return l->lat[i];
}

/* Runs the load: warmup seconds unmeasured, then seconds measured. */
static void
load_run(struct load *l, int streams, double warmup, double seconds)
{
	struct load_slot *slots = calloc((size_t)streams, sizeof *slots);
	double t0 = load_now(), t1 = t0 + warmup, t2 = t1 + seconds, end;
	int inflight = 0, measuring = warmup <= 0;

	if (slots == NULL)
		fatalx("out of memory");
	for (int i = 0; i < streams; i++, inflight++)
		load_start(l, &slots[i]);
	while (inflight > 0) {
		grpc_event ev = grpc_completion_queue_next(l->cq,
		    gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
		struct load_slot *s = ev.tag;
		double now;

		if (ev.type != GRPC_OP_COMPLETE)
			fatalx("completion queue: event %d", ev.type);
		now = load_now();
		/* A call counts when it finished in the measured window;
		 * its latency is its own, wherever it started. */
		load_finish(l, s, measuring && now <= t2);
		if (!measuring && now >= t1)
			measuring = 1;
		inflight--;
		if (now < t2 && (l->kind != K_SUBMIT ||
		    (size_t)l->next < l->nlines)) {
			load_start(l, s);
			inflight++;
		}
	}
	end = load_now();
	if (end > t2)
		end = t2;
	qsort(l->lat, l->nlat, sizeof *l->lat, load_cmp);
	printf("kind=%s streams=%d calls=%ld ok=%ld errors=%ld seconds=%.3f "
	    "rate=%.0f p50_ms=%.3f p99_ms=%.3f\n", load_kinds[l->kind].name,
	    streams, l->ok + l->errors, l->ok, l->errors, end - t1,
	    (double)l->ok / (end - t1), load_pct(l, 0.50), load_pct(l, 0.99));
	free(slots);
}

/* ------------------------------------------------------------------------
 * Jobs: a payment run and a renewal over the registry, one call at a time,
 * each step timed.
 */

/* Calls in a job may take minutes: a run over the nation's benefits. */
#define LOAD_JOB_DEADLINE_MS (60L * 60 * 1000)
/* As the console polls a job: once a second.  Each poll counts the job's
 * renewals, so polling faster slows the job it measures. */
#define LOAD_POLL_MS 1000

/*
 * One unary call of path on ch with the bearer token (NULL for none):
 * packs req, waits for the answer and unpacks it as out_desc into *resp,
 * which the caller frees with protobuf_c_message_free_unpacked.  The
 * status's message goes into msg.
 */
static grpc_status_code
load_unary(grpc_channel *ch, const char *path, const char *token,
    const ProtobufCMessage *req, const ProtobufCMessageDescriptor *out_desc,
    ProtobufCMessage **resp, size_t *resp_bytes, char *msg, size_t msglen)
{
	grpc_completion_queue *cq;
	grpc_metadata md[1];
	grpc_metadata_array initial, trailing;
	grpc_byte_buffer *send, *recv = NULL;
	grpc_byte_buffer_reader rd;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice(), s, all;
	grpc_op ops[6], *op = ops;
	grpc_call *call;
	grpc_event ev;
	char bearer[512], *d;
	gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(LOAD_JOB_DEADLINE_MS, GPR_TIMESPAN));
	size_t len, nmd = 0;
	grpc_slice gpath = grpc_slice_from_static_string(path);

	cq = grpc_completion_queue_create_for_pluck(NULL);
	*resp = NULL;
	if (resp_bytes != NULL)
		*resp_bytes = 0;
	if (token != NULL && strncmp(token, "inst:", 5) == 0) {
		/* An institution's token, not an officer's session. */
		md[0].key = grpc_slice_from_static_string("x-spis-institution");
		md[0].value = grpc_slice_from_copied_string(token + 5);
		nmd = 1;
	} else if (token != NULL) {
		snprintf(bearer, sizeof bearer, "Bearer %s", token);
		md[0].key = grpc_slice_from_static_string("authorization");
		md[0].value = grpc_slice_from_copied_string(bearer);
		nmd = 1;
	}
	len = protobuf_c_message_get_packed_size(req);
	s = grpc_slice_malloc(len);
	protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(s));
	send = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	grpc_metadata_array_init(&initial);
	grpc_metadata_array_init(&trailing);
	call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
	    gpath, NULL, deadline, NULL);
	memset(ops, 0, sizeof ops);
	op->op = GRPC_OP_SEND_INITIAL_METADATA;
	op->data.send_initial_metadata.count = nmd;
	op->data.send_initial_metadata.metadata = nmd ? md : NULL;
	op++;
	op->op = GRPC_OP_SEND_MESSAGE;
	op->data.send_message.send_message = send;
	op++;
	op->op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	op++;
	op->op = GRPC_OP_RECV_INITIAL_METADATA;
	op->data.recv_initial_metadata.recv_initial_metadata = &initial;
	op++;
	op->op = GRPC_OP_RECV_MESSAGE;
	op->data.recv_message.recv_message = &recv;
	op++;
	op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	op->data.recv_status_on_client.trailing_metadata = &trailing;
	op->data.recv_status_on_client.status = &status;
	op->data.recv_status_on_client.status_details = &details;
	op++;
	if (grpc_call_start_batch(call, ops, (size_t)(op - ops), call, NULL) !=
	    GRPC_CALL_OK)
		fatalx("cannot start a call");
	ev = grpc_completion_queue_pluck(cq, call, gpr_inf_future(
	    GPR_CLOCK_MONOTONIC), NULL);
	if (ev.type != GRPC_OP_COMPLETE)
		fatalx("completion queue: event %d", ev.type);
	d = grpc_slice_to_c_string(details);
	snprintf(msg, msglen, "%s", d);
	gpr_free(d);
	if (status == GRPC_STATUS_OK && recv != NULL) {
		grpc_byte_buffer_reader_init(&rd, recv);
		all = grpc_byte_buffer_reader_readall(&rd);
		grpc_byte_buffer_reader_destroy(&rd);
		if (resp_bytes != NULL)
			*resp_bytes = GRPC_SLICE_LENGTH(all);
		*resp = protobuf_c_message_unpack(out_desc, NULL,
		    GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
		grpc_slice_unref(all);
		if (*resp == NULL) {
			status = GRPC_STATUS_INTERNAL;
			snprintf(msg, msglen, "cannot decode the answer");
		}
	} else if (status == GRPC_STATUS_OK) {
		status = GRPC_STATUS_INTERNAL;
		snprintf(msg, msglen, "no answer");
	}
	if (recv != NULL)
		grpc_byte_buffer_destroy(recv);
	grpc_byte_buffer_destroy(send);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&initial);
	grpc_metadata_array_destroy(&trailing);
	grpc_call_unref(call);
	if (nmd)
		grpc_slice_unref(md[0].value);
	grpc_completion_queue_shutdown(cq);
	grpc_completion_queue_destroy(cq);
	return status;
}

/* Fails the job with the call's status. */
static void
load_job_fail(const char *what, grpc_status_code st, const char *msg)
{
	fatalx("%s: %s: %s", what, rpc_status_name(st), msg);
}

/*
 * Exports run id and returns the bytes of the bank file; *payments is the
 * run's count as exported.  ExportRun answers the whole pain.001 in one
 * message today; when the file comes in chunks, this is the one place to
 * fetch them all.
 */
static size_t
load_export(grpc_channel *ch, const char *token, const char *rid,
    int64_t id, int64_t *payments)
{
	Spis__V1__RunActionRequest req = SPIS__V1__RUN_ACTION_REQUEST__INIT;
	Spis__V1__GetExportChunkRequest creq =
	    SPIS__V1__GET_EXPORT_CHUNK_REQUEST__INIT;
	Spis__V1__ExportReply *rep;
	Spis__V1__ExportChunk *chunk;
	crypto_hash_sha256_state h;
	unsigned char digest[32];
	char hex[65], want[65];
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];
	int64_t size, got;

	req.request_id = (char *)rid;
	req.run_id = id;
	st = load_unary(ch, "/spis.v1.Payments/ExportRun", token, &req.base,
	    &spis__v1__export_reply__descriptor, &resp, NULL, msg, sizeof msg);
	if (st != GRPC_STATUS_OK)
		load_job_fail("ExportRun", st, msg);
	rep = (Spis__V1__ExportReply *)resp;
	*payments = rep->run != NULL ? rep->run->count : 0;
	size = rep->size;
	got = (int64_t)rep->xml.len;
	snprintf(want, sizeof want, "%s", rep->sha256);
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, rep->xml.data, rep->xml.len);
	protobuf_c_message_free_unpacked(resp, NULL);
	/* The rest of the file, a chunk at a time, as a console downloads
	 * it; the time counts the whole file, checked. */
	while (got < size) {
		creq.run_id = id;
		creq.offset = got;
		st = load_unary(ch, "/spis.v1.Payments/GetExportChunk", token,
		    &creq.base, &spis__v1__export_chunk__descriptor, &resp,
		    NULL, msg, sizeof msg);
		if (st != GRPC_STATUS_OK)
			load_job_fail("GetExportChunk", st, msg);
		chunk = (Spis__V1__ExportChunk *)resp;
		if (chunk->offset != got || chunk->data.len == 0)
			fatalx("run %" PRId64 ": chunk at %" PRId64 " is "
			    "wrong", id, got);
		crypto_hash_sha256_update(&h, chunk->data.data,
		    chunk->data.len);
		got += (int64_t)chunk->data.len;
		protobuf_c_message_free_unpacked(resp, NULL);
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	if (strcmp(hex, want) != 0)
		fatalx("run %" PRId64 ": the exported file does not match its "
		    "sha256", id);
	return (size_t)size;
}

/*
 * A payment run for each line PROGRAMME PERIOD of the input: CreateRun as
 * the officer of --token, ApproveRun as the one of --approver-token (four
 * eyes), ExportRun as the first.  A run with no payments is cancelled
 * and not counted.  Prints the seconds of each step summed over the runs.
 */
static int
load_payrun(struct load *l, const char *token, const char *approver)
{
	double t, create_s = 0, approve_s = 0, export_s = 0;
	int64_t payments = 0, total = 0, exported = 0, n;
	size_t bytes = 0;
	long runs = 0;
	char rid[96], msg[512];
	grpc_status_code st;

	if (token == NULL || approver == NULL)
		fatalx("payrun needs --token and --approver-token");
	for (size_t i = 0; i < l->nlines; i++) {
		Spis__V1__CreateRunRequest cr =
		    SPIS__V1__CREATE_RUN_REQUEST__INIT;
		Spis__V1__RunActionRequest act =
		    SPIS__V1__RUN_ACTION_REQUEST__INIT;
		Spis__V1__PaymentRun *run;
		ProtobufCMessage *resp;
		int64_t id;

		snprintf(rid, sizeof rid, "bench-%s-create-%zu", l->runid, i);
		cr.request_id = rid;
		cr.programme = l->fields[i][0];
		cr.period = l->fields[i][1];
		t = load_now();
		st = load_unary(l->ch, "/spis.v1.Payments/CreateRun", token,
		    &cr.base, &spis__v1__payment_run__descriptor, &resp, NULL,
		    msg, sizeof msg);
		create_s += load_now() - t;
		if (st != GRPC_STATUS_OK)
			load_job_fail("CreateRun", st, msg);
		run = (Spis__V1__PaymentRun *)resp;
		id = run->id;
		n = run->count;
		total += run->total;
		protobuf_c_message_free_unpacked(resp, NULL);
		act.run_id = id;
		if (n == 0) {
			snprintf(rid, sizeof rid, "bench-%s-cancel-%zu",
			    l->runid, i);
			act.request_id = rid;
			act.reason = "benchmark: no payments";
			st = load_unary(l->ch, "/spis.v1.Payments/CancelRun",
			    token, &act.base,
			    &spis__v1__payment_run__descriptor, &resp, NULL,
			    msg, sizeof msg);
			if (st != GRPC_STATUS_OK)
				load_job_fail("CancelRun", st, msg);
			protobuf_c_message_free_unpacked(resp, NULL);
			continue;
		}
		snprintf(rid, sizeof rid, "bench-%s-approve-%zu", l->runid, i);
		act.request_id = rid;
		t = load_now();
		st = load_unary(l->ch, "/spis.v1.Payments/ApproveRun",
		    approver, &act.base, &spis__v1__payment_run__descriptor,
		    &resp, NULL, msg, sizeof msg);
		approve_s += load_now() - t;
		if (st != GRPC_STATUS_OK)
			load_job_fail("ApproveRun", st, msg);
		protobuf_c_message_free_unpacked(resp, NULL);
		snprintf(rid, sizeof rid, "bench-%s-export-%zu", l->runid, i);
		t = load_now();
		bytes += load_export(l->ch, token, rid, id, &exported);
		export_s += load_now() - t;
		if (exported != n)
			fatalx("run %" PRId64 ": %" PRId64 " payments "
			    "created, %" PRId64 " exported", id, n, exported);
		payments += n;
		runs++;
	}
	t = create_s + approve_s + export_s;
	printf("kind=payrun runs=%ld payments=%" PRId64 " total=%" PRId64
	    " create_s=%.3f approve_s=%.3f export_s=%.3f export_bytes=%zu "
	    "seconds=%.3f rate=%.0f\n", runs, payments, total, create_s,
	    approve_s, export_s, bytes, t, t > 0 ? (double)payments / t : 0);
	return runs > 0 ? 0 : 1;
}

/*
 * A renewal job as of as_of: StartRenewal, then GetRenewalJob every
 * LOAD_POLL_MS until it is done.  The job runs on the daemon's own
 * thread; the time is from the call to the first poll that finds it done.
 */
static int
load_renewal(struct load *l, const char *token, const char *as_of)
{
	Spis__V1__StartRenewalRequest sr =
	    SPIS__V1__START_RENEWAL_REQUEST__INIT;
	Spis__V1__GetRenewalJobRequest gr =
	    SPIS__V1__GET_RENEWAL_JOB_REQUEST__INIT;
	Spis__V1__RenewalJob *job;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[96], msg[512];
	double t0 = load_now(), t;
	int done, rc = 1;

	if (token == NULL)
		fatalx("renewal needs --token");
	snprintf(rid, sizeof rid, "bench-%s-renewal", l->runid);
	sr.request_id = rid;
	sr.as_of = (char *)as_of;
	st = load_unary(l->ch, "/spis.v1.Benefits/StartRenewal", token,
	    &sr.base, &spis__v1__renewal_job__descriptor, &resp, NULL, msg,
	    sizeof msg);
	if (st != GRPC_STATUS_OK)
		load_job_fail("StartRenewal", st, msg);
	gr.job_id = ((Spis__V1__RenewalJob *)resp)->id;
	protobuf_c_message_free_unpacked(resp, NULL);
	for (;;) {
		st = load_unary(l->ch, "/spis.v1.Benefits/GetRenewalJob", token,
		    &gr.base, &spis__v1__renewal_job__descriptor, &resp, NULL,
		    msg, sizeof msg);
		if (st != GRPC_STATUS_OK)
			load_job_fail("GetRenewalJob", st, msg);
		job = (Spis__V1__RenewalJob *)resp;
		done = strcmp(job->state, "running") != 0;
		if (done) {
			t = load_now() - t0;
			printf("kind=renewal job=%" PRId64 " due=%" PRId64
			    " processed=%" PRId64 " eligible=%" PRId64
			    " not_eligible=%" PRId64 " failed=%" PRId64
			    " seconds=%.3f rate=%.0f\n", job->id, job->due,
			    job->processed, job->eligible, job->not_eligible,
			    job->failed, t, t > 0 ? (double)job->processed / t :
			    0);
			rc = job->processed > 0 ? 0 : 1;
			protobuf_c_message_free_unpacked(resp, NULL);
			break;
		}
		protobuf_c_message_free_unpacked(resp, NULL);
		usleep(LOAD_POLL_MS * 1000);
	}
	return rc;
}

/* Logs in through the PAM conversation, answering every prompt with the
 * password, and prints the session's token. */
static int
load_login(const char *target, const char *user, const char *password)
{
	struct rpc_client_opts co = {.target = target};
	Spis__V1__StartLoginRequest start = SPIS__V1__START_LOGIN_REQUEST__INIT;
	Spis__V1__ContinueLoginRequest cont =
	    SPIS__V1__CONTINUE_LOGIN_REQUEST__INIT;
	Spis__V1__LoginStep *step = NULL;
	ProtobufCMessage *resp;
	struct rpc_client *cl;
	char err[256], msg[512], *answers[4];
	grpc_status_code st;
	int rc = 1;

	if ((cl = rpc_client_new(&co, err, sizeof err)) == NULL)
		fatalx("%s", err);
	start.username = (char *)user;
	st = rpc_call(cl, &spis__v1__auth__descriptor, 0, &start.base, &resp,
	    LOAD_DEADLINE_MS, NULL, msg, sizeof msg);
	for (int round = 0; st == GRPC_STATUS_OK && round < 4; round++) {
		step = (Spis__V1__LoginStep *)resp;
		if (step->session != NULL && step->session->token[0] != '\0') {
			printf("%s\n", step->session->token);
			rc = 0;
			break;
		}
		if (step->n_prompts > 4)
			break;
		for (size_t i = 0; i < step->n_prompts; i++)
			answers[i] = (char *)password;
		cont.login_id = step->login_id;
		cont.responses = answers;
		cont.n_responses = step->n_prompts;
		st = rpc_call(cl, &spis__v1__auth__descriptor, 1, &cont.base,
		    &resp, LOAD_DEADLINE_MS, NULL, msg, sizeof msg);
		protobuf_c_message_free_unpacked(&step->base, NULL);
		step = NULL;
	}
	if (st != GRPC_STATUS_OK)
		fprintf(stderr, "spis-load: login: %s: %s\n",
		    rpc_status_name(st), msg);
	else if (step != NULL)
		protobuf_c_message_free_unpacked(&step->base, NULL);
	rpc_client_free(cl);
	return rc;
}

/*
 * An institution's feed: registers an institution as the admin of token
 * (kinds income and employment), then sends n income facts through
 * SubmitFacts in batches of LOAD_FACT_BATCH, one a month back from
 * 2026-10 for each person of the input in turn, and writes the same rows
 * as CSV to csv for the baseline's .import.  Prints the facts stored and
 * the seconds of the feed (registration not counted).
 */
#define LOAD_FACT_BATCH 1000

static int
load_facts(struct load *l, const char *token, long n, const char *csv)
{
	Spis__V1__RegisterInstitutionRequest rr =
	    SPIS__V1__REGISTER_INSTITUTION_REQUEST__INIT;
	Spis__V1__Institution inst = SPIS__V1__INSTITUTION__INIT;
	Spis__V1__InstitutionCredential *cred;
	Spis__V1__SubmitFactsRequest req = SPIS__V1__SUBMIT_FACTS_REQUEST__INIT;
	Spis__V1__SubmitFactsReply *rep;
	Spis__V1__InstitutionFact *facts, **ptrs;
	char *kinds[] = {"income", "employment"}, code[32], rid[96],
	    itoken[256], msg[512], (*recs)[24], (*periods)[8];
	ProtobufCMessage *resp;
	grpc_status_code st;
	long stored = 0, unchanged = 0, errors = 0, sent = 0;
	double t0, t;
	FILE *out;

	if (token == NULL || l->nlines == 0)
		fatalx("facts needs --token (an admin) and --input");
	if ((out = fopen(csv, "w")) == NULL)
		fatalx("%s: %s", csv, strerror(errno));
	snprintf(code, sizeof code, "B%ld", (long)getpid() % 100000);
	inst.code = code;
	inst.name = "Benchmark feed";
	inst.n_kinds = 2;
	inst.kinds = kinds;
	snprintf(rid, sizeof rid, "%s-inst", l->runid);
	rr.request_id = rid;
	rr.institution = &inst;
	st = load_unary(l->ch, "/spis.v1.Exchange/RegisterInstitution", token,
	    &rr.base, &spis__v1__institution_credential__descriptor, &resp,
	    NULL, msg, sizeof msg);
	if (st != GRPC_STATUS_OK)
		load_job_fail("RegisterInstitution", st, msg);
	cred = (Spis__V1__InstitutionCredential *)resp;
	snprintf(itoken, sizeof itoken, "inst:%s", cred->token);
	protobuf_c_message_free_unpacked(resp, NULL);

	facts = calloc(LOAD_FACT_BATCH, sizeof *facts);
	ptrs = calloc(LOAD_FACT_BATCH, sizeof *ptrs);
	recs = calloc(LOAD_FACT_BATCH, sizeof *recs);
	periods = calloc(LOAD_FACT_BATCH, sizeof *periods);
	if (facts == NULL || ptrs == NULL || recs == NULL || periods == NULL)
		fatalx("out of memory");
	t = 0;
	while (sent < n) {
		size_t k = 0;

		for (; k < LOAD_FACT_BATCH && sent + (long)k < n; k++) {
			long i = sent + (long)k;
			long back = i / (long)l->nlines; /* months back */
			long ym = 2026 * 12 + 9 - back % 120;

			spis__v1__institution_fact__init(&facts[k]);
			snprintf(recs[k], sizeof recs[k], "r%ld", i);
			snprintf(periods[k], sizeof periods[k], "%04ld-%02ld",
			    ym / 12, ym % 12 + 1);
			facts[k].record_id = recs[k];
			facts[k].national_id = l->fields[i % l->nlines][0];
			facts[k].kind = "income";
			facts[k].period = periods[k];
			facts[k].amount = 30000 + (i * 7919) % 90000;
			ptrs[k] = &facts[k];
			fprintf(out, "%s,%s,income,%s,%" PRId64 "\n", recs[k],
			    facts[k].national_id, periods[k], facts[k].amount);
		}
		snprintf(rid, sizeof rid, "%s-%ld", l->runid, sent);
		req.batch_id = rid;
		req.n_facts = k;
		req.facts = ptrs;
		t0 = load_now();
		st = load_unary(l->ch, "/spis.v1.Exchange/SubmitFacts", itoken,
		    &req.base, &spis__v1__submit_facts_reply__descriptor,
		    &resp, NULL, msg, sizeof msg);
		t += load_now() - t0;
		if (st != GRPC_STATUS_OK)
			load_job_fail("SubmitFacts", st, msg);
		rep = (Spis__V1__SubmitFactsReply *)resp;
		stored += rep->stored;
		unchanged += rep->unchanged;
		errors += rep->errors;
		protobuf_c_message_free_unpacked(resp, NULL);
		sent += (long)k;
	}
	if (fclose(out) != 0)
		fatalx("%s: %s", csv, strerror(errno));
	free(facts);
	free(ptrs);
	free(recs);
	free(periods);
	printf("kind=facts facts=%ld stored=%ld unchanged=%ld errors=%ld "
	    "seconds=%.3f rate=%.0f\n", sent, stored, unchanged, errors, t,
	    t > 0 ? (double)stored / t : 0);
	return errors == 0 ? 0 : 1;
}

static void usage(void);

/* The jobs, on a channel that takes answers of any size: a bank file of
 * the nation's payments is hundreds of megabytes. */
static int
load_job(const char *target, const char *token, const char *approver,
    const char *input, int argc, char **argv)
{
	struct load l = {0};
	grpc_channel_credentials *creds;
	grpc_arg arg = {.type = GRPC_ARG_INTEGER,
	    .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = -1};
	grpc_channel_args args = {.num_args = 1, .args = &arg};
	int rc;

	snprintf(l.runid, sizeof l.runid, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	creds = grpc_insecure_credentials_create();
	l.ch = grpc_channel_create(target, creds, &args);
	grpc_channel_credentials_release(creds);
	if (strcmp(argv[0], "payrun") == 0) {
		if (argc != 1 || input == NULL)
			usage();
		load_input(&l, input, 2);
		rc = load_payrun(&l, token, approver);
	} else if (strcmp(argv[0], "facts") == 0) {
		if (argc != 3 || input == NULL)
			usage();
		load_input(&l, input, 1);
		rc = load_facts(&l, token, atol(argv[1]), argv[2]);
	} else {
		if (argc != 2)
			usage();
		rc = load_renewal(&l, token, argv[1]);
	}
	grpc_channel_destroy(l.ch);
	for (size_t i = 0; i < l.nlines; i++) {
		free(l.fields[i][0]);
		free(l.fields[i]);
	}
	free(l.fields);
	grpc_shutdown();
	return rc;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spis-load --target ADDR [--token T] "
	    "[--streams K] [--seconds S] [--warmup S] [--input FILE] KIND\n"
	    "       spis-load --target ADDR login USER PASSWORD\n"
	    "       spis-load --target ADDR --token T --approver-token T2 "
	    "--input FILE payrun\n"
	    "       spis-load --target ADDR --token T renewal AS_OF\n"
	    "       spis-load --target ADDR --token ADMIN --input FILE facts N "
	    "CSV\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"target", required_argument, NULL, 't'},
		{"token", required_argument, NULL, 'k'},
		{"streams", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"warmup", required_argument, NULL, 'w'},
		{"input", required_argument, NULL, 'i'},
		{"approver-token", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct load l = {0};
	const char *target = NULL, *token = NULL, *input = NULL,
	    *approver = NULL;
	double seconds = 3, warmup = 0.5;
	int streams = 1, c, rc;
	char bearer[512];
	grpc_channel_credentials *creds;
	size_t k;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'k': token = optarg; break;
		case 'c': streams = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'i': input = optarg; break;
		case 'a': approver = optarg; break;
		default: usage();
		}
	}
	if (target == NULL || optind >= argc || streams < 1 ||
	    streams > LOAD_MAX_STREAMS || seconds <= 0)
		usage();
	grpc_init();
	if (strcmp(argv[optind], "login") == 0) {
		if (argc - optind != 3)
			usage();
		rc = load_login(target, argv[optind + 1], argv[optind + 2]);
		grpc_shutdown();
		return rc;
	}
	if (strcmp(argv[optind], "payrun") == 0 ||
	    strcmp(argv[optind], "renewal") == 0 ||
	    strcmp(argv[optind], "facts") == 0)
		return load_job(target, token, approver, input, argc - optind,
		    argv + optind);
	for (k = 0; k < LOAD_NKINDS; k++)
		if (strcmp(argv[optind], load_kinds[k].name) == 0)
			break;
	if (k == LOAD_NKINDS || optind + 1 != argc)
		usage();
	l.kind = (enum load_kind)k;
	if (load_kinds[k].fields > 0) {
		if (input == NULL)
			fatalx("%s needs --input", load_kinds[k].name);
		load_input(&l, input, load_kinds[k].fields);
	}
	snprintf(l.runid, sizeof l.runid, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	if (token != NULL) {
		snprintf(bearer, sizeof bearer, "Bearer %s", token);
		l.md[0].key = grpc_slice_from_static_string("authorization");
		l.md[0].value = grpc_slice_from_copied_string(bearer);
		l.nmd = 1;
	}
	creds = grpc_insecure_credentials_create();
	l.ch = grpc_channel_create(target, creds, NULL);
	grpc_channel_credentials_release(creds);
	l.cq = grpc_completion_queue_create_for_next(NULL);
	l.path = grpc_slice_from_static_string(load_kinds[k].path);
	load_run(&l, streams, warmup, seconds);
	rc = l.ok > 0 ? 0 : 1;

	grpc_channel_destroy(l.ch);
	grpc_completion_queue_shutdown(l.cq);
	while (grpc_completion_queue_next(l.cq, gpr_inf_future(
	    GPR_CLOCK_MONOTONIC), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(l.cq);
	if (l.nmd)
		grpc_slice_unref(l.md[0].value);
	for (size_t i = 0; i < l.nlines; i++) {
		free(l.fields[i][0]);
		free(l.fields[i]);
	}
	free(l.fields);
	free(l.lat);
	grpc_shutdown();
	return rc;
}
