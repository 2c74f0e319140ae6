"""Checks for tests/integration/exchange.sh: spis.v1.Exchange.

argv: the generated Python modules, the daemon's address, its database.
Prints one "OK name" or "FAIL name -- why" line per check.
"""
import datetime
import hashlib
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402
from spis.v1 import exchange_pb2 as x  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
EXISTS = grpc.StatusCode.ALREADY_EXISTS
DENIED = grpc.StatusCode.PERMISSION_DENIED
UNAUTH = grpc.StatusCode.UNAUTHENTICATED
TODAY = datetime.date.today()
MONTH = TODAY.strftime("%Y-%m")
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
NEXT_MONTH = (TODAY.replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()

db = sqlite3.connect(dbpath, timeout=10)
clerk = c.login("clerk")
admin = c.login("admin")
auditor = c.login("audit")
case13 = c.login("case13")
clerk13 = c.login("clerk13")


def rows(sql, *args):
    return db.execute(sql, args).fetchall()


def expect(name, got, code, field=None, text=None):
    _, gcode, msg = got
    ok = gcode == code and (field is None or msg.startswith(field + ":")) and \
        (text is None or text in msg)
    check(name, ok, "%s %r" % (gcode, msg))


def officer(method, req, tok=admin):
    return c.call("Exchange", method, req, token=tok)


def inst(method, req, token, extra=None):
    md = [("x-spis-institution", token)] if token else []
    return c.call("Exchange", method, req, metadata=md + (extra or []))


# --- people --------------------------------------------------------------

def register(nid, given, surname, birth, sex, muni="13"):
    p = r.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                 sex=sex, municipality=muni)
    _, code, msg = c.call("Registry", "RegisterPerson",
                          r.RegisterPersonRequest(request_id=spis.rid(), person=p), token=clerk)
    check("register %s %s" % (given, surname), code == OK, "%s %s" % (code, msg))


def consent(nid, given, purpose="employment"):
    _, code, msg = c.call("Registry", "SetConsent", r.SetConsentRequest(
        request_id=spis.rid(), national_id=nid, purpose=purpose, given=given, channel="office"),
        token=clerk)
    check("consent %s %s %s" % (nid, purpose, given), code == OK, "%s %s" % (code, msg))


ONA = spis.lt_code("F", "1980-04-02", 11)        # consents to employment
JONAS = spis.lt_code("M", "1975-06-30", 12)      # refused
RUTA = spis.lt_code("F", "1990-01-15", 13)       # never asked
PETRAS = spis.lt_code("M", "1985-09-09", 14)     # consents, municipality 19
EGLE = spis.lt_code("F", "1988-12-01", 15)       # consents, municipality 13
GHOST = spis.lt_code("M", "1970-01-01", 99)      # valid, not registered
BABY = spis.lt_code("F", TODAY.isoformat(), 1)      # born today
for nid, g, s, b, sx, m in [(ONA, "Ona", "Kazlauskienė", "1980-04-02", "F", "13"),
                            (JONAS, "Jonas", "Petraitis", "1975-06-30", "M", "13"),
                            (RUTA, "Rūta", "Žemaitė", "1990-01-15", "F", "13"),
                            (PETRAS, "Petras", "Jonaitis", "1985-09-09", "M", "19"),
                            (EGLE, "Eglė", "Šimkienė", "1988-12-01", "F", "13")]:
    register(nid, g, s, b, sx, m)
consent(ONA, True)
consent(JONAS, False)
consent(PETRAS, True)
consent(EGLE, True)

# --- RegisterInstitution ---------------------------------------------------


def institution(code, name, kinds, may_search=False, purposes=(), cert_cn=""):
    return x.Institution(code=code, name=name, kinds=list(kinds), may_search=may_search,
                         purposes=list(purposes), cert_cn=cert_cn)


def register_inst(i, tok=admin):
    return officer("RegisterInstitution", x.RegisterInstitutionRequest(
        request_id=spis.rid(), institution=i), tok)


cred, code, msg = register_inst(institution("VMI", "Valstybinė mokesčių inspekcija",
                                            ["income", "vehicle", "land"]))
check("RegisterInstitution VMI", code == OK and cred.token and cred.institution.code == "VMI" and
      list(cred.institution.kinds) == ["income", "vehicle", "land"], "%s %s" % (code, msg))
VMI = cred.token if cred else ""
stored = rows("SELECT token_hash FROM institutions WHERE code = 'VMI'")
check("only the token's SHA-256 is stored", stored and
      bytes(stored[0][0]) == hashlib.sha256(VMI.encode()).digest() and
      VMI.encode() not in bytes(stored[0][0]), stored)
