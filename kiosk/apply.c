/*
 * apply.c: "Apply for support", for the identified citizen, in five steps:
 * choose among the programmes open online, see the form the registry
 * fills in (the person and their household), confirm or correct the
 * household's income and assets (pre-filled from the last application),
 * check a summary, and a receipt with the reference drawn large and what
 * happens next.  F2 goes back a step; nothing is sent before the summary
 * is confirmed.
 *
 * As in details.c, the confirmed application is sent with a request_id
 * made for that summary, so that a retry after a lost reply on the
 * library's Wi-Fi gets the first answer instead of a second application.
 * Everything read or typed lives in this screen and is zeroed when it is
 * left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "municipality.h"
#include "spis/v1/citizen.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "i18n.h"
#include "apps.h"

#define APPLY_STEPS 5
#define APPLY_TRIES 3	 /* automatic tries of one confirmed application */
#define APPLY_PAUSE_S 1	 /* between them */

enum apply_step {
	APPLY_CHOOSE = 1,
	APPLY_FORM,
	APPLY_MONEY,
	APPLY_SUMMARY,
	APPLY_RECEIPT,
};

enum { APPLY_INCOME, APPLY_ASSETS, APPLY_NM };

struct apply {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum apply_step step;
	int loaded; /* the programmes */
	int busy;
	char error[KIOSK_MSG_MAX];

	Spis__V1__ProgrammeList *progs; /* open online, for the citizen */
	struct tui_list plist;
	Spis__V1__ApplicationForm *form; /* of the chosen programme */
	struct tui_field mfields[APPLY_NM];
	struct tui_form mform;
	long long income, assets; /* as confirmed in step 3 */

	char request_id[40]; /* of the summary on show */
	int unsure;	     /* a send was not answered: Enter retries */

	/* The receipt. */
	char reference[KIOSK_REF_MAX];
	char programme[256];
	char municipality[128];
	char when[64];
	char state[64];

	struct tui_hint hints[5];
};

static const char *
apply_muni_name(const char *code)
{
	const struct municipality *m = municipality_find(code);

	return m != NULL ? m->name : code;
}

static void
apply_prog_item(size_t i, char *buf, size_t len, void *arg)
{
	struct apply *a = arg;

	if (a->progs != NULL && i < a->progs->n_programmes)
		snprintf(buf, len, "%s",
		    kiosk_programme_name(a->progs->programmes[i]));
}

static const Spis__V1__Programme *
apply_chosen(const struct apply *a)
{
	if (a->progs == NULL || a->plist.sel >= a->progs->n_programmes)
		return NULL;
	return a->progs->programmes[a->plist.sel];
}

static void
apply_set_hints(struct apply *a)
{
	const char *enter;

	switch (a->step) {
	case APPLY_SUMMARY:
		enter = N_("Confirm and apply");
		break;
	case APPLY_RECEIPT:
		enter = N_("Done");
		break;
	default:
		enter = N_("Next");
		break;
	}
	a->hints[0] = (struct tui_hint){"Enter", enter};
	a->hints[1] = (struct tui_hint){"F2", N_("Back")};
	a->hints[2] = (struct tui_hint){"Esc", a->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	a->hints[3] = (struct tui_hint){NULL, NULL};
}

static void
apply_form_free(struct apply *a)
{
	kiosk_msg_free(a->form != NULL ? &a->form->base : NULL);
	a->form = NULL;
}

static void
apply_go(struct apply *a, enum apply_step step)
{
	char buf[KIOSK_MONEY_MAX];

	a->step = step;
	a->error[0] = '\0';
	switch (step) {
	case APPLY_CHOOSE:
		apply_form_free(a);
		break;
	case APPLY_MONEY:
		kiosk_money_plain(a->income, buf, sizeof buf);
		tui_field_set(&a->mfields[APPLY_INCOME], buf);
		kiosk_money_plain(a->assets, buf, sizeof buf);
		tui_field_set(&a->mfields[APPLY_ASSETS], buf);
		a->mfields[APPLY_INCOME].error[0] = '\0';
		a->mfields[APPLY_ASSETS].error[0] = '\0';
		a->mform.focus = 0;
		break;
	case APPLY_SUMMARY:
		/* A new summary is a new application: a new id. */
		kiosk_request_id(a->request_id, sizeof a->request_id);
		a->unsure = 0;
		break;
	default:
		break;
	}
	apply_set_hints(a);
}

/* Step 1's reading: the citizen's municipality (GetMyDetails), then the
 * programmes open online there (ListProgrammes).  Returns 1 when the
 * screen has left the stack. */
static int
apply_load(struct apply *a)
{
	Spis__V1__GetMyDetailsRequest dreq =
	    SPIS__V1__GET_MY_DETAILS_REQUEST__INIT;
	Spis__V1__ListProgrammesRequest lreq =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	Spis__V1__MyDetails *d = NULL;
	char msg[KIOSK_MSG_MAX], muni[16] = "";
	grpc_status_code st;

	a->busy = 1;
	tui_redraw(a->k->tui);
	/* Citizen.GetMyDetails */
	st = kiosk_call(a->k, &spis__v1__citizen__descriptor, 2, &dreq.base,
	    (ProtobufCMessage **)&d, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	if (st == GRPC_STATUS_OK && d->person != NULL)
		kiosk_copy(muni, sizeof muni, d->person->municipality);
	kiosk_msg_free(d != NULL ? &d->base : NULL);
	if (st == GRPC_STATUS_OK) {
		lreq.online_only = 1;
		lreq.municipality = muni;
		/* Programmes.ListProgrammes */
		st = kiosk_call(a->k, &spis__v1__programmes__descriptor, 0,
		    &lreq.base, (ProtobufCMessage **)&a->progs, KIOSK_CALL_MS,
		    msg, sizeof msg);
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			return 1;
	}
	a->busy = 0;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, a->error, sizeof a->error);
		return 0;
	}
	a->loaded = 1;
	a->plist.n = a->progs->n_programmes;
	a->plist.sel = 0;
	return 0;
}

