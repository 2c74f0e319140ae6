/*
 * main.c: spis-rpcd, the registry daemon.  Reads flags and the config file,
 * opens the store, serves gRPC until SIGTERM or SIGINT, then drains the calls
 * in flight and closes the store cleanly.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <ini.h>
#include <sodium.h>

#include "auditfile.h"
#include "iban.h"
#include "lifeevent.h"
#include "log.h"
#include "rpc.h"
#include "rpcd.h"

/* Settings after defaults, the config file and flags, in that order. */
struct settings {
	char *listen;
	char *db;
	char *documents_dir;
	char *port_file;
	char *tls_cert;
	char *tls_key;
	char *tls_client_ca;
	char *country;
	long threads;
	long max_message_bytes;
	long grace_seconds;
	int log_level;
	char *pam_service;
	char *pam_confdir;
	long session_idle;
	long session_max;
	long login_timeout;
	long max_logins;
	long lockout_failures;
	long lockout_seconds;
	long peer_failures;
	long fail_delay_ms;
	long sitting_idle;
	long appeal_days;
	long objection_days;
	long renewal_poll_seconds;
	long renewal_daily;
	char *notice_command;
	long notice_retry_seconds;
	long notice_max_attempts;
	long notice_poll_seconds;
	long sitting_max;
	char *audit_key;
	char *audit_head;
	long audit_head_seconds;
	long request_days;
	long requests_per_day;
	char *debtor_name;
	char *debtor_iban;
	char *debtor_bic;
	long pay_day;
	long min_cell;
	long research_min_municipality;
	long public_per_minute;
};

/* Whole-number settings: name, where it lives, and its bounds. */
struct num_setting {
	const char *name;
	size_t off;
	long min, max;
};

static const struct num_setting num_settings[] = {
	{"threads", offsetof(struct settings, threads), 0, 64},
	{"max_message_bytes", offsetof(struct settings, max_message_bytes),
	    1024, INT_MAX},
	{"grace_seconds", offsetof(struct settings, grace_seconds), 0, 3600},
	{"session_idle_seconds", offsetof(struct settings, session_idle), 1,
	    86400},
	{"session_max_seconds", offsetof(struct settings, session_max), 1,
	    7 * 86400},
	{"login_timeout_seconds", offsetof(struct settings, login_timeout), 1,
	    3600},
	{"max_logins", offsetof(struct settings, max_logins), 1, 10000},
	{"lockout_failures", offsetof(struct settings, lockout_failures), 1,
	    1000},
	{"lockout_seconds", offsetof(struct settings, lockout_seconds), 1,
	    86400},
	{"peer_failures", offsetof(struct settings, peer_failures), 1, 100000},
	{"login_fail_delay_ms", offsetof(struct settings, fail_delay_ms), 0,
	    10000},
	{"sitting_idle_seconds", offsetof(struct settings, sitting_idle), 10,
	    3600},
	{"sitting_max_seconds", offsetof(struct settings, sitting_max), 60,
	    86400},
	{"audit_head_seconds", offsetof(struct settings, audit_head_seconds),
	    1, 86400},
	{"appeal_days", offsetof(struct settings, appeal_days), 0, 3650},
	{"objection_days", offsetof(struct settings, objection_days), 0, 365},
	{"renewal_poll_seconds", offsetof(struct settings,
	    renewal_poll_seconds), 1, 3600},
	{"renewal_daily", offsetof(struct settings, renewal_daily), 0, 1},
	{"notice_retry_seconds", offsetof(struct settings,
	    notice_retry_seconds), 1, 86400},
	{"notice_max_attempts", offsetof(struct settings,
	    notice_max_attempts), 1, 100},
	{"notice_poll_seconds", offsetof(struct settings,
	    notice_poll_seconds), 1, 3600},
	{"registration_request_days", offsetof(struct settings,
	    request_days), 1, 365},
	{"registration_requests_per_day", offsetof(struct settings,
	    requests_per_day), 1, 100000},
	{"pay_day", offsetof(struct settings, pay_day), 1, 28},
	{"min_cell", offsetof(struct settings, min_cell), 3, 1000},
	{"research_min_municipality", offsetof(struct settings,
	    research_min_municipality), 0, 100000000},
	{"public_per_minute", offsetof(struct settings, public_per_minute), 1,
	    1000000},
};

