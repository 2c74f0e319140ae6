/*
 * fuzz_handlers.c: libFuzzer target for every RPC's handler, the check of
 * its request included.  The first two bytes pick a method of any service
 * the daemon serves (the top bit a variant of the caller), the rest is its
 * request as it would arrive on the wire.  What decodes is handed to the
 * handler in process (rpc_call_local), with the daemon's own idempotency
 * and audit hooks around it, against a real store on a temporary file
 * with a small seeded registry.
 *
 * The handler may answer any status but INTERNAL (or UNAVAILABLE, which
 * is INTERNAL from storage), and must not crash, leak or hit undefined
 * behaviour; afterwards the store must be out of any transaction with its
 * lock free, and an INVALID_ARGUMENT message must start with the field it
 * is about ("person.national_id: ..."), which is the daemon's rule.  Any
 * of these aborts, so libFuzzer keeps the input.
 *
 * The callers: no one for public methods (as before a login); an officer
 * holding every role, of national scope (variant 1: of municipality 13);
 * a citizen's sitting for their own calls (variant 1: helped by that
 * officer); an institution allowed every fact kind and purpose for the
 * exchange's calls; a kiosk without a session, or the officer as its
 * volunteer, for Identify and registration requests.  Logins are skipped:
 * they answer from a PAM thread.
 *
 * SPIS_FUZZ_SEEDS=DIR writes a seed input per method into DIR (requests
 * whose IDs name the seeded registry) and exits; SPIS_FUZZ_VERBOSE=1
 * prints every call's status.
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "spis/v1/exchange.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "auditfile.h"
#include "check.h"
#include "log.h"
#include "natid.h"
#include "rpc.h"
#include "rpcd.h"
#include "store_fact.h"
#include "store_household.h"
#include "store_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Runs between store resets: the registry grows with every change, and
 * a small one keeps each run quick. */
#define FZ_RESET_RUNS 2000

#define T(x) {x##_methods, &x##_nmethods}
static const struct {
	const struct rpc_method *m;
	const size_t *n;
} fz_tables[] = {
	T(health), T(system), T(auth), T(audit), T(stats), T(registry),
	T(households), T(duplicates), T(documents), T(citizen), T(notices),
	T(benefits), T(applications), T(programmes), T(registrations),
	T(payments), T(exchange), T(simulation),
};

static struct rpcd fz_d;
static struct rpc_server_opts fz_opts;
static struct store_institution fz_inst;
static char fz_dir[64], fz_db[128], fz_pristine[128], fz_docs[128];
static char fz_ids[4][12];	/* the seeded people */
static char fz_household[24];	/* their household */
static long fz_runs;
static int fz_verbose;	/* SPIS_FUZZ_VERBOSE: every call's status */

/* A citizen's calls carry their sitting's token, which authz_check found
 * the sitting by (EndSitting ends it by the token). */
static const char *const fz_sitting_md[] = {"x-spis-citizen",
    "fuzz-sitting-token", NULL};

static const char fz_roles[] = "helpdesk,clerk,caseworker,supervisor,"
    "auditor,admin,intermediary,analyst";

static size_t
fz_total(void)
{
	size_t total = 0;

	for (size_t i = 0; i < sizeof fz_tables / sizeof fz_tables[0]; i++)
		total += *fz_tables[i].n;
	return total;
}

static const struct rpc_method *
fz_method(size_t pick)
{
	pick %= fz_total();
	for (size_t i = 0; i < sizeof fz_tables / sizeof fz_tables[0]; i++) {
		if (pick < *fz_tables[i].n)
			return &fz_tables[i].m[pick];
		pick -= *fz_tables[i].n;
	}
	return NULL;
}

static const struct rpc_method *
fz_find(const ProtobufCServiceDescriptor *svc, unsigned index)
{
	for (size_t i = 0; i < fz_total(); i++) {
		const struct rpc_method *m = fz_method(i);

		if (m->service == svc && m->index == index)
			return m;
	}
	fprintf(stderr, "fuzz: no method %u of %s\n", index, svc->name);
	abort();
}

/* The authorize hook without the credentials: the caller is given, and
 * what authz_check does after finding it (idempotency) is done. */
static grpc_status_code
fz_authorize(struct rpc_ctx *ctx, const struct rpc_method *m, void *arg)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	(void)arg;
	store_fault_take();
	if (m->permission == PERM_PUBLIC || m->permission == PERM_LOGIN ||
	    c == NULL)
		return GRPC_STATUS_OK;
	return idem_begin(ctx, c);
}

