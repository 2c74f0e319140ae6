/*
 * cli.c: the daemon's commands for operators, run against the database
 * directly: bootstrap the first officers before anyone can log in, and
 * check the audit trail.
 *
 *   spis-rpcd --db FILE officer add USER --role ROLE[,ROLE] [--municipality
 *             CODE] [--name "Display Name"]
 *   spis-rpcd --db FILE officer list
 *   spis-rpcd --db FILE officer disable USER [--reason TEXT]
 *   spis-rpcd --db FILE audit verify [--expect SEQ:HASH]...
 *   spis-rpcd --db FILE audit head
 *   spis-rpcd --db FILE backup TO
 *   spis-rpcd --db FILE restore FROM
 *
 * Every change is audited with the actor "cli:" and the Unix user, in the
 * chain keyed by the audit key file (made if missing, as the daemon does),
 * and the trail's head file is brought up to date afterwards.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auditfile.h"
#include "rpcd.h"
#include "store_audit.h"

static const char *
cli_actor(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, len, "cli:%s", pw != NULL ? pw->pw_name : "?");
	return buf;
}

static void
cli_audit(struct store *st, const char *method, const char *subject,
    const char *outcome, const char *detail)
{
	char actor[80];
	struct store_audit a = {.actor = cli_actor(actor, sizeof actor),
	    .terminal = "command line", .method = method, .subject = subject,
	    .outcome = outcome, .detail = detail};

	store_audit_append(st, &a);
}

static int
cli_officer_add(struct store *st, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"municipality", required_argument, NULL, 'm'},
		{"name", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *roles = NULL, *muni = "", *name = NULL, *user;
	const char *list[ROLE__COUNT + 1];
	char buf[128], *save = NULL, *tok, why[200], actor[80];
	struct store_officer o;
	size_t n = 0;
	int c;

	/* 0, not 1: GNU getopt then forgets the daemon's own parse. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'r': roles = optarg; break;
		case 'm': muni = optarg; break;
		case 'n': name = optarg; break;
		case ':':
			fprintf(stderr, "spis-rpcd: officer add: %s needs a "
			    "value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "spis-rpcd: officer add: unknown option "
			    "\"%s\"\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1 || roles == NULL) {
		fprintf(stderr, "usage: spis-rpcd officer add USER --role "
		    "ROLE[,ROLE] [--municipality CODE] [--name NAME]\n");
		return 2;
	}
	user = argv[optind];
	snprintf(buf, sizeof buf, "%s", roles);
	for (tok = strtok_r(buf, ",", &save); tok != NULL && n < ROLE__COUNT;
	    tok = strtok_r(NULL, ",", &save))
		list[n++] = tok;
	if (officer_validate(user, name != NULL ? name : user, muni, list, n,
	    &o, why, sizeof why) != 0) {
		fprintf(stderr, "spis-rpcd: officer add: %s\n", why);
		return 2;
	}
	switch (store_officer_add(st, &o, cli_actor(actor, sizeof actor))) {
	case STORE_OK:
		cli_audit(st, "cli officer add", o.username, "OK", o.roles);
		printf("added officer %s (%s, %s)\n", o.username, o.roles,
		    o.municipality[0] ? o.municipality : "national");
		return 0;
	case STORE_EXISTS:
		fprintf(stderr, "spis-rpcd: officer add: %s already exists\n",
		    o.username);
		return 1;
	default:
		return 1;
	}
}

static int
cli_print_officer(void *arg, const struct store_officer *o)
{
	(void)arg;
	printf("%-20s %-8s %-28s %-10s %s\n", o->username,
	    o->active ? "active" : "disabled", o->roles,
	    o->municipality[0] ? o->municipality : "national",
	    o->display_name);
	return 0;
}

static int
cli_officer(struct store *st, int argc, char **argv)
{
	const char *reason = "disabled from the command line";

	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return cli_officer_add(st, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		printf("%-20s %-8s %-28s %-10s %s\n", "USERNAME", "STATE",
		    "ROLES", "SCOPE", "NAME");
		return store_officer_list(st, 1, cli_print_officer, NULL) ==
		    STORE_OK ? 0 : 1;
	}
	if ((argc == 3 || argc == 5) && strcmp(argv[1], "disable") == 0) {
		if (argc == 5) {
			if (strcmp(argv[3], "--reason") != 0)
				goto usage;
			reason = argv[4];
		}
		switch (store_officer_disable(st, argv[2], reason,
		    time(NULL))) {
		case STORE_OK:
			cli_audit(st, "cli officer disable", argv[2], "OK",
			    reason);
			printf("disabled officer %s; their sessions ended\n",
			    argv[2]);
			return 0;
		case STORE_NOTFOUND:
			fprintf(stderr, "spis-rpcd: officer disable: no "
			    "officer %s\n", argv[2]);
			return 1;
		default:
			return 1;
		}
	}
usage:
	fprintf(stderr, "usage: spis-rpcd officer add|list|disable ...; see "
	    "--help\n");
	return 2;
}

/* Checks that row seq of an intact trail ending at last has the hash an
 * anchor names; 0, or -1 after saying what is wrong. */
