/*
 * volunteer.c: a volunteer's login at the kiosk, which starts assisted
 * mode.  As at the officer console (console/login.c), the daemon relays
 * the PAM conversation: the screen asks for the username and then shows
 * exactly the prompts PAM sends (a password, a one-time code), hiding what
 * is typed when PAM asks for no echo, and zeroes every answer once sent.
 * Only a volunteer (the intermediary role) may log in here: anyone else is
 * logged out again at once, so that an officer's wider rights never sit on
 * a public terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "rpc.h"
#include "spis/v1/auth.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

#define VOL_PROMPTS_MAX 8
#define VOL_MSGS_MAX 6
#define VOL_TEXT_MAX 256
/* Steps with neither prompts nor a session are answered at once; a stack
 * that sends more of them than this in a row is broken. */
#define VOL_EMPTY_STEPS 4
#define VOL_USER_MAX 64

struct volunteer {
	struct tui_screen s; /* first: the stack sees only this */
	struct kiosk *k;
	int prompting;	     /* 0: asking for the username */
	struct tui_field user;
	char username[KIOSK_NAME_MAX];
	char login_id[128];
	struct tui_field fields[VOL_PROMPTS_MAX];
	char labels[VOL_PROMPTS_MAX][VOL_TEXT_MAX];
	int nfields;
	int focus;
	char msgs[VOL_MSGS_MAX][VOL_TEXT_MAX];
	int nmsgs;
	char error[KIOSK_MSG_MAX];
	int busy;
};

static const struct tui_hint vol_hints[] = {
	{"Enter", N_("Continue")},
	{"Tab", N_("Next field")},
	{"Esc", N_("Back to the start")},
	{NULL, NULL},
};

/* Forgets the conversation; the username stays for another try. */
static void
vol_forget(struct volunteer *v)
{
	for (int i = 0; i < VOL_PROMPTS_MAX; i++)
		tui_field_wipe(&v->fields[i]);
	explicit_bzero(v->labels, sizeof v->labels);
	explicit_bzero(v->msgs, sizeof v->msgs);
	explicit_bzero(v->login_id, sizeof v->login_id);
	v->nfields = v->nmsgs = v->focus = 0;
	v->prompting = 0;
}

static void
vol_failed(struct volunteer *v, grpc_status_code st, const char *msg)
{
	vol_forget(v);
	if (st == GRPC_STATUS_NOT_FOUND)
		snprintf(v->error, sizeof v->error, "%s",
		    _("The login took too long; start again."));
	else
		kiosk_status_text(st, msg, v->error, sizeof v->error);
}

static void
vol_take_prompts(struct volunteer *v, const Spis__V1__LoginStep *step)
{
	vol_forget(v);
	kiosk_copy(v->login_id, sizeof v->login_id, step->login_id);
	for (size_t i = 0; i < step->n_messages && v->nmsgs < VOL_MSGS_MAX;
	    i++)
		kiosk_copy(v->msgs[v->nmsgs++], VOL_TEXT_MAX,
		    step->messages[i]);
	for (size_t i = 0; i < step->n_prompts && v->nfields <
	    VOL_PROMPTS_MAX; i++) {
		struct tui_field *f = &v->fields[v->nfields];
		const char *text = step->prompts[i]->text;

		/* PAM's own text, drawn as is. */
		kiosk_copy(v->labels[v->nfields], VOL_TEXT_MAX,
		    text[0] != '\0' ? text : "?");
		f->label = v->labels[v->nfields];
		f->maxlen = TUI_FIELD_MAX;
		f->secret = !step->prompts[i]->echo;
		v->nfields++;
	}
	v->prompting = 1;
}

/* A step with a session.  Returns 1 when the screen has left the stack. */
static int
vol_done(struct volunteer *v, const Spis__V1__Session *sess)
{
	struct kiosk *k = v->k;
	int volunteer = 0;

	for (size_t i = 0; i < sess->n_roles; i++)
		if (strcmp(sess->roles[i], "intermediary") == 0)
			volunteer = 1;
	kiosk_volunteer_start(k, sess);
	if (!volunteer) {
		kiosk_volunteer_logout(k);
		/* The reset above popped this screen: say why on the start
		 * screen instead. */
		k->notice = N_("Only volunteers can log in at a kiosk. "
		    "Officers use the SPIS console.");
		return 1;
	}
	tui_pop(k->tui);
	return 1;
}

static grpc_status_code
vol_call(struct volunteer *v, unsigned index, const ProtobufCMessage *req,
    Spis__V1__LoginStep **step, char *msg, size_t msglen)
{
	grpc_status_code st;

	v->busy = 1;
	v->error[0] = '\0';
	tui_redraw(v->k->tui);
	st = rpc_call(tui_link_client(v->k->link), &spis__v1__auth__descriptor,
	    index, req, (ProtobufCMessage **)step, KIOSK_LOGIN_MS, NULL, msg,
	    msglen);
	v->busy = 0;
	return st;
}

/* Follows the conversation from a step.  Returns 1 when the screen has
 * left the stack. */
