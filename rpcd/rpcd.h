/*
 * rpcd.h: what the daemon's service files share: the daemon context handed
 * to every handler, the permissions, and each service's method table.
 */
#ifndef SPIS_RPCD_H
#define SPIS_RPCD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rpc.h"
#include "rule.h"
#include "store.h"

struct logins;

/* Login, session and lockout settings ([auth] in the config file). */
struct auth_cfg {
	const char *pam_service;  /* "spis" */
	const char *pam_confdir;  /* NULL: the system's /etc/pam.d */
	long session_idle;	  /* seconds without a call before expiry */
	long session_max;	  /* absolute lifetime in seconds */
	long login_timeout;	  /* an abandoned conversation ends after */
	long max_logins;	  /* conversations in progress at once */
	long lockout_failures;	  /* failures for one username ... */
	long lockout_seconds;	  /* ... within this period lock it as long */
	long peer_failures;	  /* failures from one address in that period */
	long fail_delay_ms;	  /* every failed login answers after this */
};

/* A citizen's sitting at a kiosk ([kiosk] in the config file). */
struct kiosk_cfg {
	long sitting_idle;	/* seconds without a call before it ends */
	long sitting_max;	/* absolute length of a sitting */
	long request_days;	/* a registration request expires after */
	long requests_per_day;	/* registration requests one terminal may
				 * send in 24 hours */
};

/* The paying agency's account for bank files ([payments] in the config
 * file). */
struct payments_cfg {
	const char *debtor_name;
	const char *debtor_iban;
	const char *debtor_bic;
	long pay_day; /* day of the month monthly benefits are paid, 1-28 */
};

/* Public statistics and research samples ([stats] in the config file). */
struct stats_cfg {
	long min_cell;	/* a cell or total under this is suppressed (>= 3) */
	long research_min_municipality; /* residents under which a research
					 * sample says "other" */
	long public_per_minute; /* public statistics calls one address may
				 * make in a minute */
};

/* The daemon context: rpc_ctx_arg() of every call. */
struct rpcd {
	struct store *store;
	const char *db_path; /* the database file (operator commands) */
	time_t started;
	const char *country; /* national ID scheme: "LT" or "TR" */
	const char *documents_dir; /* content of attached documents */
	struct auth_cfg auth;
	struct kiosk_cfg kiosk;
	long appeal_days; /* how long after a decision it may be appealed */
	long objection_days; /* how long a renewal may be objected to */
	struct renewal *renewal; /* the renewal job's thread (renewal.c) */
	struct simjob *simjob; /* the microsimulation thread (simjob.c) */
	struct payments_cfg payments;
	struct stats_cfg stats;
	struct logins *logins;
	const char *audit_key_file;  /* keys the audit chain (auditfile.h) */
	const char *audit_head_file; /* the trail's last row, written out */
};

/*
 * Permissions a method may require.  authz.c maps roles to these; no
 * handler checks a role itself.
 */
