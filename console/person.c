/*
 * person.c: a person's card, read with Registry/GetPerson for the purpose
 * chosen at the search (every read is audited with it).  It shows who they
 * are, how to reach them, their household, open duplicate flags, PIN and
 * consents, and leads to their history, documents and household, to the
 * record as it stood on a past date, and to the changes an officer makes
 * at the desk: an edit with a reason, a death, a consent, a kiosk PIN.
 * For officers who read applications it lists the person's, newest first,
 * Enter opening the one selected; a clerk takes a new one with Apply.
 * For officers who read benefits it lists them too (Enter opens one with
 * its history and changes), the bank account they are paid to (b records
 * a new one) and the notices sent to the person (Enter shows the letter):
 * one selection moves through the three lists.
 * The keys offered follow the officer's roles; the daemon decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/applications.pb-c.h"
#include "spis/v1/benefits.pb-c.h"
#include "spis/v1/citizen.pb-c.h"
#include "spis/v1/registry.pb-c.h"

#include "console.h"
#include "i18n.h"

struct person {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char id[32];
	char purpose[32];
	char as_of[16];	     /* "" for now */
	Spis__V1__PersonCard *card; /* or NULL */
	Spis__V1__ApplicationList *apps; /* theirs, for application readers */
	/* For benefit readers: theirs, or NULL. */
	Spis__V1__BenefitList *bens;
	Spis__V1__BankAccount *bank;
	Spis__V1__NoticeList *notices;
	char bank_note[256]; /* why there is no account shown */
	/* The row Enter opens: the applications, then the benefits, then
	 * the notices, counted as one list. */
	size_t sel;
	char note[512];
	int note_error;
	int rerun;	     /* read the card again on the next turn */
};

