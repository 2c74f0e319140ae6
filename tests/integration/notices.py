"""Checks for tests/integration/notices.sh: the notices outbox.

argv: the generated Python modules, the daemon's address, its database, the
folder the delivery command writes into (out/) and watches (fail).
"""
import glob
import os
import sqlite3
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, folder = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
db = sqlite3.connect(dbpath, timeout=10)
clerk13 = c.login("clerk13")
case13 = c.login("case13")
helpdesk = c.login("help")
FAIL = os.path.join(folder, "fail")


def register(nid, birth, sex, language):
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid, given_names="Aldona", surname="Pranešimienė", birth_date=birth, sex=sex,
            municipality="13", address="Pylimo g. 5, Vilnius", language=language)), token=clerk13)
    if got[1] != OK:
        print("FAIL register -- %s %s" % got[1:])


def decide(nid, prog, income, outcome):
    a = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk13)[0]
    c.call("Applications", "StartReview", ap.TransitionRequest(
        request_id=spis.rid(), reference=a.reference, reason="test"), token=case13)
    got = c.call("Applications", "Decide", ap.DecideRequest(
        request_id=spis.rid(), reference=a.reference, outcome=outcome, reason="test"), token=case13)
    if got[1] != OK:
        print("FAIL decide -- %s %s" % got[1:])
    return a.reference


def notices(nid):
    return c.call("Notices", "ListNotices", bn.ListNoticesRequest(national_id=nid), token=case13)[0].notices


def wait(cond, what):
    """Waits up to a minute for the delivery thread (a bound, not a timing
    assertion)."""
    for _ in range(600):
        if cond():
            return True
        time.sleep(0.1)
    print("FAIL waited a minute for " + what)
    return False


LT = spis.lt_code("F", "1960-03-03", 401)
EN = spis.lt_code("M", "1961-04-04", 402)
register(LT, "1960-03-03", "F", "lt")
register(EN, "1961-04-04", "M", "en")

# Delivery fails while the flag is there; the notice waits and is retried.
open(FAIL, "w").close()
ref = decide(LT, "HEAT", 10000, "approved")
n = notices(LT)
check("a decision writes one notice, in the person's language (Lithuanian)",
      len(n) == 1 and n[0].kind == "decision" and n[0].language == "lt" and "patenkintas" in n[0].subject
      and ref in n[0].body and "EUR 110.00" in n[0].body, n)
wait(lambda: notices(LT)[0].attempts >= 1, "a first attempt")
n = notices(LT)[0]
check("a failed delivery stays pending with the error and is tried again",
      n.state == "pending" and "exited" in n.last_error, n)
os.remove(FAIL)
wait(lambda: notices(LT)[0].state == "sent", "the retry to succeed")
n = notices(LT)[0]
files = glob.glob(os.path.join(folder, "out", "*"))
text = open(files[0], encoding="utf-8").read() if files else ""
check("once the command works the notice is sent, with the attempts counted",
      n.state == "sent" and n.attempts >= 2 and n.sent_at and n.last_error == "", n)
check("the command got the notice on its standard input: headers, subject and text",
      len(files) == 1 and "To: %s" % LT in text and "Subject: " + n.subject in text and ref in text, text)

# English for someone who chose English; a rejection explains why.
ref2 = decide(EN, "SOC-BEN", 900000, "rejected")
wait(lambda: notices(EN) and notices(EN)[0].state == "sent", "the English notice")
n = notices(EN)[0]
check("an English notice for a rejection, with the rules' reason and the appeal date",
      n.language == "en" and "rejected" in n.subject and "not eligible" in n.body and "appeal until" in n.body, n)

# Given up after notice_max_attempts.
open(FAIL, "w").close()
ben = c.call("Benefits", "ListBenefits", bn.ListBenefitsRequest(national_id=LT), token=case13)[0].benefits[0]
got = c.call("Benefits", "End", bn.BenefitChangeRequest(request_id=spis.rid(), benefit_id=ben.id,
                                                         reason="found work"), token=case13)
check("ending a benefit writes a notice", got[1] == OK and notices(LT)[0].kind == "benefit_ended", got[1:])
wait(lambda: notices(LT)[0].state == "failed", "the notice to be given up")
n = notices(LT)[0]
check("after notice_max_attempts (3) failures the notice is failed, not retried forever",
      n.state == "failed" and n.attempts == 3, n)

letter = c.call("Notices", "GetLetter", bn.GetLetterRequest(notice_id=n.id), token=case13)
check("a notice prints as a letter with the name, address, subject and text",
      letter[1] == OK and "Aldona Pranešimienė" in letter[0].text and "Pylimo g. 5" in letter[0].text
      and n.subject in letter[0].text and "found work" in letter[0].text, letter)
check("GetLetter of an unknown notice is NOT_FOUND naming notice_id",
      c.call("Notices", "GetLetter", bn.GetLetterRequest(notice_id=9999), token=case13)[1:] ==
      (grpc.StatusCode.NOT_FOUND, "notice_id: no notice 9999"))
check("the helpdesk may not read notices",
      c.call("Notices", "ListNotices", bn.ListNoticesRequest(national_id=LT), token=helpdesk)[1] ==
      grpc.StatusCode.PERMISSION_DENIED)
check("reading notices is audited with the person", db.execute(
    "SELECT count(*) FROM audit WHERE method LIKE '%Notices/%' AND subject = ?", (LT,)).fetchone()[0] >= 1)
sys.exit(1 if spis.FAILED else 0)
