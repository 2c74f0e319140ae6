/*
 * programmes.c: spis.v1.Programmes, the catalogue of benefit programmes and
 * their rules, and what the rest of the daemon needs to run a programme's
 * rules: the facts a rule may name, evaluation of both rules at once, and
 * turning clause results into messages.  The catalogue is public (it is the
 * law, in effect), and so is the pre-check, which stores nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/programmes.pb-c.h"

#include "check.h"
#include "log.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_programme.h"

#define PROG_REASON_MAX 500
#define PROG_NAME_MAX 200
#define PROG_DESCRIPTION_MAX 1000

/* The facts a rule may name; the order is enum prog_fact's. */
const struct rule_fact_def programme_facts[FACT__COUNT] = {
	[FACT_AGE] = {"person.age", RULE_INT, "age"},
	[FACT_SEX] = {"person.sex", RULE_TEXT, "sex"},
	[FACT_DISABILITY] = {"person.disability", RULE_TEXT, "disability"},
	[FACT_EMPLOYMENT] = {"person.employment", RULE_TEXT, "employment"},
	[FACT_MUNICIPALITY] = {"person.municipality", RULE_TEXT,
	    "municipality"},
	[FACT_HH_SIZE] = {"household.size", RULE_INT, "household size"},
	[FACT_HH_CHILDREN] = {"household.children", RULE_INT,
	    "children under 18"},
	[FACT_HH_OVER65] = {"household.over65", RULE_INT,
	    "members aged 65 or over"},
	[FACT_HH_DISABLED] = {"household.disabled", RULE_INT,
	    "members with a disability"},
	[FACT_HH_INCOME] = {"household.income", RULE_MONEY,
	    "household monthly income"},
	[FACT_HH_INCOME_PM] = {"household.income_per_member", RULE_MONEY,
	    "household income per member"},
	[FACT_HH_ASSETS] = {"household.assets", RULE_MONEY,
	    "household assets"},
	[FACT_HH_INCOME_REP] = {"household.income_reported", RULE_MONEY,
	    "household monthly income reported by institutions"},
	[FACT_HH_INCOME_REP_PM] = {"household.income_reported_per_member",
	    RULE_MONEY, "reported household income per member"},
	[FACT_HH_VEHICLES] = {"household.vehicles_value", RULE_MONEY,
	    "value of the household's vehicles"},
	[FACT_HH_LAND] = {"household.land_value", RULE_MONEY,
	    "value of the household's land"},
	[FACT_REG_UNEMPLOYED] = {"person.registered_unemployed", RULE_BOOL,
	    "registered as unemployed"},
};

static const char *const prog_pillars[] = {
	"child_protection", "school_support", "cash_benefits",
	"social_services", "disability", "housing",
};

static const char *const prog_periods[] = {"monthly", "yearly", "one_off"};

static int
prog_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define PROG_IN(s, list) prog_in((s), (list), sizeof(list) / sizeof(list[0]))

/* ------------------------------------------------------------------------
 * Running a programme's rules.
 */

/* Whether clause i has no clauses nested under it: the comparisons a
 * reason is made of. */
static int
prog_leaf(const struct rule_result *r, size_t i)
{
	return i + 1 >= r->nclauses ||
	    r->clauses[i + 1].depth <= r->clauses[i].depth;
}

/* Whether clause i is a `not`: its text is the keyword and its operand. */
static int
prog_is_not(const struct rule_result *r, size_t i)
{
	const char *t = r->clauses[i].text;

	return strncmp(t, "not", 3) == 0 && (t[3] == ' ' || t[3] == '(' ||
	    t[3] == '\t' || t[3] == '\n');
}

/* How many `not`s clause i sits under: each turns its meaning round. */
static int
prog_negations(const struct rule_result *r, size_t i)
{
	int depth = r->clauses[i].depth, n = 0;

	for (size_t j = i; j-- > 0 && depth > 0;) {
		if (r->clauses[j].depth != depth - 1)
			continue;
		depth--;
		n += prog_is_not(r, j);
	}
	return n;
}

/*
 * Joins the explanations of the leaf clauses that made the rule come out
 * as want: those whose value is want, or the opposite under an odd number
 * of `not`s.
 */
static char *
prog_reasons(struct arena *a, const struct rule_result *r, int want)
{
	char *out = "";
	int v;

	for (size_t i = 0; i < r->nclauses; i++) {
		if (!prog_leaf(r, i) || r->clauses[i].value.type != RULE_BOOL)
			continue;
		v = r->clauses[i].value.i != 0;
		if (prog_negations(r, i) % 2 == 1)
			v = !v;
		if (v != want)
			continue;
		out = arena_printf(a, "%s%s%s", out, out[0] ? "; " : "",
		    r->clauses[i].explain);
	}
	return out;
}

