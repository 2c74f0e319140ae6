"""Checks for tests/integration/mybenefits.sh: a citizen's own benefits and
payments at a kiosk (Citizen.ListMyBenefits, ObjectMine, ListMyLetters).
Prints one "OK name" or "FAIL name -- why" line per check, and "VALUE key
value" lines for a script to read.

    mybenefits.py PYDIR ADDR DB PAY_DAY main
        the fixture below, then every check
    mybenefits.py PYDIR ADDR DB PAY_DAY setup
        the fixture only (tests/tui/kiosk_benefits.sh): VALUE lines with the
        citizen's national ID and PIN and the renewals' ids
    mybenefits.py PYDIR ADDR DB PAY_DAY objected RENEWAL REASON
        RENEWAL is objected to by the citizen with REASON, audited once

The fixture: Ona (language en) has four benefits: heating (active, paid
monthly since 2020, with payments of eight months in every state and a
cancelled run, and a renewal whose window is open), hot water (active, a
renewal whose window has closed), the social benefit (active from a day
in the future) and rent (ended).  Jonas (lt) has heating too, with a
renewal of his own that Ona must not be able to object to.
"""
import datetime
import os
import sqlite3
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath, PAY_DAY, mode = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
UNAUTH = grpc.StatusCode.UNAUTHENTICATED
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
ONA = spis.lt_code("F", "1961-04-12", 321)
JONAS = spis.lt_code("M", "1958-09-30", 322)


def rows(sql, args=()):
    return db.execute(sql, args).fetchall()


def month(offset):
    y, m = TODAY.year, TODAY.month + offset
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return "%04d-%02d" % (y, m)


def iban(n):
    """A Lithuanian IBAN with a correct ISO 13616 check (mod 97)."""
    bban = "73000%011d" % n
    num = int("".join(str(int(ch, 36)) for ch in bban + "LT00"))
    return "LT%02d%s" % (98 - num % 97, bban)


def must(what, got):
    if got[1] != OK:
        print("FAIL %s -- %s %s" % (what, got[1], got[2]))
    return got[0]


def next_pay_day(start):
    """What the README says: the next pay_day on or after today and the
    start."""
    d = max(TODAY, start)
    y, m = d.year, d.month
    if d.day > PAY_DAY:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return "%04d-%02d-%02d" % (y, m, PAY_DAY)


