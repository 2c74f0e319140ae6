/*
 * console.h: spis-console, the officer console.  main.c reads the flags and
 * runs the terminal; session.c holds the officer's session and makes the
 * calls that need it; each screen lives in its own file.
 */
#ifndef SPIS_CONSOLE_H
#define SPIS_CONSOLE_H

#include <stdint.h>

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
	/* What the roles allow, as rpcd/authz.c grants it, so that menus
	 * offer only what the officer may do; the daemon still decides. */
	int can_read;	/* registry.read: search, cards, households */
	int can_write;	/* registry.write: register, edit, households */
	int can_review; /* duplicate.review */
	int can_pin;	/* pin.issue */
	int can_apps;	/* application.read: queue, applications */
	int can_submit; /* application.submit: apply, withdraw, appeal */
	int can_decide; /* application.decide: review, evaluate, decide */
	int can_override; /* decision.override: decide against the rules */
	int can_status; /* status.read: the helpdesk's status lookup */
	int can_programmes; /* programme.admin: edit the catalogue */
	int can_benefits; /* benefit.read: benefits, bank account, notices */
	int can_benefit_write; /* benefit.write: suspend, resume, end */
	int can_bank;	/* bank.write: record a bank account */
	int can_pay_run; /* payment.run: make, export, reconcile runs */
	int can_pay_approve; /* payment.approve: sign another's run */
	int can_pay_read; /* payment.read: runs and failed payments */
	int can_renewal; /* renewal.run: start and follow renewal jobs */
	int can_simulate; /* simulation.run: the microsimulation */
	int can_research; /* research.sample: anonymised extracts */
	int can_exchange; /* exchange.admin: institutions and their feeds */
	int can_facts;	/* fact.read: the facts institutions sent */
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

/* Public statistics with bar charts and sparklines, for every officer
 * (stats.c).  Freed by the stack. */
struct tui_screen *console_stats_new(struct console *c);

/* The audit trail, for auditors.  Freed by the stack. */
struct tui_screen *console_audit_new(struct console *c);

/*
 * The registry.  Search is the way in (nobody browses); a person's card
 * leads to their history, documents and household.
 */

/* Search for a person.  Freed by the stack. */
struct tui_screen *console_search_new(struct console *c);

/* The register-a-person form.  Freed by the stack. */
struct tui_screen *console_register_new(struct console *c);

/* A person's card, read with GetPerson for purpose (copied).  Freed by the
 * stack. */
struct tui_screen *console_person_new(struct console *c,
    const char *national_id, const char *purpose);

/* The card's change history, and the documents on file. */
struct tui_screen *console_history_new(struct console *c,
    const char *national_id, const char *purpose);
struct tui_screen *console_documents_new(struct console *c,
    const char *national_id, const char *purpose);

/*
 * The household screen of a person: household_id "" when they have none,
 * in which case it offers to create one headed by them at their address
 * and municipality (defaults for the form).  Freed by the stack.
 */
struct tui_screen *console_household_new(struct console *c,
    const char *household_id, const char *national_id, const char *address,
    const char *municipality, const char *purpose);

/* The duplicate review list.  Freed by the stack. */
struct tui_screen *console_duplicates_new(struct console *c);

/*
 * Programmes and applications.
 */

/*
 * The dashboard on the home screen: the queue counts per programme and
 * state with the oldest age (QueueCounts).  console_counts_fetch() asks the
 * daemon again; console_counts_draw() draws from row y in at most rows
 * rows and returns the rows used.  Freed with console_counts_free().
 */
struct console_counts;
struct console_counts *console_counts_new(void);
void console_counts_fetch(struct console *c, struct console_counts *k);
int console_counts_draw(struct tui *t, struct console_counts *k, int y,
    int x, int rows, int cols);
void console_counts_free(struct console_counts *k);

/* The institutions and their feeds, for admins (institutions.c).  Freed
 * by the stack. */
struct tui_screen *console_institutions_new(struct console *c);

/* Pushes a screen with the facts institutions sent about a person
 * (Exchange/ListPersonFacts, read for purpose).  0, or -1 with why in
 * note. */
int console_facts_show(struct console *c, const char *national_id,
    const char *purpose, char *note, size_t len);

/* The work queue, oldest first.  Freed by the stack. */
struct tui_screen *console_queue_new(struct console *c);

/* The review of one application (reference copied).  Freed by the
 * stack. */
struct tui_screen *console_application_new(struct console *c,
    const char *reference);

