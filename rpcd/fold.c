/*
 * fold.c: names folded for comparison, so that "Žemaitė", "ŽEMAITĖ" and
 * "zemaite" are one name to search and to the duplicate checks.  The
 * decomposition and case tables are libunistring's; only the few letters
 * that carry no combining mark to strip are mapped by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "rpcd.h"

/* Letters with a stroke or without a dot, which NFD leaves whole. */
static ucs4_t
fold_plain(ucs4_t c)
{
	switch (c) {
	case 0x0131: /* ı dotless i (Turkish) */
		return 'i';
	case 0x0141: /* Ł */
	case 0x0142: /* ł */
		return 'l';
	case 0x0110: /* Đ */
	case 0x0111: /* đ */
		return 'd';
	case 0x00d8: /* Ø */
	case 0x00f8: /* ø */
		return 'o';
	default:
		return uc_tolower(c);
	}
}

int
rpcd_fold(const char *in, char *out, size_t outlen)
{
	uint8_t *nfd;
	size_t nfdlen = 0, o = 0;
	const uint8_t *p, *end;
	int space = 0;

	if (outlen == 0)
		return -1;
	nfd = u8_normalize(UNINORM_NFD, (const uint8_t *)in, strlen(in), NULL,
	    &nfdlen);
	if (nfd == NULL)
		return -1;
	end = nfd + nfdlen;
	for (p = nfd; p < end;) {
		ucs4_t c;
		int n = u8_mbtouc(&c, p, (size_t)(end - p));
		uint8_t buf[6];
		int len;

		p += n;
		if (uc_is_general_category(c, UC_CATEGORY_Mn))
			continue;
		if (c == ' ' || c == '-' || c == '\t' || c == 0x2010 ||
		    c == 0x2011) {
			space = o > 0;
			continue;
		}
		c = fold_plain(c);
		if ((len = u8_uctomb(buf, c, sizeof buf)) < 0)
			continue;
		if (o + (size_t)space + (size_t)len + 1 > outlen) {
			free(nfd);
			return -1;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, buf, (size_t)len);
		o += (size_t)len;
	}
	out[o] = '\0';
	free(nfd);
	return 0;
}
