/*
 * login.c: officer login through PAM, relayed over RPC prompt by prompt.
 *
 * Every login runs PAM in a thread of its own, so that a slow module (a
 * directory, a one-time code, pam_unix's failure delay) never holds an RPC
 * worker.  The RPC that is waiting for the next step (StartLogin, then each
 * ContinueLogin) is deferred; the PAM thread answers it when PAM asks new
 * questions (from the conversation function) or when PAM is done.
 *
 * Failures all answer UNAUTHENTICATED with one text, no sooner than
 * fail_delay_ms after the step began, so that neither the answer nor its
 * timing says whether the username exists.  A username or an address with
 * too many recent failures is locked: the login goes through the motions
 * with a password prompt and fails, without PAM ever seeing it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "spis/v1/auth.pb-c.h"

#include "log.h"
#include "rpcd.h"

#define LOGIN_MAX_PROMPTS 8
#define LOGIN_MAX_MESSAGES 16
#define LOGIN_MAX_RESPONSE 512
#define LOGIN_FAILED "login failed: wrong username, password or one-time code"
#define LOGIN_UNKNOWN "login_id: unknown or expired login; start again"

struct login {
	struct logins *set;
	struct login *next;
	char id[33];
	char username[65];
	char peer[96];
	char terminal[128];	/* verified terminal certificate name, or "" */
	int locked;		/* locked out: fake the conversation */

	/* The rest is guarded by set->mu. */
	struct rpc_ctx *waiting; /* the deferred RPC awaiting the next step */
	struct timespec step_start;
	int want;		/* PAM is blocked waiting for responses */
	int nprompts;
	char *prompt_text[LOGIN_MAX_PROMPTS];
	int prompt_echo[LOGIN_MAX_PROMPTS];
	char *messages[LOGIN_MAX_MESSAGES];
	int nmessages;
	char **responses;	/* delivered by ContinueLogin, wiped after use */
	int nresponses;
	int aborted;		/* the daemon is stopping */
	int expired;		/* abandoned mid-conversation */
	pthread_cond_t cond;
};

struct logins {
	struct rpcd *d;
	pthread_mutex_t mu;
	pthread_cond_t idle;	/* signalled when a login thread ends */
	struct login *list;
	int count;
	int stopping;
};

struct logins *
login_new(struct rpcd *d)
{
	struct logins *l = calloc(1, sizeof *l);

	if (l == NULL)
		fatalx("out of memory");
	l->d = d;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->idle, NULL);
	return l;
}

void
login_stop_all(void *arg)
{
	struct rpcd *d = arg;
	struct logins *l = d->logins;

	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	for (struct login *g = l->list; g != NULL; g = g->next) {
		g->aborted = 1;
		pthread_cond_broadcast(&g->cond);
	}
	pthread_mutex_unlock(&l->mu);
}

void
login_free(struct logins *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	for (struct login *g = l->list; g != NULL; g = g->next) {
		g->aborted = 1;
		pthread_cond_broadcast(&g->cond);
	}
	while (l->count > 0)
		pthread_cond_wait(&l->idle, &l->mu);
	pthread_mutex_unlock(&l->mu);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->idle);
	free(l);
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

static void
login_audit(struct login *g, const char *method, const char *outcome,
    const char *detail)
{
	struct store_audit a = {.actor = g->username,
	    .terminal = g->terminal[0] ? g->terminal : g->peer,
	    .method = method, .outcome = outcome, .detail = detail};

	store_audit_append(g->set->d->store, &a);
}

/* Audits a call refused before any login existed (bad input, limits). */
static void
login_audit_ctx(struct rpc_ctx *ctx, const char *username,
    grpc_status_code st, const char *detail)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_audit a = {.actor = username,
	    .terminal = rpcd_peer_address(ctx), .method = rpc_ctx_path(ctx),
	    .outcome = rpc_status_name(st), .detail = detail};

	store_audit_append(d->store, &a);
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L +
	    (now.tv_nsec - t->tv_nsec) / 1000000L;
}

/* Takes the waiting RPC out of the login; the caller answers it. */
static struct rpc_ctx *
login_take_waiting(struct login *g)
{
	struct rpc_ctx *ctx = g->waiting;

	g->waiting = NULL;
	return ctx;
}

/* Builds a LoginStep in ctx's arena from what PAM asked and said; the
 * prompt and message strings are moved into the arena and freed here. */