static int
cli_anchor_check(struct store *st, const char *what, int64_t seq,
    const uint8_t hash[32], int64_t last)
{
	uint8_t have[32];

	if (seq > last) {
		printf("audit trail BROKEN: rows after seq %" PRId64 " were "
		    "removed (%s names row %" PRId64 ")\n", last, what, seq);
		return -1;
	}
	if (store_audit_row_hash(st, seq, have) != STORE_OK) {
		printf("audit trail BROKEN: row %" PRId64 " that %s names is "
		    "missing\n", seq, what);
		return -1;
	}
	if (sodium_memcmp(have, hash, 32) != 0) {
		printf("audit trail BROKEN at row %" PRId64 ": it differs from "
		    "%s\n", seq, what);
		return -1;
	}
	return 0;
}

static int
cli_audit_verify(struct rpcd *d, int argc, char **argv)
{
	struct store_audit_check c;
	char keyerr[512], err[512], what[128];
	int64_t seq;
	uint8_t hash[32];
	int keyed, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--expect") != 0 || i + 1 >= argc ||
		    auditfile_anchor_parse(argv[i + 1], &seq, hash) != 0) {
			fprintf(stderr, "usage: spis-rpcd audit verify "
			    "[--expect SEQ:HASH]... (SEQ:HASH as `audit head` "
			    "prints it)\n");
			return 2;
		}
		i++;
	}
	keyerr[0] = '\0';
	rc = auditfile_setup(d->store, d->audit_key_file, 0, NULL, keyerr,
	    sizeof keyerr);
	if (rc < 0) {
		printf("audit trail cannot be verified: %s\n", keyerr);
		return 1;
	}
	keyed = rc == 0;
	store_audit_check(d->store, &c);
	switch (c.verdict) {
	case STORE_AUDIT_INTACT:
		break;
	case STORE_AUDIT_BROKEN:
		printf("audit trail BROKEN at row %" PRId64 ": it was altered, "
		    "or a row before it was deleted or inserted (%" PRId64
		    " rows before it verify)\n", c.bad_id, c.checked);
		return 1;
	case STORE_AUDIT_NOKEY:
		printf("audit trail cannot be verified: rows from %" PRId64
		    " on are keyed, and %s\n", c.bad_id, keyerr);
		return 1;
	case STORE_AUDIT_UNKEYED:
		printf("audit trail BROKEN: there is an audit key, but the "
		    "database records no keyed start: it was removed and the "
		    "rows re-hashed without the key\n");
		return 1;
	case STORE_AUDIT_TRUNCATED:
		printf("audit trail BROKEN: rows after seq %" PRId64 " were "
		    "removed (the keyed rows from %" PRId64 " are gone)\n",
		    c.last_id, c.keyed_from);
		return 1;
	default:
		printf("audit trail could not be read\n");
		return 1;
	}
	/* The chain holds; now that nothing was cut from its end. */
	if (keyed) {
		rc = auditfile_head_read(d->store, d->audit_head_file, &seq,
		    hash, err, sizeof err);
		if (rc < 0) {
			printf("audit trail BROKEN: %s\n", err);
			return 1;
		}
		snprintf(what, sizeof what, "the head file");
		if (rc == 0 && cli_anchor_check(d->store, what, seq, hash,
		    c.last_id) != 0)
			return 1;
	}
	for (int i = 0; i < argc; i += 2) {
		auditfile_anchor_parse(argv[i + 1], &seq, hash);
		snprintf(what, sizeof what, "the expected head");
		if (cli_anchor_check(d->store, what, seq, hash, c.last_id) != 0)
			return 1;
	}
	printf("audit trail intact: %" PRId64 " rows verified\n", c.checked);
	if (c.keyed_from > 0)
		printf("keyed from row %" PRId64 "\n", c.keyed_from);
	else
		printf("not keyed: rows were hashed without a key\n");
	return 0;
}