static void
fz_officer(struct rpcd_caller *c, const char *municipality)
{
	char bad[64];

	memset(c, 0, sizeof *c);
	snprintf(c->officer.username, sizeof c->officer.username, "fuzz");
	snprintf(c->officer.display_name, sizeof c->officer.display_name,
	    "Fuzz Officer");
	snprintf(c->officer.roles, sizeof c->officer.roles, "%s", fz_roles);
	snprintf(c->officer.municipality, sizeof c->officer.municipality,
	    "%s", municipality);
	c->officer.active = 1;
	if (authz_roles_parse(fz_roles, &c->roles, bad, sizeof bad) != 0)
		abort();
	c->expires_at = (int64_t)time(NULL) + 3600;
}

/* The caller of method m, as authz_check would have found it; NULL when
 * there is none. */
static struct rpcd_caller *
fz_caller(const struct rpc_method *m, int variant, struct rpcd_caller *c)
{
	switch (m->permission) {
	case PERM_PUBLIC:
	case PERM_LOGIN:
		return NULL;
	case PERM_CITIZEN_IDENTIFY:
	case PERM_REGISTRATION_SUBMIT:
		if (!variant)
			return NULL;
		fz_officer(c, "");
		return c;
	case PERM_CITIZEN:
		if (variant)
			fz_officer(c, "");
		else {
			memset(c, 0, sizeof *c);
			snprintf(c->officer.username,
			    sizeof c->officer.username, "citizen");
			snprintf(c->officer.roles, sizeof c->officer.roles,
			    "citizen");
			c->expires_at = (int64_t)time(NULL) + 600;
		}
		c->citizen_id = fz_ids[0];
		c->subject = c->citizen_id;
		c->purpose = variant ? "citizen self-service, assisted by fuzz" :
		    "citizen self-service";
		return c;
	case PERM_EXCHANGE_SUBMIT:
	case PERM_EXCHANGE_SEARCH:
		memset(c, 0, sizeof *c);
		snprintf(c->officer.username, sizeof c->officer.username,
		    "inst:%s", fz_inst.code);
		snprintf(c->officer.roles, sizeof c->officer.roles,
		    "institution");
		c->institution = &fz_inst;
		return c;
	default:
		fz_officer(c, variant ? "13" : "");
		return c;
	}
}

/* "field: problem", where the field is a path of lower-case names,
 * indexes and dots. */
static int
fz_names_field(const char *msg)
{
	size_t i;

	for (i = 0; msg[i] != '\0'; i++)
		if (!islower((unsigned char)msg[i]) &&
		    !isdigit((unsigned char)msg[i]) &&
		    strchr("._[]", msg[i]) == NULL)
			break;
	return i > 0 && msg[i] == ':';
}

/* The store between calls: no transaction left open, the lock free. */
static void
fz_store_idle(const char *path)
{
	struct store *st = fz_d.store;

	if (pthread_mutex_trylock(&st->lock) != 0) {
		fprintf(stderr, "fuzz: %s left the store locked\n", path);
		abort();
	}
	if (!sqlite3_get_autocommit(st->db) || st->batch) {
		fprintf(stderr, "fuzz: %s left a transaction open\n", path);
		abort();
	}
	pthread_mutex_unlock(&st->lock);
}

static grpc_status_code
fz_run(const struct rpc_method *m, const void *body, size_t len,
    struct rpcd_caller *c, char *msg, size_t msglen)
{
	grpc_status_code st;
	const char *svc = m->service->name;
	const char *name = m->service->methods[m->index].name;

	st = rpc_call_local(&fz_opts, m, body, len,
	    c != NULL && c->citizen_id != NULL ? fz_sitting_md : NULL, c, msg,
	    msglen);
	fz_store_idle(name);
	if (fz_verbose)
		fprintf(stderr, "fuzz: %s/%s: %s %s\n", svc, name,
		    rpc_status_name(st), msg);
	if (st == GRPC_STATUS_INTERNAL || st == GRPC_STATUS_UNAVAILABLE) {
		fprintf(stderr, "fuzz: %s/%s answered %s: %s\n", svc, name,
		    rpc_status_name(st), msg);
		abort();
	}
	if (st == GRPC_STATUS_INVALID_ARGUMENT && !fz_names_field(msg)) {
		fprintf(stderr, "fuzz: %s/%s: INVALID_ARGUMENT without the "
		    "field first: \"%s\"\n", svc, name, msg);
		abort();
	}
	return st;
}

