/*
 * details.c: "Register or update my details", in six steps a volunteer can
 * explain to a stranger: what the registry holds now, the address and
 * municipality, phone and email, the language for letters, a summary of
 * what will change (old → new) to confirm, and a receipt.  F2 goes back a
 * step from anywhere; nothing is sent before the summary is confirmed.
 *
 * The confirmed change is sent with a request_id made for that summary: on
 * the library's Wi-Fi a reply can be lost after the daemon has saved the
 * change, so a retry (by itself, and then on Enter) repeats the same id
 * and the daemon answers with the first outcome instead of saving twice.
 *
 * Everything read or typed lives in this screen and is zeroed when it is
 * left (wipe), whichever way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/citizen.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

#define DETAILS_STEPS 6
#define DETAILS_VALUE_MAX (TUI_FIELD_MAX * 4 + 1)
#define DETAILS_TRIES 3	      /* automatic tries of one confirmed change */
#define DETAILS_PAUSE_S 1     /* between them */
#define DETAILS_PHONE_MAX 20
#define DETAILS_EMAIL_MAX 100

enum details_step {
	STEP_CURRENT = 1,
	STEP_ADDRESS,
	STEP_CONTACT,
	STEP_LANGUAGE,
	STEP_SUMMARY,
	STEP_RECEIPT,
};

/* The fields a citizen may change, in the order they are shown. */
enum details_field {
	F_ADDRESS,
	F_MUNICIPALITY,
	F_PHONE,
	F_EMAIL,
	F_LANGUAGE,
	F_COUNT,
};

static const char *const details_field_names[F_COUNT] = {
	"address", "municipality", "phone", "email", "language",
};

static const char *const details_field_labels[F_COUNT] = {
	N_("Address"), N_("Municipality"), N_("Phone"), N_("Email"),
	N_("Language for letters"),
};

/* Languages for letters (Person.language), each named in itself. */
static const struct {
	const char *code;
	const char *name;
} details_langs[] = {
	{"lt", "Lietuvių"},
	{"en", "English"},
	{"tr", "Türkçe"},
};
#define DETAILS_NLANGS (sizeof details_langs / sizeof details_langs[0])

struct details {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum details_step step;
	int loaded;
	int busy;
	char error[KIOSK_MSG_MAX];

	/* As the registry holds them: the values, then the rest shown. */
	char cur[F_COUNT][DETAILS_VALUE_MAX];
	char name[2 * DETAILS_VALUE_MAX];
	char national_id[32];
	char birth_date[16];
	int members; /* in the household, 0 for none */
	/* As chosen in steps 2 to 4. */
	char now[F_COUNT][DETAILS_VALUE_MAX];

	struct tui_field address;
	struct tui_list munis;
	int on_list; /* step 2: the focus is on the municipalities */
	struct tui_field contact[2];
	struct tui_form cform;
	struct tui_list langs;

	char request_id[40]; /* of the summary on show */
	int unsure;	     /* a send was not answered: Enter retries */

	/* The receipt. */
	char when[64];
	char receipt[16];
	long long version;

	struct tui_hint hints[5];
};

static const char *
details_municipality_name(const char *code)
{
	const struct municipality *m;

	if (code[0] == '\0')
		return "";
	return (m = municipality_find(code)) != NULL ? m->name : code;
}

static const char *
details_language_name(const char *code)
{
	for (size_t i = 0; i < DETAILS_NLANGS; i++)
		if (strcmp(details_langs[i].code, code) == 0)
			return details_langs[i].name;
	return code;
}

/* A value as it is shown: names for codes, "(none)" for nothing. */
static const char *
details_shown(enum details_field f, const char *value)
{
	if (value[0] == '\0')
		return _("(none)");
	if (f == F_MUNICIPALITY)
		return details_municipality_name(value);
	if (f == F_LANGUAGE)
		return details_language_name(value);
	return value;
}

static void
details_muni_item(size_t i, char *buf, size_t len, void *arg)
{
	const struct municipality *all;
	size_t n;

	(void)arg;
	all = municipality_all(&n);
	if (i < n)
		snprintf(buf, len, "%s", all[i].name);
}

static void
details_lang_item(size_t i, char *buf, size_t len, void *arg)
{
	struct details *d = arg;

	snprintf(buf, len, "(%s) %s",
	    strcmp(details_langs[i].code, d->now[F_LANGUAGE]) == 0 ? "•" : " ",
	    details_langs[i].name);
}

