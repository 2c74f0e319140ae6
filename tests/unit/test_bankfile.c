/*
 * test_bankfile.c: the bank files on their own: amounts as decimal text,
 * a pain.001 whose counts and sums come from its transactions, and status
 * reports in CSV and pain.002 with the lines a bank really sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "bankfile.h"

static void
test_amount_text(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(bankfile_amount_text(12345, buf, sizeof buf),
	    "123.45");
	assert_string_equal(bankfile_amount_text(5, buf, sizeof buf), "0.05");
	assert_string_equal(bankfile_amount_text(100, buf, sizeof buf),
	    "1.00");
	assert_string_equal(bankfile_amount_text(0, buf, sizeof buf), "0.00");
	assert_string_equal(bankfile_amount_text(-150, buf, sizeof buf),
	    "-1.50");
	assert_string_equal(bankfile_amount_text(INT64_MAX, buf, sizeof buf),
	    "92233720368547758.07");
}

static void
test_pain001(void **state)
{
	struct bankfile_debtor d = {"Agency & Co", "LT307300010000000001",
	    "SPISLT21XXX"};
	struct bankfile_header h = {"SPIS20261124101500R1",
	    "2026-11-24T10:15:00Z", "2026-11-24", "EUR", "SOC-BEN 2026-11"};
	struct bankfile_pain001 *p;
	struct arena a;
	unsigned char *xml;
	size_t len;
	int64_t count, total;

	(void)state;
	arena_init(&a);
	assert_non_null(p = bankfile_pain001_new(&d, &h));
	assert_int_equal(bankfile_pain001_add(p, "SPIS-1-1", 12345,
	    "Rūta Žemaitė", "LT601010012345678901"), 0);
	assert_int_equal(bankfile_pain001_add(p, "SPIS-1-2", 1, "<O'Neil>",
	    "LT601010012345678902"), 0);
	/* Nothing is paid as zero or less. */
	assert_int_equal(bankfile_pain001_add(p, "SPIS-1-3", 0, "x",
	    "LT601010012345678903"), -1);
	assert_int_equal(bankfile_pain001_finish(p, &a, &xml, &len, &count,
	    &total), 0);
	bankfile_pain001_free(p);
	assert_int_equal(count, 2);
	assert_int_equal(total, 12346);
	assert_non_null(strstr((char *)xml, "xmlns=\"urn:iso:std:iso:20022:"
	    "tech:xsd:pain.001.001.03\""));
	assert_non_null(strstr((char *)xml, "<NbOfTxs>2</NbOfTxs>"));
	assert_non_null(strstr((char *)xml, "<CtrlSum>123.46</CtrlSum>"));
	assert_non_null(strstr((char *)xml,
	    "<InstdAmt Ccy=\"EUR\">0.01</InstdAmt>"));
	/* Text is escaped, not taken for markup or entities. */
	assert_non_null(strstr((char *)xml, "Agency &amp; Co"));
	assert_non_null(strstr((char *)xml, "&lt;O'Neil&gt;"));
	assert_non_null(strstr((char *)xml, "Rūta Žemaitė"));
	assert_null(strstr((char *)xml, "SPIS-1-3"));
	arena_free(&a);
}

static int
read_report(struct arena *a, const char *format, const char *text,
    const char *msgid, struct bankfile_status **out, size_t *n, char *why)
{
	return bankfile_status_read(format, text, strlen(text), msgid, a, out,
	    n, why, 256);
}

