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
	    "2026-11-24T10:15:00Z", "2026-11-24", "EUR", "SOC-BEN 2026-11",
	    2, 12346};
	struct bankfile_pain001 *p;
	struct arena a;
	unsigned char *xml;
	size_t len;
	int64_t count, total;

	(void)state;
	arena_init(&a);
	assert_non_null(p = bankfile_pain001_new(&d, &h, NULL, NULL));
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
	    n, NULL, why, 256);
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
	assert_string_equal(s[1].reason, "AC04 account closed: closed");
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

/* A camt.054 notification: NS the version's namespace, STS the entries'
 * status as that version writes it. */
#define C54(ns) "<Document xmlns=\"urn:iso:std:iso:" \
	"20022:tech:xsd:camt.054.001." ns "\"><BkToCstmrDbtCdtNtfctn>" \
	"<GrpHdr><MsgId>B1</MsgId></GrpHdr><Ntfctn><Id>N1</Id>"
#define C54_END "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
#define NTRY(amt, ind, sts, tx) "<Ntry><Amt Ccy=\"EUR\">" amt "</Amt>" \
	"<CdtDbtInd>" ind "</CdtDbtInd>" sts "<NtryDtls>" tx "</NtryDtls></Ntry>"
#define TX(e2e, more) "<TxDtls><Refs><MsgId>M1</MsgId><EndToEndId>" e2e \
	"</EndToEndId></Refs>" more "</TxDtls>"

static void
test_camt054(void **state)
{
	struct arena a;
	struct bankfile_status *s;
	size_t n;
	const char *used;
	char why[256];

	(void)state;
	arena_init(&a);
	/* Version 02: <Sts>BOOK</Sts>.  A booked debit with one transaction
	 * takes the entry's amount; a batch entry gives each transaction's;
	 * a credit with return information is a return, its code in words;
	 * a rejected entry failed; a pending one is no answer; a credit
	 * without return information answers nothing. */
	assert_int_equal(read_report(&a, "camt.054", "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n" C54("02")
	    NTRY("12.50", "DBIT", "<Sts>BOOK</Sts>", TX("E1", ""))
	    NTRY("30.00", "DBIT", "<Sts>BOOK</Sts>",
	    TX("E2", "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">10.00</Amt></TxAmt>"
	    "</AmtDtls>")
	    TX("E3", "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">20.00</Amt></TxAmt>"
	    "</AmtDtls>"))
	    NTRY("5.00", "CRDT", "<Sts>BOOK</Sts>", TX("E4", "<RtrInf><Rsn>"
	    "<Cd>AC04</Cd></Rsn><AddtlInf>since May</AddtlInf></RtrInf>"))
	    NTRY("7.00", "DBIT", "<Sts>RJCT</Sts>", TX("E5", "<RtrInf><Rsn>"
	    "<Cd>ZZ99</Cd></Rsn></RtrInf>"))
	    NTRY("7.00", "DBIT", "<Sts>PDNG</Sts>", TX("E6", ""))
	    NTRY("7.00", "CRDT", "<Sts>BOOK</Sts>", TX("E7", ""))
	    NTRY("7.00", "DBIT", "<Sts>BOOK</Sts>", "")
	    NTRY("7,00", "DBIT", "<Sts>BOOK</Sts>", TX("E9", ""))
	    C54_END, "M1", &s, &n, why), 0);
	assert_int_equal(n, 9);
	assert_string_equal(s[0].end_to_end_id, "E1");
	assert_string_equal(s[0].status, "paid");
	assert_int_equal(s[0].amount, 1250);
	assert_int_equal(s[1].amount, 1000);
	assert_int_equal(s[2].line, 3);
	assert_int_equal(s[2].amount, 2000);
	assert_string_equal(s[3].status, "returned");
	assert_string_equal(s[3].reason, "AC04 account closed: since May");
	assert_string_equal(s[4].status, "failed");
	assert_string_equal(s[4].reason, "ZZ99");
	assert_non_null(strstr(s[5].error, "Ntry.Sts:"));
	assert_non_null(strstr(s[6].error, "CdtDbtInd:"));
	assert_non_null(strstr(s[7].error, "Ntry:"));
	assert_non_null(strstr(s[8].error, "Amt"));
	for (size_t i = 0; i < 5; i++)
		assert_null(s[i].error);

	/* Version 08: <Sts><Cd>BOOK</Cd></Sts> and TxDtls/Amt; told from
	 * the root element when no format is given. */
	assert_int_equal(bankfile_status_read("", C54("08")
	    NTRY("1.00", "DBIT", "<Sts><Cd>BOOK</Cd></Sts>", TX("E1",
	    "<Amt Ccy=\"EUR\">1.00</Amt>")) C54_END, strlen(C54("08")
	    NTRY("1.00", "DBIT", "<Sts><Cd>BOOK</Cd></Sts>", TX("E1",
	    "<Amt Ccy=\"EUR\">1.00</Amt>")) C54_END), "M1", &a, &s, &n, &used,
	    why, sizeof why), 0);
	assert_string_equal(used, "camt.054");
	assert_int_equal(n, 1);
	assert_string_equal(s[0].status, "paid");
	assert_int_equal(s[0].amount, 100);

	/* A transaction answering another message is that line's error. */
	assert_int_equal(read_report(&a, "camt.054", C54("02")
	    NTRY("1.00", "DBIT", "<Sts>BOOK</Sts>", TX("E1", "")) C54_END,
	    "M2", &s, &n, why), 0);
	assert_non_null(strstr(s[0].error, "Refs.MsgId:"));

	/* Refused as a whole: no entries, a DTD, not well-formed, another
	 * format's document. */
	assert_int_equal(read_report(&a, "camt.054", C54("02") C54_END, NULL,
	    &s, &n, why), -1);
	assert_non_null(strstr(why, "Ntry"));
	assert_int_equal(read_report(&a, "camt.054",
	    "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" C54("02")
	    NTRY("1.00", "DBIT", "<Sts>BOOK</Sts>", TX("&x;", "")) C54_END,
	    NULL, &s, &n, why), -1);
	assert_non_null(strstr(why, "DTD"));
	assert_int_equal(read_report(&a, "camt.054", C54("02") "<Ntry>\n<x>"
	    C54_END, NULL, &s, &n, why), -1);
	assert_non_null(strstr(why, "line 2"));
	assert_int_equal(read_report(&a, "camt.054", P2 P2_END, NULL, &s, &n,
	    why), -1);
	assert_non_null(strstr(why, "not a camt.054"));
	assert_int_equal(read_report(&a, "", "<Document xmlns=\"urn:x\"/>",
	    NULL, &s, &n, why), -1);
	assert_non_null(strstr(why, "neither"));

	/* Told from the content: CSV and pain.002 as well. */
	assert_int_equal(bankfile_status_read("", "end_to_end_id,status\nE,"
	    "paid\n", 28, NULL, &a, &s, &n, &used, why, sizeof why), 0);
	assert_string_equal(used, "csv");
	assert_int_equal(bankfile_status_read("", "\n " P2 "<TxInfAndSts>"
	    "<OrgnlEndToEndId>E</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
	    "</TxInfAndSts>" P2_END, strlen("\n " P2 "<TxInfAndSts>"
	    "<OrgnlEndToEndId>E</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
	    "</TxInfAndSts>" P2_END), NULL, &a, &s, &n, &used, why,
	    sizeof why), 0);
	assert_string_equal(used, "pain.002");
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
		cmocka_unit_test(test_camt054),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