static const char *
details_check_address(const char *value, void *arg)
{
	(void)arg;
	if (value[strspn(value, " ")] == '\0')
		return _("Type your address: street, house, flat, town.");
	return NULL;
}

static const char *
details_check_phone(const char *value, void *arg)
{
	const char *p = value;

	(void)arg;
	if (*p == '+')
		p++;
	if (strlen(value) > DETAILS_PHONE_MAX ||
	    p[strspn(p, "0123456789 -()")] != '\0')
		return _("A phone number has digits and spaces only, with a + "
		    "in front for a country code.");
	return NULL;
}

void
kiosk_phone_normalise(char *phone)
{
	char *w = phone;

	/* As the registry keeps it, so that the summary shows what will be
	 * stored: no spaces, dashes or parentheses. */
	for (const char *r = phone; *r != '\0'; r++)
		if (strchr(" -()", *r) == NULL)
			*w++ = *r;
	*w = '\0';
}

static const char *
details_check_email(const char *value, void *arg)
{
	const char *at;

	(void)arg;
	if (value[0] == '\0')
		return NULL;
	at = strchr(value, '@');
	if (at == NULL || at == value || strchr(at + 1, '@') != NULL ||
	    strchr(at, '.') == NULL || strchr(value, ' ') != NULL ||
	    value[strlen(value) - 1] == '.')
		return _("This does not look like an email address, such as "
		    "vardas@pastas.lt.");
	return NULL;
}

