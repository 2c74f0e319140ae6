/*
 * documents.c: spis.v1.Documents, the e-file that replaces paper: scanned
 * proof attached to a person (and, once the applications service exists,
 * to an application), listed and fetched back.  The store keeps the
 * metadata; the content goes to files named by its SHA-256 under
 * documents_dir, written and made durable before the row that names them
 * is committed (store_document.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "spis/v1/documents.pb-c.h"

#include "check.h"
#include "rpcd.h"
#include "store_document.h"

/* What the proto allows (documents.proto). */
static const char *const doc_types[] = {"identity", "income", "disability",
    "residence", "bank", "decision", "other"};
static const char *const doc_media_types[] = {"application/pdf",
    "image/jpeg", "image/png", "image/tiff", "text/plain"};

#define DOC_NOTE_MAX 500
#define DOC_NAME_MAX 255
#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static int
doc_one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The list as "a, b, c", for messages; arena-owned. */
static const char *
doc_list_text(struct rpc_ctx *ctx, const char *const *list, size_t n)
{
	struct arena *a = rpc_ctx_arena(ctx);
	const char *s = "";

	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? ", " : "", list[i]);
	return s;
}

/*
 * Checks an owner and finds the person: their municipality and the record
 * they were merged into go to the buffers.  Applications cannot own
 * documents until the applications service exists; saying so plainly is
 * better than a row pointing at nothing.
 */
static grpc_status_code
doc_owner(struct rpc_ctx *ctx, const char *kind, const char *id,
    char *muni, size_t mlen, char *merged, size_t mglen)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	char why[128];

	if (strcmp(kind, "application") == 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "owner_kind: applications arrive with the applications "
		    "service; attach to a person for now");
	if (strcmp(kind, "person") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "owner_kind: must be \"person\" or \"application\"");
	if (strlen(id) > 32 || check_text(id, 1, 32, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "owner_id: the person's national ID, 1 to 32 characters");
	rpcd_audit_subject(ctx, id, NULL);
	switch (store_document_person(d->store, id, muni, mlen, merged,
	    mglen)) {
	case STORE_OK:
		return GRPC_STATUS_OK;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "owner_id: no person with national ID %s", id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

/* A file name as uploaded: the last part of a path at most, printable. */
static grpc_status_code
doc_file_name_check(struct rpc_ctx *ctx, const char *name)
{
	char why[128];

	if (check_text(name, 1, DOC_NAME_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "file_name: %s", why);
	if (strpbrk(name, "/\\") != NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "file_name: without folders (no / or \\)");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "file_name: \"%s\" is not a file name", name);
	return GRPC_STATUS_OK;
}

/* The reply form of a row; strings are copied into the call's arena. */
static Spis__V1__DocumentInfo *
doc_info(struct rpc_ctx *ctx, const struct store_document *doc)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__DocumentInfo *m = RPC_NEW(ctx, Spis__V1__DocumentInfo,
	    spis__v1__document_info__init);

	m->id = doc->id;
	m->owner_kind = arena_strdup(a, doc->owner_kind);
	m->owner_id = arena_strdup(a, doc->owner_id);
	m->type = arena_strdup(a, doc->type);
	m->file_name = arena_strdup(a, doc->file_name);
	m->media_type = arena_strdup(a, doc->media_type);
	m->size = doc->size;
	m->sha256 = arena_strdup(a, doc->sha256);
	m->created_at = arena_strdup(a, doc->created_at);
	m->created_by = arena_strdup(a, doc->created_by);
	m->note = arena_strdup(a, doc->note);
	return m;
}

static grpc_status_code
doc_attach(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__AttachDocumentRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_document *doc;
	struct store_audit a;
	unsigned char digest[32];
	char hex[65], given[65], muni[16], merged[64], why[128];
	grpc_status_code st;
	size_t len = req->content.len;

	if (req->owner_kind[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "owner_kind: required: \"person\" or \"application\"");
	if (!doc_one_of(req->type, doc_types, NELEM(doc_types)))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "type: must be one of %s",
		    doc_list_text(ctx, doc_types, NELEM(doc_types)));
	if ((st = doc_file_name_check(ctx, req->file_name)) != GRPC_STATUS_OK)
		return st;
	if (!doc_one_of(req->media_type, doc_media_types,
	    NELEM(doc_media_types)))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "media_type: must be one of %s",
		    doc_list_text(ctx, doc_media_types, NELEM(doc_media_types)));
	if (len == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "content: empty; a document is 1 byte to 10 MB");
	if (len > STORE_DOCUMENT_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "content: %zu bytes is over the limit of 10 MB (%d bytes)",
		    len, STORE_DOCUMENT_MAX);
	crypto_hash_sha256(digest, req->content.data, len);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	if (req->sha256[0] != '\0') {
		size_t n = strlen(req->sha256);

		if (n != 64 || strspn(req->sha256, "0123456789abcdefABCDEF") !=
		    64)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "sha256: 64 hexadecimal digits, or empty");
		for (size_t i = 0; i <= n; i++)
			given[i] = (req->sha256[i] >= 'A' &&
			    req->sha256[i] <= 'F') ? req->sha256[i] - 'A' +
			    'a' : req->sha256[i];
		if (strcmp(given, hex) != 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "sha256: does not match the content");
	}
	if (check_text(req->note, 0, DOC_NOTE_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "note: %s", why);
	if ((st = doc_owner(ctx, req->owner_kind, req->owner_id, muni,
	    sizeof muni, merged, sizeof merged)) != GRPC_STATUS_OK)
		return st;
	if (merged[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "owner_id: this record was merged into %s; attach to that "
		    "one", merged);
	if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "owner_id: the person is registered in municipality %s, "
		    "outside your scope (%s)", muni,
		    c->officer.municipality);

	/* Content first and durable, then the row that names it: a crash in
	 * between leaves at worst a file no row names, never a row without
	 * its file. */
	if (store_document_put(d->documents_dir, req->content.data, len,
	    hex) != 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL,
		    "internal error: the content could not be stored");

	doc = arena_alloc(rpc_ctx_arena(ctx), sizeof *doc);
	snprintf(doc->owner_kind, sizeof doc->owner_kind, "%s",
	    req->owner_kind);
	snprintf(doc->owner_id, sizeof doc->owner_id, "%s", req->owner_id);
	snprintf(doc->type, sizeof doc->type, "%s", req->type);
	snprintf(doc->file_name, sizeof doc->file_name, "%s", req->file_name);
	snprintf(doc->media_type, sizeof doc->media_type, "%s",
	    req->media_type);
	doc->size = (int64_t)len;
	memcpy(doc->sha256, hex, sizeof doc->sha256);
	snprintf(doc->note, sizeof doc->note, "%s", req->note);
	snprintf(doc->created_by, sizeof doc->created_by, "%s",
	    c->officer.username);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "%s, %s, %zu bytes, sha256 %.16s", doc->type, doc->media_type, len,
	    hex));
	if (store_document_add(d->store, doc, &a) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &doc_info(ctx, doc)->base;
	return GRPC_STATUS_OK;
}