cred, code, msg = register_inst(institution("UZT", "Užimtumo tarnyba", ["employment"], True,
                                            ["employment"]))
check("RegisterInstitution UZT (may search for employment)", code == OK, "%s %s" % (code, msg))
UZT = cred.token if cred else ""
cred, code, msg = register_inst(institution("RC", "Registrų centras", ["death", "birth"]))
RC = cred.token if cred else ""
check("RegisterInstitution RC", code == OK, "%s %s" % (code, msg))

expect("RegisterInstitution: a code taken", register_inst(
    institution("VMI", "Again", ["income"])), EXISTS, "institution.code")
expect("RegisterInstitution: bad code", register_inst(
    institution("v mi", "X", ["income"])), INVALID, "institution.code")
expect("RegisterInstitution: no name", register_inst(
    institution("XX", "", ["income"])), INVALID, "institution.name")
expect("RegisterInstitution: no kinds", register_inst(
    institution("XX", "X", [])), INVALID, "institution.kinds")
expect("RegisterInstitution: unknown kind", register_inst(
    institution("XX", "X", ["salary"])), INVALID, "institution.kinds", "salary")
expect("RegisterInstitution: a kind twice", register_inst(
    institution("XX", "X", ["income", "income"])), INVALID, "institution.kinds")
expect("RegisterInstitution: may search without purposes", register_inst(
    institution("XX", "X", ["income"], True)), INVALID, "institution.purposes")
expect("RegisterInstitution: purposes without may search", register_inst(
    institution("XX", "X", ["income"], False, ["health"])), INVALID, "institution.purposes")
expect("RegisterInstitution: unknown purpose", register_inst(
    institution("XX", "X", ["income"], True, ["case_work"])), INVALID, "institution.purposes")
expect("RegisterInstitution: a clerk may not", register_inst(
    institution("XX", "X", ["income"]), clerk), DENIED)
expect("RegisterInstitution: an institution token is no session", inst(
    "RegisterInstitution", x.RegisterInstitutionRequest(
        request_id=spis.rid(), institution=institution("XY", "X", ["income"])), VMI), UNAUTH)

# --- SubmitFacts: validation ------------------------------------------------


def fact(rid, nid, kind, period, amount=0, value="", **kw):
    return x.InstitutionFact(record_id=rid, national_id=nid, kind=kind, period=period,
                             amount=amount, value=value, **kw)


def submit(token, facts, batch="b1"):
    return inst("SubmitFacts", x.SubmitFactsRequest(batch_id=batch, facts=facts), token)


def facts_held(source):
    return rows("SELECT count(*) FROM facts WHERE source = ?", source)[0][0]


rep, code, msg = submit(VMI, [fact("inc-1", ONA, "income", LAST_MONTH, 123456),
                              fact("inc-2", JONAS, "income", LAST_MONTH, 0)])
check("SubmitFacts: two good facts stored", code == OK and rep.stored == 2 and
      rep.errors == 0 and [x_.outcome for x_ in rep.results] == ["stored", "stored"],
      "%s %s %s" % (code, msg, rep))
check("SubmitFacts: both rows held", facts_held("VMI") == 2, facts_held("VMI"))

batch = [
    fact("ok-1", RUTA, "income", MONTH, 5000),                          # 0 stored
    fact("unk-1", GHOST, "income", LAST_MONTH, 100),                    # 1 unknown_person
    fact("kind-1", ONA, "employment", LAST_MONTH, value="employed"),    # 2 kind_not_allowed
    fact("fut-1", ONA, "income", NEXT_MONTH, 100),                      # 3 future_period
    fact("bad-1", ONA, "income", "2024-13", 100),                       # 4 invalid period
    fact("bad-2", ONA, "income", LAST_MONTH, -5),                       # 5 invalid amount
    fact("bad-3", ONA, "income", LAST_MONTH, 5, value="x"),            # 6 invalid value
    fact("bad-4", ONA[:10] + str((int(ONA[10]) + 1) % 10), "income", LAST_MONTH, 1),  # 7 id
    fact("", ONA, "income", LAST_MONTH, 1),                             # 8 record_id
    fact("bad-5", ONA, "salary", LAST_MONTH, 1),                        # 9 kind
    fact("inc-1", ONA, "income", LAST_MONTH, 123456),                   # 10 unchanged
    fact("inc-2", JONAS, "income", LAST_MONTH, 999),                    # 11 conflict
    fact("ok-2", EGLE, "land", LAST_MONTH, 2500000),                    # 12 stored
    fact("bad-6", ONA, "vehicle", LAST_MONTH, 1, related_id=JONAS),     # 13 invalid
]
rep, code, msg = submit(VMI, batch, "b2")
check("SubmitFacts: a mixed batch answers per item", code == OK and len(rep.results) == 14,
      "%s %s" % (code, msg))
