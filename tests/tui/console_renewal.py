"""The RPC side of tests/tui/console_renewal.sh.

argv: the generated Python modules, the daemon's address, its database,
then a step:
  seed      registers three people in Vilnius (13) with HEAT approved and
            makes their benefits due for renewal (behind the daemon's back,
            as tests/integration/renewal.py does): the first keeps her
            amount, the second's household now declares more income (a
            lower amount), the third's far more (no longer eligible)
  object    the second objects to her renewal (a caseworker records it);
            prints "RENEWAL <id>"
  job       the latest job, read over RPC, is done with the counts the
            console showed
  resolved  renewal <id> was resolved by the console: kept, by case13, with
            the reason; the benefit keeps its amount for another year
Prints "OK ..." / "FAIL ..." lines, "PERSON <national ID>" for each person
at seed.  Everything else happens in the console.
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

addr, dbpath, step = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)

PEOPLE = (("Aldona", "Pastovi", 501), ("Birutė", "Mažesnė", 502), ("Cecilija", "Turtinga", 503))


def nid_of(i):
    return spis.lt_code("F", "1970-04-0%d" % (i + 1), PEOPLE[i][2])


def benefit_of(nid):
    got = db.execute("SELECT id, amount, renew_on, state FROM benefits WHERE national_id = ?"
                     " AND programme = 'HEAT'", (nid,)).fetchall()
    return got[0] if got else None


def seed():
    clerk = c.login("clerk13")
    case = c.login("case13")
    for i, (given, surname, _) in enumerate(PEOPLE):
        nid = nid_of(i)
        p = r.Person(national_id=nid, given_names=given, surname=surname,
                     birth_date="1970-04-0%d" % (i + 1), sex="F", municipality="13",
                     address="Pylimo g. 3, Vilnius")
        _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=p, reason="test person"), token=clerk)
        check("register " + nid, code == OK, "%s %s" % (code, msg))
        a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme="HEAT", national_id=nid, channel="office",
            declared=ap.Declared(monthly_income=10000, confirmed=True)), token=clerk)
        check("submit HEAT for " + nid, code == OK, "%s %s" % (code, msg))
        if code != OK:
            continue
        for method, req in (("StartReview", ap.TransitionRequest(
                request_id=spis.rid(), reference=a.reference, reason="test")),
                ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                            outcome="approved", reason="application approved"))):
            _, code, msg = c.call("Applications", method, req, token=case)
            check("%s %s" % (method, nid), code == OK, "%s %s" % (code, msg))
        b = benefit_of(nid)
        check("the benefit of %s is active at 110.00" % nid, b is not None and b[1:2] == (11000,)
              and b[3] == "active", b)
        db.execute("UPDATE benefits SET renew_on = '2020-01-01' WHERE national_id = ?", (nid,))
        print("PERSON %s" % nid)
    for i, income in ((1, 20000), (2, 50000)):
        db.execute("UPDATE applications SET monthly_income = ? WHERE national_id = ?", (income, nid_of(i)))


def renewal_of(nid, state="", tok=None):
    lst, code, msg = c.call("Benefits", "ListRenewals", bn.ListRenewalsRequest(state=state),
                            token=tok or c.login("case13"))
    if code != OK:
        return None
    got = [x for x in lst.renewals if x.national_id == nid]
    return got[-1] if got else None


def obj():
    x = renewal_of(nid_of(1), "pending")
    check("the second person's renewal is pending with a lower amount",
          x is not None and x.eligible and (x.old_amount, x.new_amount) == (11000, 10000), x)
    if x is None:
        return
    got, code, msg = c.call("Benefits", "Object", bn.ObjectRequest(
        request_id=spis.rid(), renewal_id=x.id, reason="my income fell again in spring"),
        token=c.login("case13"))
    check("the objection is recorded", code == OK and got.state == "objected", "%s %s" % (code, msg))
    print("RENEWAL %d" % x.id)


def job():
    j, code, msg = c.call("Benefits", "GetRenewalJob", bn.GetRenewalJobRequest(),
                          token=c.login("super13"))
    check("rpc: the latest job is done with the counts the console showed",
          code == OK and j.state == "done" and (j.due, j.processed, j.eligible, j.changed, j.not_eligible,
                                                j.failed, j.pending) == (3, 3, 2, 1, 1, 0, 3),
          "%s %s %s" % (code, msg, j))


def resolved(rid):
    x = renewal_of(nid_of(1))
    check("rpc: the renewal was resolved by the console: kept, by case13, with both reasons",
          x is not None and x.id == rid and x.state == "kept" and x.resolved_by == "case13"
          and x.reason == "my income fell again in spring / payslips show the old income", x)
    check("rpc: no objection awaits any more", renewal_of(nid_of(1), "objected") is None)
    b = benefit_of(nid_of(1))
    check("the benefit keeps its old amount for another year",
          b is not None and (b[1], b[2], b[3]) == (11000, "2021-01-01", "active"), b)


if step == "seed":
    seed()
elif step == "object":
    obj()
elif step == "job":
    job()
else:
    resolved(int(sys.argv[5]))
sys.exit(1 if spis.FAILED else 0)