static const struct tui_hint person_hints[] = {
	{"Esc", N_("Back")},
	{"r", N_("Read again")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
person_free(struct person *p)
{
	if (p->card != NULL)
		protobuf_c_message_free_unpacked(&p->card->base, NULL);
	if (p->apps != NULL)
		protobuf_c_message_free_unpacked(&p->apps->base, NULL);
	if (p->bens != NULL)
		protobuf_c_message_free_unpacked(&p->bens->base, NULL);
	if (p->bank != NULL)
		protobuf_c_message_free_unpacked(&p->bank->base, NULL);
	if (p->notices != NULL)
		protobuf_c_message_free_unpacked(&p->notices->base, NULL);
	p->card = NULL;
	p->apps = NULL;
	p->bens = NULL;
	p->bank = NULL;
	p->notices = NULL;
}

static size_t
person_napps(const struct person *p)
{
	return p->apps != NULL ? p->apps->n_applications : 0;
}

static size_t
person_nbens(const struct person *p)
{
	return p->bens != NULL ? p->bens->n_benefits : 0;
}

static size_t
person_nnotices(const struct person *p)
{
	return p->notices != NULL ? p->notices->n_notices : 0;
}

/* The person's applications, newest first, for the card; a failure
 * leaves the list out. */
static void
person_apps(struct person *p)
{
	Spis__V1__ListApplicationsRequest req =
	    SPIS__V1__LIST_APPLICATIONS_REQUEST__INIT;
	ProtobufCMessage *resp;
	char msg[256];

	if (!p->c->sess.can_apps)
		return;
	req.national_id = p->id;
	if (console_call(p->c, &spis__v1__applications__descriptor, 3,
	    &req.base, &resp, msg, sizeof msg) != GRPC_STATUS_OK)
		return;
	p->apps = (Spis__V1__ApplicationList *)resp;
}

/*
 * The person's benefits, bank account and notices, for benefit readers; a
 * failure leaves the list out, and says why where the account would be.
 */
static void
person_money(struct person *p)
{
	Spis__V1__ListBenefitsRequest breq =
	    SPIS__V1__LIST_BENEFITS_REQUEST__INIT;
	Spis__V1__GetBankAccountRequest areq =
	    SPIS__V1__GET_BANK_ACCOUNT_REQUEST__INIT;
	Spis__V1__ListNoticesRequest nreq =
	    SPIS__V1__LIST_NOTICES_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[256];

	p->bank_note[0] = '\0';
	if (!p->c->sess.can_benefits)
		return;
	breq.national_id = p->id;
	if (console_call(p->c, &spis__v1__benefits__descriptor, 0, &breq.base,
	    &resp, msg, sizeof msg) == GRPC_STATUS_OK)
		p->bens = (Spis__V1__BenefitList *)resp;
	areq.national_id = p->id;
	st = console_call(p->c, &spis__v1__benefits__descriptor, 5, &areq.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_OK)
		p->bank = (Spis__V1__BankAccount *)resp;
	else if (st == GRPC_STATUS_NOT_FOUND)
		console_copy(p->bank_note, sizeof p->bank_note,
		    _("none recorded"));
	else
		console_status_text(st, msg, p->bank_note,
		    sizeof p->bank_note);
	nreq.national_id = p->id;
	if (console_call(p->c, &spis__v1__notices__descriptor, 0, &nreq.base,
	    &resp, msg, sizeof msg) == GRPC_STATUS_OK)
		p->notices = (Spis__V1__NoticeList *)resp;
}

/*
 * Reads the card for as_of.  Returns 0, or -1 with the daemon's message in
 * err (may be NULL: then it goes to the note).  The card shown stays until
 * a new one arrives.
 */
static int
person_fetch(struct person *p, const char *as_of, char *err, size_t errlen)
{
	Spis__V1__GetPersonRequest req = SPIS__V1__GET_PERSON_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.national_id = p->id;
	req.purpose = p->purpose;
	req.as_of = (char *)as_of;
	st = console_call(p->c, &spis__v1__registry__descriptor, 2, &req.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		p->rerun = 1;
		if (err != NULL)
			err[0] = '\0';
		return -1;
	}
	if (st != GRPC_STATUS_OK) {
		if (err != NULL)
			console_status_text(st, msg, err, errlen);
		else {
			console_status_text(st, msg, p->note, sizeof p->note);
			p->note_error = 1;
		}
		return -1;
	}
	person_free(p);
	p->card = (Spis__V1__PersonCard *)resp;
	person_apps(p);
	person_money(p);
	if (p->sel >= person_napps(p) + person_nbens(p) + person_nnotices(p))
		p->sel = 0;
	if (as_of != p->as_of)
		console_copy(p->as_of, sizeof p->as_of, as_of);
	return 0;
}

static const Spis__V1__Person *
person_rec(const struct person *p)
{
	return p->card != NULL ? p->card->person : NULL;
}

/* ------------------------------------------------------------------------
 * Edit.
 */

enum { EDIT_GIVEN, EDIT_SURNAME, EDIT_ADDRESS, EDIT_MUNI, EDIT_PHONE,
	EDIT_EMAIL, EDIT_DISABILITY, EDIT_EMPLOYMENT, EDIT_LANGUAGE,
	EDIT_REASON, EDIT_NFIELDS };

static const char *const person_disabilities[] = {"none", "moderate",
	"severe", NULL};
static const char *const person_employments[] = {"employed", "unemployed",
	"retired", "student", "other", NULL};
static const char *const person_languages[] = {"lt", "en", "tr", NULL};

static const struct console_input edit_inputs[EDIT_NFIELDS] = {
	{"given_names", N_("Given names"), 100, 1, NULL, 0, 0, NULL},
	{"surname", N_("Surname"), 100, 1, NULL, 0, 0, NULL},
	{"address", N_("Address"), 128, 0, NULL, 0, 0, NULL},
	{"municipality", N_("Municipality"), 4, 1, NULL, 1, 0, NULL},
	{"phone", N_("Phone"), 20, 0, NULL, 0, 0, NULL},
	{"email", N_("Email"), 100, 0, NULL, 0, 0, NULL},
	{"disability", N_("Disability"), 10, 1, person_disabilities, 0, 0,
	    NULL},
	{"employment", N_("Employment"), 12, 0, person_employments, 0, 0,
	    NULL},
	{"language", N_("Language"), 4, 1, person_languages, 0, 0, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

/* The card's value of edit field i. */
static const char *
edit_old(const Spis__V1__Person *r, int i)
{
	switch (i) {
	case EDIT_GIVEN:
		return r->given_names;
	case EDIT_SURNAME:
		return r->surname;
	case EDIT_ADDRESS:
		return r->address;
	case EDIT_MUNI:
		return r->municipality;
	case EDIT_PHONE:
		return r->phone;
	case EDIT_EMAIL:
		return r->email;
	case EDIT_DISABILITY:
		return r->disability;
	case EDIT_EMPLOYMENT:
		return r->employment;
	case EDIT_LANGUAGE:
		return r->language;
	}
	return "";
}

/* Sends the fields whose value differs from the card's, with the version
 * read, so that a change someone made meanwhile is not overwritten. */
static int
edit_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct person *p = arg;
	const Spis__V1__Person *r = person_rec(p);
	Spis__V1__UpdatePersonRequest req =
	    SPIS__V1__UPDATE_PERSON_REQUEST__INIT;
	Spis__V1__Person np = SPIS__V1__PERSON__INIT;
	char v[EDIT_NFIELDS][CONSOLE_VALUE_MAX], rid[40], msg[512];
	char *names[EDIT_NFIELDS];
	char **dst[EDIT_NFIELDS] = {&np.given_names, &np.surname, &np.address,
	    &np.municipality, &np.phone, &np.email, &np.disability,
	    &np.employment, &np.language, NULL};
	ProtobufCMessage *resp;
	grpc_status_code st;
	size_t n = 0;

	if (r == NULL)
		return -1;
	for (int i = 0; i < EDIT_NFIELDS; i++) {
		console_form_value(f, i, v[i]);
		if (i == EDIT_REASON)
			continue;
		*dst[i] = v[i];
		if (strcmp(v[i], edit_old(r, i)) != 0)
			names[n++] = (char *)edit_inputs[i].name;
	}
	if (n == 0) {
		console_copy(err, errlen, _("Nothing was changed."));
		return -1;
	}
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.national_id = p->id;
	req.person = &np;
	req.fields = names;
	req.n_fields = n;
	req.reason = v[EDIT_REASON];
	req.expected_version = r->version;
	st = console_call(c, &spis__v1__registry__descriptor, 1, &req.base,
	    &resp, msg, sizeof msg);
	explicit_bzero(v, sizeof v);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	console_copy(p->note, sizeof p->note, _("The record was changed."));
	p->note_error = 0;
	return 0;
}

/* After a change: the card is read again, as it now stands. */
static void
person_changed(struct console *c, void *arg)
{
	struct person *p = arg;

	(void)c;
	p->as_of[0] = '\0';
	p->rerun = 1;
}

static void
person_edit(struct person *p)
{
	const Spis__V1__Person *r = person_rec(p);
	struct tui_screen *d;
	struct console_form *f;

	if (r == NULL)
		return;
	d = console_dialog_new(p->c, _("Change the record"), edit_inputs,
	    EDIT_NFIELDS, edit_send, person_changed, p);
	if (d == NULL)
		return;
	f = console_dialog_form(d);
	for (int i = 0; i < EDIT_REASON; i++)
		console_form_set(f, i, edit_old(r, i));
	tui_push(p->c->tui, d);
}

/* ------------------------------------------------------------------------
 * Death, consent, as of.
 */

static const struct console_input death_inputs[] = {
	{"date_of_death", N_("Date of death"), 10, 1, NULL, 0, 1, NULL},
	{"reason", N_("Source / reason"), 128, 1, NULL, 0, 0, NULL},
	{"new_head_national_id", N_("New household head (ID)"), 20, 0, NULL,
	    0, 0, NULL},
};

static int
death_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct person *p = arg;
	Spis__V1__RecordDeathRequest req =
	    SPIS__V1__RECORD_DEATH_REQUEST__INIT;
	char v[3][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 3; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.national_id = p->id;
	req.date_of_death = v[0];
	req.reason = v[1];
	req.new_head_national_id = v[2];
	st = console_call(c, &spis__v1__registry__descriptor, 5, &req.base,
	    &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	console_copy(p->note, sizeof p->note, _("The death was recorded."));
	p->note_error = 0;
	return 0;
}

static const char *const consent_purposes[] = {"employment", "health",
	"research", NULL};
static const char *const consent_answers[] = {"given", "refused", NULL};

static const struct console_input consent_inputs[] = {
	{"purpose", N_("Purpose"), 12, 1, consent_purposes, 0, 0, NULL},
	{"given", N_("Consent"), 8, 1, consent_answers, 0, 0, NULL},
	{"note", N_("Note"), 128, 0, NULL, 0, 0, NULL},
};

static int
consent_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct person *p = arg;
	Spis__V1__SetConsentRequest req = SPIS__V1__SET_CONSENT_REQUEST__INIT;
	char v[3][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < 3; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.national_id = p->id;
	req.purpose = v[0];
	req.given = strcmp(v[1], "given") == 0;
	req.channel = "office";
	req.note = v[2];
	st = console_call(c, &spis__v1__registry__descriptor, 6, &req.base,
	    &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	console_copy(p->note, sizeof p->note, _("The consent was recorded."));
	p->note_error = 0;
	return 0;
}

static const struct console_input asof_inputs[] = {
	{"as_of", N_("As of (empty: now)"), 10, 0, NULL, 0, 1, NULL},
};

static int
asof_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct person *p = arg;
	char v[CONSOLE_VALUE_MAX];

	(void)c;
	console_form_value(f, 0, v);
	p->note[0] = '\0';
	return person_fetch(p, v, err, errlen);
}

static void
person_dialog(struct person *p, const char *title,
    const struct console_input *in, int n, console_submit_fn send,
    void (*done)(struct console *, void *))
{
	struct tui_screen *d;

	if ((d = console_dialog_new(p->c, title, in, n, send, done, p)) != NULL)
		tui_push(p->c->tui, d);
}

/* ------------------------------------------------------------------------
 * PIN.
 */

static void
person_pin(struct tui *t, int yes, void *arg)
{
	struct person *p = arg;
	Spis__V1__IssuePinRequest req = SPIS__V1__ISSUE_PIN_REQUEST__INIT;
	const Spis__V1__IssuedPin *pin;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char rid[40], msg[512], text[512];

	(void)t;
	if (!yes)
		return;
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.national_id = p->id;
	st = console_call(p->c, &spis__v1__citizen__descriptor, 0, &req.base,
	    &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, p->note, sizeof p->note);
		p->note_error = 1;
		return;
	}
	pin = (const Spis__V1__IssuedPin *)resp;
	snprintf(text, sizeof text, _("PIN for %s: %s\n\nHand this to the "
	    "citizen; it will not be shown again."), pin->national_id,
	    pin->pin);
	explicit_bzero(pin->pin, strlen(pin->pin));
	protobuf_c_message_free_unpacked(resp, NULL);
	p->rerun = 1;
	console_notice(p->c, _("Kiosk PIN issued"), text);
	explicit_bzero(text, sizeof text);
}

void
console_person_offer_pin(struct tui_screen *card, const char *question)
{
	struct person *p = (struct person *)card;

	tui_confirm(p->c->tui, question, person_pin, p);
}

/* ------------------------------------------------------------------------
 * Bank account.
 */

static int
bank_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct person *p = arg;

	if (console_bank_send(c, f, p->id, err, errlen) != 0)
		return -1;
	console_copy(p->note, sizeof p->note,
	    _("The bank account was recorded."));
	p->note_error = 0;
	return 0;
}

/* The dialog starts from the account on record, or from the person's name
 * as the holder. */
static void
person_bank(struct person *p)
{
	const Spis__V1__Person *r = person_rec(p);
	struct tui_screen *d;
	struct console_form *f;
	char holder[256], iban[64];

	d = console_dialog_new(p->c, _("Record the bank account"),
	    console_bank_inputs, CONSOLE_BANK_NFIELDS, bank_send,
	    person_changed, p);
	if (d == NULL)
		return;
	f = console_dialog_form(d);
	if (p->bank != NULL) {
		console_form_set(f, 0, console_iban(p->bank->iban, iban,
		    sizeof iban));
		console_form_set(f, 1, p->bank->holder);
	} else if (r != NULL) {
		snprintf(holder, sizeof holder, "%s %s", r->given_names,
		    r->surname);
		console_form_set(f, 1, holder);
	}
	tui_push(p->c->tui, d);
}

/* Enter on the selected row: an application, a benefit or a notice. */
static void
person_open(struct person *p)
{
	size_t na = person_napps(p), nb = person_nbens(p);
	struct tui_screen *next = NULL;
	const Spis__V1__Notice *n;

	if (p->sel < na)
		next = console_application_new(p->c,
		    p->apps->applications[p->sel]->reference);
	else if (p->sel < na + nb)
		next = console_benefit_new(p->c, p->id,
		    p->bens->benefits[p->sel - na]->id);
	else if (p->sel < na + nb + person_nnotices(p)) {
		n = p->notices->notices[p->sel - na - nb];
		if (console_letter_show(p->c, n->id, n->subject, p->note,
		    sizeof p->note) != 0)
			p->note_error = 1;
		return;
	}
	if (next != NULL) {
		p->rerun = 1;
		tui_push(p->c->tui, next);
	}
}

/* ------------------------------------------------------------------------
 * The screen.
 */

static int
person_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct person *p = (struct person *)s;
	const Spis__V1__Person *r = person_rec(p);
	struct console_session *ss = &p->c->sess;
	struct tui_screen *next = NULL;
	char q[512];
	size_t nsel;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(p->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		p->note[0] = '\0';
		person_fetch(p, p->as_of, NULL, 0);
		return 1;
	}
	if (r == NULL)
		return 0;
	/* Up, Down and Enter work the card's lists as one. */
	nsel = person_napps(p) + person_nbens(p) + person_nnotices(p);
	if (nsel > 0) {
		if (tui_key_is(k, 0, KEY_UP)) {
			if (p->sel > 0)
				p->sel--;
			return 1;
		}
		if (tui_key_is(k, 0, KEY_DOWN)) {
			if (p->sel + 1 < nsel)
				p->sel++;
			return 1;
		}
		if (tui_key_enter(k)) {
			p->note[0] = '\0';
			person_open(p);
			return 1;
		}
	}
	if (k.fn)
		return 0;
	p->note[0] = '\0';
	switch (k.c) {
	case 'a':
		if (!ss->can_submit || p->as_of[0] != '\0')
			return 1;
		next = console_apply_new(p->c, p->id, r->municipality);
		p->rerun = 1;
		break;
	case 'h':
		next = console_history_new(p->c, p->id, p->purpose);
		break;
	case 'd':
		next = console_documents_new(p->c, p->id, p->purpose);
		break;
	case 'o':
		next = console_household_new(p->c, r->household_id, p->id,
		    r->address, r->municipality, p->purpose);
		p->rerun = 1;
		break;
	case 't':
		person_dialog(p, _("The record as it stood on a date"),
		    asof_inputs, 1, asof_send, NULL);
		return 1;
	case 'e':
		if (ss->can_write)
			person_edit(p);
		return 1;
	case 'x':
		if (ss->can_write)
			person_dialog(p, _("Record a death"), death_inputs, 3,
			    death_send, person_changed);
		return 1;
	case 'c':
		if (ss->can_write)
			person_dialog(p, _("Record a consent decision"),
			    consent_inputs, 3, consent_send, person_changed);
		return 1;
	case 'b':
		if (ss->can_bank && p->as_of[0] == '\0')
			person_bank(p);
		return 1;
	case 'i':
		if (ss->can_facts && console_facts_show(p->c, p->id,
		    p->purpose, p->note, sizeof p->note) != 0)
			p->note_error = 1;
		return 1;
	case 'p':
		if (!ss->can_pin)
			return 1;
		snprintf(q, sizeof q, _("Issue a new kiosk PIN for %s %s (%s)? "
		    "An earlier PIN stops working."), r->given_names,
		    r->surname, p->id);
		tui_confirm(t, q, person_pin, p);
		return 1;
	default:
		return 0;
	}
	if (next != NULL)
		tui_push(t, next);
	return 1;
}

static void
person_tick(struct tui *t, struct tui_screen *s)
{
	struct person *p = (struct person *)s;

	(void)t;
	if (p->rerun && p->c->sess.active) {
		p->rerun = 0;
		person_fetch(p, p->as_of, NULL, 0);
	}
}

/* label: value, the values aligned at column vx.  Returns the next row. */
static int
person_row(struct tui *t, int y, int cols, int vx, const char *label,
    const char *value)
{
	tui_put(t, y, 2, vx - 3, 0, label);
	tui_put(t, y, vx, cols - vx - 2, TUI_A_BOLD, value);
	return y + 1;
}

static const char *
person_or(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

/* Writes row i of a list of the card into buf. */
typedef void (*person_item_fn)(const struct person *p, size_t i, char *buf,
    size_t len);

static void
person_app_item(const struct person *p, size_t i, char *buf, size_t len)
{
	const Spis__V1__Application *a = p->apps->applications[i];
	size_t off = 0;

	buf[0] = '\0';
	console_cell(buf, len, &off, a->reference, 12);
	console_cell(buf, len, &off, a->programme, 9);
	console_cell(buf, len, &off, a->state, 10);
	console_cell(buf, len, &off, a->municipality, 4);
	if (off < len)
		snprintf(buf + off, len - off, "%.10s", a->submitted_at);
}

static void
person_ben_item(const struct person *p, size_t i, char *buf, size_t len)
{
	const Spis__V1__Benefit *b = p->bens->benefits[i];
	char m[32], amount[64], since[64];
	size_t off = 0;

	snprintf(amount, sizeof amount, "%s %s", console_money(b->amount, m,
	    sizeof m), b->currency);
	snprintf(since, sizeof since, _("since %s"), b->start_date);
	buf[0] = '\0';
	console_cell(buf, len, &off, b->programme, 12);
	console_cell(buf, len, &off, b->state, 10);
	console_cell(buf, len, &off, amount, 14);
	console_cell(buf, len, &off, b->period, 8);
	console_cell(buf, len, &off, since, 18);
}

static void
person_notice_item(const struct person *p, size_t i, char *buf, size_t len)
{
	const Spis__V1__Notice *n = p->notices->notices[i];
	char tries[32];
	size_t off = 0;

	snprintf(tries, sizeof tries, _("%d tries"), n->attempts);
	buf[0] = '\0';
	console_cell(buf, len, &off, n->kind, 15);
	console_cell(buf, len, &off, n->state, 8);
	console_cell(buf, len, &off, tries, 9);
	if (off < len)
		snprintf(buf + off, len - off, "%s", n->subject);
}

/*
 * One of the card's lists from row y: a title row, then at most room rows
 * of its n items, scrolled so that the selection shows when it is in this
 * list (whose first row is row base of the card's selection).  Returns the
 * next row.
 */
static int
person_list(struct person *p, struct tui *t, int y, int room, int cols,
    int vx, const char *title, size_t n, size_t base, person_item_fn item)
{
	size_t first = 0, in = p->sel - base;
	int mine = p->sel >= base && p->sel < base + n;
	char line[512];

	if (n == 0)
		return person_row(t, y, cols, vx, title, _("none"));
	snprintf(line, sizeof line, _("%zu · ↑↓ Enter to open"), n);
	y = person_row(t, y, cols, vx, title, line);
	if (mine && in >= (size_t)room)
		first = in - (size_t)room + 1;
	for (size_t i = first; i < n && i < first + (size_t)room; i++) {
		int on = mine && i == in;

		item(p, i, line, sizeof line);
		tui_put(t, y, 4, cols - 6, on ? TUI_A_REVERSE : 0, line);
		if (on)
			tui_cursor(t, y, 4);
		y++;
	}
	return y;
}

/* Shares rows out among lists of n[] items: each gets its fair part, and
 * what one does not need goes to the others.  Writes the rows into got[]. */
static void
person_share(int rows, const size_t *n, int *got, int lists)
{
	int left = rows, more = 1;

	for (int i = 0; i < lists; i++)
		got[i] = 0;
	/* A row at a time to each list that wants one, round and round. */
	while (left > 0 && more) {
		more = 0;
		for (int i = 0; i < lists && left > 0; i++)
			if ((size_t)got[i] < n[i]) {
				got[i]++;
				left--;
				more = 1;
			}
	}
}

/* The applications, benefits, bank account and notices, those the roles
 * allow, from row y up to end.  Returns the next row. */
static int
person_lists(struct person *p, struct tui *t, int y, int end, int cols,
    int vx)
{
	size_t n[3] = {person_napps(p), person_nbens(p), person_nnotices(p)};
	int got[3], titles = 0;
	char line[256], iban[64];

	titles = (p->apps != NULL) + (p->c->sess.can_benefits ? 3 : 0);
	if (titles == 0 || y + titles > end)
		return y;
	person_share(end - y - titles, n, got, 3);
	if (p->apps != NULL)
		y = person_list(p, t, y, got[0], cols, vx, _("Applications"),
		    n[0], 0, person_app_item);
	if (!p->c->sess.can_benefits)
		return y;
	y = person_list(p, t, y, got[1], cols, vx, _("Benefits"), n[1], n[0],
	    person_ben_item);
	if (p->bank != NULL) {
		snprintf(line, sizeof line, "%s · %s", console_iban(p->bank->iban,
		    iban, sizeof iban), p->bank->holder);
		y = person_row(t, y, cols, vx, _("Bank account"), line);
	} else
		y = person_row(t, y, cols, vx, _("Bank account"), p->bank_note);
	return person_list(p, t, y, got[2], cols, vx, _("Notices"), n[2],
	    n[0] + n[1], person_notice_item);
}

static void
person_draw(struct tui *t, struct tui_screen *s)
{
	struct person *p = (struct person *)s;
	const Spis__V1__Person *r = person_rec(p);
	const Spis__V1__Household *h;
	const struct municipality *m;
	struct console_session *ss = &p->c->sess;
	char line[1024], keys[512];
	int top, rows, cols, y, end, vx = 16;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (r == NULL) {
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, "%s %s", _("Person"),
		    p->id);
		if (p->note[0] != '\0')
			tui_wrap(t, y + 2, 2, cols - 4, 3,
			    p->note_error ? TUI_A_ERROR : 0, p->note);
		return;
	}
	snprintf(line, sizeof line, "%s %s · %s", r->given_names, r->surname,
	    r->national_id);
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, line);
	off = 0;
	line[0] = '\0';
	if (r->deceased_date[0] != '\0')
		off += snprintf(line + off, sizeof line - off, "[%s %s] ",
		    _("DECEASED"), r->deceased_date);
	if (r->merged_into[0] != '\0' && off < sizeof line)
		snprintf(line + off, sizeof line - off, "[%s %s]",
		    _("MERGED INTO"), r->merged_into);
	if (line[0] != '\0')
		tui_put(t, y, cols - 2 - tui_text_width(line), tui_text_width(line),
		    TUI_A_ERROR, line);
	y++;
	if (p->as_of[0] != '\0')
		snprintf(line, sizeof line, _("As it stood on %s · purpose %s"),
		    p->as_of, p->purpose);
	else
		snprintf(line, sizeof line, _("Now · purpose %s · version %lld"),
		    p->purpose, (long long)r->version);
	tui_put(t, y, 2, cols - 4, p->as_of[0] != '\0' ? TUI_A_REVERSE : 0,
	    line);
	y += 2;

	snprintf(line, sizeof line, "%s · %s %s · %s %s", r->birth_date,
	    _("sex"), r->sex, _("language"), person_or(r->language));
	y = person_row(t, y, cols, vx, _("Born"), line);
	m = municipality_find(r->municipality);
	snprintf(line, sizeof line, "%s · %s %s", person_or(r->address),
	    r->municipality, m != NULL ? m->name : "");
	y = person_row(t, y, cols, vx, _("Address"), line);
	snprintf(line, sizeof line, "%s · %s", person_or(r->phone),
	    person_or(r->email));
	y = person_row(t, y, cols, vx, _("Contacts"), line);
	snprintf(line, sizeof line, "%s %s · %s %s", _("disability"),
	    person_or(r->disability), _("employment"),
	    person_or(r->employment));
	y = person_row(t, y, cols, vx, _("Situation"), line);
	snprintf(line, sizeof line, _("%d open duplicate flags · PIN %s"),
	    p->card->open_duplicate_flags, person_or(p->card->pin_status));
	y = person_row(t, y, cols, vx, _("Status"), line);
	off = 0;
	line[0] = '\0';
	for (size_t i = 0; i < p->card->n_consents && off < sizeof line; i++) {
		const Spis__V1__Consent *cn = p->card->consents[i];

		off += snprintf(line + off, sizeof line - off, "%s%s %s (%s %.10s)",
		    i > 0 ? "; " : "", cn->purpose,
		    cn->given ? _("given") : _("refused"), cn->channel, cn->at);
	}
	y = person_row(t, y, cols, vx, _("Consents"), line[0] != '\0' ? line :
	    _("none recorded"));
	y++;

	h = p->card->household;
	if (h == NULL || h->id[0] == '\0') {
		y = person_row(t, y, cols, vx, _("Household"), _("none"));
	} else {
		snprintf(line, sizeof line, _("%s · %s · %zu members"), h->id,
		    person_or(h->address), h->n_members);
		y = person_row(t, y, cols, vx, _("Household"), line);
		for (size_t i = 0; i < h->n_members && y < end - 4; i++) {
			const Spis__V1__Member *mb = h->members[i];

			tui_putf(t, y++, 4, cols - 6, 0, "%-14s %-11s %s %s, %s %s",
			    mb->relationship, mb->national_id, mb->surname,
			    mb->given_names, _("from"), mb->from_date);
		}
	}
	y = person_lists(p, t, y + 1, end - 3, cols, vx);
	if (p->note[0] != '\0')
		tui_wrap(t, end - 3, 2, cols - 4, 1,
		    p->note_error ? TUI_A_ERROR : TUI_A_BOLD, p->note);

	/* The card's own keys, those the roles allow. */
	snprintf(keys, sizeof keys, "h %s · d %s · t %s · o %s%s%s",
	    _("History"), _("Documents"), _("As of a date"), _("Household"),
	    ss->can_facts ? " · i " : "", ss->can_facts ?
	    _("Facts from institutions") : "");
	tui_put(t, end - 2, 2, cols - 4, 0, keys);
	off = 0;
	keys[0] = '\0';
	if (ss->can_write)
		off += snprintf(keys, sizeof keys, "e %s · c %s · x %s",
		    _("Edit"), _("Consent"), _("Record death"));
	if (ss->can_pin && off < sizeof keys)
		off += snprintf(keys + off, sizeof keys - off, "%sp %s",
		    off > 0 ? " · " : "", _("Issue PIN"));
	if (ss->can_submit && off < sizeof keys)
		off += snprintf(keys + off, sizeof keys - off, "%sa %s",
		    off > 0 ? " · " : "", _("Apply"));
	if (ss->can_bank && off < sizeof keys)
		snprintf(keys + off, sizeof keys - off, "%sb %s",
		    off > 0 ? " · " : "", _("Bank account"));
	if (keys[0] != '\0')
		tui_put(t, end - 1, 2, cols - 4, 0, keys);
}

static void
person_wipe(struct tui_screen *s)
{
	struct person *p = (struct person *)s;

	person_free(p);
	explicit_bzero(p->note, sizeof p->note);
}

static void
person_destroy(struct tui_screen *s)
{
	struct person *p = (struct person *)s;

	person_free(p);
	free(p);
}

struct tui_screen *
console_person_new(struct console *c, const char *national_id,
    const char *purpose)
{
	struct person *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->c = c;
	console_copy(p->id, sizeof p->id, national_id);
	console_copy(p->purpose, sizeof p->purpose, purpose);
	p->rerun = 1;
	p->s.draw = person_draw;
	p->s.key = person_key;
	p->s.tick = person_tick;
	p->s.wipe = person_wipe;
	p->s.destroy = person_destroy;
	p->s.hints = person_hints;
	return &p->s;
}
