"""scripts/demo_seed.py: a sample registry for the demo, seeded through the
daemon's RPCs as the demo officers, so that every record passes the
registry's checks and every change is in the audit trail.

    demo_seed.py PYDIR ADDR USER PASSWORD STATEDIR [CLERK CLERK_PASSWORD]

PYDIR holds the Python modules protoc generated from proto/; USER is the
demo officer (every office role, national), CLERK a second officer with the
clerk role only (demo-clerk), who makes the payment runs so that USER can
approve them: a run is never approved by its maker.

What it makes, each part only when it is not there yet, so that a second
run adds nothing:

- people with valid Lithuanian personal codes in Vilnius (13), Kaunas (19)
  and Klaipėda (21), two households, and a kiosk PIN for Ona Žemaitienė,
  kept in STATEDIR/kiosk-pin so that every run prints one that works;
- applications for the work queue (one submitted, one in review), and
  approved ones that make active benefits of heating and hot water
  compensation in Vilnius and Kaunas (enough people for the public
  statistics to show them) and of the social benefit and rent support in
  Vilnius (too few: the statistics withhold them, "<5");
- bank accounts for all but one of those people;
- two payment runs made by CLERK for this month: hot water approved by
  USER, exported, and reconciled with one payment failed (the account
  closed); heating left a draft for USER to approve and export;
- a yearly renewal job run ahead, as of a year and a week from today
  (when the benefits made today are due), so that every benefit has an informative
  calculation open to objection; Darius Petrauskas's is objected to, Ona's
  is left for the kiosk;
- two institutions, SODRA (income, employment) and RC (births and deaths),
  with their tokens in STATEDIR/institution-CODE.token, and a first feed
  from each: incomes (one over the means test, which flags a benefit for
  review), employment statuses, a fact about an unknown person (a feed
  error) and a birth in the Kazlauskas household (a life event: the child
  registered and added to the household, the mother offered child
  benefit).

Prints a short guide of what to try and keeps it in STATEDIR/guide.txt;
exits 1 with the reason when a call fails.
"""
import datetime
import os
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import benefits_pb2 as bn  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import exchange_pb2 as ex  # noqa: E402
from spis.v1 import registry_pb2 as pb  # noqa: E402
from spis.v1 import stats_pb2 as st  # noqa: E402

addr, user, password, state = sys.argv[2:6]
clerk_user = sys.argv[6] if len(sys.argv) > 6 else "demo-clerk"
clerk_password = sys.argv[7] if len(sys.argv) > 7 else "demo-clerk-pass"
OK = grpc.StatusCode.OK
# The daemon keeps dates in UTC; so does the seed, whatever the local zone.
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
MONTH = TODAY.strftime("%Y-%m")
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
try:
    NEXT_YEAR = TODAY.replace(year=TODAY.year + 1)
except ValueError:  # 29 February
    NEXT_YEAR = TODAY.replace(year=TODAY.year + 1, day=28)
# The renewal is run as of a week after that, so that a benefit approved
# just after midnight is due too.
RENEW_AS_OF = NEXT_YEAR + datetime.timedelta(days=7)


def lt(first, yymmdd, serial):
    """A Lithuanian personal code with its check digit (two weight passes)."""
    s = "%d%s%03d" % (first, yymmdd, serial)
    d = [int(x) for x in s]
    for w in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(d, w)) % 11
        if k != 10:
            return s + str(k)
    return s + "0"


def iban(n):
    """A Lithuanian IBAN with a correct ISO 13616 check (mod 97)."""
    bban = "73000%011d" % n
    num = int("".join(str(int(ch, 36)) for ch in bban + "LT00"))
    return "LT%02d%s" % (98 - num % 97, bban)


