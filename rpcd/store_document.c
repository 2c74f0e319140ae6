/*
 * store_document.c: documents, the e-file.  Rows in the documents table;
 * content in files named by SHA-256 beside the database (see
 * store_document.h), so that the database stays small and a backup of the
 * content is a plain copy of a folder whose files never change.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "check.h"
#include "log.h"
#include "store.h"
#include "store_document.h"
#include "store_int.h"

enum store_rc
store_document_person(struct store *st, const char *national_id,
    char *municipality, size_t mlen, char *merged_into, size_t milen)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT municipality, merged_into FROM people"
	    " WHERE national_id = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			store_copy(municipality, mlen, s, 0);
			store_copy(merged_into, milen, s, 1);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "document owner");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* The hex form of a SHA-256 digest; out holds 65 bytes. */
static void
doc_hex(char out[65], const unsigned char digest[32])
{
	sodium_bin2hex(out, 65, digest, 32);
}

/* fsyncs a folder, so that a rename or a new entry in it is durable. */
static int
doc_sync_dir(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_error("documents: %s: cannot open folder: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((rc = fsync(fd)) != 0)
		log_error("documents: %s: fsync: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* The folder that holds path ("." when it has none). */
static void
doc_parent(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* Creates a folder (0700) unless it exists; a new folder's entry is made
 * durable in its parent. */
static int
doc_mkdir(const char *path)
{
	char parent[PATH_MAX];
	struct stat sb;

	if (mkdir(path, 0700) == 0) {
		doc_parent(path, parent, sizeof parent);
		return doc_sync_dir(parent);
	}
	if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	log_error("documents: %s: cannot create folder: %s", path,
	    errno == EEXIST ? "not a folder" : strerror(errno));
	return -1;
}

/*
 * Hashes an open file to its end and counts its bytes.  Returns 0, or -1
 * with errno set on a read error.
 */
static int
doc_hash_fd(int fd, char hex[65], int64_t *size)
{
	crypto_hash_sha256_state h;
	unsigned char buf[65536], digest[32];
	ssize_t n;

	*size = 0;
	crypto_hash_sha256_init(&h);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		*size += n;
	}
	crypto_hash_sha256_final(&h, digest);
	doc_hex(hex, digest);
	return 0;
}

/* Whether the file at path holds exactly the content named sha256. */
static int
doc_file_matches(const char *path, const char *sha256)
{
	char hex[65];
	int64_t size;
	int fd, ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	ok = doc_hash_fd(fd, hex, &size) == 0 && strcmp(hex, sha256) == 0;
	close(fd);
	return ok;
}

static int
doc_write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
store_document_put(const char *dir, const void *data, size_t len,
    const char *sha256)
{
	char sub[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	int fd;

	if (snprintf(sub, sizeof sub, "%s/%.2s", dir, sha256) >=
	    (int)sizeof sub ||
	    snprintf(path, sizeof path, "%s/%s", sub, sha256) >=
	    (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub) >=
	    (int)sizeof tmp) {
		log_error("documents: %s: path too long", dir);
		return -1;
	}
	if (doc_mkdir(dir) != 0 || doc_mkdir(sub) != 0)
		return -1;

	/* Identical content is stored once.  A file that no longer matches
	 * its name (damaged, or tampered with) is replaced by the good copy
	 * in hand rather than trusted. */
	if (access(path, F_OK) == 0) {
		if (doc_file_matches(path, sha256))
			return 0;
		log_warn("documents: %s does not match its name; replacing it "
		    "with the content just attached", path);
	}

	if ((fd = mkstemp(tmp)) == -1) {
		log_error("documents: %s: cannot create a temporary file: %s",
		    sub, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0 || doc_write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		log_error("documents: %s: cannot write: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		log_error("documents: %s: close: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		log_error("documents: %s: cannot rename to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return doc_sync_dir(sub);
}

enum store_rc
store_document_add(struct store *st, struct store_document *doc,
    const struct store_audit *a)
{
	sqlite3_stmt *s;

	check_now(doc->created_at, sizeof doc->created_at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "INSERT INTO documents (owner_kind, owner_id,"
	    " type, file_name, media_type, size, sha256, note, created_at,"
	    " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, doc->owner_kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, doc->owner_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, doc->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, doc->file_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, doc->media_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, doc->size);
		sqlite3_bind_text(s, 7, doc->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, doc->note, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, doc->created_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 10, doc->created_by, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "document add") == STORE_OK) {
		doc->id = sqlite3_last_insert_rowid(st->db);
		if (store_audit_insert(st, a) == 0 && store_commit(st) == 0) {
			pthread_mutex_unlock(&st->lock);
			return STORE_OK;
		}
	}
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return STORE_ERR;
}

#define DOC_COLS \
	"id, owner_kind, owner_id, type, file_name, media_type, size," \
	" sha256, note, created_at, created_by"

static void
doc_from_row(struct store_document *doc, sqlite3_stmt *s)
{
	doc->id = sqlite3_column_int64(s, 0);
	store_copy(doc->owner_kind, sizeof doc->owner_kind, s, 1);
	store_copy(doc->owner_id, sizeof doc->owner_id, s, 2);
	store_copy(doc->type, sizeof doc->type, s, 3);
	store_copy(doc->file_name, sizeof doc->file_name, s, 4);
	store_copy(doc->media_type, sizeof doc->media_type, s, 5);
	doc->size = sqlite3_column_int64(s, 6);
	store_copy(doc->sha256, sizeof doc->sha256, s, 7);
	store_copy(doc->note, sizeof doc->note, s, 8);
	store_copy(doc->created_at, sizeof doc->created_at, s, 9);
	store_copy(doc->created_by, sizeof doc->created_by, s, 10);
}

enum store_rc
store_document_get(struct store *st, int64_t id, struct store_document *doc)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " DOC_COLS " FROM documents WHERE id = ?");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, id);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			doc_from_row(doc, s);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "document get");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_document_list(struct store *st, const char *owner_kind,
    const char *owner_id,
    void (*fn)(void *arg, const struct store_document *doc), void *arg)
{
	struct store_document doc;
	sqlite3_stmt *s;
	int n = 0, rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " DOC_COLS " FROM documents"
	    " WHERE owner_kind = ? AND owner_id = ? ORDER BY id");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, owner_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		doc_from_row(&doc, s);
		fn(arg, &doc);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "document list");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_document_read(const char *dir, const struct store_document *doc,
    void *buf)
{
	char path[PATH_MAX], hex[65];
	unsigned char digest[32];
	struct stat sb;
	size_t got = 0, want = (size_t)doc->size;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/%.2s/%s", dir, doc->sha256,
	    doc->sha256);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_error("documents: document %" PRId64 ": %s: %s", doc->id,
		    path, strerror(errno));
		return errno == ENOENT ? STORE_NOTFOUND : STORE_ERR;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size != doc->size) {
		log_error("documents: document %" PRId64 ": %s is not the "
		    "%" PRId64 "-byte file its row names", doc->id, path,
		    doc->size);
		close(fd);
		return STORE_ERR;
	}
	while (got < want) {
		n = read(fd, (unsigned char *)buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("documents: document %" PRId64 ": %s: %s",
			    doc->id, path, n < 0 ? strerror(errno) :
			    "shorter than its row says");
			close(fd);
			return STORE_ERR;
		}
		got += (size_t)n;
	}
	close(fd);
	crypto_hash_sha256(digest, buf, (unsigned long long)want);
	doc_hex(hex, digest);
	if (strcmp(hex, doc->sha256) != 0) {
		log_error("documents: document %" PRId64 ": %s no longer matches "
		    "its SHA-256 (altered or damaged; restore it from backup)",
		    doc->id, path);
		return STORE_ERR;
	}
	return STORE_OK;
}
