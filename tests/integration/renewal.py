"""Checks for tests/integration/renewal.sh: the yearly renewal job.

argv: the generated Python modules, the daemon's address, its database,
a phase ("main", "crash", "resume" or "failing"), and for "crash" the
daemon's pid and how many benefits to make due.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import os
import signal
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

addr, dbpath, phase = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
admin = c.login("admin")
case13 = c.login("case13")
super13 = c.login("super13")


def rows(sql, args=()):
    return db.execute(sql, args).fetchall()


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    check(name, gcode == code and (field is None or msg.startswith(field + ":")) and
          (text is None or text in msg), "%s %r" % (gcode, msg))
    return got


def wait_until(what, fn, seconds=120):
    """Polls fn until it is true; a bounded wait, not a timed check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    print("FAIL waiting for %s" % what)
    return None


def job(jid=0, tok=admin):
    return c.call("Benefits", "GetRenewalJob", bn.GetRenewalJobRequest(job_id=jid), token=tok)


def job_done(jid):
    j = job(jid)[0]
    return j if j is not None and j.state == "done" else None


def start(as_of="", tok=admin):
    return c.call("Benefits", "StartRenewal", bn.StartRenewalRequest(request_id=spis.rid(), as_of=as_of),
                  token=tok)


def renewals(jid=0, state="", tok=case13, muni=""):
    return c.call("Benefits", "ListRenewals", bn.ListRenewalsRequest(job_id=jid, state=state, municipality=muni),
                  token=tok)


def benefit(bid):
    return rows("SELECT state, amount, renew_on, exit_reason FROM benefits WHERE id = ?", (bid,))[0]


def register(nid, birth, sex):
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid, given_names="Ona", surname="Pratęsta", birth_date=birth, sex=sex,
            municipality="13")), token=c.login("clerk13"))
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))


def approve(nid, prog, income=0):
    clerk = c.login("clerk13")
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk)
    if code != OK:
        print("FAIL submit %s %s -- %s %s" % (nid, prog, code, msg))
        return 0
    for method, req in (("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=a.reference,
                                                              reason="test")),
                        ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                                    outcome="approved", reason="test"))):
        _, code, msg = c.call("Applications", method, req, token=case13)
        if code != OK:
            print("FAIL %s -- %s %s" % (method, code, msg))
    got = rows("SELECT b.id FROM benefits b JOIN applications a ON a.id = b.application_id"
               " WHERE a.reference = ?", (a.reference,))
    return got[0][0] if got else 0


