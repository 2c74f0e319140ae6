/*
 * benefits.c: "My benefits and payments", for the identified citizen: each
 * benefit with whether it is being paid, its amount and the next payment
 * day; Enter opens one (its dates, the last payments with what became of
 * each in plain words, and the yearly review's informative calculation
 * while it is open).  While the last day to object has not passed, the
 * citizen may object to the calculation, with a reason if they like; the
 * receipt says what happens next.  The objection is sent with a request_id
 * made when its form opens, so that a retry does not object twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "spis/v1/citizen.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "i18n.h"
#include "apps.h"

#define BEN_TRIES 3   /* automatic tries of one objection */
#define BEN_PAUSE_S 1 /* between them */

enum ben_view {
	BEN_LIST,
	BEN_ONE,
	BEN_OBJECT,
	BEN_DONE,
};

struct benefits {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	enum ben_view view;
	int loaded;
	int busy;
	char error[KIOSK_MSG_MAX];

	Spis__V1__MyBenefitList *list;
	Spis__V1__ProgrammeList *progs; /* names in the language on show */
	struct tui_list menu;
	struct kiosk_page page;		/* the benefit opened */
	const Spis__V1__MyRenewal *open; /* its calculation one may object to */

	struct tui_field reason;
	char request_id[40];
	char done[KIOSK_MSG_MAX]; /* what the objection did */

	struct tui_hint hints[6];
};

/* The bank's reason codes (ISO 20022 ExternalStatusReason) a citizen is
 * most likely to meet, in words a volunteer can explain. */
static const struct {
	const char *code, *words;
} ben_bank_reasons[] = {
	{"AC01", N_("the account number is wrong")},
	{"AC04", N_("the bank account is closed")},
	{"AC06", N_("the bank account is blocked")},
	{"AG01", N_("the bank does not take this kind of payment to the "
	    "account")},
	{"BE01", N_("the name does not match the account")},
	{"MD07", N_("the bank was told the account holder has died")},
	{"MS03", N_("the bank gave no reason")},
};

static const Spis__V1__MyBenefit *
ben_chosen(const struct benefits *b)
{
	if (b->list == NULL || b->menu.sel >= b->list->n_benefits)
		return NULL;
	return b->list->benefits[b->menu.sel];
}

/* The programme's name in the language on show; else as the daemon gave
 * it (in the citizen's language). */
static const char *
ben_programme(const struct benefits *b, const Spis__V1__MyBenefit *x)
{
	if (b->progs != NULL)
		for (size_t i = 0; i < b->progs->n_programmes; i++)
			if (strcmp(b->progs->programmes[i]->code,
			    x->programme) == 0)
				return kiosk_programme_name(
				    b->progs->programmes[i]);
	return x->programme_name[0] != '\0' ? x->programme_name :
	    x->programme;
}

/* A benefit's state in plain words. */
static const char *
ben_state_words(const char *state)
{
	if (strcmp(state, "active") == 0)
		return _("Being paid");
	if (strcmp(state, "suspended") == 0)
		return _("Paused");
	if (strcmp(state, "ended") == 0)
		return _("Ended");
	return state;
}

/* A payment's status in plain words. */
static const char *
ben_status_words(const char *status)
{
	if (strcmp(status, "pending") == 0)
		return _("Being prepared");
	if (strcmp(status, "sent") == 0)
		return _("Sent to your bank");
	if (strcmp(status, "paid") == 0)
		return _("Paid");
	if (strcmp(status, "failed") == 0)
		return _("Not paid");
	if (strcmp(status, "returned") == 0)
		return _("Returned by the bank");
	return status;
}

/* The bank's reason in words when it starts with a code we know, else
 * NULL. */
static const char *
ben_bank_words(const char *reason)
{
	for (size_t i = 0; i < sizeof ben_bank_reasons /
	    sizeof ben_bank_reasons[0]; i++)
		if (strncmp(reason, ben_bank_reasons[i].code, 4) == 0 &&
		    strchr(" :-", reason[4]) != NULL)
			return _(ben_bank_reasons[i].words);
	return NULL;
}