/* Intake for a person: choose a programme, confirm the pre-filled form,
 * submit, see the receipt (national_id copied).  Freed by the stack. */
struct tui_screen *console_apply_new(struct console *c,
    const char *national_id, const char *municipality);

/* The programme catalogue, and its editor for admins.  Freed by the
 * stack. */
struct tui_screen *console_programmes_new(struct console *c);
/* The microsimulation: pick a programme, edit a candidate rule, run it
 * over the registry, read the table (simulation.c).  Freed by the
 * stack. */
struct tui_screen *console_simulation_new(struct console *c);

/* The research sample: a date range saved as an anonymised CSV extract
 * (research.c).  Freed by the stack. */
struct tui_screen *console_research_new(struct console *c);

/* The helpdesk's status lookup by reference and birth date.  Freed by
 * the stack. */
struct tui_screen *console_lookup_new(struct console *c);

/*
 * A scrolling page of text lines, for the review and the results of an
 * evaluation or a replay.  Lines are copied; indent is in columns and
 * long lines wrap under their indent.
 */
struct console_doc;
struct console_doc *console_doc_new(void);
void console_doc_clear(struct console_doc *d);
void console_doc_add(struct console_doc *d, int indent, int attr,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Draws from the doc's scroll position; returns the rows used. */
int console_doc_draw(struct tui *t, struct console_doc *d, int y, int x,
    int rows, int cols);
/* Up, Down, PgUp, PgDn, Home, End scroll.  Returns 1 when used. */
int console_doc_key(struct console_doc *d, struct tui_key k);
/* Zeroes the text and frees d. */
void console_doc_free(struct console_doc *d);

/* A screen showing a doc under a title; it owns and frees the doc. */
struct tui_screen *console_doc_screen_new(struct console *c,
    const char *title, struct console_doc *d);

struct console_form;

/* Money in minor units written as "123.45" into buf; returns buf. */
const char *console_money(long long minor, char *buf, size_t len);
/* Parses "123.45", "123.4" or "123" into minor units; -1 when it is not
 * an amount of that form, or negative. */
int console_money_parse(const char *s, long long *minor);
/* A console_input check for such an amount. */
const char *console_check_money(struct console_form *f, int i,
    const char *v);

/* The registration requests sent from kiosks, the officer's municipality
 * first (registrations.c).  Freed by the stack. */
struct tui_screen *console_registrations_new(struct console *c);

/*
 * The register form filled in from a registration request (a
 * Spis__V1__Registration, copied).  Once RegisterPerson succeeds, the
 * request is accepted (linked to the person), the card opens and a kiosk
 * PIN is offered.  Freed by the stack.
 */
struct tui_screen *console_register_from_request(struct console *c,
    const void *registration);

/* Asks question over a person's card (console_person_new) and, on yes,
 * issues a kiosk PIN for them and shows it once. */
void console_person_offer_pin(struct tui_screen *card, const char *question);

/*
 * Benefits, bank accounts, notices and payments.
 */

/* An IBAN in groups of four ("LT12 1000 0111 0100 1000") into buf, which
 * is returned (benefits.c). */
const char *console_iban(const char *iban, char *buf, size_t len);

/* The page of one benefit of a person (national_id copied): its state,
 * amount and history, and suspend, resume and end as the state and roles
 * allow.  Read with ListBenefits, as there is no call for one benefit.
 * Freed by the stack. */
struct tui_screen *console_benefit_new(struct console *c,
    const char *national_id, int64_t benefit_id);

/* Shows a notice's letter (Notices/GetLetter) on a page of its own under
 * the subject.  Returns 0, or -1 with the reason in note ("" when the
 * session expired). */
int console_letter_show(struct console *c, int64_t notice_id,
    const char *subject, char *note, size_t len);

/* The payment runs, for officers who make or approve them, and the failed
 * payments to follow up (payments.c).  Freed by the stack. */
struct tui_screen *console_runs_new(struct console *c);
struct tui_screen *console_failures_new(struct console *c);

/* The yearly renewal: its jobs, started and followed as they run, and the
 * objections to renewals awaiting a caseworker (renewal.c).  Freed by the
 * stack. */
struct tui_screen *console_renewal_new(struct console *c);
struct tui_screen *console_objections_new(struct console *c);

/* form.c: forms of one row per field, used by every registry screen. */

#define CONSOLE_VALUE_MAX (TUI_FIELD_MAX * 4 + 1)
#define CONSOLE_FORM_MAX 16

struct console_form;

/* One input of a form.  Tables of these are static. */
struct console_input {
	const char *name;  /* the daemon's name for it ("surname"), with
			      which its error messages start */
	const char *label; /* msgid */
	int maxlen;	   /* characters */
	int required;
	/* Left and Right step through these (NULL-terminated); anything
	 * else typed must be one of them.  NULL for free text. */
	const char *const *choices;
	int municipality;  /* a municipality code: Left and Right step
			      through the 60, and the name is shown */
	int date;	   /* YYYY-MM-DD */
	/* Further checks on leaving the field: NULL when the value is
	 * acceptable, else the problem (translated; may be f->why). */
	const char *(*check)(struct console_form *f, int i, const char *v);
};

struct console_form {
	const struct console_input *in;
	int n;
	int focus;
	struct tui_field f[CONSOLE_FORM_MAX];
	struct console_form_slot {
		struct console_form *form;
		int i;
	} slot[CONSOLE_FORM_MAX]; /* what each field's validator gets */
	char why[256];	/* scratch for check hooks */
	/* Called after field i was left and checked (may fill others). */
	void (*left)(struct console_form *f, int i);
	void *arg;	/* for the hooks */
};

/* Sets up a form of n inputs (at most CONSOLE_FORM_MAX); the table must
 * outlive it.  Choices start at their first entry. */
void console_form_init(struct console_form *f, const struct console_input *in,
    int n, void *arg);

/* Tab, Shift-Tab, Up and Down move (checking the field left), Left and
 * Right step through choices, the rest edits.  Enter is not used here.
 * Returns 1 when the key was used. */
int console_form_key(struct console_form *f, struct tui_key k);

/* Checks every field; on a problem the focus goes to the first one and -1
 * is returned. */
int console_form_check(struct console_form *f);

/* The value of field i as UTF-8 into buf (CONSOLE_VALUE_MAX bytes). */
void console_form_value(const struct console_form *f, int i, char *buf);
void console_form_set(struct console_form *f, int i, const char *v);
int console_form_index(const struct console_form *f, const char *name);

/* Marks the field a daemon's "name: problem" message names and moves the
 * focus there.  Returns 1 when it named one. */
int console_form_server_error(struct console_form *f, const char *msg);

/* Draws one row per field from y, the cursor in the focused field when
 * focus is set; returns the rows used. */
int console_form_draw(struct tui *t, struct console_form *f, int y, int x,
    int cols, int focus);

void console_form_wipe(struct console_form *f);

/*
 * A dialog over the current screen: a title, a form and a message line.
 * Enter on the last field or F2 checks the form and calls submit, which
 * returns 0 when done (the dialog pops itself and then calls done, may be
 * NULL), or -1 with a message for the officer in err (the daemon's words,
 * verbatim), which is shown under the form and marks the field it names.
 * Esc cancels.  arg must outlive the dialog.
 */
typedef int (*console_submit_fn)(struct console *c, struct console_form *f,
    void *arg, char *err, size_t errlen);
struct tui_screen *console_dialog_new(struct console *c, const char *title,
    const struct console_input *in, int n, console_submit_fn submit,
    void (*done)(struct console *c, void *arg), void *arg);

/* The dialog's form, to fill in before it is shown. */
struct console_form *console_dialog_form(struct tui_screen *s);

/*
 * The bank account dialog's fields (IBAN, checked as typed; holder;
 * reason), for a dialog whose submit calls console_bank_send(), which
 * records them for national_id (Benefits/SetBankAccount).  Returns 0, or
 * -1 with the daemon's message in err.
 */
#define CONSOLE_BANK_NFIELDS 3
extern const struct console_input console_bank_inputs[CONSOLE_BANK_NFIELDS];
int console_bank_send(struct console *c, struct console_form *f,
    const char *national_id, char *err, size_t errlen);

/* A box with text (translated) and one key to close it; the text is wiped
 * when it closes.  Pushed at once. */
void console_notice(struct console *c, const char *title, const char *text);

/* Appends text to buf at *off cut or padded to width columns, then one
 * space: for the columns of a list row (names are UTF-8). */
void console_cell(char *buf, size_t len, size_t *off, const char *text,
    int width);

/* A fresh request_id for a change, into buf (33 bytes). */
void console_request_id(char *buf, size_t len);

/* The purposes a read may name, NULL-terminated; the first is the default. */
extern const char *const console_purposes[];

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
