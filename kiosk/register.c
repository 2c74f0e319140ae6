/*
 * register.c: "Ask to be registered", for someone who is not in the
 * registry yet and so has no PIN to identify with.  Eight steps a
 * volunteer can explain to a stranger: the personal code, the name, the
 * birth date and sex (filled in from the code), the address and
 * municipality, a phone, the language for letters, a summary to confirm,
 * and a receipt with the request's reference, large, to show at the
 * office.  F2 goes back a step from anywhere; nothing is sent before the
 * summary is confirmed.
 *
 * Each step is checked as it is left with the rules the daemon applies
 * (lib/natid.h for the code, lib/check.h for names, dates and addresses,
 * the municipality list); the daemon checks again and decides, and a
 * refusal naming a field ("person.surname: ...") takes the citizen back to
 * the step that asks for it.  The request is sent with a request_id made
 * for the summary on show, so a retry after a lost reply gets the same
 * receipt instead of a second request.
 *
 * Everything typed lives in this screen and is zeroed when it is left
 * (wipe), whichever way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>

#include "check.h"
#include "municipality.h"
#include "natid.h"
#include "spis/v1/registrations.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

#define REG_STEPS 8
#define REG_VALUE_MAX (TUI_FIELD_MAX * 4 + 1)
#define REG_TRIES 3	/* automatic tries of one confirmed request */
#define REG_PAUSE_S 1	/* between them */

enum reg_step {
	STEP_ID = 1,
	STEP_NAME,
	STEP_BIRTH,
	STEP_ADDRESS,
	STEP_PHONE,
	STEP_LANGUAGE,
	STEP_SUMMARY,
	STEP_RECEIPT,
};

/* The inputs of the steps that are forms. */
enum {
	IN_ID,
	IN_GIVEN,
	IN_SURNAME,
	IN_BIRTH,
	IN_SEX,
	IN_ADDRESS,
	IN_PHONE,
	IN_COUNT,
};

/* Languages for letters (Person.language), each named in itself. */
static const struct {
	const char *code;
	const char *name;
} reg_langs[] = {
	{"lt", "Lietuvių"},
	{"en", "English"},
	{"tr", "Türkçe"},
};
#define REG_NLANGS (sizeof reg_langs / sizeof reg_langs[0])

struct reg {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum reg_step step;
	int busy;
	char error[KIOSK_MSG_MAX];

	struct tui_field in[IN_COUNT];
	struct tui_form form_id, form_name, form_birth, form_phone;
	struct tui_list munis;
	int on_list;	/* step 4: the focus is on the municipalities */
	struct tui_list langs;

	/* What was chosen, as sent. */
	char v[IN_COUNT][REG_VALUE_MAX];
	char municipality[16];
	char language[4];

	char request_id[40]; /* of the summary on show */
	int unsure;	     /* a send was not answered: Enter retries */

	/* The receipt. */
	char reference[16];
	char expires[16];

	struct tui_hint hints[5];
};

/* The country whose codes the daemon checks, as it told the link. */
static const char *
reg_country(const struct kiosk *k)
{
	return k->st.have_version && k->st.country[0] != '\0' ?
	    k->st.country : "LT";
}

static const char *
reg_check_id(const char *value, void *arg)
{
	struct reg *r = arg;
	char why[256];
	int bad;

	if (value[0] == '\0')
		return _("Type your personal code.");
	if (strlen(value) != 11 || strspn(value, "0123456789") != 11)
		return _("A personal code has 11 digits.");
	bad = natid_check(reg_country(r->k), value, NULL, why, sizeof why);
	explicit_bzero(why, sizeof why);
	return bad ? _("This is not a valid personal code: check each digit "
	    "again.") : NULL;
}

static const char *
reg_check_name(const char *value, void *arg)
{
	char why[128];

	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Type it as in your identity document.");
	if (check_text(value, 1, 100, why, sizeof why) != 0)
		return _("This cannot be accepted: at most 100 letters, without "
		    "special characters.");
	return NULL;
}

