/*
 * cliconf.c: the terminal clients' flags and config file (cliconf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "cliconf.h"
#include "i18n.h"
#include "log.h"

struct cliconf_ini {
	struct cliconf *c;
	char err[256];
};

static int
cliconf_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct cliconf_ini *ci = user;
	struct cliconf *c = ci->c;
	char **grown, *copy;
	int known = 0;

	for (const char *const *s = c->sections; *s != NULL; s++)
		known |= strcmp(section, *s) == 0;
	if (!known) {
		snprintf(ci->err, sizeof ci->err, _("unknown section [%s]"),
		    section);
		return 0;
	}
	if ((copy = strdup(value)) == NULL ||
	    (grown = realloc(c->owned, (c->nowned + 1) * sizeof *grown)) ==
		NULL) {
		free(copy);
		snprintf(ci->err, sizeof ci->err, "%s", strerror(ENOMEM));
		return 0;
	}
	c->owned = grown;
	c->owned[c->nowned++] = copy;
	return c->apply(c->arg, name, copy, ci->err, sizeof ci->err) == 0;
}

static int
cliconf_file(struct cliconf *c, const char *path)
{
	struct cliconf_ini ci = {.c = c};
	struct stat sb;
	int rc;

	/* fopen() opens a folder, which inih would read as empty. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		fprintf(stderr, _("%s: config %s: not a regular file\n"),
		    c->prog, path);
		return -1;
	}
	rc = ini_parse(path, cliconf_line, &ci);
	if (rc == -1) {
		fprintf(stderr, _("%s: config %s: cannot read it: %s\n"),
		    c->prog, path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, _("%s: config %s line %d: %s\n"), c->prog, path,
		    rc, ci.err[0] != '\0' ? ci.err : _("not an INI line"));
		return -1;
	}
	return 0;
}

int
cliconf_parse(struct cliconf *c, int argc, char **argv)
{
	const char *names[argc], *values[argc], *config = NULL;
	char err[256], key[32];
	int n = 0, opt, idx;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", c->flags, &idx)) != -1) {
		switch (opt) {
		case CLICONF_HELP:
			c->usage();
			return 0;
		case CLICONF_VERSION:
			printf("%s %s\n", c->prog, SPIS_VERSION);
			return 0;
		case CLICONF_CONFIG:
			config = optarg;
			break;
		case ':':
			fprintf(stderr, _("%s: %s needs a value (see --help)\n"),
			    c->prog, argv[optind - 1]);
			return 2;
		case '?':
			fprintf(stderr, _("%s: unknown flag %s (see --help)\n"),
			    c->prog, argv[optind - 1]);
			return 2;
		default:
			/* Kept until the file is read: flags win. */
			names[n] = c->flags[idx].name;
			values[n++] = optarg;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("%s: unexpected argument %s (see --help)\n"),
		    c->prog, argv[optind]);
		return 2;
	}
	if (config != NULL && cliconf_file(c, config) != 0)
		return 2;
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%s", names[i]);
		for (char *p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		if (c->apply(c->arg, key, values[i], err, sizeof err) != 0) {
			fprintf(stderr, "%s: --%s: %s\n", c->prog, names[i],
			    err);
			return 2;
		}
	}
	return -1;
}

void
cliconf_free(struct cliconf *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	c->owned = NULL;
	c->nowned = 0;
}