if rep:
    res = rep.results
    want = [("stored", ""), ("error", "unknown_person"), ("error", "kind_not_allowed"),
            ("error", "future_period"), ("error", "invalid"), ("error", "invalid"),
            ("error", "invalid"), ("error", "invalid"), ("error", "invalid"),
            ("error", "invalid"), ("unchanged", ""), ("error", "conflict"), ("stored", ""),
            ("error", "invalid")]
    for i, (o, cd) in enumerate(want):
        check("SubmitFacts item %d (%s): %s %s" % (i, batch[i].record_id or "no id", o, cd),
              res[i].index == i and res[i].outcome == o and res[i].code == cd,
              "%s %s %s" % (res[i].outcome, res[i].code, res[i].message))
    fields = ["", "national_id", "kind", "period", "period", "amount", "value", "national_id",
              "record_id", "kind", "", "record_id", "", "related_id"]
    for i, f in enumerate(fields):
        if f:
            check("SubmitFacts item %d: the message names %s" % (i, f),
                  res[i].message.startswith(f + ":"), res[i].message)
    check("SubmitFacts: counts", rep.stored == 2 and rep.unchanged == 1 and rep.errors == 11,
          "%d %d %d" % (rep.stored, rep.unchanged, rep.errors))
check("SubmitFacts: good items kept beside bad ones", rows(
    "SELECT record_id FROM facts WHERE source = 'VMI' ORDER BY record_id") ==
    [("inc-1",), ("inc-2",), ("ok-1",), ("ok-2",)],
    rows("SELECT record_id FROM facts WHERE source = 'VMI'"))
check("SubmitFacts: a conflict leaves the first content", rows(
    "SELECT amount FROM facts WHERE source = 'VMI' AND record_id = 'inc-2'") == [(0,)])
check("SubmitFacts: errors written to feed_errors", rows(
    "SELECT count(*) FROM feed_errors WHERE source = 'VMI' AND batch_id = 'b2'") == [(11,)])
check("SubmitFacts: feed error of the conflict", rows(
    "SELECT item, code FROM feed_errors WHERE source = 'VMI' AND record_id = 'inc-2'") ==
    [(11, "conflict")])

# Resent in full: every good item unchanged, nothing stored twice.
rep, code, msg = submit(VMI, [fact("inc-1", ONA, "income", LAST_MONTH, 123456),
                              fact("inc-2", JONAS, "income", LAST_MONTH, 0)], "b1")
check("SubmitFacts: a resend is unchanged", code == OK and rep.unchanged == 2 and
      rep.stored == 0, "%s %s %s" % (code, msg, rep))
check("SubmitFacts: a resend stores nothing twice", facts_held("VMI") == 4)
rep, code, msg = submit(VMI, [fact("dup-1", ONA, "vehicle", LAST_MONTH, 100),
                              fact("dup-1", ONA, "vehicle", LAST_MONTH, 100),
                              fact("dup-1", ONA, "vehicle", LAST_MONTH, 200)], "b3")
check("SubmitFacts: a record twice in one batch: stored, unchanged, conflict",
      code == OK and [(i.outcome, i.code) for i in rep.results] ==
      [("stored", ""), ("unchanged", ""), ("error", "conflict")], "%s %s" % (code, rep))

expect("SubmitFacts: no facts", submit(VMI, []), INVALID, "facts")
expect("SubmitFacts: more than 1000", submit(
    VMI, [fact("m%d" % i, ONA, "income", LAST_MONTH, 1) for i in range(1001)]), INVALID, "facts")

# Births and deaths (the civil registry).
rep, code, msg = submit(RC, [
    fact("birth-1", BABY, "birth", TODAY.isoformat(), related_id=EGLE, given_names="Austėja",
         surname="Šimkutė", sex="F"),
    fact("birth-2", BABY, "birth", TODAY.isoformat(), related_id=EGLE, given_names="Austėja",
         surname="Šimkutė", sex="M"),
    fact("birth-3", BABY, "birth", TODAY.isoformat(), related_id=GHOST, given_names="A",
         surname="B", sex="F"),
    fact("death-1", JONAS, "death", TOMORROW),
    fact("death-2", JONAS, "death", LAST_MONTH),
    fact("birth-4", BABY, "birth", TODAY.isoformat(), related_id=EGLE, given_names="",
         surname="Šimkutė", sex="F"),
], "rc1")
if rep:
    got = [(i.outcome, i.code, i.message.split(":")[0]) for i in rep.results]
    check("SubmitFacts: a birth of a registered mother is stored", got[0][0] == "stored", got)
    check("SubmitFacts: a birth whose sex disagrees with the code", got[1] ==
          ("error", "invalid", "sex"), got[1])
    check("SubmitFacts: a birth to an unknown mother", got[2] ==
          ("error", "unknown_person", "related_id"), got[2])
    check("SubmitFacts: a death tomorrow is in the future", got[3] ==
          ("error", "future_period", "period"), got[3])
    check("SubmitFacts: a death is dated by day", got[4] == ("error", "invalid", "period"),
          got[4])
    check("SubmitFacts: a birth needs the child's names", got[5] ==
          ("error", "invalid", "given_names"), got[5])
