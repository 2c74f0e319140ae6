"""Checks for tests/integration/stats.sh: spis.v1.Stats.

argv: the generated Python modules, the daemon's address, its database.
Prints one "OK name" or "FAIL name -- why" line per check.

The registry is built through the RPCs so that every count is known:
HEAT in Vilnius (13) 6, Kaunas (19) 2, Klaipeda (21) 7; HOT-WATER in 13
5 and 21 6; and three more applicants in 13 whose applications are
rejected, withdrawn and left pending.
"""
import csv
import datetime
import io
import sqlite3
import sys
from fractions import Fraction

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402
from spis.v1 import stats_pb2 as sp  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
db = sqlite3.connect(dbpath, timeout=10)
clerk = c.login("clerk")
casen = c.login("casen")
analyst = c.login("analyst")
MONTH = datetime.datetime.utcnow().strftime("%Y-%m")
TODAY = datetime.datetime.utcnow().strftime("%Y-%m-%d")

GIVEN = ["Jonas", "Ona", "Petras", "Rūta", "Tomas", "Eglė", "Darius", "Aistė"]
SUR = ["Stankevičius", "Kazlauskas", "Jankauskas", "Petrauskas", "Žukauskas",
       "Butkus", "Paulauskas", "Urbonas", "Kavaliauskas", "Navickas"]
people = []
serial = [100]


def register(muni):
    i = len(people)
    birth = "%d-%02d-%02d" % (1940 + i * 2, 1 + i % 12, 1 + i % 27)
    sex = "M" if i % 2 else "F"
    nid = spis.lt_code(sex, birth, serial[0])
    serial[0] += 1
    p = dict(nid=nid, given=GIVEN[i % len(GIVEN)], surname=SUR[i % len(SUR)] + "ė" * (i // 10),
             birth=birth, sex=sex, muni=muni, address="Statistikos g. %d-%d" % (i + 3, i + 11),
             phone="+3706%07d" % (5550000 + i))
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid, given_names=p["given"], surname=p["surname"], birth_date=birth, sex=sex,
            municipality=muni, address=p["address"], phone=p["phone"])), token=clerk)
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))
    people.append(p)
    return nid


def submit(nid, prog, income=0):
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk)
    if code != OK:
        print("FAIL submit %s %s -- %s %s" % (nid, prog, code, msg))
        return None
    return a.reference


def step(method, req):
    _, code, msg = c.call("Applications", method, req, token=casen)
    if code != OK:
        print("FAIL %s -- %s %s" % (method, code, msg))