/* The footer of the step on show. */
static void
details_set_hints(struct details *d)
{
	const char *enter;

	switch (d->step) {
	case STEP_SUMMARY:
		enter = N_("Confirm and save");
		break;
	case STEP_RECEIPT:
		enter = N_("Done");
		break;
	default:
		enter = N_("Next");
		break;
	}
	d->hints[0] = (struct tui_hint){"Enter", enter};
	d->hints[1] = (struct tui_hint){"F2", N_("Back")};
	d->hints[2] = (struct tui_hint){"Esc", d->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	d->hints[3] = (struct tui_hint){NULL, NULL};
	if (d->step == STEP_ADDRESS)
		d->hints[3] = (struct tui_hint){"Tab",
		    N_("Address or municipality")};
	d->hints[4] = (struct tui_hint){NULL, NULL};
}

/* Which fields differ from the registry's; returns how many. */
static int
details_changes(const struct details *d, int changed[F_COUNT])
{
	int n = 0;

	for (int f = 0; f < F_COUNT; f++)
		if ((changed[f] = strcmp(d->cur[f], d->now[f]) != 0))
			n++;
	return n;
}

/* Shows a step, setting its widgets from the values chosen so far. */
static void
details_go(struct details *d, enum details_step step)
{
	const struct municipality *all;
	size_t n;

	d->step = step;
	d->error[0] = '\0';
	switch (step) {
	case STEP_ADDRESS:
		tui_field_set(&d->address, d->now[F_ADDRESS]);
		d->address.error[0] = '\0';
		all = municipality_all(&n);
		for (size_t i = 0; i < n; i++)
			if (strcmp(all[i].code, d->now[F_MUNICIPALITY]) == 0)
				d->munis.sel = i;
		d->on_list = 0;
		break;
	case STEP_CONTACT:
		tui_field_set(&d->contact[0], d->now[F_PHONE]);
		tui_field_set(&d->contact[1], d->now[F_EMAIL]);
		d->contact[0].error[0] = d->contact[1].error[0] = '\0';
		d->cform.focus = 0;
		break;
	case STEP_LANGUAGE:
		for (size_t i = 0; i < DETAILS_NLANGS; i++)
			if (strcmp(details_langs[i].code,
			    d->now[F_LANGUAGE]) == 0)
				d->langs.sel = i;
		break;
	case STEP_SUMMARY:
		/* A new summary is a new change: a new id. */
		kiosk_request_id(d->request_id, sizeof d->request_id);
		d->unsure = 0;
		break;
	default:
		break;
	}
	details_set_hints(d);
}

/* Step 1's reading: GetMyDetails, kept in this screen only. */
static void
details_load(struct details *d)
{
	Spis__V1__GetMyDetailsRequest req =
	    SPIS__V1__GET_MY_DETAILS_REQUEST__INIT;
	Spis__V1__MyDetails *r = NULL;
	const Spis__V1__Person *p;
	grpc_status_code st;
	char msg[KIOSK_MSG_MAX];

	d->busy = 1;
	tui_redraw(d->k->tui);
	st = kiosk_call(d->k, &spis__v1__citizen__descriptor, 2, &req.base,
	    (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return; /* the sitting is over and this screen gone */
	d->busy = 0;
	d->loaded = 1;
	if (st == GRPC_STATUS_OK && r->person == NULL)
		st = GRPC_STATUS_INTERNAL;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, d->error, sizeof d->error);
		d->loaded = 0;
		kiosk_msg_free((ProtobufCMessage *)r);
		return;
	}
	p = r->person;
	kiosk_copy(d->cur[F_ADDRESS], DETAILS_VALUE_MAX, p->address);
	kiosk_copy(d->cur[F_MUNICIPALITY], DETAILS_VALUE_MAX, p->municipality);
	kiosk_copy(d->cur[F_PHONE], DETAILS_VALUE_MAX, p->phone);
	kiosk_copy(d->cur[F_EMAIL], DETAILS_VALUE_MAX, p->email);
	kiosk_copy(d->cur[F_LANGUAGE], DETAILS_VALUE_MAX, p->language);
	snprintf(d->name, sizeof d->name, "%s %s", p->given_names, p->surname);
	kiosk_copy(d->national_id, sizeof d->national_id, p->national_id);
	kiosk_copy(d->birth_date, sizeof d->birth_date, p->birth_date);
	d->members = r->household != NULL ? (int)r->household->n_members : 0;
	memcpy(d->now, d->cur, sizeof d->now);
	kiosk_msg_free(&r->base);
}

/* The receipt's number: the request_id's first eight digits, which the
 * office can find in the audit trail. */
static void
details_receipt(struct details *d, const Spis__V1__Person *p)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(d->when, sizeof d->when, "%Y-%m-%d %H:%M", &tm);
	snprintf(d->receipt, sizeof d->receipt, "%.4s-%.4s", d->request_id,
	    d->request_id + 4);
	for (char *c = d->receipt; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	d->version = p->version;
}

/* Sends the confirmed change, trying again by itself while the network
 * is away.  Returns 1 when the screen has left the stack. */
static int
details_send(struct details *d)
{
	Spis__V1__UpdateMyDetailsRequest req =
	    SPIS__V1__UPDATE_MY_DETAILS_REQUEST__INIT;
	char *fields[F_COUNT];
	int changed[F_COUNT];
	Spis__V1__Person *p = NULL;
	grpc_status_code st = GRPC_STATUS_UNAVAILABLE;
	char msg[KIOSK_MSG_MAX];

	if (details_changes(d, changed) == 0) {
		snprintf(d->error, sizeof d->error, "%s",
		    _("Nothing has changed, so there is nothing to save. "
		      "Press F2 to go back."));
		return 0;
	}
	req.request_id = d->request_id;
	req.address = d->now[F_ADDRESS];
	req.municipality = d->now[F_MUNICIPALITY];
	req.phone = d->now[F_PHONE];
	req.email = d->now[F_EMAIL];
	req.language = d->now[F_LANGUAGE];
	req.fields = fields;
	for (int f = 0; f < F_COUNT; f++)
		if (changed[f])
			fields[req.n_fields++] = (char *)details_field_names[f];

	d->busy = 1;
	d->error[0] = '\0';
	for (int i = 0; i < DETAILS_TRIES; i++) {
		tui_redraw(d->k->tui);
		st = kiosk_call(d->k, &spis__v1__citizen__descriptor, 3,
		    &req.base, (ProtobufCMessage **)&p, KIOSK_CALL_MS, msg,
		    sizeof msg);
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			return 1;
		if (st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED)
			break;
		/* A moment for the Wi-Fi to come back. */
		if (i + 1 < DETAILS_TRIES)
			nanosleep(&(struct timespec){DETAILS_PAUSE_S, 0}, NULL);
	}
	d->busy = 0;
	if (st != GRPC_STATUS_OK) {
		d->unsure = st == GRPC_STATUS_UNAVAILABLE ||
		    st == GRPC_STATUS_DEADLINE_EXCEEDED;
		if (d->unsure)
			snprintf(d->error, sizeof d->error, "%s",
			    _("Cannot reach the SPIS server just now. Press "
			      "Enter to try again: the change will not be "
			      "saved twice."));
		else
			kiosk_status_text(st, msg, d->error, sizeof d->error);
		return 0;
	}
	details_receipt(d, p);
	kiosk_msg_free(&p->base);
	details_go(d, STEP_RECEIPT);
	return 0;
}

/* Leaves the flow for the citizen's home. */
static void
details_close(struct details *d)
{
	tui_pop(d->k->tui);
}

static void
details_leave(struct tui *t, int yes, void *arg)
{
	struct details *d = arg;

	(void)t;
	if (yes)
		kiosk_finish(d->k);
}

static void
details_back(struct details *d)
{
	if (d->busy)
		return;
	if (d->step == STEP_CURRENT || d->step == STEP_RECEIPT)
		details_close(d);
	else
		details_go(d, d->step - 1);
}

/* Step 2: typing a letter on the list jumps to the next municipality
 * whose name starts with it. */
static int
details_muni_jump(struct details *d, wint_t c)
{
	const struct municipality *all;
	size_t n;
	wchar_t first;
	mbstate_t st;

	if (!iswalpha(c))
		return 0;
	all = municipality_all(&n);
	for (size_t j = 1; j <= n; j++) {
		size_t i = (d->munis.sel + j) % n;

		memset(&st, 0, sizeof st);
		if (mbrtowc(&first, all[i].name, strlen(all[i].name), &st) <
		    (size_t)-2 && towlower((wint_t)first) == towlower(c)) {
			d->munis.sel = i;
			break;
		}
	}
	return 1;
}

static void
details_key_address(struct details *d, struct tui_key k)
{
	const struct municipality *all;
	size_t n;

	if (tui_key_is(k, '\t', KEY_BTAB)) {
		tui_field_check(&d->address);
		d->on_list = !d->on_list;
		return;
	}
	if (!d->on_list) {
		if (tui_key_enter(k) || tui_key_is(k, 0, KEY_DOWN)) {
			tui_field_check(&d->address);
			d->on_list = 1;
		} else
			tui_field_key(&d->address, k);
		return;
	}
	if (tui_key_enter(k)) {
		if (tui_field_check(&d->address) != 0) {
			d->on_list = 0;
			return;
		}
		tui_field_value(&d->address, d->now[F_ADDRESS],
		    DETAILS_VALUE_MAX);
		all = municipality_all(&n);
		if (d->munis.sel < n)
			kiosk_copy(d->now[F_MUNICIPALITY], DETAILS_VALUE_MAX,
			    all[d->munis.sel].code);
		details_go(d, STEP_CONTACT);
		return;
	}
	if (tui_key_is(k, 0, KEY_UP) && d->munis.sel == 0) {
		d->on_list = 0;
		return;
	}
	if (!tui_list_key(&d->munis, k) && !k.fn)
		details_muni_jump(d, k.c);
}

static void
details_key_contact(struct details *d, struct tui_key k)
{
	if (tui_form_key(&d->cform, k) != TUI_FORM_SUBMIT)
		return;
	tui_field_value(&d->contact[0], d->now[F_PHONE], DETAILS_VALUE_MAX);
	kiosk_phone_normalise(d->now[F_PHONE]);
	tui_field_value(&d->contact[1], d->now[F_EMAIL], DETAILS_VALUE_MAX);
	details_go(d, STEP_LANGUAGE);
}

static int
details_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct details *d = (struct details *)s;
	char q[KIOSK_MSG_MAX];

	if (d->busy)
		return 1;
	if (tui_key_is(k, 0, KEY_F(2))) {
		details_back(d);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		if (d->step == STEP_RECEIPT || d->step == STEP_CURRENT)
			kiosk_finish(d->k);
		else {
			snprintf(q, sizeof q, "%s", _("Leave now? Nothing is "
			    "saved, and everything typed is erased."));
			tui_confirm(t, q, details_leave, d);
		}
		return 1;
	}
	switch (d->step) {
	case STEP_CURRENT:
		/* Enter after a failed reading tries it again. */
		if (tui_key_enter(k) && d->loaded)
			details_go(d, STEP_ADDRESS);
		else if (tui_key_enter(k))
			d->error[0] = '\0';
		break;
	case STEP_ADDRESS:
		details_key_address(d, k);
		break;
	case STEP_CONTACT:
		details_key_contact(d, k);
		break;
	case STEP_LANGUAGE:
		if (tui_key_enter(k)) {
			kiosk_copy(d->now[F_LANGUAGE], DETAILS_VALUE_MAX,
			    details_langs[d->langs.sel].code);
			details_go(d, STEP_SUMMARY);
		} else
			tui_list_key(&d->langs, k);
		break;
	case STEP_SUMMARY:
		if (tui_key_enter(k))
			details_send(d);
		break;
	case STEP_RECEIPT:
		if (tui_key_enter(k))
			details_close(d);
		break;
	}
	return 1;
}