/* Step 2's reading: Citizen.GetMyApplicationForm for the chosen
 * programme.  Returns 1 when the screen has left the stack. */
static int
apply_load_form(struct apply *a)
{
	Spis__V1__GetMyApplicationFormRequest req =
	    SPIS__V1__GET_MY_APPLICATION_FORM_REQUEST__INIT;
	const Spis__V1__Programme *p = apply_chosen(a);
	char msg[KIOSK_MSG_MAX];
	grpc_status_code st;

	if (p == NULL)
		return 0;
	apply_form_free(a);
	req.programme = p->code;
	a->busy = 1;
	a->error[0] = '\0';
	tui_redraw(a->k->tui);
	st = kiosk_call(a->k, &spis__v1__citizen__descriptor, 6, &req.base,
	    (ProtobufCMessage **)&a->form, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	a->busy = 0;
	if (st == GRPC_STATUS_OK && a->form->person == NULL) {
		apply_form_free(a);
		st = GRPC_STATUS_INTERNAL;
		msg[0] = '\0';
	}
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, a->error, sizeof a->error);
		return 0;
	}
	a->income = a->form->declared != NULL ?
	    a->form->declared->monthly_income : 0;
	a->assets = a->form->declared != NULL ? a->form->declared->assets : 0;
	apply_go(a, APPLY_FORM);
	return 0;
}

static void
apply_receipt(struct apply *a, const Spis__V1__Application *r)
{
	time_t now = time(NULL);
	struct tm tm;

	kiosk_copy(a->reference, sizeof a->reference, r->reference);
	kiosk_copy(a->programme, sizeof a->programme,
	    a->form != NULL && a->form->programme != NULL ?
	    kiosk_programme_name(a->form->programme) : r->programme);
	kiosk_copy(a->municipality, sizeof a->municipality,
	    apply_muni_name(r->municipality));
	kiosk_copy(a->state, sizeof a->state, r->state);
	localtime_r(&now, &tm);
	strftime(a->when, sizeof a->when, "%Y-%m-%d %H:%M", &tm);
}

/* Sends the confirmed application, trying again by itself while the
 * network is away.  Returns 1 when the screen has left the stack. */