/* "EUR 110.00 a month", or without the period when it is unknown. */
static void
ben_amount(const Spis__V1__MyBenefit *x, long long minor, char *buf,
    size_t len)
{
	char money[KIOSK_MONEY_MAX];
	const char *per = kiosk_period_words(x->period);

	kiosk_money_text(minor, x->currency, money, sizeof money);
	snprintf(buf, len, "%s%s%s", money, per[0] != '\0' ? " " : "", per);
}

/* The widest of the item's column across the list, in columns. */
static int
ben_width(const struct benefits *b, int col)
{
	char amount[KIOSK_MSG_MAX];
	int w = 0, x;

	for (size_t i = 0; b->list != NULL && i < b->list->n_benefits; i++) {
		const Spis__V1__MyBenefit *it = b->list->benefits[i];

		if (col == 0)
			x = tui_text_width(ben_programme(b, it));
		else if (col == 1)
			x = tui_text_width(ben_state_words(it->state));
		else {
			ben_amount(it, it->amount, amount, sizeof amount);
			x = tui_text_width(amount);
		}
		if (x > w)
			w = x;
	}
	return w;
}

/* Pads s with spaces to w columns (cutting it when wider) into buf. */
static void
ben_pad(const char *s, int w, char *buf, size_t len)
{
	int used;
	size_t n = tui_text_fit(s, w, &used);

	snprintf(buf, len, "%.*s%*s", (int)n, s, w - used, "");
}

/* A row of the list: programme, state, amount, next payment. */
static void
ben_columns(const struct benefits *b, const char *prog, const char *state,
    const char *amount, const char *next, char *buf, size_t len)
{
	char c0[KIOSK_MSG_MAX], c1[KIOSK_MSG_MAX], c2[KIOSK_MSG_MAX];
	int w0 = ben_width(b, 0), w1 = ben_width(b, 1), w2 = ben_width(b, 2);

	if (w0 > 36)
		w0 = 36;
	if (tui_text_width(_("Programme")) > w0)
		w0 = tui_text_width(_("Programme"));
	if (tui_text_width(_("Now")) > w1)
		w1 = tui_text_width(_("Now"));
	if (tui_text_width(_("Amount")) > w2)
		w2 = tui_text_width(_("Amount"));
	ben_pad(prog, w0, c0, sizeof c0);
	ben_pad(state, w1, c1, sizeof c1);
	ben_pad(amount, w2, c2, sizeof c2);
	snprintf(buf, len, "%s  %s  %s  %s", c0, c1, c2, next);
}

static void
ben_item(size_t i, char *buf, size_t len, void *arg)
{
	struct benefits *b = arg;
	const Spis__V1__MyBenefit *x;
	char amount[KIOSK_MSG_MAX];

	if (b->list == NULL || i >= b->list->n_benefits)
		return;
	x = b->list->benefits[i];
	ben_amount(x, x->amount, amount, sizeof amount);
	ben_columns(b, ben_programme(b, x), ben_state_words(x->state), amount,
	    x->next_payment, buf, len);
}

static void
ben_set_hints(struct benefits *b)
{
	int i = 0;

	switch (b->view) {
	case BEN_LIST:
		b->hints[i++] = (struct tui_hint){"Enter", N_("Open")};
		break;
	case BEN_ONE:
		if (b->open != NULL)
			b->hints[i++] = (struct tui_hint){"1",
			    N_("I object")};
		b->hints[i++] = (struct tui_hint){"↑ ↓", N_("Scroll")};
		break;
	case BEN_OBJECT:
		b->hints[i++] = (struct tui_hint){"Enter",
		    N_("Send the objection")};
		break;
	case BEN_DONE:
		b->hints[i++] = (struct tui_hint){"Enter", N_("Done")};
		break;
	}
	b->hints[i++] = (struct tui_hint){"F2", N_("Back")};
	b->hints[i++] = (struct tui_hint){"Esc", b->k->vol.active ?
	    N_("Finish with this citizen") : N_("Leave")};
	b->hints[i] = (struct tui_hint){NULL, NULL};
}

