"""Checks for tests/integration/lifeevents.sh: what institutions' facts set
off (rpcd/lifeevent.c).

argv: the generated Python modules, the daemon's address, its database, a
phase, and a file that carries the people made in "setup" to the later
phases.

The facts are written into the database as the Exchange service stores
them (effects_done = 0), and the daemon acts on them when it starts: the
same as a daemon that stored a feed and died before acting on it.  With
the Exchange service in, a feed does the same through SubmitFacts; these
checks read only what the effects left, so they hold either way.

  setup    people, households, benefits, a programme whose rule names the
           reported income, an approved application under it; the facts
  acted    (after a restart) every effect; then a second death fact for
           the same person, more income, a birth fact already acted on
  again    (after another restart) nothing twice; the decision replays to
           its result though the facts changed; two more facts
  applied  (after `spis-rpcd facts apply` with the daemon stopped) those

Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import json
import os
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import programmes_pb2 as pg  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, phase, statefile = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
clerk13 = c.login("clerk13")
case13 = c.login("case13")
today = datetime.date.today()


def rows(sql, args=()):
    return db.execute(sql, args).fetchall()


def months_back(n):
    """YYYY-MM of the month n months before this one."""
    y, m = today.year, today.month - n
    while m < 1:
        m += 12
        y -= 1
    return "%04d-%02d" % (y, m)


LAST3 = [months_back(k) for k in (1, 2, 3)]


def register(nid, given, surname, birth, sex, language="lt", muni="13"):
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=r.Person(
            national_id=nid, given_names=given, surname=surname, birth_date=birth, sex=sex,
            municipality=muni, address="Gedimino pr. 9", language=language)), token=clerk13)
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))


def household(head, members=()):
    got = c.call("Households", "CreateHousehold", r.CreateHouseholdRequest(
        request_id=spis.rid(), head_national_id=head, address="Gedimino pr. 9", municipality="13",
        from_date="2024-01-01", reason="test"), token=clerk13)
    if got[1] != OK:
        print("FAIL household %s -- %s %s" % (head, got[1], got[2]))
        return ""
    for nid, rel in members:
        g = c.call("Households", "AddMember", r.AddMemberRequest(
            request_id=spis.rid(), household_id=got[0].id, national_id=nid, relationship=rel,
            from_date="2024-01-01", reason="test"), token=clerk13)
        if g[1] != OK:
            print("FAIL add member %s -- %s %s" % (nid, g[1], g[2]))
    return got[0].id


def approve(nid, prog, income=0):
    a, code, msg = c.call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid,
        declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk13)
    if code != OK:
        print("FAIL submit %s %s -- %s %s" % (nid, prog, code, msg))
        return 0, ""
    for method, req in (("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=a.reference,
                                                              reason="test")),
                        ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                                    outcome="approved", reason="test"))):
        _, code, msg = c.call("Applications", method, req, token=case13)
        if code != OK:
            print("FAIL %s %s -- %s %s" % (method, prog, code, msg))
    got = rows("SELECT b.id FROM benefits b JOIN applications a ON a.id = b.application_id"
               " WHERE a.reference = ?", (a.reference,))
    return (got[0][0] if got else 0), a.reference


def institution(code, kinds):
    db.execute("INSERT OR IGNORE INTO institutions (code, name, kinds, created_at, created_by)"
               " VALUES (?, ?, ?, '2026-01-01T00:00:00Z', 'test')", (code, code + " institution", kinds))


def fact(source, record, nid, kind, period, amount=0, value="", related="", given="", surname="", sex=""):
    """A fact as the Exchange service stores it: not acted on yet."""
    db.execute("INSERT INTO facts (source, record_id, national_id, kind, period, amount, value,"
               " related_id, given_names, surname, sex, digest, batch_id, received_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, randomblob(32), 'test', ?)",
               (source, record, nid, kind, period, amount, value, related, given, surname, sex,
                today.isoformat() + "T00:00:00Z"))


def benefit(bid):
    return rows("SELECT state, review_reason, review_since FROM benefits WHERE id = ?", (bid,))[0]


def open_membership(nid):
    return rows("SELECT household_id, relationship, from_date FROM memberships"
                " WHERE national_id = ? AND to_date = ''", (nid,))


def replay(ref):
    return c.call("Applications", "Replay", ap.ReplayRequest(reference=ref), token=case13)


def setup():
    s = {}
    died = (today - datetime.timedelta(days=10)).isoformat()
    born = (today - datetime.timedelta(days=5)).isoformat()
    s["died"], s["born"] = died, born
    s["DIES"] = spis.lt_code("F", "1950-04-04", 501)
    s["SPOUSE"] = spis.lt_code("M", "1948-05-05", 502)
    s["MUM_LT"] = spis.lt_code("F", "1990-06-06", 503)
    s["MUM_EN"] = spis.lt_code("F", "1991-07-07", 504)
    s["BABY_LT"] = spis.lt_code("M", born, 505)
    s["BABY_EN"] = spis.lt_code("F", born, 506)
    s["BAD_BABY"] = spis.lt_code("F", born, 507)
    s["POOR"] = spis.lt_code("F", "1980-08-08", 508)
    s["LOW"] = spis.lt_code("M", "1981-09-09", 509)
    s["WORKER"] = spis.lt_code("M", "1985-10-10", 510)
    s["REPL"] = spis.lt_code("F", "1986-11-11", 511)
    register(s["DIES"], "Ona", "Išeinanti", "1950-04-04", "F")
    register(s["SPOUSE"], "Jonas", "Išeinantis", "1948-05-05", "M")
    register(s["MUM_LT"], "Rasa", "Motinėlė", "1990-06-06", "F")
    register(s["MUM_EN"], "Mary", "Mother", "1991-07-07", "F", language="en")
    register(s["POOR"], "Daiva", "Uždirbanti", "1980-08-08", "F")
    register(s["LOW"], "Petras", "Mažapajamis", "1981-09-09", "M")
    register(s["WORKER"], "Tomas", "Darbuotojas", "1985-10-10", "M")
    register(s["REPL"], "Eglė", "Kartotoja", "1986-11-11", "F")
    s["HH_DIES"] = household(s["DIES"], [(s["SPOUSE"], "spouse")])
    s["HH_MUM"] = household(s["MUM_LT"])
    household(s["POOR"])
    household(s["LOW"])
    s["BEN_DIES"], _ = approve(s["DIES"], "HEAT", 10000)
    s["BEN_POOR"], _ = approve(s["POOR"], "HEAT", 10000)
    s["BEN_LOW"], _ = approve(s["LOW"], "HEAT", 10000)
    check("the test benefits are made", all(s[k] for k in ("BEN_DIES", "BEN_POOR", "BEN_LOW")), s)

    # A programme whose means test is the income institutions report.
    admin = c.login("admin")
    prog = pg.Programme(code="REP-AID", names=[pg.LocalText(language="lt", text="Pranešta parama"),
                                               pg.LocalText(language="en", text="Reported aid")],
                        pillar="cash_benefits", scope="national", online=True, period="monthly", open=True,
                        eligibility="household.income_reported_per_member < 150.00\n"
                                    "and not person.registered_unemployed",
                        amount="40.00")
    got = c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
        request_id=spis.rid(), programme=prog, reason="test"), token=admin)
    check("a rule may name the reported facts (household.income_reported_per_member, "
          "person.registered_unemployed)", got[1] == OK, got[1:])
    got = c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="household.land_value > 0.00",
                                                                kind="eligibility"), token=admin)
    names = {f.name for f in got[0].facts} if got[0] is not None else set()
    check("the rule editor lists the reported facts a rule may name",
          got[1] == OK and {"household.income_reported", "household.income_reported_per_member",
                            "household.vehicles_value", "household.land_value",
                            "person.registered_unemployed"} <= names, (got[1:], sorted(names)))

    institution("CIVIL", "death,birth")
    institution("TAX", "income,vehicle,land")
    institution("EMPL", "employment")
    institution("HEALTH", "disability")
    # REPL's income (EUR 100 a month) is in before she applies: the decision
    # reads it.  Two months in the last three: (10000 + 20000) / 3.
    fact("TAX", "r-1", s["REPL"], "income", LAST3[0], 10000)
    fact("TAX", "r-2", s["REPL"], "income", LAST3[1], 20000)
    fact("TAX", "r-old", s["REPL"], "income", months_back(4), 900000)
    s["BEN_REPL"], s["REF_REPL"] = approve(s["REPL"], "REP-AID")
    inputs = rows("SELECT i.name, i.ival FROM decision_inputs i JOIN decisions d ON d.id = i.decision_id"
                  " JOIN applications a ON a.id = d.application_id WHERE a.reference = ?"
                  " AND i.name LIKE '%reported%'", (s["REF_REPL"],)) if s["REF_REPL"] else []
    check("a decision under a rule naming reported income is made from the facts, and stores them",
          s["BEN_REPL"] and dict(inputs).get("household.income_reported_per_member") == 10000,
          (s["BEN_REPL"], inputs))
    got = replay(s["REF_REPL"])
    check("the decision replays to the same result", got[1] == OK and got[0].same and got[0].eligible, got[1:])

    # The facts, as a feed stored them before the daemon died.
    fact("CIVIL", "d-1", s["DIES"], "death", died)
    fact("CIVIL", "b-1", s["BABY_LT"], "birth", born, related=s["MUM_LT"], given="Jonukas",
         surname="Motinėlis", sex="M")
    fact("CIVIL", "b-2", s["BABY_EN"], "birth", born, related=s["MUM_EN"], given="Anne", surname="Mother",
         sex="F")
    # An ID that says "born a man" for a girl: not registered.
    fact("CIVIL", "b-bad", s["BAD_BABY"], "birth", born, related=s["MUM_LT"], given="Klaida",
         surname="Motinėlė", sex="M")
    for i, m in enumerate(LAST3):
        fact("TAX", "p-%d" % i, s["POOR"], "income", m, 50000)  # EUR 500 a month: over 2 x 102
        fact("TAX", "l-%d" % i, s["LOW"], "income", m, 10000)   # EUR 100: under
    fact("TAX", "v-1", s["POOR"], "vehicle", LAST3[0], 350000)
    fact("EMPL", "e-1", s["WORKER"], "employment", LAST3[0], value="employed")
    fact("HEALTH", "h-1", s["WORKER"], "disability", LAST3[0], value="moderate")
    fact("TAX", "x-1", s["WORKER"], "land", LAST3[0], 1234500)
    check("the facts wait to be acted on", rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0] == 17,
          rows("SELECT count(*) FROM facts WHERE effects_done = 0"))
    with open(statefile, "w") as f:
        json.dump(s, f)


def acted(s):
    due = rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0]
    check("every fact is acted on at start", due == 0, due)

    # Death.
    p = rows("SELECT deceased_date FROM people WHERE national_id = ?", (s["DIES"],))
    check("death: the date is recorded", p and p[0][0] == s["died"], p)
    check("death: the person's benefits are suspended", benefit(s["BEN_DIES"])[0] == "suspended",
          benefit(s["BEN_DIES"]))
    ended = rows("SELECT to_date, end_reason FROM memberships WHERE national_id = ?", (s["DIES"],))
    check("death: the household membership ends on the day", ended == [(s["died"], "died")], ended)
    check("death: the household passes to the member who remains",
          [(x[0], x[1]) for x in open_membership(s["SPOUSE"])] == [(int(s["HH_DIES"]), "head")],
          open_membership(s["SPOUSE"]))
    au = rows("SELECT actor, method, detail FROM audit WHERE subject = ? AND method = 'life event death'",
              (s["DIES"],))
    check("death: one audit row, by the institution, in the change's transaction",
          len(au) == 1 and au[0][0] == "inst:CIVIL" and "d-1" in au[0][2], au)

    # Birth.
    kid = rows("SELECT given_names, surname, birth_date, sex, municipality, language FROM people"
               " WHERE national_id = ?", (s["BABY_LT"],))
    check("birth: the child is registered with the names from the fact",
          kid == [("Jonukas", "Motinėlis", s["born"], "M", "13", "lt")], kid)
    check("birth: the child joins the mother's household as a child from the birth date",
          open_membership(s["BABY_LT"]) == [(int(s["HH_MUM"]), "child", s["born"])],
          open_membership(s["BABY_LT"]))
    n = rows("SELECT language, subject, body FROM notices WHERE national_id = ? AND kind = 'child_benefit_offer'",
             (s["MUM_LT"],))
    check("birth: the mother is offered child benefit in Lithuanian",
          len(n) == 1 and n[0][0] == "lt" and "Išmoka vaikui" in n[0][1] and "Jonukas" in n[0][2], n)
    hh = open_membership(s["MUM_EN"])
    check("birth: a mother in no household gets one, headed by her, from the birth date",
          len(hh) == 1 and hh[0][1:] == ("head", s["born"]), hh)
    check("birth: ... with the child in it",
          hh and open_membership(s["BABY_EN"]) == [(hh[0][0], "child", s["born"])],
          open_membership(s["BABY_EN"]))
    n = rows("SELECT language, subject FROM notices WHERE national_id = ? AND kind = 'child_benefit_offer'",
             (s["MUM_EN"],))
    check("birth: the offer is in English for a mother who reads English",
          len(n) == 1 and n[0][0] == "en" and n[0][1].startswith("Congratulations")
          and "Child benefit" in n[0][1], n)
    bad = rows("SELECT count(*) FROM people WHERE national_id = ?", (s["BAD_BABY"],))[0][0]
    au = rows("SELECT detail FROM audit WHERE subject = ? AND method = 'life event birth'", (s["BAD_BABY"],))
    check("birth: an ID that disagrees with the sex is not registered, and the trail says why",
          bad == 0 and len(au) == 1 and "sex" in au[0][0], (bad, au))

    # Income.
    b = benefit(s["BEN_POOR"])
    check("income over the means test flags the benefit for review, with why",
          b[0] == "active" and "fails the means test of HEAT" in b[1] and "EUR 500.00" in b[1] and b[2], b)
    check("income under the means test flags nothing", benefit(s["BEN_LOW"])[1:] == ("", ""),
          benefit(s["BEN_LOW"]))
    lst = c.call("Benefits", "ListBenefits", bn.ListBenefitsRequest(national_id=s["POOR"]), token=case13)
    check("officers see the flag on the benefit (Benefit.review_reason)",
          lst[1] == OK and lst[0].benefits[0].review_reason == b[1] and lst[0].benefits[0].review_since,
          lst[1:])
    check("the means-tested benefit under reported income keeps no flag", benefit(s["BEN_REPL"])[1] == "",
          benefit(s["BEN_REPL"]))

    # Employment and disability.
    w = rows("SELECT employment, disability FROM people WHERE national_id = ?", (s["WORKER"],))
    check("employment and disability facts update the registry", w == [("employed", "moderate")], w)
    h = rows("SELECT field, old_value, new_value, actor, reason FROM person_history WHERE national_id = ?"
             " AND field IN ('employment', 'disability') AND actor LIKE 'inst:%' ORDER BY id", (s["WORKER"],))
    check("... with history rows naming the institution",
          h == [("employment", "", "employed", "inst:EMPL", "fact from EMPL"),
                ("disability", "none", "moderate", "inst:HEALTH", "fact from HEALTH")], h)
    au = rows("SELECT count(*) FROM audit WHERE actor LIKE 'inst:%' AND method LIKE 'life event %'")[0][0]
    # A fact that changes nothing (an income under which no review flag
    # changes, a vehicle, land) has no row of its own: the feed that
    # brought it is audited, and it is marked acted on with the others.
    check("one audit row per fact that changed the registry", au == 9, au)
    check("... and every fact is acted on, those that changed nothing too",
          rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0] == 0)

    # Next: a second death fact (another record of the same death), REPL's
    # income rises, a birth fact for a child already registered, and an
    # employment fact that the registry's value already says.
    fact("CIVIL", "d-2", s["DIES"], "death", s["died"])
    fact("TAX", "r-3", s["REPL"], "income", LAST3[2], 900000)
    fact("CIVIL", "b-3", s["BABY_LT"], "birth", s["born"], related=s["MUM_LT"], given="Jonukas",
         surname="Motinėlis", sex="M")
    fact("EMPL", "e-2", s["REPL"], "employment", LAST3[0], value="registered_unemployed")


def again(s):
    due = rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0]
    check("the new facts are acted on at start", due == 0, due)
    hist = rows("SELECT count(*) FROM person_history WHERE national_id = ? AND field = 'deceased_date'",
                (s["DIES"],))[0][0]
    ch = rows("SELECT count(*) FROM benefit_changes WHERE benefit_id = ? AND to_state = 'suspended'",
              (s["BEN_DIES"],))[0][0]
    check("a death reported twice is recorded once, its benefits suspended once", hist == 1 and ch == 1,
          (hist, ch))
    au = rows("SELECT detail FROM audit WHERE subject = ? AND method = 'life event death' ORDER BY id",
              (s["DIES"],))
    check("... and the trail says the second changed nothing", len(au) == 2 and "already recorded" in au[1][0],
          au)
    n = rows("SELECT count(*) FROM notices WHERE kind = 'child_benefit_offer' AND national_id = ?",
             (s["MUM_LT"],))[0][0]
    m = rows("SELECT count(*) FROM memberships WHERE national_id = ?", (s["BABY_LT"],))[0][0]
    k = rows("SELECT count(*) FROM people WHERE national_id = ?", (s["BABY_LT"],))[0][0]
    check("facts acted on are not acted on again after a restart, and a second birth record adds "
          "no second child, membership or offer", (n, m, k) == (1, 1, 1), (n, m, k))
    b = benefit(s["BEN_REPL"])
    check("income over the reported-income test flags that benefit too", "fails the means test of REP-AID" in b[1],
          b)
    u = rows("SELECT employment FROM people WHERE national_id = ?", (s["REPL"],))
    check("a registered_unemployed fact is the registry's \"unemployed\"", u == [("unemployed",)], u)
    ev = c.call("Applications", "Evaluate", ap.EvaluateRequest(reference=s["REF_REPL"]), token=case13)
    inputs = {f.name: f.value for f in ev[0].inputs} if ev[0] is not None else {}
    check("evaluated today, the new facts count: not eligible",
          ev[1] == OK and not ev[0].eligible
          and inputs.get("household.income_reported_per_member") == "EUR 3100.00"
          and inputs.get("person.registered_unemployed") == "true", (ev[1:], inputs))
    got = replay(s["REF_REPL"])
    check("the decision still replays to its own result from the inputs it stored",
          got[1] == OK and got[0].same and got[0].eligible, got[1:])
    due = rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0]
    check("nothing is left due", due == 0, due)
    # For `spis-rpcd facts apply` (lifeevents.sh): the worker leaves work;
    # the land fact is only stored.
    fact("EMPL", "e-3", s["WORKER"], "employment", months_back(0), value="unemployed")
    fact("TAX", "x-2", s["WORKER"], "land", months_back(0), 1)


def applied(s):
    w = rows("SELECT employment FROM people WHERE national_id = ?", (s["WORKER"],))
    due = rows("SELECT count(*) FROM facts WHERE effects_done = 0")[0][0]
    check("facts apply: the operator's command acts on what is due, the same way",
          w == [("unemployed",)] and due == 0, (w, due))
    au = rows("SELECT count(*) FROM audit WHERE actor = 'inst:EMPL' AND subject = ?", (s["WORKER"],))[0][0]
    check("facts apply: audited as the institution", au == 2, au)


if phase == "setup":
    setup()
else:
    with open(statefile) as f:
        state = json.load(f)
    {"acted": acted, "again": again, "applied": applied}[phase](state)
sys.exit(1 if spis.FAILED else 0)