static Spis__V1__LoginStep *
login_step(struct rpc_ctx *ctx, struct login *g)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__LoginStep *st = RPC_NEW(ctx, Spis__V1__LoginStep,
	    spis__v1__login_step__init);

	st->login_id = arena_strdup(a, g->id);
	st->n_prompts = (size_t)g->nprompts;
	st->prompts = arena_alloc(a, sizeof *st->prompts * (st->n_prompts + 1));
	for (int i = 0; i < g->nprompts; i++) {
		Spis__V1__Prompt *p = RPC_NEW(ctx, Spis__V1__Prompt,
		    spis__v1__prompt__init);

		p->text = arena_strdup(a, g->prompt_text[i]);
		p->echo = g->prompt_echo[i];
		st->prompts[i] = p;
	}
	st->n_messages = (size_t)g->nmessages;
	st->messages = arena_alloc(a, sizeof *st->messages *
	    (st->n_messages + 1));
	for (int i = 0; i < g->nmessages; i++) {
		st->messages[i] = arena_strdup(a, g->messages[i]);
		free(g->messages[i]);
		g->messages[i] = NULL;
	}
	g->nmessages = 0;
	return st;
}

static void
login_clear_prompts(struct login *g)
{
	for (int i = 0; i < g->nprompts; i++) {
		free(g->prompt_text[i]);
		g->prompt_text[i] = NULL;
	}
	g->nprompts = 0;
}

/*
 * The PAM conversation.  Messages are kept for the next step; prompts are
 * sent to the waiting RPC, and the thread then sleeps until ContinueLogin
 * brings the answers, the login is abandoned, or the daemon stops.
 */
static int
login_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct login *g = appdata;
	struct logins *l = g->set;
	struct pam_response *r;
	struct rpc_ctx *ctx;
	struct timespec until;
	int np = 0, rc = PAM_CONV_ERR;

	if (n <= 0 || n > LOGIN_MAX_PROMPTS)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof *r)) == NULL)
		return PAM_BUF_ERR;
	pthread_mutex_lock(&l->mu);
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if ((g->prompt_text[np] = strdup(msg[i]->msg)) ==
			    NULL)
				goto out;
			g->prompt_echo[np] =
			    msg[i]->msg_style == PAM_PROMPT_ECHO_ON;
			g->nprompts = ++np;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			if (g->nmessages < LOGIN_MAX_MESSAGES &&
			    (g->messages[g->nmessages] = strdup(msg[i]->msg)) !=
				NULL)
				g->nmessages++;
			break;
		default:
			/* A binary prompt or worse: nothing we can relay. */
			goto out;
		}
	}
	if (np == 0) {
		rc = PAM_SUCCESS;
		goto out;
	}
	if ((ctx = login_take_waiting(g)) == NULL)
		goto out;
	rpc_complete(ctx, GRPC_STATUS_OK, &login_step(ctx, g)->base);
	g->want = 1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += l->d->auth.login_timeout;
	while (g->responses == NULL && !g->aborted)
		if (pthread_cond_timedwait(&g->cond, &l->mu, &until) ==
		    ETIMEDOUT) {
			g->expired = 1;
			break;
		}
	g->want = 0;
	if (g->responses == NULL)
		goto out;
	for (int i = 0, k = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		/* PAM frees these; ours are wiped below. */
		r[i].resp = strdup(g->responses[k++]);
	}
	for (int i = 0; i < g->nresponses; i++)
		wipe_free(g->responses[i]);
	free(g->responses);
	g->responses = NULL;
	g->nresponses = 0;
	rc = PAM_SUCCESS;
out:
	login_clear_prompts(g);
	pthread_mutex_unlock(&l->mu);
	if (rc == PAM_SUCCESS)
		*resp = r;
	else
		free(r);
	return rc;
}

/* For a locked username: the same first question PAM would ask, then a
 * failure, so the lock cannot be told from a wrong password. */
static int
login_fake(struct login *g)
{
	struct pam_message m = {.msg_style = PAM_PROMPT_ECHO_OFF,
	    .msg = "Password: "};
	const struct pam_message *mp = &m;
	struct pam_response *r = NULL;

	if (login_conv(1, &mp, &r, g) == PAM_SUCCESS) {
		wipe_free(r[0].resp);
		free(r);
	}
	return PAM_AUTH_ERR;
}