static void
ben_go(struct benefits *b, enum ben_view view)
{
	b->view = view;
	b->error[0] = '\0';
	if (view == BEN_OBJECT) {
		tui_field_wipe(&b->reason);
		kiosk_request_id(b->request_id, sizeof b->request_id);
	}
	ben_set_hints(b);
}

/* The page's lines about one open calculation of the yearly review. */
static void
ben_open_renewal(struct benefits *b, const Spis__V1__MyBenefit *x,
    const Spis__V1__MyRenewal *r)
{
	struct kiosk_page *p = &b->page;
	char now[KIOSK_MSG_MAX], then[KIOSK_MSG_MAX];

	kiosk_page_add(p, TUI_A_BOLD, 0, "%s",
	    _("The yearly review (an informative calculation):"));
	ben_amount(x, r->old_amount, now, sizeof now);
	if (r->eligible) {
		ben_amount(x, r->new_amount, then, sizeof then);
		kiosk_page_add(p, TUI_A_NORMAL, 2,
		    _("You still qualify. From the review on: %s (now %s)."),
		    then, now);
	} else
		kiosk_page_add(p, TUI_A_NORMAL, 2,
		    _("By the review you no longer qualify: the benefit would "
		      "end (now %s)."), now);
	if (r->explanation[0] != '\0')
		kiosk_page_add(p, TUI_A_NORMAL, 2, _("Why: %s"),
		    r->explanation);
	if (strcmp(r->state, "objected") == 0) {
		if (strcmp(r->reason, "") != 0)
			kiosk_page_add(p, TUI_A_NORMAL, 2,
			    _("You objected: %s"), r->reason);
		kiosk_page_add(p, TUI_A_BOLD, 2, "%s",
		    _("A social worker is looking at your objection; you "
		      "will get a letter with the answer. Until then the "
		      "amount stays as it is."));
	} else if (r->can_object) {
		kiosk_page_add(p, TUI_A_BOLD, 2,
		    _("If you disagree, you may object until %s: press 1. "
		      "If you do nothing, the calculation takes effect after "
		      "that day."), r->objection_until);
		if (b->open == NULL)
			b->open = r;
	} else
		kiosk_page_add(p, TUI_A_NORMAL, 2,
		    _("The last day to object was %s. The calculation takes "
		      "effect shortly."), r->objection_until);
	kiosk_page_add(p, 0, 0, "%s", "");
}

/* Opens the chosen benefit as a page. */
static void
ben_open(struct benefits *b)
{
	const Spis__V1__MyBenefit *x = ben_chosen(b);
	struct kiosk_page *p = &b->page;
	char amount[KIOSK_MSG_MAX];
	const char *words;

	if (x == NULL)
		return;
	kiosk_page_clear(p);
	b->open = NULL;
	kiosk_page_add(p, TUI_A_BOLD, 0, "%s", ben_programme(b, x));
	if (x->application[0] != '\0')
		kiosk_page_add(p, TUI_A_NORMAL, 0, _("Application %s"),
		    x->application);
	kiosk_page_add(p, 0, 0, "%s", "");
	if (strcmp(x->state, "ended") == 0)
		kiosk_page_add(p, TUI_A_BOLD, 0, _("Now: Ended on %s"),
		    x->end_date);
	else
		kiosk_page_add(p, TUI_A_BOLD, 0, _("Now: %s"),
		    ben_state_words(x->state));
	if (x->exit_reason[0] != '\0')
		kiosk_page_add(p, TUI_A_NORMAL, 2, _("Why: %s"),
		    x->exit_reason);
	ben_amount(x, x->amount, amount, sizeof amount);
	kiosk_page_add(p, TUI_A_NORMAL, 0, _("Amount: %s"), amount);
	kiosk_page_add(p, TUI_A_NORMAL, 0, _("Since: %s"), x->start_date);
	if (x->next_payment[0] != '\0')
		kiosk_page_add(p, TUI_A_BOLD, 0, _("Next payment: %s"),
		    x->next_payment);
	else if (strcmp(x->state, "suspended") == 0)
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("No payments while the benefit is paused. A social "
		      "support office can tell you why."));
	kiosk_page_add(p, 0, 0, "%s", "");
	for (size_t i = 0; i < x->n_renewals; i++)
		ben_open_renewal(b, x, x->renewals[i]);
	if (x->n_payments == 0)
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("No payments yet."));
	else
		kiosk_page_add(p, TUI_A_NORMAL, 0, "%s",
		    _("The last payments, newest first:"));
	for (size_t i = 0; i < x->n_payments; i++) {
		const Spis__V1__MyPayment *y = x->payments[i];
		char money[KIOSK_MONEY_MAX];

		kiosk_money_text(y->amount, y->currency, money, sizeof money);
		kiosk_page_add(p, TUI_A_NORMAL, 2, "%-7s  %s  %s", y->period,
		    money, ben_status_words(y->status));
		if (strcmp(y->status, "failed") != 0 &&
		    strcmp(y->status, "returned") != 0)
			continue;
		if (y->reason[0] == '\0')
			kiosk_page_add(p, TUI_A_NORMAL, 4, "%s",
			    _("Why: the bank gave no reason."));
		else if ((words = ben_bank_words(y->reason)) != NULL)
			kiosk_page_add(p, TUI_A_NORMAL, 4,
			    _("Why: %s (the bank said \"%s\")."), words,
			    y->reason);
		else
			kiosk_page_add(p, TUI_A_NORMAL, 4,
			    _("Why: the bank said \"%s\"."), y->reason);
		kiosk_page_add(p, TUI_A_NORMAL, 4, "%s",
		    _("Check your bank account details with a social support "
		      "office; the payment is made again once they are "
		      "right."));
	}
	ben_go(b, BEN_ONE);
}