def setup():
    clerk13, case13, clerk = c.login("clerk13"), c.login("case13"), c.login("clerk")
    sup, admin = c.login("super"), c.login("admin")
    for nid, given, surname, birth, sex, lang in ((ONA, "Ona", "Mokėtoja", "1961-04-12", "F", "en"),
                                                  (JONAS, "Jonas", "Kitas", "1958-09-30", "M", "lt")):
        must("register " + given, c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=r.Person(
                national_id=nid, given_names=given, surname=surname, birth_date=birth, sex=sex,
                address="Gedimino pr. 1", municipality="13", language=lang),
            reason="walk-in"), token=clerk13))

    def approve(nid, prog, income):
        a = must("submit %s %s" % (nid, prog), c.call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme=prog, national_id=nid,
            declared=ap.Declared(monthly_income=income, confirmed=True)), token=clerk13))
        if a is None:
            return 0
        for method, req in (("StartReview", ap.TransitionRequest(request_id=spis.rid(), reference=a.reference,
                                                                  reason="test")),
                            ("Decide", ap.DecideRequest(request_id=spis.rid(), reference=a.reference,
                                                        outcome="approved", reason="test"))):
            must(method, c.call("Applications", method, req, token=case13))
        got = rows("SELECT b.id FROM benefits b JOIN applications a ON a.id = b.application_id"
                   " WHERE a.reference = ?", (a.reference,))
        return got[0][0] if got else 0

    ben = {"heat": approve(ONA, "HEAT", 10000), "water": approve(ONA, "HOT-WATER", 10000),
           "social": approve(ONA, "SOC-BEN", 0), "rent": approve(ONA, "RENT", 10000),
           "jonas": approve(JONAS, "HEAT", 10000)}
    for k, b in ben.items():
        print("VALUE benefit_%s %d" % (k, b))
    # Rent ends; the social benefit starts in 40 days; heating has been
    # paid since 2020 (behind the daemon's back, as its history would be).
    must("end rent", c.call("Benefits", "End", bn.BenefitChangeRequest(
        request_id=spis.rid(), benefit_id=ben["rent"], reason="moved to a flat of her own"), token=case13))
    db.execute("UPDATE benefits SET start_date = ? WHERE id = ?",
               ((TODAY + datetime.timedelta(days=40)).isoformat(), ben["social"]))
    db.execute("UPDATE benefits SET start_date = '2020-01-01' WHERE id IN (?, ?)", (ben["heat"], ben["jonas"]))

    # Renewals: Ona's heating (her income rose: EUR 110.00 becomes 100.00)
    # and hot water, and Jonas's heating.
    db.execute("UPDATE applications SET monthly_income = 20000 WHERE id ="
               " (SELECT application_id FROM benefits WHERE id = ?)", (ben["heat"],))
    db.execute("UPDATE benefits SET renew_on = '2020-01-01' WHERE id IN (?, ?, ?)",
               (ben["heat"], ben["water"], ben["jonas"]))
    job = must("StartRenewal", c.call("Benefits", "StartRenewal", bn.StartRenewalRequest(
        request_id=spis.rid()), token=admin))
    deadline = time.monotonic() + 120
    while job is not None and time.monotonic() < deadline:
        j = c.call("Benefits", "GetRenewalJob", bn.GetRenewalJobRequest(job_id=job.id), token=admin)[0]
        if j is not None and j.state == "done":
            break
        time.sleep(0.05)
    ren = dict(rows("SELECT benefit_id, id FROM renewals WHERE benefit_id IN (?, ?, ?)",
                    (ben["heat"], ben["water"], ben["jonas"])))
    for k in ("heat", "water", "jonas"):
        print("VALUE renewal_%s %d" % (k, ren.get(ben[k], 0)))
    # Hot water's window closed yesterday.
    db.execute("UPDATE renewals SET objection_until = ? WHERE id = ?",
               ((TODAY - datetime.timedelta(days=1)).isoformat(), ren.get(ben["water"], 0)))

    # Payments of heating: eight monthly runs, then a cancelled one.
    for i, nid in enumerate((ONA, JONAS)):
        must("bank account", c.call("Benefits", "SetBankAccount", bn.SetBankAccountRequest(
            request_id=spis.rid(), account=bn.BankAccount(national_id=nid, iban=iban(500 + i), holder="holder"),
            reason="test"), token=clerk13))
    status = {-7: "paid", -6: "paid", -5: "paid", -4: "paid", -3: None, -2: "failed", -1: "returned"}
    reason = {"failed": "AC04 closed account", "returned": "MD07"}
    for off in range(-7, 2):
        run = must("CreateRun " + month(off), c.call("Payments", "CreateRun", bn.CreateRunRequest(
            request_id=spis.rid(), programme="HEAT", period=month(off)), token=clerk))
        if run is None:
            continue
        act = lambda m, tok: must("%s %s" % (m, month(off)), c.call(  # noqa: E731
            "Payments", m, bn.RunActionRequest(request_id=spis.rid(), run_id=run.id, reason="test"), token=tok))
        if off == 1:
            act("CancelRun", clerk)
            continue
        if off == 0:
            continue
        act("ApproveRun", sup)
        act("ExportRun", clerk)
        got = c.call("Payments", "GetRun", bn.GetRunRequest(run_id=run.id, page_size=500), token=clerk)[0]
        if status[off] is None or got is None:
            continue
        lines = ["end_to_end_id,status,reason"]
        for p in got.payments:
            st = status[off] if p.national_id == ONA else "paid"
            lines.append("%s,%s,%s" % (p.end_to_end_id, st, reason.get(st, "") if p.national_id == ONA else ""))
        must("ImportStatus " + month(off), c.call("Payments", "ImportStatus", bn.ImportStatusRequest(
            request_id=spis.rid(), run_id=run.id, format="csv", content="\n".join(lines).encode() + b"\n"),
            token=clerk))
    pin = must("IssuePin", c.call("Citizen", "IssuePin", cz.IssuePinRequest(
        request_id=spis.rid(), national_id=ONA), token=clerk13))
    print("VALUE natid", ONA)
    print("VALUE pin", pin.pin if pin else "000000")
    return ben, ren