int
programme_evaluate(const char *eligibility, const char *amount,
    const struct rule_value *facts, const char *currency, int force_amount,
    struct arena *a, struct programme_eval *out, struct rule_error *err)
{
	struct rule *re, *ra = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((re = rule_parse(eligibility, programme_facts, FACT__COUNT,
	    RULE_BOOL, err)) == NULL)
		return -1;
	if ((ra = rule_parse(amount, programme_facts, FACT__COUNT, RULE_MONEY,
	    err)) == NULL)
		goto done;
	rc = programme_evaluate_parsed(re, ra, facts, currency, force_amount,
	    a, out, err);
done:
	rule_free(re);
	rule_free(ra);
	return rc;
}

int
programme_evaluate_parsed(const struct rule *re, const struct rule *ra,
    const struct rule_value *facts, const char *currency, int force_amount,
    struct arena *a, struct programme_eval *out, struct rule_error *err)
{
	memset(out, 0, sizeof *out);
	if (rule_eval(re, facts, currency, a, &out->elig, err) != 0)
		return -1;
	out->eligible = out->elig.value.i != 0;
	/* The amount rule may assume eligibility (a floor of zero, say), so
	 * it runs only for those who are eligible, or when a supervisor
	 * approves against the rules. */
	if (out->eligible || force_amount) {
		if (rule_eval(ra, facts, currency, a, &out->amount_result,
		    err) != 0)
			return -1;
		out->amount = out->amount_result.value.i;
		/* A benefit is never a debt: a rule that gives less than
		 * nothing is wrong, not a payment to reverse. */
		if (out->amount < 0) {
			memset(err, 0, sizeof *err);
			snprintf(err->msg, sizeof err->msg, "the amount rule "
			    "gives %s, less than nothing; the rule needs a "
			    "floor such as max(0.00, ...)", rule_value_text(a,
			    &out->amount_result.value, currency));
			return -1;
		}
	}
	if (out->eligible)
		out->explanation = arena_printf(a, "eligible: %s; amount %s",
		    prog_reasons(a, &out->elig, 1),
		    rule_value_text(a, &out->amount_result.value, currency));
	else
		out->explanation = arena_printf(a, "not eligible: %s",
		    prog_reasons(a, &out->elig, 0));
	return 0;
}

Spis__V1__Clause **
programme_clauses(struct rpc_ctx *ctx, const struct rule_result *r,
    const char *currency, size_t *n)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Clause **out;

	*n = r->nclauses;
	out = arena_alloc(a, sizeof *out * (r->nclauses + 1));
	for (size_t i = 0; i < r->nclauses; i++) {
		out[i] = RPC_NEW(ctx, Spis__V1__Clause,
		    spis__v1__clause__init);
		out[i]->depth = r->clauses[i].depth;
		out[i]->text = (char *)r->clauses[i].text;
		out[i]->value = rule_value_text(a, &r->clauses[i].value,
		    currency);
		out[i]->explain = (char *)r->clauses[i].explain;
	}
	return out;
}

/* ------------------------------------------------------------------------
 * Messages.
 */

static Spis__V1__LocalText **
prog_local(struct rpc_ctx *ctx, const char *texts, size_t stride, size_t *n)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__LocalText **out;

	out = arena_alloc(a, sizeof *out * STORE_PROG_LANGS);
	*n = 0;
	for (int l = 0; l < STORE_PROG_LANGS; l++) {
		const char *t = texts + l * stride;

		if (t[0] == '\0')
			continue;
		out[*n] = RPC_NEW(ctx, Spis__V1__LocalText,
		    spis__v1__local_text__init);
		out[*n]->language = (char *)store_prog_langs[l];
		out[*n]->text = arena_strdup(a, t);
		(*n)++;
	}
	return out;
}

Spis__V1__Programme *
programme_msg(struct rpc_ctx *ctx, const struct store_programme *p)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Programme *m;

	m = RPC_NEW(ctx, Spis__V1__Programme, spis__v1__programme__init);
	m->code = arena_strdup(a, p->code);
	m->names = prog_local(ctx, p->names[0], sizeof p->names[0],
	    &m->n_names);
	m->descriptions = prog_local(ctx, p->descriptions[0],
	    sizeof p->descriptions[0], &m->n_descriptions);
	m->pillar = arena_strdup(a, p->pillar);
	m->scope = arena_strdup(a, p->scope);
	m->municipality = arena_strdup(a, p->municipality);
	m->online = p->online;
	m->period = arena_strdup(a, p->period);
	m->auto_renew = p->auto_renew;
	m->open = p->open;
	m->currency = arena_strdup(a, p->currency);
	m->eligibility = arena_strdup(a, p->eligibility);
	m->amount = arena_strdup(a, p->amount);
	m->rule_version = p->rule_version;
	m->version = p->version;
	m->updated_at = arena_strdup(a, p->updated_at);
	m->updated_by = arena_strdup(a, p->updated_by);
	return m;
}