static const char *
reg_check_birth(const char *value, void *arg)
{
	struct reg *r = arg;
	char today[16], why[256], id[REG_VALUE_MAX];
	int bad;

	check_today(today, sizeof today);
	if (!check_date(value, NULL, NULL, NULL))
		return _("Type the date as year-month-day, such as 1987-03-18.");
	if (strcmp(value, today) > 0)
		return _("This date is in the future.");
	tui_field_value(&r->in[IN_ID], id, sizeof id);
	bad = natid_check_person(reg_country(r->k), id, value, NULL, why,
	    sizeof why);
	explicit_bzero(why, sizeof why);
	return bad ? _("Your personal code says another birth date.") : NULL;
}

static const char *
reg_check_sex(const char *value, void *arg)
{
	struct reg *r = arg;
	char why[256], id[REG_VALUE_MAX];
	int bad;

	if (strcmp(value, "F") != 0 && strcmp(value, "M") != 0)
		return _("Type F (female) or M (male).");
	tui_field_value(&r->in[IN_ID], id, sizeof id);
	bad = natid_check_person(reg_country(r->k), id, NULL, value, why,
	    sizeof why);
	explicit_bzero(why, sizeof why);
	return bad ? _("Your personal code says otherwise.") : NULL;
}

static const char *
reg_check_address(const char *value, void *arg)
{
	char why[128];

	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Type your address: street, house, flat, town.");
	if (check_text(value, 1, 200, why, sizeof why) != 0)
		return _("This cannot be accepted: at most 200 characters, "
		    "without special characters.");
	return NULL;
}

static const char *
reg_check_phone(const char *value, void *arg)
{
	const char *p = value;
	size_t digits = 0;

	(void)arg;
	if (value[0] == '\0')
		return NULL;
	if (*p == '+')
		p++;
	for (const char *q = p; *q != '\0'; q++)
		digits += *q >= '0' && *q <= '9';
	if (p[strspn(p, "0123456789 -()")] != '\0' || digits < 6)
		return _("A phone number has digits and spaces only, with a + "
		    "in front for a country code.");
	return NULL;
}

static void
reg_muni_item(size_t i, char *buf, size_t len, void *arg)
{
	const struct municipality *all;
	size_t n;

	(void)arg;
	all = municipality_all(&n);
	if (i < n)
		snprintf(buf, len, "%s", all[i].name);
}

static void
reg_lang_item(size_t i, char *buf, size_t len, void *arg)
{
	struct reg *r = arg;

	snprintf(buf, len, "(%s) %s",
	    strcmp(reg_langs[i].code, r->language) == 0 ? "•" : " ",
	    reg_langs[i].name);
}

static const char *
reg_municipality_name(const char *code)
{
	const struct municipality *m = municipality_find(code);

	return m != NULL ? m->name : code;
}

