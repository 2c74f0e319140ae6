"""Checks for tests/integration/applications.sh: spis.v1.Programmes and
spis.v1.Applications, and the citizen's Apply at a kiosk.

argv: the generated Python modules, the daemon's address, its database.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import programmes_pb2 as pg  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
EXISTS = grpc.StatusCode.ALREADY_EXISTS
TODAY = datetime.date.today().isoformat()

db = sqlite3.connect(dbpath, timeout=10)
clerk13 = c.login("clerk13")
clerk19 = c.login("clerk19")
clerk = c.login("clerk")
case13 = c.login("case13")
case19 = c.login("case19")
super13 = c.login("super13")
helpdesk = c.login("help")
admin = c.login("admin")
auditor = c.login("audit")


lt_code = spis.lt_code


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    ok = gcode == code and (field is None or msg.startswith(field + ":")) and \
        (text is None or text in msg)
    check(name, ok, "%s %r" % (gcode, msg))
    return got


def rows(sql, *args):
    return db.execute(sql, args).fetchall()


def register(nid, given, surname, birth, sex, muni="13", **kw):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                 sex=sex, municipality=muni, **kw)
    got = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=p), token=clerk13 if muni == "13" else clerk19)
    if got[1] != OK:
        print("FAIL register %s -- %s %s" % (nid, got[1], got[2]))
    return got


def app(method, req, tok=case13):
    return c.call("Applications", method, req, token=tok)


def submit(nid, prog, income=0, assets=0, tok=clerk13, confirmed=True, muni=""):
    return app("Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid, municipality=muni,
        declared=ap.Declared(monthly_income=income, assets=assets, confirmed=confirmed)), tok)


def move(method, ref, reason="test", tok=case13, version=0):
    return app(method, ap.TransitionRequest(request_id=spis.rid(), reference=ref,
                                            reason=reason, expected_version=version), tok)


def decide(ref, outcome, reason="checked the papers", tok=case13):
    return app("Decide", ap.DecideRequest(request_id=spis.rid(), reference=ref,
                                          outcome=outcome, reason=reason), tok)


B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ref_of(eight):
    """A well-formed reference: eight symbols and their Luhn mod 32 check."""
    total, factor = 0, 2
    for ch in reversed(eight):
        addend = factor * B32.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return "%s-%s-%s" % (eight[:4], eight[4:], B32[(32 - total % 32) % 32])


def audited(method_part, subject=None):
    q = "SELECT count(*) FROM audit WHERE method LIKE ?"
    args = ["%" + method_part + "%"]
    if subject:
        q += " AND subject = ?"
        args.append(subject)
    return rows(q, *args)[0][0]


# People: a mother with two children in Vilnius (13), a man in Kaunas (19).
MOTHER = lt_code("F", "1988-04-02", 101)
KID1 = lt_code("M", "2015-06-01", 102)
KID2 = lt_code("F", "2018-09-09", 103)
KAUNAS = lt_code("M", "1970-01-15", 104)
RICH = lt_code("M", "1975-05-05", 105)
DEAD = lt_code("F", "1940-02-02", 106)
for nid, g, s, b, x, m in ((MOTHER, "Rūta", "Žemaitė", "1988-04-02", "F", "13"),
                           (KID1, "Jonas", "Žemaitis", "2015-06-01", "M", "13"),
                           (KID2, "Eglė", "Žemaitė", "2018-09-09", "F", "13"),
                           (KAUNAS, "Petras", "Petraitis", "1970-01-15", "M", "19"),
                           (RICH, "Turtas", "Turtingas", "1975-05-05", "M", "13"),
                           (DEAD, "Ona", "Senoji", "1940-02-02", "F", "13")):
    register(nid, g, s, b, x, m)
got = c.call("Households", "CreateHousehold", r.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=MOTHER, address="Gedimino pr. 1", municipality="13",
    from_date="2024-01-01", reason="test"), token=clerk13)
HH = got[0].id if got[0] else ""
for kid in (KID1, KID2):
    g = c.call("Households", "AddMember", r.AddMemberRequest(
        request_id=spis.rid(), household_id=HH, national_id=kid, relationship="child",
        from_date="2024-01-01", reason="test"), token=clerk13)
    if g[1] != OK:
        print("FAIL add member -- %s %s" % (g[1], g[2]))
c.call("Registry", "RecordDeath", r.RecordDeathRequest(
    request_id=spis.rid(), national_id=DEAD, date_of_death="2025-01-01", reason="test"), token=clerk13)

# --- Programmes ---------------------------------------------------------------
lst, code, msg = c.call("Programmes", "ListProgrammes", pg.ListProgrammesRequest())
codes = [p.code for p in lst.programmes] if lst else []
check("ListProgrammes: public, the twelve seeded programmes", code == OK and len(codes) == 12, (code, codes))
pillars = {p.pillar for p in lst.programmes} if lst else set()
check("the seed covers the six SPIS pillars", len(pillars) == 6, pillars)
soc = [p for p in lst.programmes if p.code == "SOC-BEN"][0] if lst else None
check("SOC-BEN: Lithuanian and English names, the EUR 102.00 base in its rule",
      soc is not None and {n.language for n in soc.names} >= {"lt", "en"} and "102.00" in soc.eligibility
      and soc.rule_version == 1, soc)
lst, code, _ = c.call("Programmes", "ListProgrammes", pg.ListProgrammesRequest(online_only=True,
                                                                              municipality="19"))
check("ListProgrammes online_only in 19 leaves out offline and other municipalities' ones",
      code == OK and "DISABILITY" not in [p.code for p in lst.programmes]
      and "VLN-WINTER" not in [p.code for p in lst.programmes] and "SOC-BEN" in [p.code for p in lst.programmes],
      [p.code for p in lst.programmes] if lst else code)

expect("CheckRule: an unknown name is INVALID_ARGUMENT with line and column",
       c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="household.sise > 1", kind="eligibility"),
              token=admin), INVALID, "text", "line 1, column 1")
expect("CheckRule: money plus int is a type error",
       c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="household.income + 1 > 0.00",
                                                             kind="eligibility"), token=admin), INVALID, "text")
expect("CheckRule: an eligibility rule must give a bool",
       c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="1.00", kind="eligibility"), token=admin),
       INVALID, "text")
got = c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="max(0.00, 102.00 - household.income)",
                                                             kind="amount"), token=admin)
check("CheckRule: a good amount rule is OK and lists the facts",
      got[1] == OK and "household.income_per_member" in [f.name for f in got[0].facts], got[1:])
deep = "(" * 5000 + "true" + ")" * 5000
expect("CheckRule: 5000 nested parentheses are refused, not crashed on",
       c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text=deep[:4000], kind="eligibility"),
              token=admin), INVALID, "text")
expect("CheckRule is for admins (caseworker PERMISSION_DENIED)",
       c.call("Programmes", "CheckRule", pg.CheckRuleRequest(text="true", kind="eligibility"), token=case13),
       DENIED)

prog = pg.Programme(code="TEST-AID", names=[pg.LocalText(language="lt", text="Bandomoji parama"),
                                            pg.LocalText(language="en", text="Test aid")],
                    pillar="cash_benefits", scope="national", online=True, period="monthly", open=True,
                    eligibility="household.income_per_member < 102.00", amount="50.00")
got = c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
    request_id=spis.rid(), programme=prog, reason="new programme"), token=admin)
check("SaveProgramme: an admin creates a programme at rule version 1",
      got[1] == OK and got[0].rule_version == 1 and got[0].version == 1, got[1:])
bad = pg.Programme()
bad.CopyFrom(prog)
bad.eligibility = "household.income_per_member < 102.00 and\nperson.agee > 3"
expect("SaveProgramme: a malformed rule names the field and the position, nothing saved",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=bad, expected_version=1, reason="x"), token=admin),
       INVALID, "programme.eligibility", "line 2")
check("the malformed rule left no version behind",
      rows("SELECT count(*) FROM programme_rules WHERE code = 'TEST-AID'")[0][0] == 1)
expect("SaveProgramme: creating an existing code is ALREADY_EXISTS",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=prog, reason="again"), token=admin), EXISTS, "programme.code")
expect("SaveProgramme: a stale expected_version is FAILED_PRECONDITION",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=prog, expected_version=7, reason="x"), token=admin),
       PRECOND, "expected_version")
expect("SaveProgramme: unknown pillar names programme.pillar",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=pg.Programme(code="X1", names=prog.names, pillar="magic",
                                                         scope="national", period="monthly",
                                                         eligibility="true", amount="1.00"),
           reason="x"), token=admin), INVALID, "programme.pillar")
expect("SaveProgramme: a caseworker may not (PERMISSION_DENIED)",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=prog, expected_version=1, reason="x"), token=case13), DENIED)

# --- PreCheck -------------------------------------------------------------------
got = c.call("Programmes", "PreCheck", pg.PreCheckRequest(
    household_size=3, children=2, monthly_income=24000, municipality="13", age=36))
res = {x.programme.code: x for x in got[0].results} if got[0] else {}
check("PreCheck: public; a poor family of three qualifies for the social benefit",
      got[1] == OK and res.get("SOC-BEN") and res["SOC-BEN"].eligible, got[1:])
# 102.00 + 81.60 + 71.40 - 240.00 = 15.00
check("PreCheck: the social benefit amount is 102.00 + 81.60 + 71.40 - 240.00 = EUR 15.00",
      res.get("SOC-BEN") and res["SOC-BEN"].amount == 1500, res.get("SOC-BEN"))
check("PreCheck: child benefit 2 x (70.00 + 44.10) = EUR 228.20",
      res.get("CHILD") and res["CHILD"].eligible and res["CHILD"].amount == 22820, res.get("CHILD"))
check("PreCheck: the disability allowance is not offered, with a reason",
      res.get("DISABILITY") and not res["DISABILITY"].eligible
      and "not one of" in res["DISABILITY"].clauses[0].explain, res.get("DISABILITY"))
check("PreCheck: eligible programmes come first",
      got[0] and all(x.eligible for x in got[0].results[:3]) and not got[0].results[-1].eligible)
check("PreCheck: nothing is stored", rows("SELECT count(*) FROM applications")[0][0] == 0)
expect("PreCheck: more children than members is INVALID_ARGUMENT",
       c.call("Programmes", "PreCheck", pg.PreCheckRequest(household_size=1, children=2, municipality="13")),
       INVALID, "children")
expect("PreCheck: unknown municipality", c.call("Programmes", "PreCheck", pg.PreCheckRequest(
    household_size=1, municipality="99")), INVALID, "municipality")

# --- Submit ---------------------------------------------------------------------
form, code, msg = app("GetApplicationForm", ap.GetApplicationFormRequest(national_id=MOTHER,
                                                                         programme="CHILD"), clerk13)
check("GetApplicationForm: the person and household pre-filled",
      code == OK and form.person.surname == "Žemaitė" and len(form.household.members) == 3
      and not form.declared.confirmed, (code, msg))
expect("Submit: unconfirmed data is refused", submit(MOTHER, "CHILD", 24000, confirmed=False),
       INVALID, "declared.confirmed")
expect("Submit: unknown programme is NOT_FOUND naming programme", submit(MOTHER, "NOPE"), NOT_FOUND, "programme")
expect("Submit: negative income", submit(MOTHER, "CHILD", -1), INVALID, "declared.monthly_income")
expect("Submit: a deceased person", submit(DEAD, "CHILD"), PRECOND, "national_id", "died")
expect("Submit: a clerk of 19 cannot submit in 13", submit(MOTHER, "CHILD", tok=clerk19), DENIED, "municipality")
expect("Submit: a municipal programme of 13 for someone in 19", submit(KAUNAS, "VLN-WINTER", tok=clerk19),
       PRECOND, "programme")
expect("Submit: helpdesk may not submit", submit(MOTHER, "CHILD", tok=helpdesk), DENIED)
check("no application was written by the refusals", rows("SELECT count(*) FROM applications")[0][0] == 0)

a1, code, msg = submit(MOTHER, "SOC-BEN", 24000)
check("Submit: an office application is submitted with a reference",
      code == OK and a1.state == "submitted" and a1.channel == "office" and a1.municipality == "13"
      and len(a1.transitions) == 1 and a1.transitions[0].actor == "clerk13", (code, msg))
REF = a1.reference if a1 else ""
check("the reference is short, with a check symbol, and holds no personal data",
      len(REF) == 11 and REF[4] == "-" and REF[9] == "-" and MOTHER not in REF and "1988" not in REF, REF)
expect("Submit: a second one while one is pending is ALREADY_EXISTS naming the reference",
       submit(MOTHER, "SOC-BEN", 24000), EXISTS, "programme", REF)
check("the submission is audited with the applicant as subject",
      audited("Applications/Submit", MOTHER) >= 1)

# Cross-municipality: the same programme for KID1 (same household) -> flagged.
a2, code, msg = submit(KID1, "SOC-BEN", 24000)
check("Submit: a household member claiming the same benefit is flagged same_household",
      code == OK and [f.kind for f in a2.flags] == ["same_household"] and a2.flags[0].reference == REF,
      (code, msg, a2.flags if a2 else None))
# The mother applies in Kaunas too (moved?), while pending in Vilnius -> flagged.
a3, code, msg = submit(MOTHER, "SOC-BEN", 24000, tok=clerk19, muni="19")
check("Submit: the same person pending in another municipality is flagged same_person with it",
      code == OK and any(f.kind == "same_person" and f.municipality == "13" and f.reference == REF
                         for f in a3.flags), (code, msg, a3.flags if a3 else None))

first = app("GetApplication", ap.GetApplicationRequest(reference=REF))[0]
check("the first application shows both later ones as flags too",
      first and sorted((f.kind, f.reference) for f in first.flags) ==
      sorted([("same_household", a2.reference), ("same_person", a3.reference)]),
      [(f.kind, f.reference) for f in first.flags] if first else None)

# --- State machine ----------------------------------------------------------------
expect("Decide before review is FAILED_PRECONDITION", decide(REF, "approved"), PRECOND, "reference", "in_review")
expect("Appeal before a decision is FAILED_PRECONDITION", move("Appeal", REF, tok=clerk13), PRECOND, "reference")
expect("StartReview by a clerk is PERMISSION_DENIED", move("StartReview", REF, tok=clerk13), DENIED)
expect("StartReview outside the caseworker's municipality", move("StartReview", a3.reference, tok=case13),
       DENIED, "reference", "outside your scope")
expect("StartReview without a reason", move("StartReview", REF, reason=""), INVALID, "reason")
expect("a mistyped reference is caught by its check symbol",
       move("StartReview", REF[:-1] + ("0" if REF[-1] != "0" else "1")), INVALID, "reference")
got = move("StartReview", REF.lower().replace("-", ""))
check("StartReview accepts a reference typed in lower case without dashes; submitted -> in_review",
      got[1] == OK and got[0].state == "in_review", got[1:])
expect("StartReview twice is FAILED_PRECONDITION", move("StartReview", REF), PRECOND, "reference")
expect("a stale expected_version is FAILED_PRECONDITION",
       move("Withdraw", REF, version=1), PRECOND, "expected_version")

ev, code, msg = app("Evaluate", ap.EvaluateRequest(reference=REF))
check("Evaluate: eligible, EUR 15.00, every clause with an explanation and the facts used",
      code == OK and ev.eligible and ev.amount == 1500 and len(ev.clauses) == 3
      and all(cl.explain for cl in ev.clauses) and
      {"household.size": "3", "household.children": "2"}.items() <=
      {f.name: f.value for f in ev.inputs}.items(), (code, msg, ev))

expect("Decide against the rules by a caseworker is PERMISSION_DENIED",
       decide(REF, "rejected"), DENIED, "outcome", "supervisor")
expect("Decide with an unknown outcome", decide(REF, "maybe"), INVALID, "outcome")
d1, code, msg = decide(REF, "approved")
check("Decide: approved with the computed amount, rules stored with it",
      code == OK and d1.state == "approved" and d1.decisions[0].amount == 1500
      and not d1.decisions[0].override and d1.decisions[0].rule_version == 1
      and len(d1.decisions[0].inputs) == 17 and len(d1.decisions[0].clauses) == 3, (code, msg))
ben = rows("SELECT state, amount, programme FROM benefits WHERE application_id ="
           " (SELECT id FROM applications WHERE reference = ?)", REF)
check("an approval creates an active benefit with the amount", ben == [("active", 1500, "SOC-BEN")], ben)
check("every transition is recorded with who and why",
      [(t.from_state, t.to_state, t.actor) for t in d1.transitions] ==
      [("", "submitted", "clerk13"), ("submitted", "in_review", "case13"), ("in_review", "approved", "case13")],
      [(t.from_state, t.to_state, t.actor) for t in d1.transitions] if d1 else None)
expect("Withdraw after a decision is FAILED_PRECONDITION", move("Withdraw", REF), PRECOND, "reference")

# Replay after the data changed: a new baby in the household and a rule change.
BABY = lt_code("M", "2025-01-01", 107)
register(BABY, "Mažylis", "Žemaitis", "2025-01-01", "M")
c.call("Households", "AddMember", r.AddMemberRequest(
    request_id=spis.rid(), household_id=HH, national_id=BABY, relationship="child",
    from_date="2025-01-01", reason="birth"), token=clerk13)
cur = c.call("Programmes", "GetProgramme", pg.GetProgrammeRequest(code="SOC-BEN"))[0]
cur.amount = "max(0.00, 110.00 * household.size - household.income)"
got = c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
    request_id=spis.rid(), programme=cur, expected_version=cur.version, reason="reform"), token=admin)
check("a changed rule makes rule version 2", got[1] == OK and got[0].rule_version == 2, got[1:])
# Programmes are cached by the store; a save must not leave the old one.
now = c.call("Programmes", "GetProgramme", pg.GetProgrammeRequest(code="SOC-BEN"))[0]
check("GetProgramme right after the save reads the new rule", now and now.rule_version == 2
      and now.amount == cur.amount and now.version == cur.version + 1, now)
vers = c.call("Programmes", "ListRuleVersions", pg.ListRuleVersionsRequest(code="SOC-BEN"))[0]
check("ListRuleVersions: newest first, with the reason", vers and [v.rule_version for v in vers.versions] == [2, 1]
      and vers.versions[0].reason == "reform", vers)
rp, code, msg = app("Replay", ap.ReplayRequest(reference=REF))
check("Replay after the household and the rules changed gives the same result (version 1, EUR 15.00)",
      code == OK and rp.same and rp.amount == 1500 and rp.eligible, (code, msg, rp))
ev2 = app("Evaluate", ap.EvaluateRequest(reference=REF))[0]
check("while evaluating now sees the new household and rules", ev2 and ev2.amount != 1500
      and {f.name: f.value for f in ev2.inputs}["household.size"] == "4", ev2)

# Appeal and back to review.
ap1, code, msg = move("Appeal", REF, reason="the amount is too low", tok=clerk13)
check("Appeal within the window: approved -> appealed", code == OK and ap1.state == "appealed", (code, msg))
got = move("StartReview", REF)
check("appealed -> in_review", got[1] == OK and got[0].state == "in_review", got[1:])
got = decide(REF, "rejected", reason="supervisor: income was understated", tok=super13)
check("a supervisor may decide against the rules; the override is recorded",
      got[1] == OK and got[0].state == "rejected" and got[0].decisions[0].override
      and got[0].decisions[0].engine_eligible and len(got[0].decisions) == 2, got[1:])
ben = rows("SELECT state, exit_reason FROM benefits WHERE application_id ="
           " (SELECT id FROM applications WHERE reference = ?)", REF)
check("rejecting on appeal ends the benefit", ben and ben[0][0] == "ended", ben)

# The appeal window: a decision made long ago.
a4, code, msg = submit(RICH, "SOC-BEN", 500000, 0)
R4 = a4.reference if a4 else ""
move("StartReview", R4)
got = decide(R4, "rejected", reason="income too high")
check("Decide: rejected by the rules, explained", got[1] == OK and "not eligible" in
      got[0].decisions[0].explanation and "131.40" not in got[0].decisions[0].explanation, got[1:])
db.execute("UPDATE decisions SET decided_at = '2020-01-01T10:00:00Z' WHERE application_id ="
           " (SELECT id FROM applications WHERE reference = ?)", (R4,))
db.commit()
expect("Appeal after the window is FAILED_PRECONDITION naming the deadline",
       move("Appeal", R4, tok=clerk13), PRECOND, "reference", "2020-01-31")

# Withdraw.
a5, code, msg = submit(KAUNAS, "HEAT", 10000, tok=clerk19)
got = move("Withdraw", a5.reference, reason="no longer needed", tok=clerk19)
check("Withdraw from submitted", got[1] == OK and got[0].state == "withdrawn", got[1:])
expect("StartReview of a withdrawn application is FAILED_PRECONDITION",
       move("StartReview", a5.reference, tok=case19), PRECOND, "reference", "withdrawn")

# A reason under `not`: the clause that holds is the one that refuses.
notp = pg.Programme(code="TEST-NOT", names=[pg.LocalText(language="lt", text="Tik vyrams")],
                    pillar="cash_benefits", scope="national", period="one_off", open=True,
                    eligibility='household.size > 0 and not (person.sex == "F")', amount="1.00")
c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(request_id=spis.rid(), programme=notp,
                                                              reason="test"), token=admin)
an = submit(MOTHER, "TEST-NOT")[0]
ev, code, msg = app("Evaluate", ap.EvaluateRequest(reference=an.reference if an else ""))
check("Evaluate: a refusal under `not` is explained by the clause that holds, not by the ones that pass",
      code == OK and not ev.eligible and 'sex is "F"' in ev.explanation and "household size" not in
      ev.explanation, (code, msg, ev.explanation if ev else None))

# --- Status ---------------------------------------------------------------------------
st, code, msg = c.call("Applications", "GetStatus", ap.StatusRequest(reference=REF, birth_date="1988-04-02"))
check("GetStatus: public, with the steps and what happens next, no municipality",
      code == OK and st.state == "rejected" and [s.state for s in st.steps][:2] == ["submitted", "in_review"]
      and st.next_step and st.municipality == "" and st.appeal_until, (code, msg))
fields = {f.name for f, _ in st.ListFields()} if st else set()
check("a public status answer is audited with whose it was", rows(
    "SELECT count(*) FROM audit WHERE method LIKE '%Applications/GetStatus' AND subject = ?"
    " AND purpose = 'status' AND outcome = 'OK'", MOTHER)[0][0] == 1)
check("GetStatus reveals no name, ID or amount", not ({"national_id", "applicant_name"} & fields)
      and "Žemait" not in str(st) and MOTHER not in str(st), fields)
wrong_date = c.call("Applications", "GetStatus", ap.StatusRequest(reference=REF, birth_date="1988-04-03"))
check("GetStatus: a wrong birth date is NOT_FOUND", wrong_date[1] == NOT_FOUND, wrong_date[1:])
unknown = c.call("Applications", "GetStatus", ap.StatusRequest(reference=ref_of("ZZZZZZZZ"),
                                                                  birth_date="1988-04-02"))
check("GetStatus: a wrong birth date and an unknown reference say the same",
      unknown[1] == NOT_FOUND and wrong_date[2] == unknown[2], (wrong_date[1:], unknown[1:]))
check("the test's reference maker agrees with the daemon's check symbol", ref_of(REF[:4] + REF[5:9]) == REF,
      (REF, ref_of(REF[:4] + REF[5:9])))
hs, code, msg = c.call("Applications", "GetStatusForHelpdesk", ap.StatusRequest(
    reference=REF, birth_date="1988-04-02"), token=helpdesk)
check("GetStatusForHelpdesk: the same plus the municipality", code == OK and hs.municipality == "13"
      and hs.state == st.state, (code, msg))
expect("GetStatusForHelpdesk needs a session", c.call("Applications", "GetStatusForHelpdesk",
                                                      ap.StatusRequest(reference=REF, birth_date="1988-04-02")),
       grpc.StatusCode.UNAUTHENTICATED)

# --- Queue ---------------------------------------------------------------------------
db.execute("UPDATE applications SET submitted_at = '2026-01-01T08:00:00Z' WHERE reference = ?",
           (a2.reference,))
db.commit()
q, code, msg = app("Queue", ap.QueueRequest(), case13)
check("Queue: the caseworker's own municipality, waiting ones, with age in days",
      code == OK and all(i.municipality == "13" for i in q.items) and a2.reference in [i.reference for i in q.items]
      and [i for i in q.items if i.reference == a2.reference][0].age_days > 100, (code, msg))
check("Queue: flags counted (the household's two other claims)",
      [i.flags for i in q.items if i.reference == a2.reference] == [2],
      [(i.reference, i.flags) for i in q.items] if q else None)
expect("Queue of another municipality is PERMISSION_DENIED",
       app("Queue", ap.QueueRequest(municipality="19"), case13), DENIED, "municipality")
q2, code, msg = app("Queue", ap.QueueRequest(page_size=1, state="submitted"), clerk)
check("Queue: national clerk, paged, next token", code == OK and len(q2.items) == 1 and q2.next_page_token
      and q2.total >= 2, (code, msg))
q3 = app("Queue", ap.QueueRequest(page_size=1, state="submitted", page_token=q2.next_page_token), clerk)[0]
check("Queue: the next page goes on from there", q3 and q3.items and q3.items[0].reference != q2.items[0].reference)
expect("Queue: bad state", app("Queue", ap.QueueRequest(state="lost"), case13), INVALID, "state")
expect("Queue: a page token that is too large", app("Queue", ap.QueueRequest(
    page_token="99999999999999999999999"), case13), INVALID, "page_token")
expect("Queue: a page token with a space", app("Queue", ap.QueueRequest(page_token=" 5"), case13),
       INVALID, "page_token")
expect("Queue: an unknown programme is NOT_FOUND, not an empty queue",
       app("Queue", ap.QueueRequest(programme="NOPE"), case13), NOT_FOUND, "programme")
cn, code, msg = app("QueueCounts", ap.QueueCountsRequest(), clerk)
counts = {(x.programme, x.state): x.count for x in cn.counts} if cn else {}
check("QueueCounts: per programme and state", code == OK and counts.get(("SOC-BEN", "submitted")) == 2, counts)

# --- Citizen at a kiosk -------------------------------------------------------------
pin = c.call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=KAUNAS),
             token=clerk19)[0].pin
sit = c.call("Citizen", "Identify", cz.IdentifyRequest(national_id=KAUNAS, pin=pin))[0]
ctok = sit.token if sit else ""
f, code, msg = c.call("Citizen", "GetMyApplicationForm", cz.GetMyApplicationFormRequest(programme="HEAT"),
                      citizen=ctok)
check("Citizen: the form is pre-filled from the last application (income EUR 100.00)",
      code == OK and f.declared.monthly_income == 10000 and f.person.national_id == KAUNAS, (code, msg))
expect("Citizen: a programme not open online cannot be applied for at a kiosk",
       c.call("Citizen", "Apply", cz.ApplyRequest(request_id=spis.rid(), programme="DISABILITY",
                                                  declared=ap.Declared(confirmed=True)), citizen=ctok),
       PRECOND, "programme", "kiosk")
req = cz.ApplyRequest(request_id=spis.rid(), programme="HEAT",
                      declared=ap.Declared(monthly_income=10000, confirmed=True))
k1, code, msg = c.call("Citizen", "Apply", req, citizen=ctok)
k2, code2, _ = c.call("Citizen", "Apply", req, citizen=ctok)
check("Citizen: Apply at a kiosk; a retry with the same request_id returns the same application",
      code == OK and k1.channel == "kiosk" and code2 == OK and k2.reference == k1.reference, (code, msg))
seen = app("GetApplication", ap.GetApplicationRequest(reference=k1.reference if k1 else ""), clerk19)[0]
check("the officer sees it was the citizen who applied, at a kiosk",
      seen and seen.transitions[0].actor == "citizen" and seen.channel == "kiosk", seen)
mine = c.call("Citizen", "ListMyApplications", cz.ListMyApplicationsRequest(), citizen=ctok)[0]
check("Citizen: ListMyApplications shows their own and no one else's",
      mine and [a.reference for a in mine.applications] == [k1.reference, a5.reference],
      [a.reference for a in mine.applications] if mine else None)
expect("Citizen: withdrawing someone else's application is NOT_FOUND",
       c.call("Citizen", "WithdrawMine", cz.MyApplicationRequest(request_id=spis.rid(), reference=REF,
                                                                 reason="x"), citizen=ctok), NOT_FOUND)
got = c.call("Citizen", "WithdrawMine", cz.MyApplicationRequest(request_id=spis.rid(), reference=k1.reference,
                                                                 reason="applied by mistake"), citizen=ctok)
check("Citizen: WithdrawMine of their own", got[1] == OK and got[0].state == "withdrawn", got[1:])

# --- Every transition from every state ----------------------------------------------
# One fresh application per (state, action); the expected table is written out
# here, independently of applications.c.
ALLOWED = {
    "submitted": {"StartReview", "Withdraw"},
    "in_review": {"Withdraw", "Decide"},
    "approved": {"Appeal"},
    "rejected": {"Appeal"},
    "withdrawn": set(),
    "appealed": {"StartReview"},
}
PATH = {  # how to bring a submitted application into each state
    "submitted": [],
    "in_review": [("StartReview", None)],
    "approved": [("StartReview", None), ("Decide", "approved")],
    "rejected": [("StartReview", None), ("Decide", "rejected")],
    "withdrawn": [("Withdraw", None)],
    "appealed": [("StartReview", None), ("Decide", "approved"), ("Appeal", None)],
}


def act(ref, action, outcome=None):
    if action == "Decide":
        return decide(ref, outcome or "approved", tok=super13)
    return move(action, ref, tok=case13)


serial = 200
for state, path in PATH.items():
    for action in ("StartReview", "Withdraw", "Appeal", "Decide"):
        serial += 1
        nid = lt_code("M", "1980-01-01", serial)
        register(nid, "Bandymas", "Būsenaitis", "1980-01-01", "M")
        a = submit(nid, "HEAT", 0)[0]
        ref = a.reference if a else ""
        for step, outcome in path:
            act(ref, step, outcome)
        now = app("GetApplication", ap.GetApplicationRequest(reference=ref))[0]
        got = act(ref, action)
        want_ok = action in ALLOWED[state]
        after = app("GetApplication", ap.GetApplicationRequest(reference=ref))[0]
        check("from %s, %s is %s" % (state, action, "allowed" if want_ok else "FAILED_PRECONDITION"),
              now is not None and now.state == state and
              ((got[1] == OK) if want_ok else (got[1] == PRECOND and after.version == now.version)),
              (now.state if now else None, got[1], got[2]))

# --- Audit ----------------------------------------------------------------------------
check("refused transitions are audited", rows(
    "SELECT count(*) FROM audit WHERE method LIKE '%Applications/StartReview' AND outcome <> 'OK'")[0][0] >= 3)
check("reads of an application are audited with the subject", audited("Applications/Evaluate", MOTHER) >= 2)
check("the audit trail counts each decision once", rows(
    "SELECT count(*) FROM audit WHERE method LIKE '%Applications/Decide' AND outcome = 'OK'")[0][0] ==
    rows("SELECT count(*) FROM decisions")[0][0])
# --- What the review found ---------------------------------------------------------
admin19 = c.login("admin19")
cur = c.call("Programmes", "GetProgramme", pg.GetProgrammeRequest(code="SOC-BEN"))[0]
hijack = pg.Programme()
hijack.CopyFrom(cur)
hijack.scope, hijack.municipality, hijack.eligibility = "municipal", "19", "true"
expect("a municipal admin cannot turn a national programme into their own",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=hijack, expected_version=cur.version, reason="x"), token=admin19),
       DENIED, "programme.code")
win = c.call("Programmes", "GetProgramme", pg.GetProgrammeRequest(code="VLN-WINTER"))[0]
win.municipality = "19"
expect("nor move another municipality's programme to theirs",
       c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(
           request_id=spis.rid(), programme=win, expected_version=win.version, reason="x"), token=admin19),
       DENIED, "programme.code")
check("both refusals changed nothing", c.call("Programmes", "GetProgramme", pg.GetProgrammeRequest(
    code="SOC-BEN"))[0].version == cur.version)

neg = pg.Programme(code="TEST-NEG", names=[pg.LocalText(language="lt", text="Neigiama")],
                   pillar="cash_benefits", scope="national", period="one_off", open=True,
                   eligibility="true", amount="100.00 - household.income")
c.call("Programmes", "SaveProgramme", pg.SaveProgrammeRequest(request_id=spis.rid(), programme=neg,
                                                              reason="test"), token=admin)
an = submit(RICH, "TEST-NEG", 50000)[0]
move("StartReview", an.reference)
expect("an amount rule giving less than nothing stops the decision, nothing written",
       decide(an.reference, "approved"), PRECOND, "programme", "less than nothing")
check("no benefit and no decision were written for it", rows(
    "SELECT count(*) FROM decisions d JOIN applications a ON a.id = d.application_id"
    " WHERE a.reference = ?", an.reference)[0][0] == 0)

rq = spis.rid()
first = app("Submit", ap.SubmitRequest(request_id=rq, programme="HOT-WATER", national_id=RICH,
                                       declared=ap.Declared(monthly_income=1, confirmed=True)), clerk13)
again = app("Submit", ap.SubmitRequest(request_id=rq, programme="CHILD", national_id=MOTHER,
                                       declared=ap.Declared(monthly_income=1, confirmed=True)), clerk13)
check("a request_id reused for a different request is INVALID_ARGUMENT, not the first reply",
      first[1] == OK and again[1] == INVALID and again[2].startswith("request_id:"), (first[1:], again[1:]))
same = app("Submit", ap.SubmitRequest(request_id=rq, programme="HOT-WATER", national_id=RICH,
                                      declared=ap.Declared(monthly_income=1, confirmed=True)), clerk13)
check("the same request again still gets the first reply", same[1] == OK and same[0].reference ==
      first[0].reference, same[1:])

# A citizen sees no flags (they name household members) and no officers.
pin = c.call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=KID1),
             token=clerk13)[0].pin
kt = c.call("Citizen", "Identify", cz.IdentifyRequest(national_id=KID1, pin=pin))[0].token
mine = c.call("Citizen", "ListMyApplications", cz.ListMyApplicationsRequest(), citizen=kt)[0]
check("a citizen's own list holds no cross-check flags and no officer names",
      mine and mine.applications and all(len(x.flags) == 0 for x in mine.applications)
      and "clerk13" not in str(mine) and MOTHER not in str(mine), mine)
# Flags show the other application's state as it is now.
mine_off = app("GetApplication", ap.GetApplicationRequest(reference=a2.reference))[0]
check("a flag shows the flagged application's state now (decided, not 'submitted')",
      mine_off and any(f.reference == REF and f.state == "rejected" for f in mine_off.flags),
      [(f.reference, f.state) for f in mine_off.flags] if mine_off else None)
appealed = [t for t in d1.transitions] if d1 else []
full = app("GetApplication", ap.GetApplicationRequest(reference=REF))[0]
check("the appeal names the decision it appealed",
      full and any(t.to_state == "appealed" and t.decision_id == full.decisions[-1].id
                   for t in full.transitions), [(t.to_state, t.decision_id) for t in full.transitions])

# Guessing birth dates for a reference runs into the limit per address.
codes = [c.call("Applications", "GetStatus", ap.StatusRequest(
    reference=REF, birth_date="1990-01-%02d" % (i % 28 + 1)))[1] for i in range(60)]
check("wrong status checks from one address are refused after the limit (RESOURCE_EXHAUSTED)",
      codes[0] == NOT_FOUND and codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED, codes[:3] + codes[-3:])
check("then even the right answer is refused from that address for a while",
      c.call("Applications", "GetStatus", ap.StatusRequest(reference=REF, birth_date="1988-04-02"))[1] ==
      grpc.StatusCode.RESOURCE_EXHAUSTED)
sys.exit(1 if spis.FAILED else 0)
