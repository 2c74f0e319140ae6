"""Kills and checks for tests/integration/crash_payments.sh.

argv: the generated Python modules, the daemon's address, its database, the
daemon's log, the test's state file (JSON), a phase, and its arguments:

  setup                 a national monthly programme CRASHPAY and an active
                        benefit with a bank account for every person
  attempt KIND K PID    KIND is create, export or import: makes what the
                        call needs (a run, approved, exported, a status
                        report uploaded), sends the call, waits for the log
                        line that says the daemon is at work on it, sleeps
                        the K-th of a rising row of delays and kills PID
                        with SIGKILL; notes what the client saw
  check KIND            after the restart: nothing half-written, then the
                        interrupted call done again does nothing twice

Prints one "OK name" or "FAIL name -- why" line per check; an attempt prints
"answered" or "killed" as its last line for the loop in crash_payments.sh.
"""
import glob
import hashlib
import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import programmes_pb2 as pg  # noqa: E402

addr, dbpath, logpath, statepath, phase = sys.argv[2:7]
args = sys.argv[7:]
OK = grpc.StatusCode.OK
UNAVAILABLE = grpc.StatusCode.UNAVAILABLE
PROG = "CRASHPAY"
AMOUNT = 1234
NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
# The kills come this long after the daemon says it has begun: 0 first,
# then later each time, until the call is answered before the kill.
DELAYS = [0, 0.1, 0.3, 0.8, 2, 6, 15]
check = spis.check
c = spis.Client(addr)
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
exports = os.path.join(dbpath + ".files", "bank", "exports")


def rows(sql, *a):
    return db.execute(sql, a).fetchall()


def state():
    try:
        with open(statepath) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"periods": 0}


def save(s):
    with open(statepath, "w") as f:
        json.dump(s, f)


def iban(n):
    """A Lithuanian IBAN with a correct ISO 13616 check (mod 97)."""
    bban = "73000%011d" % n
    num = int("".join(str(int(ch, 36)) for ch in bban + "LT00"))
    return "LT%02d%s" % (98 - num % 97, bban)


def pay(method, req, tok):
    return c.call("Payments", method, req, token=tok, timeout=600)


def action(method, run_id, tok):
    return pay(method, bn.RunActionRequest(request_id=spis.rid(), run_id=run_id, reason="crash test"), tok)


def new_period(s):
    """A month not paid yet: each attempt pays a period of its own."""
    k = s["periods"]
    s["periods"] = k + 1
    return "%04d-%02d" % (2025 + k // 12, k % 12 + 1)


def report(run_id):
    """A CSV status report for every payment of run_id: every tenth failed."""
    lines = ["end_to_end_id,status,reason"]
    for e2e, pid in rows("SELECT end_to_end_id, id FROM payments WHERE run_id = ? ORDER BY id", run_id):
        lines.append("%s,failed,AC04 account closed" % e2e if pid % 10 == 0 else "%s,paid," % e2e)
    return ("\n".join(lines) + "\n").encode()


def upload(run_id, content, tok):
    uid, off = "", 0
    while off < len(content):
        got, code, msg = pay("UploadStatusChunk", bn.UploadStatusChunkRequest(
            request_id=spis.rid(), run_id=run_id, upload_id=uid, offset=off,
            data=content[off:off + 1024 * 1024]), tok)
        if code != OK:
            print("FAIL upload -- %s %s" % (code, msg))
            return ""
        uid, off = got.upload_id, got.size
    return uid


def benefits():
    return rows("SELECT count(*) FROM benefits WHERE programme = ? AND state = 'active'", PROG)[0][0]


# --- setup ------------------------------------------------------------------------
def setup():
    admin = c.login("admin")
    p = pg.Programme(code=PROG, names=[pg.LocalText(language="lt", text="Avarinis mokėjimas")],
                     pillar="cash_benefits", scope="national", online=False, period="monthly",
                     open=True, eligibility="true", amount="12.34")
    _, code, msg = c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
        request_id=spis.rid(), programme=p, reason="crash test"), token=admin)
    check("the programme is saved", code == OK, (code, msg))
    # Made behind the daemon's back as approved applications with their
    # benefits: the generator made the people through the store; what is
    # tested here is the payment run over them.
    db.create_function("iban", 1, iban)
    db.execute("BEGIN")
    db.execute("""INSERT INTO applications (reference, programme, national_id, channel, municipality, state,
            monthly_income, assets, submitted_at, submitted_by, updated_at)
        SELECT printf('CRASH-%07d', rowid), ?, national_id, 'office', municipality, 'approved', 0, 0,
            '2024-12-01T00:00:00Z', 'clerk', '2024-12-01T00:00:00Z' FROM people""", (PROG,))
    db.execute("""INSERT INTO benefits (national_id, programme, application_id, municipality, state, amount,
            currency, period, start_date, rule_version, created_at, updated_at)
        SELECT national_id, programme, id, municipality, 'active', ?, 'EUR', 'monthly', '2025-01-01', 1,
            submitted_at, submitted_at FROM applications WHERE programme = ?""", (AMOUNT, PROG))
    db.execute("""INSERT OR REPLACE INTO bank_accounts (national_id, iban, holder, updated_at, updated_by)
        SELECT national_id, iban(rowid), given_names || ' ' || surname, '2024-12-01T00:00:00Z', 'clerk'
        FROM people""")
    db.execute("COMMIT")
    n = benefits()
    check("%d active benefits to pay" % n, n >= 1000, n)
    save({"periods": 0, "benefits": n})


