"""Checks for tests/integration/payments.sh: spis.v1.Payments.

argv: the generated Python modules, the daemon's address, its database, and
the address of a second daemon on the same database.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import decimal
import hashlib
import os
import re
import sqlite3
import sys
import threading
import xml.etree.ElementTree as ET

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import programmes_pb2 as pg  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, addr2 = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr)
c2 = spis.Client(addr2)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
P2NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"

db = sqlite3.connect(dbpath, timeout=30)
clerk = c.login("clerk")
clerk2 = c.login("clerk2")
clerk13 = c.login("clerk13")
clerk19 = c.login("clerk19")
case13 = c.login("case13")
case19 = c.login("case19")
super_ = c.login("super")
super13 = c.login("super13")
boss = c.login("boss")
admin = c.login("admin")

# Every refusal this script provokes, to compare with the audit trail.
REFUSED = {"n": 0}


def iban(n):
    """A Lithuanian IBAN with a correct ISO 13616 check (mod 97)."""
    bban = "73000%011d" % n
    num = int("".join(str(int(ch, 36)) for ch in bban + "LT00"))
    return "LT%02d%s" % (98 - num % 97, bban)


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    ok = gcode == code and (field is None or msg.startswith(field + ":")) and \
        (text is None or text in msg)
    if gcode != OK and "Payments" in name:
        REFUSED["n"] += 1
    check(name, ok, "%s %r" % (gcode, msg))
    return got


def rows(sql, *args):
    return db.execute(sql, args).fetchall()


def pay(method, req, tok=clerk, client=None):
    return (client or c).call("Payments", method, req, token=tok)


def create(prog, period, tok=clerk, client=None):
    return pay("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme=prog, period=period),
               tok, client)


def action(method, run_id, tok=clerk, reason=""):
    return pay(method, bn.RunActionRequest(request_id=spis.rid(), run_id=run_id, reason=reason), tok)


def get_all(run_id, size=500, tok=clerk):
    out, token = [], ""
    while True:
        g, code, msg = pay("GetRun", bn.GetRunRequest(run_id=run_id, page_size=size, page_token=token), tok)
        if code != OK:
            return None
        out.extend(g.payments)
        token = g.next_page_token
        if not token:
            return out


def import_(run_id, fmt, content, tok=clerk):
    if isinstance(content, str):
        content = content.encode()
    return pay("ImportStatus", bn.ImportStatusRequest(request_id=spis.rid(), run_id=run_id, format=fmt,
                                                      content=content), tok)


def save_programme(code, period, scope="national", muni="", amount="123.45"):
    p = pg.Programme(code=code, names=[pg.LocalText(language="lt", text="Mokėjimų bandymas " + code)],
                     pillar="cash_benefits", scope=scope, municipality=muni, online=True, period=period,
                     open=True, eligibility="true", amount=amount)
    got = c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
        request_id=spis.rid(), programme=p, reason="payments test"), token=admin)
    if got[1] != OK:
        print("FAIL save programme %s -- %s %s" % (code, got[1], got[2]))


def register(nid, given, surname, birth, sex, muni):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                 sex=sex, municipality=muni)
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=p), token=clerk13 if muni == "13" else clerk19)
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))


def approve_benefit(nid, prog, muni):
    """Submit, review and approve: the approval makes an active benefit."""
    ct, cw = (clerk13, case13) if muni == "13" else (clerk19, case19)
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=0, assets=0, confirmed=True)), token=ct)
    if code != OK:
        print("FAIL submit %s %s -- %s %s" % (nid, prog, code, msg))
        return
    for m, req in (("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=a.reference,
                                                        reason="test")),
                   ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                               outcome="approved", reason="test"))):
        got = c.call("Applications", m, req, token=cw)
        if got[1] != OK:
            print("FAIL %s %s -- %s %s" % (m, nid, got[1], got[2]))


def set_account(nid, n, tok=clerk13):
    # Typed as people write it: in groups of four, lower case.
    typed = " ".join(iban(n)[i:i + 4] for i in range(0, 20, 4)).lower()
    got = c.call("Benefits", "SetBankAccount", bn.SetBankAccountRequest(
        request_id=spis.rid(), account=bn.BankAccount(national_id=nid, iban=typed, holder="holder"),
        reason="test"), token=tok)
    if got[1] != OK:
        print("FAIL set account %s -- %s %s" % (nid, got[1], got[2]))


def benefit_change(method, nid, reason):
    lst = c.call("Benefits", "ListBenefits", bn.ListBenefitsRequest(national_id=nid), token=case13)[0]
    for b in lst.benefits if lst else []:
        got = c.call("Benefits", method, bn.BenefitChangeRequest(
            request_id=spis.rid(), benefit_id=b.id, reason=reason), token=case13)
        if got[1] != OK:
            print("FAIL %s %s -- %s %s" % (method, nid, got[1], got[2]))


def month(offset):
    t = datetime.date.today().replace(day=1)
    y, m = t.year, t.month + offset
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return "%04d-%02d" % (y, m)


def cents(text):
    d = decimal.Decimal(text)
    return int(d * 100)


# --- Data -------------------------------------------------------------------------
save_programme("PAY-M", "monthly")
save_programme("PAY-Y", "yearly", amount="10.00")
save_programme("PAY-ONCE", "one_off", amount="5.00")
save_programme("PAY-VLN", "monthly", scope="municipal", muni="13", amount="7.00")

PEOPLE = []  # (nid, muni): active PAY-M benefits, with bank accounts
for i, (g, s, muni) in enumerate((("Rūta", "Žemaitė", "13"), ("Jonas", "Jonaitis", "13"),
                                  ("Eglė", "Šimkienė", "13"), ("Petras", "Petraitis", "13"),
                                  ("Ona", "O'Neil", "13"), ("Tomas", "Tomaitis", "13"),
                                  ("Kęstas", "Kaunietis", "19"))):
    nid = spis.lt_code("M" if i % 2 else "F", "1980-01-%02d" % (i + 1), 200 + i)
    register(nid, g, s, "1980-01-%02d" % (i + 1), "M" if i % 2 else "F", muni)
    PEOPLE.append((nid, muni))
NOACC = [spis.lt_code("F", "1981-02-%02d" % (i + 1), 300 + i) for i in range(2)]
SUSP = spis.lt_code("M", "1982-03-03", 400)
ENDED = spis.lt_code("F", "1982-04-04", 401)
for i, nid in enumerate(NOACC):
    register(nid, "Be", "Sąskaitos%d" % i, "1981-02-%02d" % (i + 1), "F", "13")
register(SUSP, "Sustab", "Dytas", "1982-03-03", "M", "13")
register(ENDED, "Baig", "Tas", "1982-04-04", "F", "13")

for nid, muni in PEOPLE:
    approve_benefit(nid, "PAY-M", muni)
for nid in NOACC + [SUSP, ENDED]:
    approve_benefit(nid, "PAY-M", "13")
for nid, _ in PEOPLE[:3]:
    approve_benefit(nid, "PAY-Y", "13")
    approve_benefit(nid, "PAY-VLN", "13")
approve_benefit(PEOPLE[0][0], "PAY-ONCE", "13")
for i, (nid, muni) in enumerate(PEOPLE):
    set_account(nid, 1000 + i, clerk13 if muni == "13" else clerk19)
set_account(SUSP, 2000)
set_account(ENDED, 2001)
benefit_change("Suspend", SUSP, "income under review")
benefit_change("End", ENDED, "found work")
# Amounts that differ, so that a sum of equal parts proves nothing less
# (written directly: only a new decision changes an amount).
db.execute("UPDATE benefits SET amount = 999 WHERE national_id = ? AND programme = 'PAY-M'", (PEOPLE[1][0],))
db.execute("UPDATE benefits SET amount = 100001 WHERE national_id = ? AND programme = 'PAY-M'", (PEOPLE[2][0],))
db.commit()
AMOUNT = {nid: 12345 for nid, _ in PEOPLE}
AMOUNT[PEOPLE[1][0]] = 999
AMOUNT[PEOPLE[2][0]] = 100001
NPAY = len(PEOPLE)
TOTAL = sum(AMOUNT.values())
ben = rows("SELECT count(*) FROM benefits WHERE programme = 'PAY-M' AND state = 'active'")[0][0]
check("setup: eleven PAY-M benefits, nine of them active", ben == 9 and
      rows("SELECT count(*) FROM benefits WHERE programme = 'PAY-M'")[0][0] == 11, ben)

P1, P2, P3 = month(0), month(1), month(2)

# --- CreateRun: refusals ----------------------------------------------------------
expect("Payments CreateRun: unknown programme is NOT_FOUND naming programme", create("NOPE", P1),
       NOT_FOUND, "programme")
expect("Payments CreateRun: a monthly programme wants YYYY-MM", create("PAY-M", "2026"), INVALID, "period",
       "YYYY-MM")
expect("Payments CreateRun: month 13 is no month", create("PAY-M", "2026-13"), INVALID, "period")
expect("Payments CreateRun: a yearly programme wants YYYY", create("PAY-Y", P1), INVALID, "period", "YYYY")
expect("Payments CreateRun: a one-off programme's period is \"once\"", create("PAY-ONCE", "2026"),
       INVALID, "period", "once")
expect("Payments CreateRun: a municipal clerk may not run a national programme", create("PAY-M", P1, clerk13),
       DENIED, "programme", "national officers")
expect("Payments CreateRun: nor a municipal programme of another municipality", create("PAY-VLN", P1, clerk19),
       DENIED, "programme")
expect("Payments CreateRun: a supervisor does not create runs", create("PAY-M", P1, super_), DENIED)
expect("Payments CreateRun: a caseworker does not either", create("PAY-M", P1, case13), DENIED)
check("the refusals made no run", rows("SELECT count(*) FROM payment_runs")[0][0] == 0)

# --- CreateRun -------------------------------------------------------------------------
run1, code, msg = create("PAY-M", P1)
check("CreateRun: a draft with one payment per active benefit with an account, exact count and total",
      code == OK and run1.state == "draft" and run1.count == NPAY and run1.total == TOTAL
      and run1.currency == "EUR" and run1.created_by == "clerk" and run1.period == P1, (code, msg, run1))
check("CreateRun: the two without a bank account are skipped and counted, none already paid",
      run1 and run1.skipped_no_account == 2 and run1.skipped_paid == 0, run1)
R1 = run1.id if run1 else 0
pays = get_all(R1) or []
check("GetRun: the payments are the active benefits with accounts, suspended and ended ones left out",
      sorted(p.national_id for p in pays) == sorted(n for n, _ in PEOPLE)
      and SUSP not in [p.national_id for p in pays] and ENDED not in [p.national_id for p in pays],
      [p.national_id for p in pays])
byid = {p.national_id: p for p in pays}
check("GetRun: each payment has the benefit's amount, the person's name and IBAN, state pending",
      all(byid[n].amount == AMOUNT[n] and byid[n].iban == iban(1000 + i) and byid[n].state == "pending"
          for i, (n, _) in enumerate(PEOPLE)) and byid[PEOPLE[0][0]].name == "Rūta Žemaitė",
      [(p.national_id, p.amount, p.iban, p.name, p.state) for p in pays])
e2e = [p.end_to_end_id for p in pays]
check("end-to-end ids are unique, short, and name the run",
      len(set(e2e)) == len(e2e) and all(len(x) <= 35 and x.startswith("SPIS-%d-" % R1) for x in e2e), e2e)

page, code, msg = pay("GetRun", bn.GetRunRequest(run_id=R1, page_size=3))
check("GetRun: page_size 3 gives three payments and a token", code == OK and len(page.payments) == 3
      and page.next_page_token != "", (code, msg))
paged = get_all(R1, size=2)
check("GetRun: paging by two walks every payment once",
      paged is not None and [p.id for p in paged] == [p.id for p in pays], paged)
expect("Payments GetRun: page_size 501 is INVALID_ARGUMENT", pay("GetRun", bn.GetRunRequest(
    run_id=R1, page_size=501)), INVALID, "page_size")
expect("Payments GetRun: a made-up token is INVALID_ARGUMENT", pay("GetRun", bn.GetRunRequest(
    run_id=R1, page_token="x1")), INVALID, "page_token")
expect("Payments GetRun: an unknown run is NOT_FOUND", pay("GetRun", bn.GetRunRequest(run_id=999)),
       NOT_FOUND, "run_id")
expect("Payments GetRun: run_id 0 is INVALID_ARGUMENT", pay("GetRun", bn.GetRunRequest(run_id=0)),
       INVALID, "run_id")
expect("Payments GetRun: a municipal clerk may not read a national run",
       pay("GetRun", bn.GetRunRequest(run_id=R1), clerk13), DENIED, "run_id")

# --- Four eyes, approval, export -------------------------------------------------
expect("Payments ExportRun: a draft is not exported", action("ExportRun", R1), PRECOND, "run_id", "approved")
expect("Payments ImportStatus: a draft has no status report",
       import_(R1, "csv", "end_to_end_id,status,reason\n%s,paid,\n" % e2e[0]), PRECOND, "run_id")
expect("Payments ApproveRun: a clerk may not approve", action("ApproveRun", R1, clerk2), DENIED)
own, code, msg = create("PAY-M", P3, boss)
check("CreateRun: an officer who is clerk and supervisor creates a run", code == OK, (code, msg))
expect("Payments ApproveRun: four eyes: the creator may not approve their own run",
       action("ApproveRun", own.id if own else 0, boss), DENIED, "run_id", "four eyes")
check("the run stays a draft after the refusal",
      rows("SELECT state FROM payment_runs WHERE id = ?", own.id if own else 0) == [("draft",)])
expect("Payments CancelRun: a reason is required", action("CancelRun", own.id if own else 0, clerk, ""),
       INVALID, "reason")
got = action("CancelRun", own.id if own else 0, clerk, "made by mistake")
check("CancelRun: a draft is cancelled, its payments too", got[1] == OK and got[0].state == "cancelled"
      and rows("SELECT DISTINCT state FROM payments WHERE run_id = ?", own.id) == [("cancelled",)], got[1:])

got = action("ApproveRun", R1, super_)
check("ApproveRun: another supervisor approves; approver and time recorded",
      got[1] == OK and got[0].state == "approved" and got[0].approved_by == "super" and got[0].approved_at,
      got[1:])
expect("Payments ApproveRun: twice is FAILED_PRECONDITION", action("ApproveRun", R1, boss), PRECOND, "run_id",
       "draft")
expect("Payments ApproveRun: a supervisor of 13 is out of scope for a national run",
       action("ApproveRun", R1, super13), DENIED, "run_id")

exp, code, msg = action("ExportRun", R1)
check("ExportRun: the approved run is exported with a message id and file name",
      code == OK and exp.run.state == "exported" and exp.run.message_id.startswith("SPIS")
      and len(exp.run.message_id) <= 35 and exp.file_name == exp.run.message_id + ".xml"
      and exp.run.exported_at, (code, msg))
XML = exp.xml if exp else b""
doc = None
try:
    doc = ET.fromstring(XML)
except ET.ParseError as e:
    check("the pain.001 file is well-formed XML", False, e)
if doc is not None:
    n = {"p": NS}
    check("pain.001: the root is Document in the pain.001.001.03 namespace",
          doc.tag == "{%s}Document" % NS, doc.tag)
    grp = doc.find("p:CstmrCdtTrfInitn/p:GrpHdr", n)
    inf = doc.findall("p:CstmrCdtTrfInitn/p:PmtInf", n)
    txs = doc.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", n)
    amts = [t.find("p:Amt/p:InstdAmt", n) for t in txs]
    ssum = sum(decimal.Decimal(a.text) for a in amts)
    check("pain.001: GrpHdr has MsgId (the run's), CreDtTm, NbOfTxs, CtrlSum and InitgPty",
          grp is not None and grp.findtext("p:MsgId", None, n) == exp.run.message_id
          and grp.findtext("p:CreDtTm", None, n) and grp.findtext("p:InitgPty/p:Nm", None, n),
          XML[:600])
    check("pain.001: NbOfTxs in both headers is the number of transactions and the run's count",
          len(inf) == 1 and int(grp.findtext("p:NbOfTxs", None, n)) == len(txs) == NPAY
          and int(inf[0].findtext("p:NbOfTxs", None, n)) == len(txs), (len(txs), XML[:400]))
    check("pain.001: CtrlSum in both headers is the sum of the amounts and the run's total",
          decimal.Decimal(grp.findtext("p:CtrlSum", None, n)) == ssum ==
          decimal.Decimal(inf[0].findtext("p:CtrlSum", None, n)) and cents(str(ssum)) == TOTAL,
          (ssum, TOTAL))
    check("pain.001: amounts are decimal text with two decimals in EUR",
          all(re.fullmatch(r"[0-9]+\.[0-9]{2}", a.text) and a.get("Ccy") == "EUR" for a in amts),
          [(a.text, a.get("Ccy")) for a in amts])
    check("pain.001: PmtInf is a transfer with a PmtInfId, execution date and the debtor's account",
          inf[0].findtext("p:PmtMtd", None, n) == "TRF" and inf[0].findtext("p:PmtInfId", None, n)
          and re.fullmatch(r"\d{4}-\d\d-\d\d", inf[0].findtext("p:ReqdExctnDt", "", n))
          and inf[0].findtext("p:Dbtr/p:Nm", None, n) == "SPIS demo paying agency"
          and inf[0].findtext("p:DbtrAcct/p:Id/p:IBAN", None, n) == "LT307300010000000001"
          and inf[0].findtext("p:DbtrAgt/p:FinInstnId/p:BIC", None, n) == "SPISLT21XXX", XML[:900])
    got = {t.findtext("p:PmtId/p:EndToEndId", None, n): (t.findtext("p:CdtrAcct/p:Id/p:IBAN", None, n),
                                                       cents(t.findtext("p:Amt/p:InstdAmt", None, n)),
                                                       t.findtext("p:Cdtr/p:Nm", None, n),
                                                       t.findtext("p:RmtInf/p:Ustrd", None, n))
           for t in txs}
    want = {p.end_to_end_id: (p.iban, p.amount, p.name, "PAY-M " + P1) for p in pays}
    check("pain.001: each transaction has the payment's EndToEndId, IBAN, amount, name and remittance",
          got == want, (got, want))
check("export: the payments are sent",
      rows("SELECT DISTINCT state FROM payments WHERE run_id = ?", R1) == [("sent",)])
again, code, msg = action("ExportRun", R1)
check("ExportRun again: the same file, byte for byte, and the run unchanged",
      code == OK and again.xml == XML and again.run.message_id == exp.run.message_id
      and again.run.state == "exported", (code, msg))
expect("Payments CancelRun: an exported run is not cancelled", action("CancelRun", R1, clerk, "too late"),
       PRECOND, "run_id", "returns")

# --- No person twice --------------------------------------------------------------
run_b, code, msg = create("PAY-M", P1, clerk2)
check("CreateRun again for the same period: nobody is included, all counted as already paid",
      code == OK and run_b.count == 0 and run_b.total == 0 and run_b.skipped_paid == NPAY
      and run_b.skipped_no_account == 2, (code, msg, run_b))
expect("Payments ApproveRun: an empty run is not approved", action("ApproveRun", run_b.id if run_b else 0, super_),
       PRECOND, "run_id", "no payments")
action("CancelRun", run_b.id if run_b else 0, clerk, "empty")

r2a, code, msg = create("PAY-M", P2)
check("CreateRun for the next period includes everyone", code == OK and r2a.count == NPAY, (code, msg))
got = action("CancelRun", r2a.id if r2a else 0, clerk, "wrong amounts")
check("CancelRun: a draft is cancelled with its reason", got[1] == OK and got[0].state == "cancelled"
      and rows("SELECT cancel_reason FROM payment_runs WHERE id = ?", r2a.id) == [("wrong amounts",)], got[1:])
r2b, code, msg = create("PAY-M", P2)
check("CreateRun after a cancel: the same people again, nobody skipped as paid",
      code == OK and r2b.count == NPAY and r2b.skipped_paid == 0 and r2b.total == TOTAL, (code, msg))
action("ApproveRun", r2b.id if r2b else 0, super_)
got = action("CancelRun", r2b.id if r2b else 0, clerk, "bank holiday")
check("CancelRun: an approved run may still be cancelled", got[1] == OK and got[0].state == "cancelled",
      got[1:])

# Two runs made at once, each through its own daemon on the same database,
# for several periods: each person is in one of them.
results = {}
for k, period in enumerate((month(3), month(4), month(5))):
    barrier = threading.Barrier(2)

    def go(cl, tok, key):
        barrier.wait()
        results[key] = create("PAY-M", period, tok, cl)

    ts = [threading.Thread(target=go, args=(c, clerk, (period, 1))),
          threading.Thread(target=go, args=(c2, clerk2, (period, 2)))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
for period in (month(3), month(4), month(5)):
    a, b = results[(period, 1)], results[(period, 2)]
    check("two CreateRun at once through two daemons (%s): both succeed, each person in one run" % period,
          a[1] == OK and b[1] == OK and a[0].count + b[0].count == NPAY
          and a[0].skipped_paid + b[0].skipped_paid == NPAY, (a[1:], b[1:], a[0], b[0]))
dups = rows("SELECT national_id, period, count(*) FROM payments WHERE programme = 'PAY-M'"
            " AND state IN ('pending', 'sent', 'paid') GROUP BY national_id, period HAVING count(*) > 1")
check("nobody has two payments pending, sent or paid for one programme and period", dups == [], dups)
try:
    db.execute("INSERT INTO payments (run_id, benefit_id, national_id, programme, period, municipality,"
               " name, iban, amount, state, end_to_end_id, updated_at) SELECT run_id, benefit_id,"
               " national_id, programme, period, municipality, name, iban, amount, 'pending', 'X-1',"
               " updated_at FROM payments WHERE run_id = ? LIMIT 1", (R1,))
    db.commit()
    check("the database itself refuses a second payment for a person, programme and period", False)
except sqlite3.IntegrityError:
    db.rollback()
    check("the database itself refuses a second payment for a person, programme and period", True)

# --- Other programmes and scope -------------------------------------------------
vln, code, msg = create("PAY-VLN", P1, clerk13)
check("CreateRun: a clerk of 13 runs 13's own municipal programme", code == OK and vln.count == 3
      and vln.total == 2100, (code, msg, vln))
expect("Payments ApproveRun: a supervisor of 19 may not approve 13's run",
       action("ApproveRun", vln.id if vln else 0, c.login("case19")), DENIED)
got = action("ApproveRun", vln.id if vln else 0, super13)
check("ApproveRun: 13's supervisor approves 13's run", got[1] == OK, got[1:])
yr, code, msg = create("PAY-Y", P1[:4])
check("CreateRun: a yearly programme by year", code == OK and yr.count == 3 and yr.total == 3000,
      (code, msg))
once, code, msg = create("PAY-ONCE", "once")
check("CreateRun: a one-off programme with period once", code == OK and once.count == 1, (code, msg))

lst, code, msg = pay("ListRuns", bn.ListRunsRequest())
ids = [x.id for x in lst.runs] if lst else []
check("ListRuns: every run, newest first, without payments",
      code == OK and ids == sorted(ids, reverse=True) and len(ids) == rows(
          "SELECT count(*) FROM payment_runs")[0][0] and all(len(x.payments) == 0 for x in lst.runs), ids)
sup = pay("ListRuns", bn.ListRunsRequest(), super_)
check("ListRuns: the supervisor who signs runs may read them first",
      sup[1] == OK and [x.id for x in sup[0].runs] == ids, sup[1:])
got = pay("GetRun", bn.GetRunRequest(run_id=ids[0] if ids else 0), super_)
check("GetRun: for the supervisor too", got[1] == OK, got[1:])
lst, code, msg = pay("ListRuns", bn.ListRunsRequest(programme="PAY-Y"))
check("ListRuns: by programme", code == OK and [x.programme for x in lst.runs] == ["PAY-Y"], (code, msg))
lst, code, msg = pay("ListRuns", bn.ListRunsRequest(), clerk13)
check("ListRuns: a clerk of 13 sees only 13's own programmes' runs",
      code == OK and [x.programme for x in lst.runs] == ["PAY-VLN"], (code, msg))
r1 = [x for x in pay("ListRuns", bn.ListRunsRequest(programme="PAY-M"))[0].runs if x.id == R1]
check("ListRuns: the run's figures as GetRun gives them", r1 and r1[0].count == NPAY and r1[0].total == TOTAL
      and r1[0].state == "exported", r1)

# --- Status reports: CSV --------------------------------------------------------------
E = {nid: byid[nid].end_to_end_id for nid, _ in PEOPLE}
other = get_all(vln.id)[0].end_to_end_id if vln else "x"
csv = ("end_to_end_id,status,reason\n"
       "%s,paid,\n"
       "%s,failed,\"AC04 closed account, ask the person\"\n"
       "SPIS-999-999,paid,\n"
       "%s,maybe,\n"
       "%s,paid,\n"
       "%s,paid\n" % (E[PEOPLE[0][0]], E[PEOPLE[1][0]], E[PEOPLE[2][0]], other, E[PEOPLE[3][0]]))
imp, code, msg = import_(R1, "csv", csv)
lines = {x.line: (x.end_to_end_id, x.outcome, x.message) for x in imp.lines} if imp else {}
check("ImportStatus csv: good lines applied, one line reported per data line with its line number",
      code == OK and sorted(lines) == [2, 3, 4, 5, 6, 7] and lines[2][1] == "paid" and lines[3][1] == "failed"
      and lines[7][1] == "paid", (code, msg, lines))
check("ImportStatus csv: an unknown end_to_end_id is that line's error, named",
      lines.get(4, ("", "", ""))[1] == "error" and lines[4][2].startswith("end_to_end_id:"), lines.get(4))
check("ImportStatus csv: a bad status is that line's error, named",
      lines.get(5, ("", "", ""))[1] == "error" and lines[5][2].startswith("status:"), lines.get(5))
check("ImportStatus csv: a payment of another run is that line's error",
      lines.get(6, ("", "", ""))[1] == "error" and "run %d" % vln.id in lines[6][2], lines.get(6))
check("ImportStatus csv: counts in the run; still exported while payments wait",
      imp and imp.run.paid == 2 and imp.run.failed == 1 and imp.run.returned == 0
      and imp.run.state == "exported" and imp.run.paid_total == AMOUNT[PEOPLE[0][0]] + AMOUNT[PEOPLE[3][0]],
      imp.run if imp else None)
check("ImportStatus csv: the failure's reason is kept, quoted comma and all",
      rows("SELECT state, reason FROM payments WHERE end_to_end_id = ?", E[PEOPLE[1][0]]) ==
      [("failed", "AC04 closed account, ask the person")])

before = rows("SELECT state, count(*) FROM payments WHERE run_id = ? GROUP BY state", R1)
expect("Payments ImportStatus: a wrong header is refused as a whole",
       import_(R1, "csv", "id,state\n%s,paid\n" % E[PEOPLE[4][0]]), INVALID, "content", "header")
expect("Payments ImportStatus: malformed CSV is refused with its line",
       import_(R1, "csv", "end_to_end_id,status,reason\n%s,paid,\n\"unterminated,paid\n" % E[PEOPLE[4][0]]),
       INVALID, "content", "line")
expect("Payments ImportStatus: a header alone is refused", import_(R1, "csv", "end_to_end_id,status,reason\n"),
       INVALID, "content")
expect("Payments ImportStatus: an unknown format", import_(R1, "mt940", "x"), INVALID, "format")
expect("Payments ImportStatus: empty content", import_(R1, "csv", ""), INVALID, "content")
check("the refused files changed nothing",
      rows("SELECT state, count(*) FROM payments WHERE run_id = ? GROUP BY state", R1) == before, before)

# --- Status reports: pain.002 ----------------------------------------------------------


def pain002(msgid, txs):
    body = "".join(
        "<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>%s</TxSts>%s%s</TxInfAndSts>" % (
            e, s, "<StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf>" % rsn if rsn else "",
            "<OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">%s</InstdAmt></Amt></OrgnlTxRef>" % amt if amt else "")
        for e, s, rsn, amt in txs)
    return ('<?xml version="1.0" encoding="UTF-8"?><Document xmlns="%s"><CstmrPmtStsRpt>'
            "<GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>2026-11-30T10:00:00</CreDtTm></GrpHdr>"
            "<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>"
            "</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-1</OrgnlPmtInfId>%s"
            "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>" % (P2NS, msgid, msgid, body))


MSG = exp.run.message_id if exp else ""
expect("Payments ImportStatus: a pain.002 answering another message is refused",
       import_(R1, "pain.002", pain002("OTHER-MSG", [(E[PEOPLE[4][0]], "ACSC", "", "")])),
       INVALID, "content", "OTHER-MSG")
expect("Payments ImportStatus: malformed XML is refused with its line",
       import_(R1, "pain.002", "<Document>\n<oops></Document>"), INVALID, "content", "line 2")
expect("Payments ImportStatus: XML that is not pain.002 is refused",
       import_(R1, "pain.002", "<Document xmlns='urn:x'/>"), INVALID, "content", "pain.002")
xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<Document xmlns="%s"><CstmrPmtStsRpt><OrgnlPmtInfAndSts><TxInfAndSts>'
       "<OrgnlEndToEndId>&x;</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts>"
       "</CstmrPmtStsRpt></Document>" % P2NS)
expect("Payments ImportStatus: a pain.002 with a DTD (an external entity) is refused, nothing read",
       import_(R1, "pain.002", xxe), INVALID, "content", "DTD")
imp, code, msg = import_(R1, "pain.002", pain002(MSG, [
    (E[PEOPLE[4][0]], "ACSC", "", "%d.%02d" % divmod(AMOUNT[PEOPLE[4][0]], 100)),
    (E[PEOPLE[5][0]], "RJCT", "AC01", ""),
    (E[PEOPLE[6][0]], "PDNG", "", ""),
    (E[PEOPLE[6][0]], "ACCP", "", "1.00"),
]))
lines = {x.line: (x.end_to_end_id, x.outcome, x.message) for x in imp.lines} if imp else {}
check("ImportStatus pain.002: ACSC paid, RJCT failed, each transaction numbered",
      code == OK and lines.get(1, ("",))[1:2] == ("paid",) and lines.get(2, ("",))[1:2] == ("failed",),
      (code, msg, lines))
check("ImportStatus pain.002: a status that is not final is that transaction's error",
      lines.get(3, ("", "", ""))[1] == "error" and lines[3][2].startswith("TxSts:"), lines.get(3))
check("ImportStatus pain.002: an amount that differs from the payment's is that transaction's error",
      lines.get(4, ("", "", ""))[1] == "error" and lines[4][2].startswith("amount:"), lines.get(4))
check("ImportStatus pain.002: RJCT's reason code is kept, with its meaning in words",
      rows("SELECT state, reason FROM payments WHERE end_to_end_id = ?", E[PEOPLE[5][0]]) ==
      [("failed", "AC01 incorrect account number")])
check("ImportStatus: one payment still waits, so the run is still exported", imp and imp.run.state == "exported",
      imp.run if imp else None)
imp, code, msg = import_(R1, "pain.002", pain002(MSG, [(E[PEOPLE[6][0]], "RJCT", "AC04", ""),
                                                      (E[PEOPLE[2][0]], "ACCP", "", "")]))
FAILED = (PEOPLE[1][0], PEOPLE[5][0], PEOPLE[6][0])
paid_now = [n for n, _ in PEOPLE if n not in FAILED]
check("ImportStatus: the last answers reconcile the run, totals add up",
      code == OK and imp.run.state == "reconciled" and imp.run.paid == 4 and imp.run.failed == 3
      and imp.run.returned == 0 and imp.run.paid_total == sum(AMOUNT[n] for n in paid_now)
      and imp.run.paid + imp.run.failed + imp.run.returned == imp.run.count, (code, msg, imp.run if imp else None))

# --- Returns and repeated reports -------------------------------------------------------
imp, code, msg = import_(R1, "csv", "end_to_end_id,status,reason\n%s,returned,MD06 refund requested\n"
                         "%s,paid,\n%s,failed,late\n" % (E[PEOPLE[0][0]], E[PEOPLE[3][0]], E[PEOPLE[4][0]]))
lines = {x.line: (x.outcome, x.message) for x in imp.lines} if imp else {}
check("ImportStatus: a return after payment undoes it (second partial report on a reconciled run)",
      code == OK and lines.get(2, ("",))[0] == "returned" and imp.run.returned == 1 and imp.run.paid == 3
      and imp.run.paid_total == sum(AMOUNT[n] for n in paid_now) - AMOUNT[PEOPLE[0][0]]
      and imp.run.state == "reconciled", (code, msg, lines, imp.run if imp else None))
check("ImportStatus: paid again is idempotent", lines.get(3, ("",))[0] == "paid", lines)
check("ImportStatus: failed after paid is that line's error",
      lines.get(4, ("",))[0] == "error" and lines[4][1].startswith("status:"), lines)

# --- Failures ---------------------------------------------------------------------------
fl, code, msg = pay("ListFailures", bn.ListFailuresRequest())
fails = sorted((p.national_id, p.state) for p in fl.payments) if fl else []
want = sorted([(n, "failed") for n in FAILED] + [(PEOPLE[0][0], "returned")])
check("ListFailures: the failed and returned payments, with reasons", code == OK and fails == want
      and all(p.reason for p in fl.payments), (code, msg, fails))
notes = {n: c.call("Notices", "ListNotices", bn.ListNoticesRequest(national_id=n), token=case13)[0]
         for n in list(FAILED) + [PEOPLE[0][0]]}
check("every failed or returned payment wrote a payment_failed notice for its person",
      all(any(x.kind == "payment_failed" for x in notes[n].notices) for n in notes),
      {n: [x.kind for x in v.notices] for n, v in notes.items()})
ret = [x for x in notes[PEOPLE[0][0]].notices if x.kind == "payment_failed"]
check("the notice of a returned payment says so, with the reason",
      ret and ("returned" in ret[0].body or "grąžino" in ret[0].body), ret)
# The yearly run's payments (all in 13) fail too.
action("ApproveRun", yr.id if yr else 0, super_)
ye = action("ExportRun", yr.id if yr else 0)[0]
ypays = get_all(yr.id) if yr else []
import_(yr.id if yr else 0, "csv", "end_to_end_id,status,reason\n" +
        "".join("%s,failed,AC04\n" % p.end_to_end_id for p in ypays))
fl, code, msg = pay("ListFailures", bn.ListFailuresRequest(), clerk13)
check("ListFailures: a clerk of 13 sees 13's failures only",
      code == OK and len(fl.payments) == len(want) - 1 + 3 and
      all(rows("SELECT municipality FROM payments WHERE id = ?", p.id) == [("13",)] for p in fl.payments),
      (code, msg))
fl, code, msg = pay("ListFailures", bn.ListFailuresRequest(), clerk19)
check("ListFailures: a clerk of 19 sees 19's only",
      code == OK and [p.national_id for p in fl.payments] == [PEOPLE[6][0]], (code, msg))
expect("Payments ListFailures: another municipality is out of scope",
       pay("ListFailures", bn.ListFailuresRequest(municipality="19"), clerk13), DENIED, "municipality")
expect("Payments ListFailures: an unknown municipality", pay("ListFailures", bn.ListFailuresRequest(
    municipality="999")), INVALID, "municipality")
again, code, msg = create("PAY-M", P1)
check("CreateRun for the period again pays exactly those who failed or were returned",
      code == OK and again.count == 4 and again.skipped_paid == NPAY - 4, (code, msg, again))
fl, code, msg = pay("ListFailures", bn.ListFailuresRequest(municipality="13"))
check("ListFailures: those in a new run are no longer listed",
      code == OK and len(fl.payments) == 3
      and all(p.end_to_end_id.startswith("SPIS-%d-" % yr.id) for p in fl.payments),
      (code, msg, [p.end_to_end_id for p in fl.payments] if fl else None))

# --- Large files: the export in chunks -------------------------------------------------
OUT_OF_RANGE = grpc.StatusCode.OUT_OF_RANGE
big, code, msg = create("PAY-M", month(6))
BIG = big.id if big else 0
expect("Payments GetExportChunk: a run not yet exported has no file",
       pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG)), PRECOND, "run_id", "export")
action("ApproveRun", BIG, super_)
expect("Payments ExportRun: a chunk above 1 MiB is refused, named",
       pay("ExportRun", bn.RunActionRequest(request_id=spis.rid(), run_id=BIG, max_chunk_bytes=(1 << 20) + 1)),
       INVALID, "max_chunk_bytes")
bx, code, msg = pay("ExportRun", bn.RunActionRequest(request_id=spis.rid(), run_id=BIG, max_chunk_bytes=1000))
check("ExportRun with 1000-byte chunks: the file's size and sha256, and its first 1000 bytes only",
      code == OK and bx.size > 3000 and len(bx.xml) == 1000 and re.fullmatch("[0-9a-f]{64}", bx.sha256)
      and bx.file_name == bx.run.message_id + ".xml", (code, msg, bx.size if bx else None))
data, chunks, offsets_ok = bytes(bx.xml) if bx else b"", 1, True
while bx and len(data) < bx.size and chunks < 100:
    ch, code, msg = pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG, offset=len(data), max_bytes=777))
    if code != OK or not ch.data:
        check("GetExportChunk: each next chunk", False, (code, msg))
        break
    offsets_ok = offsets_ok and ch.offset == len(data) and ch.size == bx.size and ch.sha256 == bx.sha256
    data += ch.data
    chunks += 1
check("GetExportChunk: the chunks, reassembled, are the whole file; its sha256 is the one given",
      bx and len(data) == bx.size and hashlib.sha256(data).hexdigest() == bx.sha256 and offsets_ok
      and chunks > 3, (len(data), chunks))
try:
    bdoc = ET.fromstring(data)
    n = {"p": NS}
    btx = bdoc.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", n)
    bsum = sum(decimal.Decimal(t.findtext("p:Amt/p:InstdAmt", None, n)) for t in btx)
    check("the reassembled pain.001 parses; NbOfTxs and CtrlSum add up to the run's count and total",
          len(btx) == big.count == NPAY
          and int(bdoc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", None, n)) == len(btx)
          and decimal.Decimal(bdoc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", None, n)) == bsum
          and decimal.Decimal(bdoc.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:CtrlSum", None, n)) == bsum
          and cents(str(bsum)) == big.total, (len(btx), bsum, big.total))
except ET.ParseError as e:
    check("the reassembled pain.001 parses; NbOfTxs and CtrlSum add up to the run's count and total", False, e)
path = "%s.files/bank/exports/%s.xml" % (dbpath, bx.run.message_id if bx else "x")
try:
    with open(path, "rb") as f:
        ondisk = f.read()
except OSError as e:
    ondisk = repr(e).encode()
check("the file is kept beside the database, its digest with the run",
      ondisk == data and rows("SELECT export_sha256, export_size FROM payment_runs WHERE id = ?", BIG) ==
      [(bx.sha256, bx.size)], path)
again, code, msg = action("ExportRun", BIG)
check("ExportRun again: the same bytes (the whole file in one chunk of 1 MiB) and the same sha256",
      code == OK and again.xml == data and again.sha256 == bx.sha256 and again.size == bx.size, (code, msg))
os.unlink(path)
ch, code, msg = pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG, offset=0, max_bytes=0))
check("a file gone missing is written again, the same bytes",
      code == OK and ch.data == data and os.path.exists(path), (code, msg))
expect("Payments GetExportChunk: an offset at the end is OUT_OF_RANGE, named",
       pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG, offset=bx.size if bx else 0)),
       OUT_OF_RANGE, "offset")
expect("Payments GetExportChunk: a negative offset is refused, named",
       pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG, offset=-1)), INVALID, "offset")
expect("Payments GetExportChunk: max_bytes above 1 MiB is refused, named",
       pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG, max_bytes=(1 << 20) + 1)), INVALID, "max_bytes")
expect("Payments GetExportChunk: a run of another municipality's officer is out of scope",
       pay("GetExportChunk", bn.GetExportChunkRequest(run_id=BIG), clerk13), DENIED, "run_id")
expect("Payments GetExportChunk: an unknown run", pay("GetExportChunk", bn.GetExportChunkRequest(run_id=999999)),
       NOT_FOUND, "run_id")

# --- Status reports: camt.054 -----------------------------------------------------------
C54NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
BMSG = bx.run.message_id if bx else ""
BE = {p.national_id: p.end_to_end_id for p in (get_all(BIG) or [])}


def money(v):
    return "%d.%02d" % divmod(v, 100)


def camt(entries, ns=C54NS):
    """entries: (end_to_end_id, amount, CdtDbtInd, Sts, return reason or None)."""
    body = "".join(
        '<Ntry><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Sts>%s</Sts><BookgDt><Dt>2026-12-01</Dt>'
        "</BookgDt><NtryDtls><TxDtls><Refs><MsgId>%s</MsgId><EndToEndId>%s</EndToEndId></Refs>%s</TxDtls>"
        "</NtryDtls></Ntry>" % (amt, ind, sts, BMSG, e,
                                "<RtrInf><Rsn><Cd>%s</Cd></Rsn></RtrInf>" % rsn if rsn else "")
        for e, amt, ind, sts, rsn in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="%s"><BkToCstmrDbtCdtNtfctn>'
            "<GrpHdr><MsgId>BANK-C54</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm></GrpHdr>"
            "<Ntfctn><Id>N-1</Id><Acct><Id><IBAN>LT307300010000000001</IBAN></Id></Acct>%s</Ntfctn>"
            "</BkToCstmrDbtCdtNtfctn></Document>" % (ns, body))


def states(run_id):
    return rows("SELECT state, count(*) FROM payments WHERE run_id = ? GROUP BY state", run_id)


before = states(BIG)
expect("Payments ImportStatus camt.054: not well-formed is refused with its line, nothing changed",
       import_(BIG, "camt.054", camt([])[:-40] + "\n<Ntry>"), INVALID, "content", "line")
xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
       camt([("&x;", "1.00", "DBIT", "BOOK", None)]).split("?>", 1)[1])
expect("Payments ImportStatus camt.054: a DTD (an external entity) is refused, nothing read",
       import_(BIG, "camt.054", xxe), INVALID, "content", "DTD")
expect("Payments ImportStatus camt.054: a notification without entries is refused",
       import_(BIG, "camt.054", camt([])), INVALID, "content", "Ntry")
expect("Payments ImportStatus camt.054: a pain.002 given as camt.054 is refused",
       import_(BIG, "camt.054", pain002(BMSG, [(BE[PEOPLE[0][0]], "ACSC", "", "")])), INVALID, "content",
       "camt.054")
check("the refused camt.054 files changed nothing", states(BIG) == before, states(BIG))
imp, code, msg = import_(BIG, "", camt([
    (BE[PEOPLE[0][0]], money(AMOUNT[PEOPLE[0][0]]), "DBIT", "BOOK", None),
    (BE[PEOPLE[1][0]], money(AMOUNT[PEOPLE[1][0]]), "DBIT", "RJCT", "AC01"),
    (BE[PEOPLE[2][0]], money(AMOUNT[PEOPLE[2][0]]), "CRDT", "BOOK", "MD07"),
    ("SPIS-999-999", "1.00", "DBIT", "BOOK", None),
    (BE[PEOPLE[3][0]], "1.00", "DBIT", "BOOK", None),
    (BE[PEOPLE[4][0]], money(AMOUNT[PEOPLE[4][0]]), "DBIT", "PDNG", None),
]))
lines = {x.line: (x.end_to_end_id, x.outcome, x.message) for x in imp.lines} if imp else {}
check("ImportStatus camt.054 (told from its root element): booked debit paid, rejected failed, "
      "booked with return information returned",
      code == OK and imp.format == "camt.054" and lines.get(1, ("", ""))[1] == "paid"
      and lines.get(2, ("", ""))[1] == "failed" and lines.get(3, ("", ""))[1] == "returned",
      (code, msg, lines))
check("ImportStatus camt.054: an unknown EndToEndId is that transaction's error, named",
      lines.get(4, ("", "", ""))[1] == "error" and lines[4][2].startswith("end_to_end_id:"), lines.get(4))
check("ImportStatus camt.054: an amount that differs from the payment's is that transaction's error",
      lines.get(5, ("", "", ""))[1] == "error" and lines[5][2].startswith("amount:"), lines.get(5))
check("ImportStatus camt.054: a pending entry is no answer, named",
      lines.get(6, ("", "", ""))[1] == "error" and lines[6][2].startswith("Ntry.Sts:"), lines.get(6))
check("ImportStatus camt.054: counts of lines read and errors",
      imp and imp.lines_read == 6 and imp.errors == 3 and imp.run.paid == 1 and imp.run.failed == 1
      and imp.run.returned == 1, imp.run if imp else None)
check("ImportStatus camt.054: reason codes kept with their meaning in words",
      rows("SELECT state, reason FROM payments WHERE end_to_end_id IN (?, ?) ORDER BY state",
           BE[PEOPLE[1][0]], BE[PEOPLE[2][0]]) ==
      [("failed", "AC01 incorrect account number"), ("returned", "MD07 account holder deceased")])
imp, code, msg = import_(BIG, "camt.054", camt([(BE[PEOPLE[3][0]], "1.00", "DBIT", "BOOK", None)]).replace(
    C54NS, "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08").replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>"))
check("ImportStatus camt.054.001.08 is read too (Sts/Cd); the mismatched amount is still refused",
      code == OK and imp.lines and imp.lines[0].outcome == "error"
      and imp.lines[0].message.startswith("amount:"), (code, msg, imp.lines if imp else None))

# --- Status reports in chunks -----------------------------------------------------------
report = camt([(BE[nid], money(AMOUNT[nid]), "DBIT", "BOOK", None) for nid, _ in PEOPLE[3:]]).encode()


def upload(run_id, uid, offset, data_, tok=clerk):
    return pay("UploadStatusChunk", bn.UploadStatusChunkRequest(request_id=spis.rid(), run_id=run_id,
                                                                upload_id=uid, offset=offset, data=data_), tok)


up, code, msg = upload(BIG, "", 0, report[:300])
UID = up.upload_id if up else ""
check("UploadStatusChunk: the first chunk starts an upload with a new id",
      code == OK and re.fullmatch("[0-9a-f]{32}", UID) and up.size == 300, (code, msg))
expect("Payments UploadStatusChunk: a chunk at the wrong offset is OUT_OF_RANGE, named with where to go on",
       upload(BIG, UID, 200, report[200:400]), OUT_OF_RANGE, "offset", "300")
expect("Payments UploadStatusChunk: an unknown upload id", upload(BIG, "0" * 32, 0, b"x"), NOT_FOUND, "upload_id")
expect("Payments UploadStatusChunk: an id that is not one", upload(BIG, "../../x", 0, b"x"), INVALID, "upload_id")
expect("Payments UploadStatusChunk: the upload of another run", upload(R1, UID, 300, b"x"), NOT_FOUND, "upload_id")
expect("Payments UploadStatusChunk: an empty chunk", upload(BIG, UID, 300, b""), INVALID, "data")
expect("Payments UploadStatusChunk: a chunk above 1 MiB", upload(BIG, UID, 300, b"x" * ((1 << 20) + 1)),
       INVALID, "data")
expect("Payments UploadStatusChunk: a new upload starts at 0", upload(BIG, "", 5, b"x"), INVALID, "offset")
off, nchunks = 300, 1
while off < len(report):
    up, code, msg = upload(BIG, UID, off, report[off:off + 300])
    if code != OK:
        check("UploadStatusChunk: each next chunk", False, (code, msg))
        break
    off, nchunks = up.size, nchunks + 1
check("UploadStatusChunk: the report went in several chunks", off == len(report) and nchunks > 2,
      (off, len(report), nchunks))
before = states(BIG)
expect("Payments ImportStatus: a sha256 that does not match the upload is refused, nothing changed",
       pay("ImportStatus", bn.ImportStatusRequest(request_id=spis.rid(), run_id=BIG, upload_id=UID,
                                                  sha256="0" * 64)), INVALID, "sha256")
expect("Payments ImportStatus: content and upload_id together are refused",
       pay("ImportStatus", bn.ImportStatusRequest(request_id=spis.rid(), run_id=BIG, upload_id=UID,
                                                  content=b"x")), INVALID, "content")
check("the refused imports changed nothing", states(BIG) == before, states(BIG))
imp, code, msg = pay("ImportStatus", bn.ImportStatusRequest(
    request_id=spis.rid(), run_id=BIG, upload_id=UID, sha256=hashlib.sha256(report).hexdigest(),
    errors_only=True))
check("ImportStatus by upload_id: the chunked report is applied; the run reconciles, totals add up",
      code == OK and imp.lines_read == len(PEOPLE) - 3 and imp.errors == 0 and not imp.lines
      and imp.run.state == "reconciled" and imp.run.paid == NPAY - 2 and imp.run.failed == 1
      and imp.run.returned == 1 and imp.run.paid + imp.run.failed + imp.run.returned == imp.run.count
      and imp.run.paid_total == sum(AMOUNT[n] for n, _ in PEOPLE) - AMOUNT[PEOPLE[1][0]] - AMOUNT[PEOPLE[2][0]],
      (code, msg, imp.run if imp else None))
expect("Payments ImportStatus: an upload is read once; imported, it is gone",
       pay("ImportStatus", bn.ImportStatusRequest(request_id=spis.rid(), run_id=BIG, upload_id=UID)),
       NOT_FOUND, "upload_id")

# --- Audit ------------------------------------------------------------------------------
created = rows("SELECT count(*) FROM payment_runs")[0][0]
check("every run created is audited once, inside its transaction, with its number",
      rows("SELECT count(*) FROM audit WHERE method LIKE '%Payments/CreateRun' AND outcome = 'OK'"
           " AND detail LIKE '%run %'")[0][0] == created, created)
check("every approval, cancel, export and import is audited",
      rows("SELECT count(*) FROM audit WHERE method LIKE '%Payments/ApproveRun' AND outcome = 'OK'")[0][0] ==
      rows("SELECT count(*) FROM payment_runs WHERE approved_by <> ''")[0][0]
      and rows("SELECT count(*) FROM audit WHERE method LIKE '%Payments/CancelRun' AND outcome = 'OK'")[0][0] ==
      rows("SELECT count(*) FROM payment_runs WHERE state = 'cancelled'")[0][0]
      and rows("SELECT count(*) FROM audit WHERE method LIKE '%Payments/ImportStatus' AND outcome = 'OK'"
               " AND detail LIKE '%paid%'")[0][0] >= 5)
ref = rows("SELECT count(*) FROM audit WHERE method LIKE '%spis.v1.Payments/%' AND outcome <> 'OK'")[0][0]
check("every refusal is audited (%d)" % REFUSED["n"], ref == REFUSED["n"], (ref, REFUSED["n"]))
four = rows("SELECT actor, outcome, detail FROM audit WHERE method LIKE '%ApproveRun' AND detail LIKE 'run_id: four eyes%'")
check("the four-eyes refusal is in the trail with who tried", four and four[0][:2] == ("boss", "PERMISSION_DENIED"),
      four)

sys.exit(1 if spis.FAILED else 0)
