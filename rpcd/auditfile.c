/*
 * auditfile.c: the audit trail's anchors outside the database.  The key
 * file keys the hash chain, so someone who can edit only the database
 * cannot recompute it; the head file names the last row, so a trail cut
 * short at its end (which leaves no gap in the chain) is noticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "auditfile.h"
#include "log.h"
#include "store.h"
#include "store_audit.h"

#define AUDITFILE_HEAD_MAC "spis audit head "

char *
auditfile_default(const char *db, const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s%s", db, suffix) < 0)
		fatalx("out of memory");
	return p;
}

void
auditfile_fingerprint(const unsigned char key[32], char out[17])
{
	unsigned char h[32];

	crypto_hash_sha256(h, key, 32);
	sodium_bin2hex(out, 17, h, 8);
}

/* Creates the key file with a new key; 0, or -1 with errno (EEXIST when
 * another process made it first). */
static int
auditfile_key_create(const char *path, unsigned char key[32])
{
	char hex[65 + 1];
	int fd, e;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	randombytes_buf(key, 32);
	sodium_bin2hex(hex, sizeof hex - 1, key, 32);
	hex[64] = '\n';
	hex[65] = '\0';
	if (write(fd, hex, 65) != 65 || fsync(fd) != 0) {
		e = errno != 0 ? errno : EIO;
		close(fd);
		unlink(path);
		sodium_memzero(hex, sizeof hex);
		errno = e;
		return -1;
	}
	sodium_memzero(hex, sizeof hex);
	return close(fd);
}

int
auditfile_key(const char *path, int create, unsigned char key[32],
    int *created, char *err, size_t errlen)
{
	char buf[160];
	struct stat sb;
	size_t binlen = 0;
	const char *end;
	ssize_t n;
	int fd;

	*created = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT && create) {
			if (auditfile_key_create(path, key) == 0) {
				*created = 1;
				return 0;
			}
			if (errno != EEXIST) {
				snprintf(err, errlen, "audit key file %s: "
				    "cannot create it: %s", path,
				    strerror(errno));
				return -1;
			}
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		}
		if (fd == -1) {
			snprintf(err, errlen, "audit key file %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "audit key file %s: not a regular file",
		    path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & 077) {
		snprintf(err, errlen, "audit key file %s: others may read or "
		    "write it (mode %03o); chmod 600 it", path,
		    (unsigned)(sb.st_mode & 0777));
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "audit key file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if (sodium_hex2bin(key, 32, buf, (size_t)n, NULL, &binlen, &end) != 0 ||
	    binlen != 32 || strspn(end, " \t\r\n") != strlen(end)) {
		sodium_memzero(buf, sizeof buf);
		snprintf(err, errlen, "audit key file %s: not a key (64 hex "
		    "digits are expected)", path);
		return -1;
	}
	sodium_memzero(buf, sizeof buf);
	return 0;
}

int
auditfile_setup(struct store *st, const char *path, int create,
    const char *actor, char *err, size_t errlen)
{
	unsigned char key[32];
	char fp[17], detail[160];
	struct store_audit a = {.actor = actor, .terminal = "",
	    .method = "audit key", .outcome = "OK", .detail = detail};
	int64_t from = store_audit_keyed_from(st);
	int created, rc;
	size_t n;

	/* A keyed trail whose key is lost must not get a new one. */
	if (auditfile_key(path, create && from == 0, key, &created, err,
	    errlen) != 0) {
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			n = strlen(err);
			if (from > 0 && n < errlen)
				snprintf(err + n, errlen - n, "; the audit "
				    "trail is keyed from row %" PRId64 " and "
				    "cannot be checked or extended without "
				    "it", from);
			return create ? -1 : 1;
		}
		return -1;
	}
	if (created)
		log_info("created the audit key file %s", path);
	auditfile_fingerprint(key, fp);
	snprintf(detail, sizeof detail, "rows from here on are chained with "
	    "HMAC-SHA256 under the key with fingerprint %s", fp);
	rc = store_audit_set_key(st, key, create ? &a : NULL, err, errlen);
	sodium_memzero(key, sizeof key);
	return rc;
}

void
auditfile_anchor_format(int64_t seq, const uint8_t hash[32], char *buf,
    size_t len)
{
	char hex[65];

	sodium_bin2hex(hex, sizeof hex, hash, 32);
	snprintf(buf, len, "%" PRId64 ":%s", seq, hex);
}

int
auditfile_anchor_parse(const char *s, int64_t *seq, uint8_t hash[32])
{
	const char *colon = strchr(s, ':');
	char *end;
	size_t binlen = 0;
	long long v;

	if (colon == NULL || colon == s || strlen(colon + 1) != 64)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end != colon || v <= 0)
		return -1;
	if (sodium_hex2bin(hash, 32, colon + 1, 64, NULL, &binlen, NULL) != 0 ||
	    binlen != 32)
		return -1;
	*seq = v;
	return 0;
}

/* The MAC of a head line, in hex. */
static int
auditfile_head_mac(struct store *st, const char *anchor, char out[65])
{
	char msg[128];
	uint8_t mac[32];
	int n;

	n = snprintf(msg, sizeof msg, "%s%s", AUDITFILE_HEAD_MAC, anchor);
	if (store_audit_mac(st, msg, (size_t)n, mac) != 0)
		return -1;
	sodium_bin2hex(out, 65, mac, sizeof mac);
	return 0;
}

int
auditfile_head_save(struct store *st, const char *path, int64_t *saved)
{
	char tmp[PATH_MAX], anchor[96], mac[65];
	uint8_t hash[32];
	int64_t id;
	FILE *f;
	int fd;

	if (store_audit_head(st, &id, hash) != STORE_OK)
		return -1;
	if (id == 0 || id == *saved)
		return 0;
	auditfile_anchor_format(id, hash, anchor, sizeof anchor);
	if (auditfile_head_mac(st, anchor, mac) != 0) {
		log_warn("audit head %s: no audit key loaded", path);
		return -1;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		log_warn("audit head %s: path too long", path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1 || (f = fdopen(fd, "w")) == NULL) {
		log_warn("audit head %s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	fprintf(f, "%s %s\n", anchor, mac);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		log_warn("audit head %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	*saved = id;
	return 0;
}

int
auditfile_head_read(struct store *st, const char *path, int64_t *seq,
    uint8_t hash[32], char *err, size_t errlen)
{
	char line[256], *sp, mac[65];
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "audit head file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if ((sp = strchr(line, ' ')) == NULL) {
		snprintf(err, errlen, "audit head file %s: not a head (\"SEQ:"
		    "HASH MAC\" is expected)", path);
		return -1;
	}
	*sp++ = '\0';
	if (auditfile_anchor_parse(line, seq, hash) != 0) {
		snprintf(err, errlen, "audit head file %s: not a head (\"SEQ:"
		    "HASH MAC\" is expected)", path);
		return -1;
	}
	if (auditfile_head_mac(st, line, mac) != 0) {
		snprintf(err, errlen, "audit head file %s: no audit key to "
		    "check it with", path);
		return -1;
	}
	if (strlen(sp) != 64 || sodium_memcmp(sp, mac, 64) != 0) {
		snprintf(err, errlen, "audit head file %s: its MAC does not "
		    "check under the audit key: it was not written by the "
		    "daemon, or with another key", path);
		return -1;
	}
	return 0;
}
