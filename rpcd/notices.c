/*
 * notices.c: telling citizens.  The texts of the notices a change sends
 * (written in the citizen's language, added to the outbox in the change's
 * own transaction), the delivery worker that hands each due notice to the
 * configured command, and spis.v1.Notices, which lists a person's notices
 * and prints one as a letter.
 *
 * Delivery runs on its own thread, never on an RPC thread: the command
 * (`notice_command`, run with /bin/sh -c) gets the notice on its standard
 * input and says it delivered it by exiting 0.  A failure is tried again
 * after notice_retry_seconds, doubling each time up to a day, and given up
 * after notice_max_attempts; the notice stays printable either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "spis/v1/benefits.pb-c.h"

#include "check.h"
#include "log.h"
#include "rpcd.h"
#include "store_notice.h"
#include "store_person.h"

extern char **environ;

/* How long a delivery command may take before it is killed. */
#define NOTICE_COMMAND_SECONDS 30

/* ------------------------------------------------------------------------
 * Texts.  Lithuanian for "lt", English otherwise (Turkish texts come with
 * a Turkish deployment's translators).
 */

static int
notice_lt(const char *language)
{
	return language != NULL && strcmp(language, "lt") == 0;
}

static const char *
notice_period(const char *period, int lt)
{
	if (strcmp(period, "monthly") == 0)
		return lt ? "per mėnesį" : "a month";
	if (strcmp(period, "yearly") == 0)
		return lt ? "per metus" : "a year";
	return lt ? "vieną kartą" : "once";
}

/* Writes minor units as "EUR 131.40". */
static char *
notice_money(struct arena *a, int64_t minor, const char *currency)
{
	int64_t v = minor < 0 ? -minor : minor;

	return arena_printf(a, "%s %s%" PRId64 ".%02" PRId64, currency,
	    minor < 0 ? "-" : "", v / 100, v % 100);
}

void
notice_decision(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, int approved,
    int64_t amount, const char *currency, const char *period,
    const char *explanation, const char *appeal_until, struct store_notice *n)
{
	int lt = notice_lt(p->language);
	char today[16];

	check_today(today, sizeof today);
	n->national_id = p->national_id;
	n->kind = "decision";
	n->language = lt ? "lt" : "en";
	n->reference = reference;
	if (approved) {
		n->subject = arena_printf(a, lt ? "Jūsų prašymas %s "
		    "patenkintas" : "Your application %s is approved",
		    reference);
		n->body = arena_printf(a, lt ?
		    "Jūsų prašymas dėl „%s“ (nr. %s) patenkintas %s.\n"
		    "Suma: %s %s.\nKodėl: %s\n"
		    "Jei nesutinkate, skųsti galite iki %s kioske arba "
		    "socialinės paramos skyriuje.\n" :
		    "Your application for %s (reference %s) was approved on "
		    "%s.\nAmount: %s %s.\nWhy: %s\n"
		    "If you disagree, you may appeal until %s at a kiosk or a "
		    "social support office.\n", programme_name, reference,
		    today, notice_money(a, amount, currency),
		    notice_period(period, lt), explanation, appeal_until);
	} else {
		n->subject = arena_printf(a, lt ? "Jūsų prašymas %s atmestas" :
		    "Your application %s is rejected", reference);
		n->body = arena_printf(a, lt ?
		    "Jūsų prašymas dėl „%s“ (nr. %s) atmestas %s.\n"
		    "Kodėl: %s\n"
		    "Jei nesutinkate, skųsti galite iki %s kioske arba "
		    "socialinės paramos skyriuje.\n" :
		    "Your application for %s (reference %s) was rejected on "
		    "%s.\nWhy: %s\n"
		    "If you disagree, you may appeal until %s at a kiosk or a "
		    "social support office.\n", programme_name, reference,
		    today, explanation, appeal_until);
	}
}

void
notice_benefit_ended(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, const char *date,
    const char *reason, struct store_notice *n)
{
	int lt = notice_lt(p->language);

	n->national_id = p->national_id;
	n->kind = "benefit_ended";
	n->language = lt ? "lt" : "en";
	n->reference = reference;
	n->subject = arena_printf(a, lt ? "Jūsų išmoka „%s“ nutraukta" :
	    "Your %s has ended", programme_name);
	n->body = arena_printf(a, lt ?
	    "Jūsų išmoka „%s“ (prašymo nr. %s) nutraukta nuo %s.\n"
	    "Priežastis: %s\n"
	    "Jei manote, kad tai klaida, kreipkitės į socialinės paramos "
	    "skyrių.\n" :
	    "Your %s (application %s) ended on %s.\nReason: %s\n"
	    "If you think this is wrong, contact your social support "
	    "office.\n", programme_name, reference, date, reason);
}