/* Citizen.ListMyBenefits, and the catalogue (public) for the programmes'
 * names once.  Returns 1 when the screen has left the stack. */
static int
ben_load(struct benefits *b)
{
	Spis__V1__ListMyBenefitsRequest req =
	    SPIS__V1__LIST_MY_BENEFITS_REQUEST__INIT;
	Spis__V1__ListProgrammesRequest preq =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	char msg[KIOSK_MSG_MAX];
	grpc_status_code st;

	kiosk_msg_free(b->list != NULL ? &b->list->base : NULL);
	b->list = NULL;
	b->menu.n = 0;
	b->busy = 1;
	tui_redraw(b->k->tui);
	/* Citizen.ListMyBenefits */
	st = kiosk_call(b->k, &spis__v1__citizen__descriptor, 11, &req.base,
	    (ProtobufCMessage **)&b->list, KIOSK_CALL_MS, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	b->busy = 0;
	if (st != GRPC_STATUS_OK) {
		kiosk_status_text(st, msg, b->error, sizeof b->error);
		return 0;
	}
	/* Without the catalogue the daemon's names are shown. */
	preq.include_closed = 1;
	if (b->progs == NULL && kiosk_call(b->k,
	    &spis__v1__programmes__descriptor, 0, &preq.base,
	    (ProtobufCMessage **)&b->progs, KIOSK_CALL_MS, msg, sizeof msg) ==
	    GRPC_STATUS_UNAUTHENTICATED)
		return 1;
	b->loaded = 1;
	b->menu.n = b->list->n_benefits;
	if (b->menu.sel >= b->menu.n)
		b->menu.sel = 0;
	return 0;
}

/* Citizen.ObjectMine with the reason typed, if any.  Returns 1 when the
 * screen has left the stack. */
static int
ben_object(struct benefits *b)
{
	Spis__V1__ObjectMineRequest req = SPIS__V1__OBJECT_MINE_REQUEST__INIT;
	const Spis__V1__MyBenefit *x = ben_chosen(b);
	Spis__V1__MyRenewal *r = NULL;
	char reason[TUI_FIELD_MAX * 4 + 1], msg[KIOSK_MSG_MAX];
	char amount[KIOSK_MSG_MAX];
	grpc_status_code st = GRPC_STATUS_UNAVAILABLE;

	if (x == NULL || b->open == NULL)
		return 0;
	tui_field_value(&b->reason, reason, sizeof reason);
	req.request_id = b->request_id;
	req.renewal_id = b->open->id;
	req.reason = reason;
	b->busy = 1;
	b->error[0] = '\0';
	for (int i = 0; i < BEN_TRIES; i++) {
		tui_redraw(b->k->tui);
		/* Citizen.ObjectMine */
		st = kiosk_call(b->k, &spis__v1__citizen__descriptor, 12,
		    &req.base, (ProtobufCMessage **)&r, KIOSK_CALL_MS, msg,
		    sizeof msg);
		if (st == GRPC_STATUS_UNAUTHENTICATED) {
			explicit_bzero(reason, sizeof reason);
			return 1;
		}
		if (st != GRPC_STATUS_UNAVAILABLE &&
		    st != GRPC_STATUS_DEADLINE_EXCEEDED)
			break;
		if (i + 1 < BEN_TRIES)
			nanosleep(&(struct timespec){BEN_PAUSE_S, 0}, NULL);
	}
	explicit_bzero(reason, sizeof reason);
	b->busy = 0;
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAVAILABLE ||
		    st == GRPC_STATUS_DEADLINE_EXCEEDED)
			snprintf(b->error, sizeof b->error, "%s",
			    _("Cannot reach the SPIS server just now. Press "
			      "Enter to try again: the objection will not be "
			      "sent twice."));
		else if (st == GRPC_STATUS_FAILED_PRECONDITION ||
		    st == GRPC_STATUS_NOT_FOUND)
			/* The window closed, or the calculation was settled
			 * or objected to, since the list was read. */
			snprintf(b->error, sizeof b->error, "%s",
			    _("The objection was not recorded: this "
			      "calculation can no longer be objected to here "
			      "(the last day has passed, or it was objected "
			      "to already). Press F2 twice to see it as it is "
			      "now, or ask at a social support office."));
		else
			kiosk_status_text(st, msg, b->error, sizeof b->error);
		return 0;
	}
	ben_amount(x, r->old_amount, amount, sizeof amount);
	snprintf(b->done, sizeof b->done,
	    _("Your objection to the yearly review of \"%s\" was recorded "
	      "before the last day, %s. A social worker looks at the "
	      "calculation again and you get a letter with the answer. Until "
	      "then nothing changes: you keep getting %s."),
	    ben_programme(b, x), r->objection_until, amount);
	kiosk_msg_free(&r->base);
	ben_go(b, BEN_DONE);
	return 0;
}