const char *
programme_name(const struct store_programme *p, const char *language)
{
	for (int l = 0; l < STORE_PROG_LANGS; l++)
		if (language != NULL &&
		    strcmp(store_prog_langs[l], language) == 0 &&
		    p->names[l][0] != '\0')
			return p->names[l];
	return p->names[0];
}

/* ------------------------------------------------------------------------
 * Reading the catalogue.
 */

struct prog_list {
	struct rpc_ctx *ctx;
	const Spis__V1__ListProgrammesRequest *req;
	Spis__V1__Programme **items;
	size_t n, cap;
};

static void
prog_list_one(void *arg, const struct store_programme *p)
{
	struct prog_list *l = arg;

	if (l->req->online_only && !p->online)
		return;
	if (!l->req->include_closed && !p->open)
		return;
	if (l->req->municipality[0] != '\0' &&
	    strcmp(p->scope, "municipal") == 0 &&
	    strcmp(p->municipality, l->req->municipality) != 0)
		return;
	l->items = arena_grow(rpc_ctx_arena(l->ctx), l->items, l->n, &l->cap,
	    sizeof *l->items);
	l->items[l->n++] = programme_msg(l->ctx, p);
}

static grpc_status_code
prog_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const Spis__V1__ListProgrammesRequest *req = (const void *)reqm;
	struct prog_list l = {.ctx = ctx, .req = req};
	Spis__V1__ProgrammeList *out;

	if (req->municipality[0] != '\0' &&
	    municipality_find(req->municipality) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: unknown code \"%.16s\"", req->municipality);
	if (store_programme_list(d->store, prog_list_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__ProgrammeList,
	    spis__v1__programme_list__init);
	out->programmes = l.items;
	out->n_programmes = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* Finds a programme by code for a request; the status names field. */
grpc_status_code
programme_find(struct rpc_ctx *ctx, const char *field, const char *code,
    struct store_programme **out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_programme *p;

	if (code[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	p = arena_alloc(rpc_ctx_arena(ctx), sizeof *p);
	switch (store_programme_get(d->store, code, p)) {
	case STORE_OK:
		*out = p;
		return GRPC_STATUS_OK;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "%s: no programme \"%.20s\"", field, code);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

static grpc_status_code
prog_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetProgrammeRequest *req = (const void *)reqm;
	struct store_programme *p;
	grpc_status_code st;

	if ((st = programme_find(ctx, "code", req->code, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	*respm = &programme_msg(ctx, p)->base;
	return GRPC_STATUS_OK;
}

struct prog_versions {
	struct rpc_ctx *ctx;
	Spis__V1__RuleVersion **items;
	size_t n, cap;
};

static void
prog_version_one(void *arg, const struct store_rule_version *v)
{
	struct prog_versions *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__RuleVersion *m;

	l->items = arena_grow(a, l->items, l->n, &l->cap, sizeof *l->items);
	m = RPC_NEW(l->ctx, Spis__V1__RuleVersion,
	    spis__v1__rule_version__init);
	m->rule_version = v->rule_version;
	m->eligibility = arena_strdup(a, v->eligibility);
	m->amount = arena_strdup(a, v->amount);
	m->created_at = arena_strdup(a, v->created_at);
	m->created_by = arena_strdup(a, v->created_by);
	m->reason = arena_strdup(a, v->reason);
	l->items[l->n++] = m;
}

static grpc_status_code
prog_versions(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const Spis__V1__ListRuleVersionsRequest *req = (const void *)reqm;
	struct prog_versions l = {.ctx = ctx};
	Spis__V1__RuleVersionList *out;

	if (req->code[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "code: required");
	switch (store_programme_versions(d->store, req->code,
	    prog_version_one, &l)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "code: no programme \"%.20s\"", req->code);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	out = RPC_NEW(ctx, Spis__V1__RuleVersionList,
	    spis__v1__rule_version_list__init);
	out->versions = l.items;
	out->n_versions = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * Checking and saving.
 */

/* Checks one rule text; the status names field and the position. */
static grpc_status_code
prog_rule_check(struct rpc_ctx *ctx, const char *field, const char *text,
    enum rule_type want)
{
	struct rule_error err;
	struct rule *r;

	/* The parser checks every byte (line breaks and tabs are allowed in a
	 * rule, other control characters and bad UTF-8 are not). */
	if ((r = rule_parse(text, programme_facts, FACT__COUNT, want,
	    &err)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s: %s",
		    field, err.msg);
	rule_free(r);
	return GRPC_STATUS_OK;
}

static Spis__V1__FactName **
prog_fact_names(struct rpc_ctx *ctx, size_t *n)
{
	Spis__V1__FactName **out;

	out = arena_alloc(rpc_ctx_arena(ctx), sizeof *out * FACT__COUNT);
	for (int i = 0; i < FACT__COUNT; i++) {
		out[i] = RPC_NEW(ctx, Spis__V1__FactName,
		    spis__v1__fact_name__init);
		out[i]->name = (char *)programme_facts[i].name;
		out[i]->type = (char *)rule_type_name(programme_facts[i].type);
		out[i]->label = (char *)programme_facts[i].label;
	}
	*n = FACT__COUNT;
	return out;
}

static grpc_status_code
prog_check_rule(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__CheckRuleRequest *req = (const void *)reqm;
	Spis__V1__CheckRuleReply *out;
	grpc_status_code st;
	enum rule_type want;

	if (strcmp(req->kind, "eligibility") == 0)
		want = RULE_BOOL;
	else if (strcmp(req->kind, "amount") == 0)
		want = RULE_MONEY;
	else
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "kind: \"eligibility\" or \"amount\"");
	if ((st = prog_rule_check(ctx, "text", req->text, want)) !=
	    GRPC_STATUS_OK)
		return st;
	out = RPC_NEW(ctx, Spis__V1__CheckRuleReply,
	    spis__v1__check_rule_reply__init);
	out->facts = prog_fact_names(ctx, &out->n_facts);
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* A programme code: 2..16 of A-Z, 0-9 and '-', starting with a letter. */
static int
prog_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 16 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Copies texts per language into the store record, checking each. */
static grpc_status_code
prog_copy_texts(struct rpc_ctx *ctx, const char *field,
    Spis__V1__LocalText *const *in, size_t n, char *out, size_t stride,
    size_t min_chars, size_t max_chars)
{
	char why[96];
	int l;

	for (size_t i = 0; i < n; i++) {
		const char *lang = in[i]->language;

		for (l = 0; l < STORE_PROG_LANGS; l++)
			if (strcmp(lang, store_prog_langs[l]) == 0)
				break;
		if (l == STORE_PROG_LANGS)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "%s[%zu].language: \"lt\", \"en\" or \"tr\"",
			    field, i);
		if (out[l * stride] != '\0')
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "%s[%zu].language: \"%s\" given twice", field, i,
			    store_prog_langs[l]);
		if (check_text(in[i]->text, min_chars, max_chars, why,
		    sizeof why) != 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "%s[%zu].text: %s", field, i, why);
		snprintf(out + l * stride, stride, "%s", in[i]->text);
	}
	return GRPC_STATUS_OK;
}

/* Checks a programme message field by field into *p. */
static grpc_status_code
prog_from_msg(struct rpc_ctx *ctx, const Spis__V1__Programme *m,
    struct store_programme *p)
{
	grpc_status_code st;

	memset(p, 0, sizeof *p);
	if (!prog_code_ok(m->code))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.code: 2 to 16 of A-Z, 0-9 and '-', starting "
		    "with a letter");
	snprintf(p->code, sizeof p->code, "%s", m->code);
	if ((st = prog_copy_texts(ctx, "programme.names", m->names,
	    m->n_names, p->names[0], sizeof p->names[0], 1,
	    PROG_NAME_MAX)) != GRPC_STATUS_OK)
		return st;
	if (p->names[0][0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.names: a name in \"lt\" is required");
	if ((st = prog_copy_texts(ctx, "programme.descriptions",
	    m->descriptions, m->n_descriptions, p->descriptions[0],
	    sizeof p->descriptions[0], 0, PROG_DESCRIPTION_MAX)) !=
	    GRPC_STATUS_OK)
		return st;
	if (!PROG_IN(m->pillar, prog_pillars))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.pillar: one of child_protection, "
		    "school_support, cash_benefits, social_services, "
		    "disability, housing");
	snprintf(p->pillar, sizeof p->pillar, "%s", m->pillar);
	if (strcmp(m->scope, "national") == 0) {
		if (m->municipality[0] != '\0')
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "programme.municipality: only for a municipal "
			    "programme");
	} else if (strcmp(m->scope, "municipal") == 0) {
		if (municipality_find(m->municipality) == NULL)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "programme.municipality: %s",
			    m->municipality[0] ? "unknown code" :
			    "required for a municipal programme");
		snprintf(p->municipality, sizeof p->municipality, "%s",
		    m->municipality);
	} else
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.scope: \"national\" or \"municipal\"");
	snprintf(p->scope, sizeof p->scope, "%s", m->scope);
	if (!PROG_IN(m->period, prog_periods))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.period: \"monthly\", \"yearly\" or \"one_off\"");
	snprintf(p->period, sizeof p->period, "%s", m->period);
	if (m->currency[0] == '\0')
		snprintf(p->currency, sizeof p->currency, "EUR");
	else if (strlen(m->currency) != 3 || m->currency[0] < 'A' ||
	    m->currency[0] > 'Z' || m->currency[1] < 'A' ||
	    m->currency[1] > 'Z' || m->currency[2] < 'A' ||
	    m->currency[2] > 'Z')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme.currency: an ISO 4217 code such as \"EUR\"");
	else
		snprintf(p->currency, sizeof p->currency, "%s", m->currency);
	p->online = m->online;
	p->auto_renew = m->auto_renew;
	p->open = m->open;
	if ((st = prog_rule_check(ctx, "programme.eligibility",
	    m->eligibility, RULE_BOOL)) != GRPC_STATUS_OK)
		return st;
	if ((st = prog_rule_check(ctx, "programme.amount", m->amount,
	    RULE_MONEY)) != GRPC_STATUS_OK)
		return st;
	snprintf(p->eligibility, sizeof p->eligibility, "%s", m->eligibility);
	snprintf(p->amount, sizeof p->amount, "%s", m->amount);
	return GRPC_STATUS_OK;
}

static grpc_status_code
prog_save(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	const Spis__V1__SaveProgrammeRequest *req = (const void *)reqm;
	struct store_programme *p;
	struct store_audit a;
	grpc_status_code st;
	char why[96];

	if (req->programme == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "programme: required");
	if (req->expected_version < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "expected_version: 0 to create, else the version read");
	if (check_text(req->reason, 1, PROG_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	p = arena_alloc(rpc_ctx_arena(ctx), sizeof *p);
	if ((st = prog_from_msg(ctx, req->programme, p)) != GRPC_STATUS_OK)
		return st;
	/* A municipal admin runs their own municipality's programmes. */
	if (strcmp(p->scope, "municipal") == 0 ?
	    !authz_in_scope(c, p->municipality) :
	    c->officer.municipality[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "programme.scope: a %s programme is outside your scope "
		    "(%s)", p->scope, c->officer.municipality);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "programme %s", p->code));
	switch (store_programme_save(d->store, p, req->expected_version,
	    c->officer.municipality, c->officer.username, req->reason, &a)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "programme.code: %s is not a programme of your "
		    "municipality (%s)", p->code, c->officer.municipality);
	case STORE_EXISTS:
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "programme.code: \"%s\" exists; read it and send its "
		    "version as expected_version to change it", p->code);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "programme.code: no programme \"%s\"; send "
		    "expected_version 0 to create it", p->code);
	case STORE_CONFLICT:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "expected_version: the programme changed since you read "
		    "it (it is at version %" PRId64 "); read it again",
		    p->version);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &programme_msg(ctx, p)->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * The pre-check.
 */