static void
reg_set_hints(struct reg *r)
{
	const char *enter = N_("Next");

	if (r->step == STEP_SUMMARY)
		enter = N_("Confirm and send");
	else if (r->step == STEP_RECEIPT)
		enter = N_("Done");
	r->hints[0] = (struct tui_hint){"Enter", enter};
	r->hints[1] = (struct tui_hint){"F2", N_("Back")};
	r->hints[2] = (struct tui_hint){"Esc", r->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	r->hints[3] = (struct tui_hint){NULL, NULL};
	if (r->step == STEP_ADDRESS)
		r->hints[3] = (struct tui_hint){"Tab",
		    N_("Address or municipality")};
	r->hints[4] = (struct tui_hint){NULL, NULL};
}

static void
reg_go(struct reg *r, enum reg_step step)
{
	const struct municipality *all;
	size_t n;

	r->step = step;
	switch (step) {
	case STEP_ADDRESS:
		all = municipality_all(&n);
		for (size_t i = 0; i < n; i++)
			if (strcmp(all[i].code, r->municipality) == 0)
				r->munis.sel = i;
		r->on_list = 0;
		break;
	case STEP_LANGUAGE:
		for (size_t i = 0; i < REG_NLANGS; i++)
			if (strcmp(reg_langs[i].code, r->language) == 0)
				r->langs.sel = i;
		break;
	case STEP_SUMMARY:
		/* A new summary is a new request: a new id. */
		kiosk_request_id(r->request_id, sizeof r->request_id);
		r->unsure = 0;
		break;
	default:
		break;
	}
	reg_set_hints(r);
}

/* Keeps field i's value as it will be sent. */
static void
reg_keep(struct reg *r, int i)
{
	tui_field_value(&r->in[i], r->v[i], REG_VALUE_MAX);
}

/* Step 1 done: the birth date and sex the code says are filled in. */
static void
reg_id_done(struct reg *r)
{
	struct natid_info info;
	char sex[2] = "";

	reg_keep(r, IN_ID);
	memset(&info, 0, sizeof info);
	if (natid_check(reg_country(r->k), r->v[IN_ID], &info, NULL, 0) ==
	    0) {
		if (info.birth_date[0] != '\0')
			tui_field_set(&r->in[IN_BIRTH], info.birth_date);
		if (info.sex != 0) {
			sex[0] = info.sex;
			tui_field_set(&r->in[IN_SEX], sex);
		}
	}
	r->in[IN_BIRTH].error[0] = r->in[IN_SEX].error[0] = '\0';
	explicit_bzero(&info, sizeof info);
	reg_go(r, STEP_NAME);
}

/* The step that asks for the field a daemon's "person.field: ..." names,
 * or 0. */
static enum reg_step
reg_step_of(const char *msg)
{
	static const struct {
		const char *field;
		enum reg_step step;
	} map[] = {
		{"national_id", STEP_ID}, {"given_names", STEP_NAME},
		{"surname", STEP_NAME}, {"birth_date", STEP_BIRTH},
		{"sex", STEP_BIRTH}, {"address", STEP_ADDRESS},
		{"municipality", STEP_ADDRESS}, {"phone", STEP_PHONE},
		{"language", STEP_LANGUAGE},
	};
	size_t n;

	if (strncmp(msg, "person.", 7) != 0)
		return 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		n = strlen(map[i].field);
		if (strncmp(msg + 7, map[i].field, n) == 0 && msg[7 + n] == ':')
			return map[i].step;
	}
	return 0;
}

static void
reg_receipt(struct reg *r, const Spis__V1__RegistrationReceipt *rc)
{
	kiosk_copy(r->reference, sizeof r->reference, rc->reference);
	snprintf(r->expires, sizeof r->expires, "%.10s", rc->expires_at);
	reg_go(r, STEP_RECEIPT);
}

/* Sends the confirmed request, trying again by itself while the network
 * is away.  Returns 1 when the screen has left the stack. */