else:
    check("SubmitFacts: births and deaths", False, "%s %s" % (code, msg))

# --- credentials -------------------------------------------------------------

expect("SubmitFacts: an officer session is refused", c.call(
    "Exchange", "SubmitFacts", x.SubmitFactsRequest(batch_id="s", facts=[
        fact("o-1", ONA, "income", LAST_MONTH, 1)]), token=clerk), UNAUTH, "x-spis-institution")
expect("SubmitFacts: an admin session is refused", c.call(
    "Exchange", "SubmitFacts", x.SubmitFactsRequest(batch_id="s", facts=[
        fact("o-1", ONA, "income", LAST_MONTH, 1)]), token=admin), UNAUTH)
expect("SubmitFacts: no credential", submit(None, [fact("o-1", ONA, "income", LAST_MONTH, 1)]),
       UNAUTH, "x-spis-institution")
expect("SubmitFacts: an unknown token", submit("not-a-token", [
    fact("o-1", ONA, "income", LAST_MONTH, 1)]), UNAUTH, "x-spis-institution")
expect("an institution token does not open a person's record", c.call(
    "Registry", "GetPerson", r.GetPersonRequest(national_id=ONA, purpose="case_work"),
    metadata=[("x-spis-institution", VMI)]), UNAUTH, "authorization")
expect("an institution token does not list institutions", inst(
    "ListInstitutions", x.ListInstitutionsRequest(), VMI), UNAUTH)
expect("an institution token does not read a person's facts", inst(
    "ListPersonFacts", x.ListPersonFactsRequest(national_id=ONA, purpose="case_work"), VMI),
    UNAUTH)

cred, code, msg = officer("RotateInstitutionToken", x.RotateInstitutionTokenRequest(
    request_id=spis.rid(), code="VMI"))
check("RotateInstitutionToken: a new token", code == OK and cred.token and cred.token != VMI,
      "%s %s" % (code, msg))
OLD_VMI, VMI = VMI, cred.token if cred else VMI
expect("the old token is refused after rotation", submit(OLD_VMI, [
    fact("r-1", ONA, "income", LAST_MONTH, 1)]), UNAUTH, "x-spis-institution")
_, code, msg = submit(VMI, [fact("r-1", ONA, "income", LAST_MONTH, 1)], "b4")
check("the new token works", code == OK, "%s %s" % (code, msg))
expect("RotateInstitutionToken: no such institution", officer(
    "RotateInstitutionToken", x.RotateInstitutionTokenRequest(request_id=spis.rid(),
                                                               code="NOPE")), NOT_FOUND, "code")
# The message quotes 16 bytes of the code: 15 letters and the first byte
# of an š.  The status message must stay text (the cut byte becomes ?).
expect("RotateInstitutionToken: a quoted code cut inside a character", officer(
    "RotateInstitutionToken", x.RotateInstitutionTokenRequest(
        request_id=spis.rid(), code="ABCDEFGHIJKLMNOš")), NOT_FOUND, "code",
       '"ABCDEFGHIJKLMNO?"')
expect("RotateInstitutionToken: a caseworker may not", officer(
    "RotateInstitutionToken", x.RotateInstitutionTokenRequest(request_id=spis.rid(), code="VMI"),
    case13), DENIED)

_, code, msg = officer("SetInstitutionDisabled", x.SetInstitutionDisabledRequest(
    request_id=spis.rid(), code="VMI", disabled=True, reason="token leaked"))
check("SetInstitutionDisabled VMI", code == OK, "%s %s" % (code, msg))
expect("a disabled institution is refused", submit(VMI, [
    fact("d-1", ONA, "income", LAST_MONTH, 1)]), UNAUTH, "x-spis-institution", "disabled")
expect("SetInstitutionDisabled: a reason is needed", officer(
    "SetInstitutionDisabled", x.SetInstitutionDisabledRequest(
        request_id=spis.rid(), code="VMI", disabled=True)), INVALID, "reason")