def main():
    today = datetime.date.today()
    people = {}
    for i, name in enumerate("ABCEFG"):
        nid = spis.lt_code("F", "1970-03-0%d" % (i + 1), 400 + i)
        register(nid, "1970-03-0%d" % (i + 1), "F")
        people[name] = nid
    child = spis.lt_code("M", "2020-06-06", 410)
    register(child, "2020-06-06", "M")
    ben = {n: approve(people[n], "HEAT", 10000) for n in "ABCEFG"}
    ben["D"] = approve(child, "BIRTH")
    check("every test benefit was made", all(ben.values()), ben)
    try:
        next_year = today.replace(year=today.year + 1)
    except ValueError:
        next_year = today.replace(year=today.year + 1, month=3, day=1)
    check("an approval of an auto-renew programme is due a year after it starts",
          benefit(ben["C"])[2] == next_year.isoformat(), benefit(ben["C"]))
    check("a programme that does not renew by itself is never due", benefit(ben["D"])[2] == "",
          benefit(ben["D"]))
    # Due now: the renewal date passed (set behind the daemon's back).  A's
    # household now declares more income, B's far more.
    for n in "ABDEFG":
        db.execute("UPDATE benefits SET renew_on = '2020-01-01' WHERE id = ?", (ben[n],))
    db.execute("UPDATE applications SET monthly_income = 20000 WHERE id ="
               " (SELECT application_id FROM benefits WHERE id = ?)", (ben["A"],))
    db.execute("UPDATE applications SET monthly_income = 50000 WHERE id ="
               " (SELECT application_id FROM benefits WHERE id = ?)", (ben["B"],))
    db.execute("UPDATE people SET language = 'en' WHERE national_id = ?", (people["E"],))

    expect("StartRenewal by a caseworker is PERMISSION_DENIED", start(tok=case13), DENIED)
    expect("StartRenewal with a bad as_of", start(as_of="2026-13-01"), INVALID, "as_of")
    expect("GetRenewalJob before any job is NOT_FOUND", job(), NOT_FOUND, "job_id")
    j, code, msg = start()
    check("StartRenewal by an admin starts a job counting the benefits due",
          code == OK and j.state in ("running", "done") and j.due == 5 and j.as_of == today.isoformat(),
          (code, msg, j))
    JOB = j.id if j else 0
    done = wait_until("the first job to finish", lambda: job_done(JOB))
    check("the job finishes with every due benefit handled and counted",
          done is not None and done.processed == 5 and done.eligible == 4 and done.not_eligible == 1
          and done.pending == 5 and done.failed == 0 and done.finished_at, done)
    check("a supervisor reads the job's progress", job(JOB, tok=super13)[1] == OK)
    expect("a caseworker may not read the job", job(JOB, tok=case13), DENIED)

    lst, code, msg = renewals(JOB)
    by = {x.benefit_id: x for x in lst.renewals} if lst else {}
    check("one renewal per due benefit; the not-due and the non-renewing left out",
          code == OK and sorted(by) == sorted(ben[n] for n in "ABEFG"), (code, msg, sorted(by)))
    a = by.get(ben["A"])
    check("the renewal recomputes the amount on current data",
          a is not None and a.eligible and a.old_amount == 11000 and a.new_amount == 10000
          and a.state == "pending" and a.explanation.startswith("eligible")
          and a.objection_until == (today + datetime.timedelta(days=30)).isoformat(), a)
    b = by.get(ben["B"])
    check("a household no longer eligible gets a renewal that says so",
          b is not None and not b.eligible and b.new_amount == 0 and b.explanation.startswith("not eligible"), b)
    check("nothing about the benefits changes until the window closes",
          benefit(ben["A"])[:2] == ("active", 11000) and benefit(ben["B"])[:2] == ("active", 11000))
    counts = rows("SELECT b.id, count(n.id) FROM benefits b JOIN applications a ON a.id = b.application_id"
                  " LEFT JOIN notices n ON n.reference = a.reference AND n.kind = 'renewal'"
                  " WHERE b.id IN (%s) GROUP BY b.id" % ",".join(str(ben[n]) for n in "ABCDEFG"))
    check("an informative calculation notice for each renewal, none for the others",
          dict(counts) == {ben[n]: (1 if n in "ABEFG" else 0) for n in "ABCDEFG"}, counts)
    en = rows("SELECT subject, body FROM notices WHERE kind = 'renewal' AND national_id = ?", (people["E"],))
    lt = rows("SELECT subject, body FROM notices WHERE kind = 'renewal' AND national_id = ?", (people["A"],))
    check("the notice is in the citizen's language: English",
          en and en[0][0].startswith("Informative calculation") and "object until" in en[0][1], en)
    check("the notice is in the citizen's language: Lithuanian, with both amounts",
          lt and lt[0][0].startswith("Informacinis skaičiavimas") and "EUR 110.00" in lt[0][1]
          and "EUR 100.00" in lt[0][1], lt)
    expect("ListRenewals with an unknown state", renewals(state="late"), INVALID, "state")
    expect("ListRenewals of another municipality", renewals(muni="19"), DENIED, "municipality")

    # Objections.
    def obj(rid, reason="my income fell again", tok=case13):
        return c.call("Benefits", "Object", bn.ObjectRequest(request_id=spis.rid(), renewal_id=rid, reason=reason),
                      token=tok)
    E, F, G = (by[ben[n]].id if ben[n] in by else 0 for n in "EFG")
    expect("Object without a reason", obj(E, reason=""), INVALID, "reason")
    expect("Object to an unknown renewal", obj(99999), NOT_FOUND, "renewal_id")
    expect("Object by a clerk is PERMISSION_DENIED", obj(E, tok=c.login("clerk13")), DENIED)
    got = obj(E)
    check("Object within the window: objected, with the reason", got[1] == OK and got[0].state == "objected"
          and got[0].reason == "my income fell again", got[1:])
    expect("Object twice is FAILED_PRECONDITION", obj(E), PRECOND, "renewal_id", "objected")
    for x in (F, G):
        obj(x)
    # The window of A and B closes (behind the daemon's back); objecting
    # then is refused and the renewal thread settles them.
    db.execute("UPDATE renewals SET objection_until = '2020-01-31' WHERE id IN (?, ?)",
               (by[ben["A"]].id, by[ben["B"]].id))
    expect("Object after the window is FAILED_PRECONDITION", obj(by[ben["A"]].id), PRECOND, "renewal_id")
    wait_until("the matured renewals to be settled", lambda: rows(
        "SELECT count(*) FROM renewals WHERE job_id = ? AND state IN ('renewed', 'ended')", (JOB,))[0][0] == 2)
    st, amount, renew_on, _ = benefit(ben["A"])
    check("without an objection an eligible benefit renews: new amount, due again a year on",
          (st, amount, renew_on) == ("active", 10000, "2021-01-01"), benefit(ben["A"]))
    check("the renewal is in the benefit's history",
          rows("SELECT to_state, amount, reason FROM benefit_changes WHERE benefit_id = ? ORDER BY id DESC"
               " LIMIT 1", (ben["A"],)) == [("active", 10000, "renewed")])
    st, _, _, why = benefit(ben["B"])
    check("without an objection a benefit no longer eligible ends, with the reason",
          (st, why) == ("ended", "not eligible at renewal"), benefit(ben["B"]))
    check("the end schedules follow-ups and tells the citizen",
          rows("SELECT count(*) FROM followups WHERE benefit_id = ?", (ben["B"],))[0][0] == 2 and
          rows("SELECT count(*) FROM notices WHERE kind = 'benefit_ended' AND national_id = ?",
               (people["B"],))[0][0] == 1)
    check("objected renewals wait for a caseworker",
          [x.state for x in renewals(JOB, state="objected")[0].renewals] == ["objected"] * 3)

    def resolve(rid, outcome, reason="checked the papers", tok=case13):
        return c.call("Benefits", "ResolveObjection", bn.ResolveObjectionRequest(
            request_id=spis.rid(), renewal_id=rid, outcome=outcome, reason=reason), token=tok)
    expect("ResolveObjection with an unknown outcome", resolve(E, "maybe"), INVALID, "outcome")
    expect("ResolveObjection outside the caseworker's municipality",
           resolve(E, "renew", tok=c.login("case19")), DENIED, "renewal_id")
    expect("ResolveObjection of a renewal not objected", resolve(by[ben["A"]].id, "keep"), PRECOND,
           "renewal_id", "renewed")
    old_e = benefit(ben["E"])
    got = resolve(E, "renew")
    check("ResolveObjection renew: the new amount for another year", got[1] == OK and got[0].state == "renewed"
          and benefit(ben["E"])[1] == by[ben["E"]].new_amount and benefit(ben["E"])[2] == "2021-01-01",
          (got[1:], old_e, benefit(ben["E"])))
    got = resolve(G, "keep")
    check("ResolveObjection keep: the old amount for another year", got[1] == OK and got[0].state == "kept"
          and benefit(ben["G"])[1:3] == (11000, "2021-01-01"), (got[1:], benefit(ben["G"])))
    got = resolve(F, "end", reason="moved abroad")
    check("ResolveObjection end: the benefit ends with the reason", got[1] == OK and got[0].state == "ended"
          and benefit(ben["F"])[0] == "ended" and benefit(ben["F"])[3] == "moved abroad",
          (got[1:], benefit(ben["F"])))
    expect("ResolveObjection twice is FAILED_PRECONDITION", resolve(F, "renew"), PRECOND, "renewal_id")
    j = job(JOB)[0]
    check("GetRenewalJob counts the outcomes", j and (j.pending, j.objected, j.renewed, j.ended, j.kept) ==
          (0, 0, 2, 2, 1), j)
    j2 = start(as_of="2020-12-31")[0]
    check("a job as of the day before the next renewal date finds nothing due: renewed and kept benefits are "
          "due a year on", j2 is not None and j2.due == 0, j2)
    wait_until("the empty job to finish", lambda: job_done(0))
    check("the changes are audited", rows(
        "SELECT count(*) FROM audit WHERE method LIKE '%Benefits/StartRenewal' AND outcome = 'OK'")[0][0] == 2 and
        rows("SELECT count(*) FROM audit WHERE method LIKE '%Benefits/ResolveObjection' AND outcome = 'OK'"
             )[0][0] == 3)

    # The jobs, newest first, each counted as GetRenewalJob counts it.
    def jobs(limit=0, tok=admin):
        return c.call("Benefits", "ListRenewalJobs", bn.ListRenewalJobsRequest(limit=limit), token=tok)
    lst, code, msg = jobs()
    check("ListRenewalJobs lists the jobs newest first",
          code == OK and [x.id for x in lst.jobs] == [j2.id if j2 else -1, JOB], (code, msg, lst))
    first = lst.jobs[-1] if lst and lst.jobs else None
    check("ListRenewalJobs counts each job's renewals, and the one whose amount changed",
          first is not None and (first.due, first.processed, first.renewed, first.ended, first.kept,
                                 first.changed) == (5, 5, 2, 2, 1, 1), first)
    check("GetRenewalJob counts the renewals whose amount changed", job(JOB)[0].changed == 1, job(JOB)[0])
    lst, code, msg = jobs(limit=1, tok=super13)
    check("ListRenewalJobs with a limit: the latest only, for a supervisor too",
          code == OK and len(lst.jobs) == 1 and lst.jobs[0].id != JOB, (code, msg, lst))
    expect("ListRenewalJobs with a limit over 100", jobs(limit=101), INVALID, "limit")
    expect("ListRenewalJobs by a caseworker is PERMISSION_DENIED", jobs(tok=case13), DENIED)


