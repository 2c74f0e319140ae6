/*
 * console.h: spis-console, the officer console.  main.c reads the flags and
 * runs the terminal; session.c holds the officer's session and makes the
 * calls that need it; each screen lives in its own file.
 */
#ifndef SPIS_CONSOLE_H
#define SPIS_CONSOLE_H

#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "tui.h"
#include "tui_link.h"

#define CONSOLE_TOKEN_MAX 128
#define CONSOLE_NAME_MAX 128

/*
 * The officer's session.  The token lives only here, in memory, and is
 * zeroed when the session ends for any reason.
 */
struct console_session {
	int active;
	char token[CONSOLE_TOKEN_MAX];
	char username[CONSOLE_NAME_MAX];
	char display_name[CONSOLE_NAME_MAX];
	char roles[CONSOLE_NAME_MAX];	/* "clerk, auditor" */
	char municipality[32];		/* "" for national scope */
	int auditor;
	/* The officer whose session expired, so that a login by someone
	 * else does not land on the previous officer's screen. */
	char expired_user[CONSOLE_NAME_MAX];
};

/* What every screen of the console may look at. */
struct console {
	struct tui *tui;
	struct tui_link *link;
	struct tui_link_state st; /* refreshed on every turn of the loop */
	const char *server;	  /* as given on the command line */
	int tls;
	struct console_session sess;
};

/*
 * The screen at the bottom of the stack, the home screen once logged in:
 * the server's identity and health, or why it cannot be reached.  Freed by
 * the stack.
 */
struct tui_screen *console_status_new(struct console *c);

/*
 * Draws what is known of the server from row y in at most rows rows: its
 * address, encryption, health and version (and with full set the rest of
 * what it told), or why it cannot be reached.  Returns the rows used.
 */
int console_server_draw(struct console *c, struct tui *t, int y, int rows,
    int cols, int full);

/*
 * The login screen, pushed above whatever screen is showing.  It pops
 * itself once the officer has logged in, which reveals the screen below:
 * home after a logout or at start, the screen the officer was on after an
 * expired session (resume set).  Freed by the stack.
 */
struct tui_screen *console_login_new(struct console *c, int resume);

/* The audit trail, for auditors.  Freed by the stack. */
struct tui_screen *console_audit_new(struct console *c);

/* session.c */

/* Deadline of ordinary calls and of login steps (PAM may be slow). */
#define CONSOLE_CALL_MS 10000
#define CONSOLE_LOGIN_MS 30000

/*
 * One unary call with the officer's token.  Returns the status, its
 * message in msg, and on OK the response in *resp for the caller to free
 * with protobuf_c_message_free_unpacked().  An UNAUTHENTICATED answer means
 * the session is over: it is ended and the login screen pushed in resume
 * mode, so the caller only has to stop.
 */
grpc_status_code console_call(struct console *c,
    const ProtobufCServiceDescriptor *svc, unsigned index,
    const ProtobufCMessage *req, ProtobufCMessage **resp, char *msg,
    size_t msglen);

/* Starts the session a login step brought and names the officer in the
 * header.  sess is a Spis__V1__Session. */
void console_session_start(struct console *c, const void *sess);

/* Zeroes the session and empties the header's officer. */
void console_session_wipe(struct console *c);

/*
 * Logs out (the daemon forgets the token; failures do not matter, as the
 * token is forgotten here all the same), returns to the home screen and
 * pushes the login screen.
 */
void console_logout(struct console *c);

/* Logs out without touching the screens, for leaving the program. */
void console_session_end(struct console *c);

/* Copies src (NULL counts as "") into dst, cut to len - 1 bytes. */
void console_copy(char *dst, size_t len, const char *src);

/* A line for a failed call: the server's message, or why it could not be
 * reached.  Written into buf, which is returned. */
const char *console_status_text(grpc_status_code st, const char *msg,
    char *buf, size_t len);

#endif
