/*
 * simulation.c: spis.v1.Simulation, the microsimulation of a candidate
 * version of a programme's rules over the whole registry.  StartSimulation
 * checks the candidate as a programme save would and queues a job; the job
 * runs on its own thread (simjob.c) and never changes the registry.  The
 * unit (household or person) is decided here, once, from what the rules
 * name: see simulation.proto.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/simulation.pb-c.h"

#include "check.h"
#include "log.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_programme.h"
#include "store_simulation.h"

/* Of the candidate's text, so much goes into the audit row's detail. */
#define SIM_AUDIT_TEXT 1000
#define SIM_LIST_DEFAULT 50
#define SIM_LIST_MAX 200

/* The facts about the person rather than the household: a rule naming any
 * of them makes every person a unit. */
static const int sim_person_facts[] = {
	FACT_AGE, FACT_SEX, FACT_DISABILITY, FACT_EMPLOYMENT,
	FACT_MUNICIPALITY,
};

/* Parses text for field; the status names the field and the position. */
static grpc_status_code
sim_parse(struct rpc_ctx *ctx, const char *field, const char *text,
    enum rule_type want, struct rule **out)
{
	struct rule_error err;

	if ((*out = rule_parse(text, programme_facts, FACT__COUNT, want,
	    &err)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s: %s",
		    field, err.msg);
	return GRPC_STATUS_OK;
}

static int
sim_names_person(struct rule *const *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof sim_person_facts /
		    sizeof sim_person_facts[0]; k++)
			if (rule_names_fact(rules[i], sim_person_facts[k]))
				return 1;
	return 0;
}

static Spis__V1__SimulationRow *
sim_row_msg(struct rpc_ctx *ctx, const struct store_sim_row *r)
{
	Spis__V1__SimulationRow *m;
	const struct municipality *mu;

	m = RPC_NEW(ctx, Spis__V1__SimulationRow,
	    spis__v1__simulation_row__init);
	m->municipality = arena_strdup(rpc_ctx_arena(ctx), r->municipality);
	mu = r->municipality[0] ? municipality_find(r->municipality) : NULL;
	m->municipality_name = (char *)(mu != NULL ? mu->name : "");
	m->units = r->units;
	m->gain = r->gain;
	m->lose = r->lose;
	m->keep_eligible = r->keep_eligible;
	m->keep_ineligible = r->keep_ineligible;
	m->current_cost = r->current_cost;
	m->candidate_cost = r->candidate_cost;
	m->cost_difference = r->candidate_cost - r->current_cost;
	return m;
}

/* Largest cost difference first; then by code, so the order is stable. */
static int
sim_row_cmp(const void *a, const void *b)
{
	const struct store_sim_row *x = a, *y = b;
	int64_t dx = x->candidate_cost - x->current_cost;
	int64_t dy = y->candidate_cost - y->current_cost;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x->municipality, y->municipality);
}

/* Fills the programme's currency and period in m, from the catalogue. */
static void
sim_job_money(struct rpc_ctx *ctx, Spis__V1__SimulationJob *m)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_programme *p = arena_alloc(a, sizeof *p);

	if (store_programme_get(d->store, m->programme, p) == STORE_OK) {
		m->currency = arena_strdup(a, p->currency);
		m->period = arena_strdup(a, p->period);
	}
}

/* The job as a message, without currency and period (sim_job_money); with
 * rows, its table when it is done.  With rows it reads the store, so not
 * from inside a store callback. */
static Spis__V1__SimulationJob *
sim_job_msg(struct rpc_ctx *ctx, const struct store_sim_job *j, int rows)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__SimulationJob *m;
	struct store_sim_row *r, total = {0};
	size_t nmuni;
	int n;

	m = RPC_NEW(ctx, Spis__V1__SimulationJob,
	    spis__v1__simulation_job__init);
	m->id = j->id;
	m->programme = arena_strdup(a, j->programme);
	m->rule_version = j->rule_version;
	m->eligibility = arena_strdup(a, j->eligibility);
	m->amount = arena_strdup(a, j->amount);
	m->as_of = arena_strdup(a, j->as_of);
	m->unit = arena_strdup(a, j->unit);
	m->state = arena_strdup(a, j->state);
	m->started_by = arena_strdup(a, j->started_by);
	m->started_at = arena_strdup(a, j->started_at);
	m->finished_at = arena_strdup(a, j->finished_at);
	m->total = j->total;
	m->processed = j->processed;
	if (strcmp(j->state, "running") == 0)
		simjob_processed(d->simjob, j->id, &m->processed);
	m->failed = j->failed;
	m->error = arena_strdup(a, j->error);
	if (!rows || strcmp(j->state, "done") != 0)
		return m;
	municipality_all(&nmuni);
	r = arena_alloc(a, sizeof *r * nmuni);
	if ((n = store_sim_rows(d->store, j->id, r, nmuni)) < 0)
		return NULL;
	qsort(r, (size_t)n, sizeof *r, sim_row_cmp);
	m->rows = arena_alloc(a, sizeof *m->rows * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		m->rows[m->n_rows++] = sim_row_msg(ctx, &r[i]);
		total.units += r[i].units;
		total.gain += r[i].gain;
		total.lose += r[i].lose;
		total.keep_eligible += r[i].keep_eligible;
		total.keep_ineligible += r[i].keep_ineligible;
		total.current_cost += r[i].current_cost;
		total.candidate_cost += r[i].candidate_cost;
	}
	m->total_row = sim_row_msg(ctx, &total);
	return m;
}

