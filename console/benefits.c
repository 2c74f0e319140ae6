/*
 * benefits.c: what the person card leads to about money.  The page of one
 * benefit shows its state, amount and every change with who, why and the
 * amount from then on, and offers suspend, resume and end as the state and
 * the officer's roles allow.  The bank account dialog checks the IBAN as
 * it is typed with the daemon's own check (lib/iban.h).  A notice's letter
 * is shown on a page that scrolls, as it would be printed.  The daemon
 * decides every change; its refusal is shown in its own words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "iban.h"
#include "spis/v1/benefits.pb-c.h"

#include "console.h"
#include "i18n.h"

/* The methods of spis.v1.Benefits and spis.v1.Notices, by their place in
 * the proto. */
enum {
	BEN_LIST = 0,
	BEN_SUSPEND = 1,
	BEN_RESUME = 2,
	BEN_END = 3,
	BEN_SET_ACCOUNT = 4,
	NOTICE_LETTER = 1,
};

const char *
console_iban(const char *iban, char *buf, size_t len)
{
	size_t off = 0, n = 0;

	if (len == 0)
		return buf;
	for (const char *p = iban; *p != '\0' && off + 2 < len; p++) {
		if (*p == ' ')
			continue;
		if (n > 0 && n % 4 == 0)
			buf[off++] = ' ';
		buf[off++] = *p;
		n++;
	}
	buf[off] = '\0';
	return buf;
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57". */
static const char *
ben_time(const char *at, char *buf, size_t len)
{
	snprintf(buf, len, "%.16s", at);
	if (strlen(buf) > 10)
		buf[10] = ' ';
	return buf;
}

static const char *
ben_or(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

/* ------------------------------------------------------------------------
 * The bank account.
 */

/* The IBAN as the officer types it: the daemon's check, so that a typo is
 * named before anything is sent. */
static const char *
bank_check_iban(struct console_form *f, int i, const char *v)
{
	char out[64], why[192];

	(void)i;
	if (iban_check(v, out, sizeof out, why, sizeof why) == 0)
		return NULL;
	snprintf(f->why, sizeof f->why, _("not a valid IBAN: %s"), why);
	return f->why;
}

const struct console_input console_bank_inputs[CONSOLE_BANK_NFIELDS] = {
	{"account.iban", N_("IBAN"), 42, 1, NULL, 0, 0, bank_check_iban},
	{"account.holder", N_("Account holder"), 100, 1, NULL, 0, 0, NULL},
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

int
console_bank_send(struct console *c, struct console_form *f,
    const char *national_id, char *err, size_t errlen)
{
	Spis__V1__SetBankAccountRequest req =
	    SPIS__V1__SET_BANK_ACCOUNT_REQUEST__INIT;
	Spis__V1__BankAccount acct = SPIS__V1__BANK_ACCOUNT__INIT;
	char v[CONSOLE_BANK_NFIELDS][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	for (int i = 0; i < CONSOLE_BANK_NFIELDS; i++)
		console_form_value(f, i, v[i]);
	console_request_id(rid, sizeof rid);
	acct.national_id = (char *)national_id;
	acct.iban = v[0];
	acct.holder = v[1];
	req.request_id = rid;
	req.account = &acct;
	req.reason = v[2];
	st = console_call(c, &spis__v1__benefits__descriptor, BEN_SET_ACCOUNT,
	    &req.base, &resp, msg, sizeof msg);
	explicit_bzero(v, sizeof v);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	return 0;
}

/* ------------------------------------------------------------------------
 * A notice's letter.
 */

int
console_letter_show(struct console *c, int64_t notice_id, const char *subject,
    char *note, size_t len)
{
	Spis__V1__GetLetterRequest req = SPIS__V1__GET_LETTER_REQUEST__INIT;
	const Spis__V1__Letter *l;
	ProtobufCMessage *resp;
	grpc_status_code st;
	struct console_doc *d;
	struct tui_screen *s;
	char msg[512], title[256];
	const char *p, *nl;

	req.notice_id = notice_id;
	st = console_call(c, &spis__v1__notices__descriptor, NOTICE_LETTER,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		note[0] = '\0';
		return -1;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, note, len);
		return -1;
	}
	l = (const Spis__V1__Letter *)resp;
	if ((d = console_doc_new()) == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		return -1;
	}
	/* One doc line per line of the letter, so that its layout stays. */
	for (p = l->text; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		console_doc_add(d, 0, 0, "%.*s", (int)(nl - p), p);
	}
	explicit_bzero(l->text, strlen(l->text));
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(title, sizeof title, _("Letter: %s"), subject);
	if ((s = console_doc_screen_new(c, title, d)) != NULL)
		tui_push(c->tui, s);
	return 0;
}

/* ------------------------------------------------------------------------
 * The page of one benefit.
 */

struct ben {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char id[32];	     /* the person's national ID */
	int64_t bid;
	Spis__V1__BenefitList *list; /* the person's, or NULL */
	const Spis__V1__Benefit *b;  /* the one shown, in list */
	struct console_doc *doc;
	char note[512];
	int note_error;
	int rerun;
	int action;	     /* BEN_SUSPEND, BEN_RESUME or BEN_END */
};

static const struct tui_hint ben_hints[] = {
	{"↑↓ PgUp/Dn", N_("Scroll")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
ben_free(struct ben *e)
{
	if (e->list != NULL)
		protobuf_c_message_free_unpacked(&e->list->base, NULL);
	e->list = NULL;
	e->b = NULL;
}

static void
ben_build(struct ben *e)
{
	const Spis__V1__Benefit *b = e->b;
	struct console_doc *d = e->doc;
	char t1[32], m1[32];

	console_doc_clear(d);
	if (b == NULL)
		return;
	console_doc_add(d, 0, 0, _("Application %s · municipality %s"),
	    ben_or(b->application), ben_or(b->municipality));
	console_doc_add(d, 0, TUI_A_BOLD, _("Amount %s %s per period (%s)"),
	    console_money(b->amount, m1, sizeof m1), b->currency, b->period);
	console_doc_add(d, 0, 0, _("Since %s"), ben_or(b->start_date));
	/* Raised by an institution's income facts; suspend, resume or end
	 * settles it. */
	if (b->review_reason[0] != '\0')
		console_doc_add(d, 0, TUI_A_ERROR, _("For review since %.10s: "
		    "%s"), b->review_since, b->review_reason);
	if (b->end_date[0] != '\0')
		console_doc_add(d, 0, TUI_A_BOLD, _("Ended on %s: %s"),
		    b->end_date, ben_or(b->exit_reason));
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("History"));
	for (size_t i = 0; i < b->n_changes; i++) {
		const Spis__V1__BenefitChange *ch = b->changes[i];

		console_doc_add(d, 2, 0, _("%s  %s → %s  by %s · amount %s · %s"),
		    ben_time(ch->at, t1, sizeof t1), ben_or(ch->from_state),
		    ch->to_state, ch->actor, console_money(ch->amount, m1,
		    sizeof m1), ben_or(ch->reason));
	}
}

static void
ben_fetch(struct ben *e)
{
	Spis__V1__ListBenefitsRequest req =
	    SPIS__V1__LIST_BENEFITS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.national_id = e->id;
	st = console_call(e->c, &spis__v1__benefits__descriptor, BEN_LIST,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		e->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, e->note, sizeof e->note);
		e->note_error = 1;
		return;
	}
	ben_free(e);
	e->list = (Spis__V1__BenefitList *)resp;
	for (size_t i = 0; i < e->list->n_benefits; i++)
		if (e->list->benefits[i]->id == e->bid)
			e->b = e->list->benefits[i];
	if (e->b == NULL) {
		snprintf(e->note, sizeof e->note,
		    _("Benefit %lld is no longer listed for this person."),
		    (long long)e->bid);
		e->note_error = 1;
	}
	ben_build(e);
}

static int
ben_state_is(const struct ben *e, const char *state)
{
	return e->b != NULL && strcmp(e->b->state, state) == 0;
}

static const struct console_input ben_reason[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
	{"date", N_("End date (empty: today)"), 10, 0, NULL, 0, 1, NULL},
};

static int
ben_send(struct console *c, struct console_form *f, void *arg, char *err,
    size_t errlen)
{
	struct ben *e = arg;
	Spis__V1__BenefitChangeRequest req =
	    SPIS__V1__BENEFIT_CHANGE_REQUEST__INIT;
	char v[2][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;
	const char *done;

	console_form_value(f, 0, v[0]);
	v[1][0] = '\0';
	if (f->n > 1)
		console_form_value(f, 1, v[1]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.benefit_id = e->bid;
	req.reason = v[0];
	req.date = v[1];
	st = console_call(c, &spis__v1__benefits__descriptor,
	    (unsigned)e->action, &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	switch (e->action) {
	case BEN_SUSPEND:
		done = _("The benefit was suspended.");
		break;
	case BEN_RESUME:
		done = _("The benefit was resumed.");
		break;
	default:
		done = _("The benefit was ended.");
		break;
	}
	console_copy(e->note, sizeof e->note, done);
	e->note_error = 0;
	e->rerun = 1;
	return 0;
}

static void
ben_ask(struct ben *e, int action, const char *title)
{
	struct tui_screen *d;

	e->action = action;
	e->note[0] = '\0';
	d = console_dialog_new(e->c, title, ben_reason,
	    action == BEN_END ? 2 : 1, ben_send, NULL, e);
	if (d != NULL)
		tui_push(e->c->tui, d);
}

static int
ben_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct ben *e = (struct ben *)s;
	const struct console_session *ss = &e->c->sess;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(e->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		e->note[0] = '\0';
		ben_fetch(e);
		return 1;
	}
	if (e->b == NULL || k.fn || !ss->can_benefit_write)
		return console_doc_key(e->doc, k);
	switch (k.c) {
	case 's':
		if (ben_state_is(e, "active"))
			ben_ask(e, BEN_SUSPEND, _("Suspend the benefit: why?"));
		return 1;
	case 'u':
		if (ben_state_is(e, "suspended"))
			ben_ask(e, BEN_RESUME, _("Resume the benefit: why?"));
		return 1;
	case 'e':
		if (ben_state_is(e, "active") || ben_state_is(e, "suspended"))
			ben_ask(e, BEN_END, _("End the benefit: why, and "
			    "from when?"));
		return 1;
	}
	return 0;
}

static void
ben_tick(struct tui *t, struct tui_screen *s)
{
	struct ben *e = (struct ben *)s;

	(void)t;
	if (e->rerun && e->c->sess.active) {
		e->rerun = 0;
		ben_fetch(e);
	}
}

static void
ben_draw(struct tui *t, struct tui_screen *s)
{
	struct ben *e = (struct ben *)s;
	const struct console_session *ss = &e->c->sess;
	char keys[256];
	int top, rows, cols, y, end;
	size_t off = 0;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (e->b == NULL) {
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Benefit %lld"),
		    (long long)e->bid);
		if (e->note[0] != '\0')
			tui_wrap(t, y + 2, 2, cols - 4, 3,
			    e->note_error ? TUI_A_ERROR : 0, e->note);
		return;
	}
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Benefit %lld · %s · %s"),
	    (long long)e->bid, e->b->programme, e->id);
	tui_put(t, y, cols - 2 - tui_text_width(e->b->state),
	    tui_text_width(e->b->state), TUI_A_REVERSE, e->b->state);
	y += 2;
	console_doc_draw(t, e->doc, y, 2, end - y - 3, cols - 4);
	if (e->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 1,
		    e->note_error ? TUI_A_ERROR : TUI_A_BOLD, e->note);
	keys[0] = '\0';
#define BEN_KEY(cond, key, what)					\
	do {								\
		if ((cond) && off < sizeof keys)			\
			off += snprintf(keys + off, sizeof keys - off,	\
			    "%s%s %s", off > 0 ? " · " : "", key, what);\
	} while (0)
	BEN_KEY(ss->can_benefit_write && ben_state_is(e, "active"), "s",
	    _("Suspend"));
	BEN_KEY(ss->can_benefit_write && ben_state_is(e, "suspended"), "u",
	    _("Resume"));
	BEN_KEY(ss->can_benefit_write && !ben_state_is(e, "ended"), "e",
	    _("End"));
#undef BEN_KEY
	if (keys[0] != '\0')
		tui_put(t, end - 1, 2, cols - 4, 0, keys);
}

static void
ben_wipe(struct tui_screen *s)
{
	struct ben *e = (struct ben *)s;

	ben_free(e);
	console_doc_clear(e->doc);
	explicit_bzero(e->note, sizeof e->note);
}

static void
ben_destroy(struct tui_screen *s)
{
	struct ben *e = (struct ben *)s;

	ben_free(e);
	console_doc_free(e->doc);
	free(e);
}

struct tui_screen *
console_benefit_new(struct console *c, const char *national_id,
    int64_t benefit_id)
{
	struct ben *e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return NULL;
	if ((e->doc = console_doc_new()) == NULL) {
		free(e);
		return NULL;
	}
	e->c = c;
	console_copy(e->id, sizeof e->id, national_id);
	e->bid = benefit_id;
	e->rerun = 1;
	e->s.draw = ben_draw;
	e->s.key = ben_key;
	e->s.tick = ben_tick;
	e->s.wipe = ben_wipe;
	e->s.destroy = ben_destroy;
	e->s.hints = ben_hints;
	return &e->s;
}
