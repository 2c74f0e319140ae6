"""Checks for tests/integration/benefits.sh: spis.v1.Benefits.

argv: the generated Python modules, the daemon's address, its database.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
db = sqlite3.connect(dbpath, timeout=10)
clerk13 = c.login("clerk13")
case13 = c.login("case13")
case19 = c.login("case19")
helpdesk = c.login("help")
auditor = c.login("audit")


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    check(name, gcode == code and (field is None or msg.startswith(field + ":")) and
          (text is None or text in msg), "%s %r" % (gcode, msg))
    return got


def register(nid, birth, sex, muni="13"):
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid, given_names="Jonas", surname="Išmokėlis", birth_date=birth, sex=sex,
            municipality=muni)), token=clerk13)
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))


def approve(nid, prog, income=0):
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk13)
    if code != OK:
        print("FAIL submit %s %s -- %s %s" % (nid, prog, code, msg))
        return None
    for method, req in (("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=a.reference,
                                                              reason="test")),
                        ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                                    outcome="approved", reason="test"))):
        _, code, msg = c.call("Applications", method, req, token=case13)
        if code != OK:
            print("FAIL %s -- %s %s" % (method, code, msg))
    return a.reference


def benefits(nid, tok=case13):
    return c.call("Benefits", "ListBenefits", bn.ListBenefitsRequest(national_id=nid), token=tok)


def change(method, bid, reason="test", date="", tok=case13):
    return c.call("Benefits", method, bn.BenefitChangeRequest(
        request_id=spis.rid(), benefit_id=bid, reason=reason, date=date), token=tok)


P1 = spis.lt_code("M", "1980-02-03", 301)
SENIOR = spis.lt_code("F", "1950-05-05", 302)
DIES = spis.lt_code("M", "1955-07-07", 303)
for nid, birth, sex in ((P1, "1980-02-03", "M"), (SENIOR, "1950-05-05", "F"), (DIES, "1955-07-07", "M")):
    register(nid, birth, sex)
ref = approve(P1, "HEAT", 10000)
lst, code, msg = benefits(P1)
b = lst.benefits[0] if lst and lst.benefits else None
check("an approval's benefit is listed: active, amount, application, history",
      b is not None and b.state == "active" and b.programme == "HEAT" and b.application == ref
      and b.amount == 11000 and [(x.from_state, x.to_state) for x in b.changes] == [("", "active")],
      (code, msg, b))
BID = b.id if b else 0
check("listing benefits is audited with the person", db.execute(
    "SELECT count(*) FROM audit WHERE method LIKE '%Benefits/ListBenefits' AND subject = ?",
    (P1,)).fetchone()[0] == 1)

expect("Resume an active benefit is FAILED_PRECONDITION", change("Resume", BID), PRECOND, "benefit_id",
       "suspended")
expect("Suspend without a reason", change("Suspend", BID, reason=""), INVALID, "reason")
expect("Suspend an unknown benefit", change("Suspend", 99999), NOT_FOUND, "benefit_id")
expect("Suspend by a clerk is PERMISSION_DENIED", change("Suspend", BID, tok=clerk13), DENIED)
expect("Suspend outside the caseworker's municipality", change("Suspend", BID, tok=case19), DENIED,
       "benefit_id", "outside your scope")
got = change("Suspend", BID, reason="income under review")
check("Suspend: active -> suspended", got[1] == OK and got[0].state == "suspended", got[1:])
got = change("Resume", BID, reason="income confirmed")
check("Resume: suspended -> active", got[1] == OK and got[0].state == "active", got[1:])
expect("End with a date before it began", change("End", BID, date="2000-01-01"), INVALID, "date")
got = change("End", BID, reason="found work")
check("End: with the exit reason and the end date",
      got[1] == OK and got[0].state == "ended" and got[0].exit_reason == "found work" and got[0].end_date, got[1:])
check("the history keeps every change with who and why",
      got[0] and [(x.to_state, x.actor, x.reason) for x in got[0].changes] ==
      [("active", "case13", "application approved"), ("suspended", "case13", "income under review"),
       ("active", "case13", "income confirmed"), ("ended", "case13", "found work")],
      [(x.to_state, x.actor, x.reason) for x in got[0].changes] if got[0] else None)
expect("Resume an ended benefit is FAILED_PRECONDITION", change("Resume", BID), PRECOND, "benefit_id")
check("refused changes are audited", db.execute(
    "SELECT count(*) FROM audit WHERE method LIKE '%Benefits/%' AND outcome <> 'OK'").fetchone()[0] >= 5)

# Follow-up: the ended benefit is checked on 6 and 12 months later.
import datetime  # noqa: E402
later = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
fl = c.call("Benefits", "ListFollowUps", bn.ListFollowUpsRequest(), token=case13)[0]
check("no follow-up is due on the day the benefit ends", fl is not None and len(fl.followups) == 0, fl)
fl, code, msg = c.call("Benefits", "ListFollowUps", bn.ListFollowUpsRequest(due_by=later), token=case13)
mine = [f for f in fl.followups if f.benefit_id == BID] if fl else []
check("ending a benefit schedules follow-ups 6 and 12 months on, with the exit reason and employment now",
      code == OK and sorted(f.months for f in mine) == [6, 12] and all(f.exit_reason == "found work"
                                                                        for f in mine), (code, msg, mine))
F6 = [f.id for f in mine if f.months == 6][0] if mine else 0
expect("RecordFollowUp: an unknown outcome", c.call("Benefits", "RecordFollowUp", bn.RecordFollowUpRequest(
    request_id=spis.rid(), followup_id=F6, outcome="happy"), token=case13), INVALID, "outcome")
expect("RecordFollowUp: by a clerk is PERMISSION_DENIED", c.call(
    "Benefits", "RecordFollowUp", bn.RecordFollowUpRequest(request_id=spis.rid(), followup_id=F6,
                                                           outcome="employed"), token=clerk13), DENIED)
expect("RecordFollowUp: outside the caseworker's municipality", c.call(
    "Benefits", "RecordFollowUp", bn.RecordFollowUpRequest(request_id=spis.rid(), followup_id=F6,
                                                           outcome="employed"), token=case19), DENIED,
       "followup_id")
got = c.call("Benefits", "RecordFollowUp", bn.RecordFollowUpRequest(
    request_id=spis.rid(), followup_id=F6, outcome="employed", note="works at a bakery"), token=case13)
check("RecordFollowUp: the outcome is kept", got[1] == OK and got[0].state == "done"
      and got[0].outcome == "employed", got[1:])
expect("RecordFollowUp: twice is FAILED_PRECONDITION", c.call(
    "Benefits", "RecordFollowUp", bn.RecordFollowUpRequest(request_id=spis.rid(), followup_id=F6,
                                                           outcome="unemployed"), token=case13), PRECOND,
       "followup_id", "employed")
sm = c.call("Benefits", "GetFollowUpSummary", bn.FollowUpSummaryRequest(programme="HEAT"), token=auditor)[0]
counts = {(x.months, x.outcome): x.count for x in sm.counts} if sm else {}
check("GetFollowUpSummary: outcomes counted per programme and months",
      counts == {(6, "employed"): 1, (12, ""): 1}, counts)

# Bank accounts.
acct = bn.BankAccount(national_id=P1, iban="lt12 1000 0111 0100 1000", holder="Jonas Išmokėlis")
got = c.call("Benefits", "SetBankAccount", bn.SetBankAccountRequest(request_id=spis.rid(), account=acct),
             token=clerk13)
check("SetBankAccount: stored in electronic form", got[1] == OK and got[0].iban == "LT121000011101001000",
      got[1:])
bad = bn.BankAccount(national_id=P1, iban="LT12 1000 0111 0100 1001", holder="Jonas")
expect("SetBankAccount: a mistyped IBAN fails the mod 97 check", c.call(
    "Benefits", "SetBankAccount", bn.SetBankAccountRequest(request_id=spis.rid(), account=bad),
    token=clerk13), INVALID, "account.iban", "check digits")
bad = bn.BankAccount(national_id=P1, iban="LT121000011101001000", holder="")
expect("SetBankAccount: a holder is required", c.call(
    "Benefits", "SetBankAccount", bn.SetBankAccountRequest(request_id=spis.rid(), account=bad),
    token=clerk13), INVALID, "account.holder")
bad = bn.BankAccount(national_id="38703181745", iban="LT121000011101001000", holder="X")
expect("SetBankAccount: for someone not registered", c.call(
    "Benefits", "SetBankAccount", bn.SetBankAccountRequest(request_id=spis.rid(), account=bad),
    token=clerk13), NOT_FOUND, "account.national_id")
check("the audit row names the account's last digits, not the number", db.execute(
    "SELECT count(*) FROM audit WHERE method LIKE '%SetBankAccount' AND outcome = 'OK'"
    " AND detail LIKE '%1000' AND detail NOT LIKE '%LT12%'").fetchone()[0] == 1)
got = c.call("Benefits", "GetBankAccount", bn.GetBankAccountRequest(national_id=P1), token=auditor)
check("GetBankAccount for an auditor", got[1] == OK and got[0].holder == "Jonas Išmokėlis", got[1:])
expect("the helpdesk does not see bank accounts", c.call(
    "Benefits", "GetBankAccount", bn.GetBankAccountRequest(national_id=P1), token=helpdesk), DENIED)

# Life events: a move away suspends another municipality's programme; a death suspends all.
approve(SENIOR, "VLN-WINTER", 20000)
sb = benefits(SENIOR)[0].benefits[0]
got = c.call("Registry", "UpdatePerson", r.UpdatePersonRequest(
    request_id=spis.rid(), national_id=SENIOR, person=r.Person(municipality="19"),
    fields=["municipality"], reason="moved to Kaunas"), token=clerk13)
sb2 = benefits(SENIOR, tok=auditor)[0].benefits[0]
check("moving to Kaunas suspends the Vilnius-only benefit, with the reason",
      got[1] == OK and sb.state == "active" and sb2.state == "suspended"
      and "moved out" in sb2.changes[-1].reason, (got[1:], sb2.state))
approve(DIES, "HEAT", 0)
approve(DIES, "HOT-WATER", 0)
got = c.call("Registry", "RecordDeath", r.RecordDeathRequest(
    request_id=spis.rid(), national_id=DIES, date_of_death="2026-01-02", reason="death certificate"),
    token=clerk13)
states = [x.state for x in benefits(DIES)[0].benefits]
check("a recorded death suspends every benefit of the person",
      got[1] == OK and states == ["suspended", "suspended"], (got[1:], states))
sys.exit(1 if spis.FAILED else 0)
