"""Checks for tests/integration/demo_seed.sh: what scripts/demo.sh seeds.

argv: the generated Python modules, the demo daemon's address, its
database, a phase, and for "check" the kiosk citizen's national ID and PIN.

    counts   prints one line: how many rows the seed's tables hold
    check    the demo as a new user finds it (one "OK name" or
             "FAIL name -- why" line per check)
"""
import datetime
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import auth_pb2 as au  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import exchange_pb2 as ex  # noqa: E402
from spis.v1 import stats_pb2 as st  # noqa: E402

addr, dbpath, phase = sys.argv[2], sys.argv[3], sys.argv[4]
OK = grpc.StatusCode.OK
check = spis.check
MONTH = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")  # the daemon's (UTC)
TABLES = ["people", "memberships", "households", "applications", "benefits", "bank_accounts",
          "payment_runs", "payments", "renewal_jobs", "renewals", "institutions", "facts",
          "feed_errors", "notices", "officers", "citizen_pins"]

if phase == "counts":
    db = sqlite3.connect(dbpath, timeout=30)
    print(" ".join("%s=%d" % (t, db.execute("SELECT count(*) FROM " + t).fetchone()[0]) for t in TABLES))
    sys.exit(0)

kiosk_id, kiosk_pin = sys.argv[5], sys.argv[6]
c = spis.Client(addr)
demo = c.login("demo", "demo-pass")


def call(service, method, req, **kw):
    return c.call(service, method, req, **kw)


who, code, msg = call("Auth", "WhoAmI", au.WhoAmIRequest(), token=demo)
check("the demo officer also has the analyst role", code == OK and "analyst" in who.roles,
      (code, msg, who))

# Statistics: real bars next to a withheld one.
t, code, msg = call("Stats", "Beneficiaries", st.BeneficiariesRequest(from_month=MONTH, to_month=MONTH))
totals = list(t.programme_totals) if t else []
cells = list(t.cells) if t else []
check("the statistics answer for this month", code == OK and totals, (code, msg))
check("a programme's total is shown with 5 or more people",
      any(not x.people.suppressed and x.people.value >= 5 for x in totals),
      [(x.key, x.people) for x in totals])
check("a programme's total is withheld (fewer than 5 people)",
      any(x.people.suppressed for x in totals), [(x.key, x.people) for x in totals])
check("cells of 5 or more are shown in two municipalities",
      len({x.municipality for x in cells if not x.people.suppressed and x.people.value >= 5}) >= 2,
      [(x.programme, x.municipality, x.people) for x in cells])
check("a cell is withheld", any(x.people.suppressed for x in cells),
      [(x.programme, x.municipality, x.people) for x in cells])

# Payments: a draft by another officer that the demo officer approves and
# exports; the reconciled run's failure to follow up.
runs, code, msg = call("Payments", "ListRuns", bn.ListRunsRequest(), token=demo)
drafts = [r for r in runs.runs if r.state == "draft"] if runs else []
check("one payment run is a draft, made by another officer",
      code == OK and len(drafts) == 1 and drafts[0].created_by not in ("", "demo") and drafts[0].count > 0,
      (code, msg, runs))
check("one payment run is reconciled", runs is not None and
      sum(r.state == "reconciled" and r.paid > 0 and r.failed == 1 for r in runs.runs) == 1, runs)
fails, code, msg = call("Payments", "ListFailures", bn.ListFailuresRequest(), token=demo)
check("a failed payment to follow up", code == OK and len(fails.payments) == 1 and fails.payments[0].reason,
      (code, msg, fails))
if drafts:
    run = drafts[0]
    got, code, msg = call("Payments", "ApproveRun", bn.RunActionRequest(request_id=spis.rid(), run_id=run.id),
                          token=demo)
    check("the demo officer approves the draft run", code == OK and got.state == "approved"
          and got.approved_by == "demo", (code, msg))
    got, code, msg = call("Payments", "ExportRun", bn.RunActionRequest(request_id=spis.rid(), run_id=run.id),
                          token=demo)
    check("the demo officer exports it: a bank file", code == OK and got.run.state == "exported"
          and got.size > 0 and b"pain.001" in got.xml, (code, msg))

# Institutions and their facts.
insts, code, msg = call("Exchange", "ListInstitutions", ex.ListInstitutionsRequest(), token=demo)
by = {i.code: i for i in insts.institutions} if insts else {}
check("SODRA is registered with facts stored and a feed error",
      "SODRA" in by and by["SODRA"].facts_stored >= 4 and by["SODRA"].facts_rejected >= 1, (code, msg, by))
check("RC is registered with a birth stored", "RC" in by and by["RC"].facts_stored >= 1, by)
facts, code, msg = call("Exchange", "ListPersonFacts", ex.ListPersonFactsRequest(
    national_id=kiosk_id, purpose="case_work"), token=demo)
check("the kiosk citizen has an income fact from SODRA", code == OK and any(
    f.source == "SODRA" and f.fact.kind == "income" and f.fact.amount > 0 for f in facts.facts), (code, msg, facts))
db = sqlite3.connect(dbpath, timeout=30)
check("an employment fact was fed",
      db.execute("SELECT count(*) FROM facts WHERE kind = 'employment'").fetchone()[0] >= 2)
check("a reported income flagged a benefit for review",
      db.execute("SELECT count(*) FROM benefits WHERE review_reason <> ''").fetchone()[0] >= 1)

# The kiosk citizen: benefits with payments and a renewal open to objection.
s, code, msg = call("Citizen", "Identify", cz.IdentifyRequest(national_id=kiosk_id, pin=kiosk_pin))
check("the kiosk citizen identifies with the printed ID and PIN", code == OK and s.token, (code, msg))
cit = s.token if s else ""
mine, code, msg = call("Citizen", "ListMyBenefits", cz.ListMyBenefitsRequest(), citizen=cit)
open_ = [r for b in mine.benefits for r in b.renewals if r.can_object] if mine else []
check("the kiosk citizen has benefits, one paid", code == OK and len(mine.benefits) >= 2 and any(
    p.status == "paid" for b in mine.benefits for p in b.payments), (code, msg, mine))
check("the kiosk citizen has a renewal to object to", open_, mine)
if open_:
    got, code, msg = call("Citizen", "ObjectMine", cz.ObjectMineRequest(
        request_id=spis.rid(), renewal_id=open_[0].id, reason="my costs went up"), citizen=cit)
    check("the kiosk citizen objects to it", code == OK and got.state == "objected", (code, msg))
objs, code, msg = call("Benefits", "ListRenewals", bn.ListRenewalsRequest(state="objected"), token=demo)
check("objections wait for a caseworker (the seeded one and the kiosk's)",
      code == OK and len(objs.renewals) == 2, (code, msg, objs))
sys.exit(1 if spis.FAILED else 0)
