"""Checks for tests/integration/faults.sh: the daemon under a disk that
fails on demand (tests/faults/faultfs.c, preloaded into the daemon only).

argv: the generated Python modules, the daemon's address, its database and
the fault control file.  For each fault (a full disk, I/O errors, a file
system gone read-only): changes are refused UNAVAILABLE with a message
that says why, nothing of them is written, reads are still answered, and
once the disk works again the same changes go through and the reads made
during the fault are in the audit trail.
"""
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, ctl = sys.argv[2], sys.argv[3], sys.argv[4]
OK, UNAVAILABLE = grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE
check = spis.check
c = spis.Client(addr)
clerk = c.login("clerk")
auditor = c.login("audit")


def fault(what):
    with open(ctl, "w") as f:
        f.write(what)


def db():
    return sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True, timeout=10)


def register(nid, req_id=None):
    return c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=req_id or spis.rid(), person=r.Person(
            national_id=nid, given_names="Rūta", surname="Gedvilaitė", birth_date="1980-02-0%s" % nid[6],
            sex="F", municipality="13")), token=clerk)


def get(nid):
    return c.call("Registry", "GetPerson", r.GetPersonRequest(national_id=nid, purpose="case_work"),
                  token=clerk)


base = spis.lt_code("F", "1980-02-01", 1)
_, code, msg = register(base)
check("before any fault: a registration goes through", code == OK, (code, msg))

faults = [("ENOSPC", "the disk is full", 2), ("EIO", "a disk read or write failed", 3),
          ("EROFS", "a disk read or write failed", 4)]
for name, words, day in faults:
    nid = spis.lt_code("F", "1980-02-0%d" % day, day)
    people = db().execute("SELECT count(*) FROM people").fetchone()[0]
    fault(name)
    rid = spis.rid()
    _, code, msg = register(nid, rid)
    check("%s: RegisterPerson is UNAVAILABLE" % name, code == UNAVAILABLE, (code, msg))
    check("%s: and the message says why (%s)" % (name, words), words in (msg or ""), msg)
    _, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme="HEAT", national_id=base,
        declared=ap.Declared(monthly_income=10000, confirmed=True)), token=clerk)
    check("%s: Applications/Submit is UNAVAILABLE" % name, code == UNAVAILABLE, (code, msg))
    p, code, msg = get(base)
    check("%s: a read is still answered" % name, code == OK and p.person.national_id == base, (code, msg))
    check("%s: nothing of the refused changes was written" % name,
          db().execute("SELECT count(*) FROM people").fetchone()[0] == people and
          db().execute("SELECT count(*) FROM people WHERE national_id = ?", (nid,)).fetchone()[0] == 0 and
          db().execute("SELECT count(*) FROM applications").fetchone()[0] == 0)
    fault("")
    _, code, msg = register(nid, rid)
    check("%s cleared: the same registration (same request_id) goes through" % name, code == OK,
          (code, msg))
    p, code, _ = get(nid)
    check("%s cleared: and reads back whole" % name, code == OK and p.person.surname == "Gedvilaitė"
          and p.person.birth_date == "1980-02-0%d" % day, code)

q = db().execute
check("the reads made during the faults are in the audit trail (held, then written)",
      q("SELECT count(*) FROM audit WHERE method = '/spis.v1.Registry/GetPerson' AND subject = ?"
        " AND outcome = 'OK'", (base,)).fetchone()[0] >= len(faults), q(
          "SELECT count(*) FROM audit WHERE method LIKE '%GetPerson' AND subject = ?", (base,)).fetchone())
check("the refused registrations are in the audit trail as UNAVAILABLE",
      q("SELECT count(*) FROM audit WHERE method = '/spis.v1.Registry/RegisterPerson'"
        " AND outcome = 'UNAVAILABLE'").fetchone()[0] >= len(faults))
check("every registered person has their history and audit row", q(
    "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM person_history h"
    " WHERE h.national_id = p.national_id) OR NOT EXISTS (SELECT 1 FROM audit a WHERE"
    " a.subject = p.national_id AND a.method LIKE '%RegisterPerson' AND a.outcome = 'OK')").fetchone()[0] == 0)
check("the database passes integrity_check", q("PRAGMA integrity_check").fetchone()[0] == "ok")
sys.exit(1 if spis.FAILED else 0)
