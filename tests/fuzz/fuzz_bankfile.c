/*
 * fuzz_bankfile.c: libFuzzer target for the bank's status reports
 * (rpcd/bankfile.c): CSV, pain.002 and camt.054, or told from the content.
 * The first byte picks the format; the rest is the file.  Whatever the
 * bytes, the reader answers with lines or a reason, never a crash, and
 * never follows an entity or a DTD.
 */
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "bankfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const formats[] = {"", "csv", "pain.002",
	    "camt.054"};
	struct bankfile_status *lines = NULL;
	const char *used = NULL;
	char why[256];
	size_t n = 0;
	struct arena a;

	if (len == 0)
		return 0;
	arena_init(&a);
	bankfile_status_read(formats[data[0] % 4], data + 1, len - 1,
	    data[0] & 4 ? "MSG-1" : NULL, &a, &lines, &n, &used, why,
	    sizeof why);
	arena_free(&a);
	return 0;
}
