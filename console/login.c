/*
 * login.c: the login screen.  The daemon relays the PAM conversation, so
 * the screen asks for a username and then shows exactly the prompts PAM
 * sends, as many steps as the stack has (a password, then a one-time
 * code), hiding what is typed when PAM asks for no echo.  Whatever was
 * typed is zeroed as soon as it has been sent.  PAM's messages that come
 * with the session itself ("your password expires in 3 days") are shown
 * as a notice the officer dismisses before the main screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "rpc.h"
#include "spis/v1/auth.pb-c.h"

#include "console.h"
#include "i18n.h"

#define LOGIN_PROMPTS_MAX 8
#define LOGIN_MSGS_MAX 6
#define LOGIN_TEXT_MAX 256
/* Steps with neither prompts nor a session are answered at once; a stack
 * that sends more of them than this in a row is broken. */
#define LOGIN_EMPTY_STEPS 4
#define LOGIN_USER_MAX 64

enum login_state {
	LOGIN_USER,    /* asking for the username */
	LOGIN_PROMPTS, /* answering PAM's prompts */
	LOGIN_NOTICE,  /* logged in; PAM's last messages await Enter */
};

struct login {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	int resume;	     /* the session expired; the screen below waits */
	enum login_state state;
	struct tui_field user;
	char username[CONSOLE_NAME_MAX];
	char login_id[128];
	struct tui_field fields[LOGIN_PROMPTS_MAX];
	char labels[LOGIN_PROMPTS_MAX][LOGIN_TEXT_MAX];
	int nfields;
	int focus;
	char msgs[LOGIN_MSGS_MAX][LOGIN_TEXT_MAX];
	int nmsgs;
	char error[512];
	int unreachable; /* the error says the server could not be reached:
			    1, and 2 once the link has seen it down */
	int busy;	 /* a call is under way: "please wait" */
	int same;	 /* LOGIN_NOTICE: the officer whose session expired */
};

static const struct tui_hint login_hints_user[] = {
	{"Enter", N_("Continue")},
	{"F5", N_("Check the server now")},
	{"F10", N_("Quit")},
	{NULL, NULL},
};

static const struct tui_hint login_hints_notice[] = {
	{"Enter", N_("Continue")},
	{"F10", N_("Quit")},
	{NULL, NULL},
};

static const struct tui_hint login_hints_prompts[] = {
	{"Enter", N_("Continue")},
	{"Tab", N_("Next field")},
	{"Esc", N_("Start again")},
	{"F10", N_("Quit")},
	{NULL, NULL},
};

/* Forgets the conversation: the prompts, the answers typed so far, PAM's
 * messages and the login id.  The username stays for another try. */
static void
login_forget(struct login *l)
{
	for (int i = 0; i < LOGIN_PROMPTS_MAX; i++)
		tui_field_wipe(&l->fields[i]);
	explicit_bzero(l->labels, sizeof l->labels);
	explicit_bzero(l->msgs, sizeof l->msgs);
	explicit_bzero(l->login_id, sizeof l->login_id);
	l->nfields = l->nmsgs = l->focus = 0;
	l->state = LOGIN_USER;
	l->s.hints = login_hints_user;
}

/* Back to the username after a failure, which is shown. */
static void
login_failed(struct login *l, grpc_status_code st, const char *msg)
{
	login_forget(l);
	l->unreachable = st == GRPC_STATUS_UNAVAILABLE ||
	    st == GRPC_STATUS_DEADLINE_EXCEEDED;
	if (st == GRPC_STATUS_NOT_FOUND)
		snprintf(l->error, sizeof l->error, "%s",
		    _("The login took too long; start again"));
	else
		console_status_text(st, msg, l->error, sizeof l->error);
}

/* Keeps PAM's messages and prompts of a step; the previous step's
 * messages make way for the new ones. */
static void
login_take_prompts(struct login *l, const Spis__V1__LoginStep *step)
{
	login_forget(l);
	snprintf(l->login_id, sizeof l->login_id, "%s", step->login_id);
	for (size_t i = 0; i < step->n_messages && l->nmsgs < LOGIN_MSGS_MAX;
	    i++)
		snprintf(l->msgs[l->nmsgs++], LOGIN_TEXT_MAX, "%s",
		    step->messages[i]);
	for (size_t i = 0; i < step->n_prompts && l->nfields <
	    LOGIN_PROMPTS_MAX; i++) {
		struct tui_field *f = &l->fields[l->nfields];
		const char *text = step->prompts[i]->text;

		/* The label is PAM's own text, drawn as is; an empty one
		 * still needs something to point at the field. */
		snprintf(l->labels[l->nfields], LOGIN_TEXT_MAX, "%s",
		    text[0] != '\0' ? text : "?");
		f->label = l->labels[l->nfields];
		f->maxlen = TUI_FIELD_MAX;
		f->secret = !step->prompts[i]->echo;
		l->nfields++;
	}
	l->state = LOGIN_PROMPTS;
	l->s.hints = login_hints_prompts;
}