# national ID, given names, surname, birth date, sex, address, municipality,
# phone.  The first digit: 3 a man, 4 a woman born in the 1900s; 5 and 6
# for the 2000s.  The first ten are the original sample; the rest are the
# people the benefits, payments and statistics need.
PEOPLE = [
    (lt(3, "780412", 101), "Tomas", "Kazlauskas", "1978-04-12", "M", "Žirmūnų g. 12-4, Vilnius", "13", "+370 612 34567"),
    (lt(4, "810923", 102), "Rūta", "Kazlauskienė", "1981-09-23", "F", "Žirmūnų g. 12-4, Vilnius", "13", "+370 612 76543"),
    (lt(5, "120305", 103), "Matas", "Kazlauskas", "2012-03-05", "M", "Žirmūnų g. 12-4, Vilnius", "13", ""),
    (lt(6, "150717", 104), "Emilija", "Kazlauskaitė", "2015-07-17", "F", "Žirmūnų g. 12-4, Vilnius", "13", ""),
    (lt(4, "500101", 105), "Ona", "Žemaitienė", "1950-01-01", "F", "Antakalnio g. 40-15, Vilnius", "13", "+370 5 212 3456"),
    (lt(3, "690214", 106), "Darius", "Petrauskas", "1969-02-14", "M", "Laisvės al. 55-3, Kaunas", "19", "+370 698 11122"),
    (lt(4, "720530", 107), "Laima", "Petrauskienė", "1972-05-30", "F", "Laisvės al. 55-3, Kaunas", "19", ""),
    (lt(3, "950808", 108), "Mantas", "Jankauskas", "1995-08-08", "M", "Savanorių pr. 101, Kaunas", "19", "+370 655 44433"),
    (lt(4, "880316", 109), "Gintarė", "Balčiūnaitė", "1988-03-16", "F", "Taikos pr. 8-21, Klaipėda", "21", "+370 677 88899"),
    (lt(3, "620611", 110), "Kęstutis", "Urbonas", "1962-06-11", "M", "Manto g. 2, Klaipėda", "21", ""),
    (lt(3, "581103", 111), "Jonas", "Stankevičius", "1958-11-03", "M", "Kalvarijų g. 98-7, Vilnius", "13", "+370 611 20301"),
    (lt(4, "470219", 112), "Aldona", "Vaitkienė", "1947-02-19", "F", "Šeškinės g. 20-33, Vilnius", "13", ""),
    (lt(3, "660927", 113), "Vytautas", "Mikalauskas", "1966-09-27", "M", "Fabijoniškių g. 5-12, Vilnius", "13", "+370 622 40512"),
    (lt(4, "530508", 114), "Irena", "Paulauskienė", "1953-05-08", "F", "Viršuliškių g. 31-8, Vilnius", "13", ""),
    (lt(3, "901201", 115), "Andrius", "Butkus", "1990-12-01", "M", "Naugarduko g. 77-2, Vilnius", "13", "+370 633 90871"),
    (lt(4, "490714", 116), "Regina", "Žukauskienė", "1949-07-14", "F", "Pramonės pr. 14-40, Kaunas", "19", ""),
    (lt(3, "550322", 117), "Algirdas", "Navickas", "1955-03-22", "M", "Baltų pr. 60-11, Kaunas", "19", "+370 644 31122"),
    (lt(4, "611005", 118), "Dalia", "Ramanauskienė", "1961-10-05", "F", "Kovo 11-osios g. 9-5, Kaunas", "19", ""),
    (lt(3, "710130", 119), "Povilas", "Sakalauskas", "1971-01-30", "M", "Šilainių pl. 22-48, Kaunas", "19", "+370 655 70230"),
]
TOMAS, RUTA, ONA, DARIUS, MANTAS = 0, 1, 4, 5, 7
JONAS, VYTAUTAS, ANDRIUS, POVILAS = 10, 12, 14, 18
# Households: head first, then (member, relationship).
HOUSEHOLDS = [
    (0, [(1, "spouse"), (2, "child"), (3, "child")], "Žirmūnų g. 12-4, Vilnius", "13"),
    (5, [(6, "spouse")], "Laisvės al. 55-3, Kaunas", "19"),
]
KIOSK = ONA  # Ona Žemaitienė gets a kiosk PIN.
# Approved applications, so active benefits: person, declared monthly
# income (minor units), programmes.  Heating (HEAT) and hot water
# (HOT-WATER) reach six and five people in Vilnius and in Kaunas, cells
# the statistics show; the social benefit (SOC-BEN, two people) and rent
# support (RENT, one) in Vilnius stay under five, so they are withheld.
# Darius's heating compensation is the original sample's.
BENEFITS = [
    (ONA, 18000, ["HEAT", "HOT-WATER"]),
    (JONAS, 15000, ["HEAT", "HOT-WATER"]),
    (11, 16000, ["HEAT", "HOT-WATER"]),
    (VYTAUTAS, 12000, ["HEAT", "HOT-WATER"]),
    (13, 8000, ["HEAT", "HOT-WATER", "SOC-BEN"]),
    (ANDRIUS, 5000, ["HEAT", "SOC-BEN", "RENT"]),
    (MANTAS, 17000, ["HEAT", "HOT-WATER"]),
    (15, 14000, ["HEAT", "HOT-WATER"]),
    (16, 16500, ["HEAT", "HOT-WATER"]),
    (17, 13000, ["HEAT", "HOT-WATER"]),
    (POVILAS, 19000, ["HEAT", "HOT-WATER"]),
]
NO_ACCOUNT = POVILAS  # left without a bank account: the run skips him
FAILED = JONAS        # the bank reports his account closed
OBJECTS = DARIUS      # objects to his renewal through the office