static void
ben_send(struct tui *t, int yes, void *arg)
{
	struct benefits *b = arg;

	(void)t;
	if (yes)
		ben_object(b);
}

static int
ben_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct benefits *b = (struct benefits *)s;

	if (b->busy)
		return 1;
	if (tui_key_is(k, 27, 0)) {
		kiosk_finish(b->k);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2))) {
		if (b->view == BEN_LIST)
			tui_pop(t);
		else if (b->view == BEN_OBJECT)
			ben_go(b, BEN_ONE);
		else {
			/* Read again: a review may have moved on. */
			ben_go(b, BEN_LIST);
			b->loaded = 0;
		}
		return 1;
	}
	switch (b->view) {
	case BEN_LIST:
		if (tui_key_enter(k) && !b->loaded)
			b->error[0] = '\0'; /* the tick reads again */
		else if (tui_key_enter(k))
			ben_open(b);
		else
			tui_list_key(&b->menu, k);
		break;
	case BEN_ONE:
		if (tui_key_is(k, '1', 0) && b->open != NULL)
			ben_go(b, BEN_OBJECT);
		else
			kiosk_page_key(&b->page, k);
		break;
	case BEN_OBJECT:
		if (tui_key_enter(k))
			tui_confirm(t, _("Send this objection now?"), ben_send,
			    b);
		else
			tui_field_key(&b->reason, k);
		break;
	case BEN_DONE:
		if (tui_key_enter(k)) {
			ben_go(b, BEN_LIST);
			b->loaded = 0; /* the tick reads the new state */
		}
		break;
	}
	return 1;
}

static void
ben_tick(struct tui *t, struct tui_screen *s)
{
	struct benefits *b = (struct benefits *)s;

	(void)t;
	if (b->view == BEN_LIST && !b->loaded && b->error[0] == '\0')
		ben_load(b);
}