static int
apply_send(struct apply *a)
{
	Spis__V1__ApplyRequest req = SPIS__V1__APPLY_REQUEST__INIT;
	Spis__V1__Declared dec = SPIS__V1__DECLARED__INIT;
	const Spis__V1__Programme *p = apply_chosen(a);
	Spis__V1__Application *r = NULL;
	grpc_status_code st = GRPC_STATUS_UNAVAILABLE;
	char msg[KIOSK_MSG_MAX];

	if (p == NULL)
		return 0;
	dec.monthly_income = a->income;
	dec.assets = a->assets;
	dec.confirmed = 1;
	req.request_id = a->request_id;
	req.programme = p->code;
	req.declared = &dec;
	a->busy = 1;
	a->error[0] = '\0';
	for (int i = 0; i < APPLY_TRIES; i++) {
		tui_redraw(a->k->tui);
		/* Citizen.Apply */
		st = kiosk_call(a->k, &spis__v1__citizen__descriptor, 7,
		    &req.base, (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg,
		    sizeof msg);
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			return 1;
		if (st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED)
			break;
		/* A moment for the Wi-Fi to come back. */
		if (i + 1 < APPLY_TRIES)
			nanosleep(&(struct timespec){APPLY_PAUSE_S, 0}, NULL);
	}
	a->busy = 0;
	if (st != GRPC_STATUS_OK) {
		a->unsure = st == GRPC_STATUS_UNAVAILABLE ||
		    st == GRPC_STATUS_DEADLINE_EXCEEDED;
		if (a->unsure)
			snprintf(a->error, sizeof a->error, "%s",
			    _("Cannot reach the SPIS server just now. Press "
			      "Enter to try again: you will not apply "
			      "twice."));
		else
			kiosk_status_text(st, msg, a->error, sizeof a->error);
		return 0;
	}
	apply_receipt(a, r);
	kiosk_msg_free(&r->base);
	apply_go(a, APPLY_RECEIPT);
	return 0;
}

static void
apply_leave(struct tui *t, int yes, void *arg)
{
	struct apply *a = arg;

	(void)t;
	if (yes)
		kiosk_finish(a->k);
}

static int
apply_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct apply *a = (struct apply *)s;
	char buf[TUI_FIELD_MAX * 4 + 1];

	if (a->busy)
		return 1;
	if (tui_key_is(k, 0, KEY_F(2))) {
		if (a->step == APPLY_CHOOSE || a->step == APPLY_RECEIPT)
			tui_pop(t);
		else
			apply_go(a, a->step - 1);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		if (a->step == APPLY_CHOOSE || a->step == APPLY_RECEIPT)
			kiosk_finish(a->k);
		else
			tui_confirm(t, _("Leave now? You have not applied, "
			    "and everything typed is erased."), apply_leave,
			    a);
		return 1;
	}
	switch (a->step) {
	case APPLY_CHOOSE:
		if (!tui_key_enter(k))
			tui_list_key(&a->plist, k);
		else if (!a->loaded)
			a->error[0] = '\0'; /* the tick reads again */
		else
			apply_load_form(a);
		break;
	case APPLY_FORM:
		if (tui_key_enter(k))
			apply_go(a, APPLY_MONEY);
		break;
	case APPLY_MONEY:
		if (tui_form_key(&a->mform, k) != TUI_FORM_SUBMIT)
			break;
		tui_field_value(&a->mfields[APPLY_INCOME], buf, sizeof buf);
		kiosk_money_parse(buf, &a->income);
		tui_field_value(&a->mfields[APPLY_ASSETS], buf, sizeof buf);
		kiosk_money_parse(buf, &a->assets);
		explicit_bzero(buf, sizeof buf);
		apply_go(a, APPLY_SUMMARY);
		break;
	case APPLY_SUMMARY:
		if (tui_key_enter(k))
			apply_send(a);
		break;
	case APPLY_RECEIPT:
		if (tui_key_enter(k))
			tui_pop(t);
		break;
	}
	return 1;
}

static void
apply_tick(struct tui *t, struct tui_screen *s)
{
	struct apply *a = (struct apply *)s;

	(void)t;
	if (a->step == APPLY_CHOOSE && !a->loaded && a->error[0] == '\0')
		apply_load(a);
}

/* One "Label  value" row; returns the next row. */
static int
apply_row(struct tui *t, int y, int cols, int lw, const char *label,
    const char *value)
{
	tui_put(t, y, 4, lw, TUI_A_NORMAL, label);
	tui_put(t, y, 6 + lw, cols - 8 - lw, TUI_A_BOLD, value);
	return y + 1;
}

static int
apply_label_width(void)
{
	static const char *const labels[] = {
		N_("Programme"), N_("Name"), N_("Personal code"),
		N_("Address"), N_("Municipality"), N_("Household"),
		N_("Monthly income"), N_("Assets"),
	};
	int lw = 0, w;

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if ((w = tui_text_width(_(labels[i]))) > lw)
			lw = w;
	return lw;
}

