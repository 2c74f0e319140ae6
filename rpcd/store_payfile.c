/*
 * store_payfile.c: bank files beside the database (see store_payfile.h).
 * An export is written to a temporary file, fsync'd and renamed into
 * place, so that a file under its final name is always whole; its SHA-256
 * is taken from the bytes as they are written.  The writer holds a lock on
 * its temporary file until the rename; a temporary file nobody holds was
 * left by a daemon that died writing it (kill -9, a power cut) and is
 * removed by the next export.  An upload is appended to
 * in place: until ImportStatus reads it, a torn chunk is only a retry.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <sodium.h>

#include "log.h"
#include "store_payfile.h"

/* An upload not imported within a day was abandoned. */
#define PAYFILE_UPLOAD_TTL (24 * 60 * 60)

struct store_payfile {
	char tmp[PATH_MAX];
	char path[PATH_MAX];
	char folder[PATH_MAX];
	int fd;
	int64_t size;
	crypto_hash_sha256_state h;
};

/* Creates dir/bank and dir/bank/<sub> (0700) as needed; the folder's path
 * goes into out. */
static int
payfile_folder(const char *dir, const char *sub, char *out, size_t outlen)
{
	char bank[PATH_MAX];
	struct stat sb;

	if (snprintf(bank, sizeof bank, "%s/bank", dir) >= (int)sizeof bank ||
	    snprintf(out, outlen, "%s/%s", bank, sub) >= (int)outlen) {
		log_error("payments: %s: path too long", dir);
		return -1;
	}
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(bank, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(out, 0700) != 0 && errno != EEXIST)) {
		log_error("payments: %s: cannot create folder: %s", out,
		    strerror(errno));
		return -1;
	}
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		log_error("payments: %s: not a folder", out);
		return -1;
	}
	return 0;
}

static int
payfile_write_all(int fd, const unsigned char *p, size_t len)
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

/* A name made by the daemon: nothing that could leave the folder. */
static int
payfile_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 64 && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/*
 * Removes the temporary files in folder that no writer holds: those of a
 * daemon that died writing.  A live writer, in this process or another on
 * the same database, holds its file's lock.
 */
static void
payfile_tmp_sweep(const char *folder)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat sb, held;
	DIR *dp;
	int fd;

	if ((dp = opendir(folder)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, ".tmp-", 5) != 0 || snprintf(path,
		    sizeof path, "%s/%s", folder, e->d_name) >=
		    (int)sizeof path)
			continue;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) ==
		    0 && S_ISREG(held.st_mode) && lstat(path, &sb) == 0 &&
		    sb.st_ino == held.st_ino && sb.st_dev == held.st_dev) {
			log_warn("payments: %s: removing a file left half-"
			    "written", path);
			unlink(path);
		}
		close(fd);
	}
	closedir(dp);
}

struct store_payfile *
store_payfile_create(const char *dir, const char *name)
{
	struct store_payfile *f;
	struct stat sb;
	int tries;

	if (!payfile_name_ok(name)) {
		log_error("payments: export file name \"%s\" refused", name);
		return NULL;
	}
	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	f->fd = -1;
	if (payfile_folder(dir, "exports", f->folder, sizeof f->folder) != 0 ||
	    snprintf(f->path, sizeof f->path, "%s/%s.xml", f->folder, name) >=
	    (int)sizeof f->path ||
	    snprintf(f->tmp, sizeof f->tmp, "%s/.tmp-XXXXXX", f->folder) >=
	    (int)sizeof f->tmp) {
		free(f);
		return NULL;
	}
	payfile_tmp_sweep(f->folder);
	/* Locked as soon as made; should another export's sweep have taken
	 * it for a dead one's in between, it is gone: make another. */
	for (tries = 0; tries < 3; tries++) {
		memcpy(f->tmp + strlen(f->tmp) - 6, "XXXXXX", 6);
		if ((f->fd = mkstemp(f->tmp)) == -1 ||
		    flock(f->fd, LOCK_EX) != 0 || fstat(f->fd, &sb) != 0 ||
		    fchmod(f->fd, 0600) != 0) {
			log_error("payments: %s: cannot create a temporary "
			    "file: %s", f->folder, strerror(errno));
			if (f->fd != -1) {
				close(f->fd);
				unlink(f->tmp);
			}
			free(f);
			return NULL;
		}
		if (sb.st_nlink > 0)
			break;
		close(f->fd);
		f->fd = -1;
	}
	if (f->fd == -1) {
		log_error("payments: %s: cannot keep a temporary file",
		    f->folder);
		free(f);
		return NULL;
	}
	crypto_hash_sha256_init(&f->h);
	return f;
}

