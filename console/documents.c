/*
 * documents.c: the documents on file for a person (Documents/ListDocuments):
 * type, file name, size and date.  A daemon without the documents service
 * answers UNIMPLEMENTED, which is said plainly rather than as an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spis/v1/documents.pb-c.h"

#include "console.h"
#include "i18n.h"

struct documents {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char id[32];
	char purpose[32];
	Spis__V1__DocumentList *docs;
	struct tui_list list;
	char note[512];
	int note_error;
	int rerun;
};

static const struct tui_hint documents_hints[] = {
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

static void
documents_free(struct documents *d)
{
	if (d->docs != NULL)
		protobuf_c_message_free_unpacked(&d->docs->base, NULL);
	d->docs = NULL;
	d->list.n = d->list.sel = 0;
}

/* A size in bytes as people read it. */
static void
documents_size(long long n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%lld B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f kB", n / 1024.0);
	else
		snprintf(buf, len, "%.1f MB", n / (1024.0 * 1024.0));
}

static void
documents_item(size_t i, char *buf, size_t len, void *arg)
{
	struct documents *d = arg;
	const Spis__V1__DocumentInfo *di = d->docs->documents[i];
	char size[32];

	documents_size((long long)di->size, size, sizeof size);
	snprintf(buf, len, "%-11.11s %-30.30s %9s  %.10s  %s", di->type,
	    di->file_name, size, di->created_at, di->note);
}

static void
documents_fetch(struct documents *d)
{
	Spis__V1__ListDocumentsRequest req =
	    SPIS__V1__LIST_DOCUMENTS_REQUEST__INIT;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512];

	req.owner_kind = "person";
	req.owner_id = d->id;
	req.purpose = d->purpose;
	d->note[0] = '\0';
	st = console_call(d->c, &spis__v1__documents__descriptor, 1,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		d->rerun = 1;
		return;
	}
	if (st == GRPC_STATUS_UNIMPLEMENTED) {
		console_copy(d->note, sizeof d->note,
		    _("Documents are not available on this server."));
		d->note_error = 0;
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, d->note, sizeof d->note);
		d->note_error = 1;
		return;
	}
	documents_free(d);
	d->docs = (Spis__V1__DocumentList *)resp;
	d->list.n = d->docs->n_documents;
}

static int
documents_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct documents *d = (struct documents *)s;

	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(d->c);
		return 1;
	}
	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	return tui_list_key(&d->list, k);
}

static void
documents_tick(struct tui *t, struct tui_screen *s)
{
	struct documents *d = (struct documents *)s;

	(void)t;
	if (d->rerun && d->c->sess.active) {
		d->rerun = 0;
		documents_fetch(d);
	}
}

static void
documents_draw(struct tui *t, struct tui_screen *s)
{
	struct documents *d = (struct documents *)s;
	char line[512];
	int top, rows, cols, y;

	tui_body(t, &top, &rows, &cols);
	y = top + 1;
	tui_putf(t, y, 2, cols - 4, TUI_A_BOLD, _("Documents of %s"), d->id);
	y += 2;
	if (d->note[0] != '\0') {
		tui_wrap(t, y, 2, cols - 4, 2, d->note_error ? TUI_A_ERROR : 0,
		    d->note);
		return;
	}
	if (d->docs == NULL)
		return;
	if (d->docs->n_documents == 0) {
		tui_put(t, y, 2, cols - 4, 0, _("No documents on file."));
		return;
	}
	snprintf(line, sizeof line, "  %-11s %-30s %9s  %-10s  %s", _("Type"),
	    _("File"), _("Size"), _("Date"), _("Note"));
	tui_put(t, y++, 2, cols - 4, TUI_A_UNDERLINE, line);
	tui_list_draw(t, &d->list, y, 2, top + rows - y - 1, cols - 4);
}

static void
documents_wipe(struct tui_screen *s)
{
	struct documents *d = (struct documents *)s;

	documents_free(d);
	explicit_bzero(d->note, sizeof d->note);
}

static void
documents_destroy(struct tui_screen *s)
{
	struct documents *d = (struct documents *)s;

	documents_free(d);
	free(d);
}

struct tui_screen *
console_documents_new(struct console *c, const char *national_id,
    const char *purpose)
{
	struct documents *d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->c = c;
	console_copy(d->id, sizeof d->id, national_id);
	console_copy(d->purpose, sizeof d->purpose, purpose);
	d->list.item = documents_item;
	d->list.arg = d;
	d->rerun = 1;
	d->s.draw = documents_draw;
	d->s.key = documents_key;
	d->s.tick = documents_tick;
	d->s.wipe = documents_wipe;
	d->s.destroy = documents_destroy;
	d->s.hints = documents_hints;
	return &d->s;
}