_, code, msg = officer("SetInstitutionDisabled", x.SetInstitutionDisabledRequest(
    request_id=spis.rid(), code="VMI", disabled=False))
_, code2, msg2 = submit(VMI, [fact("d-1", ONA, "income", LAST_MONTH, 1)], "b5")
check("an institution enabled again may send", code == OK and code2 == OK,
      "%s %s %s %s" % (code, msg, code2, msg2))

# --- SubmitFactsFile -----------------------------------------------------------

HEADER = "record_id,national_id,kind,period,amount,value,related_id,given_names,surname,sex\n"


def send_file(token, content, name="feed.csv", batch="f1"):
    return inst("SubmitFactsFile", x.SubmitFactsFileRequest(
        batch_id=batch, file_name=name, content=content.encode()
        if isinstance(content, str) else content), token)


csv = (HEADER +
       "f-1,%s,income,%s,1500,,,,,\n" % (ONA, LAST_MONTH) +                  # line 2 ok
       "f-2,%s,income,%s,abc,,,,,\n" % (ONA, LAST_MONTH) +                   # 3 amount
       "f-3,%s,income,%s,1\n" % (ONA, LAST_MONTH) +                          # 4 fields
       "\"f-4\",\"%s\",\"income\",\"%s\",\"77\",,,,,\n" % (EGLE, LAST_MONTH) +  # 5 ok quoted
       "f-5,%s,income,%s,1,,,,,\n" % (GHOST, LAST_MONTH) +                   # 6 unknown
       "f-6,%s,income,%s,1,\"bad\"x,,,,\n" % (ONA, LAST_MONTH) +             # 7 malformed
       "f-7,%s,land,%s,900,,,,,\n" % (RUTA, LAST_MONTH))                     # 8 ok
rep, code, msg = send_file(VMI, csv)
check("SubmitFactsFile: answered", code == OK, "%s %s" % (code, msg))
if rep:
    by_line = {i.index: (i.outcome, i.code, i.message.split(":")[0]) for i in rep.results}
    check("SubmitFactsFile: line 2 stored", by_line.get(2, ("",))[0] == "stored", by_line)
    check("SubmitFactsFile: line 3 bad amount", by_line.get(3) == ("error", "invalid", "amount"),
          by_line.get(3))
    check("SubmitFactsFile: line 4 too few fields", by_line.get(4) ==
          ("error", "invalid", "line"), by_line.get(4))
    check("SubmitFactsFile: line 5 quoted fields stored", by_line.get(5, ("",))[0] == "stored",
          by_line.get(5))
    check("SubmitFactsFile: line 6 unknown person", by_line.get(6) ==
          ("error", "unknown_person", "national_id"), by_line.get(6))
    check("SubmitFactsFile: line 7 malformed CSV", by_line.get(7) ==
          ("error", "invalid", "line"), by_line.get(7))
    check("SubmitFactsFile: line 8 after a malformed line still stored",
          by_line.get(8, ("",))[0] == "stored", by_line.get(8))
    check("SubmitFactsFile: counts", rep.stored == 3 and rep.errors == 4,
          "%d %d" % (rep.stored, rep.errors))
check("SubmitFactsFile: the good rows are held", rows(
    "SELECT record_id FROM facts WHERE source = 'VMI' AND record_id LIKE 'f-%'"
    " ORDER BY record_id") == [("f-1",), ("f-4",), ("f-7",)])
check("SubmitFactsFile: feed errors by line", rows(
    "SELECT item, code FROM feed_errors WHERE source = 'VMI' AND batch_id = 'f1' ORDER BY item")
    == [(3, "invalid"), (4, "invalid"), (6, "unknown_person"), (7, "invalid")])

# A birth by file: a quoted name with a comma and UTF-8 letters.
csv = (HEADER + "fb-1,%s,birth,%s,,,%s,\"Austėja, Marija\",Šimkutė,F\n" %
       (spis.lt_code("F", TODAY.isoformat(), 2), TODAY.isoformat(), EGLE))
rep, code, msg = send_file(RC, csv, "births.csv", "f2")
check("SubmitFactsFile: a quoted UTF-8 name with a comma", code == OK and rep.stored == 1,
      "%s %s %s" % (code, msg, rep))
check("SubmitFactsFile: the name is held whole", rows(
    "SELECT given_names, surname FROM facts WHERE record_id = 'fb-1'") ==
    [("Austėja, Marija", "Šimkutė")])
check("life events: both births registered the child in the mother's household", rows(
    "SELECT count(*) FROM memberships c JOIN memberships m ON m.household_id = c.household_id"
    " WHERE c.national_id IN (?, ?) AND c.to_date = '' AND m.national_id = ? AND m.to_date = ''",
    BABY, spis.lt_code("F", TODAY.isoformat(), 2), EGLE) == [(2,)])
