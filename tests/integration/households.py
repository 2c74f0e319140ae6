"""Checks for tests/integration/households.sh: spis.v1.Households.

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
from spis.v1 import audit_pb2 as au  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECOND = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
TODAY = datetime.date.today()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()


def lt_code(sex, birth, serial):
    """A valid Lithuanian personal code (the algorithm in lib/natid.h)."""
    y, m, d = (int(x) for x in birth.split("-"))
    g = (y - 1800) // 100 * 2 + (1 if sex == "M" else 2)
    digits = [int(x) for x in "%d%02d%02d%02d%03d" % (g, y % 100, m, d, serial)]
    s = sum(a * w for a, w in zip(digits, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1])) % 11
    if s == 10:
        s = sum(a * w for a, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 1, 2, 3])) % 11
        s = 0 if s == 10 else s
    return "".join(map(str, digits)) + str(s)


def bad_check_digit(code):
    return code[:10] + str((int(code[10]) + 1) % 10)


db = sqlite3.connect(dbpath, timeout=10)
clerk13 = c.login("clerk13")
clerk19 = c.login("clerk19")
clerk = c.login("clerk")
helpdesk = c.login("help")
auditor = c.login("audit")


def call(method, req, tok=clerk13):
    return c.call("Households", method, req, token=tok)


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    ok = gcode == code and (field is None or msg.startswith(field + ":")) and \
        (text is None or text in msg)
    check(name, ok, "%s %r" % (gcode, msg))


def register(nid, given, surname, birth, sex, muni="13"):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth, sex=sex,
                 municipality=muni)
    rep, code, msg = c.call("Registry", "RegisterPerson",
                            r.RegisterPersonRequest(request_id=spis.rid(), person=p), token=clerk)
    check("register %s %s" % (given, surname), code == OK, "%s %s" % (code, msg))


def rows(sql, *args):
    return db.execute(sql, args).fetchall()


def memberships():
    return rows("SELECT count(*), coalesce(max(id), 0) FROM memberships")[0] + \
        rows("SELECT count(*) FROM households")[0]


A = lt_code("M", "1980-04-12", 101)   # head of household 1
B = lt_code("F", "1982-07-01", 102)   # spouse
C = lt_code("M", "2010-02-14", 103)   # child, moves later
D = lt_code("F", "1950-11-30", 104)   # grandmother
E = lt_code("M", "1990-09-09", 105)   # head of household 2
F = lt_code("F", "2020-05-05", 106)   # born in 2020; in no household
G = lt_code("M", "1940-01-01", 107)   # deceased
H = lt_code("F", "1985-03-03", 108)   # merged into B
I = lt_code("M", "1970-08-08", 110)   # in no household
NOBODY = lt_code("M", "1999-12-31", 109)
register(A, "Jonas", "Kazlauskas", "1980-04-12", "M")
register(B, "Aušra", "Kazlauskienė", "1982-07-01", "F")
register(C, "Mantas", "Kazlauskas", "2010-02-14", "M")
register(D, "Ona", "Petrauskienė", "1950-11-30", "F")
register(E, "Ömer", "Şahin", "1990-09-09", "M")
register(F, "Ūla", "Žemaitė", "2020-05-05", "F")
register(G, "Petras", "Senas", "1940-01-01", "M")
register(H, "Rūta", "Dvigubaitė", "1985-03-03", "F")
register(I, "İsmail", "Yılmaz", "1970-08-08", "M")
_, code, msg = c.call("Registry", "RecordDeath", r.RecordDeathRequest(
    request_id=spis.rid(), national_id=G, date_of_death="2021-03-01",
    reason="death certificate 1"), token=clerk)
check("setup: RecordDeath", code == OK, "%s %s" % (code, msg))
# A merge is the duplicates service's business; here the record only needs
# to be in the state a merge leaves it in.
db.execute("UPDATE people SET merged_into = ? WHERE national_id = ?", (B, H))
db.commit()

# --- CreateHousehold ---------------------------------------------------
ADDR = "Gedimino pr. 1-2, Vilnius (ąčęėįšųūž)"
create_id = spis.rid()
req = r.CreateHouseholdRequest(request_id=create_id, head_national_id=A, address=ADDR,
                               municipality="13", from_date="2015-01-01", reason="new family")
hh, code, msg = call("CreateHousehold", req)
check("CreateHousehold: head, address, municipality", code == OK and hh.address == ADDR and
      hh.municipality == "13" and len(hh.members) == 1 and hh.members[0].national_id == A and
      hh.members[0].relationship == "head" and hh.members[0].from_date == "2015-01-01" and
      hh.members[0].given_names == "Jonas", "%s %s %s" % (code, msg, hh))
H1 = hh.id if hh else "0"
check("CreateHousehold: the id is a decimal integer", H1.isdigit(), H1)
n = memberships()
again, code, msg = call("CreateHousehold", req)
check("CreateHousehold replayed with its request_id: the same household, nothing new",
      code == OK and again.id == H1 and memberships() == n, "%s %s %s" % (code, msg, again))

bad = dict(head_national_id=E, address="x", municipality="13", from_date="2018-01-01")


def create_bad(name, code, field, tok=clerk13, text=None, **kw):
    args = dict(bad)
    args.update(kw)
    before = memberships()
    expect("CreateHousehold refuses " + name, call("CreateHousehold", r.CreateHouseholdRequest(
        request_id=spis.rid(), **args), tok), code, field, text)
    check("CreateHousehold " + name + ": nothing written", memberships() == before)


create_bad("an address over 200 characters", INVALID, "address", address="ą" * 201)
create_bad("control characters in the address", INVALID, "address", address="a\x07b")
create_bad("an unknown municipality", INVALID, "municipality", municipality="99")
create_bad("no municipality", INVALID, "municipality", municipality="")
create_bad("a bad national ID", INVALID, "head_national_id", head_national_id=bad_check_digit(E))
create_bad("an unregistered head", NOT_FOUND, "head_national_id", head_national_id=NOBODY)
create_bad("a head already in a household", PRECOND, "head_national_id",
           text="already a member of household %s since 2015-01-01; use MoveMember" % H1,
           head_national_id=A)
create_bad("a deceased head", PRECOND, "head_national_id", head_national_id=G)
create_bad("a merged record", PRECOND, "head_national_id", head_national_id=H)
create_bad("an impossible date", INVALID, "from_date", from_date="2018-02-29")
create_bad("a future date", INVALID, "from_date", from_date=TOMORROW)
create_bad("a date before the head's birth", INVALID, "from_date", from_date="1989-01-01")
create_bad("outside the clerk's municipality", DENIED, "municipality", tok=clerk19)
create_bad("from the helpdesk", DENIED, None, tok=helpdesk)
expect("CreateHousehold without a request_id", call("CreateHousehold", r.CreateHouseholdRequest(
    head_national_id=E, municipality="19", from_date="2018-01-01")), INVALID, "request_id")

# The national clerk may create anywhere; household 2 is in municipality 19.
hh2, code, msg = call("CreateHousehold", r.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=E, address="Laisvės al. 5, Kaunas",
    municipality="19", from_date="2018-01-01"), clerk)
check("CreateHousehold by a national clerk in 19", code == OK, "%s %s" % (code, msg))
H2 = hh2.id if hh2 else "0"
today, code, msg = call("CreateHousehold", r.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=F, municipality="19"), clerk19)
check("CreateHousehold without from_date starts today", code == OK and
      today.members[0].from_date == TODAY.isoformat(), "%s %s" % (code, msg))
H3 = today.id if today else "0"

# --- AddMember ---------------------------------------------------------
for nid, rel in ((B, "spouse"), (C, "child")):
    hh, code, msg = call("AddMember", r.AddMemberRequest(
        request_id=spis.rid(), household_id=H1, national_id=nid, relationship=rel,
        from_date="2015-01-01", reason="moved in together"))
    check("AddMember " + rel, code == OK and hh.members[-1].national_id == nid and
          hh.members[-1].relationship == rel and hh.members[0].relationship == "head",
          "%s %s" % (code, msg))
add_id = spis.rid()
add_req = r.AddMemberRequest(request_id=add_id, household_id=H1, national_id=D,
                             relationship="grandparent", from_date="2016-03-01")
hh, code, msg = call("AddMember", add_req, clerk)
check("AddMember by a national clerk in 13", code == OK and len(hh.members) == 4,
      "%s %s" % (code, msg))
n = memberships()
again, code, msg = call("AddMember", add_req, clerk)
check("AddMember replayed: the same reply, nothing new", code == OK and again == hh and
      memberships() == n, "%s %s" % (code, msg))

refused_id = spis.rid()
first = call("AddMember", r.AddMemberRequest(request_id=refused_id, household_id=H1,
                                             national_id=B, relationship="child",
                                             from_date="2019-01-01"))
again = call("AddMember", r.AddMemberRequest(request_id=refused_id, household_id=H1,
                                             national_id=B, relationship="child",
                                             from_date="2019-01-01"))
check("AddMember: a refusal replayed by request_id answers the same", first[1] == PRECOND and
      first[1:] == again[1:], "%s / %s" % (first[1:], again[1:]))

addbad = dict(household_id=H1, national_id=E, relationship="other", from_date="2019-01-01")


def add_bad(name, code, field, tok=clerk13, text=None, **kw):
    args = dict(addbad)
    args.update(kw)
    before = memberships()
    expect("AddMember refuses " + name, call("AddMember", r.AddMemberRequest(
        request_id=spis.rid(), **args), tok), code, field, text)
    check("AddMember " + name + ": nothing written", memberships() == before)


add_bad("\"head\" (ChangeHead's work)", INVALID, "relationship", relationship="head")
add_bad("an unknown relationship", INVALID, "relationship", relationship="cousin")
add_bad("no relationship", INVALID, "relationship", relationship="")
add_bad("no from_date", INVALID, "from_date", from_date="")
add_bad("a malformed date", INVALID, "from_date", from_date="2019-1-1")
add_bad("a future date", INVALID, "from_date", from_date=TOMORROW)
add_bad("a date before the person's birth", INVALID, "from_date", national_id=C,
        from_date="2009-12-31")
add_bad("a bad national ID", INVALID, "national_id", national_id=bad_check_digit(F))
add_bad("an unregistered person", NOT_FOUND, "national_id", national_id=NOBODY)
add_bad("a person already in a household", PRECOND, "national_id", national_id=B,
        text="already a member of household %s since 2015-01-01; use MoveMember" % H1)
add_bad("a person already in another household", PRECOND, "national_id",
        text="already a member of household %s since 2018-01-01" % H2)
add_bad("a deceased person", PRECOND, "national_id", national_id=G)
add_bad("a merged record", PRECOND, "national_id", national_id=H)
add_bad("an unknown household", NOT_FOUND, "household_id", household_id="999999")
add_bad("a household id that is not a number", INVALID, "household_id", household_id="1; x")
add_bad("a reason with control characters", INVALID, "reason", reason="a\x1bb")
add_bad("in another municipality (clerk19 in 13)", DENIED, "household_id", tok=clerk19)
add_bad("from the helpdesk", DENIED, None, tok=helpdesk)

# --- MoveMember --------------------------------------------------------
movebad = dict(national_id=C, to_household_id=H2, relationship="other_relative",
               date="2020-06-01")


def move_bad(name, code, field, tok=clerk, text=None, **kw):
    args = dict(movebad)
    args.update(kw)
    before = memberships()
    expect("MoveMember refuses " + name, call("MoveMember", r.MoveMemberRequest(
        request_id=spis.rid(), **args), tok), code, field, text)
    check("MoveMember " + name + ": nothing written", memberships() == before)


move_bad("into household 19 for clerk13", DENIED, "to_household_id", tok=clerk13)
move_bad("out of household 13 for clerk19", DENIED, "national_id", tok=clerk19)
move_bad("as a second head", PRECOND, "relationship", relationship="head",
         text="two heads are impossible")
move_bad("the head while others stay, without a new head", PRECOND, "new_head_national_id",
         national_id=A)
move_bad("the head with a new head from elsewhere", PRECOND, "new_head_national_id",
         national_id=A, new_head_national_id=E)
move_bad("the head naming themselves as new head", INVALID, "new_head_national_id",
         national_id=A, new_head_national_id=A)
move_bad("a new head when the leaver is not head", PRECOND, "new_head_national_id",
         new_head_national_id=B)
move_bad("into the household they are in", PRECOND, "to_household_id", to_household_id=H1)
move_bad("someone in no household", PRECOND, "national_id", national_id=I,
         to_household_id=H3, date="2020-01-01", text="use AddMember")
move_bad("before their membership began", PRECOND, "date", date="2014-12-31")
move_bad("a future date", INVALID, "date", date=TOMORROW)
move_bad("an unknown household", NOT_FOUND, "to_household_id", to_household_id="424242")
move_bad("from the helpdesk", DENIED, None, tok=helpdesk)

n = memberships()
hh, code, msg = call("MoveMember", r.MoveMemberRequest(
    request_id=spis.rid(), national_id=C, to_household_id=H2, relationship="other_relative",
    date="2020-06-01", reason="lives with his uncle"), clerk)
check("MoveMember: the reply is the new household", code == OK and hh.id == H2 and
      [m.national_id for m in hh.members] == [E, C], "%s %s" % (code, msg))
got, code, msg = call("GetHousehold", r.GetHouseholdRequest(household_id=H1, purpose="case_work"))
check("MoveMember: the old membership ends on the date", code == OK and
      C not in [m.national_id for m in got.members] and
      [(m.national_id, m.to_date) for m in got.former] == [(C, "2020-06-01")], got)
check("MoveMember: one row closed, one opened", memberships()[0] == n[0] + 1)
check("MoveMember: the new membership starts the same date",
      rows("SELECT from_date FROM memberships WHERE national_id = ? AND to_date = ''", C) ==
      [("2020-06-01",)])

# --- RemoveMember and overlap -----------------------------------------
hh, code, msg = call("RemoveMember", r.RemoveMemberRequest(
    request_id=spis.rid(), household_id=H2, national_id=C, to_date="2021-01-01",
    reason="moved back"), clerk)
check("RemoveMember", code == OK and [m.national_id for m in hh.members] == [E],
      "%s %s" % (code, msg))
add_bad("a from_date overlapping a past membership", PRECOND, "from_date", national_id=C,
        from_date="2020-12-31", text="household %s from 2020-06-01 to 2021-01-01" % H2)
hh, code, msg = call("AddMember", r.AddMemberRequest(
    request_id=spis.rid(), household_id=H1, national_id=C, relationship="child",
    from_date="2021-01-01"))
check("AddMember from the day a past membership ended", code == OK, "%s %s" % (code, msg))

rembad = dict(household_id=H1, national_id=A, to_date="2023-01-01")


def remove_bad(name, code, field, tok=clerk13, text=None, **kw):
    args = dict(rembad)
    args.update(kw)
    before = memberships()
    expect("RemoveMember refuses " + name, call("RemoveMember", r.RemoveMemberRequest(
        request_id=spis.rid(), **args), tok), code, field, text)
    check("RemoveMember " + name + ": nothing written", memberships() == before)


remove_bad("the head while others stay, without a new head", PRECOND, "new_head_national_id")
remove_bad("a new head who is not a member", PRECOND, "new_head_national_id",
           new_head_national_id=F)
remove_bad("a new head when the leaver is not head", PRECOND, "new_head_national_id",
           national_id=B, new_head_national_id=C)
remove_bad("someone not in the household", PRECOND, "national_id", national_id=E)
remove_bad("a to_date before the membership began", PRECOND, "to_date", national_id=C,
           to_date="2020-12-31")
remove_bad("a bad to_date", INVALID, "to_date", to_date="2023-13-01")
remove_bad("in another municipality", DENIED, "household_id", tok=clerk19)
remove_bad("from the helpdesk", DENIED, None, tok=helpdesk)

# --- ChangeHead --------------------------------------------------------
chbad = dict(household_id=H1, national_id=B, old_head_relationship="spouse", date="2022-01-01")


def head_bad(name, code, field, tok=clerk13, text=None, **kw):
    args = dict(chbad)
    args.update(kw)
    before = memberships()
    expect("ChangeHead refuses " + name, call("ChangeHead", r.ChangeHeadRequest(
        request_id=spis.rid(), **args), tok), code, field, text)
    check("ChangeHead " + name + ": nothing written", memberships() == before)


head_bad("someone not a member", PRECOND, "national_id", national_id=E)
head_bad("the head already", PRECOND, "national_id", national_id=A)
head_bad("no old_head_relationship", INVALID, "old_head_relationship", old_head_relationship="")
head_bad("\"head\" for the old head", INVALID, "old_head_relationship",
         old_head_relationship="head")
head_bad("a date before the head's membership", PRECOND, "date", date="2014-06-01")
head_bad("in another municipality", DENIED, "household_id", tok=clerk19)
head_bad("from the helpdesk", DENIED, None, tok=helpdesk)
hh, code, msg = call("ChangeHead", r.ChangeHeadRequest(
    request_id=spis.rid(), household_id=H1, national_id=B, old_head_relationship="spouse",
    date="2022-01-01", reason="agreed"))
check("ChangeHead: the new head first, the old head stays as spouse", code == OK and
      (hh.members[0].national_id, hh.members[0].relationship) == (B, "head") and
      (A, "spouse") in [(m.national_id, m.relationship) for m in hh.members] and
      len(hh.members) == 4, "%s %s %s" % (code, msg, hh))
got, code, msg = call("GetHousehold", r.GetHouseholdRequest(household_id=H1, purpose="case_work"))
former = [(m.national_id, m.relationship, m.from_date, m.to_date) for m in got.former]
check("ChangeHead: history keeps both old relationships",
      (A, "head", "2015-01-01", "2022-01-01") in former and
      (B, "spouse", "2015-01-01", "2022-01-01") in former, former)
check("one open head per household, one open membership per person (store)",
      rows("SELECT count(*) FROM (SELECT household_id FROM memberships WHERE to_date = ''"
           " AND relationship = 'head' GROUP BY household_id HAVING count(*) > 1)") == [(0,)] and
      rows("SELECT count(*) FROM (SELECT national_id FROM memberships WHERE to_date = ''"
           " GROUP BY national_id HAVING count(*) > 1)") == [(0,)])

# The head leaves naming a successor.
hh, code, msg = call("RemoveMember", r.RemoveMemberRequest(
    request_id=spis.rid(), household_id=H1, national_id=B, to_date="2023-01-01",
    new_head_national_id=A, reason="moved abroad"))
check("RemoveMember of the head with a new head", code == OK and
      hh.members[0].national_id == A and hh.members[0].relationship == "head" and
      B not in [m.national_id for m in hh.members], "%s %s" % (code, msg))

# The last member leaves: the household is left with no members.
hh, code, msg = call("RemoveMember", r.RemoveMemberRequest(
    request_id=spis.rid(), household_id=H2, national_id=E, to_date="2024-01-01"), clerk)
check("RemoveMember of the head when no one stays: no members", code == OK and
      len(hh.members) == 0, "%s %s" % (code, msg))
got, code, msg = call("GetHousehold", r.GetHouseholdRequest(household_id=H2, purpose="case_work"))
check("GetHousehold of an empty household lists its former members", code == OK and
      len(got.members) == 0 and sorted(m.national_id for m in got.former) == sorted([E, C]),
      "%s %s" % (code, msg))
hh, code, msg = call("MoveMember", r.MoveMemberRequest(
    request_id=spis.rid(), national_id=D, to_household_id=H2, relationship="head",
    date="2024-02-01", reason="took the flat"), clerk)
check("MoveMember as head into a household without one", code == OK and
      [(m.national_id, m.relationship) for m in hh.members] == [(D, "head")],
      "%s %s" % (code, msg))

# --- GetHousehold as of a date ----------------------------------------


def as_of(day):
    got, code, msg = call("GetHousehold", r.GetHouseholdRequest(
        household_id=H1, purpose="helpdesk", as_of=day), helpdesk)
    if code != OK:
        return "%s %s" % (code, msg)
    return [(m.national_id, m.relationship) for m in got.members]


check("as_of the day before the household began: nobody", as_of("2014-12-31") == [])
check("as_of 2015-01-01: head, spouse, child",
      as_of("2015-01-01") == [(A, "head"), (B, "spouse"), (C, "child")], as_of("2015-01-01"))
check("as_of 2020-05-31: four members",
      as_of("2020-05-31") == [(A, "head"), (B, "spouse"), (C, "child"), (D, "grandparent")],
      as_of("2020-05-31"))
check("as_of the day of the move: the child is gone",
      as_of("2020-06-01") == [(A, "head"), (B, "spouse"), (D, "grandparent")],
      as_of("2020-06-01"))
check("as_of the change of head: the new head first, the old one a spouse",
      as_of("2022-01-01")[0] == (B, "head") and (A, "spouse") in as_of("2022-01-01"),
      as_of("2022-01-01"))
check("as_of 2021-12-31: the old head still head", as_of("2021-12-31")[0] == (A, "head"),
      as_of("2021-12-31"))
got, code, msg = call("GetHousehold", r.GetHouseholdRequest(
    household_id=H1, purpose="case_work", as_of="2020-06-01"))
check("as_of: a membership ended later shows as open then", code == OK and
      all(m.to_date == "" for m in got.members) and
      [m.national_id for m in got.former] == [C], "%s %s" % (code, msg))
expect("GetHousehold refuses a future as_of", call("GetHousehold", r.GetHouseholdRequest(
    household_id=H1, purpose="case_work", as_of=TOMORROW)), INVALID, "as_of")
expect("GetHousehold refuses a malformed as_of", call("GetHousehold", r.GetHouseholdRequest(
    household_id=H1, purpose="case_work", as_of="yesterday")), INVALID, "as_of")
expect("GetHousehold: NOT_FOUND for an unknown id", call("GetHousehold", r.GetHouseholdRequest(
    household_id="987654", purpose="case_work")), NOT_FOUND, "household_id")
expect("GetHousehold: a purpose is required", call("GetHousehold", r.GetHouseholdRequest(
    household_id=H1)), INVALID, "purpose")
_, code, msg = call("GetHousehold", r.GetHouseholdRequest(household_id=H1, purpose="gossip"))
check("GetHousehold: an unknown purpose is refused", code in (INVALID, DENIED) and
      msg.startswith("purpose"), "%s %s" % (code, msg))
got, code, msg = call("GetHousehold", r.GetHouseholdRequest(household_id=H1, purpose="helpdesk"),
                      clerk19)
check("GetHousehold: reading is not limited to the municipality", code == OK, msg)
_, code, msg = c.call("Households", "GetHousehold", r.GetHouseholdRequest(
    household_id=H1, purpose="case_work"))
check("GetHousehold without a session", code == grpc.StatusCode.UNAUTHENTICATED, msg)

# --- The audit trail --------------------------------------------------


def audit(method, subject=""):
    page, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
        method="/spis.v1.Households/" + method, subject=subject, page_size=500), token=auditor)
    return list(page.rows) if page else []


adds = audit("AddMember")
refused = [x for x in adds if x.outcome != "OK"]
check("audit: refused AddMember attempts are recorded", len(refused) >= 18, len(refused))
check("audit: a refusal carries its message",
      any(x.outcome == "FAILED_PRECONDITION" and "use MoveMember" in x.detail for x in refused))
check("audit: a refused AddMember names the person it was about",
      any(x.subject == B and x.outcome == "FAILED_PRECONDITION" for x in refused))
ok_rows = [x for x in audit("AddMember", D) if x.outcome == "OK"]
check("audit: one success row for a replayed AddMember, with its subject",
      len(ok_rows) == 1 and ok_rows[0].actor == "clerk", [(x.actor, x.detail) for x in ok_rows])
check("audit: CreateHousehold's row names the head", any(
    x.outcome == "OK" for x in audit("CreateHousehold", A)))
check("audit: MoveMember's row names who moved", any(
    x.outcome == "OK" and "to " + H2 in x.detail for x in audit("MoveMember", C)))
check("audit: ChangeHead's row names the new head", any(
    x.outcome == "OK" for x in audit("ChangeHead", B)))
check("audit: refused ChangeHead attempts are recorded",
      len([x for x in audit("ChangeHead") if x.outcome != "OK"]) >= 7)
check("audit: refused MoveMember and RemoveMember attempts are recorded",
      len([x for x in audit("MoveMember") if x.outcome != "OK"]) >= 13 and
      len([x for x in audit("RemoveMember") if x.outcome != "OK"]) >= 8)
reads = audit("GetHousehold")
check("audit: GetHousehold names the head and the purpose",
      any(x.subject == A and x.purpose == "helpdesk" and x.outcome == "OK" for x in reads),
      [(x.subject, x.purpose, x.outcome) for x in reads][:5])
check("audit: success rows are written once, inside the change",
      rows("SELECT count(*) FROM audit WHERE method = '/spis.v1.Households/ChangeHead'"
           " AND outcome = 'OK'") == [(1,)])
sys.exit(1 if spis.FAILED else 0)
