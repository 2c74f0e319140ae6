"""Checks for tests/integration/simulation.sh: the microsimulation.

argv: the generated Python modules, the daemon's address, its database.
A small registry is built through the RPCs; the expected counts and costs
are computed here by brute force, evaluating the same rules by hand, and
compared exactly with the daemon's, overall and per municipality.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import hashlib
import sqlite3
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import programmes_pb2 as pg  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402
from spis.v1 import simulation_pb2 as sm  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
DENIED = grpc.StatusCode.PERMISSION_DENIED
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
clerk = {"13": c.login("clerk13"), "19": c.login("clerk19")}
analyst = c.login("analyst")
TODAY = datetime.date.today()


def rows(sql, args=()):
    return db.execute(sql, args).fetchall()


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    check(name, gcode == code and (field is None or msg.startswith(field + ":")) and
          (text is None or text in msg), "%s %r" % (gcode, msg))
    return got


def ok(what, got):
    if got[1] != OK:
        print("FAIL %s -- %s %s" % (what, got[1], got[2]))
    return got[0]


# --- the registry -------------------------------------------------------
# name: (sex, birth, municipality, disability)
PEOPLE = {
    "A1": ("F", "1980-01-01", "13", "none"), "A2": ("M", "1979-02-02", "13", "none"),
    "A3": ("M", "2015-03-03", "13", "none"),
    "B1": ("F", "1950-04-04", "13", "moderate"), "B2": ("M", "1948-05-05", "13", "severe"),
    "C1": ("F", "1990-06-06", "19", "none"), "C2": ("F", "2018-07-07", "19", "none"),
    "C3": ("M", "2019-08-08", "19", "moderate"), "C4": ("M", "1988-09-09", "19", "none"),
    "D1": ("M", "1985-10-10", "19", "severe"), "D2": ("F", "1987-11-11", "19", "none"),
    "S1": ("F", "1965-12-12", "13", "moderate"), "S2": ("M", "2000-01-13", "13", "none"),
    "S3": ("F", "1970-02-14", "19", "severe"), "S4": ("M", "1995-03-15", "19", "none"),
    "S5": ("F", "1960-04-16", "13", "none"),
    "E1": ("M", "1940-05-17", "13", "severe"), "E2": ("F", "1942-06-18", "13", "none"),
}
# household: (municipality, head, other members); D's household is in 19.
HOUSEHOLDS = {"A": ("13", "A1", ["A2", "A3"]), "B": ("13", "B1", ["B2"]),
              "C": ("19", "C1", ["C2", "C3", "C4"]), "D": ("19", "D1", ["D2"]),
              "E": ("13", "E1", ["E2"])}
# Declared incomes, in order: (who applies, programme, income, assets).
# B declares twice: the later one counts.  D and S4 never apply.
APPLICATIONS = [("A1", "HEAT", 30000, 0), ("B1", "HEAT", 90000, 0), ("B2", "SOC-BEN", 45000, 100000),
                ("C4", "HEAT", 41000, 0), ("E2", "HEAT", 39000, 0),
                ("S1", "HEAT", 15000, 0), ("S2", "HEAT", 21000, 0), ("S3", "HEAT", 50000, 0),
                ("S5", "HEAT", 20500, 0)]

nid = {}
for i, (name, (sex, birth, muni, dis)) in enumerate(sorted(PEOPLE.items())):
    nid[name] = spis.lt_code(sex, birth, 600 + i)
    ok("register " + name, c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid[name], given_names="Simas", surname="Modeliuotas", birth_date=birth,
            sex=sex, municipality=muni, disability=dis)), token=clerk[muni]))
for h, (muni, head, others) in sorted(HOUSEHOLDS.items()):
    hh = ok("household " + h, c.call("Households", "CreateHousehold", r.CreateHouseholdRequest(
        request_id=spis.rid(), head_national_id=nid[head], address="Gatvė 1", municipality=muni,
        from_date="2020-01-01", reason="test"), token=clerk[muni]))
    for o in others:
        ok("member " + o, c.call("Households", "AddMember", r.AddMemberRequest(
            request_id=spis.rid(), household_id=hh.id if hh else "", national_id=nid[o],
            relationship="other_relative", from_date="2020-01-01", reason="test"), token=clerk[muni]))
for who, prog, income, assets in APPLICATIONS:
    ok("apply " + who, c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid[who],
        declared=ap.Declared(monthly_income=income, assets=assets, confirmed=True)),
        token=clerk[PEOPLE[who][2]]))
# E2 dies: alive people only, and E1 becomes a household of... still E.
ok("death of E2", c.call("Registry", "RecordDeath", r.RecordDeathRequest(
    request_id=spis.rid(), national_id=nid["E2"], date_of_death="2024-01-01",
    reason="death certificate 1"), token=clerk["13"]))
DEAD = {"E2"}


# --- brute force --------------------------------------------------------
def age(birth):
    b = datetime.date.fromisoformat(birth)
    return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))


def units(by_person):
    """(municipality, facts) of every unit, as the simulation defines them."""
    income = {}
    for who, _, inc, ass in APPLICATIONS:
        key = next((h for h, (_, hd, o) in HOUSEHOLDS.items() if who == hd or who in o), who)
        income[key] = (inc, ass)
    out = []
    groups = [(h, muni, [m for m in [hd] + o if m not in DEAD]) for h, (muni, hd, o) in HOUSEHOLDS.items()]
    groups += [(s, PEOPLE[s][2], [s]) for s in PEOPLE if s.startswith("S")]
    for key, hmuni, members in groups:
        inc, ass = income.get(key, (0, 0))
        size = len(members)
        hh = {"size": size, "children": sum(age(PEOPLE[m][1]) < 18 for m in members),
              "over65": sum(age(PEOPLE[m][1]) >= 65 for m in members),
              "disabled": sum(PEOPLE[m][3] != "none" for m in members),
              "income": inc, "assets": ass, "income_pm": inc // size}
        for m in (members if by_person else members[:1]):
            f = dict(hh, age=age(PEOPLE[m][1]), disability=PEOPLE[m][3], municipality=PEOPLE[m][2])
            out.append((PEOPLE[m][2] if by_person else hmuni, f))
    return out


def tdiv(a, b):
    """Division truncating toward zero, as the rule language's."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def expected(by_person, cur, cand):
    """{municipality: [units, gain, lose, keep_eligible, keep_ineligible, current_cost, candidate_cost]}"""
    out = {}
    for muni, f in units(by_person):
        (ce, ca), (ne, na) = cur(f), cand(f)
        row = out.setdefault(muni, [0] * 7)
        row[0] += 1
        row[1 if ne and not ce else 2 if ce and not ne else 3 if ce else 4] += 1
        row[5] += ca if ce else 0
        row[6] += na if ne else 0
    return out


