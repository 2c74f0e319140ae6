"""Helper of tests/tui/console_research.sh.

argv: the generated Python modules, the daemon's address, then one of
  seed FILE          registers people through the RPCs, six with an
                     approved HEAT benefit in 13 and two with a pending
                     HOT-WATER application in 19, and writes what
                     identifies them (national ID, names, birth date), one
                     a line, to FILE; prints a check per person
  count FROM TO      prints the row_count of the analyst's
                     Stats/ResearchSample for the range (rows, not CSV)
  audited DB FROM TO prints how many CSV research samples of the range
                     the analyst's audit rows record
"""
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402
from spis.v1 import stats_pb2 as sp  # noqa: E402

OK = grpc.StatusCode.OK
c = spis.Client(sys.argv[2])
mode = sys.argv[3]

if mode == "seed":
    clerk = c.login("clerk")
    case = c.login("case13")
    GIVEN = ["Jurgita", "Vaidotas", "Gintarė", "Kęstutis", "Lina", "Mindaugas",
             "Rasa", "Saulius"]
    SUR = ["Tyrimaitė", "Slaptauskas", "Anonimienė", "Pavardenis", "Rakauskaitė",
           "Imtinas", "Duomenytė", "Eilutis"]
    out = open(sys.argv[4], "w")
    for n in range(8):
        sex = "F" if n % 2 == 0 else "M"
        birth = "19%02d-%02d-%02d" % (41 + 5 * n, n + 2, n + 11)
        nid = spis.lt_code(sex, birth, 600 + n)
        muni = "13" if n < 6 else "19"
        prog = "HEAT" if n < 6 else "HOT-WATER"
        _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=r.Person(
                national_id=nid, given_names=GIVEN[n], surname=SUR[n], birth_date=birth,
                sex=sex, municipality=muni, address="Tyrimų g. %d" % (n + 1))), token=clerk)
        a, code2, msg2 = c.call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme=prog, national_id=nid,
            declared=ap.Declared(monthly_income=0, confirmed=True)), token=clerk)
        ok = code == OK and code2 == OK
        if ok and n < 6:
            for method, req in (("StartReview", ap.TransitionRequest(
                    request_id=spis.rid(), reference=a.reference, reason="test")),
                                ("Decide", ap.DecideRequest(
                                    request_id=spis.rid(), reference=a.reference,
                                    outcome="approved", reason="test"))):
                ok = ok and c.call("Applications", method, req, token=case)[1] == OK
        spis.check("seed person %d (%s)" % (n + 1, prog), ok, (code, msg, code2, msg2))
        for v in (nid, GIVEN[n], SUR[n], birth):
            out.write(v + "\n")
    out.close()
elif mode == "count":
    s, code, msg = c.call("Stats", "ResearchSample", sp.ResearchSampleRequest(
        **{"from": sys.argv[4], "to": sys.argv[5]}), token=c.login("analyst"))
    print(s.row_count if code == OK else "error %s %s" % (code, msg))
elif mode == "audited":
    db = sqlite3.connect(sys.argv[4], timeout=10)
    print(db.execute("SELECT count(*) FROM audit WHERE method = '/spis.v1.Stats/ResearchSample'"
                     " AND outcome = 'OK' AND actor = 'analyst' AND detail LIKE ?",
                     ("research sample %s to %s: %% rows csv" % (sys.argv[5], sys.argv[6]),))
          .fetchone()[0])
