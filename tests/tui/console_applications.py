"""The RPC side of tests/tui/console_applications.sh.

argv: the generated Python modules, the daemon's address, then a step:
  seed             registers the two applicants and submits the one with
                   the higher income for HEAT (the oldest in the queue);
                   prints "OK ..." / "FAIL ..." lines and then
                   "REF <reference>" for that application
Everything else happens in the console.
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, step = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK

# Valid Lithuanian codes (lib/natid.h), both living in Vilnius (13).
LOW = "48703181005"   # F 1987-03-18, Julija Žemaitė: little income
HIGH = "38703181745"  # M 1987-03-18, Petras Turtingas: well off


def register(tok, nid, given, surname, birth, sex):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                 sex=sex, municipality="13", address="Gedimino pr. 1, Vilnius")
    _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=p, reason="test applicant"), token=tok)
    check("register " + nid, code == OK, "%s %s" % (code, msg))


if step == "seed":
    clerk = c.login("clerk13")
    register(clerk, LOW, "Julija", "Žemaitė", "1987-03-18", "F")
    register(clerk, HIGH, "Petras", "Turtingas", "1987-03-18", "M")
    app, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme="HEAT", national_id=HIGH, channel="office",
        declared=ap.Declared(monthly_income=250000, assets=1000000, confirmed=True)),
        token=clerk)
    check("submit HEAT for the well-off applicant", code == OK, "%s %s" % (code, msg))
    if app is not None:
        print("REF " + app.reference)
sys.exit(1 if spis.FAILED else 0)