/* Seeding and the seeds: a call that must succeed. */
static void
fz_must(const ProtobufCServiceDescriptor *svc, unsigned index,
    const ProtobufCMessage *req)
{
	const struct rpc_method *m = fz_find(svc, index);
	struct rpcd_caller c;
	uint8_t *buf;
	size_t n = protobuf_c_message_get_packed_size(req);
	char msg[512];
	grpc_status_code st;

	if ((buf = malloc(n ? n : 1)) == NULL)
		abort();
	protobuf_c_message_pack(req, buf);
	fz_officer(&c, "");
	st = fz_run(m, buf, n, &c, msg, sizeof msg);
	free(buf);
	if (st != GRPC_STATUS_OK) {
		fprintf(stderr, "fuzz: seeding %s/%s: %s: %s\n", svc->name,
		    svc->methods[index].name, rpc_status_name(st), msg);
		abort();
	}
}

/* A valid LT code from its first ten digits: the check digit is found
 * by asking natid. */
static void
fz_code(char out[12], const char *ten)
{
	for (int k = 0; k <= 9; k++) {
		snprintf(out, 12, "%s%d", ten, k);
		if (natid_check("LT", out, NULL, NULL, 0) == 0)
			return;
	}
	abort();
}

static void
fz_person(const char *id, const char *given, const char *surname,
    const char *birth, const char *sex)
{
	Spis__V1__RegisterPersonRequest r = SPIS__V1__REGISTER_PERSON_REQUEST__INIT;
	Spis__V1__Person p = SPIS__V1__PERSON__INIT;
	char rid[32];

	snprintf(rid, sizeof rid, "seed-%s", id);
	p.national_id = (char *)id;
	p.given_names = (char *)given;
	p.surname = (char *)surname;
	p.birth_date = (char *)birth;
	p.sex = (char *)sex;
	p.address = "Gedimino pr. 1, Vilnius";
	p.municipality = "13";
	p.phone = "+37060000000";
	p.disability = "none";
	p.employment = "employed";
	p.language = "lt";
	r.request_id = rid;
	r.person = &p;
	fz_must(&spis__v1__registry__descriptor, 0, &r.base);
}

static void
fz_seed(void)
{
	Spis__V1__CreateHouseholdRequest h =
	    SPIS__V1__CREATE_HOUSEHOLD_REQUEST__INIT;
	Spis__V1__AddMemberRequest a = SPIS__V1__ADD_MEMBER_REQUEST__INIT;
	Spis__V1__RegisterInstitutionRequest ri =
	    SPIS__V1__REGISTER_INSTITUTION_REQUEST__INIT;
	Spis__V1__Institution inst = SPIS__V1__INSTITUTION__INIT;
	static char *kinds[] = {"income", "employment", "disability",
	    "vehicle", "land", "death", "birth", "education"};
	static char *purposes[] = {"employment", "health", "research"};
	struct store_officer o = {0};

	snprintf(o.username, sizeof o.username, "fuzz");
	snprintf(o.display_name, sizeof o.display_name, "Fuzz Officer");
	snprintf(o.roles, sizeof o.roles, "%s", fz_roles);
	o.active = 1;
	if (store_officer_add(fz_d.store, &o, "fuzz") != STORE_OK)
		abort();

	fz_code(fz_ids[0], "4850312123");	/* a mother */
	fz_code(fz_ids[1], "3830101456");	/* her partner */
	fz_code(fz_ids[2], "6150607789");	/* their child */
	fz_code(fz_ids[3], "3400202012");	/* a pensioner alone */
	fz_person(fz_ids[0], "Ona", "Fuzzienė", "1985-03-12", "F");
	fz_person(fz_ids[1], "Jonas", "Fuzzas", "1983-01-01", "M");
	fz_person(fz_ids[2], "Rūta", "Fuzzaitė", "2015-06-07", "F");
	fz_person(fz_ids[3], "Petras", "Senas", "1940-02-02", "M");

	h.request_id = "seed-hh";
	h.head_national_id = fz_ids[0];
	h.address = "Gedimino pr. 1, Vilnius";
	h.municipality = "13";
	h.from_date = "2020-01-01";
	fz_must(&spis__v1__households__descriptor, 0, &h.base);
	if (store_household_of(fz_d.store, fz_ids[0], NULL, fz_household,
	    sizeof fz_household) != STORE_OK)
		abort();
	a.household_id = fz_household;
	a.from_date = "2020-01-01";
	a.request_id = "seed-m1";
	a.national_id = fz_ids[1];
	a.relationship = "partner";
	fz_must(&spis__v1__households__descriptor, 1, &a.base);
	a.request_id = "seed-m2";
	a.national_id = fz_ids[2];
	a.relationship = "child";
	fz_must(&spis__v1__households__descriptor, 1, &a.base);

	inst.code = "FUZZ";
	inst.name = "Fuzz institution";
	inst.kinds = kinds;
	inst.n_kinds = sizeof kinds / sizeof kinds[0];
	inst.may_search = 1;
	inst.purposes = purposes;
	inst.n_purposes = sizeof purposes / sizeof purposes[0];
	ri.request_id = "seed-inst";
	ri.institution = &inst;
	fz_must(&spis__v1__exchange__descriptor, 3, &ri.base);
	if (store_institution_get(fz_d.store, "FUZZ", &fz_inst) != STORE_OK)
		abort();
}