static void
ben_draw_list(struct tui *t, struct benefits *b, int y, int end, int cols)
{
	char head[512];

	if (!b->loaded)
		return;
	if (b->list->n_benefits == 0) {
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_NORMAL,
		    _("You have no benefits yet. When an application is "
		      "approved, the benefit and its payments are shown "
		      "here."));
		return;
	}
	y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
	    _("Your benefits, newest first. Choose one with ↑ ↓ and press "
	      "Enter to see its payments and any yearly review.")) + 1;
	ben_columns(b, _("Programme"), _("Now"), _("Amount"),
	    _("Next payment"), head, sizeof head);
	tui_put(t, y++, 6, cols - 8, TUI_A_UNDERLINE, head);
	tui_list_draw(t, &b->menu, y, 4, end - y, cols - 8);
}

static void
ben_draw(struct tui *t, struct tui_screen *s)
{
	struct benefits *b = (struct benefits *)s;
	int top, rows, cols, y, end;
	const char *title;

	tui_body(t, &top, &rows, &cols);
	end = top + rows - 2; /* the last two rows are for problems */
	switch (b->view) {
	case BEN_OBJECT:
	case BEN_DONE:
		title = _("Object to a yearly review");
		break;
	default:
		title = _("My benefits and payments");
		break;
	}
	y = kiosk_heading(t, top + 1, cols, 0, 0, title);
	if (b->busy && b->view == BEN_LIST) {
		tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Please wait…"));
		return;
	}
	switch (b->view) {
	case BEN_LIST:
		ben_draw_list(t, b, y, end, cols);
		break;
	case BEN_ONE:
		kiosk_page_draw(t, &b->page, y, 2, end - y, cols - 4);
		break;
	case BEN_OBJECT:
		if (ben_chosen(b) != NULL)
			y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_BOLD,
			    ben_programme(b, ben_chosen(b))) + 1;
		y += tui_wrap(t, y, 2, cols - 4, 4, TUI_A_NORMAL,
		    _("You may say in a few words why you disagree with the "
		      "calculation; a social worker reads it when looking at "
		      "it again. You may also leave it empty. Press Enter to "
		      "send.")) + 1;
		tui_put(t, y++, 2, cols - 4, TUI_A_BOLD,
		    _("Reason (if you like)"));
		tui_field_draw_at(t, &b->reason, y++, 2, cols - 4, 1);
		y += 2;
		if (b->busy && y < end)
			tui_put(t, y, 2, cols - 4, TUI_A_NORMAL, _("Sending…"));
		break;
	case BEN_DONE:
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_BOLD, b->done);
		break;
	}
	if (b->error[0] != '\0')
		tui_wrap(t, end, 2, cols - 4, 2, TUI_A_ERROR, b->error);
}

static void
ben_wipe(struct tui_screen *s)
{
	struct benefits *b = (struct benefits *)s;

	kiosk_msg_free(b->list != NULL ? &b->list->base : NULL);
	b->list = NULL;
	kiosk_msg_free(b->progs != NULL ? &b->progs->base : NULL);
	b->progs = NULL;
	b->open = NULL;
	b->menu.n = b->menu.sel = 0;
	b->loaded = 0;
	kiosk_page_clear(&b->page);
	tui_field_wipe(&b->reason);
	explicit_bzero(b->error, sizeof b->error);
	explicit_bzero(b->done, sizeof b->done);
	explicit_bzero(b->request_id, sizeof b->request_id);
}

static void
ben_destroy(struct tui_screen *s)
{
	ben_wipe(s);
	free(s);
}

struct tui_screen *
kiosk_benefits_new(struct kiosk *k)
{
	struct benefits *b;

	if ((b = calloc(1, sizeof *b)) == NULL)
		return NULL;
	b->k = k;
	b->menu.item = ben_item;
	b->menu.arg = b;
	b->reason = (struct tui_field){.label = N_("Reason"),
	    .maxlen = TUI_FIELD_MAX};
	b->s.draw = ben_draw;
	b->s.key = ben_key;
	b->s.tick = ben_tick;
	b->s.wipe = ben_wipe;
	b->s.destroy = ben_destroy;
	b->s.hints = b->hints;
	ben_go(b, BEN_LIST);
	return &b->s;
}
