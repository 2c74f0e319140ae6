/*
 * natid.h: national identification numbers by country.  LT: the Lithuanian
 * personal code (asmens kodas), 11 digits: G YYMMDD NNN K, where G gives
 * the century and sex (1/2 1800s, 3/4 1900s, 5/6 2000s; odd male, even
 * female), then the birth date, a serial and a check digit computed with
 * two weight passes.  TR: the Turkish T.C. kimlik no, 11 digits, not
 * starting with 0, digits 10 and 11 checksums.
 *
 * Shared by the daemon (which decides) and the console and kiosk (which
 * warn as the ID is typed).
 */
#ifndef SPIS_NATID_H
#define SPIS_NATID_H

#include <stddef.h>

/* What a valid code says about its holder.  Fields the scheme does not
 * encode stay empty ("" / 0). */
struct natid_info {
	char birth_date[11]; /* "YYYY-MM-DD" (LT) */
	char sex;	     /* 'M' or 'F' (LT), 0 otherwise */
};

/*
 * Checks id under country ("LT" or "TR").  Returns 0 and fills *info (may
 * be NULL), or -1 with the problem in words for an officer ("the check
 * digit should be 4", "11 digits are required") in why.
 */
int natid_check(const char *country, const char *id, struct natid_info *info,
    char *why, size_t whylen);

/*
 * Checks id as above and then that birth_date ("YYYY-MM-DD") and sex ("M"
 * or "F") agree with what the code encodes, where it encodes them; either
 * may be NULL or "" to skip.  Returns 0, or -1 with why naming the field
 * that disagrees ("birth_date: the code says 1985-03-12").
 */
int natid_check_person(const char *country, const char *id,
    const char *birth_date, const char *sex, char *why, size_t whylen);

/* Whether the country is one natid knows ("LT", "TR"). */
int natid_country_known(const char *country);

#endif