def fail(what, code, msg):
    print("demo: seeding failed: %s: %s %s" % (what, code, msg), file=sys.stderr)
    sys.exit(1)


c = spis.Client(addr)
try:
    tok = c.login(user, password)
except RuntimeError as e:
    print("demo: seeding failed: %s" % e, file=sys.stderr)
    sys.exit(1)


def call(service, method, req, what, ok=(OK,), token=None, metadata=None):
    r, code, msg = c.call(service, method, req, token=token or (None if metadata else tok),
                          metadata=metadata)
    if code not in ok:
        fail(what, code, msg)
    return r, code


def nid(i):
    return PEOPLE[i][0]


def name(i):
    return "%s %s" % (PEOPLE[i][1], PEOPLE[i][2])


# --- People and households ---------------------------------------------------

added = 0
for n, given, surname, birth, sex, address, muni, phone in PEOPLE:
    _, code = call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
        request_id=spis.rid(), person=pb.Person(
            national_id=n, given_names=given, surname=surname, birth_date=birth, sex=sex,
            address=address, municipality=muni, phone=phone, language="lt"),
        reason="demo data"), "register " + n, ok=(OK, grpc.StatusCode.ALREADY_EXISTS))
    added += code == OK

made = 0
for head, members, address, muni in HOUSEHOLDS:
    card, _ = call("Registry", "GetPerson", pb.GetPersonRequest(
        national_id=nid(head), purpose="intake"), "read " + nid(head))
    hh = card.household
    if not hh.id:
        hh, _ = call("Households", "CreateHousehold", pb.CreateHouseholdRequest(
            request_id=spis.rid(), head_national_id=nid(head), address=address,
            municipality=muni, from_date=TODAY.isoformat(), reason="demo data"),
            "household of " + nid(head))
        made += 1
    have = {m.national_id for m in hh.members}
    for m, rel in members:
        if nid(m) in have:
            continue
        call("Households", "AddMember", pb.AddMemberRequest(
            request_id=spis.rid(), household_id=hh.id, national_id=nid(m),
            relationship=rel, from_date=TODAY.isoformat(), reason="demo data"), "member " + nid(m))

# The kiosk PIN: issued once and kept beside the demo database, so that
# every run prints one that works.  A PIN the file does not know (or one
# locked by wrong tries) is replaced.
pinfile = os.path.join(state, "kiosk-pin")
pin = open(pinfile).read().strip() if os.path.exists(pinfile) else ""
card, _ = call("Registry", "GetPerson", pb.GetPersonRequest(national_id=nid(KIOSK), purpose="helpdesk"),
               "read " + nid(KIOSK))
if not pin or card.pin_status != "active":
    issued, _ = call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=nid(KIOSK)),
                     "issue a PIN for " + nid(KIOSK))
    pin = issued.pin
    fd = os.open(pinfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(pin + "\n")

# --- Applications and benefits --------------------------------------------------


def submit(who, prog, income, assets):
    a, _ = call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme=prog, national_id=nid(who),
        declared=ap.Declared(monthly_income=income, assets=assets, confirmed=True)),
        "apply for %s for %s" % (prog, nid(who)))
    return a