enum rpcd_perm {
	PERM_PUBLIC,	   /* anyone, before login: health, version */
	PERM_LOGIN,	   /* anyone; login.c audits every outcome itself */
	PERM_SESSION,	   /* any logged-in officer: WhoAmI, Logout */
	PERM_OFFICER_READ, /* list officers */
	PERM_OFFICER_ADMIN, /* add and disable officers */
	PERM_AUDIT_READ,   /* read the audit trail */
	PERM_REGISTRY_READ,  /* search people, open a record, its history */
	PERM_REGISTRY_WRITE, /* register, update, households, death, consent */
	PERM_DUPLICATE_REVIEW, /* list and resolve duplicate flags */
	PERM_DOCUMENT_READ,  /* list and fetch attached documents */
	PERM_DOCUMENT_WRITE, /* attach documents */
	PERM_PIN_ISSUE,	     /* issue or reset a citizen's kiosk PIN */
	PERM_CITIZEN_IDENTIFY, /* a citizen identifies at a kiosk (alone, or
				* with a volunteer's session); citizen.c
				* audits every outcome itself */
	PERM_CITIZEN,	     /* a citizen's own calls: needs the citizen
				* token of an identified sitting */
	PERM_PROGRAMME_ADMIN, /* change the programme catalogue and rules */
	PERM_APPLICATION_READ, /* open applications and the work queue */
	PERM_APPLICATION_SUBMIT, /* apply for a person, withdraw, appeal */
	PERM_APPLICATION_DECIDE, /* review, evaluate and decide */
	PERM_DECISION_OVERRIDE, /* decide against the rules (Decide checks it
				 * with authz_caller_may, as the call itself
				 * needs only PERM_APPLICATION_DECIDE) */
	PERM_STATUS_READ,   /* the helpdesk's status answer */
	PERM_REGISTRATION_SUBMIT, /* a person not yet registered asks to be,
				* at a kiosk: without a session, or with a
				* volunteer's; bounded per terminal */
	PERM_BENEFIT_READ,  /* a person's benefits and bank account */
	PERM_BENEFIT_WRITE, /* suspend, resume and end benefits */
	PERM_BANK_WRITE,    /* record a person's bank account */
	PERM_PAYMENT_RUN,   /* create, export, cancel and reconcile runs */
	PERM_PAYMENT_APPROVE, /* the second signature on a run */
	PERM_PAYMENT_READ,  /* read runs and failed payments: those who make,
			     * sign or audit them */
	PERM_RENEWAL_RUN,   /* start the yearly renewal job, read its
			     * progress */
	PERM_EXCHANGE_SUBMIT, /* an institution sends facts (its credential,
			       * not an officer session) */
	PERM_EXCHANGE_SEARCH, /* an institution searches the registry */
	PERM_EXCHANGE_ADMIN, /* register institutions, read their feeds */
	PERM_FACT_READ,	     /* the facts held about a person */
	PERM_RESEARCH_SAMPLE, /* an anonymised extract for research */
	PERM_SIMULATION_RUN, /* a microsimulation of a candidate rule */
	PERM__COUNT
};

/* The roles of the design; an officer may hold several. */
enum rpcd_role {
	ROLE_HELPDESK,
	ROLE_CLERK,
	ROLE_CASEWORKER,
	ROLE_SUPERVISOR,
	ROLE_AUDITOR,
	ROLE_ADMIN,
	ROLE_INTERMEDIARY,
	ROLE_ANALYST,
	ROLE__COUNT
};

/* Who is calling, as the authorize hook established it (rpc_ctx_user). */
struct rpcd_caller {
	struct store_officer officer;
	unsigned roles;	 /* bit per enum rpcd_role */
	int64_t expires_at;
	uint8_t token_hash[32];
	const char *request_id; /* claimed by idem_begin, or NULL */

	/* A citizen's sitting at a kiosk (PERM_CITIZEN calls): whose data it
	 * is, and the volunteer helping, if any (then officer is theirs). */
	const char *citizen_id;

	/* What the audit row of this call says beyond the defaults; set by
	 * handlers with rpcd_audit_subject().  audited is set when a store
	 * function was given the success row to write inside its
	 * transaction; it counts only if the call then succeeds, so a failed
	 * call is still audited by the finished hook. */
	const char *subject;
	const char *purpose;
	const char *detail;
	int audited;

	/* An institution's call (PERM_EXCHANGE_SUBMIT/SEARCH): the
	 * institution its credential names; officer.username is then
	 * "inst:<code>" for the audit rows.  NULL for everyone else. */
	const struct store_institution *institution;

	/* The reply holds a secret (a PIN): idem.c keeps no copy of it, and
	 * a retry is told to ask again instead. */
	int secret_reply;

	/* A public call that read someone's data: audited when it succeeds
	 * too (rpcd_audit_public). */
	int audit_public;
};

/* Names whose data a call touches, and why, for its audit row. */
void rpcd_audit_subject(struct rpc_ctx *ctx, const char *subject,
    const char *purpose);

/*
 * For a public call (no session) that reads someone's data: its audit row,
 * with subject, purpose and detail, is written by the finished hook even
 * when it succeeds, and the answer waits for it as any audited read's.
 */
void rpcd_audit_public(struct rpc_ctx *ctx, const char *subject,
    const char *purpose, const char *detail);

/*
 * Fills *a with the audit row of a successful call as it stands (actor,
 * role, terminal, municipality, method, subject, purpose), for a store
 * function to write inside the transaction of the change itself, so that a
 * change is never without its row; marks the call audited.  Strings are
 * owned by the call's arena.
 */