# Resent: unchanged.
rep, code, msg = send_file(RC, csv, "births.csv", "f2")
check("SubmitFactsFile: a file sent again is unchanged", code == OK and rep.unchanged == 1 and
      rep.stored == 0, "%s %s" % (code, msg))

expect("SubmitFactsFile: a wrong header is named", send_file(
    VMI, "id,national_id\nx,y\n"), INVALID, "content", "record_id,national_id,kind")
expect("SubmitFactsFile: empty", send_file(VMI, ""), INVALID, "content")
expect("SubmitFactsFile: a header alone", send_file(VMI, HEADER), INVALID, "content")
expect("SubmitFactsFile: over 8 MiB", send_file(VMI, HEADER + "x" * (8 << 20)), INVALID,
       "content", "8 MiB")
expect("SubmitFactsFile: more than 20000 rows", send_file(
    VMI, HEADER + "r,%s,income,%s,1,,,,,\n" % (ONA, LAST_MONTH) * 20001), INVALID,
    "content", "20000")
expect("SubmitFactsFile: an officer session is refused", c.call(
    "Exchange", "SubmitFactsFile", x.SubmitFactsFileRequest(batch_id="s", content=b"x"),
    token=clerk), UNAUTH)

# --- institutions and feed errors for officers --------------------------------

lst, code, msg = officer("ListInstitutions", x.ListInstitutionsRequest())
check("ListInstitutions: all three", code == OK and [i.code for i in lst.institutions] ==
      ["RC", "UZT", "VMI"], "%s %s" % (code, msg))
if lst:
    v = [i for i in lst.institutions if i.code == "VMI"][0]
    check("ListInstitutions: VMI's totals", v.facts_stored == int(rows(
        "SELECT count(*) FROM facts WHERE source = 'VMI'")[0][0]) and
        v.facts_unchanged >= 3 and v.facts_rejected == int(rows(
            "SELECT count(*) FROM feed_errors WHERE source = 'VMI'")[0][0]) and
        v.last_feed_at.startswith(TODAY.isoformat()) and v.last_error != "",
        v)
expect("ListInstitutions: a clerk may not", officer(
    "ListInstitutions", x.ListInstitutionsRequest(), clerk), DENIED)
fe, code, msg = officer("ListFeedErrors", x.ListFeedErrorsRequest(code="VMI", limit=5))
check("ListFeedErrors: newest first, limited", code == OK and len(fe.errors) == 5 and
      fe.errors[0].batch_id == "f1" and fe.errors[0].index == 7, "%s %s" % (code, fe))
expect("ListFeedErrors: no such institution", officer(
    "ListFeedErrors", x.ListFeedErrorsRequest(code="NOPE")), NOT_FOUND, "code")

# --- ListPersonFacts -------------------------------------------------------------

pf, code, msg = officer("ListPersonFacts", x.ListPersonFactsRequest(
    national_id=ONA, purpose="case_work"), case13)
check("ListPersonFacts: Ona's facts, newest period first", code == OK and len(pf.facts) >= 3 and
      all(f.fact.national_id == ONA for f in pf.facts) and
      pf.facts[0].fact.period >= pf.facts[-1].fact.period, "%s %s" % (code, msg))
pf, code, msg = officer("ListPersonFacts", x.ListPersonFactsRequest(
    national_id=ONA, purpose="case_work", kind="vehicle"), case13)
check("ListPersonFacts: by kind", code == OK and len(pf.facts) == 1 and
      pf.facts[0].source == "VMI" and pf.facts[0].fact.amount == 100, "%s %s" % (code, msg))
expect("ListPersonFacts: a clerk may not", officer(
    "ListPersonFacts", x.ListPersonFactsRequest(national_id=ONA, purpose="case_work"), clerk13),
    DENIED)
expect("ListPersonFacts: a purpose is needed", officer(
    "ListPersonFacts", x.ListPersonFactsRequest(national_id=ONA), case13), INVALID, "purpose")
expect("ListPersonFacts: an unknown kind", officer(
    "ListPersonFacts", x.ListPersonFactsRequest(national_id=ONA, purpose="case_work",
                                                kind="salary"), case13), INVALID, "kind")

# --- RegistrySearch ------------------------------------------------------------------


def search(token, queries, purpose="employment", page_size=0, page_token=""):
    return inst("RegistrySearch", x.RegistrySearchRequest(
        purpose=purpose, queries=queries, page_size=page_size, page_token=page_token), token)


def by_id(qid, nid):
    return x.SearchQuery(query_id=qid, national_id=nid)