# --- attempts ---------------------------------------------------------------------
def prepare(kind, s, clerk, sup):
    """Makes what the call of kind needs; returns the call as a function."""
    period = new_period(s)
    s["period"] = period
    if kind == "create":
        return lambda: pay("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme=PROG,
                                                            period=period), clerk)
    run, code, msg = pay("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme=PROG,
                                                           period=period), clerk)
    if code != OK or action("ApproveRun", run.id, sup)[1] != OK:
        print("FAIL making an approved run for %s -- %s %s" % (period, code, msg))
        sys.exit(1)
    s["run"] = run.id
    if kind == "export":
        return lambda: action("ExportRun", run.id, clerk)
    got, code, msg = action("ExportRun", run.id, clerk)
    if code != OK:
        print("FAIL exporting run %d -- %s %s" % (run.id, code, msg))
        sys.exit(1)
    content = report(run.id)
    s["upload"] = upload(run.id, content, clerk)
    s["notice_mark"] = rows("SELECT coalesce(max(id), 0) FROM notices")[0][0]
    return lambda: pay("ImportStatus", bn.ImportStatusRequest(
        request_id=spis.rid(), run_id=run.id, format="csv", upload_id=s["upload"], errors_only=True), clerk)


# What the daemon logs when it sets to work on each call.
BEGUN = {"create": r"payments: making a run of %s (\S+)" % PROG,
         "export": r"payments: run (\d+): writing the file of message",
         "import": r"payments: run (\d+): applying a csv status report"}


def attempt(kind, k, pid):
    s = state()
    clerk = c.login("clerk")
    sup = c.login("super")
    call = prepare(kind, s, clerk, sup)
    save(s)
    with open(logpath, "rb") as f:
        f.seek(0, os.SEEK_END)
        start = f.tell()
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("r", call()))
    t.start()
    begun = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = "r" in got
        with open(logpath, "rb") as f:
            f.seek(start)
            for line in f.read().decode(errors="replace").splitlines():
                if re.search(BEGUN[kind], line):
                    begun = line
        if begun is not None or done:
            break
        time.sleep(0.002)
    if begun is None:
        # Answered (or refused) without ever saying it began.
        t.join()
        print("FAIL the daemon logs that it began the %s call -- %s" % (kind, got.get("r", ("", "", ""))[1:]))
        os.kill(pid, signal.SIGKILL)
        print("answered")
        return
    time.sleep(DELAYS[min(k, len(DELAYS) - 1)])
    os.kill(pid, signal.SIGKILL)
    t.join()
    _, code, msg = got["r"]
    s["kill"] = {"kind": kind, "delay": DELAYS[min(k, len(DELAYS) - 1)], "code": str(code)}
    save(s)
    print("# %s call killed %.2f s after it began: the client saw %s" % (kind, s["kill"]["delay"], code))
    if code not in (OK, UNAVAILABLE):
        print("FAIL the %s call answers OK or goes UNAVAILABLE with the daemon -- %s %s" % (kind, code, msg))
    print("answered" if code == OK else "killed")


