/*
 * cliconf.h: flags and an INI config file for the terminal clients, read
 * the same way in both: the file named by --config first, then the flags
 * over it, every setting by its config name ("tls_ca" for --tls-ca), and
 * one line on stderr naming the flag, key or file for every mistake.
 */
#ifndef SPIS_CLICONF_H
#define SPIS_CLICONF_H

#include <getopt.h>
#include <stddef.h>

/* The val of the getopt entries with a meaning of their own; any other
 * entry is a setting, applied under its long name. */
enum {
	CLICONF_SETTING = 's',
	CLICONF_CONFIG = 'c',
	CLICONF_HELP = 'h',
	CLICONF_VERSION = 'V',
};

struct cliconf {
	const char *prog;		/* "spis-console" */
	const struct option *flags;	/* getopt table, NULL-terminated */
	const char *const *sections;	/* INI sections accepted, NULL-ended;
					   "" is the part before any section */
	/*
	 * Sets one setting.  The value stays valid until cliconf_free().
	 * Returns 0, or -1 with the reason in err.
	 */
	int (*apply)(void *arg, const char *name, const char *value,
	    char *err, size_t errlen);
	void (*usage)(void);		/* prints --help */
	void *arg;

	/* Filled in: values copied from the file, freed by cliconf_free. */
	char **owned;
	size_t nowned;
};

/* Returns -1 when the program should go on, else the exit status (0 after
 * --help or --version, 2 after a mistake, already reported). */
int cliconf_parse(struct cliconf *c, int argc, char **argv);

void cliconf_free(struct cliconf *c);

#endif