struct config_error {
	char text[256];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: spis-rpcd [options]\n"
	    "\n"
	    "  --listen ADDR             host:port or unix:PATH "
	    "(default 127.0.0.1:50051)\n"
	    "  --db FILE                 SQLite database (default spis.db)\n"
	    "  --documents-dir DIR       content of attached documents "
	    "(default FILE.files)\n"
	    "  --config FILE             INI config file (see spis.conf.sample)\n"
	    "  --port-file FILE          write the bound port here once "
	    "listening\n"
	    "  --threads N               RPC worker threads (default: one per "
	    "core)\n"
	    "  --max-message-bytes N     largest request accepted "
	    "(default 12582912)\n"
	    "  --tls-cert FILE           server certificate chain (PEM)\n"
	    "  --tls-key FILE            its private key (PEM)\n"
	    "  --tls-client-ca FILE      require client certificates from "
	    "this CA\n"
	    "  --country LT|TR           national ID scheme (default LT)\n"
	    "  --log-level LEVEL         debug, info, warn or error "
	    "(default info)\n"
	    "  --pam-service NAME        PAM service for officer login "
	    "(default spis)\n"
	    "  --pam-confdir DIR         read the PAM stack from DIR, not "
	    "/etc/pam.d\n"
	    "  --audit-key FILE          the audit chain's key (default "
	    "FILE.auditkey\n"
	    "                            beside the database; made if "
	    "missing)\n"
	    "  --help                    this text\n"
	    "  --version                 the version\n"
	    "\n"
	    "commands (run against --db, then exit):\n"
	    "  officer add USER --role ROLE[,ROLE] [--municipality CODE] "
	    "[--name NAME]\n"
	    "  officer list\n"
	    "  officer disable USER [--reason TEXT]\n"
	    "  audit verify [--expect SEQ:HASH]\n"
	    "                            check the audit trail's hash chain, "
	    "its head file\n"
	    "                            and a head copied earlier\n"
	    "  audit head                print the last row's SEQ:HASH, to "
	    "keep elsewhere\n"
	    "  facts apply               act on institutions' facts not "
	    "acted on yet\n"
	    "                            (what the daemon does at start and "
	    "after each feed)\n"
	    "  backup TO                 copy the registry while the daemon "
	    "runs\n"
	    "  restore FROM              replace the registry with a backup "
	    "(daemon stopped)\n"
	    "\n"
	    "roles: helpdesk clerk caseworker supervisor auditor admin "
	    "intermediary analyst\n");
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		fatalx("out of memory");
}

/* Parses a whole decimal number in [min, max]; -1 on anything else. */
static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Applies one setting by name, from the config file or a flag.  Returns 0,
 * or -1 with a reason in err.
 */
static int
apply(struct settings *s, const char *name, const char *value, char *err,
    size_t errlen)
{
	char ibuf[40], why[160];
	int lvl;

	if (strcmp(name, "listen") == 0)
		set_str(&s->listen, value);
	else if (strcmp(name, "db") == 0)
		set_str(&s->db, value);
	else if (strcmp(name, "documents_dir") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "documents_dir must name a "
			    "folder");
			return -1;
		}
		set_str(&s->documents_dir, value);
	}
	else if (strcmp(name, "port_file") == 0)
		set_str(&s->port_file, value);
	else if (strcmp(name, "tls_cert") == 0)
		set_str(&s->tls_cert, value);
	else if (strcmp(name, "tls_key") == 0)
		set_str(&s->tls_key, value);
	else if (strcmp(name, "tls_client_ca") == 0)
		set_str(&s->tls_client_ca, value);
	else if (strcmp(name, "country") == 0) {
		if (strcmp(value, "LT") != 0 && strcmp(value, "TR") != 0) {
			snprintf(err, errlen, "country must be LT or TR, not "
			    "\"%s\"", value);
			return -1;
		}
		set_str(&s->country, value);
	} else if (strcmp(name, "pam_service") == 0) {
		set_str(&s->pam_service, value);
	} else if (strcmp(name, "notice_command") == 0) {
		set_str(&s->notice_command, value);
	} else if (strcmp(name, "pam_confdir") == 0) {
		set_str(&s->pam_confdir, value);
	} else if (strcmp(name, "audit_key") == 0 ||
	    strcmp(name, "audit_head") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "%s must name a file", name);
			return -1;
		}
		set_str(name[6] == 'k' ? &s->audit_key : &s->audit_head,
		    value);
	} else if (strcmp(name, "debtor_name") == 0 ||
	    strcmp(name, "debtor_iban") == 0 ||
	    strcmp(name, "debtor_bic") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "%s must not be empty", name);
			return -1;
		}
		if (name[7] == 'i' && iban_check(value, ibuf, sizeof ibuf, why,
		    sizeof why) != 0) {
			snprintf(err, errlen, "debtor_iban: %s", why);
			return -1;
		}
		set_str(name[7] == 'n' ? &s->debtor_name : name[7] == 'i' ?
		    &s->debtor_iban : &s->debtor_bic, name[7] == 'i' ? ibuf :
		    value);
	} else if (strcmp(name, "log_level") == 0) {
		if ((lvl = log_level_parse(value)) < 0) {
			snprintf(err, errlen, "log_level must be debug, info, "
			    "warn or error, not \"%s\"", value);
			return -1;
		}
		s->log_level = lvl;
	} else {
		for (size_t i = 0; i < sizeof num_settings /
		    sizeof num_settings[0]; i++) {
			const struct num_setting *n = &num_settings[i];

			if (strcmp(name, n->name) != 0)
				continue;
			if (parse_long(value, n->min, n->max,
			    (long *)((char *)s + n->off)) != 0) {
				snprintf(err, errlen, "%s must be a number "
				    "from %ld to %ld, not \"%s\"", name,
				    n->min, n->max, value);
				return -1;
			}
			return 0;
		}
		snprintf(err, errlen, "unknown setting \"%s\"", name);
		return -1;
	}
	return 0;
}

