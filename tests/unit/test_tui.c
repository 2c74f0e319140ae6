/*
 * test_tui.c: the kit's logic that needs no terminal (text measured in
 * columns, field editing and validation, form focus, list paging) and the
 * run-time language switch.
 */
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curses.h>

#include "i18n.h"
#include "tui.h"

/* Types UTF-8 text into a field, one character at a time. */
static void
type(struct tui_field *f, const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, strlen(s), &st);
		assert_true(n != (size_t)-1 && n != (size_t)-2);
		assert_int_equal(tui_field_key(f, TUI_CHAR(wc)), 1);
		s += n;
	}
}

static void
assert_value(const struct tui_field *f, const char *want)
{
	char out[TUI_FIELD_MAX * MB_LEN_MAX + 1];

	assert_int_equal(tui_field_value(f, out, sizeof out), 0);
	assert_string_equal(out, want);
}

static void
test_i18n_init_under_c_locale(void **state)
{
	(void)state;
	/* i18n_init() ran under LC_ALL=C (see main): characters and
	 * messages moved to C.UTF-8, where LANGUAGE works. */
	assert_string_equal(setlocale(LC_CTYPE, NULL), "C.UTF-8");
	assert_string_equal(setlocale(LC_MESSAGES, NULL), "C.UTF-8");
	assert_int_equal(MB_CUR_MAX, 6);
}

static void
test_i18n_switch(void **state)
{
	size_t n;
	const struct i18n_lang *l = i18n_languages(&n);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(l[0].code, "en");
	assert_string_equal(l[1].name, "Lietuvių");

	assert_int_equal(i18n_set_language("lt"), 0);
	assert_string_equal(i18n_language(), "lt");
	assert_string_equal(_("Yes"), "Taip");
	assert_string_equal(_("not logged in"), "neprisijungta");

	assert_int_equal(i18n_set_language("en"), 0);
	assert_string_equal(i18n_language(), "en");
	assert_string_equal(_("Yes"), "Yes");

	assert_int_equal(i18n_set_language("lt"), 0);
	assert_string_equal(_("No"), "Ne");

	/* Unknown codes change nothing. */
	assert_int_equal(i18n_set_language("fr"), -1);
	assert_int_equal(i18n_set_language("l"), -1);
	assert_int_equal(i18n_set_language("lt_LT"), -1);
	assert_string_equal(i18n_language(), "lt");
	assert_int_equal(i18n_set_language("en"), 0);
}

static void
test_i18n_plural_forms(void **state)
{
	static const struct {
		unsigned long n;
		const char *word;
	} cases[] = {
		{1, "sekundę"}, {2, "sekundes"}, {9, "sekundes"},
		{10, "sekundžių"}, {11, "sekundžių"}, {12, "sekundžių"},
		{21, "sekundę"}, {22, "sekundes"}, {120, "sekundžių"},
	};
	const char *one = "For your privacy: if no key is pressed for %ld "
			  "second, the screen is cleared and everything typed "
			  "is erased.";
	const char *many = "For your privacy: if no key is pressed for %ld "
			   "seconds, the screen is cleared and everything "
			   "typed is erased.";

	(void)state;
	assert_int_equal(i18n_set_language("lt"), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = ngettext(one, many, cases[i].n);

		if (strstr(s, cases[i].word) == NULL)
			fail_msg("%lu: %s", cases[i].n, s);
	}
	i18n_set_language("en");
}

static void
test_key_is_keeps_chars_and_keys_apart(void **state)
{
	(void)state;
	/* U+0105 'ą' and U+0161 'š' fall among the KEY_* codes. */
	assert_true(0x105 >= KEY_MIN && 0x161 <= KEY_MAX);
	assert_true(tui_key_is(TUI_CHAR(0x105), 0x105, 0));
	assert_false(tui_key_is(TUI_CHAR(0x105), 0, 0x105));
	assert_false(tui_key_is(TUI_FN(0x105), 0x105, 0));
	assert_true(tui_key_is(TUI_FN(KEY_UP), 0, KEY_UP));
	assert_true(tui_key_enter(TUI_CHAR('\n')));
	assert_true(tui_key_enter(TUI_CHAR('\r')));
	assert_true(tui_key_enter(TUI_FN(KEY_ENTER)));
	assert_false(tui_key_enter(TUI_CHAR(' ')));
}

