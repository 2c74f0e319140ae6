/*
 * main.c: spis-kiosk, the citizen kiosk.  Reads the flags and an optional
 * config file, opens the link to the daemon, and runs the screens until
 * the service manager stops it: there is no quit key and no way out to a
 * shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliconf.h"
#include "i18n.h"
#include "kiosk.h"

#define KIOSK_NAME "spis-kiosk"
#define KIOSK_IDLE_MAX 86400

struct kiosk_opts {
	const char *server;
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	const char *log;
	const char *language;
	long idle_s;
};

static const struct option kiosk_flags[] = {
	{"server", required_argument, NULL, CLICONF_SETTING},
	{"ca", required_argument, NULL, CLICONF_SETTING},
	{"cert", required_argument, NULL, CLICONF_SETTING},
	{"key", required_argument, NULL, CLICONF_SETTING},
	/* The old names, kept for existing service files. */
	{"tls-ca", required_argument, NULL, CLICONF_SETTING},
	{"tls-cert", required_argument, NULL, CLICONF_SETTING},
	{"tls-key", required_argument, NULL, CLICONF_SETTING},
	{"idle", required_argument, NULL, CLICONF_SETTING},
	{"language", required_argument, NULL, CLICONF_SETTING},
	{"config", required_argument, NULL, CLICONF_CONFIG},
	{"log", required_argument, NULL, CLICONF_SETTING},
	{"help", no_argument, NULL, CLICONF_HELP},
	{"version", no_argument, NULL, CLICONF_VERSION},
	{NULL, 0, NULL, 0},
};

static const char *const kiosk_sections[] = {"", "server", "tls", "kiosk",
	"log", NULL};

static void
kiosk_usage(void)
{
	printf(_("Usage: %s [--server ADDR] [--ca FILE] [--cert FILE "
		 "--key FILE]\n"
		 "       [--idle SECONDS] [--language CODE] [--config FILE] "
		 "[--log FILE]\n"), KIOSK_NAME);
	printf("%s\n\n", _("The SPIS citizen kiosk, for terminals in "
			   "libraries and NGOs."));
	printf("%s\n", _("  --server ADDR    the daemon: host:port or "
			 "unix:PATH (default 127.0.0.1:50051)"));
	printf("%s\n", _("  --ca FILE        use TLS, trusting the server "
			 "certificates this CA (PEM) signed"));
	printf("%s\n", _("  --cert FILE      this terminal's certificate "
			 "(PEM), with --key its key"));
	printf("%s\n", _("  --tls-ca, --tls-cert, --tls-key  the same as "
			 "--ca, --cert and --key"));
	printf("%s\n", _("  --idle SECONDS   wipe the screen and start again "
			 "after this long without a key (default 120)"));
	printf("%s\n", _("  --language CODE  the language a new visitor sees: "
			 "en or lt (default en)"));
	printf("%s\n", _("  --config FILE    read settings from an INI file; "
			 "flags override it"));
	printf("%s\n", _("  --log FILE       append diagnostics to FILE"));
	printf("%s\n", _("  --help           show this help and exit"));
	printf("%s\n\n", _("  --version        show the version and exit"));
	printf("%s\n", _("Config keys: server, ca, cert, key (or tls_ca, "
			 "tls_cert, tls_key), idle, language and log, in any "
			 "of the sections [server], [tls], [kiosk] and "
			 "[log]."));
	printf("%s\n", _("The kiosk has no quit key: stop it with its "
			 "service (SIGTERM)."));
}

/* Sets the setting named as in the config file ("tls_cert").  Returns 0,
 * or -1 with the reason in err. */
static int
kiosk_apply(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	struct kiosk_opts *o = arg;
	const char **dst = NULL;
	char *end;
	long n;

	if (*value == '\0') {
		snprintf(err, errlen, _("%s needs a value"), name);
		return -1;
	}
	if (strcmp(name, "server") == 0)
		dst = &o->server;
	else if (strcmp(name, "ca") == 0 || strcmp(name, "tls_ca") == 0)
		dst = &o->tls_ca;
	else if (strcmp(name, "cert") == 0 || strcmp(name, "tls_cert") == 0)
		dst = &o->tls_cert;
	else if (strcmp(name, "key") == 0 || strcmp(name, "tls_key") == 0)
		dst = &o->tls_key;
	else if (strcmp(name, "log") == 0)
		dst = &o->log;
	else if (strcmp(name, "idle") == 0) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > KIOSK_IDLE_MAX) {
			snprintf(err, errlen, _("idle must be a number of "
			    "seconds from 1 to %d, not %s"), KIOSK_IDLE_MAX,
			    value);
			return -1;
		}
		o->idle_s = n;
		return 0;
	} else if (strcmp(name, "language") == 0) {
		const struct i18n_lang *langs = NULL;
		size_t nl;

		langs = i18n_languages(&nl);
		for (size_t i = 0; i < nl; i++)
			if (strcmp(langs[i].code, value) == 0)
				o->language = langs[i].code;
		if (o->language == NULL || strcmp(o->language, value) != 0) {
			snprintf(err, errlen, _("no language %s: use en or lt"),
			    value);
			return -1;
		}
		return 0;
	} else {
		snprintf(err, errlen, _("unknown key %s"), name);
		return -1;
	}
	*dst = value;
	return 0;
}