static void
apply_draw_choose(struct tui *t, struct apply *a, int y, int end, int cols)
{
	const Spis__V1__Programme *p;
	int rows;

	if (!a->loaded)
		return;
	if (a->progs->n_programmes == 0) {
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("No programme can be applied for at a kiosk just now. "
		      "A social support office takes applications for every "
		      "programme."));
		return;
	}
	y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
	    _("These programmes can be applied for here. Choose one with ↑ "
	      "↓ and press Enter. The others are applied for at a social "
	      "support office.")) + 1;
	rows = (int)a->progs->n_programmes;
	if (rows > 10)
		rows = 10;
	if (rows > end - y - 3)
		rows = end - y - 3;
	tui_list_draw(t, &a->plist, y, 4, rows, cols - 8);
	y += rows + 1;
	if ((p = apply_chosen(a)) != NULL && y < end)
		tui_wrap(t, y, 4, cols - 8, end - y, TUI_A_NORMAL,
		    kiosk_programme_text(p));
}

static void
apply_draw_form(struct tui *t, struct apply *a, int y, int end, int cols)
{
	const Spis__V1__ApplicationForm *f = a->form;
	const Spis__V1__Person *p = f->person;
	const Spis__V1__Household *h = f->household;
	char text[KIOSK_MSG_MAX];
	int lw = apply_label_width();

	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Your application will be made of what the registry holds. "
	      "Please check it.")) + 1;
	y = apply_row(t, y, cols, lw, _("Programme"),
	    f->programme != NULL ? kiosk_programme_name(f->programme) : "");
	snprintf(text, sizeof text, "%s %s", p->given_names, p->surname);
	y = apply_row(t, y, cols, lw, _("Name"), text);
	y = apply_row(t, y, cols, lw, _("Personal code"), p->national_id);
	y = apply_row(t, y, cols, lw, _("Address"), p->address);
	y = apply_row(t, y, cols, lw, _("Municipality"),
	    apply_muni_name(p->municipality));
	if (h != NULL && h->n_members > 0 && y < end) {
		snprintf(text, sizeof text, ngettext("%d person",
		    "%d people", (unsigned long)h->n_members),
		    (int)h->n_members);
		y = apply_row(t, y, cols, lw, _("Household"), text);
		for (size_t i = 0; i < h->n_members && y < end - 3; i++) {
			const Spis__V1__Member *m = h->members[i];

			snprintf(text, sizeof text, "%s %s, %s", m->given_names,
			    m->surname, m->birth_date);
			tui_put(t, y++, 8 + lw, cols - 10 - lw, TUI_A_NORMAL,
			    text);
		}
	}
	if (++y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("If something here is wrong, a social support office "
		      "corrects it; you may still apply now. Press Enter to "
		      "go on."));
}

static void
apply_draw_summary(struct tui *t, struct apply *a, int y, int end, int cols)
{
	const Spis__V1__ApplicationForm *f = a->form;
	char text[KIOSK_MSG_MAX], money[KIOSK_MONEY_MAX];
	int lw = apply_label_width();

	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Please check. You apply for:")) + 1;
	y = apply_row(t, y, cols, lw, _("Programme"),
	    f->programme != NULL ? kiosk_programme_name(f->programme) : "");
	snprintf(text, sizeof text, "%s %s", f->person->given_names,
	    f->person->surname);
	y = apply_row(t, y, cols, lw, _("Name"), text);
	if (f->household != NULL && f->household->n_members > 0) {
		snprintf(text, sizeof text, ngettext("%d person",
		    "%d people", (unsigned long)f->household->n_members),
		    (int)f->household->n_members);
		y = apply_row(t, y, cols, lw, _("Household"), text);
	}
	kiosk_money_text(a->income, "EUR", money, sizeof money);
	y = apply_row(t, y, cols, lw, _("Monthly income"), money);
	kiosk_money_text(a->assets, "EUR", money, sizeof money);
	y = apply_row(t, y, cols, lw, _("Assets"), money);
	y++;
	if (y < end)
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_BOLD,
		    _("By pressing Enter you confirm that this is true and "
		      "complete, and you apply.")) + 1;
	if (a->busy && y < end)
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL, _("Sending…"));
}

