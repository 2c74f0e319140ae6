/*
 * officer.c: what makes an officer record valid, shared by the Auth RPCs
 * and the command line (`spis-rpcd officer add`).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rpcd.h"

int
officer_username_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > 64)
		return 0;
	for (; *u != '\0'; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '.' || *u == '_' ||
		    *u == '-' || *u == '@'))
			return 0;
	return 1;
}

int
officer_validate(const char *username, const char *display_name,
    const char *municipality, const char *const *roles, size_t nroles,
    struct store_officer *o, char *why, size_t whylen)
{
	unsigned bits = 0;
	size_t len = 0;

	if (!officer_username_ok(username)) {
		snprintf(why, whylen, "username: 1 to 64 letters, digits or "
		    ". _ - @ are required");
		return -1;
	}
	if (display_name[0] == '\0' || strlen(display_name) > 128 ||
	    !check_utf8_text(display_name)) {
		snprintf(why, whylen, "display_name: 1 to 128 bytes of "
		    "UTF-8 text are required");
		return -1;
	}
	if (strlen(municipality) > 15) {
		snprintf(why, whylen, "municipality: a code of at most 15 "
		    "characters, or empty for national");
		return -1;
	}
	for (const char *m = municipality; *m != '\0'; m++)
		if (!((*m >= '0' && *m <= '9') || (*m >= 'A' && *m <= 'Z') ||
		    (*m >= 'a' && *m <= 'z') || *m == '-')) {
			snprintf(why, whylen, "municipality: letters, digits "
			    "and - only");
			return -1;
		}
	if (nroles == 0) {
		snprintf(why, whylen, "roles: at least one role is required");
		return -1;
	}
	for (size_t i = 0; i < nroles; i++) {
		int r = authz_role_parse(roles[i]);

		if (r < 0) {
			snprintf(why, whylen, "roles: unknown role \"%.32s\"; "
			    "known: helpdesk, clerk, caseworker, supervisor, "
			    "auditor, admin, intermediary", roles[i]);
			return -1;
		}
		bits |= 1u << r;
	}
	memset(o, 0, sizeof *o);
	snprintf(o->username, sizeof o->username, "%s", username);
	snprintf(o->display_name, sizeof o->display_name, "%s", display_name);
	snprintf(o->municipality, sizeof o->municipality, "%s", municipality);
	/* Stored in the table's order, so equal sets look equal. */
	for (int r = 0; r < ROLE__COUNT; r++)
		if (bits & (1u << r))
			len += (size_t)snprintf(o->roles + len,
			    sizeof o->roles - len, "%s%s", len ? "," : "",
			    authz_role_name(r));
	o->active = 1;
	return 0;
}