static int
cli_audit_cmd(struct rpcd *d, int argc, char **argv)
{
	char buf[96];
	uint8_t hash[32];
	int64_t id;

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cli_audit_verify(d, argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "head") == 0) {
		if (store_audit_head(d->store, &id, hash) != STORE_OK)
			return 1;
		if (id == 0) {
			fprintf(stderr, "spis-rpcd: audit head: the audit trail "
			    "is empty\n");
			return 1;
		}
		auditfile_anchor_format(id, hash, buf, sizeof buf);
		printf("%s\n", buf);
		return 0;
	}
	fprintf(stderr, "usage: spis-rpcd audit verify [--expect SEQ:HASH]... "
	    "| audit head\n");
	return 2;
}

/*
 * backup TO: a copy of the registry as it stands, taken while the daemon
 * keeps serving.  The audit key is not in the copy (it never is in the
 * database); keep it apart from the backups, as it keeps the trail honest.
 */
static int
cli_backup(struct rpcd *d, int argc, char **argv)
{
	char err[4200], actor[80], detail[4200];
	int64_t saved = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: spis-rpcd backup TO\n");
		return 2;
	}
	if (auditfile_setup(d->store, d->audit_key_file, 1,
	    cli_actor(actor, sizeof actor), err, sizeof err) != 0) {
		fprintf(stderr, "spis-rpcd: %s\n", err);
		return 1;
	}
	if (store_backup(d->store, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "spis-rpcd: backup: %s\n", err);
		cli_audit(d->store, "cli/backup", "", "INTERNAL", err);
		auditfile_head_save(d->store, d->audit_head_file, &saved);
		return 1;
	}
	snprintf(detail, sizeof detail, "backup written to %s", argv[1]);
	cli_audit(d->store, "cli/backup", "", "OK", detail);
	auditfile_head_save(d->store, d->audit_head_file, &saved);
	printf("backup written: %s\n", argv[1]);
	return 0;
}

/* Removes a scratch database and the files SQLite keeps beside it. */
static void
cli_unlink_db(const char *path)
{
	char buf[4200];

	unlink(path);
	if ((size_t)snprintf(buf, sizeof buf, "%s-wal", path) < sizeof buf)
		unlink(buf);
	if ((size_t)snprintf(buf, sizeof buf, "%s-shm", path) < sizeof buf)
		unlink(buf);
}

/*
 * restore FROM: the registry becomes the backup at FROM.  Stop the daemon
 * first.  The backup is copied beside the database, brought to this
 * build's schema and its audit trail verified with this registry's key
 * before anything is replaced: a backup of another registry, or one whose
 * trail was altered, is refused and the registry is left as it was.
 * Afterwards the head file names the restored trail's last row, and a row
 * says what was restored, so the rows the restore took away are on record.
 */