static void
test_text_width_and_fit(void **state)
{
	int used;

	(void)state;
	assert_int_equal(tui_text_width(""), 0);
	assert_int_equal(tui_text_width("ąčęėįšųūž"), 9);
	assert_int_equal(tui_text_width("çğıİöşü"), 7);
	assert_int_equal(tui_text_width("日本"), 4); /* wide */
	assert_int_equal(tui_text_width("e\xcc\x81"), 1); /* combining */
	assert_int_equal(tui_text_width("a\xffz"), 3);	  /* invalid byte */

	/* Cuts fall between characters, never inside one. */
	assert_int_equal(tui_text_fit("ąčę", 2, &used), 4);
	assert_int_equal(used, 2);
	assert_int_equal(tui_text_fit("日本", 3, &used), 3);
	assert_int_equal(used, 2);
	assert_int_equal(tui_text_fit("abc", 10, &used), 3);
	assert_int_equal(tui_text_fit("abc", 0, &used), 0);
}

/* Wraps s at cols and joins the rows with '|'. */
static void
wrap(const char *s, int cols, char *out, size_t len)
{
	size_t n, next, off = 0;

	out[0] = '\0';
	while (*s != '\0') {
		n = tui_text_wrap(s, cols, &next);
		assert_true(next > 0);
		off += (size_t)snprintf(out + off, len - off, "%s%.*s",
		    off > 0 ? "|" : "", (int)n, s);
		s += next;
	}
}

static void
test_text_wrap(void **state)
{
	char out[256];

	(void)state;
	wrap("Sveiki atvykę į SPIS", 10, out, sizeof out);
	assert_string_equal(out, "Sveiki|atvykę į|SPIS");
	wrap("abc def", 3, out, sizeof out);
	assert_string_equal(out, "abc|def");
	wrap("one\n\ntwo", 20, out, sizeof out);
	assert_string_equal(out, "one||two");
	wrap("abcdefgh", 3, out, sizeof out);
	assert_string_equal(out, "abc|def|gh");
	/* Too narrow even for one character: still progresses. */
	wrap("日本", 1, out, sizeof out);
	assert_string_equal(out, "日|本");
}

static void
test_field_editing(void **state)
{
	struct tui_field f = {.label = "Name", .maxlen = 40};

	(void)state;
	type(&f, "Žąsinų çğıİöşü");
	assert_int_equal(f.len, 14);
	assert_int_equal(f.pos, 14);
	assert_value(&f, "Žąsinų çğıİöşü");

	tui_field_key(&f, TUI_FN(KEY_BACKSPACE));
	tui_field_key(&f, TUI_CHAR(0x7f));
	assert_value(&f, "Žąsinų çğıİö");
	tui_field_key(&f, TUI_FN(KEY_HOME));
	tui_field_key(&f, TUI_FN(KEY_DC));
	assert_value(&f, "ąsinų çğıİö");
	type(&f, "Ž");
	tui_field_key(&f, TUI_FN(KEY_END));
	tui_field_key(&f, TUI_FN(KEY_LEFT));
	type(&f, "ş");
	assert_value(&f, "Žąsinų çğıİşö");
	tui_field_key(&f, TUI_FN(KEY_RIGHT));
	tui_field_key(&f, TUI_FN(KEY_RIGHT));
	assert_int_equal(f.pos, f.len);

	/* Control characters (^C from a kiosk) are not the field's. */
	assert_int_equal(tui_field_key(&f, TUI_CHAR(3)), 0);
	assert_int_equal(tui_field_key(&f, TUI_FN(KEY_F(1))), 0);
	assert_value(&f, "Žąsinų çğıİşö");

	/* ^U clears. */
	tui_field_key(&f, TUI_CHAR(0x15));
	assert_value(&f, "");
	assert_int_equal(f.pos, 0);
}

