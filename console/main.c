/*
 * main.c: spis-console, the officer console.  Reads the flags and an
 * optional config file, opens the link to the daemon, and runs the screens.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "console.h"
#include "i18n.h"

#define CONSOLE_NAME "spis-console"

struct console_opts {
	const char *server;
	const char *tls_ca;
	const char *log;
	const char *config;
	char *owned[8]; /* values copied from the config file */
	int nowned;
};

enum { OPT_SERVER = 1, OPT_TLS_CA, OPT_CONFIG, OPT_LOG, OPT_HELP,
	OPT_VERSION };

static const struct option console_flags[] = {
	{"server", required_argument, NULL, OPT_SERVER},
	{"ca", required_argument, NULL, OPT_TLS_CA},
	{"tls-ca", required_argument, NULL, OPT_TLS_CA}, /* the old name */
	{"config", required_argument, NULL, OPT_CONFIG},
	{"log", required_argument, NULL, OPT_LOG},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static void
console_usage(void)
{
	printf(_("Usage: %s [--server ADDR] [--ca FILE] [--config FILE] "
		 "[--log FILE]\n"), CONSOLE_NAME);
	printf("%s\n\n", _("The SPIS officer console, a terminal client of "
			   "spis-rpcd."));
	printf("%s\n", _("  --server ADDR  the daemon: host:port or unix:PATH "
			 "(default 127.0.0.1:50051)"));
	printf("%s\n", _("  --ca FILE      use TLS, trusting the server "
			 "certificates this CA (PEM) signed; --tls-ca is the "
			 "same"));
	printf("%s\n", _("  --config FILE  read settings from an INI file; "
			 "flags override it"));
	printf("%s\n", _("  --log FILE     append diagnostics to FILE (else "
			 "they are dropped: the screen is the console's)"));
	printf("%s\n", _("  --help         show this help and exit"));
	printf("%s\n\n", _("  --version      show the version and exit"));
	printf("%s\n", _("Config keys: server, ca (or tls_ca) and log, in any "
			 "of the sections [server], [tls] and [log]."));
}

/* Sets the setting named as in the config file ("tls_ca").  Returns 0, or
 * -1 with the reason in err. */
static int
console_apply(struct console_opts *o, const char *name, const char *value,
    char *err, size_t errlen)
{
	const char **dst;

	if (strcmp(name, "server") == 0)
		dst = &o->server;
	else if (strcmp(name, "ca") == 0 || strcmp(name, "tls_ca") == 0)
		dst = &o->tls_ca;
	else if (strcmp(name, "log") == 0)
		dst = &o->log;
	else {
		snprintf(err, errlen, _("unknown key %s"), name);
		return -1;
	}
	if (*value == '\0') {
		snprintf(err, errlen, _("%s needs a value"), name);
		return -1;
	}
	*dst = value;
	return 0;
}

struct console_ini {
	struct console_opts *o;
	char err[256];
};

static int
console_ini_line(void *user, const char *section, const char *name,
    const char *value)
{
	static const char *const sections[] = {"", "server", "tls", "log"};
	struct console_ini *c = user;
	struct console_opts *o = c->o;
	char *copy;
	int known = 0;

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		known |= strcmp(section, sections[i]) == 0;
	if (!known) {
		snprintf(c->err, sizeof c->err, _("unknown section [%s]"),
		    section);
		return 0;
	}
	if (o->nowned == (int)(sizeof o->owned / sizeof o->owned[0])) {
		snprintf(c->err, sizeof c->err, _("%s is set too often"), name);
		return 0;
	}
	if ((copy = strdup(value)) == NULL) {
		snprintf(c->err, sizeof c->err, "%s", strerror(errno));
		return 0;
	}
	o->owned[o->nowned++] = copy;
	return console_apply(o, name, copy, c->err, sizeof c->err) == 0;
}

static int
console_config(struct console_opts *o, const char *path)
{
	struct console_ini c = {.o = o};
	int rc;

	rc = ini_parse(path, console_ini_line, &c);
	if (rc == -1) {
		fprintf(stderr, _("%s: config %s: cannot read it: %s\n"),
		    CONSOLE_NAME, path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, _("%s: config %s line %d: %s\n"), CONSOLE_NAME,
		    path, rc, c.err[0] != '\0' ? c.err : _("not an INI line"));
		return -1;
	}
	return 0;
}

/*
 * Reads the flags into o: the config file first, then the flags over it.
 * Returns -1 to go on, or the exit status.
 */
static int
console_flags_parse(struct console_opts *o, int argc, char **argv)
{
	const char *names[argc], *values[argc];
	char err[256];
	int n = 0, c, idx;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", console_flags, &idx)) != -1) {
		switch (c) {
		case OPT_HELP:
			console_usage();
			return 0;
		case OPT_VERSION:
			printf("%s %s\n", CONSOLE_NAME, SPIS_VERSION);
			return 0;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case ':':
			fprintf(stderr, _("%s: %s needs a value (see --help)\n"),
			    CONSOLE_NAME, argv[optind - 1]);
			return 2;
		case '?':
			fprintf(stderr, _("%s: unknown flag %s (see --help)\n"),
			    CONSOLE_NAME, argv[optind - 1]);
			return 2;
		default:
			names[n] = console_flags[idx].name;
			values[n++] = optarg;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("%s: unexpected argument %s (see --help)\n"),
		    CONSOLE_NAME, argv[optind]);
		return 2;
	}
	if (o->config != NULL && console_config(o, o->config) != 0)
		return 2;
	for (int i = 0; i < n; i++) {
		char key[32];

		snprintf(key, sizeof key, "%s", names[i]);
		for (char *p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		if (console_apply(o, key, values[i], err, sizeof err) != 0) {
			fprintf(stderr, "%s: --%s: %s\n", CONSOLE_NAME,
			    names[i], err);
			return 2;
		}
	}
	return -1;
}

/* Every turn of the loop: the screens read the link's latest state. */
static void
console_tick(struct tui *t, void *arg)
{
	struct console *c = arg;

	tui_link_get(c->link, &c->st);
	tui_set_conn(t, c->st.conn);
}

int
main(int argc, char **argv)
{
	struct console_opts o = {.server = "127.0.0.1:50051"};
	struct tui_link_opts lo;
	struct console c;
	struct tui_screen *home, *login;
	char err[512];
	int rc;

	i18n_init();
	if ((rc = console_flags_parse(&o, argc, argv)) >= 0)
		goto out;

	memset(&c, 0, sizeof c);
	memset(&lo, 0, sizeof lo);
	lo.server = c.server = o.server;
	lo.tls_ca = o.tls_ca;
	c.tls = o.tls_ca != NULL;
	if ((c.link = tui_link_open(&lo, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", CONSOLE_NAME, err);
		rc = 1;
		goto out;
	}
	c.tui = tui_open(N_("SPIS officer console"), TUI_OFFICE, o.log, err,
	    sizeof err);
	if (c.tui == NULL) {
		fprintf(stderr, "%s: %s\n", CONSOLE_NAME, err);
		tui_link_close(c.link);
		rc = 1;
		goto out;
	}
	tui_set_server(c.tui, c.server);
	if ((home = console_status_new(&c)) == NULL) {
		tui_close(c.tui);
		tui_link_close(c.link);
		fprintf(stderr, "%s: %s\n", CONSOLE_NAME, strerror(ENOMEM));
		rc = 1;
		goto out;
	}
	tui_push(c.tui, home);
	if ((login = console_login_new(&c, 0)) == NULL) {
		tui_close(c.tui);
		tui_link_close(c.link);
		fprintf(stderr, "%s: %s\n", CONSOLE_NAME, strerror(ENOMEM));
		rc = 1;
		goto out;
	}
	tui_push(c.tui, login);
	rc = tui_run(c.tui, console_tick, &c);
	/* A signal ends the loop with the officer still logged in. */
	console_session_end(&c);
	tui_close(c.tui);
	tui_link_close(c.link);
out:
	for (int i = 0; i < o.nowned; i++)
		free(o.owned[i]);
	return rc;
}
