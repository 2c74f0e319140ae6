/*
 * rpc_wire.c: checks on a request's wire bytes that decoding cannot make.
 *
 * protobuf-c hands a string field to us as a NUL-terminated copy and drops
 * its length, so "Jonas\0Smith" arrives as "Jonas": the rest of what the
 * client sent would vanish without a word.  A registry must refuse such a
 * value rather than store part of it, so before a request is handled its
 * bytes are walked once, with the message descriptors as the map, and a
 * string field holding a NUL byte is named.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rpc.h"

/* Deeper nesting than this is not in any of our messages; a request that
 * has it is refused by the walk rather than followed. */
#define RPC_WIRE_DEPTH 16

/* Reads a varint at *p, below end.  Returns 0, or -1 when it runs off the
 * end or past ten bytes. */
static int
rpc_wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 70) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return -1;
}

/* Appends ".name" (or "name" at the start) to the path in buf. */
static void
rpc_wire_path(char *buf, size_t len, size_t at, const char *name)
{
	if (at >= len)
		return;
	snprintf(buf + at, len - at, "%s%s", at > 0 ? "." : "", name);
}

/* Whether a string field's n bytes at p pass: no NUL in a request, which
 * decoding would cut at; well-formed UTF-8 in a reply, which a client's
 * protobuf library may refuse to decode otherwise. */
static int
rpc_wire_string_ok(const uint8_t *p, uint64_t n, int reply)
{
	return reply ? check_utf8_valid(p, n) : memchr(p, '\0', n) == NULL;
}

static int
rpc_wire_walk(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    const uint8_t *end, int depth, int reply, char *path, size_t pathlen,
    size_t at)
{
	const ProtobufCFieldDescriptor *f;
	uint64_t key, n;

	if (depth > RPC_WIRE_DEPTH) {
		rpc_wire_path(path, pathlen, at, "(nested too deeply)");
		return -1;
	}
	while (p < end) {
		if (rpc_wire_varint(&p, end, &key) != 0)
			return 0; /* unpack accepted it; nothing to name */
		switch (key & 7) {
		case 0:
			if (rpc_wire_varint(&p, end, &n) != 0)
				return 0;
			break;
		case 1:
			p += 8;
			break;
		case 5:
			p += 4;
			break;
		case 2:
			if (rpc_wire_varint(&p, end, &n) != 0 ||
			    n > (uint64_t)(end - p))
				return 0;
			f = protobuf_c_message_descriptor_get_field(d,
			    (unsigned)(key >> 3));
			if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING &&
			    !rpc_wire_string_ok(p, n, reply)) {
				rpc_wire_path(path, pathlen, at, f->name);
				return -1;
			}
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				size_t sub = strlen(path);

				rpc_wire_path(path, pathlen, at, f->name);
				if (rpc_wire_walk(f->descriptor, p, p + n,
				    depth + 1, reply, path, pathlen,
				    strlen(path)) != 0)
					return -1;
				path[sub < pathlen ? sub : pathlen - 1] = '\0';
			}
			p += n;
			break;
		default:
			return 0; /* groups: not in proto3, unpack decides */
		}
	}
	return 0;
}

/* Either walk from the top, field emptied first. */
static int
rpc_wire_start(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, int reply, char *field, size_t fieldlen)
{
	if (fieldlen == 0)
		return 0;
	field[0] = '\0';
	return rpc_wire_walk(d, buf, (const uint8_t *)buf + len, 0, reply,
	    field, fieldlen, 0);
}

int
rpc_wire_check(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, char *field, size_t fieldlen)
{
	return rpc_wire_start(d, buf, len, 0, field, fieldlen);
}

int
rpc_wire_check_reply(const ProtobufCMessageDescriptor *d, const void *buf,
    size_t len, char *field, size_t fieldlen)
{
	return rpc_wire_start(d, buf, len, 1, field, fieldlen);
}