static grpc_status_code
login_session(struct login *g, struct rpc_ctx *ctx, Spis__V1__LoginStep *step,
    char *why, size_t whylen)
{
	struct rpcd *d = g->set->d;
	struct store_officer o = {0};
	unsigned char raw[32];
	uint8_t hash[32];
	char token[sodium_base64_ENCODED_LEN(32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	Spis__V1__Session *s;
	struct arena *a = rpc_ctx_arena(ctx);
	time_t now = time(NULL), exp = now + d->auth.session_max;
	struct tm tm;
	char when[32];
	unsigned bits;
	char bad[64];

	switch (store_officer_get(d->store, g->username, &o)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		o.active = 0;
		break;
	default:
		snprintf(why, whylen, "store error");
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (!o.active) {
		snprintf(why, whylen, "%s", o.username[0] ?
		    "officer is disabled" : "not in the officers table");
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "username: %s is not an active officer; ask an "
		    "administrator", g->username);
	}
	if (authz_roles_parse(o.roles, &bits, bad, sizeof bad) != 0)
		bits = 0;
	/* A volunteer acts for the citizen in front of a registered kiosk,
	 * so logs in only from one. */
	if ((bits & (1u << ROLE_INTERMEDIARY)) && !g->terminal[0]) {
		snprintf(why, whylen, "intermediary not at a kiosk terminal");
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "username: an intermediary logs in only at a registered "
		    "kiosk terminal");
	}
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, sizeof token, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
	if (store_session_create(d->store, hash, g->username,
	    g->terminal[0] ? g->terminal : "", now,
	    exp) != STORE_OK) {
		snprintf(why, whylen, "store error");
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	s = RPC_NEW(ctx, Spis__V1__Session, spis__v1__session__init);
	s->token = arena_strdup(a, token);
	sodium_memzero(token, sizeof token);
	s->username = arena_strdup(a, o.username);
	s->display_name = arena_strdup(a, o.display_name);
	s->municipality = arena_strdup(a, o.municipality);
	gmtime_r(&exp, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	s->expires_at = arena_strdup(a, when);
	s->idle_timeout_seconds = (int32_t)d->auth.session_idle;
	s->roles = authz_role_names(a, bits, &s->n_roles);
	step->session = s;
	snprintf(why, whylen, "session until %s", when);
	return GRPC_STATUS_OK;
}

static void
login_unlink(struct login *g)
{
	struct logins *l = g->set;

	for (struct login **pp = &l->list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
}

/* Takes a finished conversation off the list before its answer goes out,
 * so that a client told "wrong password" may start again at once instead
 * of finding its username still busy. */
static void
login_release(struct login *g)
{
	pthread_mutex_lock(&g->set->mu);
	login_unlink(g);
	pthread_mutex_unlock(&g->set->mu);
}

static void *
login_thread(void *arg)
{
	struct login *g = arg;
	struct logins *l = g->set;
	struct rpcd *d = l->d;
	struct pam_conv conv = {login_conv, g};
	pam_handle_t *h = NULL;
	struct rpc_ctx *ctx;
	Spis__V1__LoginStep *step;
	grpc_status_code st;
	char why[160];
	long wait;
	int rc, aborted, expired;

	if (g->locked) {
		rc = login_fake(g);
		snprintf(why, sizeof why, "locked out after repeated failures");
	} else {
		rc = pam_start_confdir(d->auth.pam_service, g->username, &conv,
		    d->auth.pam_confdir, &h);
		if (rc == PAM_SUCCESS) {
			pam_set_item(h, PAM_RHOST, g->peer);
			rc = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK);
			if (rc == PAM_SUCCESS)
				rc = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK);
		}
		snprintf(why, sizeof why, "PAM: %s", pam_strerror(h, rc));
		if (h != NULL)
			pam_end(h, rc);
	}

	pthread_mutex_lock(&l->mu);
	ctx = login_take_waiting(g);
	aborted = g->aborted;
	expired = g->expired;
	if (ctx == NULL || aborted || expired) {
		/* Abandoned, or the daemon is stopping: nobody to answer
		 * but a stopping daemon's last call. */
		if (ctx != NULL) {
			rpc_error(ctx, GRPC_STATUS_UNAVAILABLE,
			    "the server is shutting down; log in again");
			rpc_complete(ctx, GRPC_STATUS_UNAVAILABLE, NULL);
		}
		pthread_mutex_unlock(&l->mu);
		login_audit(g, "/spis.v1.Auth/ContinueLogin", aborted ?
		    "UNAVAILABLE" : "ABANDONED", expired ?
		    "login abandoned mid-conversation and expired" : why);
		goto done;
	}
	pthread_mutex_unlock(&l->mu);

	if (rc == PAM_SUCCESS) {
		step = login_step(ctx, g);
		st = login_session(g, ctx, step, why, sizeof why);
		login_audit(g, rpc_ctx_path(ctx), rpc_status_name(st), why);
		login_release(g);
		rpc_complete(ctx, st, &step->base);
		goto done;
	}
	if (rc == PAM_NEW_AUTHTOK_REQD) {
		login_audit(g, rpc_ctx_path(ctx), "UNAUTHENTICATED", why);
		rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED, "password expired: "
		    "change it before logging in");
		login_release(g);
		rpc_complete(ctx, GRPC_STATUS_UNAUTHENTICATED, NULL);
		goto done;
	}
	if (!g->locked)
		store_login_failure_add(d->store, g->username, g->peer,
		    time(NULL));
	login_audit(g, rpc_ctx_path(ctx), "UNAUTHENTICATED", why);
	/* Every failure answers at the same moment after its step began. */
	wait = d->auth.fail_delay_ms - ms_since(&g->step_start);
	if (wait > 0) {
		struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED, LOGIN_FAILED);
	login_release(g);
	rpc_complete(ctx, GRPC_STATUS_UNAUTHENTICATED, NULL);
done:
	pthread_mutex_lock(&l->mu);
	login_unlink(g);
	for (int i = 0; i < g->nmessages; i++)
		free(g->messages[i]);
	for (int i = 0; i < g->nresponses; i++)
		wipe_free(g->responses[i]);
	free(g->responses);
	login_clear_prompts(g);
	pthread_cond_destroy(&g->cond);
	free(g);
	l->count--;
	pthread_cond_broadcast(&l->idle);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

grpc_status_code
login_start(struct rpc_ctx *ctx, const char *username)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct logins *l = d->logins;
	struct login *g;
	const char *peer = rpcd_peer_address(ctx);
	time_t since = time(NULL) - d->auth.lockout_seconds;
	pthread_attr_t attr;
	pthread_t t;
	grpc_status_code st;
	unsigned char rid[16];
	struct login *busy;
	int locked, failures;

	if (!officer_username_ok(username)) {
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "username: "
		    "1 to 64 letters, digits or . _ - @ are required");
		login_audit_ctx(ctx, "", st, "bad username");
		return st;
	}
	/* A store that cannot count counts as over the limit. */
	failures = store_login_failures_peer(d->store, peer, since);
	if (failures < 0 || failures >= d->auth.peer_failures) {
		st = rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED, "too many "
		    "failed logins from this address; wait and try again");
		login_audit_ctx(ctx, username, st, "address rate-limited");
		return st;
	}
	failures = store_login_failures_user(d->store, username, since);
	locked = failures < 0 || failures >= d->auth.lockout_failures;

	if ((g = calloc(1, sizeof *g)) == NULL)
		fatalx("out of memory");
	g->set = l;
	snprintf(g->username, sizeof g->username, "%s", username);
	snprintf(g->peer, sizeof g->peer, "%s", peer);
	snprintf(g->terminal, sizeof g->terminal, "%s",
	    rpc_ctx_client_cn(ctx) != NULL ? rpc_ctx_client_cn(ctx) : "");
	g->locked = locked;
	randombytes_buf(rid, sizeof rid);
	sodium_bin2hex(g->id, sizeof g->id, rid, sizeof rid);
	pthread_cond_init(&g->cond, NULL);
	clock_gettime(CLOCK_MONOTONIC, &g->step_start);
	g->waiting = ctx;

	pthread_mutex_lock(&l->mu);
	for (busy = l->list; busy != NULL; busy = busy->next)
		if (strcmp(busy->username, username) == 0)
			break;
	if (l->stopping || busy != NULL || l->count >= d->auth.max_logins) {
		pthread_mutex_unlock(&l->mu);
		pthread_cond_destroy(&g->cond);
		free(g);
		if (l->stopping)
			st = rpc_error(ctx, GRPC_STATUS_UNAVAILABLE, "the server "
			    "is shutting down; try again shortly");
		else if (busy != NULL)
			/* One conversation per username at a time, so that
			 * parallel guesses cannot outrun the lockout. */
			st = rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "username: a login for it is already in progress; "
			    "finish it or wait a minute");
		else
			st = rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "too many logins in progress; try again in a "
			    "minute");
		login_audit_ctx(ctx, username, st, "login refused");
		return st;
	}
	g->next = l->list;
	l->list = g;
	l->count++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, login_thread, g) != 0) {
		login_unlink(g);
		l->count--;
		pthread_mutex_unlock(&l->mu);
		pthread_attr_destroy(&attr);
		pthread_cond_destroy(&g->cond);
		free(g);
		st = rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "cannot start a login now; try again");
		login_audit_ctx(ctx, username, st, "thread creation failed");
		return st;
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_unlock(&l->mu);
	return RPC_DEFERRED;
}

