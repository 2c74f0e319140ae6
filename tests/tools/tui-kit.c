/*
 * tui-kit.c: a test-only program that puts the kit's widgets on a real
 * terminal for tests/tui/kit.sh: a form with two validated fields, then a
 * paged list of 45 items, and a confirm dialog to quit.  The shells only
 * use some widgets in this issue; this proves the rest in tmux.
 *
 * Usage: tui-kit [LANGUAGE]
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

#define KIT_ITEMS 45

struct kit {
	struct tui_screen form_s;
	struct tui_field fields[2];
	struct tui_form form;
	char submitted[1100];
	struct tui_screen list_s;
	struct tui_list list;
};

static const struct tui_hint kit_form_hints[] = {
	{"Tab", "Next field"},
	{"Enter", "Submit"},
	{"Esc", "Quit"},
	{NULL, NULL},
};

static const struct tui_hint kit_list_hints[] = {
	{"PgUp PgDn", "Page"},
	{"Esc", "Back"},
	{NULL, NULL},
};

static const char *
kit_need_name(const char *value, void *arg)
{
	(void)arg;
	return value[0] == '\0' ? "Enter a name." : NULL;
}

static const char *
kit_need_date(const char *v, void *arg)
{
	(void)arg;
	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return "Enter the date as YYYY-MM-DD.";
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)v[i]))
			return "Enter the date as YYYY-MM-DD.";
	return NULL;
}

static void
kit_quit(struct tui *t, int yes, void *arg)
{
	(void)arg;
	if (yes)
		tui_quit(t, 0);
}

static void
kit_form_draw(struct tui *t, struct tui_screen *s)
{
	struct kit *k = (struct kit *)s;
	int top, rows, cols;

	tui_body(t, &top, &rows, &cols);
	tui_put(t, top + 1, 2, cols - 4, TUI_A_BOLD, "Kit form");
	tui_put(t, top + 3 + tui_form_rows(&k->form), 2, cols - 4, 0,
	    k->submitted);
	/* Last, so that the cursor it places is the one that stays. */
	tui_form_draw(t, &k->form, top + 3, 2, cols - 4);
}

static int
kit_form_key(struct tui *t, struct tui_screen *s, struct tui_key key)
{
	struct kit *k = (struct kit *)s;
	char name[TUI_FIELD_MAX * 4 + 1], date[TUI_FIELD_MAX * 4 + 1];

	if (tui_key_is(key, 0x1b, 0)) {
		tui_confirm(t, "Quit the kit?", kit_quit, NULL);
		return 1;
	}
	switch (tui_form_key(&k->form, key)) {
	case TUI_FORM_SUBMIT:
		tui_field_value(&k->fields[0], name, sizeof name);
		tui_field_value(&k->fields[1], date, sizeof date);
		snprintf(k->submitted, sizeof k->submitted,
		    "Submitted: <%s> <%s>", name, date);
		tui_push(t, &k->list_s);
		return 1;
	case TUI_FORM_HANDLED:
		return 1;
	default:
		return 0;
	}
}

static void
kit_form_wipe(struct tui_screen *s)
{
	struct kit *k = (struct kit *)s;

	tui_form_wipe(&k->form);
	explicit_bzero(k->submitted, sizeof k->submitted);
}

static void
kit_item(size_t i, char *buf, size_t len, void *arg)
{
	(void)arg;
	snprintf(buf, len, "Item %zu", i + 1);
}

static void
kit_list_draw(struct tui *t, struct tui_screen *s)
{
	struct kit *k = (struct kit *)((char *)s - offsetof(struct kit, list_s));
	int top, rows, cols;

	tui_body(t, &top, &rows, &cols);
	tui_put(t, top, 2, cols - 4, TUI_A_BOLD, "Kit list");
	tui_list_draw(t, &k->list, top + 1, 2, rows - 1, cols - 4);
}

static int
kit_list_key(struct tui *t, struct tui_screen *s, struct tui_key key)
{
	struct kit *k = (struct kit *)((char *)s - offsetof(struct kit, list_s));

	if (tui_key_is(key, 0x1b, 0)) {
		tui_pop(t);
		return 1;
	}
	return tui_list_key(&k->list, key);
}

int
main(int argc, char **argv)
{
	struct kit k;
	struct tui *t;
	char err[256];
	int rc;

	i18n_init();
	if (argc > 1 && i18n_set_language(argv[1]) != 0) {
		fprintf(stderr, "tui-kit: no language %s\n", argv[1]);
		return 2;
	}
	memset(&k, 0, sizeof k);
	k.fields[0] = (struct tui_field){.label = "Name", .maxlen = 60,
	    .validate = kit_need_name};
	k.fields[1] = (struct tui_field){.label = "Birth date", .maxlen = 10,
	    .validate = kit_need_date};
	k.form.fields = k.fields;
	k.form.n = 2;
	k.form_s.draw = kit_form_draw;
	k.form_s.key = kit_form_key;
	k.form_s.wipe = kit_form_wipe;
	k.form_s.hints = kit_form_hints;
	k.list.n = KIT_ITEMS;
	k.list.item = kit_item;
	k.list_s.draw = kit_list_draw;
	k.list_s.key = kit_list_key;
	k.list_s.hints = kit_list_hints;

	if ((t = tui_open("tui-kit", TUI_OFFICE, NULL, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "tui-kit: %s\n", err);
		return 1;
	}
	tui_set_server(t, "nowhere");
	tui_push(t, &k.form_s);
	rc = tui_run(t, NULL, NULL);
	tui_close(t);
	return rc;
}