static int
vol_step(struct volunteer *v, Spis__V1__LoginStep *step)
{
	Spis__V1__ContinueLoginRequest req;
	Spis__V1__LoginStep *next;
	grpc_status_code st;
	char msg[KIOSK_MSG_MAX];
	int gone;

	for (int n = 0; step != NULL; n++) {
		if (step->session != NULL) {
			gone = vol_done(v, step->session);
			kiosk_msg_free(&step->base);
			return gone;
		}
		if (step->n_prompts > 0 || n == VOL_EMPTY_STEPS) {
			vol_take_prompts(v, step);
			kiosk_msg_free(&step->base);
			if (v->nfields == 0)
				vol_failed(v, GRPC_STATUS_INTERNAL,
				    _("the server sent no prompt to answer"));
			return 0;
		}
		spis__v1__continue_login_request__init(&req);
		req.login_id = step->login_id;
		next = NULL;
		st = vol_call(v, 1, &req.base, &next, msg, sizeof msg);
		kiosk_msg_free(&step->base);
		step = next;
		if (st != GRPC_STATUS_OK) {
			vol_failed(v, st, msg);
			return 0;
		}
	}
	return 0;
}

static void
vol_start(struct volunteer *v)
{
	Spis__V1__StartLoginRequest req = SPIS__V1__START_LOGIN_REQUEST__INIT;
	Spis__V1__LoginStep *step = NULL;
	grpc_status_code st;
	char msg[KIOSK_MSG_MAX];

	if (tui_field_value(&v->user, v->username, sizeof v->username) != 0 ||
	    v->username[0] == '\0') {
		snprintf(v->error, sizeof v->error, "%s",
		    _("Type your username, then press Enter."));
		return;
	}
	req.username = v->username;
	st = vol_call(v, 0, &req.base, &step, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		vol_failed(v, st, msg);
		return;
	}
	vol_step(v, step);
}

/* Every answer goes in one ContinueLogin; the fields and the copies are
 * zeroed once it is sent. */
static void
vol_answer(struct volunteer *v)
{
	Spis__V1__ContinueLoginRequest req =
	    SPIS__V1__CONTINUE_LOGIN_REQUEST__INIT;
	char answers[VOL_PROMPTS_MAX][TUI_FIELD_MAX * 4 + 1];
	char *resp[VOL_PROMPTS_MAX];
	Spis__V1__LoginStep *step = NULL;
	grpc_status_code st;
	char msg[KIOSK_MSG_MAX];

	for (int i = 0; i < v->nfields; i++) {
		tui_field_value(&v->fields[i], answers[i], sizeof answers[i]);
		tui_field_wipe(&v->fields[i]);
		resp[i] = answers[i];
	}
	req.login_id = v->login_id;
	req.n_responses = (size_t)v->nfields;
	req.responses = resp;
	st = vol_call(v, 1, &req.base, &step, msg, sizeof msg);
	explicit_bzero(answers, sizeof answers);
	if (st != GRPC_STATUS_OK) {
		vol_failed(v, st, msg);
		return;
	}
	vol_step(v, step);
}

static int
vol_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct volunteer *v = (struct volunteer *)s;

	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (!v->prompting) {
		if (tui_key_enter(k)) {
			vol_start(v);
			return 1;
		}
		if (tui_field_key(&v->user, k)) {
			v->error[0] = '\0';
			return 1;
		}
		return 0;
	}
	if (tui_key_enter(k) || tui_key_is(k, '\t', KEY_DOWN)) {
		if (v->focus < v->nfields - 1)
			v->focus++;
		else if (tui_key_enter(k))
			vol_answer(v);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_BTAB) || tui_key_is(k, 0, KEY_UP)) {
		if (v->focus > 0)
			v->focus--;
		return 1;
	}
	return tui_field_key(&v->fields[v->focus], k);
}

static void
vol_draw(struct tui *t, struct tui_screen *s)
{
	struct volunteer *v = (struct volunteer *)s;
	int top, rows, cols, y, end, lw, x;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = kiosk_heading(t, top + 1, cols, 0, 0,
	    _("Volunteer log in: start assisted mode"));
	y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_NORMAL,
	    _("For library and NGO volunteers who help people use the "
	      "kiosk. Log in with your own username and password.")) + 1;

	lw = tui_text_width(_("Username"));
	tui_put(t, y, 2, lw, !v->prompting ? TUI_A_BOLD : 0, _("Username"));
	x = 4 + lw;
	if (!v->prompting)
		tui_field_draw_at(t, &v->user, y, x, VOL_USER_MAX + 1,
		    !v->busy);
	else
		tui_put(t, y, x, cols - x, TUI_A_BOLD, v->username);
	y += 2;

	for (int i = 0; i < v->nmsgs && y < end; i++)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL, v->msgs[i]);
	if (v->nmsgs > 0)
		y++;
	for (int i = 0; i < v->nfields && y + 1 < end; i++) {
		y += tui_wrap(t, y, 2, cols - 4, 2,
		    i == v->focus ? TUI_A_BOLD : 0, v->labels[i]);
		tui_field_draw_at(t, &v->fields[i], y, 4, cols - 8,
		    i == v->focus && !v->busy);
		y += 2;
	}
	if (v->busy && y < end)
		tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL,
		    _("Please wait…"));
	else if (v->error[0] != '\0' && y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, TUI_A_ERROR, v->error);
}

static void
vol_wipe(struct tui_screen *s)
{
	struct volunteer *v = (struct volunteer *)s;

	vol_forget(v);
	tui_field_wipe(&v->user);
	explicit_bzero(v->username, sizeof v->username);
	explicit_bzero(v->error, sizeof v->error);
}

static void
vol_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
kiosk_volunteer_new(struct kiosk *k)
{
	struct volunteer *v;

	if ((v = calloc(1, sizeof *v)) == NULL)
		return NULL;
	v->k = k;
	v->user.label = N_("Username");
	v->user.maxlen = VOL_USER_MAX;
	v->s.draw = vol_draw;
	v->s.key = vol_key;
	v->s.wipe = vol_wipe;
	v->s.destroy = vol_destroy;
	v->s.hints = vol_hints;
	return &v->s;
}
