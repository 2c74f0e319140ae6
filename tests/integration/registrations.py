"""Checks for tests/integration/registrations.sh: prints "OK name" or "FAIL name -- why".

argv: the generated Python modules, the daemon's address, its database, the
daemon's registration_requests_per_day, and the folder holding ca.crt and
kiosk.{crt,key} (the daemon asks for client certificates: the kiosk has one,
the officers' client none).
"""
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402
from spis.v1 import registrations_pb2 as rg  # noqa: E402
from spis.v1 import registry_pb2 as pb  # noqa: E402

addr, dbpath, per_day, certs = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def pem(name):
    with open(os.path.join(certs, name), "rb") as f:
        return f.read()


OPTS = [("grpc.ssl_target_name_override", "localhost")]
c = spis.Client(addr, grpc.ssl_channel_credentials(pem("ca.crt")), OPTS)
kiosk = spis.Client(addr, grpc.ssl_channel_credentials(
    pem("ca.crt"), pem("kiosk.key"), pem("kiosk.crt")), OPTS)
TERMINAL = "kiosk-kaunas-lib-1"
check = spis.check
OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
db = sqlite3.connect(dbpath, timeout=30, isolation_level=None)
REF = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


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


tokens = {}


def tok(user):
    if user not in tokens:
        tokens[user] = (kiosk if user == "vol" else c).login(user)
    return tokens[user]


def person(nid, **kw):
    """What a kiosk sends for nid, born on the code's date (G 3/4: 1900s)."""
    p = dict(national_id=nid, given_names="Aistė", surname="Kubilienė",
             birth_date="19%s-%s-%s" % (nid[1:3], nid[3:5], nid[5:7]),
             sex="M" if nid[0] in "35" else "F", address="Pylimo g. 4-2, Vilnius",
             municipality="13", phone="+370 (600) 11-222", language="lt")
    p.update(kw)
    return pb.Person(**p)


def submit(p, rid=None, token=None, consent=False):
    return kiosk.call("Registrations", "SubmitRegistration",
                      rg.SubmitRegistrationRequest(request_id=spis.rid() if rid is None else rid,
                                                   person=p, consent_to_help=consent), token=token)


def call(method, req, user="clerk13"):
    return c.call("Registrations", method, req, token=tok(user))


X = lt("4880512", 101)   # asks alone, accepted
V = lt("4900202", 102)   # asks with a volunteer, rejected
W = lt("3750303", 103)   # expires
Y = lt("3610101", 104)   # already registered
Z = lt("4700707", 105)   # lives in 19

# --- submit alone -------------------------------------------------------
rid_x = spis.rid()
r, code, msg = submit(person(X), rid=rid_x)
check("submit alone: a receipt with a short reference", code == OK and REF.match(r.reference)
      and r.municipality == "13", (code, msg, r))
ref_x = r.reference if r else ""
days = 0
if r:
    t0 = time.mktime(time.strptime(r.submitted_at, "%Y-%m-%dT%H:%M:%SZ"))
    t1 = time.mktime(time.strptime(r.expires_at, "%Y-%m-%dT%H:%M:%SZ"))
    days = round((t1 - t0) / 86400)
check("submit: expires after the configured 30 days", days == 30, (r,))
rows = q("SELECT status, national_id, surname, phone, terminal, helper FROM registration_requests"
         " WHERE reference = ?", ref_x)
check("submit: stored pending as typed, the phone normalised",
      rows == [("pending", X, "Kubilienė", "+37060011222", TERMINAL, "")], rows)
check("submit: no person is created and no PIN",
      q("SELECT count(*) FROM people WHERE national_id = ?", X) == [(0,)]
      and q("SELECT count(*) FROM citizen_pins WHERE national_id = ?", X) == [(0,)])
a = q("SELECT actor, role, subject, outcome, detail FROM audit"
      " WHERE method = '/spis.v1.Registrations/SubmitRegistration' ORDER BY id DESC LIMIT 1")
check("submit: audited with the citizen as actor and the code as subject",
      a and a[0][:4] == ("citizen", "citizen", X, "OK") and ref_x in a[0][4], a)

r, code, msg = submit(person(X), rid=rid_x)
check("submit: a retry with the same request_id gets the same receipt",
      code == OK and r.reference == ref_x
      and q("SELECT count(*) FROM registration_requests WHERE national_id = ?", X) == [(1,)],
      (code, msg, r))
r, code, msg = submit(person(X))
check("submit: a second request for a pending code is refused",
      code == grpc.StatusCode.ALREADY_EXISTS and msg.startswith("national_id:")
      and "already waiting" in msg, (code, msg))

# --- an already-registered code -----------------------------------------
_, code, msg = c.call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
    request_id=spis.rid(), person=pb.Person(
        national_id=Y, given_names="Jurgis", surname="Registruotas", birth_date="1961-01-01",
        sex="M", municipality="19", address="Secret g. 9"), reason="test"), token=tok("clerk"))