int
store_payfile_write(struct store_payfile *f, const void *buf, size_t len)
{
	if (payfile_write_all(f->fd, buf, len) != 0) {
		log_error("payments: %s: cannot write: %s", f->tmp,
		    strerror(errno));
		return -1;
	}
	crypto_hash_sha256_update(&f->h, buf, len);
	f->size += (int64_t)len;
	return 0;
}

void
store_payfile_abort(struct store_payfile *f)
{
	if (f == NULL)
		return;
	if (f->fd != -1)
		close(f->fd);
	unlink(f->tmp);
	free(f);
}

int
store_payfile_commit(struct store_payfile *f, char *sha256, int64_t *size)
{
	unsigned char digest[32];
	int dfd;

	if (fsync(f->fd) != 0) {
		log_error("payments: %s: cannot write: %s", f->tmp,
		    strerror(errno));
		store_payfile_abort(f);
		return -1;
	}
	/* Renamed while still locked: unlocked under its temporary name, it
	 * would look like a dead writer's. */
	if (rename(f->tmp, f->path) != 0) {
		log_error("payments: %s: cannot rename to %s: %s", f->tmp,
		    f->path, strerror(errno));
		store_payfile_abort(f);
		return -1;
	}
	if (close(f->fd) != 0) {
		log_error("payments: %s: cannot write: %s", f->path,
		    strerror(errno));
		f->fd = -1;
		free(f);
		return -1;
	}
	f->fd = -1;
	if ((dfd = open(f->folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		fsync(dfd);
		close(dfd);
	}
	crypto_hash_sha256_final(&f->h, digest);
	sodium_bin2hex(sha256, 65, digest, sizeof digest);
	*size = f->size;
	free(f);
	return 0;
}

/* Reads at most len bytes of path from offset. */
static enum store_rc
payfile_pread(const char *path, int64_t offset, void *buf, size_t len,
    size_t *got, int64_t *size)
{
	struct stat sb;
	ssize_t n;
	size_t done = 0;
	int fd;

	*got = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return STORE_NOTFOUND;
		log_error("payments: %s: %s", path, strerror(errno));
		return STORE_ERR;
	}
	if (fstat(fd, &sb) != 0) {
		log_error("payments: %s: %s", path, strerror(errno));
		close(fd);
		return STORE_ERR;
	}
	*size = sb.st_size;
	while (done < len && offset + (int64_t)done < *size) {
		n = pread(fd, (char *)buf + done, len - done,
		    (off_t)offset + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("payments: %s: %s", path, strerror(errno));
			close(fd);
			return STORE_ERR;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	*got = done;
	return STORE_OK;
}

enum store_rc
store_payfile_read(const char *dir, const char *name, int64_t offset,
    void *buf, size_t len, size_t *got, int64_t *size)
{
	char path[PATH_MAX];

	if (!payfile_name_ok(name) || snprintf(path, sizeof path,
	    "%s/bank/exports/%s.xml", dir, name) >= (int)sizeof path)
		return STORE_NOTFOUND;
	return payfile_pread(path, offset, buf, len, got, size);
}

/* ------------------------------------------------------------------------
 * Uploads.
 */

int
store_upload_id_valid(const char *id)
{
	return strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

static int
payfile_upload_path(const char *dir, int64_t run_id, const char *id,
    char *out, size_t outlen)
{
	if (!store_upload_id_valid(id))
		return -1;
	return snprintf(out, outlen, "%s/bank/uploads/%" PRId64 "-%s", dir,
	    run_id, id) >= (int)outlen ? -1 : 0;
}

/* Removes uploads left for more than a day: a report never imported. */
static void
payfile_upload_sweep(const char *folder)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	time_t now = time(NULL);
	DIR *dp;

	if ((dp = opendir(folder)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' || snprintf(path, sizeof path,
		    "%s/%s", folder, e->d_name) >= (int)sizeof path)
			continue;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_mtime + PAYFILE_UPLOAD_TTL < now)
			unlink(path);
	}
	closedir(dp);
}

int
store_upload_create(const char *dir, int64_t run_id, const void *data,
    size_t len, char *id)
{
	char folder[PATH_MAX], path[PATH_MAX];
	unsigned char rnd[16];
	int fd;

	if (payfile_folder(dir, "uploads", folder, sizeof folder) != 0)
		return -1;
	payfile_upload_sweep(folder);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(id, 33, rnd, sizeof rnd);
	if (payfile_upload_path(dir, run_id, id, path, sizeof path) != 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		log_error("payments: %s: %s", path, strerror(errno));
		return -1;
	}
	if (payfile_write_all(fd, data, len) != 0) {
		log_error("payments: %s: cannot write: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

enum store_rc
store_upload_append(const char *dir, int64_t run_id, const char *id,
    int64_t offset, const void *data, size_t len, int64_t max, int64_t *size)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	*size = 0;
	if (payfile_upload_path(dir, run_id, id, path, sizeof path) != 0)
		return STORE_NOTFOUND;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return STORE_NOTFOUND;
		log_error("payments: %s: %s", path, strerror(errno));
		return STORE_ERR;
	}
	if (fstat(fd, &sb) != 0) {
		log_error("payments: %s: %s", path, strerror(errno));
		close(fd);
		return STORE_ERR;
	}
	*size = sb.st_size;
	if (offset != *size) {
		close(fd);
		return STORE_REFUSED;
	}
	if (*size + (int64_t)len > max) {
		close(fd);
		return STORE_CONFLICT;
	}
	if (payfile_write_all(fd, data, len) != 0) {
		log_error("payments: %s: cannot write: %s", path,
		    strerror(errno));
		/* What was appended of a torn chunk is cut off again, so
		 * that the client's retry at the same offset fits. */
		if (ftruncate(fd, sb.st_size) != 0)
			log_error("payments: %s: %s", path, strerror(errno));
		close(fd);
		return STORE_ERR;
	}
	close(fd);
	*size += (int64_t)len;
	return STORE_OK;
}

enum store_rc
store_upload_load(const char *dir, int64_t run_id, const char *id,
    unsigned char **buf, size_t *len)
{
	char path[PATH_MAX];
	struct stat sb;
	unsigned char *b;
	size_t got;
	int64_t size;
	enum store_rc rc;

	*buf = NULL;
	*len = 0;
	if (payfile_upload_path(dir, run_id, id, path, sizeof path) != 0)
		return STORE_NOTFOUND;
	if (stat(path, &sb) != 0)
		return errno == ENOENT ? STORE_NOTFOUND : STORE_ERR;
	if ((b = malloc((size_t)sb.st_size + 1)) == NULL) {
		log_error("payments: %s: out of memory", path);
		return STORE_ERR;
	}
	rc = payfile_pread(path, 0, b, (size_t)sb.st_size, &got, &size);
	if (rc != STORE_OK) {
		free(b);
		return rc;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return STORE_OK;
}

void
store_upload_remove(const char *dir, int64_t run_id, const char *id)
{
	char path[PATH_MAX];

	if (payfile_upload_path(dir, run_id, id, path, sizeof path) == 0 &&
	    unlink(path) != 0 && errno != ENOENT)
		log_warn("payments: %s: cannot remove: %s", path,
		    strerror(errno));
}