/* Leaves for the main screen.  The screen leaves the stack here, so the
 * caller must not touch l afterwards. */
static void
login_leave(struct login *l, int same)
{
	struct tui *t = l->c->tui;

	/* After an expiry the officer finds the screen they were on; someone
	 * else logging in at that terminal starts from home instead. */
	if (l->resume && !same)
		tui_reset(t);
	else
		tui_pop(t);
}

/*
 * A step with a session: the officer is in.  Messages that came with it
 * are kept for a notice, and the screen stays until it is dismissed;
 * without any, the screen leaves the stack here and returns 1, so the
 * caller must not touch l afterwards.
 */
static int
login_done(struct login *l, const Spis__V1__LoginStep *step)
{
	struct console *c = l->c;
	int same;

	same = strcmp(c->sess.expired_user, step->session->username) == 0;
	console_session_start(c, step->session);
	explicit_bzero(c->sess.expired_user, sizeof c->sess.expired_user);
	if (step->n_messages == 0) {
		login_leave(l, same);
		return 1;
	}
	login_forget(l);
	for (size_t i = 0; i < step->n_messages && l->nmsgs < LOGIN_MSGS_MAX;
	    i++)
		snprintf(l->msgs[l->nmsgs++], LOGIN_TEXT_MAX, "%s",
		    step->messages[i]);
	l->same = same;
	l->state = LOGIN_NOTICE;
	l->s.hints = login_hints_notice;
	return 0;
}

/* Makes one login call with the screen showing "please wait". */
static grpc_status_code
login_call(struct login *l, unsigned index, const ProtobufCMessage *req,
    Spis__V1__LoginStep **step, char *msg, size_t msglen)
{
	grpc_status_code st;

	l->busy = 1;
	l->error[0] = '\0';
	tui_redraw(l->c->tui);
	st = rpc_call(tui_link_client(l->c->link), &spis__v1__auth__descriptor,
	    index, req, (ProtobufCMessage **)step, CONSOLE_LOGIN_MS, NULL, msg,
	    msglen);
	l->busy = 0;
	return st;
}

/*
 * Follows the conversation from a step: prompts to show, a session, or a
 * step with neither, answered at once.  Returns 1 when the screen has left
 * the stack.
 */
static int
login_step(struct login *l, Spis__V1__LoginStep *step)
{
	Spis__V1__ContinueLoginRequest req;
	Spis__V1__LoginStep *next;
	grpc_status_code st;
	char msg[512];

	for (int n = 0; step != NULL; n++) {
		if (step->session != NULL) {
			int left = login_done(l, step);

			protobuf_c_message_free_unpacked(&step->base, NULL);
			return left;
		}
		if (step->n_prompts > 0 || n == LOGIN_EMPTY_STEPS) {
			login_take_prompts(l, step);
			protobuf_c_message_free_unpacked(&step->base, NULL);
			if (l->nfields == 0)
				login_failed(l, GRPC_STATUS_INTERNAL,
				    _("the server sent no prompt to answer"));
			return 0;
		}
		spis__v1__continue_login_request__init(&req);
		req.login_id = step->login_id;
		next = NULL;
		st = login_call(l, 1, &req.base, &next, msg, sizeof msg);
		protobuf_c_message_free_unpacked(&step->base, NULL);
		step = next;
		if (st != GRPC_STATUS_OK) {
			login_failed(l, st, msg);
			return 0;
		}
	}
	return 0;
}

/* Enter on the username.  Returns 1 when the screen has left the stack. */
static int
login_start(struct login *l)
{
	Spis__V1__StartLoginRequest req = SPIS__V1__START_LOGIN_REQUEST__INIT;
	Spis__V1__LoginStep *step = NULL;
	grpc_status_code st;
	char msg[512];

	if (tui_field_value(&l->user, l->username, sizeof l->username) != 0 ||
	    l->username[0] == '\0') {
		snprintf(l->error, sizeof l->error, "%s",
		    _("Type your username, then press Enter."));
		return 0;
	}
	req.username = l->username;
	st = login_call(l, 0, &req.base, &step, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		login_failed(l, st, msg);
		return 0;
	}
	return login_step(l, step);
}

/* Enter on the last prompt: every answer goes in one ContinueLogin, and
 * the fields and the copies are zeroed once it is sent.  Returns 1 when
 * the screen has left the stack. */
static int
login_answer(struct login *l)
{
	Spis__V1__ContinueLoginRequest req =
	    SPIS__V1__CONTINUE_LOGIN_REQUEST__INIT;
	char answers[LOGIN_PROMPTS_MAX][TUI_FIELD_MAX * 4 + 1];
	char *resp[LOGIN_PROMPTS_MAX];
	Spis__V1__LoginStep *step = NULL;
	grpc_status_code st;
	char msg[512];

	for (int i = 0; i < l->nfields; i++) {
		tui_field_value(&l->fields[i], answers[i], sizeof answers[i]);
		tui_field_wipe(&l->fields[i]);
		resp[i] = answers[i];
	}
	req.login_id = l->login_id;
	req.n_responses = (size_t)l->nfields;
	req.responses = resp;
	st = login_call(l, 1, &req.base, &step, msg, sizeof msg);
	explicit_bzero(answers, sizeof answers);
	if (st != GRPC_STATUS_OK) {
		login_failed(l, st, msg);
		return 0;
	}
	return login_step(l, step);
}