def decide(ref, outcome):
    step("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=ref, reason="test"))
    step("Decide", ap.DecideRequest(request_id=spis.rid(), reference=ref, outcome=outcome,
                                    reason="test"))


PLAN = {("HEAT", "13"): 6, ("HEAT", "19"): 2, ("HEAT", "21"): 7,
        ("HOT-WATER", "13"): 5, ("HOT-WATER", "21"): 6}
for (prog, muni), n in sorted(PLAN.items()):
    for _ in range(n):
        decide(submit(register(muni), prog), "approved")
rejected = submit(register("13"), "HEAT", income=100000)
decide(rejected, "rejected")
withdrawn = submit(register("13"), "HEAT")
step("Withdraw", ap.TransitionRequest(request_id=spis.rid(), reference=withdrawn, reason="test"))
submit(register("13"), "HEAT")


def stats(method, req, token=None):
    return c.call("Stats", method, req, token=token)


def fig(f):
    return None if f.suppressed else f.value


# Beneficiaries, without a login.
got, code, msg = stats("Beneficiaries", sp.BeneficiariesRequest(from_month=MONTH, to_month=MONTH))
check("Beneficiaries answers without a login", code == OK, (code, msg))
cells = {(x.programme, x.municipality): x for x in got.cells} if got else {}
brute = {}
for nid, prog, muni, start, end, period in db.execute(
        "SELECT national_id, programme, municipality, start_date, end_date, period FROM benefits"):
    if start[:7] <= MONTH and (end == "" or end[:7] >= MONTH):
        brute.setdefault((prog, muni), set()).add(nid)
brute = {k: len(v) for k, v in brute.items()}
check("the registry holds the planned benefits", brute == PLAN, brute)
shown = {k: fig(x.people) for k, x in cells.items() if not x.people.suppressed}
check("every shown cell equals the brute-force count",
      shown and all(brute.get(k) == v for k, v in shown.items()), (shown, brute))
check("a cell of 2 people is suppressed, with its amounts",
      ("HEAT", "19") in cells and cells[("HEAT", "19")].people.suppressed and
      cells[("HEAT", "19")].people.value == 0 and cells[("HEAT", "19")].entitled.suppressed,
      cells.get(("HEAT", "19")))
heat = [k for k in cells if k[0] == "HEAT" and cells[k].people.suppressed]
check("complementary: the HEAT row has a second suppressed cell, the smallest other (13: 6)",
      len(heat) >= 2 and ("HEAT", "13") in heat, heat)
mtot = {x.key: x for x in got.municipality_totals} if got else {}
ptot = {x.key: x for x in got.programme_totals} if got else {}
check("a total under the threshold (Kaunas: 2) is suppressed",
      "19" in mtot and mtot["19"].people.suppressed, mtot.get("19"))
check("totals over 5 are shown and equal the sums",
      "HOT-WATER" in ptot and fig(ptot["HOT-WATER"].people) == 11 and
      fig(ptot["HEAT"].people) == 15 and fig(got.month_totals[0].people) == 26,
      (ptot, got.month_totals if got else None))
check("amounts: entitled shown for a shown cell is the sum of the benefits' amounts",
      all(fig(cells[k].entitled) == db.execute(
          "SELECT sum(amount) FROM benefits WHERE programme = ? AND municipality = ?", k).fetchone()[0]
          for k in shown), [(k, fig(cells[k].entitled)) for k in shown])


def rank(rows, ncols):
    m = [[Fraction(x) for x in row] for row in rows]
    rk = 0
    for col in range(ncols):
        piv = next((i for i in range(rk, len(m)) if m[i][col] != 0), None)
        if piv is None:
            continue
        m[rk], m[piv] = m[piv], m[rk]
        for i in range(len(m)):
            if i != rk and m[i][col] != 0:
                f = m[i][col] / m[rk][col]
                m[i] = [a - f * b for a, b in zip(m[i], m[rk])]
        rk += 1
    return rk


def determined(table):
    """table: {(row, col): value or None} with row/col "ALL" for totals.
    Returns the suppressed entries that the published ones determine."""
    rows = sorted({k[0] for k in table if k[0] != "ALL"})
    cols = sorted({k[1] for k in table if k[1] != "ALL"})
    unknown = [k for k, v in table.items() if v is None]
    idx = {k: i for i, k in enumerate(unknown)}
    eqs = []
    for line in [("r", x) for x in rows + ["ALL"]] + [("c", x) for x in cols + ["ALL"]]:
        coef = [0] * len(unknown)
        keys = [(line[1], cc) for cc in cols] if line[0] == "r" else [(rr, line[1]) for rr in rows]
        total = (line[1], "ALL") if line[0] == "r" else ("ALL", line[1])
        for k in keys:
            if k in idx:
                coef[idx[k]] += 1
        if total in idx:
            coef[idx[total]] -= 1
        eqs.append(coef)
    full = rank(eqs, len(unknown))
    out = []
    for u in range(len(unknown)):
        sub = [[x for i, x in enumerate(e) if i != u] for e in eqs]
        if rank(sub, len(unknown) - 1) < full:
            out.append(unknown[u])
    return out


table = {}
if got:
    progs = sorted({k[0] for k in brute})
    munis = sorted({k[1] for k in brute})
    for p in progs:
        for m in munis:
            x = cells.get((p, m))
            table[(p, m)] = fig(x.people) if x else 0
    for x in got.programme_totals:
        table[(x.key, "ALL")] = fig(x.people)
    for x in got.municipality_totals:
        table[("ALL", x.key)] = fig(x.people)
    table[("ALL", "ALL")] = fig(got.month_totals[0].people)
check("no suppressed figure can be solved for from the published ones",
      table and sum(v is None for v in table.values()) >= 4 and determined(table) == [],
      (table, determined(table) if table else None))

# The same table filtered, and as CSV.
got13, code, msg = stats("Beneficiaries", sp.BeneficiariesRequest(
    from_month=MONTH, to_month=MONTH, municipalities=["13"]))
check("a municipality filter returns that municipality's cells, suppressed as in the whole table",
      code == OK and {x.municipality for x in got13.cells} == {"13"} and
      all(x.people.suppressed == cells[(x.programme, "13")].people.suppressed for x in got13.cells) and
      [x.key for x in got13.municipality_totals] == ["13"], (code, msg, got13))
gcsv, code, msg = stats("Beneficiaries", sp.BeneficiariesRequest(
    from_month=MONTH, to_month=MONTH, format="csv"))
rows = list(csv.DictReader(io.StringIO(gcsv.csv.decode()))) if code == OK else []
check("CSV has the documented header", code == OK and gcsv.csv.decode().startswith(
    "month,programme,municipality,people,entitled,paid,suppressed\r\n"), (code, msg))
fromcsv = {(x["programme"] if x["programme"] != "ALL" else "ALL",
            x["municipality"]): (None if x["suppressed"] == "1" else int(x["people"])) for x in rows}
fromcsv = {k: v for k, v in fromcsv.items()}
want = dict(table)
for k in list(want):
    if want[k] == 0 and k[0] != "ALL" and k[1] != "ALL":
        del want[k]
check("CSV has the same figures and suppression as the reply", fromcsv == want, (fromcsv, want))
check("CSV writes a suppressed cell as empty fields and suppressed 1",
      any(x["programme"] == "HEAT" and x["municipality"] == "19" and x["people"] == "" and
          x["entitled"] == "" and x["suppressed"] == "1" for x in rows), rows)

# Applications by channel and outcome.
ga, code, msg = stats("Applications", sp.ApplicationsRequest(from_month=MONTH, to_month=MONTH))
acells = {(x.channel, x.outcome): x.applications for x in ga.cells} if ga else {}
abrute = {}
for ch, state in db.execute("SELECT channel, state FROM applications"):
    o = state if state in ("approved", "rejected", "withdrawn") else "pending"
    abrute[(ch, o)] = abrute.get((ch, o), 0) + 1
check("Applications answers with all 12 cells", code == OK and len(acells) == 12, (code, msg))
check("applications: shown cells equal brute-force counts",
      acells and all(f.value == abrute.get(k, 0) for k, f in acells.items() if not f.suppressed),
      (acells, abrute))
check("applications: the single rejection is suppressed",
      acells.get(("office", "rejected")) is not None and acells[("office", "rejected")].suppressed,
      acells.get(("office", "rejected")))
check("applications: the office row has a second suppressed cell",
      sum(f.suppressed for k, f in acells.items() if k[0] == "office") >= 2, acells)
atable = {k: fig(f) for k, f in acells.items()}
if ga:
    for x in ga.channel_totals:
        atable[(x.key, "ALL")] = fig(x.applications)
    for x in ga.outcome_totals:
        atable[("ALL", x.key)] = fig(x.applications)
    atable[("ALL", "ALL")] = fig(ga.month_totals[0].applications)
check("applications: nothing suppressed can be solved for", atable and determined(atable) == [],
      determined(atable) if atable else None)

# Bad input.
for name, req, field in (
        ("a month that is not one", sp.BeneficiariesRequest(from_month="2026-13", to_month=MONTH),
         "from_month"),
        ("a range backwards", sp.BeneficiariesRequest(from_month=MONTH, to_month="2000-01"), "to_month"),
        ("more than 24 months", sp.BeneficiariesRequest(from_month="2020-01", to_month="2022-01"),
         "to_month"),
        ("an unknown municipality", sp.BeneficiariesRequest(from_month=MONTH, to_month=MONTH,
                                                             municipalities=["99"]), "municipalities"),
        ("an unknown format", sp.BeneficiariesRequest(from_month=MONTH, to_month=MONTH,
                                                      format="xlsx"), "format")):
    _, code, msg = stats("Beneficiaries", req)
    check("Beneficiaries refuses %s, naming %s" % (name, field),
          code == grpc.StatusCode.INVALID_ARGUMENT and msg.startswith(field + ":"), (code, msg))
n = db.execute("SELECT count(*) FROM audit WHERE method = '/spis.v1.Stats/Beneficiaries'"
               " AND outcome = 'OK' AND subject = '' AND actor = ''").fetchone()[0]
check("public calls are audited, without a subject or actor", n == 3, n)

# Research samples.
rq = sp.ResearchSampleRequest(**{"from": TODAY, "to": TODAY})
_, code, msg = c.call("Stats", "ResearchSample", rq)
check("ResearchSample without a login is UNAUTHENTICATED", code == grpc.StatusCode.UNAUTHENTICATED,
      (code, msg))
_, code, msg = c.call("Stats", "ResearchSample", rq, token=clerk)
check("ResearchSample by a clerk is PERMISSION_DENIED", code == grpc.StatusCode.PERMISSION_DENIED,
      (code, msg))
s1, code, msg = c.call("Stats", "ResearchSample", rq, token=analyst)
check("ResearchSample by an analyst: one row per person with a benefit or application",
      code == OK and s1.row_count == len(people) == len(s1.rows), (code, msg))
rq.format = "csv"
s2, code2, msg2 = c.call("Stats", "ResearchSample", rq, token=analyst)
check("ResearchSample as CSV", code2 == OK and s2.csv.startswith(b"key,sex,age_band,municipality,")
      and s2.csv.count(b"\r\n") == len(people) + 1, (code2, msg2))
blob = (s1.SerializeToString() if s1 else b"") + (s2.csv if s2 else b"")
leaks = []
for p in people:
    for f in ("nid", "given", "surname", "birth", "address", "phone"):
        if p[f].encode() in blob:
            leaks.append((f, p[f]))
    if p["nid"][1:7].encode() in blob:
        leaks.append(("nid digits", p["nid"][1:7]))
check("no national ID, name, address, phone or birth date anywhere in the extracts",
      s1 is not None and not leaks, leaks[:5])
check("no date of any kind in the extracts",
      s1 is not None and not any(ch.isdigit() and "-" in ch and len(ch) == 10
                                 for ch in blob.decode("utf-8", "replace").replace(",", " ").split()),
      "")
keys1 = {x.key for x in s1.rows} if s1 else set()
keys2 = {line.split(b",")[0].decode() for line in s2.csv.split(b"\r\n")[1:] if line} if s2 else set()
check("keys are distinct per person and differ between two extracts",
      len(keys1) == len(people) and len(keys2) == len(people) and not keys1 & keys2,
      (len(keys1), len(keys2)))
munis = {x.municipality for x in s1.rows} if s1 else set()
check("a municipality with fewer residents than research_min_municipality is merged into other",
      munis == {"13", "21", "other"} and sum(x.municipality == "other" for x in s1.rows) == 2, munis)
check("ages are 5-year bands, programmes listed, amounts rounded to 10.00",
      s1 and all(x.age_band.endswith("+") or (int(x.age_band.split("-")[1]) -
                                                int(x.age_band.split("-")[0]) == 4) for x in s1.rows)
      and all(x.monthly_amount % 1000 == 0 for x in s1.rows)
      and sum("HEAT" in x.benefits for x in s1.rows) == 15
      and sum("HEAT" in x.applied for x in s1.rows) == 18, s1.rows[:3] if s1 else None)
n = db.execute("SELECT count(*) FROM audit WHERE method = '/spis.v1.Stats/ResearchSample'"
               " AND outcome = 'OK' AND actor = 'analyst' AND subject = ''"
               " AND detail LIKE '%' || ? || ' rows%'", (str(len(people)),)).fetchone()[0]
check("research samples are audited with the range and row count, no subject", n == 2, n)
_, code, msg = c.call("Stats", "ResearchSample", sp.ResearchSampleRequest(
    **{"from": TODAY, "to": "1999-01-01"}), token=analyst)
check("ResearchSample refuses a range backwards, naming to",
      code == grpc.StatusCode.INVALID_ARGUMENT and msg.startswith("to:"), (code, msg))

# The public rate cap (public_per_minute = 200 in the test's config).
codes = []
for _ in range(220):
    _, code, msg = stats("Applications", sp.ApplicationsRequest(from_month=MONTH, to_month=MONTH))
    codes.append(code)
    if code != OK:
        break
check("public calls from one address are capped per minute",
      codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED and len(codes) <= 200, (len(codes), codes[-1]))
sys.exit(1 if spis.FAILED else 0)