static void
test_field_maxlen_and_set(void **state)
{
	struct tui_field f = {.label = "Code", .maxlen = 3};

	(void)state;
	type(&f, "ąčęė"); /* the fourth is taken and dropped */
	assert_value(&f, "ąčę");
	assert_int_equal(tui_field_set(&f, "šųūžx"), 0);
	assert_value(&f, "šųū");
	assert_int_equal(tui_field_set(&f, "a\xff"), -1);
	assert_value(&f, "šųū");
	assert_int_equal(tui_field_set(&f, "a\tb"), -1);

	/* A value too long for the caller's buffer is refused whole. */
	{
		char small[4];

		assert_int_equal(tui_field_value(&f, small, sizeof small), -1);
	}
}

static void
test_field_wipe_zeroes(void **state)
{
	struct tui_field f = {.label = "PIN", .maxlen = 8, .secret = 1};
	const unsigned char *p;

	(void)state;
	type(&f, "1234");
	snprintf(f.error, sizeof f.error, "%s", "wrong");
	tui_field_wipe(&f);
	p = (const unsigned char *)f.buf;
	for (size_t i = 0; i < sizeof f.buf; i++)
		assert_int_equal(p[i], 0);
	for (size_t i = 0; i < sizeof f.error; i++)
		assert_int_equal(f.error[i], 0);
	assert_int_equal(f.len, 0);
	assert_int_equal(f.pos, 0);
}

static const char *
need_digits(const char *value, void *arg)
{
	int *calls = arg;

	(*calls)++;
	if (*value == '\0')
		return "Enter the code.";
	for (; *value != '\0'; value++)
		if (*value < '0' || *value > '9')
			return "Digits only.";
	return NULL;
}

static const char *
need_text(const char *value, void *arg)
{
	(void)arg;
	return *value == '\0' ? "Enter a name." : NULL;
}

static void
test_form_validates_when_left(void **state)
{
	int calls = 0;
	struct tui_field fields[2] = {
		{.label = "Code", .maxlen = 11, .validate = need_digits,
		    .arg = &calls},
		{.label = "Name", .maxlen = 20, .validate = need_text},
	};
	struct tui_form form = {.fields = fields, .n = 2};

	(void)state;
	type(&fields[0], "39x");
	assert_int_equal(calls, 0); /* not while typing */
	assert_int_equal(tui_form_key(&form, TUI_CHAR('\t')),
	    TUI_FORM_HANDLED);
	assert_int_equal(calls, 1);
	assert_int_equal(form.focus, 1);
	assert_string_equal(fields[0].error, "Digits only.");

	/* Enter on the last field checks all and goes to the first bad. */
	type(&fields[1], "Ąžuolas");
	assert_int_equal(tui_form_key(&form, TUI_CHAR('\r')),
	    TUI_FORM_HANDLED);
	assert_int_equal(form.focus, 0);
	assert_string_equal(fields[1].error, "");

	tui_field_key(&fields[0], TUI_FN(KEY_BACKSPACE));
	type(&fields[0], "0");
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_DOWN)),
	    TUI_FORM_HANDLED);
	assert_string_equal(fields[0].error, "");
	/* Up on the first field and Down on the last go nowhere, and a
	 * field not left is not checked. */
	calls = 0;
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_DOWN)),
	    TUI_FORM_HANDLED);
	assert_int_equal(form.focus, 1);
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_BTAB)),
	    TUI_FORM_HANDLED);
	assert_int_equal(form.focus, 0);
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_UP)),
	    TUI_FORM_HANDLED);
	assert_int_equal(calls, 0);

	assert_int_equal(tui_form_key(&form, TUI_CHAR('\n')),
	    TUI_FORM_HANDLED);
	assert_int_equal(form.focus, 1);
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_ENTER)),
	    TUI_FORM_SUBMIT);
	assert_int_equal(tui_form_key(&form, TUI_FN(KEY_F(2))),
	    TUI_FORM_IGNORED);

	tui_form_wipe(&form);
	assert_int_equal(form.focus, 0);
	assert_value(&fields[0], "");
	assert_value(&fields[1], "");
}