static int
reg_send(struct reg *r)
{
	Spis__V1__SubmitRegistrationRequest req =
	    SPIS__V1__SUBMIT_REGISTRATION_REQUEST__INIT;
	Spis__V1__Person p = SPIS__V1__PERSON__INIT;
	Spis__V1__RegistrationReceipt *rc = NULL;
	grpc_status_code st = GRPC_STATUS_UNAVAILABLE;
	char msg[KIOSK_MSG_MAX];
	enum reg_step back;

	p.national_id = r->v[IN_ID];
	p.given_names = r->v[IN_GIVEN];
	p.surname = r->v[IN_SURNAME];
	p.birth_date = r->v[IN_BIRTH];
	p.sex = r->v[IN_SEX];
	p.address = r->v[IN_ADDRESS];
	p.municipality = r->municipality;
	p.phone = r->v[IN_PHONE];
	p.language = r->language;
	req.request_id = r->request_id;
	req.person = &p;
	req.consent_to_help = r->k->vol.active;

	r->busy = 1;
	r->error[0] = '\0';
	for (int i = 0; i < REG_TRIES; i++) {
		tui_redraw(r->k->tui);
		st = kiosk_call(r->k, &spis__v1__registrations__descriptor, 0,
		    &req.base, (ProtobufCMessage **)&rc, KIOSK_CALL_MS, msg,
		    sizeof msg);
		if (st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED)
			break;
		/* A moment for the Wi-Fi to come back. */
		if (i + 1 < REG_TRIES)
			nanosleep(&(struct timespec){REG_PAUSE_S, 0}, NULL);
	}
	r->busy = 0;
	if (st == GRPC_STATUS_UNAUTHENTICATED && r->k->vol.active) {
		/* The volunteer's session ended: this screen goes too. */
		kiosk_volunteer_lost(r->k);
		return 1;
	}
	if (st != GRPC_STATUS_OK) {
		r->unsure = st == GRPC_STATUS_UNAVAILABLE ||
		    st == GRPC_STATUS_DEADLINE_EXCEEDED;
		if (r->unsure)
			snprintf(r->error, sizeof r->error, "%s",
			    _("Cannot reach the SPIS server just now. Press "
			      "Enter to try again: the request will not be "
			      "sent twice."));
		else
			kiosk_status_text(st, msg, r->error, sizeof r->error);
		/* A field the daemon refused: back to the step asking for
		 * it, with its words. */
		if ((back = reg_step_of(msg)) != 0)
			reg_go(r, back);
		explicit_bzero(msg, sizeof msg);
		return 0;
	}
	reg_receipt(r, rc);
	kiosk_msg_free(&rc->base);
	return 0;
}

static void
reg_leave(struct tui *t, int yes, void *arg)
{
	struct reg *r = arg;

	(void)t;
	if (yes)
		kiosk_finish(r->k);
}

static void
reg_back(struct reg *r)
{
	r->error[0] = '\0';
	if (r->step == STEP_ID || r->step == STEP_RECEIPT)
		kiosk_finish(r->k);
	else
		reg_go(r, r->step - 1);
}

/* Step 4: typing a letter on the list jumps to the next municipality
 * whose name starts with it. */
static void
reg_muni_jump(struct reg *r, wint_t c)
{
	const struct municipality *all;
	size_t n;
	wchar_t first;
	mbstate_t st;

	if (!iswalpha(c))
		return;
	all = municipality_all(&n);
	for (size_t j = 1; j <= n; j++) {
		size_t i = (r->munis.sel + j) % n;

		memset(&st, 0, sizeof st);
		if (mbrtowc(&first, all[i].name, strlen(all[i].name), &st) <
		    (size_t)-2 && towlower((wint_t)first) == towlower(c)) {
			r->munis.sel = i;
			break;
		}
	}
}

static void
reg_key_address(struct reg *r, struct tui_key k)
{
	const struct municipality *all;
	size_t n;

	if (tui_key_is(k, '\t', KEY_BTAB)) {
		tui_field_check(&r->in[IN_ADDRESS]);
		r->on_list = !r->on_list;
		return;
	}
	if (!r->on_list) {
		if (tui_key_enter(k) || tui_key_is(k, 0, KEY_DOWN)) {
			tui_field_check(&r->in[IN_ADDRESS]);
			r->on_list = 1;
		} else
			tui_field_key(&r->in[IN_ADDRESS], k);
		return;
	}
	if (tui_key_enter(k)) {
		if (tui_field_check(&r->in[IN_ADDRESS]) != 0) {
			r->on_list = 0;
			return;
		}
		reg_keep(r, IN_ADDRESS);
		all = municipality_all(&n);
		if (r->munis.sel < n)
			kiosk_copy(r->municipality, sizeof r->municipality,
			    all[r->munis.sel].code);
		r->error[0] = '\0';
		reg_go(r, STEP_PHONE);
		return;
	}
	if (tui_key_is(k, 0, KEY_UP) && r->munis.sel == 0) {
		r->on_list = 0;
		return;
	}
	if (!tui_list_key(&r->munis, k) && !k.fn)
		reg_muni_jump(r, k.c);
}

