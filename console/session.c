/*
 * session.c: the officer's session.  The token arrives with the last login
 * step, is sent as "authorization: Bearer TOKEN" with every call, and is
 * kept in memory only; it is zeroed on logout, on expiry and at exit.  A
 * call answered UNAUTHENTICATED means the daemon no longer knows the token
 * (idle or absolute expiry, or a logout elsewhere), so the login screen is
 * put over the screen that made the call, which the officer finds again
 * after logging in.
 */
#include <stdio.h>
#include <string.h>

#include "rpc.h"
#include "spis/v1/auth.pb-c.h"

#include "console.h"
#include "i18n.h"

/* Deadline of the logout sent on the way out: the officer is leaving, and
 * an unreachable daemon forgets the token by its own expiry anyway. */
#define SESSION_LOGOUT_MS 2000

void
console_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* Writes the header's description of the officer into buf. */
static void
session_who(const struct console_session *s, char *buf, size_t len)
{
	char scope[64];

	if (s->municipality[0] == '\0')
		snprintf(scope, sizeof scope, "%s", _("national"));
	else
		snprintf(scope, sizeof scope, _("municipality %s"),
		    s->municipality);
	snprintf(buf, len, "%s · %s · %s",
	    s->display_name[0] != '\0' ? s->display_name : s->username,
	    s->roles, scope);
}

/*
 * Notes what a role allows, mirroring the role table in rpcd/authz.c: the
 * console offers only what the officer may do, and the daemon decides.
 */
static void
session_role(struct console_session *s, const char *role)
{
	int reader = 1, writer = 0, reviewer = 0, pin = 0;
	int apps = 0, submit = 0, decide = 0, override = 0, status = 0;
	int programmes = 0, benefits = 0, bwrite = 0, bank = 0, run = 0;
	int approve = 0, payread = 0, renewal = 0, exchange = 0, facts = 0;

	if (strcmp(role, "auditor") == 0) {
		s->auditor = 1;
		apps = benefits = payread = 1;
	} else if (strcmp(role, "clerk") == 0)
		writer = reviewer = pin = apps = submit = status = benefits =
		    bank = run = payread = 1;
	else if (strcmp(role, "supervisor") == 0)
		writer = reviewer = apps = submit = status = decide =
		    override = benefits = bwrite = approve = payread =
		    renewal = facts = 1;
	else if (strcmp(role, "caseworker") == 0)
		writer = apps = submit = status = decide = benefits = bwrite =
		    bank = facts = 1;
	else if (strcmp(role, "helpdesk") == 0)
		status = 1;
	else {
		reader = 0;
		programmes = renewal = exchange = strcmp(role, "admin") == 0;
	}
	s->can_read |= reader;
	s->can_write |= writer;
	s->can_review |= reviewer;
	s->can_pin |= pin;
	s->can_apps |= apps;
	s->can_submit |= submit;
	s->can_decide |= decide;
	s->can_override |= override;
	s->can_status |= status;
	s->can_programmes |= programmes;
	s->can_benefits |= benefits;
	s->can_benefit_write |= bwrite;
	s->can_bank |= bank;
	s->can_pay_run |= run;
	s->can_pay_approve |= approve;
	s->can_pay_read |= payread;
	s->can_renewal |= renewal;
	/* As authz.c grants simulation.run. */
	s->can_simulate |= strcmp(role, "supervisor") == 0 ||
	    strcmp(role, "admin") == 0 || strcmp(role, "analyst") == 0;
	/* As authz.c grants research.sample. */
	s->can_research |= strcmp(role, "analyst") == 0;
	s->can_exchange |= exchange;
	s->can_facts |= facts;
}

