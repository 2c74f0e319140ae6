/*
 * register.c: registering a person.  Each field is checked as the officer
 * leaves it, with the checks the daemon uses (lib/natid.h, lib/check.h), so
 * that a wrong check digit or a birth date the code disagrees with is named
 * before anything is sent; a valid Lithuanian code fills in the birth date
 * and sex.  The daemon decides: a refusal is shown in its words, next to
 * the field it names.  A registered person's card opens at once, with the
 * likely duplicates the daemon flagged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "check.h"
#include "natid.h"
#include "spis/v1/registrations.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

enum { REG_ID, REG_GIVEN, REG_SURNAME, REG_BIRTH, REG_SEX, REG_ADDRESS,
	REG_MUNI, REG_PHONE, REG_EMAIL, REG_DISABILITY, REG_EMPLOYMENT,
	REG_LANGUAGE, REG_NOTE, REG_NFIELDS };

/* Where a purpose is needed for the card opened after registering. */
#define REG_PURPOSE "intake"

struct reg {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct console_form form;
	char msg[512];	/* the daemon's refusal, verbatim */
	/* Registering from a kiosk's request: its reference, and the name
	 * it gave, for the PIN question. */
	char reference[16];
	char name[256];
};

static const char *reg_id(struct console_form *, int, const char *);
static const char *reg_name(struct console_form *, int, const char *);
static const char *reg_birth(struct console_form *, int, const char *);
static const char *reg_sex(struct console_form *, int, const char *);
static const char *reg_address(struct console_form *, int, const char *);
static const char *reg_phone(struct console_form *, int, const char *);
static const char *reg_email(struct console_form *, int, const char *);

static const char *const reg_sexes[] = {"F", "M", NULL};
static const char *const reg_disabilities[] = {"none", "moderate", "severe",
	NULL};
static const char *const reg_employments[] = {"employed", "unemployed",
	"retired", "student", "other", NULL};
static const char *const reg_languages[] = {"lt", "en", "tr", NULL};

static const struct console_input reg_inputs[REG_NFIELDS] = {
	{"national_id", N_("National ID"), 20, 1, NULL, 0, 0, reg_id},
	{"given_names", N_("Given names"), 100, 1, NULL, 0, 0, reg_name},
	{"surname", N_("Surname"), 100, 1, NULL, 0, 0, reg_name},
	{"birth_date", N_("Birth date"), 10, 1, NULL, 0, 1, reg_birth},
	{"sex", N_("Sex"), 1, 1, reg_sexes, 0, 0, reg_sex},
	{"address", N_("Address"), 128, 0, NULL, 0, 0, reg_address},
	{"municipality", N_("Municipality"), 4, 1, NULL, 1, 0, NULL},
	{"phone", N_("Phone"), 20, 0, NULL, 0, 0, reg_phone},
	{"email", N_("Email"), 100, 0, NULL, 0, 0, reg_email},
	{"disability", N_("Disability"), 10, 1, reg_disabilities, 0, 0, NULL},
	{"employment", N_("Employment"), 12, 0, reg_employments, 0, 0, NULL},
	{"language", N_("Language"), 4, 1, reg_languages, 0, 0, NULL},
	{"reason", N_("Note"), 128, 0, NULL, 0, 0, NULL},
};