void rpcd_audit_row(struct rpc_ctx *ctx, struct store_audit *a,
    const char *detail);

/* A household as its message, members as of the end of day as_of ("" or
 * NULL for now), head first, without former members (households.c).  NULL
 * when household_id names no household.  Arena-owned. */
struct Spis__V1__Household;
struct Spis__V1__Household *households_msg(struct rpc_ctx *ctx,
    const char *household_id, const char *as_of);

/* Whether the caller may change records of this municipality: national
 * officers everywhere, others only in their own. */
int authz_in_scope(const struct rpcd_caller *c, const char *municipality);

/* Purposes a read may name (registry.proto).  Returns GRPC_STATUS_OK and
 * records the subject and purpose for the audit row, or the status that
 * rpc_error set: INVALID_ARGUMENT for an unknown purpose, PERMISSION_DENIED
 * when the person refused (or never gave) consent for it. */
grpc_status_code rpcd_purpose_check(struct rpc_ctx *ctx,
    const char *national_id, const char *purpose);

/*
 * Folds a name for comparison: lower case, diacritics removed, Turkish
 * dotless i as i, runs of spaces and hyphens as one space, trimmed.
 * "Žemaitė-Šimkienė" becomes "zemaite simkiene".  Returns 0, or -1 when
 * out is too small or in is not UTF-8.
 */
int rpcd_fold(const char *in, char *out, size_t outlen);

/*
 * programmes.c: the facts a programme's rules may name, and running both
 * of its rules at once.
 */
enum prog_fact {
	FACT_AGE,
	FACT_SEX,
	FACT_DISABILITY,
	FACT_EMPLOYMENT,
	FACT_MUNICIPALITY,
	FACT_HH_SIZE,
	FACT_HH_CHILDREN,
	FACT_HH_OVER65,
	FACT_HH_DISABLED,
	FACT_HH_INCOME,
	FACT_HH_INCOME_PM,
	FACT_HH_ASSETS,
	/* What institutions report (facts, lifeevent.c), as opposed to what
	 * the applicant declared. */
	FACT_HH_INCOME_REP,
	FACT_HH_INCOME_REP_PM,
	FACT_HH_VEHICLES,
	FACT_HH_LAND,
	FACT_REG_UNEMPLOYED,
	FACT__COUNT
};
extern const struct rule_fact_def programme_facts[FACT__COUNT];

/* The facts from before FACT_HH_INCOME_REP: a decision stored before the
 * reported facts existed has inputs for these only. */
#define FACT__DECLARED FACT_HH_INCOME_REP

/* Fills the FACT__COUNT values f from a person's and a household's
 * figures; the strings are referenced, not copied.  The reported facts
 * are zero (false), as for someone no institution reported on; add them
 * with programme_facts_reported. */
void programme_facts_of(struct rule_value *f, int age, const char *sex,
    const char *disability, const char *employment, const char *municipality,
    int size, int children, int over65, int disabled, int64_t income,
    int64_t assets);

/* What institutions reported about a person and their household
 * (store_lifeevent_reported): income is the monthly average over the
 * last three complete months of all members' income facts; vehicles and
 * land the members' latest values summed. */
struct prog_reported {
	int64_t income;
	int64_t vehicles;
	int64_t land;
	int registered_unemployed; /* the person's latest employment fact */
};

/* Sets the reported facts in f from r; size is the household's (the
 * divisor of income per member). */
void programme_facts_reported(struct rule_value *f, int size,
    const struct prog_reported *r);

/* Whether a programme's eligibility rule is a means test: it names the
 * household's declared or reported income.  -1 when it does not parse. */
int programme_means_tested(const char *eligibility);

struct programme_eval {
	int eligible;
	int64_t amount;		/* 0 unless eligible or forced */
	struct rule_result elig;
	struct rule_result amount_result; /* empty unless eligible */
	const char *explanation; /* for the citizen */
};

/* Parses and runs a programme's eligibility rule and, when eligible (or
 * force_amount), its amount rule, on facts.  Results live in a.  0, or -1
 * with *err. */
