/*
 * search.c: finding a person, the only way into the registry (nobody
 * browses it).  A national ID alone, or at least three letters of a
 * surname with a birth year or a municipality; the purpose of the search
 * goes with it and with the card opened from it.  The daemon decides what
 * is enough and says which field is wrong; its words are shown as sent.
 * Pages come with an opaque token, kept for every page shown so that PgUp
 * walks back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

enum { SEARCH_ID, SEARCH_SURNAME, SEARCH_YEAR, SEARCH_MUNI, SEARCH_GIVEN,
	SEARCH_PURPOSE, SEARCH_NFIELDS };

#define SEARCH_PAGES_MAX 100
#define SEARCH_TOKEN_MAX 128

static const char *search_year(struct console_form *, int, const char *);

static const struct console_input search_inputs[SEARCH_NFIELDS] = {
	{"national_id", N_("National ID"), 20, 0, NULL, 0, 0, NULL},
	{"surname", N_("Surname"), 100, 0, NULL, 0, 0, NULL},
	{"birth_year", N_("Birth year"), 4, 0, NULL, 0, 0, search_year},
	{"municipality", N_("Municipality"), 4, 0, NULL, 1, 0, NULL},
	{"given_names", N_("Given names"), 100, 0, NULL, 0, 0, NULL},
	{"purpose", N_("Purpose"), 12, 1, console_purposes, 0, 0, NULL},
};

struct search {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct console_form form;
	int in_list;			/* the focus is on the results */
	Spis__V1__SearchPeopleReply *reply; /* the page shown, or NULL */
	char purpose[32];		/* of the page shown */
	struct tui_list list;
	char tokens[SEARCH_PAGES_MAX][SEARCH_TOKEN_MAX];
	int page_no;
	char note[512];
	int note_error;
};