void
notice_child_benefit_offer(struct arena *a, const struct store_person *mother,
    const char *child_names, const char *birth_date,
    const char *programme_name, struct store_notice *n)
{
	int lt = notice_lt(mother->language);

	n->national_id = mother->national_id;
	n->kind = "child_benefit_offer";
	n->language = lt ? "lt" : "en";
	n->reference = "";
	n->subject = arena_printf(a, lt ? "Sveikiname gimus vaikui: galite "
	    "gauti „%s“" : "Congratulations on your child: you may get %s",
	    programme_name);
	n->body = arena_printf(a, lt ?
	    "Civilinės metrikacijos duomenimis, %s gimė %s ir įrašytas(-a) "
	    "į Jūsų namų ūkį.\n"
	    "Jums gali priklausyti „%s“. Prašymą galite pateikti kioske, "
	    "internetu arba socialinės paramos skyriuje; duomenys jau "
	    "užpildyti, Jums tereikia juos patvirtinti.\n" :
	    "The civil registry tells us that %s was born on %s; the child "
	    "is now part of your household in the registry.\n"
	    "You may be entitled to %s. You can apply at a kiosk, online "
	    "or at a social support office; the form is filled in already, "
	    "you only confirm it.\n", child_names, birth_date,
	    programme_name);
}

void
notice_renewal(struct arena *a, const struct store_person *p,
    const char *programme_name, const char *reference, int eligible,
    int64_t old_amount, int64_t new_amount, const char *currency,
    const char *period, const char *explanation, const char *objection_until,
    struct store_notice *n)
{
	int lt = notice_lt(p->language);
	const char *was = notice_money(a, old_amount, currency);

	n->national_id = p->national_id;
	n->kind = "renewal";
	n->language = lt ? "lt" : "en";
	n->reference = reference;
	n->subject = arena_printf(a, lt ? "Informacinis skaičiavimas: „%s“" :
	    "Informative calculation: your %s", programme_name);
	if (eligible)
		n->body = arena_printf(a, lt ?
		    "Jūsų išmoka „%s“ (prašymo nr. %s) bus pratęsta dar "
		    "metams.\nIki šiol: %s %s; toliau: %s %s.\nKodėl: %s\n"
		    "Jei nesutinkate, prieštaravimą pateikti galite iki %s "
		    "kioske arba socialinės paramos skyriuje; kitaip "
		    "išmoka pratęsiama savaime.\n" :
		    "Your %s (application %s) is to be renewed for another "
		    "year.\nUntil now: %s %s; from renewal: %s %s.\nWhy: %s\n"
		    "If you disagree, you may object until %s at a kiosk or a "
		    "social support office; otherwise it renews by "
		    "itself.\n", programme_name, reference, was,
		    notice_period(period, lt),
		    notice_money(a, new_amount, currency),
		    notice_period(period, lt), explanation, objection_until);
	else
		n->body = arena_printf(a, lt ?
		    "Pagal dabartinius duomenis Jūsų išmoka „%s“ (prašymo "
		    "nr. %s) nebebūtų mokama; dabar: %s %s.\nKodėl: %s\n"
		    "Jei nesutinkate, prieštaravimą pateikti galite iki %s "
		    "kioske arba socialinės paramos skyriuje; kitaip "
		    "išmoka nutraukiama.\n" :
		    "On current data your %s (application %s) would no "
		    "longer be paid; now: %s %s.\nWhy: %s\n"
		    "If you disagree, you may object until %s at a kiosk or a "
		    "social support office; otherwise it ends.\n",
		    programme_name, reference, was, notice_period(period, lt),
		    explanation, objection_until);
}

void
notice_payment_failed(struct arena *a, const char *national_id,
    const char *language, const char *programme_name, const char *period,
    const char *status, const char *reason, int64_t amount,
    const char *currency, struct store_notice *n)
{
	int lt = notice_lt(language);
	int returned = strcmp(status, "returned") == 0;
	const char *money = notice_money(a, amount, currency);

	if (reason == NULL || reason[0] == '\0')
		reason = lt ? "nenurodyta" : "not given";
	n->national_id = national_id;
	n->kind = "payment_failed";
	n->language = lt ? "lt" : "en";
	n->reference = "";
	if (lt) {
		n->subject = arena_printf(a, "Išmoka „%s“ už %s nepervesta",
		    programme_name, period);
		n->body = arena_printf(a, "Bankas %s išmoką „%s“ už %s (%s)."
		    "\nPriežastis: %s\nPatikrinkite savo banko sąskaitą "
		    "socialinės paramos skyriuje; išmoka bus pervesta, kai "
		    "sąskaita bus pataisyta.\n", returned ? "grąžino" :
		    "atmetė", programme_name, period, money, reason);
	} else {
		n->subject = arena_printf(a, "Your %s for %s could not be "
		    "paid", programme_name, period);
		n->body = arena_printf(a, "The bank %s the payment of your %s "
		    "for %s (%s).\nReason: %s\nPlease check your bank account "
		    "with a social support office; the payment is made again "
		    "once it is corrected.\n", returned ? "returned" :
		    "refused", programme_name, period, money, reason);
	}
}

