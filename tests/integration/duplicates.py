"""Checks for tests/integration/duplicates.sh: prints "OK name" or "FAIL name -- why".

argv: the generated Python modules, the daemon's address, its database.

People are registered through Registry/RegisterPerson.  Households, memberships,
consents and documents for the merge are written directly: this tests the
merge, not the services that make them.
"""
import os
import re
import sqlite3
import sys
import time
import unicodedata

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402
from spis.v1 import registry_pb2 as pb  # noqa: E402

addr, dbpath = sys.argv[2], sys.argv[3]
c = spis.Client(addr)
check = spis.check
OK = grpc.StatusCode.OK
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)


def q(sql, *args):
    return db.execute(sql, args).fetchall()


def lt(prefix7, serial):
    """A valid Lithuanian personal code from G YYMMDD and a 3-digit serial."""
    s = prefix7 + "%03d" % serial
    d = [int(x) for x in s]
    r = sum(a * b for a, b in zip(d, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1])) % 11
    if r == 10:
        r = sum(a * b for a, b in zip(d, [3, 4, 5, 6, 7, 8, 9, 1, 2, 3])) % 11
        r = 0 if r == 10 else r
    return s + str(r)


def fold(s):
    s = s.replace("ı", "i")
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return re.sub(r"[ -]+", " ", s.lower()).strip()


tokens = {}


def tok(user):
    if user not in tokens:
        tokens[user] = c.login(user)
    return tokens[user]


def register(nid, given, surname, birth, sex, muni="13", phone=""):
    p = pb.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                  sex=sex, municipality=muni, phone=phone)
    r, code, msg = c.call("Registry", "RegisterPerson",
                          pb.RegisterPersonRequest(request_id=spis.rid(), person=p,
                                                   reason="duplicates test"),
                          token=tok("clerk"))
    if code != OK:
        raise RuntimeError("RegisterPerson %s: %s %s" % (nid, code, msg))
    return r


def find(nid, user="clerk13"):
    return c.call("Duplicates", "FindDuplicates", pb.FindDuplicatesRequest(national_id=nid),
                  token=tok(user))


def listing(user="clerk13", **kw):
    return c.call("Duplicates", "ListDuplicateFlags", pb.ListDuplicateFlagsRequest(**kw),
                  token=tok(user))


def resolve(user="clerk13", request_id=None, **kw):
    return c.call("Duplicates", "ResolveDuplicate",
                  pb.ResolveDuplicateRequest(request_id=spis.rid() if request_id is None else request_id, **kw),
                  token=tok(user))


def other(flag, nid):
    return flag.b.national_id if flag.a.national_id == nid else flag.a.national_id


def flags_with(reply, nid):
    return [f for f in reply.flags if nid in (f.a.national_id, f.b.national_id)]


# People.  A: same folded name and birth date (A2 lives in 19).  B: same
# phone.  C: transposed IDs (both valid codes).  U: unrelated.  D: alike
# but one deceased.  M: alike but one merged away.  E shares C2's phone.
A1, A2 = lt("3870318", 1), lt("3870318", 2)
B1, B2 = lt("4900101", 11), lt("4920505", 12)
C1, C2 = "38703180247", "38703180274"
U1, U2 = lt("4950707", 21), lt("3600202", 22)
D1, D2 = lt("3550303", 31), lt("3550303", 32)
M1, M2 = lt("4800808", 41), lt("4800808", 42)
E1 = lt("3700909", 51)
for a, b in ((A1, A2), (D1, D2), (M1, M2)):
    assert a != b
register(A1, "Jonas", "Petraitis", "1987-03-18", "M", phone="+37060000001")
register(A2, "Jonas", "Pétraitis", "1987-03-18", "M", muni="19")
register(B1, "Ona", "Kazlauskienė", "1990-01-01", "F", phone="+37061111111")
register(B2, "Rūta", "Jankauskienė", "1992-05-05", "F", phone="+37061111111")
register(C1, "Petras", "Kairys", "1987-03-18", "M")
register(C2, "Antanas", "Vaitkus", "1987-03-18", "M", phone="+37069999999")
register(E1, "Eimantas", "Rimkus", "1970-09-09", "M", phone="+37069999999")
register(D1, "Vytautas", "Žilinskas", "1955-03-03", "M")
q("UPDATE people SET deceased_date = '2020-01-01' WHERE national_id = ?", D1)
register(D2, "Vytautas", "Zilinskas", "1955-03-03", "M")
register(M1, "Laura", "Žukauskaitė", "1980-08-08", "F")
q("UPDATE people SET merged_into = ? WHERE national_id = ?", E1, M1)
register(M2, "Laura", "Zukauskaite", "1980-08-08", "F")
register(U1, "Gintarė", "Balčiūnaitė", "1995-07-07", "F")
register(U2, "Kęstutis", "Urbonas", "1960-02-02", "M")

