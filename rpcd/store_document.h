/*
 * store_document.h: the e-file's storage.  A document is a metadata row in
 * the documents table and its content in a file named by the content's
 * SHA-256 under a folder beside the database:
 *
 *	<dir>/ab/abcdef...	(the hex digest; its first two digits name the
 *				 subfolder, so no folder grows too large)
 *
 * Identical content is stored once, however many rows point at it.  Only
 * the store (store_document.c) implements this header; documents.c uses
 * it.
 */
#ifndef SPIS_STORE_DOCUMENT_H
#define SPIS_STORE_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The largest content accepted, in bytes. */
#define STORE_DOCUMENT_MAX (10 * 1024 * 1024)

/* One document's metadata.  Fixed sizes: no ownership. */
struct store_document {
	int64_t id;
	char owner_kind[16];	/* "person" or "application" */
	char owner_id[64];	/* national ID or application reference */
	char type[16];
	char file_name[1024];	/* 255 characters of up to 4 bytes */
	char media_type[32];
	int64_t size;
	char sha256[65];	/* lower-case hex */
	char note[2048];	/* 500 characters of up to 4 bytes */
	char created_at[32];
	char created_by[65];
};

/*
 * Looks up a person who may own documents: copies their municipality and
 * the ID they were merged into ("" when not merged).  STORE_NOTFOUND when
 * there is no such person.
 */
enum store_rc store_document_person(struct store *st, const char *national_id,
    char *municipality, size_t mlen, char *merged_into, size_t milen);

/*
 * Makes sure dir holds the content whose hex SHA-256 is sha256: written to
 * a temporary file in the same folder, fsync'd, renamed into place, and the
 * folder fsync'd, mode 0600, so that once this returns the content survives
 * a crash.  Content already there is checked and kept (or replaced when it
 * no longer matches its name).  Folders are created (0700) as needed.
 * Returns 0, or -1 after logging why (with the path; never shown to a
 * caller).
 */
int store_document_put(const char *dir, const void *data, size_t len,
    const char *sha256);

/*
 * Inserts doc's row (doc->created_at and doc->id are filled in) and the
 * audit row a in one transaction.  The content must already be in place
 * (store_document_put), so that a committed row never points at nothing.
 */
enum store_rc store_document_add(struct store *st, struct store_document *doc,
    const struct store_audit *a);

/* Fills *doc; STORE_NOTFOUND when there is no document with that id. */
enum store_rc store_document_get(struct store *st, int64_t id,
    struct store_document *doc);

/* Calls fn for each document of an owner, oldest first.  Returns the
 * number of rows passed, or -1 after logging. */
int store_document_list(struct store *st, const char *owner_kind,
    const char *owner_id,
    void (*fn)(void *arg, const struct store_document *doc), void *arg);

/*
 * Reads doc's content into buf (doc->size bytes) and checks it against
 * doc->sha256.  STORE_NOTFOUND when the file is missing, STORE_ERR when it
 * cannot be read or no longer matches; both are logged with the document's
 * id and the path.
 */
enum store_rc store_document_read(const char *dir,
    const struct store_document *doc, void *buf);

#endif
