/*
 * fuzz_factsfile.c: libFuzzer target for an institution's fact file, the
 * CSV of Exchange/SubmitFactsFile (exchange_csv_read in rpcd/exchange.c).
 * The input is the file.  Whatever the bytes, the reader refuses the file
 * with a message naming "content", or answers with items, each checked or
 * refused with a code and a message naming its field; never a crash.
 * The store is not involved: the reader only parses and checks.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "rpcd.h"
#include "store_fact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* "field: problem", as in fuzz_handlers.c. */
static int
fz_names_field(const char *msg)
{
	size_t i;

	for (i = 0; msg[i] != '\0'; i++)
		if (!islower((unsigned char)msg[i]) &&
		    !isdigit((unsigned char)msg[i]) &&
		    strchr("._[]", msg[i]) == NULL)
			break;
	return i > 0 && msg[i] == ':';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct store_institution inst = {.code = "FUZZ",
	    .kinds = "income,employment,disability,vehicle,land,death,birth,"
	    "education", .may_search = 1,
	    .purposes = "employment,health,research"};
	struct rpcd d = {.country = "LT"};
	struct store_fact_item *items;
	struct arena a;
	char why[256];
	size_t n;
	int rc;

	arena_init(&a);
	rc = exchange_csv_read(&d, &inst, &a, data, len, &items, &n, why,
	    sizeof why);
	if (rc == -1 && strncmp(why, "content: ", 9) != 0) {
		fprintf(stderr, "fuzz: refused without naming content: %s\n",
		    why);
		abort();
	}
	if (rc == -2)
		abort();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct store_fact_item *it = &items[i];

		if (it->code == NULL)
			continue;
		if (it->message == NULL || !fz_names_field(it->message) ||
		    !check_utf8_text(it->message) ||
		    !check_utf8_text(it->f.record_id)) {
			fprintf(stderr, "fuzz: item %zu (%s): \"%s\"\n", i,
			    it->code, it->message ? it->message : "(null)");
			abort();
		}
	}
	arena_free(&a);
	return 0;
}
