/*
 * person.c: what makes a person's record valid, shared by the Registry
 * calls, the citizen's own changes at a kiosk and, later, imports.  Each
 * check names the field and the rule it broke.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "municipality.h"
#include "natid.h"
#include "rpcd.h"
#include "store_person.h"

static const char *const person_disabilities[] = {"none", "moderate",
    "severe", NULL};
static const char *const person_employments[] = {"", "employed",
    "unemployed", "retired", "student", "other", NULL};
static const char *const person_languages[] = {"lt", "en", "tr", NULL};

static int
one_of(const char *v, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

char *
person_phone_normalise(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return out;
	for (const char *p = in; *p != '\0' && n + 1 < outlen; p++)
		if (strchr(" -()", *p) == NULL)
			out[n++] = *p;
	out[n] = '\0';
	return out;
}

/* A phone number as typed: digits, with spaces, dashes and parentheses
 * that are dropped when it is stored, and an optional leading +. */
static int
phone_ok(const char *v)
{
	size_t digits = 0;
	char norm[64];

	if (strlen(v) > 30)
		return 0;
	for (const char *p = v; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr(" -()", *p) == NULL && !(*p == '+' &&
		    p == v))
			return 0;
	}
	person_phone_normalise(v, norm, sizeof norm);
	return strlen(norm) <= 20 && (v[0] == '\0' || digits >= 6);
}

static int
email_ok(const char *v)
{
	const char *at = strchr(v, '@');

	if (v[0] == '\0')
		return 1;
	if (strlen(v) > 254 || at == NULL || at == v ||
	    strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    at[1] == '.' || v[strlen(v) - 1] == '.')
		return 0;
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

int
person_check_field(const char *field, const char *v, char *why,
    size_t whylen)
{
	char today[16], r[96];

	if (strcmp(field, "given_names") == 0 || strcmp(field, "surname") ==
	    0) {
		if (check_text(v, 1, 100, r, sizeof r) != 0) {
			snprintf(why, whylen, "%s: %s", field, r);
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "address") == 0) {
		if (check_text(v, 0, 200, r, sizeof r) != 0) {
			snprintf(why, whylen, "address: %s", r);
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "birth_date") == 0) {
		check_today(today, sizeof today);
		if (!check_date(v, NULL, NULL, NULL)) {
			snprintf(why, whylen, "birth_date: \"%.12s\" is not a "
			    "date (YYYY-MM-DD)", v);
			return -1;
		}
		if (strcmp(v, today) > 0) {
			snprintf(why, whylen, "birth_date: %s is in the "
			    "future", v);
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "sex") == 0) {
		if (strcmp(v, "F") != 0 && strcmp(v, "M") != 0) {
			snprintf(why, whylen, "sex: F or M");
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "municipality") == 0) {
		if (municipality_find(v) == NULL) {
			snprintf(why, whylen, "municipality: no municipality "
			    "has the code \"%.16s\"", v);
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "phone") == 0) {
		if (!phone_ok(v)) {
			snprintf(why, whylen, "phone: digits (spaces, dashes "
			    "and parentheses allowed) with an optional leading "
			    "+, at most 20 characters without them");
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "email") == 0) {
		if (!email_ok(v)) {
			snprintf(why, whylen, "email: not an e-mail address");
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "disability") == 0) {
		if (!one_of(v, person_disabilities)) {
			snprintf(why, whylen, "disability: none, moderate or "
			    "severe");
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "employment") == 0) {
		if (!one_of(v, person_employments)) {
			snprintf(why, whylen, "employment: employed, "
			    "unemployed, retired, student, other, or empty");
			return -1;
		}
		return 0;
	}
	if (strcmp(field, "language") == 0) {
		if (!one_of(v, person_languages)) {
			snprintf(why, whylen, "language: lt, en or tr");
			return -1;
		}
		return 0;
	}
	snprintf(why, whylen, "fields: \"%.32s\" cannot be changed here",
	    field);
	return -1;
}

int
person_check(const char *country, const struct store_person *p, char *why,
    size_t whylen)
{
	char r[160];

	if (natid_check(country, p->national_id, NULL, r, sizeof r) != 0) {
		snprintf(why, whylen, "national_id: %s", r);
		return -1;
	}
	for (size_t i = 0; store_person_fields[i] != NULL; i++)
		if (person_check_field(store_person_fields[i],
		    store_person_field(p, store_person_fields[i]), why,
		    whylen) != 0)
			return -1;
	/* natid names the field that disagrees with the code. */
	if (natid_check_person(country, p->national_id, p->birth_date, p->sex,
	    why, whylen) != 0)
		return -1;
	return 0;
}