/* A form step: Enter on its last field with all valid moves on. */
static void
reg_key_form(struct reg *r, struct tui_form *f, struct tui_key k)
{
	if (tui_form_key(f, k) != TUI_FORM_SUBMIT)
		return;
	r->error[0] = '\0';
	switch (r->step) {
	case STEP_ID:
		reg_id_done(r);
		break;
	case STEP_NAME:
		reg_keep(r, IN_GIVEN);
		reg_keep(r, IN_SURNAME);
		reg_go(r, STEP_BIRTH);
		break;
	case STEP_BIRTH:
		reg_keep(r, IN_BIRTH);
		reg_keep(r, IN_SEX);
		reg_go(r, STEP_ADDRESS);
		break;
	case STEP_PHONE:
		reg_keep(r, IN_PHONE);
		kiosk_phone_normalise(r->v[IN_PHONE]);
		reg_go(r, STEP_LANGUAGE);
		break;
	default:
		break;
	}
}

static int
reg_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct reg *r = (struct reg *)s;
	char q[KIOSK_MSG_MAX];

	if (r->busy)
		return 1;
	if (tui_key_is(k, 0, KEY_F(2))) {
		reg_back(r);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		if (r->step == STEP_RECEIPT || r->step == STEP_ID)
			kiosk_finish(r->k);
		else {
			snprintf(q, sizeof q, "%s", _("Leave now? Nothing is "
			    "sent, and everything typed is erased."));
			tui_confirm(t, q, reg_leave, r);
		}
		return 1;
	}
	switch (r->step) {
	case STEP_ID:
		reg_key_form(r, &r->form_id, k);
		break;
	case STEP_NAME:
		reg_key_form(r, &r->form_name, k);
		break;
	case STEP_BIRTH:
		/* F and M are typed as they are said: in either case. */
		if (!k.fn && (k.c == 'f' || k.c == 'm') &&
		    r->form_birth.focus == 1)
			k.c = towupper(k.c);
		reg_key_form(r, &r->form_birth, k);
		break;
	case STEP_ADDRESS:
		reg_key_address(r, k);
		break;
	case STEP_PHONE:
		reg_key_form(r, &r->form_phone, k);
		break;
	case STEP_LANGUAGE:
		if (tui_key_enter(k)) {
			kiosk_copy(r->language, sizeof r->language,
			    reg_langs[r->langs.sel].code);
			r->error[0] = '\0';
			reg_go(r, STEP_SUMMARY);
		} else
			tui_list_key(&r->langs, k);
		break;
	case STEP_SUMMARY:
		if (tui_key_enter(k))
			reg_send(r);
		break;
	case STEP_RECEIPT:
		if (tui_key_enter(k))
			kiosk_finish(r->k);
		break;
	}
	return 1;
}

/* One "Label: value" row; returns the next row. */
static int
reg_row(struct tui *t, int y, int cols, int lw, const char *label,
    const char *value)
{
	tui_put(t, y, 4, lw, TUI_A_NORMAL, label);
	tui_put(t, y, 6 + lw, cols - 8 - lw, TUI_A_BOLD, value);
	return y + 1;
}

static void
reg_draw_summary(struct tui *t, struct reg *r, int y, int end, int cols)
{
	const char *labels[] = {N_("Personal code"), N_("Given names"),
	    N_("Surname"), N_("Birth date"), N_("Sex"), N_("Address"),
	    N_("Municipality"), N_("Phone"), N_("Language for letters")};
	const char *values[9];
	int lw = 0, w;

	values[0] = r->v[IN_ID];
	values[1] = r->v[IN_GIVEN];
	values[2] = r->v[IN_SURNAME];
	values[3] = r->v[IN_BIRTH];
	values[4] = strcmp(r->v[IN_SEX], "F") == 0 ? _("female") : _("male");
	values[5] = r->v[IN_ADDRESS];
	values[6] = reg_municipality_name(r->municipality);
	values[7] = r->v[IN_PHONE][0] != '\0' ? r->v[IN_PHONE] : _("(none)");
	values[8] = "";
	for (size_t i = 0; i < REG_NLANGS; i++)
		if (strcmp(reg_langs[i].code, r->language) == 0)
			values[8] = reg_langs[i].name;
	for (int i = 0; i < 9; i++)
		if ((w = tui_text_width(_(labels[i]))) > lw)
			lw = w;
	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Please check. This will be sent to a social support office:"))
	    + 1;
	for (int i = 0; i < 9 && y < end; i++)
		y = reg_row(t, y, cols, lw, _(labels[i]), values[i]);
	y++;
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("Press Enter to send. You are not registered yet: an "
		      "officer checks your identity document first.")) + 1;
	if (r->busy && y < end)
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL, _("Sending…"));
}

