/*
 * main.c: spis-console, the officer console.  Reads the flags and an
 * optional config file, opens the link to the daemon, and runs the screens.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliconf.h"
#include "console.h"
#include "i18n.h"

#define CONSOLE_NAME "spis-console"

struct console_opts {
	const char *server;
	const char *tls_ca;
	const char *log;
};

static const struct option console_flags[] = {
	{"server", required_argument, NULL, CLICONF_SETTING},
	{"ca", required_argument, NULL, CLICONF_SETTING},
	{"tls-ca", required_argument, NULL, CLICONF_SETTING}, /* old name */
	{"config", required_argument, NULL, CLICONF_CONFIG},
	{"log", required_argument, NULL, CLICONF_SETTING},
	{"help", no_argument, NULL, CLICONF_HELP},
	{"version", no_argument, NULL, CLICONF_VERSION},
	{NULL, 0, NULL, 0},
};

static const char *const console_sections[] = {"", "server", "tls", "log",
	NULL};

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
console_apply(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	struct console_opts *o = arg;
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
	struct cliconf cc = {.prog = CONSOLE_NAME, .flags = console_flags,
	    .sections = console_sections, .apply = console_apply,
	    .usage = console_usage, .arg = &o};
	struct tui_link_opts lo;
	struct console c;
	struct tui_screen *home, *login;
	char err[512];
	int rc;

	i18n_init();
	if ((rc = cliconf_parse(&cc, argc, argv)) >= 0)
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
	cliconf_free(&cc);
	return rc;
}