static void
no_item(size_t i, char *buf, size_t len, void *arg)
{
	(void)arg;
	snprintf(buf, len, "%zu", i);
}

static void
test_list_paging(void **state)
{
	struct tui_list l = {.n = 45, .item = no_item, .per_page = 20};
	size_t page, pages;

	(void)state;
	tui_list_page(&l, &page, &pages);
	assert_int_equal(page, 1);
	assert_int_equal(pages, 3);
	assert_true(tui_list_key(&l, TUI_FN(KEY_NPAGE)));
	assert_int_equal(l.sel, 20);
	tui_list_page(&l, &page, &pages);
	assert_int_equal(page, 2);
	assert_true(tui_list_key(&l, TUI_FN(KEY_NPAGE)));
	assert_true(tui_list_key(&l, TUI_FN(KEY_NPAGE)));
	assert_int_equal(l.sel, 44);
	tui_list_page(&l, &page, &pages);
	assert_int_equal(page, 3);
	assert_true(tui_list_key(&l, TUI_FN(KEY_PPAGE)));
	assert_int_equal(l.sel, 24);
	assert_true(tui_list_key(&l, TUI_FN(KEY_HOME)));
	assert_int_equal(l.sel, 0);
	assert_true(tui_list_key(&l, TUI_FN(KEY_UP)));
	assert_int_equal(l.sel, 0);
	assert_true(tui_list_key(&l, TUI_FN(KEY_PPAGE)));
	assert_int_equal(l.sel, 0);
	assert_true(tui_list_key(&l, TUI_FN(KEY_END)));
	assert_int_equal(l.sel, 44);
	assert_true(tui_list_key(&l, TUI_FN(KEY_DOWN)));
	assert_int_equal(l.sel, 44);

	/* A resize changes the page size; the selection stays. */
	l.per_page = 26;
	tui_list_page(&l, &page, &pages);
	assert_int_equal(page, 2);
	assert_int_equal(pages, 2);

	/* Characters are not the list's; an empty list takes nothing. */
	assert_false(tui_list_key(&l, TUI_CHAR('j')));
	l.n = 0;
	assert_false(tui_list_key(&l, TUI_FN(KEY_DOWN)));
	tui_list_page(&l, &page, &pages);
	assert_int_equal(pages, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i18n_init_under_c_locale),
		cmocka_unit_test(test_i18n_switch),
		cmocka_unit_test(test_i18n_plural_forms),
		cmocka_unit_test(test_key_is_keeps_chars_and_keys_apart),
		cmocka_unit_test(test_text_width_and_fit),
		cmocka_unit_test(test_text_wrap),
		cmocka_unit_test(test_field_editing),
		cmocka_unit_test(test_field_maxlen_and_set),
		cmocka_unit_test(test_field_wipe_zeroes),
		cmocka_unit_test(test_form_validates_when_left),
		cmocka_unit_test(test_list_paging),
	};
	char exe[PATH_MAX], dir[PATH_MAX + 16];
	ssize_t n;
	char *slash;

	/* The catalogues built next to the test's build folder
	 * (build/tests/test_tui -> build/locale), and a bare C locale to
	 * show that i18n_init() copes with one. */
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(dir, sizeof dir, "%s/../locale", exe);
		setenv("SPIS_LOCALEDIR", dir, 1);
	}
	setenv("LC_ALL", "C", 1);
	unsetenv("LANGUAGE");
	i18n_init();
	return cmocka_run_group_tests_name("tui", tests, NULL, NULL);
}
