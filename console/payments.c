/*
 * payments.c: payment runs and the payments that failed.  The runs list
 * (Payments/ListRuns) is newest first; a clerk makes a run for a programme
 * and period, and a supervisor who did not make it approves it: the
 * daemon refuses the creator, and says so in its own words.  A run's page
 * shows its totals, what was left out and why, and its payments a page at
 * a time; from there an approved run is exported as the bank file, written
 * where the officer says, and the bank's status report is read from a file
 * and imported, its lines' outcomes shown one by one.  Both files travel in
 * chunks of at most 1 MiB (ExportRun then GetExportChunk; UploadStatusChunk
 * then ImportStatus), each checked against its SHA-256, so that a national
 * run's file of hundreds of megabytes needs no huge message.  The failures list
 * is the follow-up: who was not paid and why, Enter opening their card.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <sodium.h>

#include "spis/v1/benefits.pb-c.h"
#include "spis/v1/programmes.pb-c.h"

#include "console.h"
#include "i18n.h"

/* The methods of spis.v1.Payments, by their place in the proto. */
enum {
	PAY_CREATE = 0,
	PAY_GET = 1,
	PAY_LIST = 2,
	PAY_APPROVE = 3,
	PAY_CANCEL = 4,
	PAY_EXPORT = 5,
	PAY_IMPORT = 6,
	PAY_FAILURES = 7,
	PAY_CHUNK = 8,
	PAY_UPLOAD = 9,
};

#define PAY_PAGES_MAX 100
#define PAY_TOKEN_MAX 128
#define PAY_PROGS_MAX 64
/* The largest status report sent, as the daemon takes it. */
#define PAY_FILE_MAX ((off_t)1024 * 1024 * 1024)
/* Bank files travel in chunks of this many bytes. */
#define PAY_CHUNK_BYTES (1024 * 1024)
/* A report up to one chunk is shown line by line; a larger one by its
 * errors only. */
#define PAY_ALL_LINES_MAX PAY_CHUNK_BYTES

/* Sets note from a failed call; an expired session leaves it empty, as
 * the login screen says enough. */
static void
pay_failed(grpc_status_code st, const char *msg, char *note, size_t len,
    int *error)
{
	if (st == GRPC_STATUS_UNAUTHENTICATED)
		note[0] = '\0';
	else if (st == GRPC_STATUS_UNIMPLEMENTED)
		console_copy(note, len,
		    _("Payments are not available on this server."));
	else
		console_status_text(st, msg, note, len);
	*error = 1;
}

/* "2026-11-24T15:57:36Z" as "2026-11-24 15:57", "-" when empty. */
static const char *
pay_time(const char *at, char *buf, size_t len)
{
	if (at == NULL || at[0] == '\0')
		return "-";
	snprintf(buf, len, "%.16s", at);
	if (strlen(buf) > 10)
		buf[10] = ' ';
	return buf;
}

/* ------------------------------------------------------------------------
 * One run.
 */

struct run {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	int64_t id;
	Spis__V1__PaymentRun *run; /* with a page of payments, or NULL */
	struct tui_list list;
	char tokens[PAY_PAGES_MAX][PAY_TOKEN_MAX];
	int page_no;
	/* The last export's first chunk, kept until the file is written,
	 * and what the whole file is. */
	unsigned char *xml;
	size_t xml_len;
	int64_t xml_size;
	char xml_sha256[65];
	/* The outcome of the last import and its file, shown once the
	 * dialog is gone. */
	Spis__V1__ImportStatusReply *imported;
	char imported_path[CONSOLE_VALUE_MAX];
	char note[1024];
	int note_error;
	int rerun;
};