/* --- seeds ---------------------------------------------------------------- */

/* A plausible value for a string field, by its name, naming the seeded
 * registry; NULL to leave it empty. */
static const char *
fz_seed_value(const char *name, const char *today, const char *rid,
    const char *service)
{
	if (strcmp(name, "request_id") == 0)
		return rid;
	if (strcmp(name, "code") == 0 && strcmp(service, "Programmes") == 0)
		return "CHILD";
	if (strcmp(name, "from_month") == 0 || strcmp(name, "to_month") == 0)
		return "2024-01";
	if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0)
		return "2024-01-01";
	if (strstr(name, "national_id") != NULL || strcmp(name,
	    "citizen_id") == 0)
		return fz_ids[0];
	if (strcmp(name, "related_id") == 0)
		return fz_ids[1];
	if (strstr(name, "household_id") != NULL)
		return fz_household;
	if (strcmp(name, "municipality") == 0)
		return "13";
	if (strcmp(name, "purpose") == 0)
		return "case_work";
	if (strcmp(name, "programme") == 0 || strcmp(name, "programme_code")
	    == 0)
		return "CHILD";
	if (strstr(name, "date") != NULL || strcmp(name, "as_of") == 0 ||
	    strcmp(name, "on") == 0)
		return today;
	if (strcmp(name, "period") == 0)
		return "2024-01";
	if (strcmp(name, "given_names") == 0)
		return "Ona";
	if (strcmp(name, "surname") == 0)
		return "Fuzzienė";
	if (strcmp(name, "sex") == 0)
		return "F";
	if (strcmp(name, "language") == 0)
		return "lt";
	if (strcmp(name, "username") == 0)
		return "fuzz";
	if (strcmp(name, "code") == 0)
		return "FUZZ";
	if (strcmp(name, "reason") == 0 || strcmp(name, "note") == 0)
		return "seed";
	if (strcmp(name, "relationship") == 0)
		return "child";
	if (strcmp(name, "address") == 0)
		return "Gedimino pr. 1, Vilnius";
	return NULL;
}

static ProtobufCMessage *
fz_seed_msg(struct arena *a, const ProtobufCMessageDescriptor *d, int depth,
    const char *today, const char *rid, const char *service)
{
	ProtobufCMessage *msg = arena_alloc(a, d->sizeof_message);

	protobuf_c_message_init(d, msg);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *at = (char *)msg + f->offset;
		const char *v;

		if (f->label == PROTOBUF_C_LABEL_REPEATED ||
		    f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			continue;
		if (f->type == PROTOBUF_C_TYPE_STRING &&
		    (v = fz_seed_value(f->name, today, rid, service)) != NULL)
			*(const char **)at = v;
		else if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth < 3)
			*(ProtobufCMessage **)at = fz_seed_msg(a,
			    f->descriptor, depth + 1, today, rid, service);
	}
	return msg;
}

static void
fz_write_seeds(const char *dir)
{
	struct arena a;
	char today[16], path[512];
	size_t total = fz_total();

	check_today(today, sizeof today);
	arena_init(&a);
	for (size_t i = 0; i < total; i++) {
		const struct rpc_method *m = fz_method(i);
		const ProtobufCMethodDescriptor *md =
		    &m->service->methods[m->index];
		const char *rid = arena_printf(&a, "seed-%s-%s",
		    m->service->short_name, md->name);
		ProtobufCMessage *msg = fz_seed_msg(&a, md->input, 0, today,
		    rid, m->service->short_name);
		size_t n = protobuf_c_message_get_packed_size(msg);
		uint8_t *buf = arena_alloc(&a, n + 2);
		FILE *f;

		if (m->permission == PERM_LOGIN)
			continue;
		buf[0] = (uint8_t)(i >> 8);
		buf[1] = (uint8_t)i;
		protobuf_c_message_pack(msg, buf + 2);
		snprintf(path, sizeof path, "%s/%s.%s", dir,
		    m->service->short_name, md->name);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(buf, 1, n + 2, f) != n + 2 || fclose(f) != 0) {
			fprintf(stderr, "fuzz: %s: %s\n", path,
			    strerror(errno));
			exit(1);
		}
	}
	arena_free(&a);
}