int programme_evaluate(const char *eligibility, const char *amount,
    const struct rule_value *facts, const char *currency, int force_amount,
    struct arena *a, struct programme_eval *out, struct rule_error *err);
/* programme_evaluate with the rules already parsed (eligibility re as
 * RULE_BOOL, amount ra as RULE_MONEY, against programme_facts): for a job
 * that applies one programme's rules to many people. */
int programme_evaluate_parsed(const struct rule *re, const struct rule *ra,
    const struct rule_value *facts, const char *currency, int force_amount,
    struct arena *a, struct programme_eval *out, struct rule_error *err);

struct store_programme;
struct Spis__V1__Programme;
struct Spis__V1__Clause;
struct Spis__V1__Programme *programme_msg(struct rpc_ctx *ctx,
    const struct store_programme *p);
struct Spis__V1__Clause **programme_clauses(struct rpc_ctx *ctx,
    const struct rule_result *r, const char *currency, size_t *n);
/* The programme's name in language, else in Lithuanian; p's storage. */
const char *programme_name(const struct store_programme *p,
    const char *language);
/* Finds a programme for a request (allocated in the call's arena); the
 * status names field. */
grpc_status_code programme_find(struct rpc_ctx *ctx, const char *field,
    const char *code, struct store_programme **out);
/* Writes the seed catalogue into an empty store; 0 or -1. */
int programmes_seed(struct rpcd *d);

/*
 * applications.c: what citizen.c shares with the officers' calls.  Each
 * answers the call (a status, and *respm on success) and audits with the
 * application's subject.  owner, when not NULL, is the citizen whose
 * applications alone may be touched.
 */
struct Spis__V1__Declared;
struct store_application;
grpc_status_code applications_form(struct rpc_ctx *ctx,
    const char *national_id, const char *programme, int kiosk,
    ProtobufCMessage **respm);
grpc_status_code applications_submit(struct rpc_ctx *ctx,
    const char *national_id, const char *programme, const char *channel,
    const char *municipality, const struct Spis__V1__Declared *declared,
    ProtobufCMessage **respm);
grpc_status_code applications_list(struct rpc_ctx *ctx,
    const char *national_id, ProtobufCMessage **respm);
grpc_status_code applications_move(struct rpc_ctx *ctx, const char *reference,
    const char *to, const char *reason, int64_t expected_version,
    const char *owner, ProtobufCMessage **respm);
/* The facts the rules see about a person (read into *p) with their
 * current household and the declared income and assets, on the day on;
 * strings in f point into p.  0, or -1 when the person or their household
 * cannot be read.  For the renewal job, which has no call. */
struct store_person;
int applications_facts(struct rpcd *d, const char *national_id,
    int64_t income, int64_t assets, const char *on, struct store_person *p,
    struct rule_value *f);

/*
 * renewal.c: the yearly renewal job, on its own thread.  renewal_wake
 * makes it look for work now (a job just started); renewal_stop waits for
 * the benefit in hand.  renewal_year_after gives the day a year after date
 * (29 February becomes 1 March), arena-owned.
 */
struct renewal;
/* daily: start a job as of today by itself once a day (renewal_daily). */
struct renewal *renewal_start(struct rpcd *d, long poll_seconds, int daily);
void renewal_wake(struct renewal *r);
void renewal_stop(struct renewal *r);
const char *renewal_year_after(struct arena *a, const char *date);

/*
 * simjob.c: microsimulation jobs, on their own thread, one at a time.
 * simjob_wake makes it look for a queued job now; simjob_processed gives
 * the live progress of job id while it runs (1), else 0; simjob_stop
 * waits for the chunk in hand and leaves the job to resume.
 */
struct simjob;
struct simjob *simjob_start(struct rpcd *d);
void simjob_wake(struct simjob *s);
int simjob_processed(struct simjob *s, int64_t id, int64_t *processed);
void simjob_stop(struct simjob *s);

/*
 * notices.c: the texts of notices, written in the person's language into
 * *n (strings from a, or p's), for a change to add in its transaction; and
 * the delivery worker (NULL, and nothing delivered, without a command).
 */
struct store_notice;
struct store_person;
void notice_decision(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, int approved,
    int64_t amount, const char *currency, const char *period,
    const char *explanation, const char *appeal_until, struct store_notice *n);