static void
details_tick(struct tui *t, struct tui_screen *s)
{
	struct details *d = (struct details *)s;

	(void)t;
	if (!d->loaded && d->error[0] == '\0')
		details_load(d);
}

/* One "Label: value" row; returns the next row. */
static int
details_row(struct tui *t, int y, int cols, int lw, const char *label,
    const char *value)
{
	tui_put(t, y, 4, lw, TUI_A_NORMAL, label);
	tui_put(t, y, 6 + lw, cols - 8 - lw, TUI_A_BOLD, value);
	return y + 1;
}

static int
details_label_width(void)
{
	int lw = tui_text_width(_("Name")), w;

	for (int f = 0; f < F_COUNT; f++)
		if ((w = tui_text_width(_(details_field_labels[f]))) > lw)
			lw = w;
	if ((w = tui_text_width(_("Personal code"))) > lw)
		lw = w;
	if ((w = tui_text_width(_("Birth date"))) > lw)
		lw = w;
	return lw;
}

static void
details_draw_current(struct tui *t, struct details *d, int y, int end,
    int cols)
{
	char text[KIOSK_MSG_MAX];
	int lw = details_label_width();

	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("This is what the registry holds about you now.")) + 1;
	y = details_row(t, y, cols, lw, _("Name"), d->name);
	y = details_row(t, y, cols, lw, _("Personal code"), d->national_id);
	y = details_row(t, y, cols, lw, _("Birth date"), d->birth_date);
	for (int f = 0; f < F_COUNT && y < end; f++)
		y = details_row(t, y, cols, lw, _(details_field_labels[f]),
		    details_shown(f, d->cur[f]));
	if (d->members > 0 && y < end) {
		snprintf(text, sizeof text, ngettext("%d person",
		    "%d people", (unsigned long)d->members), d->members);
		y = details_row(t, y, cols, lw, _("Household"), text);
	}
	if (++y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("Press Enter to change your address, phone, email or "
		      "language. Your name and other details are changed at "
		      "a social support office."));
}

