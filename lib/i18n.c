/*
 * i18n.c: gettext set-up and the run-time language switch.
 *
 * What this machine's glibc (2.36) was found to do: LANGUAGE is ignored
 * while LC_MESSAGES is "C" or "POSIX" but honoured under "C.UTF-8"; a new
 * value of LANGUAGE takes effect only once the catalogue cache is
 * invalidated, which textdomain() does and setlocale() with an unchanged
 * name does not.  So the switch is setenv("LANGUAGE") then textdomain().
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

#define I18N_DOMAIN "spis"

static const struct i18n_lang i18n_langs[] = {
	{"en", "English"},
	{"lt", "Lietuvių"},
};
#define I18N_NLANGS (sizeof i18n_langs / sizeof i18n_langs[0])

static int
i18n_is_c(const char *name)
{
	return name == NULL || strcmp(name, "C") == 0 ||
	    strcmp(name, "POSIX") == 0;
}

/* Our language named at the start of a locale or LANGUAGE value
 * ("lt_LT.UTF-8", "lt:en"), or NULL. */
static const struct i18n_lang *
i18n_match(const char *value)
{
	size_t len;

	if (value == NULL)
		return NULL;
	len = strcspn(value, "_.@:");
	for (size_t i = 0; i < I18N_NLANGS; i++)
		if (strlen(i18n_langs[i].code) == len &&
		    strncmp(value, i18n_langs[i].code, len) == 0)
			return &i18n_langs[i];
	return NULL;
}

/* The first of LC_ALL, LC_MESSAGES and LANG that is set, as setlocale()
 * would have read them. */
static const char *
i18n_env_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v;

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return v;
	return NULL;
}

/* True when dir/lt/LC_MESSAGES/spis.mo or the like exists: a folder of
 * catalogues, not merely a folder of that name. */
static int
i18n_has_catalogues(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < I18N_NLANGS; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo",
		    dir, i18n_langs[i].code, I18N_DOMAIN) >= sizeof path)
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 1;
	}
	return 0;
}

/*
 * The catalogue folder: see i18n.h.  buf holds the result when it is found
 * from the binary's own place.  The prefix is chosen at install time, not
 * at build time (`make` then `make install PREFIX=/usr`), so the folder
 * beside bin/ is looked at before the compiled-in one.
 */
static const char *
i18n_dir(char *buf, size_t len)
{
	static const char *const beside[] = {"/locale", "/../share/locale"};
	const char *env;
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if ((env = getenv("SPIS_LOCALEDIR")) != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return SPIS_LOCALEDIR;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return SPIS_LOCALEDIR;
	*slash = '\0';
	for (size_t i = 0; i < sizeof beside / sizeof beside[0]; i++) {
		if ((size_t)snprintf(buf, len, "%s%s", exe, beside[i]) >= len)
			continue;
		if (i18n_has_catalogues(buf))
			return buf;
	}
	return SPIS_LOCALEDIR;
}

const char *
i18n_init(void)
{
	const struct i18n_lang *l;
	char exe[PATH_MAX];
	const char *dir;

	setlocale(LC_ALL, "");
	/*
	 * A kiosk started by systemd on a bare tty has no LANG at all.  The
	 * Linux console and every terminal emulator we target speak UTF-8,
	 * and without it ncursesw cannot show Lithuanian letters.
	 */
	if (i18n_is_c(setlocale(LC_CTYPE, NULL)))
		setlocale(LC_CTYPE, "C.UTF-8");
	if (i18n_is_c(setlocale(LC_MESSAGES, NULL))) {
		setlocale(LC_MESSAGES, "C.UTF-8");
		/*
		 * The user may have named a locale that is not generated on
		 * this machine (LANG=lt_LT.UTF-8); our catalogue still
		 * serves its language.
		 */
		l = i18n_match(i18n_env_locale());
		if (getenv("LANGUAGE") == NULL && l != NULL)
			setenv("LANGUAGE", l->code, 1);
	}
	dir = bindtextdomain(I18N_DOMAIN, i18n_dir(exe, sizeof exe));
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
	return dir;
}

int
i18n_set_language(const char *code)
{
	const struct i18n_lang *l = i18n_match(code);

	if (l == NULL || strcmp(l->code, code) != 0)
		return -1;
	/*
	 * Overwriting an existing variable replaces one pointer in environ
	 * and never moves the array, so gRPC's threads reading the
	 * environment are not disturbed.
	 */
	if (setenv("LANGUAGE", l->code, 1) != 0)
		return -1;
	textdomain(I18N_DOMAIN);
	return 0;
}

const char *
i18n_language(void)
{
	const struct i18n_lang *l;
	const char *lang = getenv("LANGUAGE");

	if (lang != NULL && *lang != '\0' &&
	    (l = i18n_match(lang)) != NULL)
		return l->code;
	if ((l = i18n_match(setlocale(LC_MESSAGES, NULL))) != NULL)
		return l->code;
	return i18n_langs[0].code;
}

const struct i18n_lang *
i18n_languages(size_t *n)
{
	*n = I18N_NLANGS;
	return i18n_langs;
}