/*
 * Every turn of the loop: the screens read the link's latest state, the
 * header names the volunteer (in the language of the moment), and a kiosk
 * left alone for the idle time ends the citizen's sitting and is wiped
 * back to the start: a new visitor's welcome in the default language, or
 * the volunteer's start screen, the volunteer still logged in.
 */
static void
kiosk_tick(struct tui *t, void *arg)
{
	struct kiosk *k = arg;
	char who[sizeof k->vol.name + sizeof k->cit.given_names + 64];

	tui_link_get(k->link, &k->st);
	tui_set_conn(t, k->st.conn);
	if (tui_touched(t) && tui_idle_ms(t) >= k->idle_s * 1000)
		kiosk_finish(k);
	/* The header says who the kiosk is serving, by first names only, so
	 * that a citizen who steps away and back sees it is still theirs. */
	if (k->vol.active && k->cit.active) {
		snprintf(who, sizeof who, _("Volunteer: %s, helping %s"),
		    k->vol.name, k->cit.given_names);
		tui_set_user(t, who);
	} else if (k->vol.active) {
		snprintf(who, sizeof who, _("Volunteer: %s"), k->vol.name);
		tui_set_user(t, who);
	} else if (k->cit.active) {
		snprintf(who, sizeof who, _("Identified: %s"),
		    k->cit.given_names);
		tui_set_user(t, who);
	} else
		tui_set_user(t, NULL);
}

int
main(int argc, char **argv)
{
	struct kiosk_opts o = {.server = "127.0.0.1:50051", .idle_s = 120,
	    .language = "en"};
	struct cliconf cc = {.prog = KIOSK_NAME, .flags = kiosk_flags,
	    .sections = kiosk_sections, .apply = kiosk_apply,
	    .usage = kiosk_usage, .arg = &o};
	struct tui_link_opts lo;
	struct kiosk k;
	struct tui_screen *home;
	char err[512];
	int rc;

	i18n_init();
	if ((rc = cliconf_parse(&cc, argc, argv)) >= 0)
		goto out;
	if ((o.tls_cert == NULL) != (o.tls_key == NULL)) {
		fprintf(stderr, _("%s: --cert and --key go together\n"),
		    KIOSK_NAME);
		rc = 2;
		goto out;
	}
	if (o.tls_cert != NULL && o.tls_ca == NULL) {
		fprintf(stderr, _("%s: --cert needs --ca as well\n"),
		    KIOSK_NAME);
		rc = 2;
		goto out;
	}
	/* Before any thread starts: see i18n_set_language(). */
	i18n_set_language(o.language);

	memset(&k, 0, sizeof k);
	memset(&lo, 0, sizeof lo);
	lo.server = k.server = o.server;
	lo.tls_ca = o.tls_ca;
	lo.tls_cert = o.tls_cert;
	lo.tls_key = o.tls_key;
	k.idle_s = o.idle_s;
	k.language = o.language;
	if ((k.link = tui_link_open(&lo, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", KIOSK_NAME, err);
		rc = 1;
		goto out;
	}
	k.tui = tui_open(N_("SPIS self-service kiosk"), TUI_KIOSK, o.log, err,
	    sizeof err);
	if (k.tui == NULL) {
		fprintf(stderr, "%s: %s\n", KIOSK_NAME, err);
		tui_link_close(k.link);
		rc = 1;
		goto out;
	}
	tui_set_server(k.tui, k.server);
	if ((home = kiosk_welcome_new(&k)) == NULL) {
		tui_close(k.tui);
		tui_link_close(k.link);
		fprintf(stderr, "%s: %s\n", KIOSK_NAME, strerror(ENOMEM));
		rc = 1;
		goto out;
	}
	tui_push(k.tui, home);
	/* Only SIGTERM or a hang-up ends the loop: a normal stop. */
	tui_run(k.tui, kiosk_tick, &k);
	/* Stopped by the service: the sitting and the session end too. */
	kiosk_volunteer_logout(&k);
	tui_close(k.tui);
	tui_link_close(k.link);
	rc = 0;
out:
	cliconf_free(&cc);
	return rc;
}