# --- FindDuplicates: each reason, and nothing for the unrelated ---------
r, code, msg = find(A1)
fa = flags_with(r, A1) if r else []
check("same name and birth date found", code == OK and len(fa) == 1 and other(fa[0], A1) == A2
      and list(fa[0].reasons) == ["same_name_birth_date"] and fa[0].status == "open", (code, msg, r))
flag_a = fa[0] if fa else None
check("a flag names the smaller ID as a", flag_a is not None and flag_a.a.national_id < flag_a.b.national_id
      and flag_a.a.surname and flag_a.b.municipality == ("19" if flag_a.b.national_id == A2 else "13"),
      flag_a)

r, code, msg = find(B1)
fb = flags_with(r, B1) if r else []
check("same phone found", code == OK and len(fb) == 1 and other(fb[0], B1) == B2
      and list(fb[0].reasons) == ["same_phone"], (code, msg, r))
flag_b = fb[0] if fb else None

r, code, msg = find(C1)
fc = flags_with(r, C1) if r else []
check("transposed ID found", code == OK and len(fc) == 1 and other(fc[0], C1) == C2
      and list(fc[0].reasons) == ["transposed_id"], (code, msg, r))
flag_c = fc[0] if fc else None

r, code, msg = find(U1)
check("no flag for an unrelated person", code == OK and len(r.flags) == 0, (code, msg, r))
r, code, msg = find(U2)
check("no same_phone between people without a phone", code == OK and len(r.flags) == 0, (code, msg, r))

r, code, msg = find(D2)
check("a deceased person still counts", code == OK and len(r.flags) == 1 and other(r.flags[0], D2) == D1,
      (code, msg, r))
r, code, msg = find(M2)
check("a merged record is not found", code == OK and len(r.flags) == 0, (code, msg, r))

r, code, msg = find(C2)
fe = [f for f in r.flags if E1 in (f.a.national_id, f.b.national_id)] if r else []
check("C2 and E1 flagged by phone", code == OK and len(fe) == 1 and list(fe[0].reasons) == ["same_phone"],
      (code, msg, r))
flag_e = fe[0] if fe else None

n_before = q("SELECT count(*) FROM duplicate_flags")[0][0]
r, code, msg = find(A1)
check("a pair flagged once only", code == OK and len(r.flags) == 1 and flag_a and r.flags[0].id == flag_a.id
      and q("SELECT count(*) FROM duplicate_flags")[0][0] == n_before, (code, msg, r))
r, code, msg = find(A2, user="clerk19")
check("the pair is the same flag from the other side", code == OK and len(r.flags) == 1
      and flag_a and r.flags[0].id == flag_a.id, (code, msg, r))

# A new reason joins the old flag, its status untouched.
q("UPDATE people SET phone = '+37060000001' WHERE national_id = ?", A2)
r, code, msg = find(A2, user="clerk19")
check("a new reason is added to the flag", code == OK and len(r.flags) == 1
      and list(r.flags[0].reasons) == ["same_name_birth_date", "same_phone"]
      and r.flags[0].status == "open" and flag_a and r.flags[0].id == flag_a.id, (code, msg, r))

# Registration flags at once, and says so in its reply.
F1 = lt("3870318", 61)
rr = register(F1, "Jonas", "Petraitis", "1987-03-18", "M", muni="19")
hinted = sorted(h.national_id for h in rr.duplicates) if rr else []
check("RegisterPerson returns the duplicates it flagged", hinted == sorted([A1, A2]), rr)
r, code, msg = find(F1, user="clerk19")
check("registration flagged them", code == OK and len(r.flags) == 2, (code, msg, r))

# --- FindDuplicates refusals -------------------------------------------
r, code, msg = find("")
check("find: empty national_id refused", code == grpc.StatusCode.INVALID_ARGUMENT and "national_id" in msg,
      (code, msg))
r, code, msg = find("39912319999")
check("find: unknown person is NOT_FOUND", code == grpc.StatusCode.NOT_FOUND and "national_id" in msg,
      (code, msg))