static int
cli_restore(struct rpcd *d, int argc, char **argv)
{
	struct store_audit_check c;
	struct store *ts;
	char err[4200], actor[80], tmp[4200], detail[4400];
	int64_t saved = 0, before = 0;
	uint8_t hash[32];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: spis-rpcd restore FROM (with the "
		    "daemon stopped)\n");
		return 2;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.restoring", d->db_path) >=
	    sizeof tmp) {
		fprintf(stderr, "spis-rpcd: restore: path too long\n");
		return 1;
	}
	cli_unlink_db(tmp);
	if (store_backup_file(argv[1], tmp, err, sizeof err) != 0) {
		fprintf(stderr, "spis-rpcd: restore: %s\n", err);
		return 1;
	}
	if ((ts = store_open(tmp, err, sizeof err)) == NULL) {
		fprintf(stderr, "spis-rpcd: restore: %s is not a registry "
		    "this build can open: %s\n", argv[1], err);
		cli_unlink_db(tmp);
		return 1;
	}
	rc = auditfile_setup(ts, d->audit_key_file, 0, NULL, err, sizeof err);
	if (rc == 0)
		store_audit_check(ts, &c);
	store_close(ts);
	if (rc != 0 || c.verdict != STORE_AUDIT_INTACT) {
		if (rc != 0)
			fprintf(stderr, "spis-rpcd: restore refused: %s\n", err);
		else
			fprintf(stderr, "spis-rpcd: restore refused: the audit "
			    "trail of %s does not verify with this registry's "
			    "key (row %" PRId64 "); it was altered, or it is "
			    "another registry's backup\n", argv[1], c.bad_id);
		cli_unlink_db(tmp);
		return 1;
	}
	if (auditfile_setup(d->store, d->audit_key_file, 1,
	    cli_actor(actor, sizeof actor), err, sizeof err) != 0) {
		fprintf(stderr, "spis-rpcd: %s\n", err);
		cli_unlink_db(tmp);
		return 1;
	}
	store_audit_head(d->store, &before, hash);
	if (store_restore(d->store, tmp, err, sizeof err) != 0) {
		fprintf(stderr, "spis-rpcd: restore: %s\n", err);
		cli_unlink_db(tmp);
		return 1;
	}
	cli_unlink_db(tmp);
	snprintf(detail, sizeof detail, "restored from %s (%" PRId64 " audit "
	    "rows); the trail replaced ended at row %" PRId64, argv[1],
	    c.last_id, before);
	cli_audit(d->store, "cli/restore", "", "OK", detail);
	auditfile_head_save(d->store, d->audit_head_file, &saved);
	printf("restored from %s: audit trail intact, %" PRId64 " rows\n",
	    argv[1], c.checked);
	return 0;
}

int
cli_run(struct rpcd *d, int argc, char **argv)
{
	char err[512], actor[80];
	int64_t saved = 0;
	int rc;

	if (strcmp(argv[0], "officer") == 0) {
		/* Listing writes nothing, so it needs no key. */
		if (argc >= 2 && strcmp(argv[1], "list") == 0)
			return cli_officer(d->store, argc, argv);
		if (auditfile_setup(d->store, d->audit_key_file, 1,
		    cli_actor(actor, sizeof actor), err, sizeof err) != 0) {
			fprintf(stderr, "spis-rpcd: %s\n", err);
			return 1;
		}
		rc = cli_officer(d->store, argc, argv);
		auditfile_head_save(d->store, d->audit_head_file, &saved);
		return rc;
	}
	if (strcmp(argv[0], "audit") == 0)
		return cli_audit_cmd(d, argc, argv);
	if (strcmp(argv[0], "backup") == 0)
		return cli_backup(d, argc, argv);
	if (strcmp(argv[0], "restore") == 0)
		return cli_restore(d, argc, argv);
	fprintf(stderr, "spis-rpcd: unknown command \"%s\"; see --help\n",
	    argv[0]);
	return 2;
}
