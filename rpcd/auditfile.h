/*
 * auditfile.h: the files that anchor the audit trail outside the database
 * (auditfile.c): the key file that keys the chain, and the head file that
 * names the last row, so that a trail cut short is noticed.
 */
#ifndef SPIS_AUDITFILE_H
#define SPIS_AUDITFILE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Default paths beside the database: "<db>.auditkey", "<db>.audithead".
 * Returns a malloc'd string the caller frees. */
char *auditfile_default(const char *db, const char *suffix);

/*
 * Reads the chain's key from path: 64 hex digits, in a regular file that
 * only its owner may read or write.  When create is set and the file does
 * not exist, it is created (mode 0600) with a new random key and *created
 * is set.  Returns 0, or -1 with a reason naming the file in err.
 */
int auditfile_key(const char *path, int create, unsigned char key[32],
    int *created, char *err, size_t errlen);

/*
 * Gives the store its chain key from the file at path.  With create set
 * (the daemon, and commands that write), a missing key file is made, and a
 * database without a keyed start gets one: a row by actor saying that rows
 * from it on are keyed.  Returns 0; 1 when create is not set and there is
 * no key file (err says so; a trail that is keyed then cannot be
 * verified); -1 with a reason in err.
 */
int auditfile_setup(struct store *st, const char *path, int create,
    const char *actor, char *err, size_t errlen);

/* A short fingerprint of a key for the trail and logs ("1a2b3c4d5e6f7a8b"):
 * the start of its SHA-256, telling nothing about the key itself. */
void auditfile_fingerprint(const unsigned char key[32], char out[17]);

/* "SEQ:HASH" with the hash in hex, as `audit head` prints it and
 * `--expect` takes it.  Parsing returns 0, or -1 for anything else. */
void auditfile_anchor_format(int64_t seq, const uint8_t hash[32], char *buf,
    size_t len);
int auditfile_anchor_parse(const char *s, int64_t *seq, uint8_t hash[32]);

/*
 * Writes the store's current head to path if it moved since *saved (the
 * last row written there, 0 at first): "SEQ:HASH MAC", the MAC under the
 * chain's key so that only the key's holder can write a head that checks.
 * Written whole and renamed.  Returns 0, or -1 after logging.
 */
int auditfile_head_save(struct store *st, const char *path, int64_t *saved);

/* Reads the head file: 0 with *seq and hash, 1 when there is none, -1 with
 * a reason in err when it is unreadable or its MAC does not check. */
int auditfile_head_read(struct store *st, const char *path, int64_t *seq,
    uint8_t hash[32], char *err, size_t errlen);

#endif
