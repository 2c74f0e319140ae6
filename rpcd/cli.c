/*
 * cli.c: the daemon's commands for operators, run against the database
 * directly: bootstrap the first officers before anyone can log in, and
 * check the audit trail.
 *
 *   spis-rpcd --db FILE officer add USER --role ROLE[,ROLE] [--municipality
 *             CODE] [--name "Display Name"]
 *   spis-rpcd --db FILE officer list
 *   spis-rpcd --db FILE officer disable USER [--reason TEXT]
 *   spis-rpcd --db FILE audit verify
 *
 * Every change is audited with the actor "cli:" and the Unix user.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpcd.h"

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

static int
cli_audit_cmd(struct store *st, int argc, char **argv)
{
	int64_t n, bad, checked;

	if (argc != 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "usage: spis-rpcd audit verify\n");
		return 2;
	}
	n = store_audit_verify(st, &bad, &checked);
	if (n < 0) {
		if (bad > 0)
			printf("audit trail BROKEN at row %" PRId64 ": it was "
			    "altered, or a row before it was deleted or "
			    "inserted (%" PRId64 " rows before it verify)\n",
			    bad, checked);
		else
			printf("audit trail could not be read\n");
		return 1;
	}
	printf("audit trail intact: %" PRId64 " rows verified\n", n);
	return 0;
}

int
cli_run(struct store *st, int argc, char **argv)
{
	if (strcmp(argv[0], "officer") == 0)
		return cli_officer(st, argc, argv);
	if (strcmp(argv[0], "audit") == 0)
		return cli_audit_cmd(st, argc, argv);
	fprintf(stderr, "spis-rpcd: unknown command \"%s\"; see --help\n",
	    argv[0]);
	return 2;
}
