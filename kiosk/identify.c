/*
 * identify.c: the citizen identifies with their personal code and the PIN
 * an office issued.  The code is checked as it is typed (natid), so that a
 * mistyped digit is caught before anything is sent; the PIN is hidden and
 * wiped after every try, whatever the answer.  With a volunteer logged in,
 * the citizen first agrees to being helped: Identify then carries that
 * consent and the volunteer's session.  A refusal ends the visit and goes
 * back to the volunteer's start screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "natid.h"
#include "spis/v1/auth.pb-c.h"
#include "spis/v1/citizen.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

#define IDENTIFY_ID_MAX 11
#define IDENTIFY_PIN_MAX 16

enum { IDENTIFY_ID, IDENTIFY_PIN, IDENTIFY_NFIELDS };

struct identify {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum kiosk_flow flow;
	struct tui_field fields[IDENTIFY_NFIELDS];
	struct tui_form form;
	char error[KIOSK_MSG_MAX]; /* the server's answer, as it came */
	int hint;		   /* show where PINs come from */
	int busy;
};

static const struct tui_hint identify_hints[] = {
	{"Enter", N_("Next")},
	{"F2", N_("Back")},
	{"Esc", N_("Leave")},
	{NULL, NULL},
};

/* The country whose codes the daemon checks, as it told the link. */
static const char *
identify_country(const struct kiosk *k)
{
	return k->st.have_version && k->st.country[0] != '\0' ?
	    k->st.country : "LT";
}

/*
 * A personal code as the citizen typed it.  Eleven digits that fail only
 * because of the last one have a wrong check digit: that is told apart
 * from a code that is wrong elsewhere by trying the other nine.
 */
static const char *
identify_check_id(const char *value, void *arg)
{
	struct identify *id = arg;
	const char *country = identify_country(id->k);
	const char *problem = NULL;
	char probe[IDENTIFY_ID_MAX + 1], why[256];

	if (value[0] == '\0')
		return _("Type your personal code.");
	if (strlen(value) != IDENTIFY_ID_MAX ||
	    strspn(value, "0123456789") != IDENTIFY_ID_MAX)
		return _("A personal code has 11 digits.");
	if (natid_check(country, value, NULL, why, sizeof why) == 0)
		return NULL;
	problem = _("This is not a valid personal code: check each digit "
	    "again.");
	memcpy(probe, value, sizeof probe);
	for (char c = '0'; c <= '9'; c++) {
		probe[IDENTIFY_ID_MAX - 1] = c;
		if (c != value[IDENTIFY_ID_MAX - 1] &&
		    natid_check(country, probe, NULL, why, sizeof why) == 0) {
			problem = _("This code's check digit is wrong: check "
			    "each digit again.");
			break;
		}
	}
	explicit_bzero(probe, sizeof probe);
	explicit_bzero(why, sizeof why);
	return problem;
}

static const char *
identify_check_pin(const char *value, void *arg)
{
	(void)arg;
	if (value[0] == '\0')
		return _("Type your PIN.");
	return NULL;
}

/*
 * The volunteer's session may have ended while the citizen was typing (an
 * idle expiry at the daemon): asked after a failure, so that the volunteer
 * is not left at a screen that cannot work.  Returns 1 when it has ended,
 * after going back to the welcome screen.
 */
static int
identify_volunteer_gone(struct kiosk *k)
{
	Spis__V1__WhoAmIRequest req = SPIS__V1__WHO_AM_IREQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256];

	if (!k->vol.active)
		return 0;
	if (kiosk_call(k, &spis__v1__auth__descriptor, 3, &req.base, &resp,
	    KIOSK_CALL_MS, msg, sizeof msg) != GRPC_STATUS_UNAUTHENTICATED) {
		kiosk_msg_free(resp);
		return 0;
	}
	kiosk_volunteer_lost(k);
	return 1;
}

/* Sends the code and the PIN.  The PIN is wiped from the field and from
 * the copy as soon as the call is over. */
