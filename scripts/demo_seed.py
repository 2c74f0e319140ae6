"""scripts/demo_seed.py: a small sample registry for the demo, seeded through
the daemon's RPCs as the demo officer, so that every record passes the
registry's checks and every change is in the audit trail.

    demo_seed.py PYDIR ADDR USER PASSWORD STATEDIR

PYDIR holds the Python modules protoc generated from proto/.  Ten people
with valid Lithuanian personal codes in Vilnius, Kaunas and Klaipėda, two
households, and a kiosk PIN for one citizen, kept in STATEDIR/kiosk-pin so
that a second run prints the same one.  Running it again changes nothing:
people already registered and households already made are left alone.
Prints what a new user needs; exits 1 with the reason when a call fails.
"""
import datetime
import os
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import registry_pb2 as pb  # noqa: E402

addr, user, password, state = sys.argv[2:6]
OK = grpc.StatusCode.OK


def lt(first, yymmdd, serial):
    """A Lithuanian personal code with its check digit (two weight passes)."""
    s = "%d%s%03d" % (first, yymmdd, serial)
    d = [int(x) for x in s]
    for w in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(d, w)) % 11
        if k != 10:
            return s + str(k)
    return s + "0"


# national ID, given names, surname, birth date, sex, address, municipality,
# phone.  The first digit: 3 a man, 4 a woman born in the 1900s; 5 and 6
# for the 2000s.
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
]
# Households: head first, then (member, relationship).
HOUSEHOLDS = [
    (0, [(1, "spouse"), (2, "child"), (3, "child")], "Žirmūnų g. 12-4, Vilnius", "13"),
    (5, [(6, "spouse")], "Laisvės al. 55-3, Kaunas", "19"),
]
KIOSK = 4  # Ona Žemaitienė gets a kiosk PIN.


def fail(what, code, msg):
    print("demo: seeding failed: %s: %s %s" % (what, code, msg), file=sys.stderr)
    sys.exit(1)


c = spis.Client(addr)
try:
    tok = c.login(user, password)
except RuntimeError as e:
    print("demo: seeding failed: %s" % e, file=sys.stderr)
    sys.exit(1)


def call(service, method, req, what, ok=(OK,)):
    r, code, msg = c.call(service, method, req, token=tok)
    if code not in ok:
        fail(what, code, msg)
    return r, code


added = 0
for nid, given, surname, birth, sex, address, muni, phone in PEOPLE:
    _, code = call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
        request_id=spis.rid(), person=pb.Person(
            national_id=nid, given_names=given, surname=surname, birth_date=birth, sex=sex,
            address=address, municipality=muni, phone=phone, language="lt"),
        reason="demo data"), "register " + nid, ok=(OK, grpc.StatusCode.ALREADY_EXISTS))
    added += code == OK

made = 0
today = datetime.date.today().isoformat()
for head, members, address, muni in HOUSEHOLDS:
    card, _ = call("Registry", "GetPerson", pb.GetPersonRequest(
        national_id=PEOPLE[head][0], purpose="intake"), "read " + PEOPLE[head][0])
    hh = card.household
    if not hh.id:
        hh, _ = call("Households", "CreateHousehold", pb.CreateHouseholdRequest(
            request_id=spis.rid(), head_national_id=PEOPLE[head][0], address=address,
            municipality=muni, from_date=today, reason="demo data"),
            "household of " + PEOPLE[head][0])
        made += 1
    have = {m.national_id for m in hh.members}
    for m, rel in members:
        if PEOPLE[m][0] in have:
            continue
        call("Households", "AddMember", pb.AddMemberRequest(
            request_id=spis.rid(), household_id=hh.id, national_id=PEOPLE[m][0],
            relationship=rel, from_date=today, reason="demo data"), "member " + PEOPLE[m][0])

# The kiosk PIN: issued once and kept beside the demo database, so that
# every run prints one that works.  A PIN the file does not know (or one
# locked by wrong tries) is replaced.
nid = PEOPLE[KIOSK][0]
pinfile = os.path.join(state, "kiosk-pin")
pin = open(pinfile).read().strip() if os.path.exists(pinfile) else ""
card, _ = call("Registry", "GetPerson", pb.GetPersonRequest(national_id=nid, purpose="helpdesk"),
               "read " + nid)
if not pin or card.pin_status != "active":
    issued, _ = call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=nid),
                     "issue a PIN for " + nid)
    pin = issued.pin
    fd = os.open(pinfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(pin + "\n")

# Applications for the work queue, once: the Kazlauskas family applies for
# child benefit (left submitted) and the social benefit (taken into review),
# Darius Petrauskas for heating compensation (approved).  A status check
# needs the reference and the birth date; the first one is printed.
mine, _ = call("Applications", "ListApplications", ap.ListApplicationsRequest(
    national_id=PEOPLE[0][0]), "applications of " + PEOPLE[0][0])
if not mine.applications:
    def submit(who, prog, income, assets):
        a, _ = call("Applications", "Submit", ap.SubmitRequest(
            request_id=spis.rid(), programme=prog, national_id=PEOPLE[who][0],
            declared=ap.Declared(monthly_income=income, assets=assets, confirmed=True)),
            "apply for " + prog)
        return a

    def move(a, method, reason):
        call("Applications", method, ap.TransitionRequest(
            request_id=spis.rid(), reference=a.reference, reason=reason), method + " " + a.reference)

    submit(0, "CHILD", 95000, 200000)
    move(submit(0, "SOC-BEN", 30000, 100000), "StartReview", "demo data")
    heat = submit(5, "HEAT", 32000, 50000)
    move(heat, "StartReview", "demo data")
    call("Applications", "Decide", ap.DecideRequest(
        request_id=spis.rid(), reference=heat.reference, outcome="approved",
        reason="income checked against the pay slips"), "decide " + heat.reference)
    mine, _ = call("Applications", "ListApplications", ap.ListApplicationsRequest(
        national_id=PEOPLE[0][0]), "applications of " + PEOPLE[0][0])
status = mine.applications[-1] if mine.applications else None

print("demo: sample registry: %d people (%d new), %d households (%d new)"
      % (len(PEOPLE), added, len(HOUSEHOLDS), made))
print("demo: try a search: surname \"kazl\" with municipality 13, or national ID %s" % PEOPLE[0][0])
print("demo: kiosk: national ID %s, PIN %s (%s %s)" % (nid, pin, PEOPLE[KIOSK][1], PEOPLE[KIOSK][2]))
if status is not None:
    print("demo: kiosk status check: reference %s, birth date %s" % (status.reference, PEOPLE[0][3]))