static const struct tui_hint reg_hints[] = {
	{"Tab", N_("Next field")},
	{"◂ ▸", N_("Choose")},
	{"F2", N_("Register")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

/* The country whose ID rules apply, as the daemon said; "" when it is not
 * one natid knows, and then only the daemon checks. */
static const char *
reg_country(struct console_form *f)
{
	struct reg *r = f->arg;

	return natid_country_known(r->c->st.country) ? r->c->st.country : "";
}

static const char *
reg_id(struct console_form *f, int i, const char *v)
{
	const char *country = reg_country(f);

	(void)i;
	if (*country == '\0' ||
	    natid_check(country, v, NULL, f->why, sizeof f->why) == 0)
		return NULL;
	return f->why;
}

static const char *
reg_name(struct console_form *f, int i, const char *v)
{
	(void)i;
	return check_text(v, 1, 100, f->why, sizeof f->why) == 0 ? NULL :
	    f->why;
}

static const char *
reg_address(struct console_form *f, int i, const char *v)
{
	(void)i;
	return check_text(v, 0, 200, f->why, sizeof f->why) == 0 ? NULL :
	    f->why;
}

/* A code that is itself valid, or "" (its own field names the problem). */
static void
reg_valid_id(struct console_form *f, char *id)
{
	const char *country = reg_country(f);

	console_form_value(f, REG_ID, id);
	if (*country == '\0' || natid_check(country, id, NULL, NULL, 0) != 0)
		id[0] = '\0';
}

static const char *
reg_birth(struct console_form *f, int i, const char *v)
{
	char today[16], id[CONSOLE_VALUE_MAX];

	(void)i;
	check_today(today, sizeof today);
	if (strcmp(v, today) > 0)
		return _("the birth date is in the future");
	reg_valid_id(f, id);
	if (id[0] != '\0' && natid_check_person(reg_country(f), id, v, NULL,
	    f->why, sizeof f->why) != 0)
		return f->why;
	return NULL;
}

static const char *
reg_sex(struct console_form *f, int i, const char *v)
{
	char id[CONSOLE_VALUE_MAX];

	(void)i;
	reg_valid_id(f, id);
	if (id[0] != '\0' && natid_check_person(reg_country(f), id, NULL, v,
	    f->why, sizeof f->why) != 0)
		return f->why;
	return NULL;
}

static const char *
reg_phone(struct console_form *f, int i, const char *v)
{
	(void)f;
	(void)i;
	if (strlen(v) > 20 || strspn(v + (*v == '+'), "0123456789 ") !=
	    strlen(v + (*v == '+')))
		return _("digits and spaces, with a leading + at most");
	return NULL;
}

static const char *
reg_email(struct console_form *f, int i, const char *v)
{
	const char *at = strchr(v, '@');

	(void)f;
	(void)i;
	if (at == NULL || at == v || at[1] == '\0' || strchr(v, ' ') != NULL)
		return _("an address such as name@example.lt");
	return NULL;
}

/* Once the ID is valid, what it says fills the birth date and sex left
 * empty, and those already typed are checked against it. */
static void
reg_fill(struct console_form *f)
{
	struct natid_info info;
	char v[CONSOLE_VALUE_MAX], sex[2];
	const char *country = reg_country(f);

	console_form_value(f, REG_ID, v);
	if (*country == '\0' || natid_check(country, v, &info, NULL, 0) != 0)
		return;
	console_form_value(f, REG_BIRTH, v);
	if (v[0] == '\0' && info.birth_date[0] != '\0')
		console_form_set(f, REG_BIRTH, info.birth_date);
	else if (v[0] != '\0')
		tui_field_check(&f->f[REG_BIRTH]);
	console_form_value(f, REG_SEX, v);
	if (v[0] == '\0' && info.sex != 0) {
		sex[0] = info.sex;
		sex[1] = '\0';
		console_form_set(f, REG_SEX, sex);
	} else if (v[0] != '\0')
		tui_field_check(&f->f[REG_SEX]);
}

static void
reg_left(struct console_form *f, int i)
{
	if (i == REG_ID)
		reg_fill(f);
}

/*
 * Links the kiosk's request to the person now registered.  Returns 0, or
 * -1 with the daemon's words in err.
 */
static int
reg_accept_request(struct reg *r, char *err, size_t errlen)
{
	Spis__V1__AcceptRegistrationRequest req =
	    SPIS__V1__ACCEPT_REGISTRATION_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512];

	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.reference = r->reference;
	req.note = "identity document checked at the desk";
	st = console_call(r->c, &spis__v1__registrations__descriptor, 3,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	return 0;
}

/* Opens the person's card; for a kiosk's request, accepts it first and
 * offers a PIN over the card. */
static void
reg_open(struct reg *r, const char *national_id, int pin_offer)
{
	struct console *c = r->c;
	struct tui_screen *card;
	char err[512], q[512];
	int failed = 0, from_request = r->reference[0] != '\0';

	err[0] = q[0] = '\0';
	if (from_request)
		failed = reg_accept_request(r, err, sizeof err) != 0;
	if (from_request && !failed)
		snprintf(q, sizeof q, _("Request %s accepted: %s is registered. "
		    "Issue a kiosk PIN now?"), r->reference, r->name);
	card = console_person_new(c, national_id, REG_PURPOSE);
	tui_pop(c->tui); /* frees r */
	if (card == NULL)
		return;
	tui_push(c->tui, card);
	if (failed && c->sess.active)
		console_notice(c, _("Registered, but the request was not "
		    "accepted"), err);
	else if (from_request && pin_offer && c->sess.can_pin)
		console_person_offer_pin(card, q);
}

/* Opens the new person's card, with the duplicates flagged on top. */
static void
reg_done(struct reg *r, const Spis__V1__RegisterPersonReply *rep)
{
	struct console *c = r->c;
	char text[2048];
	size_t off = 0;

	reg_open(r, rep->person->national_id, rep->n_duplicates == 0);
	if (rep->n_duplicates == 0)
		return;
	text[0] = '\0';
	for (size_t i = 0; i < rep->n_duplicates && off < sizeof text; i++) {
		const Spis__V1__DuplicateHint *d = rep->duplicates[i];

		off += snprintf(text + off, sizeof text - off,
		    _("Possible duplicate of %s %s ("), d->national_id, d->name);
		for (size_t k = 0; k < d->n_reasons && off < sizeof text; k++)
			off += snprintf(text + off, sizeof text - off, "%s%s",
			    k > 0 ? ", " : "", d->reasons[k]);
		if (off < sizeof text)
			off += snprintf(text + off, sizeof text - off, "%s\n",
			    _(") — review in Duplicates."));
	}
	console_notice(c, _("Registered, with possible duplicates"), text);
}

static void
reg_send(struct reg *r)
{
	Spis__V1__RegisterPersonRequest req =
	    SPIS__V1__REGISTER_PERSON_REQUEST__INIT;
	Spis__V1__Person p = SPIS__V1__PERSON__INIT;
	char v[REG_NFIELDS][CONSOLE_VALUE_MAX], rid[40], msg[512];
	char **dst[REG_NFIELDS] = {&p.national_id, &p.given_names, &p.surname,
	    &p.birth_date, &p.sex, &p.address, &p.municipality, &p.phone,
	    &p.email, &p.disability, &p.employment, &p.language, &req.reason};
	ProtobufCMessage *resp;
	grpc_status_code st;

	r->msg[0] = '\0';
	if (console_form_check(&r->form) != 0)
		return;
	for (int i = 0; i < REG_NFIELDS; i++) {
		console_form_value(&r->form, i, v[i]);
		*dst[i] = v[i];
	}
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.person = &p;
	st = console_call(r->c, &spis__v1__registry__descriptor, 0, &req.base,
	    &resp, msg, sizeof msg);
	explicit_bzero(v, sizeof v);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	/* Registered in the meantime (or on an earlier try whose reply was
	 * lost): the request can still be linked. */
	if (st == GRPC_STATUS_ALREADY_EXISTS && r->reference[0] != '\0') {
		console_form_value(&r->form, REG_ID, v[0]);
		reg_open(r, v[0], 1);
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, r->msg, sizeof r->msg);
		console_form_server_error(&r->form, msg);
		explicit_bzero(msg, sizeof msg);
		return;
	}
	reg_done(r, (const Spis__V1__RegisterPersonReply *)resp);
	protobuf_c_message_free_unpacked(resp, NULL);
}

static int
reg_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct reg *r = (struct reg *)s;
	char v[CONSOLE_VALUE_MAX];

	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2)) ||
	    (tui_key_enter(k) && r->form.focus == REG_NFIELDS - 1)) {
		reg_send(r);
		return 1;
	}
	if (tui_key_enter(k))
		k = TUI_CHAR('\t');
	if (!console_form_key(&r->form, k))
		return 0;
	/* A full-length ID is checked as it is typed, not only on leaving. */
	if (r->form.focus == REG_ID) {
		console_form_value(&r->form, REG_ID, v);
		if (strlen(v) >= 11 && tui_field_check(&r->form.f[REG_ID]) == 0)
			reg_fill(&r->form);
		else if (strlen(v) < 11)
			r->form.f[REG_ID].error[0] = '\0';
	}
	return 1;
}