check("setup: Y registered", code == OK, (code, msg))
fail_before = q("SELECT count(*) FROM login_failures WHERE peer = 'ipv4:127.0.0.1'")[0][0]
r, code, msg = submit(person(Y, given_names="Kitas", surname="Žmogus"))
check("already registered: ALREADY_EXISTS telling to ask an office for a PIN",
      code == grpc.StatusCode.ALREADY_EXISTS and msg.startswith("national_id:")
      and "already in the registry" in msg and "PIN" in msg, (code, msg))
check("already registered: nothing about the person is told",
      not any(w in msg for w in ("Jurgis", "Registruotas", "19", "Secret", "1961")), msg)
check("already registered: counted as a failed attempt from the address",
      q("SELECT count(*) FROM login_failures WHERE peer = 'ipv4:127.0.0.1'")[0][0] == fail_before + 1
      and q("SELECT username FROM login_failures ORDER BY id DESC LIMIT 1") == [("registration:" + Y,)])
check("already registered: nothing stored",
      q("SELECT count(*) FROM registration_requests WHERE national_id = ?", Y) == [(0,)])
a = q("SELECT subject, outcome FROM audit WHERE method LIKE '%SubmitRegistration'"
      " ORDER BY id DESC LIMIT 1")
check("already registered: the refusal is audited", a == [(Y, "ALREADY_EXISTS")], a)

# --- bad input: each refused naming the field, nothing stored ------------
B = lt("4991231", 106)
bad = [
    ("a wrong check digit", person(B[:10] + str((int(B[10]) + 1) % 10)), "person.national_id:"),
    ("a birth date the code disagrees with", person(B, birth_date="1999-12-30"), "person.birth_date:"),
    ("a sex the code disagrees with", person(B, sex="M"), "person.sex:"),
    ("a future birth date", person(lt("6200101", 107), birth_date="2099-01-01"), "person.birth_date:"),
    ("an empty surname", person(B, surname=""), "person.surname:"),
    ("an empty given name", person(B, given_names=""), "person.given_names:"),
    ("control characters in a name", person(B, given_names="Ona\x07"), "person.given_names:"),
    ("a name over 100 characters", person(B, surname="Ž" * 101), "person.surname:"),
    ("a name too long to store", person(B, surname="a" * 500), "person.surname:"),
    ("an unknown municipality", person(B, municipality="99"), "person.municipality:"),
    ("no municipality", person(B, municipality=""), "person.municipality:"),
    ("a phone with letters", person(B, phone="+370 6OO"), "person.phone:"),
    ("an unknown language", person(B, language="xx"), "person.language:"),
    ("an address over 200 characters", person(B, address="g" * 201), "person.address:"),
    ("an email (not asked at a kiosk)", person(B, email="a@b.lt"), "person.email:"),
    ("a disability (not asked at a kiosk)", person(B, disability="severe"), "person.disability:"),
]
for name, p, prefix in bad:
    r, code, msg = submit(p)
    check("bad input: %s is refused naming the field" % name,
          code == INVALID and msg.startswith(prefix), (code, msg))
r, code, msg = submit(person(B), rid="")
check("bad input: no request_id", code == INVALID and msg.startswith("request_id:"), (code, msg))
r, code, msg = kiosk.call("Registrations", "SubmitRegistration",
                          rg.SubmitRegistrationRequest(request_id=spis.rid()))
check("bad input: no person", code == INVALID and msg.startswith("person:"), (code, msg))
check("bad input: nothing stored", q("SELECT count(*) FROM registration_requests"
                                     " WHERE national_id LIKE '499123%'") == [(0,)])
check("bad input: each refusal is audited", q(
    "SELECT count(*) FROM audit WHERE method LIKE '%SubmitRegistration'"
    " AND outcome = 'INVALID_ARGUMENT'")[0][0] >= len(bad) + 2)

# --- with a volunteer ---------------------------------------------------
r, code, msg = submit(person(V), token=tok("vol"))
check("volunteer: the citizen's consent is required",
      code == grpc.StatusCode.FAILED_PRECONDITION and msg.startswith("consent_to_help:"), (code, msg))
r, code, msg = submit(person(V, municipality="13"), token=tok("vol"), consent=True)
check("volunteer: with consent the request is stored", code == OK and REF.match(r.reference),
      (code, msg))
ref_v = r.reference if r else ""
check("volunteer: the helper is kept",
      q("SELECT helper FROM registration_requests WHERE reference = ?", ref_v) == [("vol",)])
a = q("SELECT actor, role, subject, purpose FROM audit WHERE method LIKE '%SubmitRegistration'"
      " AND outcome = 'OK' ORDER BY id DESC LIMIT 1")
