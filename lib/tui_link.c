/*
 * tui_link.c: the client's link to the daemon; see tui_link.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc.h>

#include "grpc/health/v1/health.pb-c.h"
#include "i18n.h"
#include "rpc.h"
#include "spis/v1/system.pb-c.h"
#include "tui_link.h"

#define TUI_LINK_INTERVAL_MS 2000
/* Short enough that a silent network is noticed within one interval. */
#define TUI_LINK_DEADLINE_MS 1500

struct tui_link {
	struct rpc_client *client;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long interval_ms;
	int stop;  /* under mu */
	int retry; /* under mu */
	struct tui_link_state st; /* under mu */
};

/* Reads a PEM file; fmt is the translated complaint, with the path and
 * the reason, for when it cannot be read. */
static char *
tui_link_pem(const char *fmt, const char *path, char *err, size_t errlen)
{
	char *pem;

	if (path == NULL)
		return NULL;
	if ((pem = rpc_read_file(path)) == NULL)
		snprintf(err, errlen, fmt, path, strerror(errno));
	return pem;
}

/* Frees a PEM string, zeroing it first: it may hold a private key. */
static void
tui_link_pem_free(char *pem)
{
	if (pem == NULL)
		return;
	explicit_bzero(pem, strlen(pem));
	free(pem);
}

static void
tui_link_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* One check: health, then the version when the link has just come up.
 * Runs without the lock; the network may take a while. */
static void
tui_link_check(struct tui_link *l)
{
	Grpc__Health__V1__HealthCheckRequest hreq =
	    GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Spis__V1__GetVersionRequest vreq = SPIS__V1__GET_VERSION_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckResponse *hresp = NULL;
	Spis__V1__VersionInfo *vresp = NULL;
	ProtobufCMessage *resp;
	grpc_status_code code;
	char msg[200];
	int was_up, need_version;

	pthread_mutex_lock(&l->mu);
	was_up = l->st.conn == TUI_CONN_UP;
	need_version = !was_up || !l->st.have_version;
	pthread_mutex_unlock(&l->mu);

	hreq.service = "";
	code = rpc_call(l->client, &grpc__health__v1__health__descriptor, 0,
	    &hreq.base, &resp, TUI_LINK_DEADLINE_MS, NULL, msg, sizeof msg);
	if (code == GRPC_STATUS_OK) {
		hresp = (Grpc__Health__V1__HealthCheckResponse *)resp;
		if (need_version) {
			code = rpc_call(l->client, &spis__v1__system__descriptor,
			    0, &vreq.base, &resp, TUI_LINK_DEADLINE_MS, NULL,
			    msg, sizeof msg);
			if (code == GRPC_STATUS_OK)
				vresp = (Spis__V1__VersionInfo *)resp;
		}
	}

	pthread_mutex_lock(&l->mu);
	l->st.turns++;
	if (code != GRPC_STATUS_OK) {
		l->st.conn = TUI_CONN_DOWN;
		l->st.have_version = 0;
		snprintf(l->st.error, sizeof l->st.error, "%s%s%s",
		    rpc_status_name(code), msg[0] != '\0' ? ": " : "", msg);
	} else {
		l->st.conn = TUI_CONN_UP;
		l->st.health = hresp->status;
		l->st.error[0] = '\0';
	}
	if (vresp != NULL) {
		l->st.have_version = 1;
		tui_link_copy(l->st.version, sizeof l->st.version,
		    vresp->version);
		tui_link_copy(l->st.grpc_version, sizeof l->st.grpc_version,
		    vresp->grpc_version);
		tui_link_copy(l->st.sqlite_version,
		    sizeof l->st.sqlite_version, vresp->sqlite_version);
		tui_link_copy(l->st.started_at, sizeof l->st.started_at,
		    vresp->started_at);
		tui_link_copy(l->st.country, sizeof l->st.country,
		    vresp->country);
		l->st.schema_version = vresp->schema_version;
	}
	pthread_mutex_unlock(&l->mu);

	if (hresp != NULL)
		protobuf_c_message_free_unpacked(&hresp->base, NULL);
	if (vresp != NULL)
		protobuf_c_message_free_unpacked(&vresp->base, NULL);
}

static void *
tui_link_main(void *arg)
{
	struct tui_link *l = arg;
	struct timespec until;

	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		pthread_mutex_unlock(&l->mu);
		tui_link_check(l);
		pthread_mutex_lock(&l->mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += l->interval_ms / 1000;
		until.tv_nsec += (l->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!l->stop && !l->retry &&
		    pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
			;
		l->retry = 0;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

struct tui_link *
tui_link_open(const struct tui_link_opts *o, char *err, size_t errlen)
{
	struct rpc_client_opts co;
	struct tui_link *l;
	pthread_condattr_t ca;
	sigset_t all, old;
	char *ca_pem = NULL, *cert_pem = NULL, *key_pem = NULL;

	err[0] = '\0';
	ca_pem = tui_link_pem(_("cannot read the CA file %s: %s"), o->tls_ca,
	    err, errlen);
	if (err[0] == '\0')
		cert_pem = tui_link_pem(_("cannot read the certificate file "
		    "%s: %s"), o->tls_cert, err, errlen);
	if (err[0] == '\0')
		key_pem = tui_link_pem(_("cannot read the key file %s: %s"),
		    o->tls_key, err, errlen);
	if (err[0] != '\0') {
		tui_link_pem_free(ca_pem);
		tui_link_pem_free(cert_pem);
		tui_link_pem_free(key_pem);
		return NULL;
	}
	if ((l = calloc(1, sizeof *l)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	l->interval_ms = o->interval_ms > 0 ? o->interval_ms :
					      TUI_LINK_INTERVAL_MS;
	l->st.conn = TUI_CONN_CONNECTING;
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);

	/* Threads inherit the mask: keep signals for the terminal's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	grpc_init();
	memset(&co, 0, sizeof co);
	co.target = o->server;
	co.tls_ca_pem = ca_pem;
	co.tls_cert_pem = cert_pem;
	co.tls_key_pem = key_pem;
	l->client = rpc_client_new(&co, err, errlen);
	tui_link_pem_free(ca_pem);
	tui_link_pem_free(cert_pem);
	tui_link_pem_free(key_pem);
	if (l->client != NULL &&
	    (errno = pthread_create(&l->thread, NULL, tui_link_main, l)) != 0) {
		snprintf(err, errlen, _("cannot start a thread: %s"),
		    strerror(errno));
		rpc_client_free(l->client);
		l->client = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (l->client == NULL) {
		grpc_shutdown();
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return NULL;
	}
	return l;
}

void
tui_link_get(struct tui_link *l, struct tui_link_state *st)
{
	pthread_mutex_lock(&l->mu);
	*st = l->st;
	pthread_mutex_unlock(&l->mu);
}

void
tui_link_retry(struct tui_link *l)
{
	pthread_mutex_lock(&l->mu);
	l->retry = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

struct rpc_client *
tui_link_client(struct tui_link *l)
{
	return l->client;
}

const char *
tui_link_health_name(int health)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
	    &grpc__health__v1__health_check_response__serving_status__descriptor,
	    health);

	return v != NULL ? v->name : "UNKNOWN";
}

void
tui_link_close(struct tui_link *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	rpc_client_free(l->client);
	grpc_shutdown();
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}