def heat(f):
    return f["income_pm"] < 2 * 10200, max(1000, 12000 - tdiv(f["income"], 10))


HEAT_E = "household.income_per_member < 250.00 and household.size >= 2"
HEAT_A = "max(20.00, 130.00 - household.income / 10)"


def heat_cand(f):
    return f["income_pm"] < 25000 and f["size"] >= 2, max(2000, 13000 - tdiv(f["income"], 10))


def dis(f):
    return f["disability"] in ("moderate", "severe"), 29070 if f["disability"] == "severe" else 19380


DIS_E = ('person.disability == "severe" or (person.disability == "moderate" and person.age >= 65)\n'
         '# and young children of families with a disabled member\n'
         'or (person.age < 10 and household.disabled > 0)')
DIS_A = 'if(person.disability == "severe", 300.00, 193.80)'


def dis_cand(f):
    return (f["disability"] == "severe" or (f["disability"] == "moderate" and f["age"] >= 65)
            or (f["age"] < 10 and f["disabled"] > 0),
            30000 if f["disability"] == "severe" else 19380)


# --- the calls ----------------------------------------------------------
def start(prog, elig="", amount="", tok=analyst, as_of=""):
    return c.call("Simulation", "StartSimulation", sm.StartSimulationRequest(
        request_id=spis.rid(), programme=prog, eligibility=elig, amount=amount, as_of=as_of), token=tok)


