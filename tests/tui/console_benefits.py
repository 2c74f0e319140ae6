"""The RPC side of tests/tui/console_benefits.sh.

argv: the generated Python modules, the daemon's address, then a step:
  seed      registers two people in Vilnius (13) and has an application of
            each approved for HEAT, so that each has an active benefit and
            a decision notice; and two seniors with Vilnius winter support
            (VLN-WINTER, yearly, 50.00) and bank accounts, for a payment run
Prints "OK ..." / "FAIL ..." lines, then "SENIOR <national ID> <IBAN>" for
each senior.  Everything else happens in the console.
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, step = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK

# Valid Lithuanian codes (lib/natid.h), both living in Vilnius (13).
FIRST = "48703181005"   # F 1987-03-18, Julija Žemaitė
SECOND = "38703181745"  # M 1987-03-18, Petras Turtingas


def register(tok, nid, given, surname, birth, sex):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                 sex=sex, municipality="13", address="Gedimino pr. 1, Vilnius")
    _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=p, reason="test person"), token=tok)
    check("register " + nid, code == OK, "%s %s" % (code, msg))


def approve(clerk, case, nid, prog="HEAT"):
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid, channel="office",
        declared=ap.Declared(monthly_income=10000, confirmed=True)), token=clerk)
    check("submit %s for %s" % (prog, nid), code == OK, "%s %s" % (code, msg))
    if code != OK:
        return
    for method, req in (("StartReview", ap.TransitionRequest(
            request_id=spis.rid(), reference=a.reference, reason="test")),
            ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                        outcome="approved", reason="application approved"))):
        _, code, msg = c.call("Applications", method, req, token=case)
        check("%s %s" % (method, nid), code == OK, "%s %s" % (code, msg))


if step == "seed":
    clerk = c.login("clerk13")
    case = c.login("case13")
    register(clerk, FIRST, "Julija", "Žemaitė", "1987-03-18", "F")
    register(clerk, SECOND, "Petras", "Turtingas", "1987-03-18", "M")
    approve(clerk, case, FIRST)
    approve(clerk, case, SECOND)
    seniors = []
    for serial, given, surname, iban in ((401, "Ona", "Senoji", "LT601010012345678901"),
                                         (402, "Stasė", "Vyresnė", "LT121000011101001000")):
        nid = spis.lt_code("F", "1950-05-05", serial)
        register(clerk, nid, given, surname, "1950-05-05", "F")
        approve(clerk, case, nid, "VLN-WINTER")
        _, code, msg = c.call("Benefits", "SetBankAccount", bn.SetBankAccountRequest(
            request_id=spis.rid(), account=bn.BankAccount(
                national_id=nid, iban=iban, holder=given + " " + surname),
            reason="test"), token=clerk)
        check("bank account for " + nid, code == OK, "%s %s" % (code, msg))
        seniors.append((nid, iban))
    for nid, iban in seniors:
        print("SENIOR %s %s" % (nid, iban))
sys.exit(1 if spis.FAILED else 0)
