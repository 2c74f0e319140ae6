/*
 * fuzz_decode.c: libFuzzer target for every RPC's decode path: the first
 * two bytes pick a method of any service the daemon serves, the rest is
 * its request as it would arrive on the wire.  It is decoded as the
 * server decodes it (protobuf-c, then the wire check that refuses a NUL
 * inside a string, lib/rpc_wire.c), and what decodes is encoded again at
 * its stated size: the generated code and our check must hold for any
 * input, not just for what our clients send.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "rpcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define T(x) {x##_methods, &x##_nmethods}
static const struct {
	const struct rpc_method *m;
	const size_t *n;
} fuzz_tables[] = {
	T(health), T(system), T(auth), T(audit), T(stats), T(registry),
	T(households), T(duplicates), T(documents), T(citizen), T(notices),
	T(benefits), T(applications), T(programmes), T(registrations),
	T(payments), T(exchange), T(simulation),
};

static const struct rpc_method *
fuzz_method(unsigned pick)
{
	size_t total = 0;

	for (size_t i = 0; i < sizeof fuzz_tables / sizeof fuzz_tables[0]; i++)
		total += *fuzz_tables[i].n;
	pick %= total;
	for (size_t i = 0; i < sizeof fuzz_tables / sizeof fuzz_tables[0]; i++) {
		if (pick < *fuzz_tables[i].n)
			return &fuzz_tables[i].m[pick];
		pick -= *fuzz_tables[i].n;
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct rpc_method *m;
	const ProtobufCMessageDescriptor *d;
	ProtobufCMessage *msg, *again;
	uint8_t *out, *out2;
	size_t n, n2;
	char field[128];

	if (len < 2 || (m = fuzz_method((unsigned)data[0] << 8 | data[1])) ==
	    NULL)
		return 0;
	d = m->service->methods[m->index].input;
	msg = protobuf_c_message_unpack(d, NULL, len - 2, data + 2);
	if (msg == NULL)
		return 0;
	(void)rpc_wire_check(d, data + 2, len - 2, field, sizeof field);
	n = protobuf_c_message_get_packed_size(msg);
	if ((out = malloc(n ? n : 1)) == NULL)
		abort();
	if (protobuf_c_message_pack(msg, out) != n)
		abort();
	/* What protobuf-c wrote is read again, without asking it to read:
	 * it keeps an unknown field with number 0 that it will not read
	 * back, a quirk of the library with no effect on our handlers. */
	again = protobuf_c_message_unpack(d, NULL, n, out);
	if (again != NULL) {
		n2 = protobuf_c_message_get_packed_size(again);
		if ((out2 = malloc(n2 ? n2 : 1)) == NULL)
			abort();
		if (protobuf_c_message_pack(again, out2) != n2)
			abort();
		free(out2);
		protobuf_c_message_free_unpacked(again, NULL);
	}
	free(out);
	protobuf_c_message_free_unpacked(msg, NULL);
	return 0;
}