def get(jid, tok=analyst):
    return c.call("Simulation", "GetSimulation", sm.GetSimulationRequest(id=jid), token=tok)


def wait_done(jid, seconds=120):
    """Polls until the job ends; a bounded wait, not a timed check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        j, code, _ = get(jid)
        if code == OK and j.state in ("done", "failed"):
            return j
        time.sleep(0.05)
    print("FAIL waiting for simulation %d" % jid)
    return None


def table(j):
    return {x.municipality: [x.units, x.gain, x.lose, x.keep_eligible, x.keep_ineligible, x.current_cost,
                             x.candidate_cost] for x in j.rows}


def fingerprint():
    """A digest of every registry table, the simulation's own and the
    call records (audit, sessions, idempotency) left out."""
    skip = {"simulation_jobs", "simulation_results", "audit", "sessions", "idempotency", "login_failures"}
    h = hashlib.sha256()
    for (name,) in rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        " AND name NOT LIKE '%fts%' ORDER BY name"):
        if name in skip:
            continue
        h.update(name.encode())
        for row in rows("SELECT * FROM \"%s\" ORDER BY rowid" % name):
            h.update(repr(row).encode())
    return h.hexdigest()


# A municipal programme: only units of its municipality count.
ok("municipal programme", c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
    request_id=spis.rid(), reason="a municipal programme", programme=pg.Programme(
        code="KAUNAS-AID", names=[pg.LocalText(language="lt", text="Kauno parama")],
        pillar="cash_benefits", scope="municipal", municipality="19", period="monthly", open=True,
        eligibility="household.income_per_member < 150.00", amount="40.00")), token=c.login("admin")))

before = fingerprint()

expect("StartSimulation by a clerk is PERMISSION_DENIED", start("HEAT", tok=clerk["13"]), DENIED)
expect("StartSimulation of an unknown programme is NOT_FOUND", start("NOPE"), NOT_FOUND, "programme")
expect("StartSimulation without a programme", start(""), INVALID, "programme")
expect("StartSimulation with a bad as_of", start("HEAT", as_of="2026-02-30"), INVALID, "as_of")
expect("a candidate with a syntax error is INVALID_ARGUMENT with the position",
       start("HEAT", elig="household.size >= and true"), INVALID, "eligibility", "line 1, column 19")
expect("a candidate naming an unknown fact says which and where",
       start("HEAT", elig="household.sise > 1"), INVALID, "eligibility", "line 1, column 1: unknown name")
expect("an amount rule of the wrong type is refused", start("HEAT", amount="household.size > 1"),
       INVALID, "amount", "line 1")
check("nothing is queued by the refused calls", rows("SELECT count(*) FROM simulation_jobs") == [(0,)])

j, code, msg = start("HEAT", HEAT_E, HEAT_A)
check("StartSimulation queues a job over the people alive", code == OK and j.id > 0 and
      j.state in ("queued", "running", "done") and j.total == len(PEOPLE) - len(DEAD) and j.unit == "household"
      and j.as_of == TODAY.isoformat() and j.started_by == "analyst" and j.eligibility == HEAT_E,
      (code, msg, j))
HEAT_JOB = j.id if j else 0
done = wait_done(HEAT_JOB)
want = expected(False, heat, heat_cand)
check("the job ends done with every person covered and none failed",
      done is not None and done.state == "done" and done.processed == done.total and done.failed == 0
      and done.finished_at and done.currency == "EUR" and done.period == "monthly", done)
check("household unit: counts and costs per municipality equal the brute force",
      done is not None and table(done) == want, (table(done) if done else None, want))
tot = [sum(v[i] for v in want.values()) for i in range(7)]
t = done.total_row if done else None
check("household unit: the total row equals the brute force", t is not None and
      [t.units, t.gain, t.lose, t.keep_eligible, t.keep_ineligible, t.current_cost, t.candidate_cost] == tot
      and t.cost_difference == tot[6] - tot[5] and t.municipality == "", (t, tot))
check("the brute force has every kind of change (the test can tell them apart)",
      all(tot[i] > 0 for i in (1, 2, 3, 4)), tot)
diffs = [x.cost_difference for x in done.rows] if done else []
check("rows are sorted by cost difference, largest first, with names",
      diffs == sorted(diffs, reverse=True) and all(x.municipality_name for x in done.rows), diffs)

# Person unit: the rules name person.* facts.
j, code, msg = start("DISABILITY", DIS_E, DIS_A)
check("a rule naming person facts makes each person a unit", code == OK and j.unit == "person", (code, msg))
done = wait_done(j.id if j else 0)
want = expected(True, dis, dis_cand)
check("person unit: counts and costs per municipality equal the brute force",
      done is not None and done.state == "done" and table(done) == want,
      (table(done) if done else None, want))
tot = [sum(v[i] for v in want.values()) for i in range(7)]
check("person unit: gains, losses and keeps all occur", tot[1] > 0 and tot[2] > 0 and tot[3] > 0, tot)

j, code, msg = start("KAUNAS-AID", "household.income_per_member < 250.00", "45.00")
done = wait_done(j.id if j else 0)
want = {m: v for m, v in expected(False, lambda f: (f["income_pm"] < 15000, 4000),
                                  lambda f: (f["income_pm"] < 25000, 4500)).items() if m == "19"}
check("a municipal programme counts the units of its municipality only, as the brute force",
      done is not None and done.state == "done" and table(done) == want and want, (table(done) if done else None,
                                                                                    want))

# An empty candidate keeps the current rule: nobody changes, no cost.
j, code, msg = start("HEAT")
done = wait_done(j.id if j else 0)
t = done.total_row if done else None
check("the current rules against themselves: no gain, no loss, no cost difference",
      t is not None and t.gain == 0 and t.lose == 0 and t.cost_difference == 0 and t.units > 0
      and done.eligibility == rows("SELECT r.eligibility FROM programmes p JOIN programme_rules r"
                                   " ON r.code = p.code AND r.rule_version = p.rule_version"
                                   " WHERE p.code = 'HEAT'")[0][0], (t, done))

# A rule that fails for some units: counted as failed, with the reason.
j, code, msg = start("HEAT", amount="10.00 - household.income / 10")
done = wait_done(j.id if j else 0)
check("an amount below nothing fails those units, with the reason, and ends done",
      done is not None and done.state == "done" and done.failed > 0 and "less than nothing" in done.error,
      done)

check("nothing in the registry changed", fingerprint() == before)

lst, code, msg = c.call("Simulation", "ListSimulations", sm.ListSimulationsRequest(), token=analyst)
check("ListSimulations lists the jobs newest first", code == OK and len(lst.simulations) == 5
      and lst.simulations[-1].id == HEAT_JOB and not lst.simulations[0].rows, (code, msg))
lst, code, msg = c.call("Simulation", "ListSimulations", sm.ListSimulationsRequest(programme="DISABILITY"),
                        token=c.login("super13"))
check("a supervisor lists the simulations of one programme", code == OK and len(lst.simulations) == 1,
      (code, msg))
expect("ListSimulations with a bad limit", c.call("Simulation", "ListSimulations",
       sm.ListSimulationsRequest(limit=1000), token=analyst), INVALID, "limit")
expect("GetSimulation of an unknown job is NOT_FOUND", get(99999), NOT_FOUND, "id")
expect("GetSimulation by a clerk is PERMISSION_DENIED", get(HEAT_JOB, tok=clerk["13"]), DENIED)

aud = rows("SELECT actor, outcome, detail FROM audit WHERE method LIKE '%StartSimulation' ORDER BY id")
check("each start is audited: who, and which candidate over what",
      any(a == "analyst" and o == "OK" and HEAT_E in d and "HEAT" in d and TODAY.isoformat() in d
          for a, o, d in aud), aud[:3])
check("the refused starts are audited too", any(a == "clerk13" and o != "OK" for a, o, _ in aud), aud)
sys.exit(1 if spis.FAILED else 0)
