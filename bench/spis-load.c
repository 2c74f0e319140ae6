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
 */
#include <errno.h>
#include <getopt.h>
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

#include "echo.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "spis/v1/applications.pb-c.h"
#include "spis/v1/auth.pb-c.h"
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

static void
usage(void)
{
	fprintf(stderr, "usage: spis-load --target ADDR [--token T] "
	    "[--streams K] [--seconds S] [--warmup S] [--input FILE] KIND\n"
	    "       spis-load --target ADDR login USER PASSWORD\n");
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
		{NULL, 0, NULL, 0},
	};
	struct load l = {0};
	const char *target = NULL, *token = NULL, *input = NULL;
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
