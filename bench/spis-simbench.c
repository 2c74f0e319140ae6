/*
 * spis-simbench: the microsimulation's benchmark row.  Over gRPC, as any
 * client: starts a simulation of a programme with a candidate rule and
 * polls GetSimulation until it is done; and, in process, the baseline: the
 * same rules evaluated with rule_eval_value over as many synthetic fact
 * rows as the job covered people, with no store at all.
 *
 *   spis-simbench --target ADDR --token T [--programme CODE]
 *                 [--eligibility RULE] [--amount RULE]
 *
 * Prints key=value: seconds (start to done, as the client sees it),
 * people (the job's processed), units, rate (people per second), failed,
 * and eval_seconds (the in-process rule loop over the same number of
 * rows, both versions, as the job evaluates them).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc.h>

#include "spis/v1/programmes.pb-c.h"
#include "spis/v1/simulation.pb-c.h"

#include "log.h"
#include "rpc.h"
#include "rpcd.h"
#include "rule.h"

#define SB_DEADLINE_MS 30000

static double
sb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One call; fatal unless OK. */
static ProtobufCMessage *
sb_call(struct rpc_client *cl, const ProtobufCServiceDescriptor *svc,
    unsigned index, const ProtobufCMessage *req, const char *const *md)
{
	ProtobufCMessage *resp;
	char msg[512];
	grpc_status_code st;

	st = rpc_call(cl, svc, index, req, &resp, SB_DEADLINE_MS, md, msg,
	    sizeof msg);
	if (st != GRPC_STATUS_OK)
		fatalx("%s: %s", rpc_status_name(st), msg);
	return resp;
}

/* The baseline: both versions' rules over n synthetic households, parsed
 * once, as the job runs them. */
static double
sb_eval(const char *rules[4], int64_t n)
{
	static const enum rule_type want[4] = {RULE_BOOL, RULE_MONEY,
	    RULE_BOOL, RULE_MONEY};
	struct rule *r[4];
	struct rule_value f[FACT__COUNT], v;
	struct rule_error err;
	volatile int64_t sink = 0;
	double t0;

	for (int i = 0; i < 4; i++)
		if ((r[i] = rule_parse(rules[i], programme_facts,
		    FACT__COUNT, want[i], &err)) == NULL)
			fatalx("rule %d: %s", i, err.msg);
	t0 = sb_now();
	for (int64_t k = 0; k < n; k++) {
		int size = 1 + (int)(k % 5);

		programme_facts_of(f, 20 + (int)(k % 60), k & 1 ? "F" : "M",
		    k % 13 == 0 ? "moderate" : "none", "employed", "13", size,
		    (int)(k % 3), (int)(k % 2), 0, (k * 7919) % 150000,
		    (k * 104729) % 1000000);
		for (int i = 0; i < 4; i += 2) {
			if (rule_eval_value(r[i], f, &v, &err) != 0)
				continue;
			if (v.i && rule_eval_value(r[i + 1], f, &v, &err) == 0)
				sink += v.i;
		}
	}
	t0 = sb_now() - t0;
	for (int i = 0; i < 4; i++)
		rule_free(r[i]);
	(void)sink;
	return t0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"target", required_argument, NULL, 't'},
		{"token", required_argument, NULL, 'k'},
		{"programme", required_argument, NULL, 'p'},
		{"eligibility", required_argument, NULL, 'e'},
		{"amount", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *target = NULL, *token = NULL, *code = "SOC-BEN";
	const char *elig = "household.income_per_member < 120.00\n"
	    "and household.assets <= 6000.00 * household.size";
	const char *amount = "";
	struct rpc_client_opts co = {0};
	Spis__V1__GetProgrammeRequest gp =
	    SPIS__V1__GET_PROGRAMME_REQUEST__INIT;
	Spis__V1__StartSimulationRequest ss =
	    SPIS__V1__START_SIMULATION_REQUEST__INIT;
	Spis__V1__GetSimulationRequest gs =
	    SPIS__V1__GET_SIMULATION_REQUEST__INIT;
	Spis__V1__Programme *prog;
	Spis__V1__SimulationJob *job;
	struct rpc_client *cl;
	const char *rules[4];
	char err[256], bearer[512], rid[64];
	double t0, secs;
	int c;

	log_set_ident("spis-simbench");
	log_set_level(LOG_LVL_WARN);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'k': token = optarg; break;
		case 'p': code = optarg; break;
		case 'e': elig = optarg; break;
		case 'a': amount = optarg; break;
		default:
			fprintf(stderr, "usage: spis-simbench --target ADDR "
			    "--token T [--programme CODE] [--eligibility RULE] "
			    "[--amount RULE]\n");
			return 2;
		}
	}
	if (target == NULL || token == NULL)
		fatalx("--target and --token are required");
	grpc_init();
	co.target = target;
	if ((cl = rpc_client_new(&co, err, sizeof err)) == NULL)
		fatalx("%s", err);
	snprintf(bearer, sizeof bearer, "Bearer %s", token);
	const char *md[] = {"authorization", bearer, NULL};

	gp.code = (char *)code;
	prog = (Spis__V1__Programme *)sb_call(cl,
	    &spis__v1__programmes__descriptor, 1, &gp.base, NULL);
	snprintf(rid, sizeof rid, "simbench-%ld-%d", (long)time(NULL),
	    (int)getpid());
	ss.request_id = rid;
	ss.programme = (char *)code;
	ss.eligibility = (char *)elig;
	ss.amount = (char *)amount;
	t0 = sb_now();
	job = (Spis__V1__SimulationJob *)sb_call(cl,
	    &spis__v1__simulation__descriptor, 0, &ss.base, md);
	gs.id = job->id;
	protobuf_c_message_free_unpacked(&job->base, NULL);
	for (;;) {
		job = (Spis__V1__SimulationJob *)sb_call(cl,
		    &spis__v1__simulation__descriptor, 1, &gs.base, md);
		if (strcmp(job->state, "done") == 0 ||
		    strcmp(job->state, "failed") == 0)
			break;
		protobuf_c_message_free_unpacked(&job->base, NULL);
		usleep(20000);
	}
	secs = sb_now() - t0;
	if (strcmp(job->state, "done") != 0)
		fatalx("simulation %" PRId64 " failed: %s", job->id,
		    job->error);
	rules[0] = prog->eligibility;
	rules[1] = prog->amount;
	rules[2] = elig[0] ? elig : prog->eligibility;
	rules[3] = amount[0] ? amount : prog->amount;
	printf("seconds=%.3f people=%" PRId64 " units=%" PRId64 " rate=%.0f "
	    "failed=%" PRId64 " unit=%s eval_seconds=%.3f\n", secs,
	    job->processed, job->total_row != NULL ? job->total_row->units : 0,
	    secs > 0 ? (double)job->processed / secs : 0, job->failed,
	    job->unit, sb_eval(rules, job->processed));
	protobuf_c_message_free_unpacked(&job->base, NULL);
	protobuf_c_message_free_unpacked(&prog->base, NULL);
	rpc_client_free(cl);
	grpc_shutdown();
	return 0;
}