r, code, msg = find(B1, user="clerk19")
check("find: a person of another municipality refused", code == grpc.StatusCode.PERMISSION_DENIED
      and "national_id" in msg, (code, msg))
for user in ("help", "case13", "audit"):
    r, code, msg = find(A1, user=user)
    check("find: %s refused" % user, code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))

# --- ListDuplicateFlags -------------------------------------------------
all_open = q("SELECT count(*) FROM duplicate_flags WHERE status = 'open'")[0][0]
r, code, msg = listing(user="clerk")
check("list: a national officer sees every open flag", code == OK and len(r.flags) == all_open
      and all(f.status == "open" for f in r.flags) and r.next_page_token == "", (code, msg, r))
ids = [f.id for f in r.flags] if r else []
check("list: in id order", ids == sorted(ids), ids)

r, code, msg = listing(user="clerk19")
check("list: an officer of 19 sees only flags with someone in 19", code == OK and len(r.flags) >= 1
      and all("19" in (f.a.municipality, f.b.municipality) for f in r.flags)
      and flag_a and flag_a.id in [f.id for f in r.flags], (code, msg, r))
r13, code, msg = listing(user="clerk13")
check("list: an officer of 13 sees flags of 13, A's too",
      code == OK and all("13" in (f.a.municipality, f.b.municipality) for f in r13.flags)
      and flag_b and flag_b.id in [f.id for f in r13.flags]
      and flag_a and flag_a.id in [f.id for f in r13.flags], (code, msg, r13))
r, code, msg = listing(user="clerk", municipality="19")
check("list: a national officer narrows to 19", code == OK
      and all("19" in (f.a.municipality, f.b.municipality) for f in r.flags)
      and flag_b and flag_b.id not in [f.id for f in r.flags], (code, msg, r))
r, code, msg = listing(user="clerk19", municipality="13")
check("list: another municipality refused", code == grpc.StatusCode.PERMISSION_DENIED
      and "municipality" in msg, (code, msg))
r, code, msg = listing(user="clerk", municipality="999")
check("list: unknown municipality refused", code == grpc.StatusCode.INVALID_ARGUMENT
      and "municipality" in msg, (code, msg))

seen, token, pages = [], "", 0
while True:
    r, code, msg = listing(user="clerk", page_size=2, page_token=token)
    if code != OK:
        break
    pages += 1
    check("list: page %d holds at most 2" % pages, len(r.flags) <= 2, r)
    seen += [f.id for f in r.flags]
    token = r.next_page_token
    if not token or pages > 50:
        break
check("list: pages of 2 cover every flag once", code == OK and seen == ids and pages == (len(ids) + 1) // 2,
      (code, msg, seen, ids, pages))
for kw, field in (({"page_size": 101}, "page_size"), ({"page_size": -1}, "page_size"),
                  ({"page_token": "x1"}, "page_token"), ({"status": "closed"}, "status")):
    r, code, msg = listing(user="clerk", **kw)
    check("list: bad %s refused" % field, code == grpc.StatusCode.INVALID_ARGUMENT and field in msg,
          (kw, code, msg))
for user in ("help", "case13"):
    r, code, msg = listing(user=user)
    check("list: %s refused" % user, code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))