def by_preds(qid, *preds):
    return x.SearchQuery(query_id=qid, predicates=x.PredicateList(predicates=[
        x.SearchPredicate(attribute=a, operator=o, values=v if isinstance(v, list) else [v])
        for a, o, v in preds]))


rep, code, msg = search(UZT, [by_id("q1", ONA), by_id("q2", JONAS), by_id("q3", RUTA),
                              by_id("q4", GHOST), by_id("q5", "123")])
check("RegistrySearch by ID: answered", code == OK and len(rep.results) == 5,
      "%s %s" % (code, msg))
if rep:
    res = {q.query_id: q for q in rep.results}
    check("RegistrySearch by ID: a consenting person is returned", res["q1"].status == "ok" and
          [p.national_id for p in res["q1"].records] == [ONA] and
          res["q1"].records[0].surname == "Kazlauskienė" and
          res["q1"].records[0].municipality == "13", res["q1"])
    check("RegistrySearch by ID: a refusal is withheld", res["q2"].status == "consent_refused"
          and not res["q2"].records and res["q2"].withheld == 1, res["q2"])
    check("RegistrySearch by ID: no consent asked is withheld", res["q3"].status ==
          "consent_refused" and not res["q3"].records, res["q3"])
    check("RegistrySearch by ID: not found", res["q4"].status == "not_found", res["q4"])
    check("RegistrySearch by ID: a bad ID is invalid", res["q5"].status == "invalid" and
          res["q5"].message.startswith("national_id:"), res["q5"])

rep, code, msg = search(UZT, [by_preds("m13", ("municipality", "eq", "13"))])
if rep:
    q = rep.results[0]
    got = sorted(p.national_id for p in q.records)
    check("RegistrySearch by predicate: the consenting people of 13", q.status == "ok" and
          got == sorted([ONA, EGLE]), "%s %s" % (q, got))
    # Jonas and Rūta gave no consent; nor have the two girls born today
    # to Eglė, whom the births registered (life events).
    check("RegistrySearch by predicate: the others are withheld, counted",
          q.withheld == 4 and JONAS not in got and RUTA not in got and BABY not in got,
          q.withheld)
else:
    check("RegistrySearch by predicate", False, "%s %s" % (code, msg))
rep, code, msg = search(UZT, [by_preds("f", ("sex", "eq", "F"), ("birth_year", "ge", "1985")),
                              by_preds("age", ("age", "lt", "30")),
                              by_preds("in", ("municipality", "in", ["13", "19"]),
                                       ("sex", "ne", "F"))])
if rep:
    res = {q.query_id: q for q in rep.results}
    check("RegistrySearch: sex and birth_year", sorted(p.national_id for p in res["f"].records)
          == [EGLE] and res["f"].withheld == 3, res["f"])
    check("RegistrySearch: age (only the newborns, withheld)", not res["age"].records and
          res["age"].withheld == 2, res["age"])
    check("RegistrySearch: in and ne", [p.national_id for p in res["in"].records] == [PETRAS] and
          res["in"].withheld == 1, res["in"])
else:
    check("RegistrySearch: several predicates", False, "%s %s" % (code, msg))

rep, code, msg = search(UZT, [by_preds("b1", ("colour", "eq", "red")),
                              by_preds("b2", ("sex", "like", "F")),
                              by_preds("b3", ("sex", "lt", "F")),
                              by_preds("b4", ("birth_year", "eq", "abc")),
                              by_preds("b5", ("municipality", "eq", "999")),
                              by_preds("b6", ("sex", "eq", ["F", "M"])),
                              x.SearchQuery(query_id="b7"),
                              # 19 letters and a ž: the message quotes 20
                              # bytes, which would end inside the ž.
                              by_preds("b8", ("abcdefghijklmnopqrsž", "eq", "1"))])
if rep:
    res = {q.query_id: q for q in rep.results}
    for qid, field in [("b1", "predicates[0].attribute"), ("b2", "predicates[0].operator"),
                       ("b3", "predicates[0].operator"), ("b4", "predicates[0].values"),
                       ("b5", "predicates[0].values"), ("b6", "predicates[0].values"),
                       ("b7", "query"), ("b8", "predicates[0].attribute")]:
        check("RegistrySearch: query %s invalid, naming %s" % (qid, field),
              res[qid].status == "invalid" and res[qid].message.startswith(field + ":") and
              not res[qid].records, res[qid])
    check("RegistrySearch: an unknown attribute is named", "colour" in res["b1"].message)
    check("RegistrySearch: a quote cut inside a character stays text",
          '"abcdefghijklmnopqrs?"' in res["b8"].message, res["b8"].message)
else:
    check("RegistrySearch: bad predicates", False, "%s %s" % (code, msg))