struct prog_pre {
	struct rpc_ctx *ctx;
	const char *municipality;
	const struct rule_value *facts;
	struct store_programme *progs; /* copied out of the store */
	size_t nprogs, capprogs;
	Spis__V1__PreCheckResult **items;
	size_t n, cap;
};

/* Called with the store's lock held: copies the programmes open to the
 * asker; the rules run after the lock is released, so that a public
 * pre-check never keeps officers' calls waiting. */
static void
prog_pre_copy(void *arg, const struct store_programme *p)
{
	struct prog_pre *l = arg;

	if (!p->open || (strcmp(p->scope, "municipal") == 0 &&
	    strcmp(p->municipality, l->municipality) != 0))
		return;
	l->progs = arena_grow(rpc_ctx_arena(l->ctx), l->progs, l->nprogs,
	    &l->capprogs, sizeof *l->progs);
	l->progs[l->nprogs++] = *p;
}

static void
prog_pre_one(struct prog_pre *l, const struct store_programme *p)
{
	struct arena *a = rpc_ctx_arena(l->ctx);
	struct programme_eval ev;
	struct rule_error err;
	Spis__V1__PreCheckResult *m;

	if (programme_evaluate(p->eligibility, p->amount, l->facts,
	    p->currency, 0, a, &ev, &err) != 0) {
		/* A rule that fails on these answers (an overflow on an
		 * absurd income) says nothing either way: leave it out. */
		log_warn("pre-check: programme %s: %s", p->code, err.msg);
		return;
	}
	l->items = arena_grow(a, l->items, l->n, &l->cap, sizeof *l->items);
	m = RPC_NEW(l->ctx, Spis__V1__PreCheckResult,
	    spis__v1__pre_check_result__init);
	m->programme = programme_msg(l->ctx, p);
	m->eligible = ev.eligible;
	m->amount = ev.amount;
	m->clauses = programme_clauses(l->ctx, &ev.elig, p->currency,
	    &m->n_clauses);
	l->items[l->n++] = m;
}

