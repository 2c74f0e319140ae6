/*
 * store_payfile.h: bank files kept beside the database, under the
 * documents folder:
 *
 *	<dir>/bank/exports/<message id>.xml	an exported run's pain.001,
 *						written once and kept
 *	<dir>/bank/uploads/<run>-<upload id>	a status report being sent in
 *						chunks, until it is imported
 *
 * so that neither the bank file of a national run nor its status report
 * has to travel in one message.  Only the store (store_payfile.c)
 * implements this header; payments.c uses it.  Errors are logged here with
 * the path, which never reaches a caller.
 */
#ifndef SPIS_STORE_PAYFILE_H
#define SPIS_STORE_PAYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* An export file being written; its bytes are hashed as they go. */
struct store_payfile;

/*
 * Starts writing export file name (a message id: letters, digits and "-")
 * as a temporary file in dir's export folder, created as needed.  NULL
 * after logging why.
 */
struct store_payfile *store_payfile_create(const char *dir, const char *name);

/* Appends len bytes.  0, or -1 after logging (the file stays open: abort
 * it). */
int store_payfile_write(struct store_payfile *f, const void *buf,
    size_t len);

/*
 * Makes the file durable (fsync) and renames it into place, replacing one
 * of the same name.  sha256 (65 bytes) and *size say what was written.
 * Frees f whatever happens.  0, or -1 after logging.
 */
int store_payfile_commit(struct store_payfile *f, char *sha256,
    int64_t *size);

/* Removes the temporary file and frees f. */
void store_payfile_abort(struct store_payfile *f);

/*
 * Reads at most len bytes of export file name from offset into buf; *got
 * is how many (0 at the end), *size the file's size.  STORE_NOTFOUND when
 * the file is not there, STORE_ERR after logging.
 */
enum store_rc store_payfile_read(const char *dir, const char *name,
    int64_t offset, void *buf, size_t len, size_t *got, int64_t *size);

/* Whether upload_id is the form store_upload_create makes (32 lower-case
 * hexadecimal digits). */
int store_upload_id_valid(const char *upload_id);

/*
 * Starts an upload for run run_id with its first len bytes: id (33 bytes)
 * is its new random id.  Uploads older than a day are removed on the way.
 * 0, or -1 after logging.
 */
int store_upload_create(const char *dir, int64_t run_id, const void *data,
    size_t len, char *id);

/*
 * Appends len bytes to upload id of run run_id at offset, which must be
 * its size so far; *size is the size after (or as it stands, on a
 * refusal).  The upload may not grow beyond max bytes.  STORE_NOTFOUND when
 * there is no such upload for the run, STORE_REFUSED when offset is not its
 * size, STORE_CONFLICT when it would grow too large, STORE_ERR after
 * logging.
 */
enum store_rc store_upload_append(const char *dir, int64_t run_id,
    const char *id, int64_t offset, const void *data, size_t len,
    int64_t max, int64_t *size);

/*
 * Reads the whole of upload id of run run_id into *buf (malloc'd, the
 * caller frees it; a NUL follows the len bytes).  STORE_NOTFOUND,
 * STORE_ERR after logging.
 */
enum store_rc store_upload_load(const char *dir, int64_t run_id,
    const char *id, unsigned char **buf, size_t *len);

/* Removes upload id of run run_id, once imported. */
void store_upload_remove(const char *dir, int64_t run_id, const char *id);

#endif