static void
reg_draw(struct tui *t, struct tui_screen *s)
{
	struct reg *r = (struct reg *)s;
	struct tui_field *cur = &r->form.f[r->form.focus];
	int top, rows, cols, y;

	tui_body(t, &top, &rows, &cols);
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Register a person"));
	y += 2;
	y += console_form_draw(t, &r->form, y, 2, cols - 4, 0);
	/* The focused field's problem in full, then the daemon's word. */
	if (cur->error[0] != '\0')
		tui_put(t, y, 2, cols - 4, TUI_A_ERROR, cur->error);
	if (r->msg[0] != '\0')
		tui_wrap(t, y + 1, 2, cols - 4, top + rows - y - 1, TUI_A_ERROR,
		    r->msg);
	console_form_draw(t, &r->form, top + 3, 2, cols - 4, 1);
}

static void
reg_wipe(struct tui_screen *s)
{
	struct reg *r = (struct reg *)s;

	console_form_wipe(&r->form);
	explicit_bzero(r->msg, sizeof r->msg);
}

static void
reg_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
console_register_new(struct console *c)
{
	struct reg *r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->c = c;
	console_form_init(&r->form, reg_inputs, REG_NFIELDS, r);
	r->form.left = reg_left;
	/* The code fills the sex in; until then it is not guessed. */
	console_form_set(&r->form, REG_SEX, "");
	r->s.draw = reg_draw;
	r->s.key = reg_key;
	r->s.wipe = reg_wipe;
	r->s.destroy = reg_destroy;
	r->s.hints = reg_hints;
	return &r->s;
}