# Benefits the job records per transaction (REN_BATCH in rpcd/renewal.c).
BATCH = 256
# The renewal notices per application reference, for joins (notices has no
# index on reference: a subquery per row would scan it each time).
TOLD = "(SELECT reference, count(*) AS k FROM notices WHERE kind = 'renewal' GROUP BY reference)"


def bulk(prefix, n):
    """n due benefits, made behind the daemon's back as copies of one, their
    applications' references prefix-000001 on."""
    src = rows("SELECT b.id, b.application_id FROM benefits b JOIN applications a ON a.id = b.application_id"
               " WHERE b.programme = 'HEAT' ORDER BY b.id LIMIT 1")[0]
    db.execute("BEGIN")
    db.execute("""WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
        INSERT INTO applications (reference, programme, national_id, household_id, channel, municipality, state,
            monthly_income, assets, terminal, submitted_at, submitted_by, updated_at, version)
        SELECT printf('%s-%%06d', i), programme, national_id, household_id, channel, municipality, 'approved',
            monthly_income, assets, terminal, submitted_at, submitted_by, updated_at, version
        FROM applications, k WHERE id = ?""" % prefix, (n, src[1]))
    db.execute("""INSERT INTO benefits (national_id, programme, application_id, municipality, state, amount,
            currency, period, start_date, rule_version, created_at, updated_at, renew_on)
        SELECT a.national_id, a.programme, a.id, a.municipality, 'active', 11000, 'EUR', 'monthly', '2019-01-01',
            1, a.submitted_at, a.submitted_at, '2020-01-01'
        FROM applications a WHERE a.reference LIKE ?""", (prefix + "-%",))
    db.execute("COMMIT")


