/*
 * apply.c: taking an application at the desk for the person whose card is
 * open.  The officer chooses a programme open where the person lives
 * (Programmes/ListProgrammes), the daemon pre-fills the form from the
 * registry (Applications/GetApplicationForm) so that the applicant
 * confirms rather than retypes, the officer enters or confirms the
 * household's monthly income and assets, and after a last confirmation the
 * application is submitted (Applications/Submit).  The receipt shows the
 * reference large, for the applicant to note, and any cross-check flags
 * the submission raised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/applications.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "console.h"
#include "i18n.h"

enum apply_mode { APPLY_CHOOSE, APPLY_FORM, APPLY_RECEIPT };

enum { APPLY_INCOME, APPLY_ASSETS, APPLY_NFIELDS };

static const struct console_input apply_inputs[APPLY_NFIELDS] = {
	{"monthly_income", N_("Monthly income (household)"), 14, 1, NULL, 0,
	    0, console_check_money},
	{"assets", N_("Assets"), 14, 1, NULL, 0, 0, console_check_money},
};

struct apply {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char id[32];
	char municipality[8];
	enum apply_mode mode;
	Spis__V1__ProgrammeList *progs;
	struct tui_list list;
	Spis__V1__ApplicationForm *form;
	struct console_form in;
	Spis__V1__Application *made;	/* the receipt's */
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint apply_hints_choose[] = {
	{"Enter", N_("Choose")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static const struct tui_hint apply_hints_form[] = {
	{"Tab", N_("Next field")},
	{"F2", N_("Submit")},
	{"Esc", N_("Back")},
	{NULL, NULL},
};

static const struct tui_hint apply_hints_receipt[] = {
	{"Enter", N_("Open the application")},
	{"Esc", N_("Back to the card")},
	{NULL, NULL},
};

/* The programme's name in the console's language, else Lithuanian. */
static const char *
apply_name(const Spis__V1__Programme *p)
{
	const char *lang = i18n_language();
	const char *lt = NULL;

	for (size_t i = 0; i < p->n_names; i++) {
		if (strcmp(p->names[i]->language, lang) == 0)
			return p->names[i]->text;
		if (strcmp(p->names[i]->language, "lt") == 0)
			lt = p->names[i]->text;
	}
	return lt != NULL ? lt : p->code;
}

static void
apply_free(struct apply *ap)
{
	if (ap->progs != NULL)
		protobuf_c_message_free_unpacked(&ap->progs->base, NULL);
	if (ap->form != NULL)
		protobuf_c_message_free_unpacked(&ap->form->base, NULL);
	if (ap->made != NULL)
		protobuf_c_message_free_unpacked(&ap->made->base, NULL);
	ap->progs = NULL;
	ap->form = NULL;
	ap->made = NULL;
	ap->list.n = ap->list.sel = 0;
}

static void
apply_item(size_t i, char *buf, size_t len, void *arg)
{
	struct apply *ap = arg;
	const Spis__V1__Programme *p = ap->progs->programmes[i];
	size_t off = 0;

	buf[0] = '\0';
	console_cell(buf, len, &off, p->code, 10);
	console_cell(buf, len, &off, apply_name(p), 44);
	console_cell(buf, len, &off, p->pillar, 16);
	console_cell(buf, len, &off, p->period, 8);
}

static void
apply_error(struct apply *ap, grpc_status_code st, const char *msg)
{
	console_status_text(st, msg, ap->note, sizeof ap->note);
	ap->note_error = 1;
}

static void
apply_programmes(struct apply *ap)
{
	Spis__V1__ListProgrammesRequest req =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.municipality = ap->municipality;
	st = console_call(ap->c, &spis__v1__programmes__descriptor, 0,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		ap->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		apply_error(ap, st, msg);
		return;
	}
	ap->progs = (Spis__V1__ProgrammeList *)resp;
	ap->list.n = ap->progs->n_programmes;
}

/* The pre-filled form for the programme chosen. */
static void
apply_choose(struct apply *ap)
{
	Spis__V1__GetApplicationFormRequest req =
	    SPIS__V1__GET_APPLICATION_FORM_REQUEST__INIT;
	const Spis__V1__Declared *dl;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512], m[32];

	if (ap->progs == NULL || ap->list.sel >= ap->progs->n_programmes)
		return;
	req.national_id = ap->id;
	req.programme = ap->progs->programmes[ap->list.sel]->code;
	ap->note[0] = '\0';
	st = console_call(ap->c, &spis__v1__applications__descriptor, 0,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		apply_error(ap, st, msg);
		return;
	}
	if (ap->form != NULL)
		protobuf_c_message_free_unpacked(&ap->form->base, NULL);
	ap->form = (Spis__V1__ApplicationForm *)resp;
	console_form_init(&ap->in, apply_inputs, APPLY_NFIELDS, ap);
	if ((dl = ap->form->declared) != NULL) {
		console_form_set(&ap->in, APPLY_INCOME,
		    console_money(dl->monthly_income, m, sizeof m));
		console_form_set(&ap->in, APPLY_ASSETS,
		    console_money(dl->assets, m, sizeof m));
	}
	ap->mode = APPLY_FORM;
	ap->s.hints = apply_hints_form;
}

static void
apply_submit(struct tui *t, int yes, void *arg)
{
	struct apply *ap = arg;
	Spis__V1__SubmitRequest req = SPIS__V1__SUBMIT_REQUEST__INIT;
	Spis__V1__Declared dl = SPIS__V1__DECLARED__INIT;
	char v[APPLY_NFIELDS][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;
	long long income, assets;

	(void)t;
	if (!yes || ap->form == NULL || ap->form->programme == NULL)
		return;
	for (int i = 0; i < APPLY_NFIELDS; i++)
		console_form_value(&ap->in, i, v[i]);
	if (console_money_parse(v[APPLY_INCOME], &income) != 0 ||
	    console_money_parse(v[APPLY_ASSETS], &assets) != 0)
		return;
	dl.monthly_income = income;
	dl.assets = assets;
	dl.confirmed = 1;
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.programme = ap->form->programme->code;
	req.national_id = ap->id;
	req.channel = "office";
	req.municipality = "";
	req.declared = &dl;
	st = console_call(ap->c, &spis__v1__applications__descriptor, 1,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return;
	if (st != GRPC_STATUS_OK) {
		apply_error(ap, st, msg);
		console_form_server_error(&ap->in, msg);
		return;
	}
	ap->made = (Spis__V1__Application *)resp;
	ap->note[0] = '\0';
	ap->mode = APPLY_RECEIPT;
	ap->s.hints = apply_hints_receipt;
}

static void
apply_confirm(struct apply *ap)
{
	const Spis__V1__Person *p = ap->form->person;
	char q[512];

	ap->note[0] = '\0';
	if (console_form_check(&ap->in) != 0)
		return;
	snprintf(q, sizeof q, _("Submit the application for %s for %s %s "
	    "(%s)? The applicant has confirmed the data shown."),
	    apply_name(ap->form->programme), p != NULL ? p->given_names : "",
	    p != NULL ? p->surname : "", ap->id);
	tui_confirm(ap->c->tui, q, apply_submit, ap);
}

static int
apply_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct apply *ap = (struct apply *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(ap->c);
		return 1;
	}
	switch (ap->mode) {
	case APPLY_CHOOSE:
		if (tui_key_is(k, 27, 0))
			tui_pop(t);
		else if (tui_key_enter(k))
			apply_choose(ap);
		else
			return tui_list_key(&ap->list, k);
		return 1;
	case APPLY_FORM:
		if (tui_key_is(k, 27, 0)) {
			console_form_wipe(&ap->in);
			ap->mode = APPLY_CHOOSE;
			ap->note[0] = '\0';
			ap->s.hints = apply_hints_choose;
		} else if (tui_key_is(k, 0, KEY_F(2)) || (tui_key_enter(k) &&
		    ap->in.focus == APPLY_NFIELDS - 1))
			apply_confirm(ap);
		else if (tui_key_enter(k))
			console_form_key(&ap->in, TUI_CHAR('\t'));
		else
			console_form_key(&ap->in, k);
		return 1;
	case APPLY_RECEIPT:
		if (tui_key_enter(k) && ap->made != NULL) {
			next = console_application_new(ap->c,
			    ap->made->reference);
			tui_pop(t);
			if (next != NULL)
				tui_push(t, next);
		} else if (tui_key_is(k, 27, 0))
			tui_pop(t);
		return 1;
	}
	return 0;
}

static void
apply_tick(struct tui *t, struct tui_screen *s)
{
	struct apply *ap = (struct apply *)s;

	(void)t;
	if (ap->rerun && ap->c->sess.active) {
		ap->rerun = 0;
		apply_programmes(ap);
	}
}

/* The reference, large: spaced out in a box, as the applicant notes it. */
static int
apply_big(struct tui *t, int y, int cols, const char *ref)
{
	char big[128];
	size_t off = 0;
	int w;

	for (const char *p = ref; *p != '\0' && off + 3 < sizeof big; p++) {
		big[off++] = *p;
		big[off++] = ' ';
	}
	if (off > 0)
		off--;
	big[off] = '\0';
	w = tui_text_width(big) + 8;
	if (w > cols - 4)
		w = cols - 4;
	tui_box(t, y, 2, 5, w);
	tui_put(t, y + 2, 6, w - 8, TUI_A_BOLD | TUI_A_REVERSE, big);
	return 5;
}

static void
apply_draw_receipt(struct apply *ap, struct tui *t, int y, int end, int cols)
{
	const Spis__V1__Application *a = ap->made;

	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Application submitted"));
	y++;
	tui_putf(t, y++, 2, cols - 4, 0, _("Reference: %s"), a->reference);
	y += apply_big(t, y, cols, a->reference) + 1;
	tui_putf(t, y++, 2, cols - 4, 0, _("Programme %s · state %s · "
	    "handled by municipality %s"), a->programme, a->state,
	    a->municipality);
	y++;
	if (a->n_flags == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("Cross-checks: no flags."));
		return;
	}
	tui_putf(t, y++, 2, cols - 4, TUI_A_ERROR,
	    _("Cross-checks raised %zu flags, for the caseworker:"), a->n_flags);
	for (size_t i = 0; i < a->n_flags && y < end; i++) {
		const Spis__V1__CrossFlag *f = a->flags[i];

		tui_putf(t, y++, 4, cols - 6, TUI_A_ERROR,
		    _("! %s: %s has %s (%s) in municipality %s"), f->kind,
		    f->national_id, f->reference, f->state, f->municipality);
	}
}

static void
apply_draw_form(struct apply *ap, struct tui *t, int y, int end, int cols)
{
	const Spis__V1__ApplicationForm *f = ap->form;
	const Spis__V1__Person *p = f->person;
	const Spis__V1__Household *h = f->household;

	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("Apply for %s (%s)"),
	    apply_name(f->programme), f->programme->code);
	tui_put(t, y++, 2, cols - 4, 0, _("Pre-filled from the registry: the "
	    "applicant confirms what is shown."));
	y++;
	if (p != NULL) {
		tui_putf(t, y++, 2, cols - 4, 0, "%-12s %s %s · %s · %s %s",
		    _("Applicant"), p->given_names, p->surname, p->national_id,
		    _("born"), p->birth_date);
		tui_putf(t, y++, 2, cols - 4, 0, "%-12s %s · %s", _("Address"),
		    p->address, p->municipality);
		tui_putf(t, y++, 2, cols - 4, 0, "%-12s %s %s · %s %s", "",
		    _("disability"), p->disability, _("employment"),
		    p->employment[0] != '\0' ? p->employment : "-");
	}
	if (h == NULL || h->id[0] == '\0')
		tui_putf(t, y++, 2, cols - 4, 0, "%-12s %s", _("Household"),
		    _("none: the applicant alone"));
	else {
		tui_putf(t, y++, 2, cols - 4, 0, _("%-12s %zu members"),
		    _("Household"), h->n_members);
		for (size_t i = 0; i < h->n_members && y < end - 8; i++)
			tui_putf(t, y++, 4, cols - 6, 0, "%-14s %-11s %s %s · %s",
			    h->members[i]->relationship,
			    h->members[i]->national_id, h->members[i]->surname,
			    h->members[i]->given_names,
			    h->members[i]->birth_date);
	}
	y++;
	tui_put(t, y++, 2, cols - 4, 0, _("Means, as amounts such as 123.45 "
	    "(the household's average of the last three months):"));
	console_form_draw(t, &ap->in, y, 2, cols - 4, 1);
	y += APPLY_NFIELDS + 1;
	if (ap->in.f[ap->in.focus].error[0] != '\0')
		tui_put(t, y - 1, 2, cols - 4, TUI_A_ERROR,
		    ap->in.f[ap->in.focus].error);
	/* The cursor again, in the focused field. */
	console_form_draw(t, &ap->in, y - APPLY_NFIELDS - 1, 2, cols - 4, 1);
}