static void
details_draw_address(struct tui *t, struct details *d, int y, int end,
    int cols)
{
	int lw, rows, ay = y;

	lw = tui_text_width(_("Address"));
	tui_put(t, y, 2, lw, !d->on_list ? TUI_A_BOLD : 0, _("Address"));
	tui_field_draw_at(t, &d->address, y, 4 + lw, cols - 6 - lw,
	    !d->on_list);
	y++;
	if (d->address.error[0] != '\0')
		tui_put(t, y, 4 + lw, cols - 6 - lw, TUI_A_ERROR,
		    d->address.error);
	y++;
	tui_put(t, y++, 2, cols - 4, d->on_list ? TUI_A_BOLD : 0,
	    _("Municipality: choose with ↑ ↓, or type its first letter"));
	rows = end - y;
	if (rows > 10)
		rows = 10;
	tui_list_draw(t, &d->munis, y, 4, rows, cols - 8);
	/* The list puts the cursor on its selection; the address field
	 * keeps it while it has the focus. */
	if (!d->on_list)
		tui_field_draw_at(t, &d->address, ay, 4 + lw, cols - 6 - lw,
		    1);
}

static void
details_draw_summary(struct tui *t, struct details *d, int y, int end,
    int cols, int receipt)
{
	int changed[F_COUNT], lw = details_label_width();
	char text[2 * DETAILS_VALUE_MAX + 16];

	if (details_changes(d, changed) == 0 && !receipt) {
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("You have not changed anything. Press F2 to go back, "
		      "or Esc to leave."));
		return;
	}
	if (receipt) {
		snprintf(text, sizeof text, _("Receipt number %s, %s"),
		    d->receipt, d->when);
		tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, text);
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Your details were saved. These were changed:")) + 1;
	} else
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Please check. These will change (old → new):")) + 1;
	for (int f = 0; f < F_COUNT && y < end; f++) {
		if (!changed[f])
			continue;
		tui_put(t, y, 4, lw, TUI_A_NORMAL, _(details_field_labels[f]));
		snprintf(text, sizeof text, "%s → %s",
		    details_shown(f, d->cur[f]), details_shown(f, d->now[f]));
		tui_put(t, y++, 6 + lw, cols - 8 - lw, TUI_A_BOLD, text);
	}
	y++;
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL, receipt ?
		    _("Nothing else was changed. Press Enter when you are "
		      "done.") :
		    _("Nothing else will change. Press Enter to save.")) + 1;
	if (d->busy && y < end)
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL, _("Saving…"));
}