# --- checks -----------------------------------------------------------------------
CREATED = re.compile(r"run (\d+): (\d+) payments, total (\d+) EUR")


def check_all(s):
    """What holds after any crash: whole runs, nobody paid twice."""
    n = s["benefits"]
    check("the database passes integrity_check", rows("PRAGMA integrity_check")[0][0] == "ok")
    said = {}
    for (detail,) in rows("SELECT detail FROM audit WHERE method LIKE '%Payments/CreateRun' AND outcome = 'OK'"):
        m = CREATED.search(detail or "")
        if m:
            said[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    runs = rows("SELECT r.id, r.period, count(p.id), coalesce(sum(p.amount), 0) FROM payment_runs r"
                " LEFT JOIN payments p ON p.run_id = r.id WHERE r.programme = ? GROUP BY r.id", PROG)
    bad = [r for r in runs if said.get(r[0]) != (r[2], r[3])]
    check("every run is whole: its payments are the count and sum its audit row says (%d runs)" % len(runs),
          not bad, (bad[:3], len(said)))
    check("no CreateRun audit row for a run that is not there",
          set(said) <= {r[0] for r in runs}, sorted(set(said) - {r[0] for r in runs})[:5])
    twice = rows("SELECT national_id, period, count(*) FROM payments WHERE programme = ?"
                 " AND state IN ('pending', 'sent', 'paid') GROUP BY 1, 2 HAVING count(*) > 1", PROG)
    check("nobody is paid twice for a period", not twice, twice[:3])
    full = [r for r in runs if r[2] not in (0, n)]
    check("every run pays every benefit or (run again) none", not full, full[:3])


def check_create(s, clerk):
    n, period = s["benefits"], s["period"]
    got = rows("SELECT r.id, count(p.id) FROM payment_runs r LEFT JOIN payments p ON p.run_id = r.id"
               " WHERE r.programme = ? AND r.period = ? GROUP BY r.id", PROG, period)
    print("# after the kill the run for %s is %s" % (period, "there, whole" if got else "not there"))
    s.setdefault("left", []).append(bool(got))
    check("the run for %s is either not there or whole (%s)" % (period, got),
          len(got) <= 1 and all(x[1] == n for x in got))
    run, code, msg = pay("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme=PROG,
                                                           period=period), clerk)
    want = 0 if got else n
    check("CreateRun for %s again after the restart pays %d" % (period, want),
          code == OK and run.count == want and run.skipped_paid == n - want,
          (code, msg, run and (run.count, run.skipped_paid)))
    paid = rows("SELECT count(DISTINCT national_id), count(*) FROM payments WHERE programme = ? AND period = ?"
                " AND state IN ('pending', 'sent', 'paid')", PROG, period)[0]
    check("each of the %d benefits is paid once for %s" % (n, period), paid == (n, n), paid)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_export(s, clerk):
    n, rid = s["benefits"], s["run"]
    st, msgid, kept, size = rows("SELECT state, message_id, export_sha256, export_size FROM payment_runs"
                                 " WHERE id = ?", rid)[0]
    path = os.path.join(exports, msgid + ".xml") if msgid else None
    there = path is not None and os.path.exists(path)
    print("# after the kill run %d is %s, its file %s, its digest %s" % (
        rid, st, "there" if there else "not there", "kept" if kept else "not kept"))
    s.setdefault("left", []).append(bool(kept))
    check("run %d is approved or exported after the kill" % rid, st in ("approved", "exported"), st)
    check("no file of run %d under its name unless it is exported" % rid, st == "exported" or not there)
    if kept and there:
        check("the file on disk matches the digest kept with the run", sha(path) == kept and
              os.path.getsize(path) == size, (sha(path), kept))
    elif there:
        # Renamed into place whole before the digest was kept.
        check("a file under its final name is whole", os.path.getsize(path) > 0 and
              ET.parse(path).getroot() is not None)
    got, code, msg = action("ExportRun", rid, clerk)
    check("ExportRun after the restart answers OK", code == OK, (code, msg))
    if code != OK:
        return
    kept2 = rows("SELECT export_sha256 FROM payment_runs WHERE id = ?", rid)[0][0]
    path = os.path.join(exports, got.run.message_id + ".xml")
    check("the file on disk is the one ExportRun names (sha256)", os.path.exists(path) and
          sha(path) == got.sha256 == kept2 and (not kept or kept == kept2), (got.sha256, kept, kept2))
    root = ET.parse(path).getroot()
    tx = root.findall(".//{%s}CdtTrfTxInf" % NS)
    ctrl = root.find(".//{%s}GrpHdr/{%s}CtrlSum" % (NS, NS))
    check("the file pays each of the %d once, for the run's control sum" % n,
          len(tx) == n == got.run.count and ctrl is not None and
          round(float(ctrl.text) * 100) == got.run.total == n * AMOUNT,
          (len(tx), ctrl is not None and ctrl.text, got.run.total))
    e2e = [x.findtext(".//{%s}EndToEndId" % NS) for x in tx]
    check("no end-to-end id twice in the file", len(set(e2e)) == len(e2e))
    left = glob.glob(os.path.join(exports, ".tmp-*"))
    check("no half-written temporary file is left in the exports folder", not left, left[:3])