static void
reg_draw_receipt(struct tui *t, struct reg *r, int y, int end, int cols)
{
	char text[KIOSK_MSG_MAX], big[64];
	int w, x, n = 0;

	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Your request was sent. Your reference:")) + 1;
	/* The reference large: letter-spaced in a box three rows high, so
	 * that it reads from a step away and photographs well. */
	for (const char *c = r->reference; *c != '\0' && n + 3 < (int)sizeof big;
	    c++) {
		big[n++] = ' ';
		big[n++] = *c;
	}
	big[n++] = ' ';
	big[n] = '\0';
	w = tui_text_width(big) + 4;
	x = (cols - w) / 2 > 2 ? (cols - w) / 2 : 2;
	if (y + 5 < end) {
		tui_box(t, y, x, 5, w);
		for (int i = 1; i <= 3; i++)
			tui_putf(t, y + i, x + 1, w - 2, TUI_A_REVERSE, "%*s",
			    w - 2, "");
		tui_put(t, y + 2, x + 2, w - 4, TUI_A_BOLD | TUI_A_REVERSE,
		    big);
		y += 6;
	}
	snprintf(text, sizeof text, _("Reference %s"), r->reference);
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, text);
	y++;
	snprintf(text, sizeof text, _("Take your identity document to a "
	    "social support office of %s by %s and show this reference. You "
	    "are registered once an officer has checked it; they can then "
	    "give you a PIN for this kiosk."),
	    reg_municipality_name(r->municipality), r->expires);
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL, text) +
		    1;
	if (y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("Write the reference down or take a photo of it, then "
		      "press Enter."));
}

static void
reg_draw(struct tui *t, struct tui_screen *s)
{
	static const char *const titles[REG_STEPS + 1] = {
		NULL,
		N_("Your personal code"),
		N_("Your name"),
		N_("Your birth date and sex"),
		N_("Your address"),
		N_("Your phone"),
		N_("Language for letters"),
		N_("Check and send"),
		N_("Receipt"),
	};
	struct reg *r = (struct reg *)s;
	int top, rows, cols, y, end, lw;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, (int)r->step, REG_STEPS,
	    _(titles[r->step]));
	switch (r->step) {
	case STEP_ID:
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("Not in the registry yet? Ask to be registered here, "
		      "then take your identity document to a social support "
		      "office. Type your personal code (11 digits).")) + 1;
		tui_form_draw(t, &r->form_id, y, 2, cols - 4);
		break;
	case STEP_NAME:
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("As in your identity document. Press Enter after "
		      "each.")) + 1;
		tui_form_draw(t, &r->form_name, y, 2, cols - 4);
		break;
	case STEP_BIRTH:
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
		    _("Filled in from your personal code. Sex: F (female) or "
		      "M (male). Press Enter after each.")) + 1;
		tui_form_draw(t, &r->form_birth, y, 2, cols - 4);
		break;
	case STEP_ADDRESS:
		lw = tui_text_width(_("Address"));
		tui_put(t, y, 2, lw, !r->on_list ? TUI_A_BOLD : 0,
		    _("Address"));
		tui_field_draw_at(t, &r->in[IN_ADDRESS], y, 4 + lw,
		    cols - 6 - lw, !r->on_list);
		if (r->in[IN_ADDRESS].error[0] != '\0')
			tui_put(t, y + 1, 4 + lw, cols - 6 - lw, TUI_A_ERROR,
			    r->in[IN_ADDRESS].error);
		tui_put(t, y + 2, 2, cols - 4, r->on_list ? TUI_A_BOLD : 0,
		    _("Municipality: choose with ↑ ↓, or type its first "
		      "letter"));
		tui_list_draw(t, &r->munis, y + 3, 4, end - y - 6 > 10 ? 10 :
		    end - y - 6, cols - 8);
		if (!r->on_list)
			tui_field_draw_at(t, &r->in[IN_ADDRESS], y, 4 + lw,
			    cols - 6 - lw, 1);
		break;
	case STEP_PHONE:
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("So that the office can call you. Leave it empty if "
		      "you have none.")) + 1;
		tui_form_draw(t, &r->form_phone, y, 2, cols - 4);
		break;
	case STEP_LANGUAGE:
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("In which language should letters from the social "
		      "support office be written? Choose with ↑ ↓.")) + 1;
		tui_list_draw(t, &r->langs, y, 4, (int)REG_NLANGS, cols - 8);
		break;
	case STEP_SUMMARY:
		reg_draw_summary(t, r, y, end - 2, cols);
		break;
	case STEP_RECEIPT:
		reg_draw_receipt(t, r, y, end - 2, cols);
		break;
	}
	if (r->error[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, r->error);
}