static void
details_draw(struct tui *t, struct tui_screen *s)
{
	static const char *const titles[DETAILS_STEPS + 1] = {
		NULL,
		N_("Your details now"),
		N_("Your address"),
		N_("Your phone and email"),
		N_("Language for letters"),
		N_("Check and confirm"),
		N_("Receipt"),
	};
	struct details *d = (struct details *)s;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, (int)d->step, DETAILS_STEPS,
	    _(titles[d->step]));
	if (d->busy && !d->loaded) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	switch (d->step) {
	case STEP_CURRENT:
		if (d->loaded)
			details_draw_current(t, d, y, end - 2, cols);
		break;
	case STEP_ADDRESS:
		details_draw_address(t, d, y, end - 2, cols);
		break;
	case STEP_CONTACT:
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Leave a field empty if you have none. Press Enter "
		      "after each.")) + 1;
		tui_form_draw(t, &d->cform, y, 2, cols - 4);
		break;
	case STEP_LANGUAGE:
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("In which language should letters from the social "
		      "support office be written? Choose with ↑ ↓.")) + 1;
		tui_list_draw(t, &d->langs, y, 4, (int)DETAILS_NLANGS,
		    cols - 8);
		break;
	case STEP_SUMMARY:
		details_draw_summary(t, d, y, end - 2, cols, 0);
		break;
	case STEP_RECEIPT:
		details_draw_summary(t, d, y, end - 2, cols, 1);
		break;
	}
	if (d->error[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2, TUI_A_ERROR, d->error);
}

static void
details_wipe(struct tui_screen *s)
{
	struct details *d = (struct details *)s;

	tui_field_wipe(&d->address);
	tui_form_wipe(&d->cform);
	explicit_bzero(d->cur, sizeof d->cur);
	explicit_bzero(d->now, sizeof d->now);
	explicit_bzero(d->name, sizeof d->name);
	explicit_bzero(d->national_id, sizeof d->national_id);
	explicit_bzero(d->birth_date, sizeof d->birth_date);
	explicit_bzero(d->error, sizeof d->error);
	explicit_bzero(d->request_id, sizeof d->request_id);
	explicit_bzero(d->receipt, sizeof d->receipt);
	d->members = 0;
	d->loaded = 0;
}

static void
details_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_details_new(struct kiosk *k)
{
	struct details *d;
	size_t n;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->k = k;
	d->address = (struct tui_field){.label = N_("Address"),
	    .maxlen = TUI_FIELD_MAX, .validate = details_check_address};
	d->contact[0] = (struct tui_field){.label = N_("Phone"),
	    .maxlen = DETAILS_PHONE_MAX, .validate = details_check_phone};
	d->contact[1] = (struct tui_field){.label = N_("Email"),
	    .maxlen = DETAILS_EMAIL_MAX, .validate = details_check_email};
	d->cform.fields = d->contact;
	d->cform.n = 2;
	municipality_all(&n);
	d->munis.n = n;
	d->munis.item = details_muni_item;
	d->langs.n = DETAILS_NLANGS;
	d->langs.item = details_lang_item;
	d->langs.arg = d;
	d->s.draw = details_draw;
	d->s.key = details_key;
	d->s.tick = details_tick;
	d->s.wipe = details_wipe;
	d->s.destroy = details_destroy;
	d->s.hints = d->hints;
	details_go(d, STEP_CURRENT);
	return &d->s;
}