grpc_status_code
login_continue(struct rpc_ctx *ctx, const char *login_id,
    char *const *responses, size_t n)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct logins *l = d->logins;
	struct login *g;
	grpc_status_code st;
	const char *cn;
	char **copy, peer[sizeof g->peer], terminal[sizeof g->terminal];

	if (n > LOGIN_MAX_PROMPTS) {
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "responses: at most %d are accepted", LOGIN_MAX_PROMPTS);
		login_audit_ctx(ctx, "", st, "too many responses");
		return st;
	}
	for (size_t i = 0; i < n; i++)
		if (strlen(responses[i]) > LOGIN_MAX_RESPONSE) {
			st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "responses[%zu]: longer than %d bytes", i,
			    LOGIN_MAX_RESPONSE);
			login_audit_ctx(ctx, "", st, "over-long response");
			return st;
		}
	pthread_mutex_lock(&l->mu);
	for (g = l->list; g != NULL; g = g->next)
		if (strcmp(g->id, login_id) == 0)
			break;
	/* A login_id is good only from where the login began: one seen on
	 * the wire or in a log cannot be finished by someone else.  The
	 * answer is that of an unknown login_id, so that it says nothing
	 * about logins in progress; the audit row says what happened. */
	cn = rpc_ctx_client_cn(ctx);
	snprintf(peer, sizeof peer, "%s", rpcd_peer_address(ctx));
	snprintf(terminal, sizeof terminal, "%s", cn != NULL ? cn : "");
	if (g != NULL && (strcmp(g->peer, peer) != 0 ||
	    strcmp(g->terminal, terminal) != 0)) {
		char user[65], why[200];

		snprintf(user, sizeof user, "%s", g->username);
		snprintf(why, sizeof why, "login_id presented from another "
		    "peer than %s started it from", g->terminal[0] ?
		    g->terminal : g->peer);
		pthread_mutex_unlock(&l->mu);
		st = rpc_error(ctx, GRPC_STATUS_NOT_FOUND, LOGIN_UNKNOWN);
		login_audit_ctx(ctx, user, st, why);
		return st;
	}
	if (g != NULL && g->aborted) {
		pthread_mutex_unlock(&l->mu);
		st = rpc_error(ctx, GRPC_STATUS_UNAVAILABLE, "the server is "
		    "shutting down; log in again shortly");
		login_audit_ctx(ctx, "", st, "login aborted by shutdown");
		return st;
	}
	if (g == NULL || g->expired) {
		pthread_mutex_unlock(&l->mu);
		st = rpc_error(ctx, GRPC_STATUS_NOT_FOUND, LOGIN_UNKNOWN);
		login_audit_ctx(ctx, "", st, "unknown login_id");
		return st;
	}
	if (!g->want || g->waiting != NULL) {
		char user[65];

		snprintf(user, sizeof user, "%s", g->username);
		pthread_mutex_unlock(&l->mu);
		st = rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "login_id: this login is not waiting for answers");
		login_audit_ctx(ctx, user, st, "no prompt outstanding");
		return st;
	}
	if ((int)n != g->nprompts) {
		char user[65];
		int np = g->nprompts;

		snprintf(user, sizeof user, "%s", g->username);
		pthread_mutex_unlock(&l->mu);
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "responses: %zu given for %d prompt%s", n, np,
		    np == 1 ? "" : "s");
		login_audit_ctx(ctx, user, st, "wrong number of responses");
		return st;
	}
	if ((copy = calloc(n + 1, sizeof *copy)) == NULL)
		fatalx("out of memory");
	for (size_t i = 0; i < n; i++)
		if ((copy[i] = strdup(responses[i])) == NULL)
			fatalx("out of memory");
	/* The request's copies live in the call's arena: wipe them now
	 * rather than leave passwords in freed memory. */
	for (size_t i = 0; i < n; i++)
		sodium_memzero(responses[i], strlen(responses[i]));
	g->responses = copy;
	g->nresponses = (int)n;
	g->waiting = ctx;
	clock_gettime(CLOCK_MONOTONIC, &g->step_start);
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&l->mu);
	return RPC_DEFERRED;
}