static const struct tui_hint run_hints[] = {
	{"Enter", N_("Person")},
	{"PgUp/Dn", N_("Pages")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
run_free(struct run *r)
{
	if (r->run != NULL)
		protobuf_c_message_free_unpacked(&r->run->base, NULL);
	r->run = NULL;
	r->list.n = 0;
}

static void
run_drop_import(struct run *r)
{
	if (r->imported != NULL)
		protobuf_c_message_free_unpacked(&r->imported->base, NULL);
	r->imported = NULL;
}

static void
run_drop_xml(struct run *r)
{
	if (r->xml != NULL) {
		explicit_bzero(r->xml, r->xml_len);
		free(r->xml);
	}
	r->xml = NULL;
	r->xml_len = 0;
	r->xml_size = 0;
	r->xml_sha256[0] = '\0';
}

static int
run_state_is(const struct run *r, const char *state)
{
	return r->run != NULL && strcmp(r->run->state, state) == 0;
}

static void
run_item(size_t i, char *buf, size_t len, void *arg)
{
	struct run *r = arg;
	const Spis__V1__Payment *p = r->run->payments[i];
	char iban[64], m[32];
	size_t off = 0;

	buf[0] = '\0';
	console_cell(buf, len, &off, p->name, 22);
	console_cell(buf, len, &off, p->national_id, 11);
	console_cell(buf, len, &off, console_iban(p->iban, iban, sizeof iban),
	    24);
	console_cell(buf, len, &off, console_money(p->amount, m, sizeof m),
	    9);
	console_cell(buf, len, &off, p->state, 9);
	if (off < len)
		snprintf(buf + off, len - off, "%s", p->reason);
}

static int
run_rows(struct run *r)
{
	int top, rows, cols;

	tui_body(r->c->tui, &top, &rows, &cols);
	return rows - 12 < 3 ? 3 : rows - 12;
}

static void
run_fetch(struct run *r, int page_no)
{
	Spis__V1__GetRunRequest req = SPIS__V1__GET_RUN_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.run_id = r->id;
	req.page_size = run_rows(r);
	if (req.page_size > 500)
		req.page_size = 500;
	req.page_token = r->tokens[page_no];
	st = console_call(r->c, &spis__v1__payments__descriptor, PAY_GET,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		r->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		pay_failed(st, msg, r->note, sizeof r->note, &r->note_error);
		return;
	}
	run_free(r);
	r->run = (Spis__V1__PaymentRun *)resp;
	r->list.n = r->run->n_payments;
	if (r->list.sel >= r->list.n)
		r->list.sel = r->list.n > 0 ? r->list.n - 1 : 0;
	r->page_no = page_no;
	if (page_no + 1 < PAY_PAGES_MAX)
		console_copy(r->tokens[page_no + 1], PAY_TOKEN_MAX,
		    r->run->next_page_token);
}

/* Approve, cancel and export share their request. */
static grpc_status_code
run_action(struct run *r, unsigned method, const char *reason,
    ProtobufCMessage **resp, char *msg, size_t msglen)
{
	Spis__V1__RunActionRequest req = SPIS__V1__RUN_ACTION_REQUEST__INIT;
	char rid[40];

	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.run_id = r->id;
	req.reason = (char *)(reason != NULL ? reason : "");
	return console_call(r->c, &spis__v1__payments__descriptor, method,
	    &req.base, resp, msg, msglen);
}

static void
run_approve(struct tui *t, int yes, void *arg)
{
	struct run *r = arg;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	(void)t;
	if (!yes)
		return;
	st = run_action(r, PAY_APPROVE, NULL, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		pay_failed(st, msg, r->note, sizeof r->note, &r->note_error);
		return;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	r->rerun = 1;
	snprintf(r->note, sizeof r->note, _("Run %lld was approved."),
	    (long long)r->id);
	r->note_error = 0;
}

static const struct console_input run_cancel_inputs[] = {
	{"reason", N_("Reason"), 128, 1, NULL, 0, 0, NULL},
};

static int
run_cancel_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct run *r = arg;
	char reason[CONSOLE_VALUE_MAX], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	(void)c;
	console_form_value(f, 0, reason);
	st = run_action(r, PAY_CANCEL, reason, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(r->note, sizeof r->note, _("Run %lld was cancelled."),
	    (long long)r->id);
	r->note_error = 0;
	r->rerun = 1;
	return 0;
}

static int
run_write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;
	size_t off = 0;

	while (off < len) {
		if ((n = write(fd, buf + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Writes the run's bank file to path, readable by the officer alone (a
 * bank file names people and their accounts): the first chunk in hand,
 * then the rest fetched a chunk at a time, the whole checked against the
 * SHA-256 the daemon gave.  A file that does not check out is removed.
 * Returns 0, or -1 with the reason in err.
 */
static int
run_write(struct run *r, const char *path, char *err, size_t errlen)
{
	Spis__V1__GetExportChunkRequest req =
	    SPIS__V1__GET_EXPORT_CHUNK_REQUEST__INIT;
	const Spis__V1__ExportChunk *ch;
	crypto_hash_sha256_state h;
	unsigned char digest[crypto_hash_sha256_BYTES];
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512], hex[65];
	int64_t done;
	int fd, bad;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, _("path: cannot write %s: %s"), path,
		    strerror(errno));
		return -1;
	}
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, r->xml, r->xml_len);
	if (run_write_all(fd, r->xml, r->xml_len) != 0)
		goto write_failed;
	for (done = (int64_t)r->xml_len; done < r->xml_size;) {
		req.run_id = r->id;
		req.offset = done;
		req.max_bytes = PAY_CHUNK_BYTES;
		st = console_call(r->c, &spis__v1__payments__descriptor,
		    PAY_CHUNK, &req.base, &resp, msg, sizeof msg);
		if (st != GRPC_STATUS_OK) {
			console_status_text(st, msg, err, errlen);
			goto fail;
		}
		ch = (const Spis__V1__ExportChunk *)resp;
		/* 1: a chunk that is not the one asked for; 2: the disk. */
		bad = ch->offset != done || ch->data.len == 0 ||
		    strcmp(ch->sha256, r->xml_sha256) != 0;
		if (!bad) {
			crypto_hash_sha256_update(&h, ch->data.data,
			    ch->data.len);
			if (run_write_all(fd, ch->data.data, ch->data.len) !=
			    0)
				bad = 2;
			done += (int64_t)ch->data.len;
		}
		explicit_bzero(ch->data.data, ch->data.len);
		protobuf_c_message_free_unpacked(resp, NULL);
		if (bad == 2)
			goto write_failed;
		if (bad) {
			snprintf(err, errlen, _("The daemon sent a chunk of "
			    "the bank file that does not fit; try again."));
			goto fail;
		}
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	if (done != r->xml_size || strcmp(hex, r->xml_sha256) != 0) {
		snprintf(err, errlen, _("The bank file received does not match "
		    "its SHA-256 (%.12s..., expected %.12s...); it was not "
		    "kept.  Try again."), hex, r->xml_sha256);
		goto fail;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto write_failed;
	}
	return 0;
write_failed:
	snprintf(err, errlen, _("path: cannot write %s: %s"), path,
	    strerror(errno));
fail:
	if (fd != -1)
		close(fd);
	unlink(path);
	return -1;
}

static const struct console_input run_export_inputs[] = {
	{"path", N_("Write the bank file to"), 120, 1, NULL, 0, 0, NULL},
};

static int
run_export_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct run *r = arg;
	char path[CONSOLE_VALUE_MAX], where[PATH_MAX];

	(void)c;
	if (r->xml == NULL)
		return -1;
	console_form_value(f, 0, path);
	if (run_write(r, path, err, errlen) != 0)
		return -1;
	if (realpath(path, where) == NULL)
		console_copy(where, sizeof where, path);
	snprintf(r->note, sizeof r->note, _("The bank file of run %lld was "
	    "written to %s (%lld bytes, SHA-256 checked)."), (long long)r->id,
	    where, (long long)r->xml_size);
	r->note_error = 0;
	run_drop_xml(r);
	return 0;
}

/* Exports the run (again, for one exported before: the same file), then
 * asks where to write it. */
static void
run_export(struct run *r)
{
	const Spis__V1__ExportReply *x;
	ProtobufCMessage *resp;
	grpc_status_code st;
	struct tui_screen *d;
	char msg[512], path[PATH_MAX];

	st = run_action(r, PAY_EXPORT, NULL, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		pay_failed(st, msg, r->note, sizeof r->note, &r->note_error);
		return;
	}
	x = (const Spis__V1__ExportReply *)resp;
	run_drop_xml(r);
	if ((r->xml = malloc(x->xml.len > 0 ? x->xml.len : 1)) != NULL) {
		memcpy(r->xml, x->xml.data, x->xml.len);
		r->xml_len = x->xml.len;
		r->xml_size = x->size;
		console_copy(r->xml_sha256, sizeof r->xml_sha256, x->sha256);
	}
	snprintf(path, sizeof path, "./%s", x->file_name);
	protobuf_c_message_free_unpacked(resp, NULL);
	r->rerun = 1;
	if (r->xml == NULL)
		return;
	snprintf(r->note, sizeof r->note, _("Run %lld was exported; the file "
	    "is not written yet."), (long long)r->id);
	r->note_error = 0;
	d = console_dialog_new(r->c, _("Export the bank file (pain.001)"),
	    run_export_inputs, 1, run_export_send, NULL, r);
	if (d == NULL)
		return;
	console_form_set(console_dialog_form(d), 0, path);
	tui_push(r->c->tui, d);
}

/* "auto": the daemon tells the format from the content (XML by its root
 * element, else CSV). */
static const char *const run_formats[] = {"auto", "csv", "pain.002",
    "camt.054", NULL};

static const struct console_input run_import_inputs[] = {
	{"path", N_("Status report file"), 120, 1, NULL, 0, 0, NULL},
	{"format", N_("Format"), 8, 1, run_formats, 0, 0, NULL},
};

/*
 * Sends the status report at path to the daemon a chunk at a time
 * (UploadStatusChunk): id (33 bytes) names the upload, sha256 (65) is the
 * whole report's, *size its length.  Returns 0, or -1 with the reason in
 * err ("" when the session ended).
 */
static int
run_upload(struct run *r, const char *path, char *id, char *sha256,
    int64_t *size, char *err, size_t errlen)
{
	Spis__V1__UploadStatusChunkRequest req =
	    SPIS__V1__UPLOAD_STATUS_CHUNK_REQUEST__INIT;
	const Spis__V1__UploadStatusChunkReply *rep;
	crypto_hash_sha256_state h;
	unsigned char digest[crypto_hash_sha256_BYTES], *buf;
	ProtobufCMessage *resp;
	grpc_status_code st;
	struct stat sb;
	char rid[40], msg[1024];
	ssize_t n;
	size_t got;
	int fd, rc = -1;

	id[0] = '\0';
	*size = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(err, errlen, _("path: cannot read %s: %s"), path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > PAY_FILE_MAX ||
	    sb.st_size == 0) {
		snprintf(err, errlen, _("path: %s is not a status report "
		    "file (a file of 1 byte to 1 GiB)"), path);
		close(fd);
		return -1;
	}
	if ((buf = malloc(PAY_CHUNK_BYTES)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		close(fd);
		return -1;
	}
	crypto_hash_sha256_init(&h);
	for (;;) {
		for (got = 0; got < PAY_CHUNK_BYTES; got += (size_t)n) {
			n = read(fd, buf + got, PAY_CHUNK_BYTES - got);
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n == -1) {
				snprintf(err, errlen, _("path: cannot read %s: "
				    "%s"), path, strerror(errno));
				goto out;
			}
			if (n == 0)
				break;
		}
		if (got == 0)
			break;
		crypto_hash_sha256_update(&h, buf, got);
		console_request_id(rid, sizeof rid);
		req.request_id = rid;
		req.run_id = r->id;
		req.upload_id = id;
		req.offset = *size;
		req.data.data = buf;
		req.data.len = got;
		st = console_call(r->c, &spis__v1__payments__descriptor,
		    PAY_UPLOAD, &req.base, &resp, msg, sizeof msg);
		if (st != GRPC_STATUS_OK) {
			if (st == GRPC_STATUS_UNAUTHENTICATED)
				err[0] = '\0';
			else
				console_status_text(st, msg, err, errlen);
			goto out;
		}
		rep = (const Spis__V1__UploadStatusChunkReply *)resp;
		console_copy(id, 33, rep->upload_id);
		*size = rep->size;
		protobuf_c_message_free_unpacked(resp, NULL);
		if (got < PAY_CHUNK_BYTES)
			break;
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(sha256, 65, digest, sizeof digest);
	rc = 0;
out:
	explicit_bzero(buf, PAY_CHUNK_BYTES);
	free(buf);
	close(fd);
	return rc;
}

/* The import's outcome, line by line, and the run's totals after it. */
static void
run_import_show(struct run *r, const char *path,
    const Spis__V1__ImportStatusReply *rep)
{
	const Spis__V1__PaymentRun *u = rep->run;
	struct console_doc *d;
	struct tui_screen *s;
	char title[256], m1[32], m2[32];
	size_t errors = 0;

	if ((d = console_doc_new()) == NULL)
		return;
	for (size_t i = 0; i < rep->n_lines; i++)
		errors += strcmp(rep->lines[i]->outcome, "error") == 0;
	/* A large report comes back with its errors only, and the counts. */
	console_doc_add(d, 0, TUI_A_BOLD, _("%lld lines read (%s), %lld with "
	    "an error"), (long long)(rep->lines_read > 0 ? rep->lines_read :
	    (int64_t)rep->n_lines), rep->format[0] != '\0' ? rep->format :
	    "?", (long long)(rep->errors > 0 ? rep->errors :
	    (int64_t)errors));
	if (u != NULL) {
		console_doc_add(d, 2, 0, _("Run %lld is %s: paid %lld (%s of "
		    "%s %s) · failed %lld · returned %lld"), (long long)u->id,
		    u->state, (long long)u->paid, console_money(u->paid_total,
		    m1, sizeof m1), console_money(u->total, m2, sizeof m2),
		    u->currency, (long long)u->failed, (long long)u->returned);
	}
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", rep->lines_read >
	    (int64_t)rep->n_lines ? _("The lines with an error") :
	    _("Line by line"));
	for (size_t i = 0; i < rep->n_lines; i++) {
		const Spis__V1__ImportLine *l = rep->lines[i];
		int bad = strcmp(l->outcome, "error") == 0;

		console_doc_add(d, 2, bad ? TUI_A_ERROR : 0, _("line %d  %s  "
		    "%s%s%s"), l->line, l->end_to_end_id[0] != '\0' ?
		    l->end_to_end_id : "-", l->outcome, l->message[0] != '\0' ?
		    ": " : "", l->message);
	}
	snprintf(title, sizeof title, _("Status report %s into run %lld"),
	    path, (long long)r->id);
	if ((s = console_doc_screen_new(r->c, title, d)) != NULL)
		tui_push(r->c->tui, s);
}

static int
run_import_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct run *r = arg;
	Spis__V1__ImportStatusRequest req =
	    SPIS__V1__IMPORT_STATUS_REQUEST__INIT;
	char path[CONSOLE_VALUE_MAX], format[CONSOLE_VALUE_MAX], rid[40];
	char msg[1024], id[33], sha256[65];
	ProtobufCMessage *resp;
	grpc_status_code st;
	int64_t size;

	console_form_value(f, 0, path);
	console_form_value(f, 1, format);
	if (run_upload(r, path, id, sha256, &size, err, errlen) != 0)
		return -1;
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.run_id = r->id;
	req.format = strcmp(format, "auto") == 0 ? "" : format;
	req.upload_id = id;
	req.sha256 = sha256;
	req.errors_only = size > PAY_ALL_LINES_MAX;
	st = console_call(c, &spis__v1__payments__descriptor, PAY_IMPORT,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	snprintf(r->note, sizeof r->note, _("The status report %s was "
	    "imported."), path);
	r->note_error = 0;
	r->rerun = 1;
	run_drop_import(r);
	r->imported = (Spis__V1__ImportStatusReply *)resp;
	console_copy(r->imported_path, sizeof r->imported_path, path);
	return 0;
}

/* Once the dialog is gone: the import's outcome on a page of its own. */
static void
run_imported(struct console *c, void *arg)
{
	struct run *r = arg;

	(void)c;
	if (r->imported == NULL)
		return;
	run_import_show(r, r->imported_path, r->imported);
	run_drop_import(r);
}

static int
run_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct run *r = (struct run *)s;
	const struct console_session *ss = &r->c->sess;
	struct tui_screen *next;
	char q[512], m[32];

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(r->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_NPAGE)) {
		if (r->run != NULL && r->run->next_page_token[0] != '\0' &&
		    r->page_no + 1 < PAY_PAGES_MAX)
			run_fetch(r, r->page_no + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_PPAGE)) {
		if (r->page_no > 0)
			run_fetch(r, r->page_no - 1);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		r->note[0] = '\0';
		run_fetch(r, r->page_no);
		return 1;
	}
	/* Nothing is signed or changed on a run that could not be read. */
	if (r->run == NULL)
		return 0;
	if (tui_key_enter(k)) {
		if (!ss->can_read || r->list.sel >= r->run->n_payments)
			return 1;
		next = console_person_new(r->c,
		    r->run->payments[r->list.sel]->national_id, "case_work");
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	if (k.fn)
		return tui_list_key(&r->list, k);
	r->note[0] = '\0';
	switch (k.c) {
	case 'a':
		if (ss->can_pay_approve && run_state_is(r, "draft")) {
			snprintf(q, sizeof q, _("Approve run %lld: %lld payments "
			    "of %s %s, total %s %s?"), (long long)r->id,
			    (long long)r->run->count, r->run->programme,
			    r->run->period, console_money(r->run->total, m,
			    sizeof m), r->run->currency);
			tui_confirm(t, q, run_approve, r);
		}
		return 1;
	case 'c':
		if (ss->can_pay_run && (run_state_is(r, "draft") ||
		    run_state_is(r, "approved"))) {
			next = console_dialog_new(r->c, _("Cancel the run: why?"),
			    run_cancel_inputs, 1, run_cancel_send, NULL, r);
			if (next != NULL)
				tui_push(t, next);
		}
		return 1;
	case 'x':
		if (ss->can_pay_run && (run_state_is(r, "approved") ||
		    run_state_is(r, "exported") ||
		    run_state_is(r, "reconciled")))
			run_export(r);
		return 1;
	case 'i':
		if (ss->can_pay_run && (run_state_is(r, "exported") ||
		    run_state_is(r, "reconciled"))) {
			next = console_dialog_new(r->c, _("Import the bank's "
			    "status report"), run_import_inputs, 2,
			    run_import_send, run_imported, r);
			if (next != NULL)
				tui_push(t, next);
		}
		return 1;
	}
	return 0;
}

static void
run_tick(struct tui *t, struct tui_screen *s)
{
	struct run *r = (struct run *)s;

	(void)t;
	if (r->rerun && r->c->sess.active) {
		r->rerun = 0;
		run_fetch(r, r->page_no);
	}
}

/* The keys of the actions this state and these roles allow. */
static void
run_actions(const struct run *r, char *buf, size_t len)
{
	const struct console_session *ss = &r->c->sess;
	size_t off = 0;

	buf[0] = '\0';
#define RUN_KEY(cond, key, what)					\
	do {								\
		if ((cond) && off < len)				\
			off += snprintf(buf + off, len - off, "%s%s %s",\
			    off > 0 ? " · " : "", key, what);		\
	} while (0)
	RUN_KEY(ss->can_pay_approve && run_state_is(r, "draft"), "a",
	    _("Approve"));
	RUN_KEY(ss->can_pay_run && (run_state_is(r, "draft") ||
	    run_state_is(r, "approved")), "c", _("Cancel"));
	RUN_KEY(ss->can_pay_run && run_state_is(r, "approved"), "x",
	    _("Export the bank file"));
	RUN_KEY(ss->can_pay_run && (run_state_is(r, "exported") ||
	    run_state_is(r, "reconciled")), "x", _("Export again"));
	RUN_KEY(ss->can_pay_run && (run_state_is(r, "exported") ||
	    run_state_is(r, "reconciled")), "i", _("Import a status report"));
#undef RUN_KEY
}

static void
run_draw(struct tui *t, struct tui_screen *s)
{
	struct run *r = (struct run *)s;
	const Spis__V1__PaymentRun *u = r->run;
	char line[512], t1[32], t2[32], t3[32], m1[32], m2[32];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	if (u == NULL) {
		tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Payment run %lld"),
		    (long long)r->id);
		if (r->note[0] != '\0')
			tui_wrap(t, y + 2, 2, cols - 4, 3,
			    r->note_error ? TUI_A_ERROR : 0, r->note);
		if (r->c->sess.can_pay_approve)
			tui_put(t, end - 1, 2, cols - 4, 0, _("a Approve"));
		return;
	}
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Payment run %lld · %s · %s"),
	    (long long)u->id, u->programme, u->period);
	tui_put(t, y, cols - 2 - tui_text_width(u->state),
	    tui_text_width(u->state), TUI_A_REVERSE, u->state);
	y += 2;
	tui_putf(t, y++, 2, cols - 4, 0, _("Created by %s at %s · approved by "
	    "%s at %s · exported at %s"), u->created_by, pay_time(u->created_at,
	    t1, sizeof t1), u->approved_by[0] != '\0' ? u->approved_by : "-",
	    pay_time(u->approved_at, t2, sizeof t2), pay_time(u->exported_at,
	    t3, sizeof t3));
	tui_putf(t, y++, 2, cols - 4, TUI_A_BOLD, _("%lld payments · total %s "
	    "%s"), (long long)u->count, console_money(u->total, m1, sizeof m1),
	    u->currency);
	tui_putf(t, y++, 2, cols - 4, 0, _("Left out: %lld without a bank "
	    "account · %lld already paid for this period"),
	    (long long)u->skipped_no_account, (long long)u->skipped_paid);
	tui_putf(t, y++, 2, cols - 4, 0, _("Paid %lld (%s %s) · failed %lld · "
	    "returned %lld"), (long long)u->paid, console_money(u->paid_total,
	    m2, sizeof m2), u->currency, (long long)u->failed,
	    (long long)u->returned);
	if (u->message_id[0] != '\0')
		tui_putf(t, y, 2, cols - 4, 0, _("Bank file message %s"),
		    u->message_id);
	y += 2;
	if (r->note[0] != '\0')
		tui_wrap(t, end - 3, 2, cols - 4, 2,
		    r->note_error ? TUI_A_ERROR : TUI_A_BOLD, r->note);
	run_actions(r, line, sizeof line);
	if (line[0] != '\0')
		tui_put(t, end - 1, 2, cols - 4, 0, line);
	if (u->n_payments == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No payments on this page."));
		return;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Name"), 22);
	console_cell(line, sizeof line, &off, _("National ID"), 11);
	console_cell(line, sizeof line, &off, _("IBAN"), 24);
	console_cell(line, sizeof line, &off, _("Amount"), 9);
	console_cell(line, sizeof line, &off, _("State"), 9);
	console_cell(line, sizeof line, &off, _("Reason"), 20);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &r->list, y, 2, end - y - 3, cols - 4);
	if (r->run->next_page_token[0] != '\0' || r->page_no > 0)
		tui_putf(t, end - 3 - (r->note[0] != '\0'), cols / 2,
		    cols / 2 - 2, TUI_A_BOLD, _("Page %d%s"), r->page_no + 1,
		    r->run->next_page_token[0] != '\0' ? _(" · more: PgDn") :
		    "");
}