void
console_session_start(struct console *c, const void *p)
{
	const Spis__V1__Session *in = p;
	struct console_session *s = &c->sess;
	char who[512];
	size_t used = 0;

	console_session_wipe(c);
	console_copy(s->token, sizeof s->token, in->token);
	console_copy(s->username, sizeof s->username, in->username);
	console_copy(s->display_name, sizeof s->display_name,
	    in->display_name);
	console_copy(s->municipality, sizeof s->municipality,
	    in->municipality);
	for (size_t i = 0; i < in->n_roles; i++) {
		session_role(s, in->roles[i]);
		if (used < sizeof s->roles)
			used += snprintf(s->roles + used, sizeof s->roles - used,
			    "%s%s", i > 0 ? ", " : "", in->roles[i]);
	}
	s->active = 1;
	session_who(s, who, sizeof who);
	tui_set_user(c->tui, who);
}

void
console_session_wipe(struct console *c)
{
	char expired[CONSOLE_NAME_MAX];

	/* Who was logged in survives a wipe only for the resume check. */
	memcpy(expired, c->sess.expired_user, sizeof expired);
	explicit_bzero(&c->sess, sizeof c->sess);
	memcpy(c->sess.expired_user, expired, sizeof expired);
	if (c->tui != NULL)
		tui_set_user(c->tui, NULL);
}

/* Makes the call with the token in the metadata; the header value holds
 * the token, so it is zeroed as soon as the call is over. */
static grpc_status_code
session_call(struct console *c, const ProtobufCServiceDescriptor *svc,
    unsigned index, const ProtobufCMessage *req, ProtobufCMessage **resp,
    long deadline_ms, char *msg, size_t msglen)
{
	char bearer[sizeof "Bearer " + CONSOLE_TOKEN_MAX];
	const char *md[] = {"authorization", bearer, NULL};
	grpc_status_code st;

	snprintf(bearer, sizeof bearer, "Bearer %s", c->sess.token);
	st = rpc_call(tui_link_client(c->link), svc, index, req, resp,
	    deadline_ms, c->sess.active ? md : NULL, msg, msglen);
	explicit_bzero(bearer, sizeof bearer);
	return st;
}

grpc_status_code
console_call(struct console *c, const ProtobufCServiceDescriptor *svc,
    unsigned index, const ProtobufCMessage *req, ProtobufCMessage **resp,
    char *msg, size_t msglen)
{
	struct tui_screen *login;
	grpc_status_code st;

	*resp = NULL;
	st = session_call(c, svc, index, req, resp, CONSOLE_CALL_MS, msg,
	    msglen);
	if (st != GRPC_STATUS_UNAUTHENTICATED || !c->sess.active)
		return st;
	console_copy(c->sess.expired_user, sizeof c->sess.expired_user,
	    c->sess.username);
	console_session_wipe(c);
	if ((login = console_login_new(c, 1)) != NULL)
		tui_push(c->tui, login);
	else
		tui_quit(c->tui, 1);
	return st;
}

void
console_session_end(struct console *c)
{
	Spis__V1__LogoutRequest req = SPIS__V1__LOGOUT_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256];

	if (c->sess.active &&
	    session_call(c, &spis__v1__auth__descriptor, 2, &req.base, &resp,
	    SESSION_LOGOUT_MS, msg, sizeof msg) == GRPC_STATUS_OK)
		protobuf_c_message_free_unpacked(resp, NULL);
	explicit_bzero(c->sess.expired_user, sizeof c->sess.expired_user);
	console_session_wipe(c);
}

void
console_logout(struct console *c)
{
	struct tui_screen *login;

	console_session_end(c);
	tui_reset(c->tui);
	if ((login = console_login_new(c, 0)) != NULL)
		tui_push(c->tui, login);
	else
		tui_quit(c->tui, 1);
}

const char *
console_status_text(grpc_status_code st, const char *msg, char *buf,
    size_t len)
{
	switch (st) {
	case GRPC_STATUS_UNAVAILABLE:
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		snprintf(buf, len, _("Cannot reach the SPIS server: %s"),
		    msg[0] != '\0' ? msg : rpc_status_name(st));
		break;
	default:
		if (msg[0] != '\0')
			snprintf(buf, len, "%s", msg);
		else
			snprintf(buf, len, "%s", rpc_status_name(st));
		break;
	}
	return buf;
}
