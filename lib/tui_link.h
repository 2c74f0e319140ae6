/*
 * tui_link.h: a client's link to spis-rpcd.  One channel per process; a
 * background thread checks the daemon's health every couple of seconds and
 * fetches its version after every (re)connection, so that the screens can
 * say at once whether the server is there, and carry on by themselves when
 * it comes back.  The terminal's thread reads a copy of the state and never
 * waits on the network for it.
 */
#ifndef SPIS_TUI_LINK_H
#define SPIS_TUI_LINK_H

#include <stddef.h>

#include "tui.h"

struct rpc_client;
struct tui_link;

struct tui_link_opts {
	const char *server;   /* "127.0.0.1:50051" or "unix:/path" */
	const char *tls_ca;   /* PEM file of the roots to trust, or NULL for
				 plaintext */
	const char *tls_cert; /* PEM files of the terminal's certificate */
	const char *tls_key;
	long interval_ms;     /* between checks; 0 means 2000 */
};

/* What the last check found. */
struct tui_link_state {
	enum tui_conn conn;
	int health;	  /* grpc.health.v1 ServingStatus while up */
	int have_version; /* the fields below are filled */
	char version[64];
	char grpc_version[64];
	char sqlite_version[64];
	char started_at[64];
	char country[16];
	int schema_version;
	char error[256];     /* why the last check failed, while down */
	unsigned long turns; /* checks made so far */
};

/*
 * Reads the PEM files, opens the channel and starts checking.  Call before
 * tui_open(), so that a failure can be told on stderr, and before any
 * signal handlers matter: gRPC's threads and the checker are started with
 * every signal blocked, leaving SIGWINCH and the rest to the terminal's
 * thread.  Returns NULL with a one-line reason in err.
 */
struct tui_link *tui_link_open(const struct tui_link_opts *o, char *err,
    size_t errlen);

/* Copies the current state into *st. */
void tui_link_get(struct tui_link *l, struct tui_link_state *st);

/* Checks again now instead of at the next interval. */
void tui_link_retry(struct tui_link *l);

/* The channel, for the screens' own calls; owned by the link. */
struct rpc_client *tui_link_client(struct tui_link *l);

/* The name of a health status ("SERVING"); static storage. */
const char *tui_link_health_name(int health);

/* Stops the checker, closes the channel and frees l. */
void tui_link_close(struct tui_link *l);

#endif