static void
reg_wipe(struct tui_screen *s)
{
	struct reg *r = (struct reg *)s;

	for (int i = 0; i < IN_COUNT; i++)
		tui_field_wipe(&r->in[i]);
	explicit_bzero(r->v, sizeof r->v);
	explicit_bzero(r->municipality, sizeof r->municipality);
	explicit_bzero(r->error, sizeof r->error);
	explicit_bzero(r->request_id, sizeof r->request_id);
	explicit_bzero(r->reference, sizeof r->reference);
	explicit_bzero(r->expires, sizeof r->expires);
}

static void
reg_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_register_new(struct kiosk *k)
{
	static const struct {
		const char *label;
		int maxlen;
		const char *(*validate)(const char *, void *);
	} ins[IN_COUNT] = {
		[IN_ID] = {N_("Personal code"), 11, reg_check_id},
		[IN_GIVEN] = {N_("Given names"), 100, reg_check_name},
		[IN_SURNAME] = {N_("Surname"), 100, reg_check_name},
		[IN_BIRTH] = {N_("Birth date"), 10, reg_check_birth},
		[IN_SEX] = {N_("Sex (F or M)"), 1, reg_check_sex},
		[IN_ADDRESS] = {N_("Address"), TUI_FIELD_MAX,
		    reg_check_address},
		[IN_PHONE] = {N_("Phone"), 20, reg_check_phone},
	};
	struct reg *r;
	size_t n;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->k = k;
	for (int i = 0; i < IN_COUNT; i++)
		r->in[i] = (struct tui_field){.label = ins[i].label,
		    .maxlen = ins[i].maxlen, .validate = ins[i].validate,
		    .arg = r};
	r->form_id = (struct tui_form){.fields = &r->in[IN_ID], .n = 1};
	r->form_name = (struct tui_form){.fields = &r->in[IN_GIVEN], .n = 2};
	r->form_birth = (struct tui_form){.fields = &r->in[IN_BIRTH], .n = 2};
	r->form_phone = (struct tui_form){.fields = &r->in[IN_PHONE], .n = 1};
	municipality_all(&n);
	r->munis.n = n;
	r->munis.item = reg_muni_item;
	r->langs.n = REG_NLANGS;
	r->langs.item = reg_lang_item;
	r->langs.arg = r;
	/* Letters in the language the citizen reads the kiosk in. */
	kiosk_copy(r->language, sizeof r->language,
	    strcmp(i18n_language(), "lt") == 0 ? "lt" : "en");
	r->s.draw = reg_draw;
	r->s.key = reg_key;
	r->s.wipe = reg_wipe;
	r->s.destroy = reg_destroy;
	r->s.hints = r->hints;
	reg_go(r, STEP_ID);
	return &r->s;
}