static void
apply_draw(struct tui *t, struct tui_screen *s)
{
	struct apply *ap = (struct apply *)s;
	char head[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (ap->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2,
		    ap->note_error ? TUI_A_ERROR : TUI_A_BOLD, ap->note);
	if (ap->mode == APPLY_RECEIPT && ap->made != NULL) {
		apply_draw_receipt(ap, t, y, end - 2, cols);
		return;
	}
	if (ap->mode == APPLY_FORM && ap->form != NULL &&
	    ap->form->programme != NULL) {
		apply_draw_form(ap, t, y, end - 2, cols);
		return;
	}
	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD,
	    _("Apply for %s: choose a programme"), ap->id);
	y++;
	if (ap->progs == NULL)
		return;
	if (ap->progs->n_programmes == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No programme is open here."));
		return;
	}
	off = 0;
	head[0] = '\0';
	console_cell(head, sizeof head, &off, _("Code"), 10);
	console_cell(head, sizeof head, &off, _("Programme"), 44);
	console_cell(head, sizeof head, &off, _("Pillar"), 16);
	console_cell(head, sizeof head, &off, _("Period"), 8);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, head);
	tui_list_draw(t, &ap->list, y, 2, end - y - 3, cols - 4);
}

static void
apply_wipe(struct tui_screen *s)
{
	struct apply *ap = (struct apply *)s;

	apply_free(ap);
	console_form_wipe(&ap->in);
	explicit_bzero(ap->note, sizeof ap->note);
}

static void
apply_destroy(struct tui_screen *s)
{
	struct apply *ap = (struct apply *)s;

	apply_free(ap);
	free(ap);
}

struct tui_screen *
console_apply_new(struct console *c, const char *national_id,
    const char *municipality)
{
	struct apply *ap;

	if ((ap = calloc(1, sizeof *ap)) == NULL)
		return NULL;
	ap->c = c;
	console_copy(ap->id, sizeof ap->id, national_id);
	console_copy(ap->municipality, sizeof ap->municipality, municipality);
	ap->list.item = apply_item;
	ap->list.arg = ap;
	ap->rerun = 1;
	ap->s.draw = apply_draw;
	ap->s.key = apply_key;
	ap->s.tick = apply_tick;
	ap->s.wipe = apply_wipe;
	ap->s.destroy = apply_destroy;
	ap->s.hints = apply_hints_choose;
	return &ap->s;
}