struct config_ctx {
	struct settings *s;
	char err[256];
};

/* inih callback: the sections only group keys for the reader, so a key is
 * accepted in [server], [store], [tls] or [log] alike. */
static int
config_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_ctx *c = user;
	static const char *const sections[] = {"server", "store", "tls", "log",
	    "registry", "auth", "kiosk", "applications", "notices", "audit",
	    "payments", "benefits", "stats"};
	int ok = 0;

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		ok |= strcmp(section, sections[i]) == 0;
	if (!ok) {
		snprintf(c->err, sizeof c->err, "unknown section [%s]",
		    section);
		return 0;
	}
	return apply(c->s, name, value, c->err, sizeof c->err) == 0;
}

static int
load_config(struct settings *s, const char *path)
{
	struct config_ctx c = {.s = s};
	struct stat sb;
	int rc;

	/* fopen() happily opens a folder, which inih then reads as empty. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "spis-rpcd: config %s: not a regular file\n",
		    path);
		return -1;
	}
	rc = ini_parse(path, config_line, &c);
	if (rc == -1) {
		fprintf(stderr, "spis-rpcd: config %s: cannot read it: %s\n",
		    path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "spis-rpcd: config %s line %d: %s\n", path, rc,
		    c.err[0] ? c.err : "not a valid INI line");
		return -1;
	}
	return 0;
}

static char *
read_pem(const char *what, const char *path)
{
	char *pem;

	if (path == NULL)
		return NULL;
	if ((pem = rpc_read_file(path)) == NULL)
		fprintf(stderr, "spis-rpcd: %s %s: %s\n", what, path,
		    strerror(errno));
	return pem;
}

static int
write_port_file(const char *path, int port)
{
	char tmp[PATH_MAX];
	FILE *f;

	/* Written whole and renamed, so a reader never sees a partial port. */
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static const struct option long_opts[] = {
	{"listen", required_argument, NULL, 'l'},
	{"db", required_argument, NULL, 'd'},
	{"documents-dir", required_argument, NULL, 'F'},
	{"config", required_argument, NULL, 'c'},
	{"port-file", required_argument, NULL, 'p'},
	{"threads", required_argument, NULL, 't'},
	{"max-message-bytes", required_argument, NULL, 'm'},
	{"tls-cert", required_argument, NULL, 'C'},
	{"tls-key", required_argument, NULL, 'K'},
	{"tls-client-ca", required_argument, NULL, 'A'},
	{"country", required_argument, NULL, 'n'},
	{"log-level", required_argument, NULL, 'L'},
	{"pam-service", required_argument, NULL, 'P'},
	{"pam-confdir", required_argument, NULL, 'D'},
	{"audit-key", required_argument, NULL, 'k'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The long name of a flag, from its short code. */
static const char *
long_name(int code)
{
	for (const struct option *o = long_opts; o->name != NULL; o++)
		if (o->val == code)
			return o->name;
	return "?";
}

/* Maps a flag's short code to the setting it names. */
static const char *
flag_setting(int code)
{
	switch (code) {
	case 'l': return "listen";
	case 'd': return "db";
	case 'F': return "documents_dir";
	case 'p': return "port_file";
	case 't': return "threads";
	case 'm': return "max_message_bytes";
	case 'C': return "tls_cert";
	case 'K': return "tls_key";
	case 'A': return "tls_client_ca";
	case 'n': return "country";
	case 'L': return "log_level";
	case 'P': return "pam_service";
	case 'D': return "pam_confdir";
	case 'k': return "audit_key";
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct settings s = {.threads = 0, .max_message_bytes = 12 << 20,
	    .grace_seconds = 10, .log_level = LOG_LVL_INFO,
	    .session_idle = 900, .session_max = 8 * 3600, .login_timeout = 60,
	    .max_logins = 32, .lockout_failures = 5, .lockout_seconds = 900,
	    .peer_failures = 50, .fail_delay_ms = 1000,
	    .sitting_idle = 300, .sitting_max = 1800,
	    .appeal_days = 30, .objection_days = 30,
	    .renewal_poll_seconds = 5, .audit_head_seconds = 60,
	    .notice_retry_seconds = 60, .notice_max_attempts = 8,
	    .notice_poll_seconds = 5, .request_days = 30,
	    .requests_per_day = 100, .pay_day = 20, .min_cell = 5,
	    .research_min_municipality = 20000, .public_per_minute = 60};
	const char *config = NULL;
	struct rpc_server_opts so = {0};
	struct rpc_server *srv;
	struct notices *notices = NULL;
	struct rpcd d = {0};
	char err[512], *cert = NULL, *key = NULL, *ca = NULL;
	sigset_t sigs;
	struct timespec tick;
	int64_t head_saved = 0;
	int c, sig, keyed = 0, port, rc = 1;

	log_set_ident("spis-rpcd");
	set_str(&s.listen, "127.0.0.1:50051");
	set_str(&s.db, "spis.db");
	set_str(&s.country, "LT");
	set_str(&s.pam_service, "spis");
	/* A demonstration paying agency: set the real one in [payments]. */
	set_str(&s.debtor_name, "SPIS demo paying agency");
	set_str(&s.debtor_iban, "LT307300010000000001");
	set_str(&s.debtor_bic, "SPISLT21XXX");

	/* First pass: only --config, --help and --version, so that flags
	 * given on the command line override the file whatever their order. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", long_opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else if (c == 'h') {
			usage(stdout);
			rc = 0;
			goto done;
		} else if (c == 'V') {
			printf("spis-rpcd %s\n", SPIS_VERSION);
			rc = 0;
			goto done;
		}
	}
	if (config != NULL && load_config(&s, config) != 0) {
		rc = 2;
		goto done;
	}

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", long_opts, NULL)) != -1) {
		const char *name = flag_setting(c);

		if (c == 'c')
			continue;
		if (c == '?' || c == ':') {
			if (c == ':')
				fprintf(stderr, "spis-rpcd: option --%s needs "
				    "a value\n", long_name(optopt));
			else
				fprintf(stderr, "spis-rpcd: unknown option "
				    "\"%s\"; see --help\n", argv[optind - 1]);
			rc = 2;
			goto done;
		}
		if (name == NULL)
			continue;
		if (apply(&s, name, optarg, err, sizeof err) != 0) {
			fprintf(stderr, "spis-rpcd: --%s: %s\n",
			    long_name(c), err);
			rc = 2;
			goto done;
		}
	}
	log_set_level(s.log_level);
	/* The audit chain's key and head live beside the database unless
	 * told otherwise; the key must not be in the database itself. */
	if (s.audit_key == NULL)
		s.audit_key = auditfile_default(s.db, ".auditkey");
	if (s.audit_head == NULL)
		s.audit_head = auditfile_default(s.db, ".audithead");
	d.audit_key_file = s.audit_key;
	d.audit_head_file = s.audit_head;
	d.db_path = s.db;
	if (optind < argc) {
		/* An operator command: no server, just the store.  An unknown
		 * one is refused before the database is touched. */
		if (strcmp(argv[optind], "officer") != 0 &&
		    strcmp(argv[optind], "audit") != 0 &&
		    strcmp(argv[optind], "facts") != 0 &&
		    strcmp(argv[optind], "backup") != 0 &&
		    strcmp(argv[optind], "restore") != 0) {
			fprintf(stderr, "spis-rpcd: unknown command \"%s\"; "
			    "see --help\n", argv[optind]);
			rc = 2;
			goto done;
		}
		if (sodium_init() < 0)
			fatalx("libsodium could not be initialised");
		if ((d.store = store_open(s.db, err, sizeof err)) == NULL) {
			fprintf(stderr, "spis-rpcd: %s\n", err);
			rc = 1;
			goto done;
		}
		/* A birth's ID is checked under the country's scheme. */
		d.country = s.country;
		rc = cli_run(&d, argc - optind, argv + optind);
		store_close(d.store);
		goto done;
	}

	if ((s.tls_cert != NULL && (cert = read_pem("tls_cert", s.tls_cert)) ==
		NULL) ||
	    (s.tls_key != NULL && (key = read_pem("tls_key", s.tls_key)) ==
		NULL) ||
	    (s.tls_client_ca != NULL &&
		(ca = read_pem("tls_client_ca", s.tls_client_ca)) == NULL)) {
		rc = 2;
		goto done;
	}

	/* Every thread, gRPC's included, inherits this mask; main takes the
	 * signals synchronously with sigwait and never in a handler. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	grpc_init();
	d.started = time(NULL);
	d.country = s.country;
	/* Documents live beside the database unless told otherwise, so that
	 * one folder holds all the registry's data. */
	if (s.documents_dir == NULL) {
		char *dir;

		if (asprintf(&dir, "%s.files", s.db) < 0)
			fatalx("out of memory");
		s.documents_dir = dir;
	}
	d.documents_dir = s.documents_dir;
	d.auth = (struct auth_cfg){.pam_service = s.pam_service,
	    .pam_confdir = s.pam_confdir, .session_idle = s.session_idle,
	    .session_max = s.session_max, .login_timeout = s.login_timeout,
	    .max_logins = s.max_logins, .lockout_failures = s.lockout_failures,
	    .lockout_seconds = s.lockout_seconds,
	    .peer_failures = s.peer_failures, .fail_delay_ms = s.fail_delay_ms};
	d.kiosk = (struct kiosk_cfg){.sitting_idle = s.sitting_idle,
	    .sitting_max = s.sitting_max, .request_days = s.request_days,
	    .requests_per_day = s.requests_per_day};
	d.appeal_days = s.appeal_days;
	d.objection_days = s.objection_days;
	d.payments = (struct payments_cfg){.debtor_name = s.debtor_name,
	    .debtor_iban = s.debtor_iban, .debtor_bic = s.debtor_bic,
	    .pay_day = s.pay_day};
	d.stats = (struct stats_cfg){.min_cell = s.min_cell,
	    .research_min_municipality = s.research_min_municipality,
	    .public_per_minute = s.public_per_minute};
	d.logins = login_new(&d);

	so.listen = s.listen;
	so.threads = (int)s.threads;
	so.max_recv_bytes = (size_t)s.max_message_bytes;
	so.tls_cert_pem = cert;
	so.tls_key_pem = key;
	so.tls_client_ca_pem = ca;
	so.authorize = authz_check;
	so.finished = rpcd_audit_call;
	so.internal = rpcd_internal;
	so.stopping = login_stop_all;
	so.arg = &d;
	/* Bind before touching the database, so that a refused address
	 * leaves no file behind. */
	if ((srv = rpc_server_new(&so, err, sizeof err)) == NULL) {
		log_error("%s", err);
		goto out;
	}
	if ((d.store = store_open(s.db, err, sizeof err)) == NULL) {
		log_error("%s", err);
		rpc_server_free(srv);
		goto out;
	}
	if (auditfile_setup(d.store, d.audit_key_file, 1, "spis-rpcd", err,
	    sizeof err) != 0) {
		log_error("%s", err);
		rpc_server_free(srv);
		goto out;
	}
	keyed = 1;
	if (programmes_seed(&d) != 0) {
		log_error("cannot write the seed programme catalogue");
		rpc_server_free(srv);
		goto out;
	}
	/* Facts stored before a crash, and not yet acted on, are acted on
	 * before any call: a fact's effects are never left half done. */
	if (lifeevent_run(&d) < 0)
		log_warn("some institution facts were not acted on; they are "
		    "tried again with the next feed or restart");
	rpc_server_add(srv, health_methods, health_nmethods);
	rpc_server_add(srv, system_methods, system_nmethods);
	rpc_server_add(srv, auth_methods, auth_nmethods);
	rpc_server_add(srv, audit_methods, audit_nmethods);
	rpc_server_add(srv, stats_methods, stats_nmethods);
	rpc_server_add(srv, registry_methods, registry_nmethods);
	rpc_server_add(srv, households_methods, households_nmethods);
	rpc_server_add(srv, duplicates_methods, duplicates_nmethods);
	rpc_server_add(srv, documents_methods, documents_nmethods);
	rpc_server_add(srv, citizen_methods, citizen_nmethods);
	rpc_server_add(srv, programmes_methods, programmes_nmethods);
	rpc_server_add(srv, applications_methods, applications_nmethods);
	rpc_server_add(srv, benefits_methods, benefits_nmethods);
	rpc_server_add(srv, notices_methods, notices_nmethods);
	rpc_server_add(srv, registrations_methods, registrations_nmethods);
	rpc_server_add(srv, payments_methods, payments_nmethods);
	rpc_server_add(srv, simulation_methods, simulation_nmethods);
	rpc_server_add(srv, exchange_methods, exchange_nmethods);
	/* Before the server, so that StartRenewal always finds the thread to
	 * wake; it is stopped after the last call has finished. */
	d.renewal = renewal_start(&d, s.renewal_poll_seconds,
	    (int)s.renewal_daily);
	d.simjob = simjob_start(&d);
	port = rpc_server_start(srv);
	log_info("serving on %s (port %d, schema %d, %s)", s.listen, port,
	    store_schema_version(d.store), cert != NULL ? "TLS" : "plaintext");
	log_info("documents in %s", d.documents_dir);
	notices = notices_start(&d, s.notice_command, s.notice_retry_seconds,
	    s.notice_max_attempts, s.notice_poll_seconds);
	if (s.port_file != NULL && write_port_file(s.port_file, port) != 0)
		log_warn("cannot write port file %s: %s", s.port_file,
		    strerror(errno));

	/* Between signals, the audit trail's head is written out every
	 * audit_head_seconds (when it moved), so that rows deleted from the
	 * end are noticed even after a crash. */
	auditfile_head_save(d.store, d.audit_head_file, &head_saved);
	for (;;) {
		tick = (struct timespec){.tv_sec = s.audit_head_seconds};
		if ((sig = sigtimedwait(&sigs, NULL, &tick)) == -1) {
			if (errno == EAGAIN) {
				/* Rows held while storage failed go in
				 * even if no call comes to carry them. */
				store_audit_flush(d.store, NULL);
				auditfile_head_save(d.store, d.audit_head_file,
				    &head_saved);
			}
			continue;
		}
		if (sig == SIGHUP) {
			log_info("SIGHUP ignored: restart the daemon to apply "
			    "a new configuration");
			continue;
		}
		break;
	}
	log_info("%s: no new calls; finishing calls in flight (up to %lds)",
	    sig == SIGINT ? "SIGINT" : "SIGTERM", s.grace_seconds);
	rpc_server_shutdown(srv, s.grace_seconds * 1000);
	rpc_server_free(srv);
	notices_stop(notices);
	renewal_stop(d.renewal);
	d.renewal = NULL;
	simjob_stop(d.simjob);
	d.simjob = NULL;
	rc = 0;
out:
	login_free(d.logins);
	/* Last, once no call and no login can add a row. */
	if (keyed) {
		store_audit_flush(d.store, NULL);
		auditfile_head_save(d.store, d.audit_head_file, &head_saved);
	}
	store_close(d.store);
	if (d.store != NULL && rc == 0)
		log_info("store closed cleanly; exiting");
	grpc_shutdown();
done:
	free(cert);
	free(key);
	free(ca);
	free(s.listen);
	free(s.db);
	free(s.documents_dir);
	free(s.port_file);
	free(s.tls_cert);
	free(s.tls_key);
	free(s.tls_client_ca);
	free(s.country);
	free(s.pam_service);
	free(s.notice_command);
	free(s.pam_confdir);
	free(s.audit_key);
	free(s.audit_head);
	free(s.debtor_name);
	free(s.debtor_iban);
	free(s.debtor_bic);
	return rc;
}
