"""Checks for tests/integration/registry.sh: spis.v1.Registry.

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
from spis.v1 import benefits_pb2 as be  # noqa: E402
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
TODAY = datetime.date.today()
YESTERDAY = (TODAY - datetime.timedelta(days=1)).isoformat()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()

db = sqlite3.connect(dbpath, timeout=10)
clerk13 = c.login("clerk13")
clerk19 = c.login("clerk19")
clerk = c.login("clerk")
helpdesk = c.login("help")
auditor = c.login("audit")

# Valid Lithuanian codes.
ZEM = "38703181745"     # M 1987-03-18
SUK = "35006071110"     # M 1950-06-07
KID = "51508200074"     # M 2015-08-20
F90 = "49001011238"     # F 1990-01-01
F50 = "45012030158"     # F 1950-12-03
F15 = "61503120025"     # F 2015-03-12
M87 = "38703180030"     # M 1987-03-18
LEAP = "60002290003"    # F 2000-02-29


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


def call(method, req, tok=clerk13):
    return c.call("Registry", method, req, token=tok)


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    ok = gcode == code and (field is None or msg.startswith(field + ":")) and \
        (text is None or text in msg)
    check(name, ok, "%s %r" % (gcode, msg))


def rows(sql, *args):
    return db.execute(sql, args).fetchall()


def person(nid, given, surname, birth, sex, muni="13", **kw):
    return r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                    sex=sex, municipality=muni, **kw)


def register(p, tok=clerk13, reason=""):
    return call("RegisterPerson", r.RegisterPersonRequest(request_id=spis.rid(), person=p,
                                                          reason=reason), tok)


def get(nid, purpose="case_work", as_of="", tok=clerk13):
    return call("GetPerson", r.GetPersonRequest(national_id=nid, purpose=purpose, as_of=as_of),
                tok)


# --- RegisterPerson ----------------------------------------------------
rep, code, msg = register(person(ZEM, "Žemaitė Ona", "Žemaitė", "1987-03-18", "M",
                                 address="Vilniaus g. 1", email="ona@example.lt"),
                          reason="walk-in at office")
check("RegisterPerson with Lithuanian letters", code == OK, "%s %s" % (code, msg))
check("RegisterPerson echoes the Lithuanian names", rep is not None and
      rep.person.given_names == "Žemaitė Ona" and rep.person.surname == "Žemaitė" and
      rep.person.version >= 1, rep)
rep, code, msg = register(person(SUK, "Şükrü", "Yıldız", "1950-06-07", "M", language="tr"))
check("RegisterPerson with Turkish letters", code == OK and rep.person.given_names == "Şükrü"
      and rep.person.surname == "Yıldız", "%s %s %s" % (code, msg, rep))
expect("RegisterPerson of the same ID: ALREADY_EXISTS",
       register(person(ZEM, "Kita", "Žemaitė", "1987-03-18", "M")), EXISTS,
       "person.national_id")


def refuse(name, p, code, field, tok=clerk13):
    before = rows("SELECT count(*) FROM people")[0][0]
    expect("RegisterPerson refuses " + name, register(p, tok), code, field)
    check("RegisterPerson refuses %s: nothing written" % name,
          rows("SELECT count(*) FROM people")[0][0] == before and
          get(p.national_id, tok=clerk)[1] in (NOT_FOUND, INVALID), p.national_id)


refuse("empty given_names", person(F90, "", "Jonaitė", "1990-01-01", "F"), INVALID,
       "person.given_names")
refuse("a 101-character surname", person(F90, "Ona", "ž" * 101, "1990-01-01", "F"), INVALID,
       "person.surname")
refuse("a NUL inside the surname (decoding would cut it)",
       person(F90, "Ona", "Jon\x00aitė", "1990-01-01", "F"), INVALID, "person.surname")
# Bytes that are not UTF-8, which a client's protobuf library would not
# send but a hostile one can: the ID ends in a lone lead byte.  GetPerson
# names the field.  ListBenefits quotes the ID as its audit row's subject:
# the row is stored as text, the bad byte as ?, so the trail can still be
# read (Python's protobuf refuses a reply with a string that is not UTF-8).
def not_utf8(msg):
    return msg.SerializeToString().replace("\u0101".encode(), b"\xc4\x20")


_, code, msg = c.call_raw("Registry", "GetPerson", not_utf8(r.GetPersonRequest(
    national_id="4900101123\u0101", purpose="case_work")), token=clerk13)
check("GetPerson of an ID that is not UTF-8: INVALID_ARGUMENT naming it",
      code == INVALID and msg.startswith("national_id:"), "%s %r" % (code, msg))
c.call_raw("Benefits", "ListBenefits", not_utf8(be.ListBenefitsRequest(
    national_id="4900101123\u0101")), token=clerk13)
try:
    arows, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
        method="/spis.v1.Benefits/ListBenefits", page_size=500), token=auditor)
    arows = [x.subject for x in arows.rows] if arows else []
except Exception as e:  # the reply did not decode
    arows, code, msg = [], None, repr(e)
check("an audit subject that is not UTF-8 is stored as text, the bad byte as ?",
      code == OK and arows == ["4900101123? "], "%s %s %s" % (code, msg, arows))
refuse("a control character in the surname", person(F90, "Ona", "Jon\x07aitė", "1990-01-01",
                                                    "F"), INVALID, "person.surname")
refuse("a bad check digit", person("49001011239", "Ona", "Jonaitė", "1990-01-01", "F"),
       INVALID, "person.national_id")
refuse("a birth_date disagreeing with the code", person(F90, "Ona", "Jonaitė", "1990-01-02",
                                                        "F"), INVALID, "person.birth_date")
refuse("a sex disagreeing with the code", person(F90, "Ona", "Jonaitė", "1990-01-01", "M"),
       INVALID, "person.sex")
# A code that agrees with a birth date next month.
future = (TODAY + datetime.timedelta(days=30)).isoformat()
# The code itself carries the future date, so either field may be named.
fut = person(lt_code("F", future, 1), "Ona", "Jonaitė", future, "F")
got = register(fut)
check("RegisterPerson refuses a future birth date", got[1] == INVALID and "future" in got[2] and
      got[2].split(":")[0] in ("person.national_id", "person.birth_date"), got[1:])
refuse("an unknown municipality", person(F90, "Ona", "Jonaitė", "1990-01-01", "F", muni="99"),
       INVALID, "person.municipality")
refuse("a bad email", person(F90, "Ona", "Jonaitė", "1990-01-01", "F", email="ona@"),
       INVALID, "person.email")
refuse("clerk19 registering into municipality 13", person(F90, "Ona", "Jonaitė",
                                                          "1990-01-01", "F"),
       DENIED, "person.municipality", tok=clerk19)
refuse("the helpdesk", person(F90, "Ona", "Jonaitė", "1990-01-01", "F"), DENIED, None,
       tok=helpdesk)
_, code, msg = get(F90)
check("a refused register leaves nothing: GetPerson NOT_FOUND", code == NOT_FOUND,
      "%s %s" % (code, msg))
for nid, g, s, b, sx, m in ((KID, "Ąžuolas", "Žemaitis", "2015-08-20", "M", "13"),
                            (F90, "Ona", "Jonaitė", "1990-01-01", "F", "13"),
                            (F50, "Gülşen", "Öztürk", "1950-12-03", "F", "19"),
                            (F15, "Ūla", "Žemaitytė", "2015-03-12", "F", "13"),
                            (M87, "Jonas", "Žemaitis", "1987-03-18", "M", "13"),
                            (LEAP, "Eglė", "Žemaitienė", "2000-02-29", "F", "13")):
    _, code, msg = register(person(nid, g, s, b, sx, m), clerk)
    check("register %s %s (%s)" % (g, s, nid), code == OK, "%s %s" % (code, msg))

# --- UpdatePerson ------------------------------------------------------
card, code, msg = get(ZEM)
v1 = card.person.version if card else 0
upd = dict(national_id=ZEM, person=r.Person(address="Kauno g. 2"), fields=["address"])
expect("UpdatePerson without a reason", call("UpdatePerson", r.UpdatePersonRequest(
    request_id=spis.rid(), **upd)), INVALID, "reason")
for f in ("national_id", "deceased_date"):
    expect("UpdatePerson refuses field " + f, call("UpdatePerson", r.UpdatePersonRequest(
        request_id=spis.rid(), national_id=ZEM, person=r.Person(**{f: "2020-01-01"}),
        fields=[f], reason="try")), INVALID, "fields")
expect("UpdatePerson with a stale expected_version", call("UpdatePerson", r.UpdatePersonRequest(
    request_id=spis.rid(), expected_version=v1 + 5, reason="moved", **upd)), PRECOND,
    "expected_version")
p, code, msg = call("UpdatePerson", r.UpdatePersonRequest(
    request_id=spis.rid(), expected_version=v1, reason="moved", **upd))
check("UpdatePerson: success bumps the version", code == OK and p.version == v1 + 1 and
      p.address == "Kauno g. 2", "%s %s %s" % (code, msg, p))
p, code, msg = call("UpdatePerson", r.UpdatePersonRequest(
    request_id=spis.rid(), national_id=ZEM, person=r.Person(phone="+370 600 00000"),
    fields=["phone"], reason="new phone"), clerk)
check("UpdatePerson: a second change", code == OK and p.version == v1 + 2,
      "%s %s" % (code, msg))
h, code, msg = call("GetPersonHistory", r.GetPersonHistoryRequest(national_id=ZEM,
                                                                  purpose="case_work"))
ch = list(h.changes) if h else []
addr_ch = [x for x in ch if x.field == "address" and x.new_value == "Kauno g. 2"]
check("GetPersonHistory: old → new, officer and reason", len(addr_ch) == 1 and
      addr_ch[0].old_value == "Vilniaus g. 1" and addr_ch[0].officer == "clerk13" and
      addr_ch[0].reason == "moved", "%s %s %s" % (code, msg, ch))
check("GetPersonHistory: newest first", len(ch) >= 2 and ch[0].field == "phone" and
      ch[0].officer == "clerk" and [x.id for x in ch] == sorted([x.id for x in ch], reverse=True),
      [(x.id, x.field) for x in ch])
h1, code, msg = call("GetPersonHistory", r.GetPersonHistoryRequest(
    national_id=ZEM, purpose="case_work", page_size=1))
h2, code2, msg2 = call("GetPersonHistory", r.GetPersonHistoryRequest(
    national_id=ZEM, purpose="case_work", page_size=1,
    page_token=h1.next_page_token if h1 else ""))
check("GetPersonHistory: paging with page_token", code == OK and code2 == OK and
      len(h1.changes) == 1 and h1.next_page_token != "" and len(h2.changes) == 1 and
      h2.changes[0].id == ch[1].id, "%s %s %s %s" % (code, msg, code2, msg2))

# --- As-of reads -------------------------------------------------------
expect("GetPerson as_of yesterday: not registered yet", get(ZEM, as_of=YESTERDAY), NOT_FOUND,
       "as_of")
card, code, msg = get(ZEM, as_of=TODAY.isoformat())
check("GetPerson as_of today: the current record", code == OK and
      card.person.address == "Kauno g. 2", "%s %s" % (code, msg))
# Move the registration and the address change into the past.
db.execute("UPDATE people SET created_at = '2020-01-01T10:00:00Z' WHERE national_id = ?", (ZEM,))
# Registration wrote a row per field; the two changes came after it.
db.execute("UPDATE person_history SET at = '2020-01-01T10:00:00Z' WHERE national_id = ? AND"
           " old_value = ''", (ZEM,))
db.execute("UPDATE person_history SET at = '2022-06-01T10:00:00Z' WHERE national_id = ? AND"
           " (new_value = 'Kauno g. 2' OR field = 'phone')", (ZEM,))
db.commit()
card, code, msg = get(ZEM, as_of="2021-01-01")
check("GetPerson as_of 2021: the old address", code == OK and
      card.person.address == "Vilniaus g. 1" and card.person.phone == "",
      "%s %s %r" % (code, msg, card and (card.person.address, card.person.phone)))
card, code, msg = get(ZEM, as_of="2023-01-01")
check("GetPerson as_of 2023: the new address", code == OK and
      card.person.address == "Kauno g. 2", "%s %s" % (code, msg))
expect("GetPerson as_of 2019: not registered yet", get(ZEM, as_of="2019-12-31"), NOT_FOUND)
expect("GetPerson as_of tomorrow refused", get(ZEM, as_of=TOMORROW), INVALID, "as_of")

# --- SearchPeople ------------------------------------------------------


def search(tok=clerk13, **kw):
    kw.setdefault("purpose", "case_work")
    return call("SearchPeople", r.SearchPeopleRequest(**kw), tok)


def ids(rep):
    return [x.national_id for x in rep.people] if rep else []


rep, code, msg = search(surname="zem", birth_year=1987)
check("SearchPeople: \"zem\" 1987 finds Žemaitė (diacritics and case ignored)",
      code == OK and ZEM in ids(rep) and M87 in ids(rep) and KID not in ids(rep),
      "%s %s %s" % (code, msg, ids(rep)))
rep, code, msg = search(surname="ZEM", birth_year=1987)
check("SearchPeople: \"ZEM\" too", code == OK and ZEM in ids(rep), "%s %s" % (code, msg))
rep, code, msg = search(surname="yildiz", birth_year=1950)
check("SearchPeople: \"yildiz\" finds Yıldız", code == OK and ids(rep) == [SUK],
      "%s %s %s" % (code, msg, ids(rep)))
expect("SearchPeople: \"ze\" is too short", search(surname="ze", birth_year=1987), INVALID,
       "surname")
expect("SearchPeople: surname alone refused", search(surname="zem"), INVALID)
rep, code, msg = search(national_id=SUK)
check("SearchPeople by national_id", code == OK and ids(rep) == [SUK], "%s %s" % (code, msg))
expect("SearchPeople without a purpose", search(surname="zem", birth_year=1987, purpose=""),
       INVALID, "purpose")
expect("SearchPeople for employment by surname refused",
       search(surname="zem", birth_year=1987, purpose="employment"), INVALID, "purpose")
expect("SearchPeople page_size 51 refused", search(surname="zem", municipality="13",
                                                   page_size=51), INVALID, "page_size")
# Five in municipality 13 start with "Žemai": ZEM, KID, F15, M87, LEAP.
seen, tok, pages = [], "", 0
while pages < 5:
    rep, code, msg = search(surname="žemai", municipality="13", page_size=2, page_token=tok)
    if code != OK:
        break
    pages += 1
    seen += ids(rep)
    tok = rep.next_page_token
    if not tok:
        break
check("SearchPeople: paging by 2 gives all five in three pages", code == OK and pages == 3 and
      sorted(seen) == sorted([ZEM, KID, F15, M87, LEAP]), "%s %s %d %s" % (code, msg, pages, seen))
# Surnames of two parts: found by either part, once, in name order.
DBL = lt_code("F", "1971-05-05", 11)   # Kazlauskienė-Petraitienė, Ona Marija
PTS = lt_code("M", "1971-06-06", 12)   # Petraitis, Jonas
TWO = lt_code("F", "1971-07-07", 13)   # Petraitienė-Petraitytė, Rūta
for nid, given, sur, born, sex in [(DBL, "Ona Marija", "Kazlauskienė-Petraitienė", "1971-05-05", "F"),
                                   (PTS, "Jonas", "Petraitis", "1971-06-06", "M"),
                                   (TWO, "Rūta", "Petraitienė-Petraitytė", "1971-07-07", "F")]:
    got = register(person(nid, given, sur, born, sex, muni="19"), tok=clerk)
    check("register %s %s" % (given, sur), got[1] == OK, got[1:])
rep, code, msg = search(surname="petr", birth_year=1971)
check("SearchPeople: \"petr\" finds the second part of a double surname, each person once, "
      "in name order", code == OK and ids(rep) == [DBL, TWO, PTS], "%s %s %s" % (code, msg, ids(rep)))
rep, code, msg = search(surname="kazlauskiene petr", municipality="19")
check("SearchPeople: both parts typed", code == OK and ids(rep) == [DBL], "%s %s" % (code, ids(rep)))
rep, code, msg = search(surname="petr", municipality="19", given_names="mar")
check("SearchPeople: a given name matches the start of any of its parts (Marija)",
      code == OK and ids(rep) == [DBL], "%s %s" % (code, ids(rep)))
rep, code, msg = search(surname="petr", municipality="19", page_size=1, page_token="")
check("SearchPeople: a page of one across both parts", code == OK and ids(rep) == [DBL]
      and rep.next_page_token, "%s %s" % (code, ids(rep)))
if code == OK and rep.next_page_token:
    rep2, code, msg = search(surname="petr", municipality="19", page_size=2,
                             page_token=rep.next_page_token)
    check("SearchPeople: the next page goes on in order, nobody twice",
          code == OK and ids(rep2) == [TWO, PTS], "%s %s" % (code, ids(rep2)))
n_search = rows("SELECT count(*) FROM audit WHERE method = '/spis.v1.Registry/SearchPeople'")[0][0]
check("SearchPeople: every search is audited with its purpose", n_search >= 12 and
      rows("SELECT count(*) FROM audit WHERE method = '/spis.v1.Registry/SearchPeople'"
           " AND purpose = 'case_work' AND outcome = 'OK'")[0][0] >= 7, n_search)

# --- Consent -----------------------------------------------------------
expect("GetPerson for employment before consent", get(SUK, purpose="employment"), DENIED,
       "purpose")


def consent(given, note=""):
    return call("SetConsent", r.SetConsentRequest(request_id=spis.rid(), national_id=SUK,
                                                  purpose="employment", given=given,
                                                  channel="office", note=note))


cr, code, msg = consent(True)
check("SetConsent given", code == OK and cr.given and cr.purpose == "employment",
      "%s %s" % (code, msg))
_, code, msg = get(SUK, purpose="employment")
check("GetPerson for employment after consent", code == OK, "%s %s" % (code, msg))
_, code, msg = consent(False, "changed mind")
check("SetConsent refused", code == OK, "%s %s" % (code, msg))
expect("GetPerson for employment after a refusal", get(SUK, purpose="employment"), DENIED,
       "purpose", "refused")
cl, code, msg = call("ListConsents", r.ListConsentsRequest(national_id=SUK))
check("ListConsents: the latest decision only", code == OK and len(cl.consents) == 1 and
      not cl.consents[0].given and cl.consents[0].note == "changed mind", "%s %s" % (code, msg))
cl, code, msg = call("ListConsents", r.ListConsentsRequest(national_id=SUK, history=True))
check("ListConsents history: both decisions", code == OK and len(cl.consents) == 2,
      "%s %s" % (code, msg))

# --- RecordDeath -------------------------------------------------------


def death(nid, date, tok=clerk13):
    return call("RecordDeath", r.RecordDeathRequest(request_id=spis.rid(), national_id=nid,
                                                    date_of_death=date,
                                                    reason="death certificate 7"), tok)


expect("RecordDeath: a future date refused", death(F90, TOMORROW), INVALID, "date_of_death")
expect("RecordDeath: a date before birth refused", death(F90, "1989-12-31"), INVALID,
       "date_of_death")
p, code, msg = death(F90, "2024-05-01")
check("RecordDeath sets deceased_date", code == OK and p.deceased_date == "2024-05-01",
      "%s %s" % (code, msg))
expect("RecordDeath a second time", death(F90, "2024-05-02"), PRECOND, "national_id")
card, code, msg = get(F90)
check("GetPerson shows the death", code == OK and card.person.deceased_date == "2024-05-01",
      "%s %s" % (code, msg))

# --- GetAccessLog ------------------------------------------------------
_, code, msg = get(F50, purpose="intake", tok=clerk13)
log, code, msg = call("GetAccessLog", r.GetAccessLogRequest(national_id=F50), helpdesk)
ents = list(log.entries) if log else []
check("GetAccessLog: a clerk's read shows role, municipality and purpose", code == OK and any(
    e.role == "clerk" and e.municipality == "13" and e.purpose == "intake" and e.action == "read"
    for e in ents), "%s %s %s" % (code, msg, ents))
check("GetAccessLog: no officer username in the reply", log is not None and
      "clerk13" not in str(log) and "clerk19" not in str(log), str(log))

# --- ListMunicipalities, ValidateNationalId ----------------------------
ml, code, msg = c.call("Registry", "ListMunicipalities", r.ListMunicipalitiesRequest())
check("ListMunicipalities without login: 60 entries", code == OK and
      len(ml.municipalities) == 60, "%s %s" % (code, msg))
v, code, msg = c.call("Registry", "ValidateNationalId",
                      r.ValidateNationalIdRequest(national_id=LEAP))
check("ValidateNationalId: valid, with birth date and sex", code == OK and v.valid and
      v.birth_date == "2000-02-29" and v.sex == "F", "%s %s %s" % (code, msg, v))
v, code, msg = c.call("Registry", "ValidateNationalId",
                      r.ValidateNationalIdRequest(national_id="49001011239"))
check("ValidateNationalId: a bad check digit", code == OK and not v.valid and v.problem != "",
      "%s %s %s" % (code, msg, v))
v, code, msg = c.call("Registry", "ValidateNationalId",
                      r.ValidateNationalIdRequest(national_id=F90, sex="M"))
check("ValidateNationalId: sex disagreeing", code == OK and not v.valid,
      "%s %s %s" % (code, msg, v))

# --- Audit -------------------------------------------------------------


def audit(method, subject=""):
    page, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
        method="/spis.v1.Registry/" + method, subject=subject, page_size=500), token=auditor)
    return list(page.rows) if page else []


refused = [x for x in audit("RegisterPerson", F90) if x.outcome == "INVALID_ARGUMENT"]
check("audit: refused RegisterPerson attempts are recorded with their subject",
      len(refused) >= 6, [(x.outcome, x.detail) for x in audit("RegisterPerson", F90)])
check("audit: a refused register for scope is recorded", any(
    x.outcome == "PERMISSION_DENIED" for x in audit("RegisterPerson", F90)))
check("audit: one success row per registration", rows(
    "SELECT count(*) FROM audit WHERE method = '/spis.v1.Registry/RegisterPerson' AND"
    " subject = ? AND outcome = 'OK'", ZEM) == [(1,)])
check("audit: UpdatePerson success rows", len([x for x in audit("UpdatePerson", ZEM)
                                               if x.outcome == "OK"]) == 2)
check("audit: refused UpdatePerson attempts recorded", len([x for x in audit("UpdatePerson", ZEM)
                                                           if x.outcome != "OK"]) >= 4)
check("audit: a refused consent read is recorded", any(
    x.outcome == "PERMISSION_DENIED" and x.purpose == "employment"
    for x in audit("GetPerson", SUK)))
sys.exit(1 if spis.FAILED else 0)