struct tui_screen *
console_register_from_request(struct console *c, const void *registration)
{
	const Spis__V1__Registration *rq = registration;
	const Spis__V1__Person *p = rq->person;
	struct tui_screen *s;
	struct reg *r;
	char note[128];

	if (p == NULL || (s = console_register_new(c)) == NULL)
		return NULL;
	r = (struct reg *)s;
	console_copy(r->reference, sizeof r->reference, rq->reference);
	snprintf(r->name, sizeof r->name, "%s %s", p->given_names, p->surname);
	console_form_set(&r->form, REG_ID, p->national_id);
	console_form_set(&r->form, REG_GIVEN, p->given_names);
	console_form_set(&r->form, REG_SURNAME, p->surname);
	console_form_set(&r->form, REG_BIRTH, p->birth_date);
	console_form_set(&r->form, REG_SEX, p->sex);
	console_form_set(&r->form, REG_ADDRESS, p->address);
	console_form_set(&r->form, REG_MUNI, p->municipality);
	console_form_set(&r->form, REG_PHONE, p->phone);
	if (p->language[0] != '\0')
		console_form_set(&r->form, REG_LANGUAGE, p->language);
	snprintf(note, sizeof note, "registration request %s", rq->reference);
	console_form_set(&r->form, REG_NOTE, note);
	return s;
}