void notice_benefit_ended(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, const char *date,
    const char *reason, struct store_notice *n);
/* A newborn's mother is offered child benefit before anyone applies
 * (lifeevent.c): kind "child_benefit_offer", in her language. */
void notice_child_benefit_offer(struct arena *a,
    const struct store_person *mother, const char *child_names,
    const char *birth_date, const char *programme_name,
    struct store_notice *n);
void notice_renewal(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, int eligible,
    int64_t old_amount, int64_t new_amount, const char *currency,
    const char *period, const char *explanation, const char *objection_until,
    struct store_notice *n);
void notice_payment_failed(struct arena *a, const char *national_id,
    const char *language, const char *programme_name, const char *period,
    const char *status, const char *reason, int64_t amount,
    const char *currency, struct store_notice *n);
struct notices;
struct notices *notices_start(struct rpcd *d, const char *command,
    long retry_seconds, long max_attempts, long poll_seconds);
void notices_stop(struct notices *n); /* waits for a delivery under way */

/* For authz_check on PERM_CITIZEN calls (citizen.c): finds the sitting
 * named by the x-spis-citizen metadata (and checks the volunteer's session
 * when the citizen is helped), and fills *out, owned by the call's arena.
 * Returns OK, or the result of rpc_error(). */
grpc_status_code citizen_authorize(struct rpc_ctx *ctx,
    struct rpcd_caller **out);

/* For authz_check on PERM_EXCHANGE_SUBMIT/SEARCH calls (exchange.c): finds
 * the institution named by the x-spis-institution metadata (or by the
 * verified client certificate's CN) and fills *out, owned by the call's
 * arena.  Returns OK, or the result of rpc_error(). */
struct store_institution;
grpc_status_code exchange_authorize(struct rpc_ctx *ctx,
    struct rpcd_caller **out);

/* Reads an institution's fact file (the CSV of SubmitFactsFile) into
 * items, each checked as a SubmitFacts item is, under d->country and the
 * kinds inst may send; the store is not touched.  The items and their
 * strings live in a.  Returns 0 with at least one item in *items and *n;
 * -1 with "content: problem" in why when the file as a whole is refused;
 * -2 when the CSV reader could not be set up. */
struct store_fact_item;
int exchange_csv_read(struct rpcd *d, const struct store_institution *inst,
    struct arena *a, const void *content, size_t len,
    struct store_fact_item **items, size_t *n, char *why, size_t whylen);

/* Decides whether a call may proceed (the rpc authorize hook). */
grpc_status_code authz_check(struct rpc_ctx *ctx, const struct rpc_method *m,
    void *arg);

/* Role names: parse one ("clerk") or a comma list into bits; -1 for an
 * unknown name, whose text is copied into bad. */
int authz_role_parse(const char *name);
int authz_roles_parse(const char *list, unsigned *bits, char *bad,
    size_t badlen);
const char *authz_role_name(enum rpcd_role r);

/* The names of the roles set in bits, in the table's order, as an array
 * owned by the arena (the names themselves are static); *n is its length. */
char **authz_role_names(struct arena *a, unsigned bits, size_t *n);

/* Whether a role grants a permission: the table itself, for tests. */
int authz_role_allows(enum rpcd_role r, enum rpcd_perm p);
/* Whether any of the caller's roles holds p: for the rare check that
 * depends on the request (a decision against the rules), never for the
 * permission a method needs, which its table row states. */
int authz_caller_may(const struct rpcd_caller *c, enum rpcd_perm p);
const char *authz_perm_name(enum rpcd_perm p);

/* The caller's address without its port ("ipv4:127.0.0.1"), arena-owned. */
const char *rpcd_peer_address(struct rpc_ctx *ctx);

/* Officer records (officer.c).  officer_validate fills *o from the fields,
 * or returns -1 with "field: problem" in why. */
int officer_username_ok(const char *username);
int officer_validate(const char *username, const char *display_name,
    const char *municipality, const char *const *roles, size_t nroles,
    struct store_officer *o, char *why, size_t whylen);

/* Person records (person.c).  person_check_field checks one field by
 * name ("address"), person_check a whole record under the country's
 * national ID scheme; each returns 0, or -1 with "field: problem" in why. */