check("volunteer: audited with both identities",
      a and a[0][:3] == ("vol", "intermediary", V) and "assisted by vol" in a[0][3], a)
r, code, msg = submit(person(lt("4900202", 108)), token=tok("clerk13"))
check("an officer session without the permission is refused",
      code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))
r, code, msg = submit(person(W), token="not-a-token")
check("a dead token is refused, not taken as alone",
      code == grpc.StatusCode.UNAUTHENTICATED, (code, msg))

r, code, msg = submit(person(W))
ref_w = r.reference if r else ""
r, code, msg = submit(person(Z, municipality="19"))
ref_z = r.reference if r else ""
check("setup: W and Z submitted", ref_w and ref_z, (code, msg))

# --- the clerk's list, scoped --------------------------------------------
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest())
refs = [x.reference for x in r.registrations] if r else []
check("list: clerk13 sees the pending requests of 13, oldest first",
      code == OK and refs == [ref_x, ref_v, ref_w], (code, msg, refs))
x = r.registrations[0] if r and r.registrations else None
check("list: a request carries what was typed",
      x is not None and x.person.national_id == X and x.person.surname == "Kubilienė"
      and x.person.phone == "+37060011222" and x.status == "pending" and x.terminal, x)
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest(), user="clerk19")
check("list: clerk19 sees only 19's", code == OK
      and [x.reference for x in r.registrations] == [ref_z], (code, msg, r))
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest(municipality="13"), user="clerk19")
check("list: another municipality is out of scope",
      code == grpc.StatusCode.PERMISSION_DENIED and msg.startswith("municipality:"), (code, msg))
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest(), user="clerk")
check("list: a national clerk sees all", code == OK
      and {x.reference for x in r.registrations} == {ref_x, ref_v, ref_w, ref_z}, (code, msg))
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest(page_size=2), user="clerk")
r2, code2, msg2 = call("ListRegistrations", rg.ListRegistrationsRequest(
    page_size=2, page_token=r.next_page_token if r else ""), user="clerk")
check("list: pages", code == OK and code2 == OK and len(r.registrations) == 2
      and len(r2.registrations) == 2 and r.next_page_token
      and {x.reference for x in list(r.registrations) + list(r2.registrations)}
      == {ref_x, ref_v, ref_w, ref_z}, (code, msg, code2, msg2))
for name, req, prefix in [
        ("an unknown status", rg.ListRegistrationsRequest(status="lost"), "status:"),
        ("an unknown municipality", rg.ListRegistrationsRequest(municipality="99"), "municipality:"),
        ("a page too big", rg.ListRegistrationsRequest(page_size=101), "page_size:"),
        ("a made-up page token", rg.ListRegistrationsRequest(page_token="x1"), "page_token:")]:
    r, code, msg = call("ListRegistrations", req)
    check("list: %s is refused naming the field" % name, code == INVALID and msg.startswith(prefix),
          (code, msg))
for user in ("help", "vol", "audit"):
    r, code, msg = (kiosk if user == "vol" else c).call(
        "Registrations", "ListRegistrations", rg.ListRegistrationsRequest(), token=tok(user))
    check("list: %s may not" % user, code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))

# --- get --------------------------------------------------------------
r, code, msg = call("GetRegistration", rg.GetRegistrationRequest(
    reference=ref_x.replace("-", " ").lower()))
check("get: by the reference as typed, any case", code == OK and r.reference == ref_x
      and r.person.national_id == X, (code, msg))
r, code, msg = call("GetRegistration", rg.GetRegistrationRequest(reference=ref_x), user="clerk19")
check("get: out of scope names the reference",
      code == grpc.StatusCode.PERMISSION_DENIED and msg.startswith("reference:"), (code, msg))
r, code, msg = call("GetRegistration", rg.GetRegistrationRequest(reference="KX4P-9TQ1"))
check("get: a reference that cannot be one", code == INVALID and msg.startswith("reference:"),
      (code, msg))
r, code, msg = call("GetRegistration", rg.GetRegistrationRequest(reference="AAAA-AAAA"))
check("get: an unknown reference", code == grpc.StatusCode.NOT_FOUND and msg.startswith("reference:"),
      (code, msg))
a = q("SELECT subject, purpose, actor FROM audit WHERE method LIKE '%GetRegistration'"
      " AND outcome = 'OK' ORDER BY id DESC LIMIT 1")
check("get: audited with the code as subject", a == [(X, "intake", "clerk13")], a)

# --- accept -----------------------------------------------------------
r, code, msg = call("AcceptRegistration", rg.AcceptRegistrationRequest(
    request_id=spis.rid(), reference=ref_x))
check("accept: before the person is registered it names what to do",
      code == grpc.StatusCode.FAILED_PRECONDITION and msg.startswith("national_id:")
      and "register the person" in msg, (code, msg))
