"""Clients and checks for tests/integration/crash.sh.

argv: the generated Python modules, the daemon's address, its database,
"load" or "check", and the file of answered calls.

load: four threads register people and submit an application for each,
appending "P <id>" or "A <reference> <id>" to the file after each answer
that was OK, until the daemon goes away; two more read those people
(GetPerson for case work), appending "R <id>" after each answer.
check: every line of the file is in the registry as answered, every read
answered has its audit row (a read is answered only once its row is on
disk), and nothing is half-written.
"""
import sqlite3
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, mode, ackpath = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
OK = grpc.StatusCode.OK
lock = threading.Lock()
stopped = []
registered = []


def ack(line):
    with lock:
        with open(ackpath, "a") as f:
            f.write(line + "\n")
            f.flush()


def client(n, tok):
    c = spis.Client(addr)
    for i in range(800):
        nid = spis.lt_code("M" if i % 2 else "F", "1970-01-%02d" % (n + 1), i)
        _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=r.Person(
                national_id=nid, given_names="Kęstutis", surname="Gedvilas", birth_date="1970-01-%02d" % (n + 1),
                sex="M" if i % 2 else "F", municipality="13")), token=tok, timeout=5)
        if code != OK:
            stopped.append("%s %s" % (code, msg))
            return
        ack("P %s" % nid)
        with lock:
            registered.append(nid)
        a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme="HEAT", national_id=nid,
            declared=ap.Declared(monthly_income=10000, confirmed=True)), token=tok, timeout=5)
        if code != OK:
            stopped.append("%s %s" % (code, msg))
            return
        ack("A %s %s" % (a.reference, nid))


def reader(n, tok, writers):
    c = spis.Client(addr)
    i = 0
    while any(w.is_alive() for w in writers):
        with lock:
            nid = registered[(i * 7 + n) % len(registered)] if registered else None
        i += 1
        if nid is None:
            time.sleep(0.01)
            continue
        _, code, msg = c.call("Registry", "GetPerson", r.GetPersonRequest(
            national_id=nid, purpose="case_work"), token=tok, timeout=5)
        if code != OK:
            stopped.append("%s %s" % (code, msg))
            return
        ack("R %s" % nid)


if mode == "load":
    # One session for the four clients: PAM holds one conversation per
    # username at a time.
    token = spis.Client(addr).login("clerk")
    threads = [threading.Thread(target=client, args=(n, token)) for n in range(4)]
    threads += [threading.Thread(target=reader, args=(n, token, threads[:4])) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("clients stopped: %s" % (stopped[0] if stopped else "all calls done, no kill seen"))
    sys.exit(0)

check = spis.check
c = spis.Client(addr)
clerk = c.login("clerk")
lines = [ln.split() for ln in open(ackpath) if ln.strip()]
people = [x[1] for x in lines if x[0] == "P"]
apps = [(x[1], x[2]) for x in lines if x[0] == "A"]
missing = [n for n in people if c.call("Registry", "GetPerson", r.GetPersonRequest(
    national_id=n, purpose="intake"), token=clerk)[1] != OK]
check("every registration answered OK before the kill is there (%d)" % len(people), not missing, missing[:5])
bad = []
for ref, nid in apps:
    a, code, _ = c.call("Applications", "GetApplication", ap.GetApplicationRequest(reference=ref), token=clerk)
    if code != OK or a.national_id != nid or a.state != "submitted":
        bad.append(ref)
check("every application answered OK before the kill is there, as answered (%d)" % len(apps), not bad, bad[:5])

db = sqlite3.connect(dbpath, timeout=10)
q = db.execute
reads = {}
for x in lines:
    if x[0] == "R":
        reads[x[1]] = reads.get(x[1], 0) + 1
rows = dict(q("SELECT subject, count(*) FROM audit WHERE method = '/spis.v1.Registry/GetPerson'"
              " AND purpose = 'case_work' AND outcome = 'OK' GROUP BY subject").fetchall())
short = [(n, k, rows.get(n, 0)) for n, k in reads.items() if rows.get(n, 0) < k]
check("every read answered before the kill has its audit row (%d reads)" % sum(reads.values()),
      reads and not short, short[:5])
check("the database passes integrity_check", q("PRAGMA integrity_check").fetchone()[0] == "ok")
check("no person without the history of their registration", q(
    "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM person_history h"
    " WHERE h.national_id = p.national_id)").fetchone()[0] == 0)
check("no person without the audit row of their registration", q(
    "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM audit a"
    " WHERE a.subject = p.national_id AND a.method LIKE '%RegisterPerson' AND a.outcome = 'OK')").fetchone()[0]
      == 0)
check("no application without its first transition", q(
    "SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM application_transitions t"
    " WHERE t.application_id = a.id AND t.to_state = 'submitted')").fetchone()[0] == 0)
check("no application without the audit row of its submission", q(
    "SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM audit u"
    " WHERE u.method LIKE '%Applications/Submit' AND u.outcome = 'OK' AND u.detail LIKE"
    " '%' || a.reference || '%')").fetchone()[0] == 0)
check("people written and acknowledged: at most one unacknowledged per client in flight",
      q("SELECT count(*) FROM people").fetchone()[0] - len(people) <= 4,
      (q("SELECT count(*) FROM people").fetchone()[0], len(people)))
sys.exit(1 if spis.FAILED else 0)