def crash(pid, n):
    bulk("BULK", n)
    j, code, msg = start()
    check("a job over %d due benefits starts: many batches of the job's %d" % (n, BATCH),
          code == OK and j.due >= n > 2 * BATCH, (code, msg, j))
    jid = j.id if j else 0
    with open(os.path.join(os.path.dirname(dbpath), "crash.job"), "w") as f:
        f.write(str(jid))
    expect("a second StartRenewal while one runs is FAILED_PRECONDITION naming it", start(), PRECOND,
           "as_of", "renewal job %d" % jid)
    mid = wait_until("the job to be part-way", lambda: (lambda x: x if x and (x.processed > 50 or x.state != "running") else None)(job(jid)[0]))
    if mid is None or mid.processed >= mid.due or mid.state != "running":
        check("the daemon is killed part-way through the job (raise the count if it finished)", False, mid)
        return
    os.kill(pid, signal.SIGKILL)
    check("the daemon is killed part-way through the job (%d of %d)" % (mid.processed, mid.due), True)
    killed(pid, jid)


def dead(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def killed(pid, jid):
    """What the killed daemon left: each benefit handled is whole (its
    renewal, its notice and the job's cursor and counts, one transaction),
    and nothing past the cursor is."""
    wait_until("the killed daemon to be gone", lambda: dead(pid), seconds=30)
    check("the database passes integrity_check after the kill", rows("PRAGMA integrity_check")[0][0] == "ok")
    cursor, processed, eligible, not_eligible, failed = rows(
        "SELECT cursor, processed, eligible, not_eligible, failed FROM renewal_jobs WHERE id = ?", (jid,))[0]
    made, last = rows("SELECT count(*), coalesce(max(benefit_id), 0) FROM renewals WHERE job_id = ?", (jid,))[0]
    check("the job's counts are the renewals written before the kill (%d, %d failed)" % (made, failed),
          made == eligible + not_eligible and processed == made + failed and made > 0,
          (made, processed, eligible, not_eligible, failed))
    check("no renewal past the job's cursor", last <= cursor, (last, cursor))
    bulk, told = rows("""SELECT count(*), coalesce(sum(n.k = 1), 0) FROM renewals r
        JOIN benefits b ON b.id = r.benefit_id JOIN applications a ON a.id = b.application_id
        LEFT JOIN %s n ON n.reference = a.reference
        WHERE r.job_id = ? AND a.reference LIKE 'BULK-%%'""" % TOLD, (jid,))[0]
    check("every renewal written before the kill has its notice (%d)" % bulk, bulk > 0 and told == bulk,
          (told, bulk))
    past = rows("""SELECT count(*) FROM benefits b JOIN applications a ON a.id = b.application_id
        JOIN %s n ON n.reference = a.reference
        WHERE a.reference LIKE 'BULK-%%' AND b.id > ?""" % TOLD, (cursor,))[0][0]
    check("nothing half-written: no notice for a benefit past the cursor", past == 0, past)
    left = rows("""SELECT count(*) FROM benefits b JOIN applications a ON a.id = b.application_id
        WHERE a.reference LIKE 'BULK-%' AND b.id > ?""", (cursor,))[0][0]
    check("the kill left benefits for the resumed job: more than one batch (%d)" % left, left > BATCH, left)


def resume():
    with open(os.path.join(os.path.dirname(dbpath), "crash.job")) as f:
        jid = int(f.read())
    j = wait_until("the resumed job to finish", lambda: job_done(jid), seconds=600)
    check("after a restart the job resumes and finishes with every benefit handled once",
          j is not None and j.processed == j.due and j.pending == j.due, j)
    bad = rows("""SELECT b.id, (SELECT count(*) FROM renewals r WHERE r.benefit_id = b.id AND r.job_id = ?),
        coalesce(n.k, 0) FROM benefits b JOIN applications a ON a.id = b.application_id
        LEFT JOIN %s n ON n.reference = a.reference
        WHERE a.reference LIKE 'BULK-%%'""" % TOLD, (jid,))
    check("every due benefit, over many batches and a kill, has exactly one renewal and one notice (%d)" % len(bad),
          len(bad) > 2 * BATCH and all(x[1] == 1 and x[2] == 1 for x in bad),
          [x for x in bad if x[1] != 1 or x[2] != 1][:5])
    check("the job made exactly as many renewals as benefits were due",
          j is not None and rows("SELECT count(*) FROM renewals WHERE job_id = ?", (jid,))[0][0] == j.due)


def failing():
    """A benefit whose person cannot be read, in the middle of a batch:
    counted as failed, and the others of its batch still renewed.  Then one
    whose notice cannot be written (a trigger refuses it): its renewal is
    undone with it, those before it in the batch are committed with the
    cursor just before it, and the job tries it again until it can."""
    n = BATCH + 44
    bulk("BAD", n)
    ids = [x[0] for x in rows("SELECT b.id FROM benefits b JOIN applications a ON a.id = b.application_id"
                              " WHERE a.reference LIKE 'BAD-%' ORDER BY b.id")]
    broken, refused = ids[BATCH // 2], ids[BATCH // 2 + 10]
    db.execute("UPDATE benefits SET national_id = '00000000000' WHERE id = ?", (broken,))
    ref = rows("SELECT a.reference FROM benefits b JOIN applications a ON a.id = b.application_id"
               " WHERE b.id = ?", (refused,))[0][0]
    db.execute("CREATE TRIGGER refuse_notice BEFORE INSERT ON notices WHEN NEW.reference = '%s'"
               " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END" % ref)
    j, code, msg = start()
    check("a job over %d due benefits, one with no person, one whose notice is refused, starts" % n,
          code == OK and j.due == n, (code, msg, j))
    jid = j.id if j else 0
    stuck = wait_until("the job to stop at the refused notice", lambda: rows(
        "SELECT cursor FROM renewal_jobs WHERE id = ? AND cursor >= ?", (jid, ids[0]))) or [(0,)]
    time.sleep(0.5)  # a bounded wait for a retry, not a timed check
    cursor, state, processed = rows("SELECT cursor, state, processed FROM renewal_jobs WHERE id = ?", (jid,))[0]
    before = ids.index(refused)
    check("a benefit that cannot be written stops the job just before it: the batch's others before it "
          "committed", stuck[0][0] == cursor == ids[before - 1] and state == "running" and
          processed == before + (j.due - n if j else 0), (cursor, ids[before - 1], state, processed))
    got = dict(rows("SELECT benefit_id, count(*) FROM renewals WHERE job_id = ? GROUP BY benefit_id", (jid,)))
    check("its renewal undone with its notice (a savepoint each), nothing after it written",
          refused not in got and all(b not in got for b in ids[before:]) and
          all(got.get(b) == 1 for b in ids[:before] if b != broken), sorted(got)[-3:])
    db.execute("DROP TRIGGER refuse_notice")
    j = wait_until("the job to finish", lambda: job_done(jid))
    check("the benefit that cannot be read is counted as failed, every other one handled once",
          j is not None and j.processed == j.due and j.failed == 1 and j.pending == j.due - 1, j)
    got = dict(rows("SELECT benefit_id, count(*) FROM renewals WHERE job_id = ? GROUP BY benefit_id", (jid,)))
    told = dict(rows("""SELECT b.id, n.k FROM benefits b JOIN applications a ON a.id = b.application_id
        JOIN %s n ON n.reference = a.reference WHERE a.reference LIKE 'BAD-%%'""" % TOLD))
    check("one renewal and one notice for each other benefit, none for the one with no person",
          broken not in got and broken not in told and
          all(got.get(b) == 1 and told.get(b) == 1 for b in ids if b != broken), (len(got), len(told)))


if phase == "main":
    main()
elif phase == "crash":
    crash(int(sys.argv[5]), int(sys.argv[6]))
elif phase == "failing":
    failing()
else:
    resume()
sys.exit(1 if spis.FAILED else 0)
