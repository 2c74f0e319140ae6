/*
 * kiosk.h: spis-kiosk, the citizen kiosk in libraries and NGOs.  main.c
 * reads the flags, runs the terminal and wipes it when left idle; sitting.c
 * holds the volunteer's session and the citizen's sitting and makes the
 * calls that need them; each screen lives in its own file.
 *
 * The screens of a visit, bottom to top: welcome (the start screen, which
 * becomes the volunteer's start screen in assisted mode), identify, the
 * citizen's home once identified, and the flow chosen there (details,
 * access log, applying, my applications, my benefits and payments; the
 * programme screens are in apps.h, some of them open to anyone from the
 * welcome screen).  Leaving a visit pops everything above welcome, each
 * screen zeroing what it held, so that the kiosk keeps no registry data.
 */
#ifndef SPIS_KIOSK_H
#define SPIS_KIOSK_H

#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "tui.h"
#include "tui_link.h"

#define KIOSK_TOKEN_MAX 128
#define KIOSK_NAME_MAX 128
#define KIOSK_MSG_MAX 512

/* Deadlines: ordinary calls, login steps (PAM may be slow), and the calls
 * made on the way out, which must not hold the next visitor up. */
#define KIOSK_CALL_MS 10000
#define KIOSK_LOGIN_MS 30000
#define KIOSK_LEAVE_MS 2000

/* The volunteer (role intermediary) logged in at this terminal. */
struct kiosk_volunteer {
	int active;
	char token[KIOSK_TOKEN_MAX];
	char username[KIOSK_NAME_MAX];
	char name[KIOSK_NAME_MAX]; /* display name, else the username */
};

/* The citizen identified in this sitting. */
struct kiosk_citizen {
	int active;
	char token[KIOSK_TOKEN_MAX];
	char national_id[32];
	char given_names[KIOSK_NAME_MAX];
	char assisted_by[KIOSK_NAME_MAX];
};

/* What the citizen came for, chosen on the welcome screen. */
enum kiosk_flow {
	KIOSK_FLOW_DETAILS,   /* register or update my details */
	KIOSK_FLOW_ACCESSLOG, /* who looked at my record */
	KIOSK_FLOW_APPLY,     /* apply for a programme (apps.h) */
	KIOSK_FLOW_MYAPPS,    /* my applications and appeals (apps.h) */
	KIOSK_FLOW_BENEFITS,  /* my benefits and payments (apps.h) */
};

/* What every screen of the kiosk may look at. */
struct kiosk {
	struct tui *tui;
	struct tui_link *link;
	struct tui_link_state st; /* refreshed on every turn of the loop */
	const char *server;	  /* as given on the command line */
	long idle_s;		  /* wipe after this many seconds idle */
	const char *language;	  /* the language a new visitor sees */
	struct kiosk_volunteer vol;
	struct kiosk_citizen cit;
	/* A line for the start screen after a visit ended by itself
	 * ("the session has ended"); a msgid, or NULL. */
	const char *notice;
};

/*
 * The welcome screen, always at the bottom of the stack: what this
 * terminal is, the language choice, the services, and whether the server
 * answers.  With a volunteer logged in it is the volunteer's start screen.
 * Freed by the stack.
 */
struct tui_screen *kiosk_welcome_new(struct kiosk *k);

/* The volunteer's login (PAM prompts relayed).  Pops itself once logged
 * in.  Freed by the stack. */
struct tui_screen *kiosk_volunteer_new(struct kiosk *k);

/* National ID and PIN, then (assisted) the consent to being helped; on
 * success it is replaced by the citizen's home and the flow.  Freed by the
 * stack. */
struct tui_screen *kiosk_identify_new(struct kiosk *k, enum kiosk_flow flow);

/* The identified citizen's menu.  Freed by the stack. */
struct tui_screen *kiosk_home_new(struct kiosk *k);

/* Register or update my details, in six steps.  Freed by the stack. */
struct tui_screen *kiosk_details_new(struct kiosk *k);

/* Who looked at my record.  Freed by the stack. */
struct tui_screen *kiosk_accesslog_new(struct kiosk *k);

/* Ask to be registered, for someone not in the registry yet: eight steps
 * and a receipt with the request's reference.  Needs no identification.
 * Freed by the stack. */
struct tui_screen *kiosk_register_new(struct kiosk *k);

/* Removes spaces, dashes and parentheses from a phone number in place, as
 * the registry stores it (details.c). */
void kiosk_phone_normalise(char *phone);

/* Pushes the screen of a flow, or shows nothing new when out of memory. */
void kiosk_flow_push(struct kiosk *k, enum kiosk_flow flow);

/* ------------------------------------------------------------------------
 * sitting.c
 */

/*
 * One unary call with the volunteer's token ("authorization: Bearer") and
 * the citizen's ("x-spis-citizen") when they are there.  Returns the
 * status, its message in msg, and on OK the response in *resp for the
 * caller to free with kiosk_msg_free().  An UNAUTHENTICATED answer to a
 * citizen's call means the sitting is over: it is wiped, the screens go
 * back to the start with a notice, and the caller only has to stop.
 */
grpc_status_code kiosk_call(struct kiosk *k,
    const ProtobufCServiceDescriptor *svc, unsigned index,
    const ProtobufCMessage *req, ProtobufCMessage **resp, long deadline_ms,
    char *msg, size_t msglen);

/* Zeroes every string and bytes field of a decoded message, recursively,
 * then frees it.  NULL is ignored. */
void kiosk_msg_free(ProtobufCMessage *m);

/* Starts the sitting an Identify brought (a Spis__V1__CitizenSession). */
void kiosk_citizen_start(struct kiosk *k, const void *session);

/* Starts the volunteer's session a login brought (a Spis__V1__Session). */
void kiosk_volunteer_start(struct kiosk *k, const void *session);

/*
 * Ends the citizen's sitting: EndSitting (failures do not matter: the
 * token is forgotten here all the same and expires at the daemon), zeroes
 * it, pops every screen above the start screen (each wipes what it held)
 * and clears the terminal.  The volunteer stays logged in.  Safe to call
 * with no sitting.
 */
void kiosk_finish(struct kiosk *k);

/* Ends the sitting if any, logs the volunteer out (Auth/Logout) and goes
 * back to the welcome screen in the default language. */
void kiosk_volunteer_logout(struct kiosk *k);

/* The volunteer's session has ended at the daemon (an expiry): forgets
 * it, ends the sitting and goes back to the welcome screen with a notice. */
void kiosk_volunteer_lost(struct kiosk *k);

/* A line for a failed call: the server's message as it is, or why it
 * could not be reached.  Written into buf, which is returned. */
const char *kiosk_status_text(grpc_status_code st, const char *msg,
    char *buf, size_t len);

/* A fresh request_id: 32 hex digits. */
void kiosk_request_id(char *buf, size_t len);

/* Copies src (NULL counts as "") into dst, cut to len - 1 bytes. */
void kiosk_copy(char *dst, size_t len, const char *src);

/*
 * Draws the top of a kiosk screen from row y: the title in bold, with
 * "Step N of M" before it when steps is not 0.  Returns the next free row.
 */
int kiosk_heading(struct tui *t, int y, int cols, int step, int steps,
    const char *title);

#endif
