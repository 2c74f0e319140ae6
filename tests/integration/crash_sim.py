"""Kills and checks for tests/integration/crash_sim.sh.

argv: the generated Python modules, the daemon's address, its database, the
daemon's log, the test's state file, a phase, and its arguments:

  kill WHEN PID   starts a microsimulation of HEAT against a candidate and
                  kills PID with SIGKILL part-way: WHEN "start" kills it
                  as soon as the job logs that it starts (nothing saved
                  yet); "checkpoint" kills it just after its first
                  checkpoint is saved, before it is done
  resume          after the restart: the job resumes, ends, and its table
                  is the one a clean run of the same job gives

The job saves a checkpoint every two seconds of wall time.  Over a small
registry it is done sooner, so for "checkpoint" the daemon is stopped
(SIGSTOP) for a little over that just after it starts, then let go in small
steps and stopped again until the checkpoint is in the database; the kill
lands while it is stopped, part-way through the job.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import json
import os
import re
import signal
import sqlite3
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import simulation_pb2 as sm  # noqa: E402

addr, dbpath, logpath, statepath, phase = sys.argv[2:7]
args = sys.argv[7:]
OK = grpc.StatusCode.OK
ELIG = "household.income_per_member < 250.00 and household.size >= 2"
AMOUNT = "max(20.00, 130.00 - household.income / 10)"
check = spis.check
c = spis.Client(addr)
analyst = c.login("analyst")
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)


def job_row(jid):
    return db.execute("SELECT state, phase, cursor, processed, total FROM simulation_jobs WHERE id = ?",
                      (jid,)).fetchone()


def start(as_of):
    return c.call("Simulation", "StartSimulation", sm.StartSimulationRequest(
        request_id=spis.rid(), programme="HEAT", eligibility=ELIG, amount=AMOUNT, as_of=as_of), token=analyst)


def wait_log(start_at, pattern, seconds=60):
    """The first line after start_at matching pattern; a bounded wait."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(logpath, "rb") as f:
            f.seek(start_at)
            for line in f.read().decode(errors="replace").splitlines():
                if re.search(pattern, line):
                    return line
        time.sleep(0.002)
    return None


def wait_done(jid, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        j, code, _ = c.call("Simulation", "GetSimulation", sm.GetSimulationRequest(id=jid), token=analyst)
        if code == OK and j.state in ("done", "failed"):
            return j
        time.sleep(0.05)
    return None


def table(jid):
    return db.execute("SELECT municipality, units, gain, lose, keep_eligible, keep_ineligible, current_cost,"
                      " candidate_cost FROM simulation_results WHERE job_id = ? ORDER BY municipality",
                      (jid,)).fetchall()


def kill(when, pid):
    with open(logpath, "rb") as f:
        f.seek(0, os.SEEK_END)
        at = f.tell()
    j, code, msg = start("2026-01-15")
    check("a simulation starts (%s)" % when, code == OK, (code, msg))
    if code != OK:
        return
    line = wait_log(at, r"simulation %d: .* starting" % j.id)
    check("the job logs that it starts (%s)" % when, line is not None)
    if when == "checkpoint":
        os.kill(pid, signal.SIGSTOP)
        # Makes the next checkpoint due: the job measures wall time.
        time.sleep(2.2)
        for _ in range(20000):
            row = job_row(j.id)
            if row[0] != "running" or row[3] > 0:
                break
            os.kill(pid, signal.SIGCONT)
            time.sleep(0.001)
            os.kill(pid, signal.SIGSTOP)
    row = job_row(j.id)
    # SIGKILL ends a stopped process too; no SIGCONT after it, since the
    # shell may have reaped the daemon already (ESRCH).
    os.kill(pid, signal.SIGKILL)
    print("# simulation %d killed at %s: state %s, phase %d, cursor %d, %d of %d saved" % ((j.id, when) + row))
    if when == "checkpoint":
        check("the kill lands after a checkpoint and before the end (%d of %d saved)" % (row[3], row[4]),
              row[0] == "running" and 0 < row[3] < row[4], row)
    else:
        check("the kill lands before anything is saved", row[0] == "running" and row[3] == 0, row)
    with open(statepath, "w") as f:
        json.dump({"job": j.id, "saved": row[3], "total": row[4]}, f)


def resume():
    with open(statepath) as f:
        s = json.load(f)
    jid = s["job"]
    j = wait_done(jid)
    check("the restarted daemon finishes the killed job", j is not None and j.state == "done", j)
    if s["saved"] > 0:
        check("it says it resumes from what was saved",
              wait_log(0, r"simulation %d: .*%d people, resuming" % (jid, s["total"]), 1) is not None)
    clean, code, msg = start("2026-01-15")
    check("a clean run of the same job starts", code == OK, (code, msg))
    k = wait_done(clean.id) if code == OK else None
    check("the clean run ends", k is not None and k.state == "done", k)
    if j is None or k is None:
        return
    check("the resumed job counted everyone once (%d of %d)" % (j.processed, j.total),
          j.processed == j.total == k.total and j.failed == 0)
    a, b = table(jid), table(clean.id)
    check("the resumed job's table is the clean run's (%d municipalities)" % len(a), a and a == b,
          [x for x in zip(a, b) if x[0] != x[1]][:3])
    tot = [sum(r[i] for r in a) for i in range(1, 8)]
    check("its units add up to the people it covered (%d units)" % tot[0],
          tot[0] > 0 and tot[0] == sum(tot[1:5]))


if phase == "kill":
    kill(args[0], int(args[1]))
else:
    resume()
sys.exit(1 if spis.FAILED else 0)