# --- ResolveDuplicate: bad input ---------------------------------------
r, code, msg = resolve(flag_id=999999, resolution="distinct", reason="x")
check("resolve: unknown flag is NOT_FOUND", code == grpc.StatusCode.NOT_FOUND and "flag_id" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="delete", reason="x")
check("resolve: bad resolution refused", code == grpc.StatusCode.INVALID_ARGUMENT and "resolution" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="merge", keep_national_id=U1, reason="x")
check("resolve: keep not in the pair refused", code == grpc.StatusCode.INVALID_ARGUMENT
      and "keep_national_id" in msg, (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="merge", reason="x")
check("resolve: merge without keep refused", code == grpc.StatusCode.INVALID_ARGUMENT
      and "keep_national_id" in msg, (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="distinct", reason="")
check("resolve: empty reason refused", code == grpc.StatusCode.INVALID_ARGUMENT and "reason" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="distinct", reason="x" * 501)
check("resolve: 501-character reason refused", code == grpc.StatusCode.INVALID_ARGUMENT
      and "reason" in msg, (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="distinct", reason="bad\x01text")
check("resolve: control character in reason refused", code == grpc.StatusCode.INVALID_ARGUMENT
      and "reason" in msg, (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="distinct", reason="x", request_id="")
check("resolve: request_id required", code == grpc.StatusCode.INVALID_ARGUMENT and "request_id" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=0, resolution="distinct", reason="x")
check("resolve: flag_id required", code == grpc.StatusCode.INVALID_ARGUMENT and "flag_id" in msg,
      (code, msg))
for user in ("help", "case13"):
    r, code, msg = resolve(user=user, flag_id=flag_b.id, resolution="distinct", reason="x")
    check("resolve: %s refused" % user, code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))
r, code, msg = resolve(user="clerk19", flag_id=flag_b.id, resolution="distinct", reason="x")
check("resolve: a flag with nobody in my municipality refused", code == grpc.StatusCode.PERMISSION_DENIED
      and "flag_id" in msg, (code, msg))
check("resolve: refusals changed nothing",
      q("SELECT status FROM duplicate_flags WHERE id = ?", flag_b.id) == [("open",)])

# --- distinct -----------------------------------------------------------
rid = spis.rid()
r, code, msg = resolve(request_id=rid, flag_id=flag_b.id, resolution="distinct",
                       reason="Two sisters sharing a phone; seen both IDs")
check("distinct: marked", code == OK and r.status == "distinct" and r.resolved_by == "clerk13"
      and r.resolution_reason.startswith("Two sisters") and r.resolved_at and r.kept_national_id == "",
      (code, msg, r))
r2, code, msg = resolve(request_id=rid, flag_id=flag_b.id, resolution="distinct",
                        reason="Two sisters sharing a phone; seen both IDs")
check("distinct: a retry gets the first answer", code == OK and r2 == r, (code, msg))
r, code, msg = resolve(flag_id=flag_b.id, resolution="distinct", reason="again")
check("distinct: resolving twice refused", code == grpc.StatusCode.FAILED_PRECONDITION and "flag_id" in msg,
      (code, msg))
r, code, msg = listing(user="clerk13", status="distinct")
check("distinct: listed under distinct", code == OK and [f.id for f in r.flags] == [flag_b.id], (code, msg, r))
r, code, msg = find(B1)
check("distinct: a new scan keeps the status", code == OK and len(r.flags) == 1
      and r.flags[0].status == "distinct", (code, msg, r))
r, code, msg = listing(user="clerk13")
check("distinct: gone from the open list", code == OK and flag_b.id not in [f.id for f in r.flags],
      (code, msg))

# --- merge refused: both in households ---------------------------------
today = time.strftime("%Y-%m-%d", time.gmtime())


def household(muni="13"):
    cur = db.execute("INSERT INTO households (address, municipality, created_at, created_by)"
                     " VALUES ('Gedimino pr. 1', ?, '2020-01-01T00:00:00Z', 'test')", (muni,))
    return cur.lastrowid


def member(hh, nid, rel, frm, to=""):
    cur = db.execute("INSERT INTO memberships (household_id, national_id, relationship, from_date,"
                     " to_date, created_at, created_by) VALUES (?,?,?,?,?,'2020-01-01T00:00:00Z','test')",
                     (hh, nid, rel, frm, to))
    return cur.lastrowid


h3, h4 = household(), household("19")
member(h3, A1, "head", "2019-01-01")
member(h4, A2, "head", "2019-06-01")
r, code, msg = resolve(flag_id=flag_a.id, resolution="merge", keep_national_id=A1, reason="same man")
check("merge: both in households refused", code == grpc.StatusCode.FAILED_PRECONDITION
      and msg == "keep_national_id: both are in households (%d and %d); move one first" % (h3, h4),
      (code, msg))
check("merge: the refusal wrote nothing",
      q("SELECT merged_into FROM people WHERE national_id = ?", A2) == [("",)]
      and q("SELECT status FROM duplicate_flags WHERE id = ?", flag_a.id) == [("open",)]
      and q("SELECT count(*) FROM person_history WHERE field LIKE 'merged%'") == [(0,)])

# --- merge: C2 into C1 --------------------------------------------------
h1, h2 = household(), household()
m_c1 = member(h1, C1, "head", "2020-01-01")
m_c2_open = member(h1, C2, "sibling", "2021-01-01")   # the same household: ended today
m_c2_old = member(h2, C2, "head", "2015-01-01", "2019-01-01")  # before C1's: moves
db.execute("INSERT INTO consents (national_id, purpose, given, channel, at, recorded_by)"
           " VALUES (?, 'research', 1, 'office', '2022-01-01T00:00:00Z', 'test')", (C2,))
db.execute("INSERT INTO documents (owner_kind, owner_id, type, file_name, media_type, size, sha256,"
           " created_at, created_by) VALUES ('person', ?, 'id_card', 'id.pdf', 'application/pdf', 10,"
           " 'ab', '2022-01-01T00:00:00Z', 'test')", (C2,))
v1 = q("SELECT version FROM people WHERE national_id = ?", C1)[0][0]
v2 = q("SELECT version FROM people WHERE national_id = ?", C2)[0][0]

r, code, msg = resolve(flag_id=flag_c.id, resolution="merge", keep_national_id=C1,
                       reason="One man: the second code was typed with two digits swapped")
check("merge: done", code == OK and r.status == "merged" and r.kept_national_id == C1
      and r.resolved_by == "clerk13", (code, msg, r))
merged_b = r.b if r and r.b.national_id == C2 else (r.a if r else None)
check("merge: the reply shows the merged record", merged_b is not None and merged_b.merged_into == C1, r)
check("merge: merged_into set",
      q("SELECT merged_into FROM people WHERE national_id = ?", C2) == [(C1,)]
      and q("SELECT merged_into FROM people WHERE national_id = ?", C1) == [("",)])
check("merge: both versions rise",
      q("SELECT version FROM people WHERE national_id = ?", C1)[0][0] == v1 + 1
      and q("SELECT version FROM people WHERE national_id = ?", C2)[0][0] == v2 + 1)
h_c2 = q("SELECT field, old_value, new_value, actor, reason FROM person_history"
         " WHERE national_id = ? AND field = 'merged_into'", C2)
h_c1 = q("SELECT field, old_value, new_value, actor, reason FROM person_history"
         " WHERE national_id = ? AND field = 'merged_from'", C1)
check("merge: history row on the merged record", len(h_c2) == 1 and h_c2[0][1:4] == ("", C1, "clerk13")
      and h_c2[0][4].startswith("One man"), h_c2)
check("merge: history row on the kept record", len(h_c1) == 1 and h_c1[0][1:4] == ("", C2, "clerk13"), h_c1)
mem = {i: (nid, to, er) for i, nid, to, er in
       q("SELECT id, national_id, to_date, end_reason FROM memberships WHERE id IN (?,?,?)",
         m_c1, m_c2_open, m_c2_old)}
check("merge: a past membership moves to the kept record", mem[m_c2_old][0] == C1, mem)
check("merge: the shared household's second membership ends today, on the merged record",
      mem[m_c2_open] == (C2, today, "merged into " + C1), mem)
check("merge: the kept record's membership untouched", mem[m_c1] == (C1, "", ""), mem)
check("merge: consents re-pointed", q("SELECT count(*) FROM consents WHERE national_id = ?", C2) == [(0,)]
      and q("SELECT count(*) FROM consents WHERE national_id = ?", C1) == [(1,)])
check("merge: documents re-pointed",
      q("SELECT count(*) FROM documents WHERE owner_kind = 'person' AND owner_id = ?", C1) == [(1,)])
st = q("SELECT status, kept FROM duplicate_flags WHERE id = ?", flag_e.id)
check("merge: the merged record's other open flags become merged", st == [("merged", C1)], st)
r, code, msg = resolve(flag_id=flag_c.id, resolution="merge", keep_national_id=C1, reason="again")
check("merge: resolving twice refused", code == grpc.StatusCode.FAILED_PRECONDITION and "flag_id" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=flag_e.id, resolution="distinct", reason="x")
check("merge: a flag it closed cannot be resolved again", code == grpc.StatusCode.FAILED_PRECONDITION,
      (code, msg))
n_before = q("SELECT count(*) FROM duplicate_flags")[0][0]
r, code, msg = find(C2)
check("merge: a merged record is not scanned", code == OK
      and q("SELECT count(*) FROM duplicate_flags")[0][0] == n_before, (code, msg))
r, code, msg = listing(user="clerk13", status="merged")
check("merge: listed under merged", code == OK and flag_c.id in [f.id for f in r.flags]
      and flag_e.id in [f.id for f in r.flags], (code, msg, r))

a, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(subject=C1, method="/spis.v1.Duplicates/ResolveDuplicate"),
                      token=tok("audit"))
ok_rows = [x for x in a.rows if x.outcome == "OK"] if a else []
check("merge: one audit row, the kept record its subject, the other in its detail",
      code == OK and len(ok_rows) == 1 and C2 in ok_rows[0].detail and ok_rows[0].actor == "clerk13",
      (code, msg, a))
a, code, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(method="/spis.v1.Duplicates/ResolveDuplicate"),
                      token=tok("audit"))
check("resolve: refusals are audited too", code == OK
      and any(x.outcome == "FAILED_PRECONDITION" for x in a.rows)
      and any(x.outcome == "INVALID_ARGUMENT" for x in a.rows), (code, msg))

# --- a merge where the merged record heads the shared household --------
D_flag = [f for f in find(D2)[0].flags][0]
h5 = household()
member(h5, D1, "head", "2000-01-01")
member(h5, D2, "spouse", "2001-01-01")
r, code, msg = resolve(flag_id=D_flag.id, resolution="merge", keep_national_id=D2, reason="one man")
check("merge: the head's record cannot be the one to go", code == grpc.StatusCode.FAILED_PRECONDITION
      and "keep_national_id" in msg and str(h5) in msg, (code, msg))
# A membership that would overlap the kept one in time, still open.
q("UPDATE memberships SET to_date = '2001-01-01', end_reason = 'test' WHERE national_id = ? AND household_id = ?",
  D1, h5)
h6 = household()
member(h6, D1, "head", "2001-01-01")
q("UPDATE memberships SET from_date = '2000-06-01', to_date = '2005-01-01' WHERE national_id = ? AND household_id = ?",
  D2, h5)
r, code, msg = resolve(flag_id=D_flag.id, resolution="merge", keep_national_id=D2, reason="one man")
check("merge: an open membership overlapping the kept one's past refused",
      code == grpc.StatusCode.FAILED_PRECONDITION and "keep_national_id" in msg and "overlaps" in msg,
      (code, msg))
r, code, msg = resolve(flag_id=D_flag.id, resolution="merge", keep_national_id=D1, reason="one man")
check("merge: kept the other way round it goes", code == OK and r.kept_national_id == D1, (code, msg))
rows = q("SELECT national_id, household_id FROM memberships WHERE household_id IN (?, ?) ORDER BY id", h5, h6)
check("merge: the overlapping past membership stays with the merged record",
      rows == [(D1, h5), (D2, h5), (D1, h6)], rows)

# --- phone numbers are compared as numbers, not as typed -----------------
# Spaces, dashes and parentheses are dropped before storing (a leading +
# kept), at registration and on update, so that same_phone finds them.
P1, P2, P3 = lt("3770101", 71), lt("4780202", 72), lt("3790303", 73)
rp = register(P1, "Mindaugas", "Stankus", "1977-01-01", "M", phone="+370 (612) 34-567")
check("phone: stored without spaces, dashes and parentheses", rp.person.phone == "+37061234567"
      and q("SELECT phone FROM people WHERE national_id = ?", P1) == [("+37061234567",)],
      rp.person.phone)
rp = register(P2, "Asta", "Stankienė", "1978-02-02", "F", phone="+37061234567")
check("phone: the same number typed otherwise is flagged same_phone",
      [(h.national_id, list(h.reasons)) for h in rp.duplicates] == [(P1, ["same_phone"])],
      list(rp.duplicates))
register(P3, "Darius", "Lukas", "1979-03-03", "M", phone="8 612 00000")
r, code, msg = c.call("Registry", "UpdatePerson",
                      pb.UpdatePersonRequest(request_id=spis.rid(), national_id=P3,
                                             person=pb.Person(phone="+370-612-34567"),
                                             fields=["phone"], reason="new number"),
                      token=tok("clerk13"))
check("phone: UpdatePerson normalises too", code == OK and r.phone == "+37061234567", (code, msg, r))
r, code, msg = find(P3)
check("phone: found by number after an update", code == OK
      and {other(f, P3) for f in r.flags if "same_phone" in f.reasons} == {P1, P2}, (code, msg, r))
r, code, msg = c.call("Registry", "RegisterPerson",
                      pb.RegisterPersonRequest(request_id=spis.rid(), person=pb.Person(
                          national_id=lt("3800404", 74), given_names="Bad", surname="Phone",
                          birth_date="1980-04-04", sex="M", municipality="13",
                          phone="+370 612/345"), reason="bad phone"),
                      token=tok("clerk"))
check("phone: other characters are still refused, naming the field",
      code == grpc.StatusCode.INVALID_ARGUMENT and msg.startswith("person.phone:"), (code, msg))

sys.exit(1 if spis.FAILED else 0)