static const struct tui_hint search_hints[] = {
	{"Enter", N_("Search")},
	{"Tab", N_("Next field")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint search_hints_list[] = {
	{"Enter", N_("Open the card")},
	{"PgUp/Dn", N_("Pages")},
	{"Tab", N_("Back to the form")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static const char *
search_year(struct console_form *f, int i, const char *v)
{
	(void)f;
	(void)i;
	if (strlen(v) != 4 || strspn(v, "0123456789") != 4)
		return _("four digits, e.g. 1987");
	return NULL;
}

static void
search_free(struct search *se)
{
	if (se->reply != NULL)
		protobuf_c_message_free_unpacked(&se->reply->base, NULL);
	se->reply = NULL;
	se->list.n = se->list.sel = 0;
	se->in_list = 0;
}

static int
search_rows(struct search *se)
{
	int top, rows, cols, n;

	tui_body(se->c->tui, &top, &rows, &cols);
	n = rows - SEARCH_NFIELDS - 8;
	return n < 3 ? 3 : n;
}

/* One result: ID, name, birth date, municipality and the markers. */
static void
search_item(size_t i, char *buf, size_t len, void *arg)
{
	struct search *se = arg;
	const Spis__V1__PersonSummary *p = se->reply->people[i];
	char name[256], marks[128] = "";
	size_t off = 0;

	snprintf(name, sizeof name, "%s, %s", p->surname, p->given_names);
	if (p->deceased_date[0] != '\0')
		snprintf(marks, sizeof marks, " [%s %s]", _("deceased"),
		    p->deceased_date);
	if (p->merged_into[0] != '\0') {
		size_t n = strlen(marks);

		snprintf(marks + n, sizeof marks - n, " [%s %s]",
		    _("merged into"), p->merged_into);
	}
	buf[0] = '\0';
	console_cell(buf, len, &off, p->national_id, 12);
	console_cell(buf, len, &off, name, 30);
	console_cell(buf, len, &off, p->birth_date, 11);
	console_cell(buf, len, &off, p->municipality, 4);
	if (off < len)
		snprintf(buf + off, len - off, "%s", marks);
}

/* Fetches page page_no (from 0), whose token is in tokens.  The form
 * keeps what the daemon says is wrong with it. */
static void
search_fetch(struct search *se, int page_no)
{
	Spis__V1__SearchPeopleRequest req =
	    SPIS__V1__SEARCH_PEOPLE_REQUEST__INIT;
	char v[SEARCH_NFIELDS][CONSOLE_VALUE_MAX], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < SEARCH_NFIELDS; i++) {
		console_form_value(&se->form, i, v[i]);
		se->form.f[i].error[0] = '\0';
	}
	req.national_id = v[SEARCH_ID];
	req.surname = v[SEARCH_SURNAME];
	req.birth_year = atoi(v[SEARCH_YEAR]);
	req.municipality = v[SEARCH_MUNI];
	req.given_names = v[SEARCH_GIVEN];
	req.purpose = v[SEARCH_PURPOSE];
	req.page_size = search_rows(se);
	req.page_token = se->tokens[page_no];
	se->note[0] = '\0';
	st = console_call(se->c, &spis__v1__registry__descriptor, 4,
	    &req.base, &resp, msg, sizeof msg);
	explicit_bzero(v, sizeof v);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		/* Verbatim under the form, and marked at the field. */
		console_status_text(st, msg, se->note, sizeof se->note);
		se->note_error = 1;
		if (st == GRPC_STATUS_INVALID_ARGUMENT ||
		    st == GRPC_STATUS_PERMISSION_DENIED)
			console_form_server_error(&se->form, msg);
		explicit_bzero(msg, sizeof msg);
		return;
	}
	search_free(se);
	se->reply = (Spis__V1__SearchPeopleReply *)resp;
	se->list.n = se->reply->n_people;
	se->page_no = page_no;
	console_form_value(&se->form, SEARCH_PURPOSE, v[0]);
	console_copy(se->purpose, sizeof se->purpose, v[0]);
	if (page_no + 1 < SEARCH_PAGES_MAX)
		console_copy(se->tokens[page_no + 1], SEARCH_TOKEN_MAX,
		    se->reply->next_page_token);
	se->in_list = se->list.n > 0;
	if (se->reply->capped) {
		console_copy(se->note, sizeof se->note,
		    _("More people match than can be shown (capped): narrow "
		    "your search."));
		se->note_error = 1;
	}
}

static void
search_open(struct search *se)
{
	struct tui_screen *card;

	if (se->reply == NULL || se->list.sel >= se->reply->n_people)
		return;
	card = console_person_new(se->c,
	    se->reply->people[se->list.sel]->national_id, se->purpose);
	if (card != NULL)
		tui_push(se->c->tui, card);
}

static int
search_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct search *se = (struct search *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(se->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (se->reply != NULL && se->reply->next_page_token[0] != '\0' &&
		    se->page_no + 1 < SEARCH_PAGES_MAX)
			search_fetch(se, se->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (se->page_no > 0)
			search_fetch(se, se->page_no - 1);
		return 1;
	}
	if (se->in_list) {
		if (tui_key_enter(k)) {
			search_open(se);
			return 1;
		}
		if (tui_key_is(k, '\t', KEY_BTAB)) {
			se->in_list = 0;
			return 1;
		}
		if (tui_key_is(k, 0, KEY_UP) && se->list.sel == 0) {
			se->in_list = 0;
			return 1;
		}
		return tui_list_key(&se->list, k);
	}
	if (tui_key_enter(k)) {
		tui_field_check(&se->form.f[se->form.focus]);
		se->tokens[0][0] = '\0';
		se->note[0] = '\0';
		tui_redraw(t);
		search_fetch(se, 0);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_DOWN) && se->form.focus == SEARCH_NFIELDS - 1 &&
	    se->list.n > 0) {
		se->in_list = 1;
		return 1;
	}
	return console_form_key(&se->form, k);
}

static void
search_draw(struct tui *t, struct tui_screen *s)
{
	struct search *se = (struct search *)s;
	char head[256], line[256];
	int top, rows, cols, y, n;
	size_t off;

	se->s.hints = se->in_list ? search_hints_list : search_hints;
	tui_body(t, &top, &rows, &cols);
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Find a person"));
	y++;
	tui_put(t, y, 2, cols - 4, 0, _("A national ID, or 3+ letters of the "
	    "surname with a birth year or a municipality."));
	y += 2;
	y += console_form_draw(t, &se->form, y, 2, cols - 4, !se->in_list);
	if (se->note[0] != '\0')
		tui_wrap(t, y, 2, cols - 4, 2,
		    se->note_error ? TUI_A_ERROR : TUI_A_BOLD, se->note);
	y += 2;
	if (se->reply == NULL)
		return;
	if (se->reply->n_people == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("Nobody matches this search."));
		return;
	}
	off = 0;
	head[0] = '\0';
	console_cell(head, sizeof head, &off, _("ID"), 12);
	console_cell(head, sizeof head, &off, _("Name"), 30);
	console_cell(head, sizeof head, &off, _("Born"), 11);
	console_cell(head, sizeof head, &off, _("Mun."), 4);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, head);
	n = top + rows - y - 1;
	if (se->in_list)
		tui_list_draw(t, &se->list, y, 2, n, cols - 4);
	else {
		/* Drawn without taking the cursor from the form. */
		for (size_t i = 0; i < se->list.n && (int)i < n; i++) {
			search_item(i, line, sizeof line, se);
			tui_put(t, y + (int)i, 4, cols - 6, 0, line);
		}
		se->list.per_page = n;
	}
	snprintf(line, sizeof line, _("Page %d, %zu people"), se->page_no + 1,
	    se->reply->n_people);
	if (se->reply->next_page_token[0] != '\0') {
		size_t l = strlen(line);

		snprintf(line + l, sizeof line - l, "  %s", _("More: PgDn"));
	}
	tui_put(t, top + rows - 1, 2, cols - 4, TUI_A_BOLD, line);
}

/* What was typed and found is personal data: nothing stays. */
static void
search_wipe(struct tui_screen *s)
{
	struct search *se = (struct search *)s;

	console_form_wipe(&se->form);
	search_free(se);
	explicit_bzero(se->tokens, sizeof se->tokens);
	explicit_bzero(se->note, sizeof se->note);
}

static void
search_destroy(struct tui_screen *s)
{
	struct search *se = (struct search *)s;

	search_free(se);
	free(se);
}

struct tui_screen *
console_search_new(struct console *c)
{
	struct search *se;

	if ((se = calloc(1, sizeof *se)) == NULL)
		return NULL;
	se->c = c;
	console_form_init(&se->form, search_inputs, SEARCH_NFIELDS, se);
	se->list.item = search_item;
	se->list.arg = se;
	se->s.draw = search_draw;
	se->s.key = search_key;
	se->s.wipe = search_wipe;
	se->s.destroy = search_destroy;
	se->s.hints = search_hints;
	return &se->s;
}