/* Names, IDs and accounts are personal data: nothing stays. */
static void
run_wipe(struct tui_screen *s)
{
	struct run *r = (struct run *)s;

	run_free(r);
	run_drop_xml(r);
	run_drop_import(r);
	explicit_bzero(r->tokens, sizeof r->tokens);
	explicit_bzero(r->note, sizeof r->note);
}

static void
run_destroy(struct tui_screen *s)
{
	struct run *r = (struct run *)s;

	run_free(r);
	run_drop_xml(r);
	run_drop_import(r);
	free(r);
}

static struct tui_screen *
run_new(struct console *c, int64_t id)
{
	struct run *r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->c = c;
	r->id = id;
	r->list.item = run_item;
	r->list.arg = r;
	r->rerun = 1;
	r->s.draw = run_draw;
	r->s.key = run_key;
	r->s.tick = run_tick;
	r->s.wipe = run_wipe;
	r->s.destroy = run_destroy;
	r->s.hints = run_hints;
	return &r->s;
}

/* ------------------------------------------------------------------------
 * The runs.
 */

struct runs {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__RunList *runs;
	struct tui_list list;
	/* The programmes a run may be made for, with their periods; the
	 * create dialog's table points into them. */
	char progs[PAY_PROGS_MAX + 1][20];
	const char *prog_choices[PAY_PROGS_MAX + 1];
	char periods[PAY_PROGS_MAX][12];
	int nprogs;
	struct console_input create_in[2];
	int64_t created;    /* the run just made or asked for, opened when
			       the dialog is gone */
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint runs_hints[] = {
	{"Enter", N_("Open")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
runs_free(struct runs *rs)
{
	if (rs->runs != NULL)
		protobuf_c_message_free_unpacked(&rs->runs->base, NULL);
	rs->runs = NULL;
	rs->list.n = 0;
}

static void
runs_item(size_t i, char *buf, size_t len, void *arg)
{
	struct runs *rs = arg;
	const Spis__V1__PaymentRun *u = rs->runs->runs[i];
	char id[32], n[32], m[32], total[48], outcome[64];
	size_t off = 0;

	snprintf(id, sizeof id, "#%lld", (long long)u->id);
	snprintf(n, sizeof n, "%lld", (long long)u->count);
	snprintf(total, sizeof total, "%s %s", console_money(u->total, m,
	    sizeof m), u->currency);
	snprintf(outcome, sizeof outcome, "%lld/%lld/%lld", (long long)u->paid,
	    (long long)u->failed, (long long)u->returned);
	buf[0] = '\0';
	console_cell(buf, len, &off, id, 6);
	console_cell(buf, len, &off, u->programme, 12);
	console_cell(buf, len, &off, u->period, 8);
	console_cell(buf, len, &off, u->state, 10);
	console_cell(buf, len, &off, n, 6);
	console_cell(buf, len, &off, total, 16);
	console_cell(buf, len, &off, outcome, 14);
	console_cell(buf, len, &off, u->created_by, 12);
}

static void
runs_fetch(struct runs *rs)
{
	Spis__V1__ListRunsRequest req = SPIS__V1__LIST_RUNS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	st = console_call(rs->c, &spis__v1__payments__descriptor, PAY_LIST,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		rs->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		pay_failed(st, msg, rs->note, sizeof rs->note, &rs->note_error);
		return;
	}
	runs_free(rs);
	rs->runs = (Spis__V1__RunList *)resp;
	rs->list.n = rs->runs->n_runs;
	if (rs->list.sel >= rs->list.n)
		rs->list.sel = 0;
}

/* The open programmes, for the create dialog. */
static void
runs_programmes(struct runs *rs)
{
	Spis__V1__ListProgrammesRequest req =
	    SPIS__V1__LIST_PROGRAMMES_REQUEST__INIT;
	const Spis__V1__ProgrammeList *pl;
	ProtobufCMessage *resp;
	char msg[256];

	rs->nprogs = 0;
	if (console_call(rs->c, &spis__v1__programmes__descriptor, 0,
	    &req.base, &resp, msg, sizeof msg) != GRPC_STATUS_OK)
		return;
	pl = (const Spis__V1__ProgrammeList *)resp;
	for (size_t i = 0; i < pl->n_programmes && rs->nprogs < PAY_PROGS_MAX;
	    i++) {
		console_copy(rs->progs[rs->nprogs], sizeof rs->progs[0],
		    pl->programmes[i]->code);
		console_copy(rs->periods[rs->nprogs], sizeof rs->periods[0],
		    pl->programmes[i]->period);
		rs->prog_choices[rs->nprogs] = rs->progs[rs->nprogs];
		rs->nprogs++;
	}
	rs->prog_choices[rs->nprogs] = NULL;
	protobuf_c_message_free_unpacked(resp, NULL);
}

/* The period of the programme chosen in the form: "monthly", "yearly",
 * "one_off", or NULL. */
static const char *
runs_period_of(const struct runs *rs, struct console_form *f)
{
	char code[CONSOLE_VALUE_MAX];

	console_form_value(f, 0, code);
	for (int i = 0; i < rs->nprogs; i++)
		if (strcmp(rs->progs[i], code) == 0)
			return rs->periods[i];
	return NULL;
}

static int
runs_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The period as the programme counts them: "2026-11" for a monthly one,
 * "2026" for a yearly one, "once" for a one-off. */
static const char *
runs_check_period(struct console_form *f, int i, const char *v)
{
	const char *per = runs_period_of(f->arg, f);

	(void)i;
	if (per == NULL)
		return NULL;
	if (strcmp(per, "monthly") == 0) {
		if (strlen(v) != 7 || !runs_digits(v, 4) || v[4] != '-' ||
		    !runs_digits(v + 5, 2) || strncmp(v + 5, "01", 2) < 0 ||
		    strncmp(v + 5, "12", 2) > 0)
			return _("a month as YYYY-MM, e.g. 2026-11");
	} else if (strcmp(per, "yearly") == 0) {
		if (strlen(v) != 4 || !runs_digits(v, 4))
			return _("a year as YYYY, e.g. 2026");
	} else if (strcmp(v, "once") != 0)
		return _("\"once\" for a one-off programme");
	return NULL;
}

/* Leaving the programme puts its current period in, unless one of the
 * right form is there already. */
static void
runs_left(struct console_form *f, int i)
{
	const char *per;
	char v[CONSOLE_VALUE_MAX], now[16];
	time_t t = time(NULL);
	struct tm tm;

	if (i != 0 || (per = runs_period_of(f->arg, f)) == NULL)
		return;
	console_form_value(f, 1, v);
	if (v[0] != '\0' && runs_check_period(f, 1, v) == NULL)
		return;
	localtime_r(&t, &tm);
	if (strcmp(per, "monthly") == 0)
		strftime(now, sizeof now, "%Y-%m", &tm);
	else if (strcmp(per, "yearly") == 0)
		strftime(now, sizeof now, "%Y", &tm);
	else
		console_copy(now, sizeof now, "once");
	console_form_set(f, 1, now);
}

static int
runs_create_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct runs *rs = arg;
	Spis__V1__CreateRunRequest req = SPIS__V1__CREATE_RUN_REQUEST__INIT;
	char v[2][CONSOLE_VALUE_MAX], rid[40], msg[512];
	ProtobufCMessage *resp;
	grpc_status_code st;

	console_form_value(f, 0, v[0]);
	console_form_value(f, 1, v[1]);
	console_request_id(rid, sizeof rid);
	req.request_id = rid;
	req.programme = v[0];
	req.period = v[1];
	st = console_call(c, &spis__v1__payments__descriptor, PAY_CREATE,
	    &req.base, &resp, msg, sizeof msg);
	if (st != GRPC_STATUS_OK) {
		if (st == GRPC_STATUS_UNAUTHENTICATED)
			err[0] = '\0';
		else
			console_status_text(st, msg, err, errlen);
		return -1;
	}
	rs->created = ((const Spis__V1__PaymentRun *)resp)->id;
	protobuf_c_message_free_unpacked(resp, NULL);
	snprintf(rs->note, sizeof rs->note, _("Run %lld was created as a "
	    "draft; a supervisor approves it."), (long long)rs->created);
	rs->note_error = 0;
	rs->rerun = 1;
	return 0;
}

/* Once the dialog is gone, the new run opens. */
static void
runs_created(struct console *c, void *arg)
{
	struct runs *rs = arg;
	struct tui_screen *next;

	if (rs->created > 0 && (next = run_new(c, rs->created)) != NULL)
		tui_push(c->tui, next);
	rs->created = 0;
}

/* A run's number, as a supervisor is told it. */
static const char *
runs_check_number(struct console_form *f, int i, const char *v)
{
	(void)f;
	(void)i;
	if (strlen(v) > 12 || !runs_digits(v, strlen(v)) || atoll(v) <= 0)
		return _("a run's number, e.g. 12");
	return NULL;
}

static const struct console_input runs_open_inputs[] = {
	{"run_id", N_("Run number"), 12, 1, NULL, 0, 0, runs_check_number},
};

static int
runs_open_send(struct console *c, struct console_form *f, void *arg,
    char *err, size_t errlen)
{
	struct runs *rs = arg;
	char v[CONSOLE_VALUE_MAX];

	(void)c;
	(void)err;
	(void)errlen;
	console_form_value(f, 0, v);
	rs->created = atoll(v);
	return 0;
}

static void
runs_create(struct runs *rs)
{
	struct tui_screen *d;
	struct console_form *f;

	if (rs->nprogs == 0)
		runs_programmes(rs);
	if (rs->nprogs == 0) {
		console_copy(rs->note, sizeof rs->note,
		    _("No programmes could be read."));
		rs->note_error = 1;
		return;
	}
	rs->create_in[0] = (struct console_input){"programme",
	    N_("Programme"), 16, 1, rs->prog_choices, 0, 0, NULL};
	rs->create_in[1] = (struct console_input){"period", N_("Period"), 7,
	    1, NULL, 0, 0, runs_check_period};
	d = console_dialog_new(rs->c, _("Create a payment run"), rs->create_in,
	    2, runs_create_send, runs_created, rs);
	if (d == NULL)
		return;
	f = console_dialog_form(d);
	f->left = runs_left;
	runs_left(f, 0);
	tui_push(rs->c->tui, d);
}

static int
runs_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct runs *rs = (struct runs *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(rs->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		rs->note[0] = '\0';
		runs_fetch(rs);
		return 1;
	}
	if (tui_key_is(k, 'n', 0)) {
		if (rs->c->sess.can_pay_run) {
			rs->note[0] = '\0';
			runs_create(rs);
		}
		return 1;
	}
	if (tui_key_is(k, 'o', 0)) {
		next = console_dialog_new(rs->c, _("Open a payment run"),
		    runs_open_inputs, 1, runs_open_send, runs_created, rs);
		if (next != NULL)
			tui_push(t, next);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (rs->runs == NULL || rs->list.sel >= rs->runs->n_runs)
			return 1;
		rs->note[0] = '\0';
		next = run_new(rs->c, rs->runs->runs[rs->list.sel]->id);
		if (next != NULL) {
			rs->rerun = 1;
			tui_push(t, next);
		}
		return 1;
	}
	return tui_list_key(&rs->list, k);
}

static void
runs_tick(struct tui *t, struct tui_screen *s)
{
	struct runs *rs = (struct runs *)s;

	(void)t;
	if (rs->rerun && rs->c->sess.active) {
		rs->rerun = 0;
		runs_fetch(rs);
	}
}

static void
runs_draw(struct tui *t, struct tui_screen *s)
{
	struct runs *rs = (struct runs *)s;
	char line[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Payment runs"));
	y += 2;
	if (rs->note[0] != '\0')
		tui_wrap(t, end - 3, 2, cols - 4, 2,
		    rs->note_error ? TUI_A_ERROR : TUI_A_BOLD, rs->note);
	tui_put(t, end - 1, 2, cols - 4, 0, rs->c->sess.can_pay_run ?
	    _("n New run · o Open a run by number") :
	    _("o Open a run by number"));
	if (rs->runs == NULL)
		return;
	if (rs->runs->n_runs == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No payment runs yet."));
		return;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Run"), 6);
	console_cell(line, sizeof line, &off, _("Programme"), 12);
	console_cell(line, sizeof line, &off, _("Period"), 8);
	console_cell(line, sizeof line, &off, _("State"), 10);
	console_cell(line, sizeof line, &off, _("Count"), 6);
	console_cell(line, sizeof line, &off, _("Total"), 16);
	console_cell(line, sizeof line, &off, _("Paid/failed/ret."), 14);
	console_cell(line, sizeof line, &off, _("Created by"), 12);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &rs->list, y, 2, end - y - 3, cols - 4);
}

static void
runs_wipe(struct tui_screen *s)
{
	struct runs *rs = (struct runs *)s;

	runs_free(rs);
	explicit_bzero(rs->note, sizeof rs->note);
}

static void
runs_destroy(struct tui_screen *s)
{
	struct runs *rs = (struct runs *)s;

	runs_free(rs);
	free(rs);
}

struct tui_screen *
console_runs_new(struct console *c)
{
	struct runs *rs;

	if ((rs = calloc(1, sizeof *rs)) == NULL)
		return NULL;
	rs->c = c;
	rs->list.item = runs_item;
	rs->list.arg = rs;
	rs->rerun = 1;
	rs->s.draw = runs_draw;
	rs->s.key = runs_key;
	rs->s.tick = runs_tick;
	rs->s.wipe = runs_wipe;
	rs->s.destroy = runs_destroy;
	rs->s.hints = runs_hints;
	return &rs->s;
}

/* ------------------------------------------------------------------------
 * Failed payments.
 */

struct fails {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	Spis__V1__FailureList *fl;
	struct tui_list list;
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint fails_hints[] = {
	{"Enter", N_("Person")},
	{"r", N_("Read again")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
fails_free(struct fails *fs)
{
	if (fs->fl != NULL)
		protobuf_c_message_free_unpacked(&fs->fl->base, NULL);
	fs->fl = NULL;
	fs->list.n = 0;
}

static void
fails_item(size_t i, char *buf, size_t len, void *arg)
{
	struct fails *fs = arg;
	const Spis__V1__Payment *p = fs->fl->payments[i];
	char iban[64], m[32];
	size_t off = 0;

	buf[0] = '\0';
	console_cell(buf, len, &off, p->name, 22);
	console_cell(buf, len, &off, p->national_id, 11);
	console_cell(buf, len, &off, console_iban(p->iban, iban, sizeof iban),
	    24);
	console_cell(buf, len, &off, console_money(p->amount, m, sizeof m),
	    9);
	console_cell(buf, len, &off, p->state, 8);
	if (off < len)
		snprintf(buf + off, len - off, "%s", p->reason);
}

static void
fails_fetch(struct fails *fs)
{
	Spis__V1__ListFailuresRequest req =
	    SPIS__V1__LIST_FAILURES_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	st = console_call(fs->c, &spis__v1__payments__descriptor, PAY_FAILURES,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		fs->rerun = 1;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		pay_failed(st, msg, fs->note, sizeof fs->note, &fs->note_error);
		return;
	}
	fails_free(fs);
	fs->note[0] = '\0';
	fs->fl = (Spis__V1__FailureList *)resp;
	fs->list.n = fs->fl->n_payments;
	if (fs->list.sel >= fs->list.n)
		fs->list.sel = 0;
}

static int
fails_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct fails *fs = (struct fails *)s;
	struct tui_screen *next;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(fs->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 'r', 0)) {
		fails_fetch(fs);
		return 1;
	}
	if (tui_key_enter(k)) {
		if (fs->fl == NULL || fs->list.sel >= fs->fl->n_payments ||
		    !fs->c->sess.can_read)
			return 1;
		next = console_person_new(fs->c,
		    fs->fl->payments[fs->list.sel]->national_id, "case_work");
		if (next != NULL) {
			fs->rerun = 1;
			tui_push(t, next);
		}
		return 1;
	}
	return tui_list_key(&fs->list, k);
}

static void
fails_tick(struct tui *t, struct tui_screen *s)
{
	struct fails *fs = (struct fails *)s;

	(void)t;
	if (fs->rerun && fs->c->sess.active) {
		fs->rerun = 0;
		fails_fetch(fs);
	}
}

static void
fails_draw(struct tui *t, struct tui_screen *s)
{
	struct fails *fs = (struct fails *)s;
	char line[256];
	int top, rows, cols, y, end;
	size_t off;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD,
	    _("Failed and returned payments to follow up"));
	y += 2;
	if (fs->note[0] != '\0')
		tui_wrap(t, end - 2, 2, cols - 4, 2,
		    fs->note_error ? TUI_A_ERROR : TUI_A_BOLD, fs->note);
	if (fs->fl == NULL)
		return;
	if (fs->fl->n_payments == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No payment has failed."));
		return;
	}
	off = 0;
	line[0] = '\0';
	console_cell(line, sizeof line, &off, _("Name"), 22);
	console_cell(line, sizeof line, &off, _("National ID"), 11);
	console_cell(line, sizeof line, &off, _("IBAN"), 24);
	console_cell(line, sizeof line, &off, _("Amount"), 9);
	console_cell(line, sizeof line, &off, _("State"), 8);
	console_cell(line, sizeof line, &off, _("Reason"), 20);
	tui_put(t, y++, 4, cols - 6, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &fs->list, y, 2, end - y - 2, cols - 4);
}

static void
fails_wipe(struct tui_screen *s)
{
	struct fails *fs = (struct fails *)s;

	fails_free(fs);
	explicit_bzero(fs->note, sizeof fs->note);
}

static void
fails_destroy(struct tui_screen *s)
{
	struct fails *fs = (struct fails *)s;

	fails_free(fs);
	free(fs);
}

struct tui_screen *
console_failures_new(struct console *c)
{
	struct fails *fs;

	if ((fs = calloc(1, sizeof *fs)) == NULL)
		return NULL;
	fs->c = c;
	fs->list.item = fails_item;
	fs->list.arg = fs;
	fs->rerun = 1;
	fs->s.draw = fails_draw;
	fs->s.key = fails_key;
	fs->s.tick = fails_tick;
	fs->s.wipe = fails_wipe;
	fs->s.destroy = fails_destroy;
	fs->s.hints = fails_hints;
	return &fs->s;
}