static int
prog_pre_cmp(const void *x, const void *y)
{
	const Spis__V1__PreCheckResult *a = *(void *const *)x;
	const Spis__V1__PreCheckResult *b = *(void *const *)y;

	if (a->eligible != b->eligible)
		return a->eligible ? -1 : 1;
	return strcmp(a->programme->code, b->programme->code);
}

static grpc_status_code
prog_int(struct rpc_ctx *ctx, const char *field, int64_t v, int64_t lo,
    int64_t hi)
{
	if (v < lo || v > hi)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: %" PRId64 " is out of range (%" PRId64 " to %" PRId64
		    ")", field, v, lo, hi);
	return GRPC_STATUS_OK;
}

/* Money typed by a person: up to a billion in major units. */
#define PROG_MONEY_MAX INT64_C(100000000000)

static grpc_status_code
prog_precheck(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const Spis__V1__PreCheckRequest *req = (const void *)reqm;
	struct rule_value f[FACT__COUNT];
	struct prog_pre l = {.ctx = ctx, .facts = f};
	Spis__V1__PreCheckReply *out;
	grpc_status_code st;
	char why[128];

	if ((st = prog_int(ctx, "household_size", req->household_size, 1,
	    30)) != GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "children", req->children, 0,
	    req->household_size)) != GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "over65", req->over65, 0,
	    req->household_size)) != GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "disabled", req->disabled, 0,
	    req->household_size)) != GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "monthly_income", req->monthly_income, 0,
	    PROG_MONEY_MAX)) != GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "assets", req->assets, 0, PROG_MONEY_MAX)) !=
	    GRPC_STATUS_OK ||
	    (st = prog_int(ctx, "age", req->age, 0, 130)) != GRPC_STATUS_OK)
		return st;
	if (req->children + req->over65 > req->household_size)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "children: children and members over 65 are more than "
		    "the household's %d members", req->household_size);
	if ((req->disability[0] != '\0' && person_check_field("disability",
	    req->disability, why, sizeof why) != 0) ||
	    person_check_field("employment", req->employment, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s", why);
	if (req->sex[0] != '\0' && strcmp(req->sex, "F") != 0 &&
	    strcmp(req->sex, "M") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "sex: \"F\", \"M\" or \"\"");
	if (municipality_find(req->municipality) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: %s", req->municipality[0] ? "unknown code" :
		    "required");
	/* No person, so nothing reported: the institutions' facts are zero
	 * and false here, as for someone no institution reported on. */
	programme_facts_of(f, req->age, req->sex, req->disability[0] ?
	    req->disability : "none", req->employment, req->municipality,
	    req->household_size, req->children, req->over65, req->disabled,
	    req->monthly_income, req->assets);
	l.municipality = req->municipality;
	if (store_programme_list(d->store, prog_pre_copy, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	for (size_t i = 0; i < l.nprogs; i++)
		prog_pre_one(&l, &l.progs[i]);
	if (l.n > 1)
		qsort(l.items, l.n, sizeof *l.items, prog_pre_cmp);
	out = RPC_NEW(ctx, Spis__V1__PreCheckReply,
	    spis__v1__pre_check_reply__init);
	out->results = l.items;
	out->n_results = l.n;
	out->currency = "EUR";
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

void
programme_facts_of(struct rule_value *f, int age, const char *sex,
    const char *disability, const char *employment, const char *municipality,
    int size, int children, int over65, int disabled, int64_t income,
    int64_t assets)
{
	f[FACT_AGE] = (struct rule_value){RULE_INT, age, NULL};
	f[FACT_SEX] = (struct rule_value){RULE_TEXT, 0, sex};
	f[FACT_DISABILITY] = (struct rule_value){RULE_TEXT, 0, disability};
	f[FACT_EMPLOYMENT] = (struct rule_value){RULE_TEXT, 0, employment};
	f[FACT_MUNICIPALITY] = (struct rule_value){RULE_TEXT, 0,
	    municipality};
	f[FACT_HH_SIZE] = (struct rule_value){RULE_INT, size, NULL};
	f[FACT_HH_CHILDREN] = (struct rule_value){RULE_INT, children, NULL};
	f[FACT_HH_OVER65] = (struct rule_value){RULE_INT, over65, NULL};
	f[FACT_HH_DISABLED] = (struct rule_value){RULE_INT, disabled, NULL};
	f[FACT_HH_INCOME] = (struct rule_value){RULE_MONEY, income, NULL};
	/* Per member, truncated to the cent below: never rounds a household
	 * over a limit it is under. */
	f[FACT_HH_INCOME_PM] = (struct rule_value){RULE_MONEY,
	    size > 0 ? income / size : income, NULL};
	f[FACT_HH_ASSETS] = (struct rule_value){RULE_MONEY, assets, NULL};
	programme_facts_reported(f, size, &(struct prog_reported){0});
}

void
programme_facts_reported(struct rule_value *f, int size,
    const struct prog_reported *r)
{
	f[FACT_HH_INCOME_REP] = (struct rule_value){RULE_MONEY, r->income,
	    NULL};
	/* Truncated as the declared figure is. */
	f[FACT_HH_INCOME_REP_PM] = (struct rule_value){RULE_MONEY,
	    size > 0 ? r->income / size : r->income, NULL};
	f[FACT_HH_VEHICLES] = (struct rule_value){RULE_MONEY, r->vehicles,
	    NULL};
	f[FACT_HH_LAND] = (struct rule_value){RULE_MONEY, r->land, NULL};
	f[FACT_REG_UNEMPLOYED] = (struct rule_value){RULE_BOOL,
	    r->registered_unemployed != 0, NULL};
}

int
programme_means_tested(const char *eligibility)
{
	static const enum prog_fact income[] = {FACT_HH_INCOME,
	    FACT_HH_INCOME_PM, FACT_HH_INCOME_REP, FACT_HH_INCOME_REP_PM};
	struct rule_error err;
	struct rule *r;
	int yes = 0;

	if ((r = rule_parse(eligibility, programme_facts, FACT__COUNT,
	    RULE_BOOL, &err)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof income / sizeof income[0]; i++)
		yes |= rule_names_fact(r, income[i]);
	rule_free(r);
	return yes;
}

/* ------------------------------------------------------------------------
 * The seed catalogue: twelve programmes shaped like Lithuania's, with the
 * state-supported income (EUR 102.00 per member a month) as the
 * means-test base.
 */

struct prog_seed {
	const char *code, *lt, *en, *pillar, *municipality, *period;
	int online, auto_renew;
	const char *eligibility, *amount;
};

static const struct prog_seed prog_seeds[] = {
	{"SOC-BEN", "Socialinė pašalpa", "Social benefit", "cash_benefits",
	    "", "monthly", 1, 1,
	    "# Below the state-supported income per member, modest assets\n"
	    "household.income_per_member < 102.00\n"
	    "and household.assets <= 5000.00 * household.size",
	    "# 100% of the base for the first member, 80% for the second,\n"
	    "# 70% for each further one, less the household's income\n"
	    "max(0.00, 102.00 + 81.60 * min(household.size - 1, 1)\n"
	    "    + 71.40 * max(household.size - 2, 0) - household.income)"},
	{"HEAT", "Būsto šildymo išlaidų kompensacija",
	    "Compensation for heating costs", "housing", "", "monthly", 1, 1,
	    "household.income_per_member < 2 * 102.00",
	    "max(10.00, 120.00 - household.income / 10)"},
	{"HOT-WATER", "Karšto vandens išlaidų kompensacija",
	    "Compensation for hot water costs", "housing", "", "monthly", 1, 1,
	    "household.income_per_member < 2 * 102.00",
	    "max(5.00, 25.00 - household.income / 20)"},
	{"CHILD", "Išmoka vaikui", "Child benefit", "child_protection", "",
	    "monthly", 1, 1,
	    "household.children > 0",
	    "# A universal part per child, and more for low incomes\n"
	    "70.00 * household.children + if(household.income_per_member"
	    " < 153.00,\n    44.10 * household.children, 0.00)"},
	{"SCHOOL-MEALS", "Nemokamas mokinių maitinimas", "Free school meals",
	    "school_support", "", "monthly", 1, 1,
	    "household.children > 0\n"
	    "and household.income_per_member < 153.00",
	    "30.00 * household.children"},
	{"SCHOOL-KIT", "Parama mokinio reikmenims įsigyti",
	    "School supplies support", "school_support", "", "yearly", 1, 0,
	    "household.children > 0\n"
	    "and household.income_per_member < 153.00",
	    "76.50 * household.children"},
	{"DISABILITY", "Šalpos neįgalumo pensija", "Disability allowance",
	    "disability", "", "monthly", 0, 1,
	    "person.disability in [\"moderate\", \"severe\"]",
	    "if(person.disability == \"severe\", 290.70, 193.80)"},
	{"CARE", "Slaugos išlaidų tikslinė kompensacija", "Care allowance",
	    "disability", "", "monthly", 0, 1,
	    "person.disability == \"severe\" or household.disabled > 0",
	    "308.00"},
	{"RENT", "Būsto nuomos išlaidų kompensacija", "Housing support (rent)",
	    "housing", "", "monthly", 1, 1,
	    "household.income_per_member < 2 * 102.00\n"
	    "and household.assets < 20000.00",
	    "min(250.00, max(20.00, 200.00 - household.income / 5))"},
	{"BIRTH", "Vienkartinė išmoka gimus vaikui", "Birth grant",
	    "child_protection", "", "one_off", 1, 0,
	    "household.children > 0",
	    "459.00"},
	{"HOME-HELP", "Pagalba į namus", "Home help", "social_services", "",
	    "monthly", 0, 1,
	    "household.over65 > 0 or household.disabled > 0",
	    "# A service, not cash: no amount is paid\n0.00"},
	{"VLN-WINTER", "Vilniaus žiemos parama senjorams",
	    "Vilnius winter support for seniors", "cash_benefits", "13",
	    "yearly", 1, 0,
	    "person.age >= 65 and household.income_per_member < 3 * 102.00",
	    "50.00"},
};

int
programmes_seed(struct rpcd *d)
{
	struct store_programme *p;
	struct store_audit a = {0};
	int64_t n = store_programme_count(d->store);
	int rc = 0;

	if (n != 0)
		return n < 0 ? -1 : 0;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof prog_seeds / sizeof prog_seeds[0];
	    i++) {
		const struct prog_seed *s = &prog_seeds[i];

		memset(p, 0, sizeof *p);
		snprintf(p->code, sizeof p->code, "%s", s->code);
		snprintf(p->names[0], sizeof p->names[0], "%s", s->lt);
		snprintf(p->names[1], sizeof p->names[1], "%s", s->en);
		snprintf(p->pillar, sizeof p->pillar, "%s", s->pillar);
		snprintf(p->scope, sizeof p->scope, "%s",
		    s->municipality[0] ? "municipal" : "national");
		snprintf(p->municipality, sizeof p->municipality, "%s",
		    s->municipality);
		snprintf(p->period, sizeof p->period, "%s", s->period);
		p->online = s->online;
		p->auto_renew = s->auto_renew;
		p->open = 1;
		snprintf(p->currency, sizeof p->currency, "EUR");
		snprintf(p->eligibility, sizeof p->eligibility, "%s",
		    s->eligibility);
		snprintf(p->amount, sizeof p->amount, "%s", s->amount);
		a.actor = "system";
		a.role = "";
		a.terminal = "";
		a.purpose = "";
		a.municipality = "";
		a.method = "seed programme";
		a.subject = "";
		a.outcome = "OK";
		a.detail = s->code;
		if (store_programme_save(d->store, p, 0, "", "system",
		    "the seed catalogue", &a) != STORE_OK) {
			log_error("cannot seed programme %s", s->code);
			rc = -1;
			break;
		}
	}
	free(p);
	return rc;
}

const struct rpc_method programmes_methods[] = {
	RPC_METHOD(spis__v1__programmes, 0, prog_list, PERM_PUBLIC),
	RPC_METHOD(spis__v1__programmes, 1, prog_get, PERM_PUBLIC),
	RPC_METHOD(spis__v1__programmes, 2, prog_save, PERM_PROGRAMME_ADMIN),
	RPC_METHOD(spis__v1__programmes, 3, prog_versions, PERM_PUBLIC),
	RPC_METHOD(spis__v1__programmes, 4, prog_check_rule,
	    PERM_PROGRAMME_ADMIN),
	RPC_METHOD(spis__v1__programmes, 5, prog_precheck, PERM_PUBLIC),
};
const size_t programmes_nmethods =
    sizeof programmes_methods / sizeof programmes_methods[0];