def identify(nid):
    pin = c.call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=nid),
                 token=c.login("clerk13"))[0]
    s = c.call("Citizen", "Identify", cz.IdentifyRequest(national_id=nid, pin=pin.pin if pin else "0"))[0]
    return s.token if s else "none"


def mine(tok):
    return c.call("Citizen", "ListMyBenefits", cz.ListMyBenefitsRequest(), citizen=tok)


def obj(tok, rid, reason="", request_id=None):
    return c.call("Citizen", "ObjectMine", cz.ObjectMineRequest(
        request_id=request_id or spis.rid(), renewal_id=rid, reason=reason), citizen=tok)


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    check(name, gcode == code and (field is None or msg.startswith(field + ":")) and
          (text is None or text in msg), "%s %r" % (gcode, msg))
    return got


def audits(method, subject, outcome="OK"):
    return rows("SELECT count(*) FROM audit WHERE method LIKE ? AND subject = ? AND outcome = ?",
                ("%Citizen/" + method, subject, outcome))[0][0]


def main():
    ben, ren = setup()
    check("fixture: five benefits and three renewals made",
          all(ben.values()) and len(ren) == 3, (ben, ren))
    ona, jonas = identify(ONA), identify(JONAS)

    # --- ListMyBenefits -----------------------------------------------------
    lst, code, msg = mine(ona)
    check("ListMyBenefits answers the identified citizen", code == OK, (code, msg))
    by = {b.id: b for b in lst.benefits} if lst else {}
    check("ListMyBenefits: her four benefits, none of anyone else's, newest first",
          [b.id for b in lst.benefits] == sorted((ben[k] for k in ("heat", "water", "social", "rent")),
                                                 reverse=True) if lst else False,
          [b.id for b in lst.benefits] if lst else None)
    check("ListMyBenefits: the list says which day it is as of", lst is not None and lst.today == TODAY.isoformat(),
          lst.today if lst else None)
    heat = by.get(ben["heat"])
    check("a benefit: programme, name in her language, state, amount, dates",
          heat is not None and heat.programme == "HEAT" and heat.programme_name == "Compensation for heating costs"
          and heat.state == "active" and heat.amount == 11000 and heat.currency == "EUR"
          and heat.period == "monthly" and heat.start_date == "2020-01-01" and heat.end_date == ""
          and heat.application, heat)
    check("next payment: the pay_day on or after today for an active monthly benefit",
          heat is not None and heat.next_payment == next_pay_day(datetime.date(2020, 1, 1)),
          (heat.next_payment if heat else None, next_pay_day(datetime.date(2020, 1, 1)), PAY_DAY))
    soc = by.get(ben["social"])
    start = TODAY + datetime.timedelta(days=40)
    check("next payment: not before a benefit starts",
          soc is not None and soc.start_date == start.isoformat() and soc.next_payment == next_pay_day(start),
          (soc.next_payment if soc else None, next_pay_day(start)))
    rent = by.get(ben["rent"])
    check("an ended benefit: its end date and reason, and no next payment",
          rent is not None and rent.state == "ended" and rent.end_date == TODAY.isoformat()
          and rent.exit_reason == "moved to a flat of her own" and rent.next_payment == "", rent)

    pays = [(p.period, p.status, p.reason, p.amount, p.currency) for p in heat.payments] if heat else []
    want = [(month(0), "pending", "", 11000, "EUR"), (month(-1), "returned", "MD07", 11000, "EUR"),
            (month(-2), "failed", "AC04 closed account", 11000, "EUR"), (month(-3), "sent", "", 11000, "EUR"),
            (month(-4), "paid", "", 11000, "EUR"), (month(-5), "paid", "", 11000, "EUR")]
    check("payments: the last six, newest first, each with its status and the bank's reason", pays == want, pays)
    check("payments: a cancelled run's payment is not shown",
          all(p[0] != month(1) for p in pays) and
          rows("SELECT count(*) FROM payments WHERE benefit_id = ? AND state = 'cancelled'", (ben["heat"],))
          [0][0] == 1, pays)
    check("payments: when each status was recorded",
          heat is not None and all(p.updated_at.startswith(TODAY.isoformat()) for p in heat.payments), heat)
    check("payments: none for a benefit never paid", by.get(ben["water"]) is not None and
          len(by[ben["water"]].payments) == 0, by.get(ben["water"]))

    hr = heat.renewals[0] if heat and len(heat.renewals) == 1 else None
    check("the open informative calculation: old and new amounts, eligible, why, the last day, may object",
          hr is not None and hr.id == ren[ben["heat"]] and hr.eligible and hr.old_amount == 11000
          and hr.new_amount == 10000 and hr.currency == "EUR" and hr.explanation.startswith("eligible")
          and hr.objection_until == (TODAY + datetime.timedelta(days=30)).isoformat()
          and hr.state == "pending" and hr.can_object and hr.reason == "", hr)
    wr = by[ben["water"]].renewals[0] if ben["water"] in by and by[ben["water"]].renewals else None
    check("a calculation whose window closed cannot be objected to",
          wr is not None and wr.state == "pending" and not wr.can_object, wr)
    check("no renewal shown for a benefit without one", soc is not None and len(soc.renewals) == 0)
    jl = mine(jonas)[0]
    check("another citizen sees only his own benefit, named in his language",
          jl is not None and [b.id for b in jl.benefits] == [ben["jonas"]] and
          jl.benefits[0].programme_name == "Būsto šildymo išlaidų kompensacija", jl)
    expect("ListMyBenefits without a citizen token is UNAUTHENTICATED",
           c.call("Citizen", "ListMyBenefits", cz.ListMyBenefitsRequest(), token=c.login("case13")), UNAUTH,
           "x-spis-citizen")
    check("ListMyBenefits is audited with the citizen as subject", audits("ListMyBenefits", ONA) >= 1)

    # --- ObjectMine ---------------------------------------------------------
    HEAT_R, WATER_R, JONAS_R = ren[ben["heat"]], ren[ben["water"]], ren[ben["jonas"]]
    expect("ObjectMine without a renewal", obj(ona, 0), INVALID, "renewal_id")
    expect("ObjectMine with a reason over 500 characters", obj(ona, HEAT_R, "x" * 501), INVALID, "reason")
    got = expect("ObjectMine on someone else's renewal is NOT_FOUND", obj(ona, JONAS_R, "not mine"), NOT_FOUND,
                 "renewal_id")
    unknown = obj(ona, 999999, "nobody's")
    check("someone else's renewal is answered exactly as one that does not exist",
          unknown[1] == NOT_FOUND and unknown[2].replace("999999", "N") == got[2].replace(str(JONAS_R), "N")
          and JONAS not in got[2] and "Jonas" not in got[2], (got[2], unknown[2]))
    check("someone else's renewal is left as it was",
          rows("SELECT state, reason FROM renewals WHERE id = ?", (JONAS_R,)) == [("pending", "")])
    got = expect("ObjectMine after the last day is FAILED_PRECONDITION naming the day", obj(ona, WATER_R, "late"),
                 PRECOND, "renewal_id", (TODAY - datetime.timedelta(days=1)).isoformat())
    check("a refused objection changes nothing",
          rows("SELECT state, reason FROM renewals WHERE id = ?", (WATER_R,)) == [("pending", "")])
    before = audits("ObjectMine", ONA)
    rid = spis.rid()
    got = obj(ona, HEAT_R, "My rent went up in March", request_id=rid)
    check("ObjectMine: her own open calculation is objected to, with her reason",
          got[1] == OK and got[0].id == HEAT_R and got[0].state == "objected" and not got[0].can_object
          and got[0].reason == "My rent went up in March" and got[0].new_amount == 10000
          and got[0].currency == "EUR", got[1:] if got[1] != OK else got[0])
    check("the renewal waits for a caseworker as a caseworker's objection does",
          rows("SELECT state, reason, resolved_by FROM renewals WHERE id = ?", (HEAT_R,)) ==
          [("objected", "My rent went up in March", "citizen")])
    lst = c.call("Benefits", "ListRenewals", bn.ListRenewalsRequest(state="objected"),
                 token=c.login("case13"))[0]
    check("the caseworker's list of objections has it",
          lst is not None and HEAT_R in [x.id for x in lst.renewals], lst)
    check("the objection is audited once, in its transaction, with the citizen as subject",
          audits("ObjectMine", ONA) == before + 1 and
          rows("SELECT count(*) FROM audit WHERE method LIKE '%Citizen/ObjectMine' AND subject = ? AND"
               " outcome = 'OK' AND detail LIKE ?", (ONA, "renewal %d %%objected by the citizen" % HEAT_R))[0][0] == 1)
    again = obj(ona, HEAT_R, "My rent went up in March", request_id=rid)
    check("the same request_id again gives the first answer and does nothing twice",
          again[1] == OK and again[0] == got[0] and
          rows("SELECT count(*) FROM audit WHERE method LIKE '%Citizen/ObjectMine' AND outcome = 'OK'"
               " AND detail LIKE '%objected%'")[0][0] == 1, again[1:])
    expect("ObjectMine twice is FAILED_PRECONDITION", obj(ona, HEAT_R, "again"), PRECOND, "renewal_id",
           "already")
    check("objecting twice keeps the first reason",
          rows("SELECT reason FROM renewals WHERE id = ?", (HEAT_R,)) == [("My rent went up in March",)])
    hr = [b for b in mine(ona)[0].benefits if b.id == ben["heat"]][0].renewals
    check("the list then shows it objected, with her reason, no longer to be objected to",
          len(hr) == 1 and hr[0].state == "objected" and not hr[0].can_object
          and hr[0].reason == "My rent went up in March", hr)
    got = obj(jonas, JONAS_R)
    check("ObjectMine without a reason: the reason is optional, and says so",
          got[1] == OK and got[0].state == "objected" and
          rows("SELECT reason FROM renewals WHERE id = ?", (JONAS_R,)) == [("no reason given (objected at a kiosk)",)],
          got[1:])
    expect("ObjectMine with an officer's token alone is UNAUTHENTICATED",
           c.call("Citizen", "ObjectMine", cz.ObjectMineRequest(request_id=spis.rid(), renewal_id=WATER_R),
                  token=c.login("case13")), UNAUTH)
    check("every refused ObjectMine is audited with the citizen as subject",
          rows("SELECT count(*) FROM audit WHERE method LIKE '%Citizen/ObjectMine' AND subject = ?"
               " AND outcome <> 'OK'", (ONA,))[0][0] >= 6)

    # --- ListMyLetters ------------------------------------------------------
    let, code, msg = c.call("Citizen", "ListMyLetters", cz.ListMyLettersRequest(), citizen=ona)
    want = rows("SELECT id FROM notices WHERE national_id = ? ORDER BY id DESC", (ONA,))
    check("ListMyLetters: her notices, newest first, nobody else's",
          code == OK and [x.id for x in let.letters] == [w[0] for w in want] and len(want) >= 5, (code, msg))
    kinds = {x.kind for x in let.letters} if let else set()
    check("ListMyLetters: decisions, the end of a benefit and the informative calculations",
          {"decision", "benefit_ended", "renewal"} <= kinds, kinds)
    check("ListMyLetters: in her language", let is not None and any(
        x.kind == "renewal" and x.subject.startswith("Informative calculation") for x in let.letters))


if mode == "main":
    main()
elif mode == "setup":
    setup()
elif mode == "objected":
    rid, reason = int(sys.argv[6]), sys.argv[7]
    check("the renewal is objected to by the citizen, with the reason typed at the kiosk",
          rows("SELECT state, reason, resolved_by FROM renewals WHERE id = ?", (rid,)) ==
          [("objected", reason, "citizen")], rows("SELECT state, reason, resolved_by FROM renewals WHERE id = ?",
                                                  (rid,)))
    check("the objection at the kiosk is audited once with the citizen as subject",
          rows("SELECT count(*) FROM audit WHERE method LIKE '%Citizen/ObjectMine' AND outcome = 'OK'"
               " AND subject = ?", (ONA,))[0][0] == 1)
sys.exit(1 if spis.FAILED else 0)
