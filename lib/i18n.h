/*
 * i18n.h: message catalogues (GNU gettext, text domain "spis") and the
 * choice of language at run time.
 *
 * Every user-facing string goes through _() where it is shown, or is marked
 * with N_() where it is stored and translated later, so that switching the
 * language redraws everything in the new one.
 */
#ifndef SPIS_I18N_H
#define SPIS_I18N_H

#include <stddef.h>

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* A language with a catalogue: its code and its name in that language. */
struct i18n_lang {
	const char *code; /* "en", "lt" */
	const char *name; /* "English", "Lietuvių"; never translated */
};

/*
 * Sets the locale from the environment and binds the "spis" catalogues.
 * Under the bare "C" locale, where gettext ignores LANGUAGE and ncursesw
 * cannot show UTF-8, messages and characters switch to C.UTF-8.  Catalogues
 * are looked for in $SPIS_LOCALEDIR if set, else in a "locale" folder next
 * to the running binary (an uninstalled build), else in ../share/locale
 * from the binary's folder (installed under whatever prefix `make install`
 * was given), else in the compiled-in SPIS_LOCALEDIR.  Returns the folder
 * in use (owned by gettext).
 */
const char *i18n_init(void);

/*
 * Switches messages to the language code ("en", "lt") at run time.
 * Returns 0, or -1 (nothing changed) for a language without a catalogue.
 * The first call should come before other threads start: it creates the
 * LANGUAGE variable, which later calls only overwrite.
 */
int i18n_set_language(const char *code);

/* The code of the language messages are shown in now ("en" when none of
 * ours is chosen).  Static storage. */
const char *i18n_language(void);

/* The languages with a catalogue, English first; *n receives the count.
 * Static storage. */
const struct i18n_lang *i18n_languages(size_t *n);

#endif