struct doc_list {
	struct rpc_ctx *ctx;
	Spis__V1__DocumentList *list;
	size_t cap;
};

static void
doc_list_add(void *arg, const struct store_document *doc)
{
	struct doc_list *l = arg;
	Spis__V1__DocumentInfo **grown;

	if (l->list->n_documents == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		grown = arena_alloc(rpc_ctx_arena(l->ctx),
		    sizeof *grown * l->cap);
		if (l->list->n_documents > 0)
			memcpy(grown, l->list->documents, sizeof *grown *
			    l->list->n_documents);
		l->list->documents = grown;
	}
	l->list->documents[l->list->n_documents++] = doc_info(l->ctx, doc);
}

static grpc_status_code
doc_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListDocumentsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct doc_list l = {.ctx = ctx};
	char muni[16], merged[64];
	grpc_status_code st;

	if (req->purpose[0] == '\0')
		return rpcd_purpose_check(ctx, req->owner_id, req->purpose);
	if (req->owner_kind[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "owner_kind: required: \"person\" or \"application\"");
	if ((st = doc_owner(ctx, req->owner_kind, req->owner_id, muni,
	    sizeof muni, merged, sizeof merged)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->owner_id, req->purpose);
	if ((st = rpcd_purpose_check(ctx, req->owner_id, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	l.list = RPC_NEW(ctx, Spis__V1__DocumentList,
	    spis__v1__document_list__init);
	if (store_document_list(d->store, req->owner_kind, req->owner_id,
	    doc_list_add, &l) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &l.list->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
doc_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetDocumentRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_document doc;
	Spis__V1__Document *m;
	grpc_status_code st;
	void *buf;

	if (req->id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "id: required (a document id from ListDocuments)");
	if (req->purpose[0] == '\0')
		return rpcd_purpose_check(ctx, "", req->purpose);
	switch (store_document_get(d->store, req->id, &doc)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "id: no document %" PRId64, req->id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	/* Whose document it is decides whether the purpose holds, so the
	 * purpose is checked once the row is known. */
	rpcd_audit_subject(ctx, doc.owner_id, req->purpose);
	if ((st = rpcd_purpose_check(ctx, doc.owner_id, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	buf = arena_alloc(rpc_ctx_arena(ctx), (size_t)doc.size);
	if (store_document_read(d->documents_dir, &doc, buf) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_DATA_LOSS,
		    "id: the content of document %" PRId64 " is missing or "
		    "damaged on the server; an administrator must restore it "
		    "from backup", doc.id);
	m = RPC_NEW(ctx, Spis__V1__Document, spis__v1__document__init);
	m->info = doc_info(ctx, &doc);
	m->content.data = buf;
	m->content.len = (size_t)doc.size;
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method documents_methods[] = {
	RPC_METHOD(spis__v1__documents, 0, doc_attach, PERM_DOCUMENT_WRITE),
	RPC_METHOD(spis__v1__documents, 1, doc_list, PERM_DOCUMENT_READ),
	RPC_METHOD(spis__v1__documents, 2, doc_get, PERM_DOCUMENT_READ),
};
const size_t documents_nmethods =
    sizeof documents_methods / sizeof documents_methods[0];