static void
apply_draw_receipt(struct tui *t, struct apply *a, int y, int end, int cols)
{
	char text[KIOSK_MSG_MAX];
	int used;

	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_BOLD,
	    _("You have applied. Your reference is:")) + 1;
	used = kiosk_big_text(t, y, 4, cols - 6, a->reference);
	y += used > 0 ? used + 1 : 0;
	snprintf(text, sizeof text, _("Reference: %s"), a->reference);
	tui_put(t, y++, 4, cols - 6, TUI_A_BOLD | TUI_A_UNDERLINE, text);
	snprintf(text, sizeof text, "%s, %s", a->programme, a->when);
	tui_put(t, y++, 4, cols - 6, TUI_A_NORMAL, text);
	y++;
	if (y < end) {
		snprintf(text, sizeof text,
		    _("Write the reference down or take a photo of it. What "
		      "happens next: a social worker in %s looks at your "
		      "application and you get a letter with the decision. "
		      "To see how it goes, choose \"Check my application "
		      "status\" in \"Support and benefits\" on the start "
		      "screen, and type the reference and your birth date."),
		    a->municipality);
		y += tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    text) + 1;
	}
	if (y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("Press Enter when you are done."));
}

static void
apply_draw(struct tui *t, struct tui_screen *s)
{
	static const char *const titles[APPLY_STEPS + 1] = {
		NULL,
		N_("Choose a programme"),
		N_("Your details and household"),
		N_("Your household's income and assets"),
		N_("Check and confirm"),
		N_("Receipt"),
	};
	struct apply *a = (struct apply *)s;
	int top, rows, cols, y, end;

	tui_body(t, &top, &rows, &cols);
	end = top + rows - 2; /* the last two rows are for problems */
	y = kiosk_heading(t, top + 1, cols, (int)a->step, APPLY_STEPS,
	    _(titles[a->step]));
	if (a->busy && a->step != APPLY_SUMMARY) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	switch (a->step) {
	case APPLY_CHOOSE:
		apply_draw_choose(t, a, y, end, cols);
		break;
	case APPLY_FORM:
		apply_draw_form(t, a, y, end, cols);
		break;
	case APPLY_MONEY:
		y += tui_wrap(t, y, 2, cols - 4, 5, TUI_A_NORMAL,
		    _("Income: what the whole household receives in a month "
		      "(wages, pensions, benefits), on average over the last "
		      "three months. Assets: savings and the value of "
		      "property other than your home. Filled in from your "
		      "last application: correct them if they changed. In "
		      "euros, such as 1234.56.")) + 1;
		tui_form_draw(t, &a->mform, y, 2, cols - 4);
		break;
	case APPLY_SUMMARY:
		apply_draw_summary(t, a, y, end, cols);
		break;
	case APPLY_RECEIPT:
		apply_draw_receipt(t, a, y, end, cols);
		break;
	}
	if (a->error[0] != '\0')
		tui_wrap(t, end, 2, cols - 4, 2, TUI_A_ERROR, a->error);
}

static void
apply_wipe(struct tui_screen *s)
{
	struct apply *a = (struct apply *)s;

	tui_form_wipe(&a->mform);
	apply_form_free(a);
	kiosk_msg_free(a->progs != NULL ? &a->progs->base : NULL);
	a->progs = NULL;
	a->plist.n = a->plist.sel = 0;
	a->loaded = 0;
	a->income = a->assets = 0;
	explicit_bzero(a->error, sizeof a->error);
	explicit_bzero(a->request_id, sizeof a->request_id);
	explicit_bzero(a->reference, sizeof a->reference);
	explicit_bzero(a->programme, sizeof a->programme);
	explicit_bzero(a->municipality, sizeof a->municipality);
}

static void
apply_destroy(struct tui_screen *s)
{
	apply_wipe(s);
	free(s);
}

struct tui_screen *
kiosk_apply_new(struct kiosk *k)
{
	struct apply *a;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	a->k = k;
	a->plist.item = apply_prog_item;
	a->plist.arg = a;
	a->mfields[APPLY_INCOME] = (struct tui_field){
	    .label = N_("Monthly income, EUR"), .maxlen = 16,
	    .validate = kiosk_money_check};
	a->mfields[APPLY_ASSETS] = (struct tui_field){
	    .label = N_("Assets, EUR"), .maxlen = 16,
	    .validate = kiosk_money_check};
	a->mform.fields = a->mfields;
	a->mform.n = APPLY_NM;
	a->s.draw = apply_draw;
	a->s.key = apply_key;
	a->s.tick = apply_tick;
	a->s.wipe = apply_wipe;
	a->s.destroy = apply_destroy;
	a->s.hints = a->hints;
	apply_go(a, APPLY_CHOOSE);
	return &a->s;
}
