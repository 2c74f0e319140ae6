/*
 * iban.h: International Bank Account Numbers (ISO 13616).  Shared by the
 * daemon, which refuses a bad one, and the clients, which say so while the
 * officer types.
 */
#ifndef SPIS_IBAN_H
#define SPIS_IBAN_H

#include <stddef.h>

/*
 * Checks an IBAN as typed (spaces allowed, any case): two letters of a
 * country, two check digits, then letters and digits, the length the
 * country uses where we know it (LT 20, TR 26, else 15 to 34), and the
 * mod 97 check.  Writes its electronic form (no spaces, upper case) into
 * out (at least 35 bytes).  Returns 0, or -1 with a sentence in why.
 */
int iban_check(const char *in, char *out, size_t outlen, char *why,
    size_t whylen);

#endif