def move(a, method, reason):
    call("Applications", method, ap.TransitionRequest(
        request_id=spis.rid(), reference=a.reference, reason=reason), method + " " + a.reference)


def approve(a, reason):
    move(a, "StartReview", "demo data")
    call("Applications", "Decide", ap.DecideRequest(
        request_id=spis.rid(), reference=a.reference, outcome="approved", reason=reason),
        "decide " + a.reference)


def applications(who):
    mine, _ = call("Applications", "ListApplications", ap.ListApplicationsRequest(
        national_id=nid(who)), "applications of " + nid(who))
    return list(mine.applications)


# The work queue, once: the Kazlauskas family applies for child benefit
# (left submitted) and the social benefit (taken into review), Darius
# Petrauskas for heating compensation (approved).  A status check needs
# the reference and the birth date; the first one is printed.
mine = applications(TOMAS)
if not mine:
    submit(TOMAS, "CHILD", 95000, 200000)
    move(submit(TOMAS, "SOC-BEN", 30000, 100000), "StartReview", "demo data")
    approve(submit(DARIUS, "HEAT", 32000, 50000), "income checked against the pay slips")
    mine = applications(TOMAS)
status = mine[-1] if mine else None

decided = 0
for who, income, progs in BENEFITS:
    have = {a.programme for a in applications(who)}
    for prog in progs:
        if prog in have:
            continue
        approve(submit(who, prog, income, 100000), "income and assets checked against the declaration")
        decided += 1

# Bank accounts for everyone with a benefit but one, so that a payment run
# has someone to skip.
for who in [DARIUS] + [b[0] for b in BENEFITS]:
    if who == NO_ACCOUNT:
        continue
    _, code = call("Benefits", "GetBankAccount", bn.GetBankAccountRequest(national_id=nid(who)),
                   "bank account of " + nid(who), ok=(OK, grpc.StatusCode.NOT_FOUND))
    if code == OK:
        continue
    call("Benefits", "SetBankAccount", bn.SetBankAccountRequest(
        request_id=spis.rid(), account=bn.BankAccount(
            national_id=nid(who), iban=iban(1000 + who), holder=name(who)),
        reason="demo data: account given at the office"), "set the bank account of " + nid(who))

# --- Payment runs ------------------------------------------------------------------
# Made by the clerk, so that the demo officer may approve them (four eyes).
runs, _ = call("Payments", "ListRuns", bn.ListRunsRequest(), "list the payment runs")
if not runs.runs:
    try:
        clerk = c.login(clerk_user, clerk_password)
    except RuntimeError as e:
        fail("log in as " + clerk_user, "", str(e))

    def run_call(method, req, what, token):
        return call("Payments", method, req, what, token=token)[0]

    hot = run_call("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme="HOT-WATER", period=MONTH),
                   "create the hot water run", clerk)
    run_call("ApproveRun", bn.RunActionRequest(request_id=spis.rid(), run_id=hot.id),
             "approve the hot water run", tok)
    run_call("ExportRun", bn.RunActionRequest(request_id=spis.rid(), run_id=hot.id),
             "export the hot water run", clerk)
    got = run_call("GetRun", bn.GetRunRequest(run_id=hot.id, page_size=500), "read the hot water run", clerk)
    lines = ["end_to_end_id,status,reason"]
    for p in got.payments:
        lines.append("%s,failed,AC04" % p.end_to_end_id if p.national_id == nid(FAILED)
                     else "%s,paid," % p.end_to_end_id)
    run_call("ImportStatus", bn.ImportStatusRequest(
        request_id=spis.rid(), run_id=hot.id, format="csv", content=("\n".join(lines) + "\n").encode()),
        "import the bank's status report", clerk)
    run_call("CreateRun", bn.CreateRunRequest(request_id=spis.rid(), programme="HEAT", period=MONTH),
             "create the heating run", clerk)
    runs, _ = call("Payments", "ListRuns", bn.ListRunsRequest(), "list the payment runs")