static void
identify_send(struct identify *id)
{
	Spis__V1__IdentifyRequest req = SPIS__V1__IDENTIFY_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	struct kiosk *k = id->k;
	char natid[IDENTIFY_ID_MAX * 4 + 1], pin[TUI_FIELD_MAX * 4 + 1];
	char msg[KIOSK_MSG_MAX];
	enum kiosk_flow flow = id->flow;
	struct tui_screen *home;
	grpc_status_code st;

	tui_field_value(&id->fields[IDENTIFY_ID], natid, sizeof natid);
	tui_field_value(&id->fields[IDENTIFY_PIN], pin, sizeof pin);
	tui_field_wipe(&id->fields[IDENTIFY_PIN]);
	req.national_id = natid;
	req.pin = pin;
	req.consent_to_help = k->vol.active;
	id->busy = 1;
	id->error[0] = '\0';
	id->hint = 0;
	tui_redraw(k->tui);
	st = kiosk_call(k, &spis__v1__citizen__descriptor, 1, &req.base, &resp,
	    KIOSK_CALL_MS, msg, sizeof msg);
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(natid, sizeof natid);
	id->busy = 0;
	if (st != GRPC_STATUS_OK) {
		if (identify_volunteer_gone(k))
			return;
		kiosk_status_text(st, msg, id->error, sizeof id->error);
		id->hint = st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED;
		id->form.focus = IDENTIFY_PIN;
		return;
	}
	kiosk_citizen_start(k, resp);
	kiosk_msg_free(resp);
	/* This screen makes way for the citizen's home, with the flow they
	 * came for on top of it. */
	tui_pop(k->tui);
	if ((home = kiosk_home_new(k)) == NULL) {
		kiosk_finish(k);
		return;
	}
	tui_push(k->tui, home);
	kiosk_flow_push(k, flow);
}

static void
identify_consent(struct tui *t, int yes, void *arg)
{
	struct identify *id = arg;

	(void)t;
	if (yes)
		identify_send(id);
	else
		kiosk_finish(id->k);
}

static int
identify_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct identify *id = (struct identify *)s;
	char question[KIOSK_MSG_MAX];

	if (tui_key_is(k, 27, KEY_F(2))) {
		tui_pop(t);
		return 1;
	}
	switch (tui_form_key(&id->form, k)) {
	case TUI_FORM_SUBMIT:
		if (!id->k->vol.active) {
			identify_send(id);
			return 1;
		}
		snprintf(question, sizeof question,
		    _("I agree that %s helps me with my details today."),
		    id->k->vol.name);
		tui_confirm(t, question, identify_consent, id);
		return 1;
	case TUI_FORM_HANDLED:
		return 1;
	default:
		return 0;
	}
}

static void
identify_draw(struct tui *t, struct tui_screen *s)
{
	struct identify *id = (struct identify *)s;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, 0, 0,
	    _("Who are you? Identify yourself"));
	y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
	    _("Type your personal code (11 digits) and the PIN you were "
	      "given at a social support office. Press Enter after each.")) +
	    1;
	tui_form_draw(t, &id->form, y, 2, cols - 4);
	y += tui_form_rows(&id->form) + 1;
	if (id->busy && y < end) {
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	if (id->error[0] != '\0' && y < end)
		y += tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_ERROR,
		    id->error) + 1;
	if (id->hint && y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("Not registered yet, or no PIN? A social support office "
		      "registers people and issues PINs; take your identity "
		      "document there."));
}

static void
identify_wipe(struct tui_screen *s)
{
	struct identify *id = (struct identify *)s;

	tui_form_wipe(&id->form);
	explicit_bzero(id->error, sizeof id->error);
	id->hint = 0;
}

static void
identify_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_identify_new(struct kiosk *k, enum kiosk_flow flow)
{
	struct identify *id;

	if ((id = calloc(1, sizeof *id)) == NULL)
		return NULL;
	id->k = k;
	id->flow = flow;
	id->fields[IDENTIFY_ID] = (struct tui_field){
	    .label = N_("Personal code"), .maxlen = IDENTIFY_ID_MAX,
	    .validate = identify_check_id, .arg = id};
	id->fields[IDENTIFY_PIN] = (struct tui_field){.label = N_("PIN"),
	    .maxlen = IDENTIFY_PIN_MAX, .secret = 1,
	    .validate = identify_check_pin};
	id->form.fields = id->fields;
	id->form.n = IDENTIFY_NFIELDS;
	id->s.draw = identify_draw;
	id->s.key = identify_key;
	id->s.wipe = identify_wipe;
	id->s.destroy = identify_destroy;
	id->s.hints = identify_hints;
	return &id->s;
}
