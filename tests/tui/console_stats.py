"""Seeds tests/tui/console_stats.sh: approved benefits in municipality 13,
HOT-WATER 7, HEAT 6 and RENT 1, so that the chart has a bar and the small
programme (with its complement) is withheld.

argv: the generated Python modules, the daemon's address.
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

c = spis.Client(sys.argv[2])
clerk = c.login("clerk13")
case = c.login("case13")
n = 0
for prog, count in (("HOT-WATER", 7), ("HEAT", 6), ("RENT", 1)):
    for _ in range(count):
        n += 1
        birth = "19%02d-03-%02d" % (50 + n, n)
        nid = spis.lt_code("F", birth, 400 + n)
        _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=r.Person(
                national_id=nid, given_names="Ona", surname="Statkienė", birth_date=birth, sex="F",
                municipality="13")), token=clerk)
        a, code2, msg2 = c.call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme=prog, national_id=nid,
            declared=ap.Declared(monthly_income=0, confirmed=True)), token=clerk)
        ok = code == grpc.StatusCode.OK and code2 == grpc.StatusCode.OK
        if ok:
            for method, req in (("StartReview", ap.TransitionRequest(
                    request_id=spis.rid(), reference=a.reference, reason="test")),
                                ("Decide", ap.DecideRequest(
                                    request_id=spis.rid(), reference=a.reference,
                                    outcome="approved", reason="test"))):
                ok = ok and c.call("Applications", method, req, token=case)[1] == grpc.StatusCode.OK
        spis.check("seed %s %d" % (prog, n), ok, (code, msg, code2, msg2))