# Paging: one person a page through everyone of 13 and 19.
seen, token, pages, withheld = [], "", 0, 0
while pages < 10:
    rep, code, msg = search(UZT, [by_preds("p", ("municipality", "in", ["13", "19"]))],
                            page_size=1, page_token=token)
    if code != OK:
        break
    q = rep.results[0]
    seen += [p.national_id for p in q.records]
    withheld += q.withheld
    pages += 1
    token = q.next_page_token
    if not token:
        break
check("RegistrySearch: paging one at a time finds every consenting person once",
      sorted(seen) == sorted([ONA, EGLE, PETRAS]) and withheld == 4 and pages == 7,
      "%s %s %d %d %s" % (code, msg, pages, withheld, seen))
expect("RegistrySearch: a page token with two queries", search(
    UZT, [by_id("a", ONA), by_id("b", EGLE)], page_token="cDox"), INVALID, "page_token")
expect("RegistrySearch: a forged page token", search(
    UZT, [by_id("a", ONA)], page_token="!!"), INVALID, "page_token")
expect("RegistrySearch: page_size over 100", search(UZT, [by_id("a", ONA)], page_size=101),
       INVALID, "page_size")
expect("RegistrySearch: more than 20 queries", search(
    UZT, [by_id(str(i), ONA) for i in range(21)]), INVALID, "queries")
expect("RegistrySearch: a purpose it may not search for", search(
    UZT, [by_id("a", ONA)], purpose="health"), DENIED, "purpose")
expect("RegistrySearch: an officer's purpose", search(
    UZT, [by_id("a", ONA)], purpose="case_work"), INVALID, "purpose")
expect("RegistrySearch: an institution that may not search", search(
    VMI, [by_id("a", ONA)]), DENIED, "purpose")
expect("RegistrySearch: an officer session is refused", c.call(
    "Exchange", "RegistrySearch", x.RegistrySearchRequest(
        purpose="employment", queries=[by_id("a", ONA)]), token=clerk), UNAUTH)

# --- audit -------------------------------------------------------------------------------


def audit(method, **kw):
    page, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
        method="/spis.v1.Exchange/" + method, page_size=500, **kw), token=auditor)
    return list(page.rows) if page else []


sub = [a for a in audit("SubmitFacts") if a.outcome == "OK"]
check("audit: one row per SubmitFacts call, naming the institution and counts",
      any(a.actor == "inst:VMI" and a.role == "institution" and "b2" in a.detail and
          "2 stored, 1 unchanged, 11 errors" in a.detail for a in sub),
      [(a.actor, a.detail) for a in sub])
check("audit: no row per fact", len([a for a in sub if "b2" in a.detail]) == 1)
check("audit: SubmitFactsFile rows name the file", any(
    a.actor == "inst:VMI" and "feed.csv" in a.detail for a in audit("SubmitFactsFile")))
refused = [a for a in audit("SubmitFacts") if a.outcome == "UNAUTHENTICATED"]
check("audit: a disabled institution's refused call names it", any(
    a.actor == "inst:VMI" and "disabled" in a.detail for a in refused),
    [(a.actor, a.detail) for a in refused])
srch = audit("RegistrySearch", subject=ONA)
check("audit: the person returned by a search has a row with the purpose",
      any(a.actor == "inst:UZT" and a.purpose == "employment" and a.outcome == "OK"
          for a in srch), [(a.actor, a.purpose, a.detail) for a in srch])
check("audit: a withheld person has no search row", not [
    a for a in audit("RegistrySearch", subject=JONAS) if a.outcome == "OK"])
calls = [a for a in audit("RegistrySearch", actor="inst:UZT") if a.subject == "" and
         a.outcome == "OK"]
check("audit: each search call has a row with its counts", calls and any(
    "returned" in a.detail and "withheld" in a.detail for a in calls),
    [a.detail for a in calls])
check("audit: a refused search purpose is recorded", any(
    a.outcome == "PERMISSION_DENIED" and a.purpose == "health"
    for a in audit("RegistrySearch", actor="inst:UZT")))
check("audit: registering an institution is recorded by the admin", any(
    a.actor == "admin" and "VMI" in a.detail and a.outcome == "OK"
    for a in audit("RegisterInstitution")))
check("audit: the token is in no audit row", not rows(
    "SELECT count(*) FROM audit WHERE detail LIKE ?", "%" + VMI + "%")[0][0])
pfa = audit("ListPersonFacts", subject=ONA)
check("audit: ListPersonFacts with the subject and purpose", any(
    a.actor == "case13" and a.purpose == "case_work" and a.outcome == "OK" for a in pfa))

sys.exit(1 if spis.FAILED else 0)