g, _, _ = call("GetRegistration", rg.GetRegistrationRequest(reference=ref_x))
_, code, msg = c.call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
    request_id=spis.rid(), person=g.person, reason="registration request " + ref_x),
    token=tok("clerk13"))
check("accept: RegisterPerson takes the request's person as it is", code == OK, (code, msg))
r, code, msg = call("AcceptRegistration", rg.AcceptRegistrationRequest(
    request_id=spis.rid(), reference=ref_x), user="clerk19")
check("accept: out of scope is refused", code == grpc.StatusCode.PERMISSION_DENIED, (code, msg))
r, code, msg = call("AcceptRegistration", rg.AcceptRegistrationRequest(
    request_id=spis.rid(), reference=ref_x, note="passport checked"))
check("accept: linked to the person", code == OK and r.status == "accepted" and r.national_id == X
      and r.resolved_by == "clerk13" and r.reason == "passport checked" and r.resolved_at, (code, msg, r))
r, code, msg = call("AcceptRegistration", rg.AcceptRegistrationRequest(
    request_id=spis.rid(), reference=ref_x))
check("accept: only once", code == grpc.StatusCode.FAILED_PRECONDITION
      and msg.startswith("reference:") and "accepted" in msg, (code, msg))
p, code, msg = c.call("Citizen", "IssuePin", cz.IssuePinRequest(request_id=spis.rid(), national_id=X),
                      token=tok("clerk13"))
check("accept: a PIN can be issued for the person now", code == OK and len(p.pin) == 6, (code, msg))
a = q("SELECT subject, outcome, detail FROM audit WHERE method LIKE '%AcceptRegistration'"
      " AND outcome = 'OK'")
check("accept: audited", a == [(X, "OK", "registration request %s accepted" % ref_x)], a)
log, code, msg = c.call("Registry", "GetAccessLog", pb.GetAccessLogRequest(national_id=X),
                        token=tok("clerk13"))
check("accept: the citizen's own request is not in who looked at the record, the clerk's work is",
      code == OK and log.entries and all(e.role != "citizen" for e in log.entries)
      and any(e.role == "clerk" and e.action == "change" for e in log.entries), (code, msg, log))
r, code, msg = submit(person(X))
check("submit: after registration the code is registered",
      code == grpc.StatusCode.ALREADY_EXISTS and "already in the registry" in msg, (code, msg))

# --- reject -----------------------------------------------------------
r, code, msg = call("RejectRegistration", rg.RejectRegistrationRequest(
    request_id=spis.rid(), reference=ref_v))
check("reject: a reason is required", code == INVALID and msg.startswith("reason:"), (code, msg))
r, code, msg = call("RejectRegistration", rg.RejectRegistrationRequest(
    request_id=spis.rid(), reference=ref_v, reason="no identity document"))
check("reject: rejected with the reason", code == OK and r.status == "rejected"
      and r.reason == "no identity document" and r.national_id == "", (code, msg, r))
check("reject: nobody registered", q("SELECT count(*) FROM people WHERE national_id = ?", V) == [(0,)])
r, code, msg = submit(person(V))
check("reject: the person may ask again", code == OK and r.reference != ref_v, (code, msg))
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest(status="rejected"))
check("list: by status", code == OK and [x.reference for x in r.registrations] == [ref_v], (code, msg))

# --- expiry -----------------------------------------------------------
q("UPDATE registration_requests SET expires = 1000 WHERE reference = ?", ref_w)
r, code, msg = call("GetRegistration", rg.GetRegistrationRequest(reference=ref_w))
check("expiry: read as expired", code == OK and r.status == "expired", (code, msg, r))
r, code, msg = call("AcceptRegistration", rg.AcceptRegistrationRequest(
    request_id=spis.rid(), reference=ref_w))
check("expiry: cannot be accepted", code == grpc.StatusCode.FAILED_PRECONDITION
      and "expired" in msg, (code, msg))
r, code, msg = call("ListRegistrations", rg.ListRegistrationsRequest())
check("expiry: gone from the pending list", code == OK
      and ref_w not in [x.reference for x in r.registrations], (code, msg))
r, code, msg = submit(person(W))
check("expiry: the person may ask again", code == OK and r.reference != ref_w, (code, msg))

# --- the terminal's daily limit -------------------------------------------
sent = q("SELECT count(*) FROM registration_requests WHERE terminal = ?", TERMINAL)[0][0]
n, code = 0, OK
while code == OK and n < per_day + 2:
    r, code, msg = submit(person(lt("3500101", 200 + n)))
    n += 1
check("limit: %d requests a day from one terminal, then RESOURCE_EXHAUSTED" % per_day,
      code == grpc.StatusCode.RESOURCE_EXHAUSTED and sent + n - 1 == per_day, (code, msg, sent, n))

sys.exit(1 if spis.FAILED else 0)