def check_import(s, clerk):
    n, rid = s["benefits"], s["run"]
    states = dict(rows("SELECT state, count(*) FROM payments WHERE run_id = ? GROUP BY state", rid))
    audited = rows("SELECT detail FROM audit WHERE method LIKE '%Payments/ImportStatus' AND outcome = 'OK'"
                   " AND detail LIKE ?", "%%run %d:%%" % rid)
    failed = rows("SELECT count(*) FROM payments WHERE run_id = ? AND id % 10 = 0", rid)[0][0]
    applied = states == {"paid": n - failed, "failed": failed}
    untouched = states == {"sent": n}
    print("# after the kill run %d's payments are %s; %d import audit rows" % (rid, states, len(audited)))
    s.setdefault("left", []).append(applied)
    check("run %d's payments are all as the report says or all untouched" % rid, applied or untouched, states)
    check("the report's audit row is there exactly when its changes are",
          len(audited) == (1 if applied else 0), (len(audited), states))
    if applied:
        check("the audit row counts the changes", "%d paid, %d failed" % (n - failed, failed) in audited[0][0],
              audited[0][0])
    got, code, msg = pay("ImportStatus", bn.ImportStatusRequest(
        request_id=spis.rid(), run_id=rid, format="csv", upload_id=s["upload"], errors_only=True), clerk)
    if code == grpc.StatusCode.NOT_FOUND and applied:
        # Imported and the upload removed before the kill: send it again.
        uid = upload(rid, report(rid), clerk)
        got, code, msg = pay("ImportStatus", bn.ImportStatusRequest(
            request_id=spis.rid(), run_id=rid, format="csv", upload_id=uid, errors_only=True), clerk)
    check("ImportStatus of the same report after the restart answers OK", code == OK, (code, msg))
    check("the run is reconciled, each payment as the report says",
          code == OK and got.run.state == "reconciled" and got.run.paid == n - failed and
          got.run.failed == failed, got and got.run)
    states = dict(rows("SELECT state, count(*) FROM payments WHERE run_id = ? GROUP BY state", rid))
    check("the second import changes nothing twice", states == {"paid": n - failed, "failed": failed}, states)
    told = rows("SELECT count(*), count(DISTINCT national_id) FROM notices WHERE kind = 'payment_failed'"
                " AND id > ?", s["notice_mark"])[0]
    check("each of the %d whose payment failed is told once" % failed, told == (failed, failed), told)


def check_phase(kind):
    s = state()
    clerk = c.login("clerk")
    check_all(s)
    {"create": check_create, "export": check_export, "import": check_import}[kind](s, clerk)
    check_all(s)
    save(s)


if phase == "setup":
    setup()
elif phase == "attempt":
    attempt(args[0], int(args[1]), int(args[2]))
elif phase == "check":
    check_phase(args[0])
elif phase == "landed":
    # How many kills left the interrupted change out, and how many in.
    s = state()
    left = s.get("left", [])
    print("%d %d" % (left.count(False), left.count(True)))
    save(dict(s, left=[]))
sys.exit(1 if spis.FAILED else 0)