static grpc_status_code
sim_start(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__StartSimulationRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_programme *p;
	struct store_sim_job *j;
	Spis__V1__SimulationJob *m;
	struct store_audit au;
	struct rule *rules[4] = {NULL, NULL, NULL, NULL};
	const char *elig, *amount;
	char today[16];
	grpc_status_code st;

	if ((st = programme_find(ctx, "programme", req->programme, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	check_today(today, sizeof today);
	if (req->as_of[0] != '\0' && !check_date(req->as_of, NULL, NULL,
	    NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "as_of: not a date (YYYY-MM-DD)");
	elig = req->eligibility[0] ? req->eligibility : p->eligibility;
	amount = req->amount[0] ? req->amount : p->amount;
	/* Checked exactly as a programme save checks them. */
	if ((st = sim_parse(ctx, "eligibility", elig, RULE_BOOL,
	    &rules[0])) != GRPC_STATUS_OK ||
	    (st = sim_parse(ctx, "amount", amount, RULE_MONEY, &rules[1])) !=
	    GRPC_STATUS_OK ||
	    (st = sim_parse(ctx, "programme", p->eligibility, RULE_BOOL,
	    &rules[2])) != GRPC_STATUS_OK ||
	    (st = sim_parse(ctx, "programme", p->amount, RULE_MONEY,
	    &rules[3])) != GRPC_STATUS_OK)
		goto out;
	j = arena_alloc(a, sizeof *j);
	memset(j, 0, sizeof *j);
	snprintf(j->programme, sizeof j->programme, "%s", p->code);
	j->rule_version = p->rule_version;
	snprintf(j->eligibility, sizeof j->eligibility, "%s", elig);
	snprintf(j->amount, sizeof j->amount, "%s", amount);
	snprintf(j->as_of, sizeof j->as_of, "%s", req->as_of[0] ?
	    req->as_of : today);
	snprintf(j->unit, sizeof j->unit, "%s", sim_names_person(rules, 4) ?
	    "person" : "household");
	snprintf(j->started_by, sizeof j->started_by, "%s",
	    c->officer.username);
	rpcd_audit_row(ctx, &au, arena_printf(a, "simulation of %s against "
	    "rule version %d as of %s, by %s; candidate eligibility%s: "
	    "\"%.*s\"; amount%s: \"%.*s\"", j->programme, j->rule_version,
	    j->as_of, j->unit, req->eligibility[0] ? "" : " (current)",
	    SIM_AUDIT_TEXT, elig, req->amount[0] ? "" : " (current)",
	    SIM_AUDIT_TEXT, amount));
	if (store_sim_job_add(d->store, j, &au) != STORE_OK) {
		st = rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
		goto out;
	}
	log_info("simulation %" PRId64 " queued by %s: %s as of %s, by %s, "
	    "%" PRId64 " people", j->id, j->started_by, j->programme,
	    j->as_of, j->unit, j->total);
	simjob_wake(d->simjob);
	m = sim_job_msg(ctx, j, 0);
	sim_job_money(ctx, m);
	*respm = &m->base;
	st = GRPC_STATUS_OK;
out:
	for (int i = 0; i < 4; i++)
		rule_free(rules[i]);
	return st;
}

static grpc_status_code
sim_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetSimulationRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_sim_job *j;
	Spis__V1__SimulationJob *m;

	if (req->id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "id: required");
	j = arena_alloc(rpc_ctx_arena(ctx), sizeof *j);
	switch (store_sim_job_get(d->store, req->id, j)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "id: no simulation %" PRId64, req->id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if ((m = sim_job_msg(ctx, j, 1)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	sim_job_money(ctx, m);
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

struct sim_list {
	struct rpc_ctx *ctx;
	Spis__V1__SimulationList *out;
	size_t cap;
};

static void
sim_list_one(void *arg, const struct store_sim_job *j)
{
	struct sim_list *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);

	l->out->simulations = arena_grow(a, l->out->simulations,
	    l->out->n_simulations, &l->cap, sizeof *l->out->simulations);
	l->out->simulations[l->out->n_simulations++] = sim_job_msg(l->ctx, j,
	    0);
}

static grpc_status_code
sim_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListSimulationsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct sim_list l = {ctx, NULL, 0};
	int limit = req->limit == 0 ? SIM_LIST_DEFAULT : req->limit;

	if (limit < 0 || limit > SIM_LIST_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "limit: 0..%d", SIM_LIST_MAX);
	l.out = RPC_NEW(ctx, Spis__V1__SimulationList,
	    spis__v1__simulation_list__init);
	if (store_sim_job_list(d->store, req->programme, limit, sim_list_one,
	    &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	for (size_t i = 0; i < l.out->n_simulations; i++)
		sim_job_money(ctx, l.out->simulations[i]);
	*respm = &l.out->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method simulation_methods[] = {
	RPC_METHOD(spis__v1__simulation, 0, sim_start, PERM_SIMULATION_RUN),
	RPC_METHOD(spis__v1__simulation, 1, sim_get, PERM_SIMULATION_RUN),
	RPC_METHOD(spis__v1__simulation, 2, sim_list, PERM_SIMULATION_RUN),
};
const size_t simulation_nmethods =
    sizeof simulation_methods / sizeof simulation_methods[0];