/* --- set-up --------------------------------------------------------------- */

static int
fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void
fz_cleanup(void)
{
	if (fz_d.store != NULL)
		store_close(fz_d.store);
	fz_d.store = NULL;
	nftw(fz_dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(fz_dir);
}

/* Back to the registry as seeded, without the documents since. */
static void
fz_reset(void)
{
	char err[256];

	if (store_restore(fz_d.store, fz_pristine, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	nftw(fz_docs, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR"), *seeds = getenv("SPIS_FUZZ_SEEDS");
	char err[256];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	fz_verbose = getenv("SPIS_FUZZ_VERBOSE") != NULL;
	log_set_ident("fuzz_handlers");
	log_set_level(LOG_LVL_ERROR);
	snprintf(fz_dir, sizeof fz_dir, "%s/spis-fuzz-XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(fz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	snprintf(fz_db, sizeof fz_db, "%s/spis.db", fz_dir);
	snprintf(fz_pristine, sizeof fz_pristine, "%s/seeded.db", fz_dir);
	snprintf(fz_docs, sizeof fz_docs, "%s/files", fz_dir);
	atexit(fz_cleanup);

	/* The daemon context as main.c fills it, with its defaults.  The
	 * renewal and simulation threads are not started: their handlers
	 * only wake them, and must cope with none. */
	fz_d.db_path = fz_db;
	fz_d.started = time(NULL);
	fz_d.country = "LT";
	fz_d.documents_dir = fz_docs;
	fz_d.auth = (struct auth_cfg){.pam_service = "spis",
	    .session_idle = 900, .session_max = 8 * 3600,
	    .login_timeout = 60, .max_logins = 32, .lockout_failures = 5,
	    .lockout_seconds = 900, .peer_failures = 50, .fail_delay_ms = 0};
	fz_d.kiosk = (struct kiosk_cfg){.sitting_idle = 300,
	    .sitting_max = 1800, .request_days = 30, .requests_per_day = 100};
	fz_d.appeal_days = 30;
	fz_d.objection_days = 30;
	fz_d.payments = (struct payments_cfg){
	    .debtor_name = "SPIS demo paying agency",
	    .debtor_iban = "LT307300010000000001",
	    .debtor_bic = "SPISLT21XXX", .pay_day = 20};
	fz_d.stats = (struct stats_cfg){.min_cell = 5,
	    .research_min_municipality = 20000, .public_per_minute = 60};
	fz_d.logins = login_new(&fz_d);
	{
		static char key[160], head[160];

		snprintf(key, sizeof key, "%s/spis.db.auditkey", fz_dir);
		snprintf(head, sizeof head, "%s/spis.db.audithead", fz_dir);
		fz_d.audit_key_file = key;
		fz_d.audit_head_file = head;
	}
	if ((fz_d.store = store_open(fz_db, err, sizeof err)) == NULL ||
	    auditfile_setup(fz_d.store, fz_d.audit_key_file, 1, "fuzz", err,
	    sizeof err) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	if (programmes_seed(&fz_d) != 0)
		abort();

	fz_opts.authorize = fz_authorize;
	fz_opts.finished = rpcd_audit_call;
	fz_opts.internal = rpcd_internal;
	fz_opts.arg = &fz_d;

	fz_seed();
	if (seeds != NULL) {
		fz_write_seeds(seeds);
		exit(0);
	}
	if (store_backup(fz_d.store, fz_pristine, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct rpc_method *m;
	const ProtobufCMessageDescriptor *d;
	ProtobufCMessage *req;
	struct rpcd_caller c, *cp;
	unsigned sel;
	char msg[1024];

	if (len < 2)
		return 0;
	sel = (unsigned)data[0] << 8 | data[1];
	m = fz_method(sel & 0x7fff);
	if (m->permission == PERM_LOGIN)
		return 0;
	/* Bodies that do not decode never reach a handler; fuzz_decode
	 * has them. */
	d = m->service->methods[m->index].input;
	if ((req = protobuf_c_message_unpack(d, NULL, len - 2, data + 2)) ==
	    NULL)
		return 0;
	protobuf_c_message_free_unpacked(req, NULL);

	if (++fz_runs % FZ_RESET_RUNS == 0)
		fz_reset();
	cp = fz_caller(m, (int)(sel >> 15), &c);
	fz_run(m, data + 2, len - 2, cp, msg, sizeof msg);
	return 0;
}