struct store_person;
int person_check_field(const char *field, const char *value, char *why,
    size_t whylen);
int person_check(const char *country, const struct store_person *p,
    char *why, size_t whylen);

/* A phone number as the registry keeps and compares it: without spaces,
 * dashes and parentheses, a leading + kept ("+370 (600) 12-345" becomes
 * "+37060012345").  Written into out, cut to outlen - 1 bytes; returns
 * out. */
char *person_phone_normalise(const char *in, char *out, size_t outlen);

/* What registry.c lends the other services.  registry_person_of makes a
 * Person message (arena-owned) from a record; registry_access_log fills
 * *out with a page of "who looked at this record" without officer names
 * (shared by officers' GetAccessLog and the citizen's own); registry_action_of
 * names what a method did ("read", "search", "change", "document"). */
struct Spis__V1__Person;
struct Spis__V1__AccessLog;
struct Spis__V1__Person *registry_person_of(struct rpc_ctx *ctx,
    const struct store_person *p);
grpc_status_code registry_access_log(struct rpc_ctx *ctx,
    const char *national_id, int page_size, const char *page_token,
    struct Spis__V1__AccessLog **out);
const char *registry_action_of(const char *method);

/* At most once for requests carrying a request_id (idem.c): idem_begin
 * claims the id or replays the first outcome; idem_end records it. */
grpc_status_code idem_begin(struct rpc_ctx *ctx, struct rpcd_caller *c);
void idem_end(struct rpc_ctx *ctx, struct rpcd_caller *c, grpc_status_code st,
    const char *message);

/* Operator commands (cli.c) against d->store: argv[0] is the command;
 * returns the exit status. */
int cli_run(struct rpcd *d, int argc, char **argv);

/* Logins in progress (login.c). */
struct logins *login_new(struct rpcd *d);
void login_stop_all(void *arg); /* the rpc stopping hook */
void login_free(struct logins *l); /* waits for the PAM threads */
grpc_status_code login_start(struct rpc_ctx *ctx, const char *username);
grpc_status_code login_continue(struct rpc_ctx *ctx, const char *login_id,
    char *const *responses, size_t n);

/* Turns an INTERNAL caused by a storage fault into UNAVAILABLE (the rpc
 * internal hook). */
void rpcd_internal(struct rpc_ctx *ctx, void *arg);

/* Writes the audit row for a finished call (the rpc finished hook). */
void rpcd_audit_call(struct rpc_ctx *ctx, const struct rpc_method *m,
    grpc_status_code status, const char *message, void *arg);

/* Method tables, one per proto service, each in the file of that name. */
extern const struct rpc_method health_methods[];
extern const size_t health_nmethods;
extern const struct rpc_method system_methods[];
extern const size_t system_nmethods;
extern const struct rpc_method auth_methods[];
extern const size_t auth_nmethods;
extern const struct rpc_method audit_methods[];
extern const size_t audit_nmethods;
extern const struct rpc_method stats_methods[];
extern const size_t stats_nmethods;
extern const struct rpc_method registry_methods[];
extern const size_t registry_nmethods;
extern const struct rpc_method households_methods[];
extern const size_t households_nmethods;
extern const struct rpc_method duplicates_methods[];
extern const size_t duplicates_nmethods;
extern const struct rpc_method documents_methods[];
extern const size_t documents_nmethods;
extern const struct rpc_method citizen_methods[];
extern const size_t citizen_nmethods;
extern const struct rpc_method notices_methods[];
extern const size_t notices_nmethods;
extern const struct rpc_method benefits_methods[];
extern const size_t benefits_nmethods;
extern const struct rpc_method applications_methods[];
extern const size_t applications_nmethods;
extern const struct rpc_method programmes_methods[];
extern const size_t programmes_nmethods;
extern const struct rpc_method registrations_methods[];
extern const size_t registrations_nmethods;
extern const struct rpc_method payments_methods[];
extern const size_t payments_nmethods;
extern const struct rpc_method simulation_methods[];
extern const size_t simulation_nmethods;
extern const struct rpc_method exchange_methods[];
extern const size_t exchange_nmethods;

#endif