static void
login_quit(struct tui *t, int yes, void *arg)
{
	(void)arg;
	if (yes)
		tui_quit(t, 0);
}

static int
login_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct login *l = (struct login *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		tui_confirm(t, _("Quit the SPIS console?"), login_quit, NULL);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(5))) {
		tui_link_retry(l->c->link);
		return 1;
	}
	if (l->state == LOGIN_NOTICE) {
		if (tui_key_enter(k) || tui_key_is(k, 27, 0)) {
			login_forget(l);
			login_leave(l, l->same);
		}
		return 1;
	}
	if (l->state == LOGIN_USER) {
		if (tui_key_enter(k)) {
			login_start(l);
			return 1;
		}
		if (tui_field_key(&l->user, k)) {
			l->error[0] = '\0';
			return 1;
		}
		return 0;
	}
	if (tui_key_is(k, 27, 0)) {
		login_forget(l);
		l->error[0] = '\0';
		return 1;
	}
	if (tui_key_enter(k) || tui_key_is(k, '\t', KEY_DOWN)) {
		if (l->focus < l->nfields - 1)
			l->focus++;
		else if (tui_key_enter(k))
			login_answer(l);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_BTAB) || tui_key_is(k, 0, KEY_UP)) {
		if (l->focus > 0)
			l->focus--;
		return 1;
	}
	return tui_field_key(&l->fields[l->focus], k);
}

/* Once the link has gone down and come up again, "cannot reach" is old
 * news.  The link may not have noticed the failure yet when the call made
 * it, hence the two steps. */
static void
login_tick(struct tui *t, struct tui_screen *s)
{
	struct login *l = (struct login *)s;

	(void)t;
	if (l->unreachable == 1 && l->c->st.conn != TUI_CONN_UP)
		l->unreachable = 2;
	else if (l->unreachable == 2 && l->c->st.conn == TUI_CONN_UP) {
		l->unreachable = 0;
		l->error[0] = '\0';
	}
}

static void
login_draw(struct tui *t, struct tui_screen *s)
{
	struct login *l = (struct login *)s;
	int top, rows, cols, y, end, lw, x;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD, _("Log in to SPIS"));
	if (l->resume)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Your session has ended. Log in again to return to "
		      "where you were."));
	y++;

	lw = tui_text_width(_("Username"));
	tui_put(t, y, 2, lw, l->state == LOGIN_USER ? TUI_A_BOLD : 0,
	    _("Username"));
	x = 4 + lw;
	if (l->state == LOGIN_USER)
		tui_field_draw_at(t, &l->user, y, x, LOGIN_USER_MAX + 1,
		    !l->busy);
	else
		tui_put(t, y, x, cols - x, TUI_A_BOLD, l->username);
	y += 2;

	if (l->state == LOGIN_NOTICE && y < end)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_BOLD,
		    _("You are logged in. The login system says:")) + 1;
	for (int i = 0; i < l->nmsgs && y < end; i++)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL, l->msgs[i]);
	if (l->nmsgs > 0)
		y++;
	if (l->state == LOGIN_NOTICE && y < end)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_NORMAL,
		    _("Press Enter to continue.")) + 1;
	for (int i = 0; i < l->nfields && y + 1 < end; i++) {
		y += tui_wrap(t, y, 2, cols - 4, 2,
		    i == l->focus ? TUI_A_BOLD : 0, l->labels[i]);
		tui_field_draw_at(t, &l->fields[i], y, 4, cols - 8,
		    i == l->focus && !l->busy);
		y += 2;
	}
	if (l->busy && y < end)
		y += tui_wrap(t, y, 2, cols - 4, 1, TUI_A_NORMAL,
		    _("Please wait…")) + 1;
	else if (l->error[0] != '\0' && y < end)
		y += tui_wrap(t, y, 2, cols - 4, 3, TUI_A_ERROR,
		    l->error) + 1;
	if (y < end)
		console_server_draw(l->c, t, y, end - y, cols, 0);
}

/* Zeroes everything typed and received, the username included. */
static void
login_wipe(struct tui_screen *s)
{
	struct login *l = (struct login *)s;

	login_forget(l);
	tui_field_wipe(&l->user);
	explicit_bzero(l->username, sizeof l->username);
	explicit_bzero(l->error, sizeof l->error);
}

static void
login_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
console_login_new(struct console *c, int resume)
{
	struct login *l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->c = c;
	l->resume = resume;
	l->user.label = N_("Username");
	l->user.maxlen = LOGIN_USER_MAX;
	l->state = LOGIN_USER;
	l->s.draw = login_draw;
	l->s.key = login_key;
	l->s.tick = login_tick;
	l->s.wipe = login_wipe;
	l->s.destroy = login_destroy;
	l->s.hints = login_hints_user;
	return &l->s;
}
