/*
 * reference.h: application references, "K7QM-2XPA-R": eight symbols of
 * Crockford's base 32 and a Luhn mod 32 check symbol.  Random, so they say
 * nothing about the person or how many applications there are; the check
 * symbol catches a mistyped symbol and most swapped neighbours.  Shared by
 * the daemon (which makes and reads them), the kiosk (which reads what a
 * citizen types) and the generator.
 */
#ifndef SPIS_REFERENCE_H
#define SPIS_REFERENCE_H

#define REFERENCE_LEN 16 /* bytes for one, with its NUL */

/* Writes the reference of the eight symbol values v (each 0..31). */
void reference_format(const int v[8], char out[REFERENCE_LEN]);

/*
 * Reads a reference as a person types it (any case, with or without dashes
 * or spaces, O for 0 and I or L for 1) into its canonical form.  0, or -1
 * when it is not nine symbols or the check symbol is wrong.
 */
int reference_parse(const char *in, char out[REFERENCE_LEN]);

#endif