draft = next((r for r in runs.runs if r.state == "draft"), None)

# --- Institutions and their first feeds -----------------------------------------
INSTITUTIONS = [
    ("SODRA", "Valstybinio socialinio draudimo fondo valdyba (Sodra)", ["income", "employment"]),
    ("RC", "Registrų centras (gyventojų registras)", ["birth", "death"]),
]
NEWBORN = ("Austėja", "Kazlauskaitė", "F")


def token_file(code):
    return os.path.join(state, "institution-%s.token" % code)


def save_token(code, token):
    fd = os.open(token_file(code), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")


insts, _ = call("Exchange", "ListInstitutions", ex.ListInstitutionsRequest(), "list the institutions")
known = {i.code: i for i in insts.institutions}
tokens = {}
for code, iname, kinds in INSTITUTIONS:
    if code not in known:
        cred, _ = call("Exchange", "RegisterInstitution", ex.RegisterInstitutionRequest(
            request_id=spis.rid(), institution=ex.Institution(code=code, name=iname, kinds=kinds)),
            "register the institution " + code)
        save_token(code, cred.token)
    elif not os.path.exists(token_file(code)):
        # The token is shown once; a lost one is replaced.
        cred, _ = call("Exchange", "RotateInstitutionToken", ex.RotateInstitutionTokenRequest(
            request_id=spis.rid(), code=code), "new token for " + code)
        save_token(code, cred.token)
    tokens[code] = open(token_file(code)).read().strip()


def fed(code):
    i = known.get(code)
    return i is not None and (i.facts_stored or i.facts_unchanged or i.facts_rejected)


def feed(code, batch, facts):
    call("Exchange", "SubmitFacts", ex.SubmitFactsRequest(batch_id=batch, facts=facts),
         "feed from " + code, metadata=[("x-spis-institution", tokens[code])])


if not fed("SODRA"):
    # Vytautas's reported income lifts him over the means test of his
    # heating and hot water compensation: both are flagged for review.
    # The last fact names someone the registry does not know: a feed error.
    feed("SODRA", "demo-" + LAST_MONTH, [
        ex.InstitutionFact(record_id="demo-inc-1", national_id=nid(ONA), kind="income",
                           period=LAST_MONTH, amount=18000),
        ex.InstitutionFact(record_id="demo-inc-2", national_id=nid(MANTAS), kind="income",
                           period=LAST_MONTH, amount=17000),
        ex.InstitutionFact(record_id="demo-inc-3", national_id=nid(VYTAUTAS), kind="income",
                           period=LAST_MONTH, amount=65000),
        ex.InstitutionFact(record_id="demo-emp-1", national_id=nid(MANTAS), kind="employment",
                           period=LAST_MONTH, value="employed"),
        ex.InstitutionFact(record_id="demo-emp-2", national_id=nid(ANDRIUS), kind="employment",
                           period=LAST_MONTH, value="registered_unemployed"),
        ex.InstitutionFact(record_id="demo-inc-4", national_id=lt(3, "770707", 998), kind="income",
                           period=LAST_MONTH, amount=99000),
    ])
if not fed("RC"):
    born = TODAY - datetime.timedelta(days=3)
    feed("RC", "demo-births", [ex.InstitutionFact(
        record_id="demo-birth-1", national_id=lt(6, born.strftime("%y%m%d"), 120), kind="birth",
        period=born.isoformat(), related_id=nid(RUTA), given_names=NEWBORN[0], surname=NEWBORN[1],
        sex=NEWBORN[2])])

# --- The yearly renewal, run ahead ---------------------------------------------
jobs, _ = call("Benefits", "ListRenewalJobs", bn.ListRenewalJobsRequest(), "list the renewal jobs")
if not jobs.jobs:
    job, _ = call("Benefits", "StartRenewal", bn.StartRenewalRequest(
        request_id=spis.rid(), as_of=RENEW_AS_OF.isoformat()), "start the renewal")
    # A bounded wait for the daemon's renewal thread.
    deadline = time.monotonic() + 60
    while job.state != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
        job, _ = call("Benefits", "GetRenewalJob", bn.GetRenewalJobRequest(job_id=job.id),
                      "follow the renewal")
    if job.state != "done":
        fail("the renewal job", "", "still running after 60 s")
    ren, _ = call("Benefits", "ListRenewals", bn.ListRenewalsRequest(job_id=job.id), "list the renewals")
    for x in ren.renewals:
        if x.national_id == nid(OBJECTS) and x.state == "pending":
            call("Benefits", "Object", bn.ObjectRequest(
                request_id=spis.rid(), renewal_id=x.id,
                reason="Mano šildymo sąskaitos išaugo; prašau perskaičiuoti."),
                "object to renewal %d" % x.id)

# --- What the statistics now show ------------------------------------------------
table, _ = call("Stats", "Beneficiaries", st.BeneficiariesRequest(from_month=MONTH, to_month=MONTH),
                "read the statistics")
shown = ["%s %d" % (t.key, t.people.value) for t in table.programme_totals
         if t.month == MONTH and not t.people.suppressed and t.people.value > 0]
withheld = [t.key for t in table.programme_totals if t.month == MONTH and t.people.suppressed]

# --- The guide ---------------------------------------------------------------------
guide = """\
sample registry: {people} people ({added} new), {hh} households ({made} new), {decided} applications decided now

What to try.  Console (scripts/demo.sh): log in as "{user}", password "{password}"
(every office role, the whole country).  On the home screen:
  s  search: surname "kazl" with municipality 13, or national ID {tomas};
     Enter opens a person: b bank account, i facts from institutions,
     o household (the Kazlauskas household has a newborn from the RC feed),
     h history (Andrius Butkus's employment came from SODRA)
  w  work queue: Tomas Kazlauskas's applications wait for a decision
  y  payment runs: {draft}
     (four eyes: the run is "{clerk}"'s, so "{user}" may approve it);
     the hot water run is paid and reconciled
  f  failed payments: {failed}'s hot water payment (account closed)
  e  yearly renewal: a job run ahead, as of {next_year}, when this year's
     benefits are due: each has an informative calculation
  o  objections: Darius Petrauskas objected to his; Enter, then d resolves it
  t  statistics: bars for {shown}; {withheld} show "<5"
     (fewer than 5 people, withheld); F2 shows the applications table
  m  microsimulation: pick HEAT, change "2 * 102.00" to "3 * 102.00", F5
  i  institutions: SODRA and RC with their feeds; Enter shows feed errors
  a  audit trail of everything above
Kiosk (scripts/demo.sh kiosk): 5 Support and benefits, 4 My benefits and
  payments, national ID {kiosk_id} and PIN {pin} ({kiosk_name}); Enter on a
  benefit shows its payments and renewal; 1 objects to the renewal.
  Status check without a PIN (5, then 3): reference {ref}, birth date {ref_birth}.
Institution SODRA (token in {token_path}):
  feed a fact: scripts/demo_feed.py income {kiosk_id} {last_month} 210.00
     (then s, her ID, Enter, i in the console shows it)
Research sample (analyst role): scripts/demo_sample.py {year}-01-01 {today}
""".format(
    people=len(PEOPLE), added=added, hh=len(HOUSEHOLDS), made=made, decided=decided,
    user=user, password=password, clerk=clerk_user, tomas=nid(TOMAS),
    draft=("run %d (%s %s, %d payments) is a draft: Enter, a approves, x writes the bank file"
           % (draft.id, draft.programme, draft.period, draft.count)) if draft
    else "no draft run is left (approved already)",
    failed=name(FAILED), next_year=RENEW_AS_OF.isoformat(),
    shown=", ".join(shown) or "none", withheld=" and ".join(withheld) or "none",
    kiosk_id=nid(KIOSK), pin=pin, kiosk_name=name(KIOSK),
    ref=status.reference if status else "-", ref_birth=PEOPLE[TOMAS][3],
    token_path=token_file("SODRA"), last_month=LAST_MONTH, year=TODAY.year,
    today=TODAY.isoformat())
with open(os.path.join(state, "guide.txt"), "w") as f:
    f.write(guide)
for line in guide.splitlines():
    print("demo: " + line if line else "demo:")