/* ------------------------------------------------------------------------
 * Delivery.
 */

struct notices {
	struct rpcd *d;
	const char *command;
	long retry_seconds, max_attempts, poll_seconds;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
};

/* A due notice, copied out of the store. */
struct notice_copy {
	int64_t id;
	int attempts;
	char *text;
	char national_id[16], kind[24], language[4];
};

static void
notice_copy_one(void *arg, const struct store_notice_row *n)
{
	struct notice_copy *c = arg;

	c->id = n->id;
	c->attempts = n->attempts;
	snprintf(c->national_id, sizeof c->national_id, "%s", n->national_id);
	snprintf(c->kind, sizeof c->kind, "%s", n->kind);
	snprintf(c->language, sizeof c->language, "%s", n->language);
	if (asprintf(&c->text, "Notice: %" PRId64 "\nTo: %s\nKind: %s\n"
	    "Language: %s\nReference: %s\nSubject: %s\n\n%s", n->id,
	    n->national_id, n->kind, n->language, n->reference, n->subject,
	    n->body) < 0)
		c->text = NULL;
}

/* Runs the command with text on its standard input; 0 when it exits 0,
 * else -1 with why. */
static int
notice_run(const char *command, const struct notice_copy *c, char *why,
    size_t whylen)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	int fds[2], status = 0;
	size_t len = strlen(c->text), off = 0;
	pid_t pid;
	ssize_t w;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	if ((errno = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv,
	    environ)) != 0) {
		snprintf(why, whylen, "cannot run the command: %s",
		    strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	/* A command that does not read its input gets EPIPE, not a signal
	 * (SIGPIPE is ignored in the daemon). */
	while (off < len) {
		if ((w = write(fds[1], c->text + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	close(fds[1]);
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			snprintf(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (waited == NOTICE_COMMAND_SECONDS * 20) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "the command took longer than %d "
			    "seconds", NOTICE_COMMAND_SECONDS);
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, whylen, "the command exited %d",
		    WEXITSTATUS(status));
	else
		snprintf(why, whylen, "the command was killed by signal %d",
		    WTERMSIG(status));
	return -1;
}

/* Delivers every notice that is due; returns when none is. */
static void
notice_deliver_due(struct notices *n)
{
	struct notice_copy c;
	char why[160];
	int64_t now, delay;
	int ok;

	for (;;) {
		pthread_mutex_lock(&n->lock);
		if (n->stopping) {
			pthread_mutex_unlock(&n->lock);
			return;
		}
		pthread_mutex_unlock(&n->lock);
		memset(&c, 0, sizeof c);
		now = (int64_t)time(NULL);
		if (store_notice_due(n->d->store, now, notice_copy_one, &c) !=
		    STORE_OK)
			return;
		if (c.text == NULL)
			return;
		ok = notice_run(n->command, &c, why, sizeof why) == 0;
		/* The delay doubles with every failure, up to a day. */
		delay = n->retry_seconds;
		for (int i = 0; i < c.attempts && delay < 86400; i++)
			delay *= 2;
		if (delay > 86400)
			delay = 86400;
		if (ok)
			log_info("notice %" PRId64 " (%s) delivered", c.id,
			    c.kind);
		else
			log_warn("notice %" PRId64 " (%s): attempt %d failed: "
			    "%s", c.id, c.kind, c.attempts + 1, why);
		store_notice_attempt(n->d->store, c.id, ok, ok ? NULL : why,
		    now + delay, (int)n->max_attempts);
		free(c.text);
	}
}

static void *
notice_thread(void *arg)
{
	struct notices *n = arg;
	struct timespec until;

	for (;;) {
		notice_deliver_due(n);
		pthread_mutex_lock(&n->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += n->poll_seconds;
		while (!n->stopping && pthread_cond_timedwait(&n->wake,
		    &n->lock, &until) != ETIMEDOUT)
			;
		if (n->stopping) {
			pthread_mutex_unlock(&n->lock);
			return NULL;
		}
		pthread_mutex_unlock(&n->lock);
	}
}

struct notices *
notices_start(struct rpcd *d, const char *command, long retry_seconds,
    long max_attempts, long poll_seconds)
{
	struct notices *n;

	if (command == NULL || command[0] == '\0') {
		log_info("notices: no notice_command; notices wait in the "
		    "outbox and can be printed as letters");
		return NULL;
	}
	if ((n = calloc(1, sizeof *n)) == NULL)
		return NULL;
	n->d = d;
	n->command = command;
	n->retry_seconds = retry_seconds;
	n->max_attempts = max_attempts;
	n->poll_seconds = poll_seconds;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if (pthread_create(&n->thread, NULL, notice_thread, n) != 0) {
		log_error("notices: cannot start the delivery thread");
		free(n);
		return NULL;
	}
	log_info("notices: delivered by \"%s\"", command);
	return n;
}

void
notices_stop(struct notices *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = 1;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->wake);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

/* ------------------------------------------------------------------------
 * spis.v1.Notices.
 */

struct notice_fill {
	struct rpc_ctx *ctx;
	Spis__V1__NoticeList *m;
	size_t cap;
};

static Spis__V1__Notice *
notice_msg(struct rpc_ctx *ctx, const struct store_notice_row *n)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Notice *m;

	m = RPC_NEW(ctx, Spis__V1__Notice, spis__v1__notice__init);
	m->id = n->id;
	m->national_id = arena_strdup(a, n->national_id);
	m->kind = arena_strdup(a, n->kind);
	m->language = arena_strdup(a, n->language);
	m->subject = arena_strdup(a, n->subject);
	m->body = arena_strdup(a, n->body);
	m->reference = arena_strdup(a, n->reference);
	m->state = arena_strdup(a, n->state);
	m->attempts = n->attempts;
	m->last_error = arena_strdup(a, n->last_error);
	m->created_at = arena_strdup(a, n->created_at);
	m->sent_at = arena_strdup(a, n->sent_at);
	return m;
}

/* Under the store's lock: builds messages only (the arena, no store). */
static void
notice_list_one(void *arg, const struct store_notice_row *n)
{
	struct notice_fill *f = arg;

	f->m->notices = arena_grow(rpc_ctx_arena(f->ctx), f->m->notices,
	    f->m->n_notices, &f->cap, sizeof *f->m->notices);
	f->m->notices[f->m->n_notices++] = notice_msg(f->ctx, n);
}

static grpc_status_code
notice_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListNoticesRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct notice_fill f = {.ctx = ctx};

	if (req->national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: required");
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	f.m = RPC_NEW(ctx, Spis__V1__NoticeList,
	    spis__v1__notice_list__init);
	if (store_notice_list(d->store, req->national_id, notice_list_one,
	    &f) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &f.m->base;
	return GRPC_STATUS_OK;
}

static void
notice_get_one(void *arg, const struct store_notice_row *n)
{
	struct notice_fill *f = arg;

	f->m->notices = arena_alloc(rpc_ctx_arena(f->ctx),
	    sizeof *f->m->notices);
	f->m->notices[0] = notice_msg(f->ctx, n);
	f->m->n_notices = 1;
}

static grpc_status_code
notice_letter(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetLetterRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct notice_fill f = {.ctx = ctx};
	struct store_person p;
	Spis__V1__Notice *n;
	Spis__V1__Letter *out;
	int lt;

	if (req->notice_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "notice_id: required");
	f.m = RPC_NEW(ctx, Spis__V1__NoticeList,
	    spis__v1__notice_list__init);
	switch (store_notice_get(d->store, req->notice_id, notice_get_one,
	    &f)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "notice_id: no notice %" PRId64, req->notice_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	n = f.m->notices[0];
	rpcd_audit_subject(ctx, n->national_id, "case_work");
	if (store_person_get(d->store, n->national_id, NULL, &p) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	lt = notice_lt(n->language);
	out = RPC_NEW(ctx, Spis__V1__Letter, spis__v1__letter__init);
	out->text = arena_printf(rpc_ctx_arena(ctx),
	    "%s %s\n%s\n\n%s: %.10s\n%s: %s\n\n%s\n\n%s\n%s\n",
	    p.given_names, p.surname, p.address,
	    lt ? "Data" : "Date", n->created_at,
	    lt ? "Nr." : "Reference", n->reference[0] ? n->reference : "-",
	    n->subject, n->body,
	    lt ? "Socialinės paramos skyrius" : "Social support office");
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method notices_methods[] = {
	RPC_METHOD(spis__v1__notices, 0, notice_list, PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__notices, 1, notice_letter, PERM_BENEFIT_READ),
};
const size_t notices_nmethods =
    sizeof notices_methods / sizeof notices_methods[0];