static void
test_csv(void **state)
{
	struct arena a;
	struct bankfile_status *s;
	size_t n;
	char why[256];

	(void)state;
	arena_init(&a);
	/* A spreadsheet's export: byte order mark, CRLF, a blank line, the
	 * header in capitals, a reason with a comma and a quote, no reason
	 * column on one line. */
	assert_int_equal(read_report(&a, "csv",
	    "\xef\xbb\xbf" "End_To_End_Id,Status,Reason\r\n"
	    "SPIS-1-1,paid,\r\n"
	    "\r\n"
	    "SPIS-1-2, FAILED ,\"AC04 closed, \"\"old\"\" account\"\r\n"
	    "SPIS-1-3,returned\r\n"
	    "SPIS-1-4,lost,\r\n"
	    ",paid,\r\n"
	    "SPIS-1-6,paid,x,y\r\n", NULL, &s, &n, why), 0);
	assert_int_equal(n, 6);
	assert_int_equal(s[0].line, 2);
	assert_string_equal(s[0].end_to_end_id, "SPIS-1-1");
	assert_string_equal(s[0].status, "paid");
	assert_null(s[0].error);
	assert_int_equal(s[1].line, 4);
	assert_string_equal(s[1].status, "failed");
	assert_string_equal(s[1].reason, "AC04 closed, \"old\" account");
	assert_string_equal(s[2].status, "returned");
	assert_int_equal(s[3].line, 6);
	assert_non_null(strstr(s[3].error, "status:"));
	assert_non_null(strstr(s[4].error, "end_to_end_id:"));
	assert_non_null(strstr(s[5].error, "line:"));
	assert_int_equal(s[0].amount, -1);

	assert_int_equal(read_report(&a, "csv", "id,status\nX,paid\n", NULL,
	    &s, &n, why), -1);
	assert_non_null(strstr(why, "header"));
	assert_int_equal(read_report(&a, "csv",
	    "end_to_end_id,status,reason\n\"open,paid\n", NULL, &s, &n, why),
	    -1);
	assert_non_null(strstr(why, "malformed"));
	assert_int_equal(read_report(&a, "csv",
	    "end_to_end_id,status,reason\n", NULL, &s, &n, why), -1);
	assert_int_equal(read_report(&a, "xls", "x", NULL, &s, &n, why), -1);
	assert_non_null(strstr(why, "format:"));
	arena_free(&a);
}

#define P2 "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">" \
	"<CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>M1</OrgnlMsgId>" \
	"</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts>"
#define P2_END "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"

static void
test_pain002(void **state)
{
	struct arena a;
	struct bankfile_status *s;
	size_t n;
	char why[256];

	(void)state;
	arena_init(&a);
	assert_int_equal(read_report(&a, "pain.002", P2
	    "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId>"
	    "<TxSts>ACSC</TxSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">12.5"
	    "</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>"
	    "<TxInfAndSts><OrgnlEndToEndId>E2</OrgnlEndToEndId>"
	    "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn>"
	    "<AddtlInf>closed</AddtlInf></StsRsnInf></TxInfAndSts>"
	    "<TxInfAndSts><OrgnlEndToEndId>E3</OrgnlEndToEndId>"
	    "<TxSts>PDNG</TxSts></TxInfAndSts>"
	    "<TxInfAndSts><OrgnlEndToEndId>E4</OrgnlEndToEndId>"
	    "<TxSts>ACCP</TxSts><OrgnlTxRef><Amt><InstdAmt>1.234</InstdAmt>"
	    "</Amt></OrgnlTxRef></TxInfAndSts>" P2_END, "M1", &s, &n, why), 0);
	assert_int_equal(n, 4);
	assert_string_equal(s[0].status, "paid");
	assert_int_equal(s[0].amount, 1250);
	assert_int_equal(s[1].line, 2);
	assert_string_equal(s[1].status, "failed");
	assert_string_equal(s[1].reason, "AC04: closed");
	assert_non_null(strstr(s[2].error, "TxSts:"));
	assert_non_null(strstr(s[3].error, "InstdAmt"));

	assert_int_equal(read_report(&a, "pain.002", P2 P2_END, "M2", &s, &n,
	    why), -1);
	assert_non_null(strstr(why, "M1"));
	assert_int_equal(read_report(&a, "pain.002", P2 P2_END, "M1", &s, &n,
	    why), -1);
	assert_non_null(strstr(why, "TxInfAndSts"));
	assert_int_equal(read_report(&a, "pain.002",
	    "<!DOCTYPE d [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
	    P2 P2_END, NULL, &s, &n, why), -1);
	assert_non_null(strstr(why, "DTD"));
	assert_int_equal(read_report(&a, "pain.002", "<a><b></a>", NULL, &s,
	    &n, why), -1);
	assert_non_null(strstr(why, "line 1"));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_text),
		cmocka_unit_test(test_pain001),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_pain002),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
