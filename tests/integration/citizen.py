"""Checks for tests/integration/citizen.sh: prints "OK name" or "FAIL name -- why".

argv: the generated Python messages, the daemon's address, its database and
the folder holding ca.crt, kiosk_a.{crt,key} and kiosk_b.{crt,key}.
"""
import os
import sqlite3
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402
from spis.v1 import auth_pb2  # noqa: E402
from spis.v1 import citizen_pb2 as cz  # noqa: E402

addr, dbpath, certs = sys.argv[2], sys.argv[3], sys.argv[4]
check = spis.check
OK = grpc.StatusCode.OK
FAILED = "national ID or PIN is wrong, or the PIN is locked; an office can issue a new PIN"


def pem(name):
    with open(os.path.join(certs, name), "rb") as f:
        return f.read()


OPTS = [("grpc.ssl_target_name_override", "localhost")]
# An officer console (no client certificate) and two kiosk terminals.
office = spis.Client(addr, grpc.ssl_channel_credentials(pem("ca.crt")), OPTS)
kiosk_a = spis.Client(addr, grpc.ssl_channel_credentials(
    pem("ca.crt"), pem("kiosk_a.key"), pem("kiosk_a.crt")), OPTS)
kiosk_b = spis.Client(addr, grpc.ssl_channel_credentials(
    pem("ca.crt"), pem("kiosk_b.key"), pem("kiosk_b.crt")), OPTS)


def sql(q, *args):
    c = sqlite3.connect(dbpath, timeout=10)
    try:
        rows = c.execute(q, args).fetchall()
        c.commit()
        return rows
    finally:
        c.close()


def person(nid, given, surname, muni, deceased=""):
    """Registers a person behind the daemon's back (the fields the kiosk
    reads); only the columns migration 4 requires."""
    sql("INSERT INTO people (national_id, given_names, surname, birth_date, sex,"
        " municipality, deceased_date, created_at, created_by, updated_at, name_key,"
        " surname_key, given_key) VALUES (?, ?, ?, '1987-03-18', 'M', ?, ?,"
        " '2026-01-01T00:00:00Z', 'test', '2026-01-01T00:00:00Z', ?, ?, ?)",
        nid, given, surname, muni, deceased, (given + " " + surname).lower(),
        surname.lower(), given.lower())


ALONE, HELPED, SCOPE, DEAD, LOCKME, NOPIN = (
    "38703181745", "49001011236", "38501010002", "38501010003", "38501010004",
    "38501010005")
person(ALONE, "Jonas", "Jonaitis", "13")
person(HELPED, "Ona", "Onaitienė", "13")
person(SCOPE, "Petras", "Petraitis", "19")
person(DEAD, "Antanas", "Antanaitis", "13", deceased="2025-05-01")
person(LOCKME, "Rūta", "Rutaitė", "13")
person(NOPIN, "Eglė", "Eglaitė", "13")

clerk = office.login("clerk13")
helpdesk = office.login("help")


def issue(nid, token=clerk, request_id=None):
    return office.call("Citizen", "IssuePin", cz.IssuePinRequest(
        request_id=request_id or spis.rid(), national_id=nid), token=token)


def identify(client, nid, pin, token=None, consent=False):
    return client.call("Citizen", "Identify", cz.IdentifyRequest(
        national_id=nid, pin=pin, consent_to_help=consent), token=token)


def access_log(client, sitting, token=None, size=0, page=""):
    return client.call("Citizen", "GetMyAccessLog", cz.GetMyAccessLogRequest(
        page_size=size, page_token=page), token=token, citizen=sitting)


# --- IssuePin --------------------------------------------------------------
rid = spis.rid()
r, c, m = issue(ALONE, request_id=rid)
check("IssuePin: a clerk issues a six-digit PIN", c == OK and len(r.pin) == 6 and r.pin.isdigit()
      and r.national_id == ALONE and r.issued_at, (c, m))
pin_alone = r.pin if r else ""
row = sql("SELECT hash, failures, locked, issued_by FROM citizen_pins WHERE national_id = ?", ALONE)
check("IssuePin: the store keeps an argon2id hash, not the PIN",
      row and row[0][0].startswith("$argon2id$") and pin_alone not in row[0][0]
      and row[0][1:] == (0, 0, "clerk13"), row)
r2, c, m = issue(ALONE, request_id=rid)
check("IssuePin: a retry with the same request_id does not show the PIN again",
      c == grpc.StatusCode.FAILED_PRECONDITION and m.startswith("request_id:"), (c, m))
blobs = sql("SELECT coalesce(hex(response), '') FROM idempotency WHERE request_id = ?", rid)
check("IssuePin: the PIN is not kept in the idempotency records",
      blobs and all(pin_alone.encode().hex().upper() not in b[0] for b in blobs), blobs)
_, c, m = issue(SCOPE)
check("IssuePin: a person outside the clerk's municipality is refused, naming national_id",
      c == grpc.StatusCode.PERMISSION_DENIED and m.startswith("national_id:"), (c, m))
_, c, m = issue(ALONE, token=helpdesk)
check("IssuePin: the helpdesk may not issue PINs", c == grpc.StatusCode.PERMISSION_DENIED, (c, m))
_, c, m = issue("38501019999")
check("IssuePin: nobody with that ID -> NOT_FOUND", c == grpc.StatusCode.NOT_FOUND
      and m.startswith("national_id:"), (c, m))
_, c, m = issue("3870318174")
check("IssuePin: a malformed ID -> INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("national_id:"), (c, m))
_, c, m = issue(DEAD)
check("IssuePin: a deceased person -> FAILED_PRECONDITION",
      c == grpc.StatusCode.FAILED_PRECONDITION and "deceased" in m, (c, m))
_, c, m = office.call("Citizen", "IssuePin", cz.IssuePinRequest(national_id=ALONE), token=clerk)
check("IssuePin: request_id is required", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("request_id:"), (c, m))

# --- Identify alone ---------------------------------------------------------
before = sql("SELECT count(*) FROM audit WHERE method = '/spis.v1.Citizen/Identify'")[0][0]
s, c, m = identify(kiosk_a, ALONE, pin_alone)
check("Identify: alone at a kiosk with ID and PIN", c == OK and len(s.token) >= 43
      and s.national_id == ALONE and s.given_names == "Jonas" and s.language == "lt"
      and s.idle_timeout_seconds == 300 and s.assisted_by == "" and s.expires_at, (c, m))
sit = s.token if s else ""
after = sql("SELECT count(*) FROM audit WHERE method = '/spis.v1.Citizen/Identify'")[0][0]
check("Identify: audited once, by itself", after == before + 1, (before, after))
row = sql("SELECT actor, role, terminal, subject, outcome FROM audit"
          " WHERE method = '/spis.v1.Citizen/Identify' ORDER BY id DESC LIMIT 1")
check("Identify: the row names the citizen, the ID and the terminal",
      row == [("citizen", "citizen", "kiosk-vilnius-lib-1", ALONE, "OK")], row)
row = sql("SELECT terminal, helper, helper_token_hash IS NULL FROM citizen_sessions")
check("Identify: the sitting is stored by token hash, bound to the terminal",
      row == [("kiosk-vilnius-lib-1", "", 1)] and
      not sql("SELECT 1 FROM citizen_sessions WHERE token_hash = ?", sit.encode()), row)
r, c, m = access_log(kiosk_a, sit)
check("GetMyAccessLog: the sitting works at its own terminal", c == OK, (c, m))
r, c, m = kiosk_a.call("Citizen", "GetMyDetails", cz.GetMyDetailsRequest(), citizen=sit)
check("GetMyDetails: the citizen's own record", c == OK and r.person.national_id == ALONE
      and r.person.surname == "Jonaitis" and r.person.municipality == "13"
      and r.person.version == 1, (c, m))
row = sql("SELECT actor, role, subject, purpose FROM audit"
          " WHERE method = '/spis.v1.Citizen/GetMyDetails' ORDER BY id DESC LIMIT 1")
check("GetMyDetails is audited as the citizen's own",
      row == [("citizen", "citizen", ALONE, "citizen self-service")], row)
_, c, m = access_log(kiosk_b, sit)
check("a sitting token from another terminal is refused",
      c == grpc.StatusCode.UNAUTHENTICATED and "another terminal" in m, (c, m))
_, c, m = access_log(office, sit)
check("a sitting token from a connection without a terminal certificate is refused",
      c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
_, c, m = access_log(kiosk_a, "nonsense")
check("an unknown sitting token -> UNAUTHENTICATED naming x-spis-citizen",
      c == grpc.StatusCode.UNAUTHENTICATED and m.startswith("x-spis-citizen:"), (c, m))
_, c, m = access_log(kiosk_a, None)
check("no sitting token -> UNAUTHENTICATED", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
_, c, m = kiosk_a.call("Audit", "ListAudit", au.ListAuditRequest(), citizen=sit)
check("a citizen token opens no officer method", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
_, c, m = kiosk_a.call("Auth", "WhoAmI", auth_pb2.WhoAmIRequest(), citizen=sit)
check("a citizen token is not an officer session", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))

# Who looked at my record: the clerk's IssuePin, by role and municipality.
r, c, m = access_log(kiosk_a, sit)
e = list(r.entries) if r else []
check("GetMyAccessLog: officers' calls, not the citizen's own",
      c == OK and len(e) == 1 and e[0].role == "clerk" and e[0].municipality == "13"
      and e[0].action == "change" and e[0].at, (c, m, e))
check("GetMyAccessLog: never an officer's name", r is not None and
      b"clerk13" not in r.SerializeToString(), r)
issue(ALONE)  # the sitting ends with the new PIN; the log gains a row
_, c, m = access_log(kiosk_a, sit)
check("a new PIN ends the person's open sittings", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))

# --- wrong PINs, the lock ---------------------------------------------------
r, c, m = issue(LOCKME)
pin_lock = r.pin if r else ""
wrong = "%06d" % ((int(pin_lock or "0") + 1) % 1000000)
answers = set()
for i in range(5):
    _, c, m = identify(kiosk_a, LOCKME, wrong)
    answers.add((c, m))
check("five wrong PINs: each UNAUTHENTICATED with the one message",
      answers == {(grpc.StatusCode.UNAUTHENTICATED, FAILED)}, answers)
check("five wrong PINs lock the PIN", sql(
    "SELECT failures, locked FROM citizen_pins WHERE national_id = ?", LOCKME) == [(5, 1)])
_, c, m = identify(kiosk_a, LOCKME, pin_lock)
check("a locked PIN refuses even the right PIN, with the same message",
      (c, m) == (grpc.StatusCode.UNAUTHENTICATED, FAILED), (c, m))
_, c, m = identify(kiosk_a, "38501019999", "123456")
check("an unknown ID gets the same answer", (c, m) == (grpc.StatusCode.UNAUTHENTICATED, FAILED),
      (c, m))
_, c, m = identify(kiosk_a, NOPIN, "123456")
check("an ID without a PIN gets the same answer",
      (c, m) == (grpc.StatusCode.UNAUTHENTICATED, FAILED), (c, m))
_, c, m = identify(kiosk_a, "1234", "123456")
check("Identify: a malformed ID -> INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("national_id:"), (c, m))
_, c, m = identify(kiosk_a, LOCKME, "12ab")
check("Identify: a malformed PIN -> INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("pin:"), (c, m))
r, c, m = issue(LOCKME)
pin_lock = r.pin if r else ""
check("a new PIN unlocks", sql("SELECT failures, locked FROM citizen_pins WHERE national_id = ?",
                               LOCKME) == [(0, 0)])
identify(kiosk_a, LOCKME, "%06d" % ((int(pin_lock or "0") + 1) % 1000000))
s, c, m = identify(kiosk_a, LOCKME, pin_lock)
check("the new PIN works after the lock", c == OK, (c, m))
check("a right PIN clears the failures",
      sql("SELECT failures FROM citizen_pins WHERE national_id = ?", LOCKME) == [(0,)])
rows = sql("SELECT outcome, detail FROM audit WHERE method = '/spis.v1.Citizen/Identify'"
           " AND subject = ? ORDER BY id", LOCKME)
check("every Identify outcome is audited once, with the ID as subject",
      len(rows) == 9 and rows[0] == ("UNAUTHENTICATED", "wrong PIN") and rows[-1][0] == "OK",
      rows)

# --- sittings expire --------------------------------------------------------
s, c, m = identify(kiosk_a, LOCKME, pin_lock)
tok = s.token if s else ""
sql("UPDATE citizen_sessions SET last_seen = last_seen - 301 WHERE ended_at IS NULL"
    " AND national_id = ?", LOCKME)
_, c, m = access_log(kiosk_a, tok)
check("an idle sitting ends (sitting_idle_seconds)", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
s, c, m = identify(kiosk_a, LOCKME, pin_lock)
tok = s.token if s else ""
sql("UPDATE citizen_sessions SET expires_at = 1 WHERE ended_at IS NULL AND national_id = ?",
    LOCKME)
_, c, m = access_log(kiosk_a, tok)
check("an old sitting ends (sitting_max_seconds)", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))

# --- helped by a volunteer ----------------------------------------------------
r, c, m = issue(HELPED)
pin_helped = r.pin if r else ""
vol = kiosk_a.login("vol")
_, c, m = identify(kiosk_a, HELPED, pin_helped, token=vol)
check("assisted Identify without the citizen's consent -> FAILED_PRECONDITION",
      c == grpc.StatusCode.FAILED_PRECONDITION and m.startswith("consent_to_help:"), (c, m))
check("refusing for want of consent costs no PIN try",
      sql("SELECT failures FROM citizen_pins WHERE national_id = ?", HELPED) == [(0,)])
_, c, m = identify(office, HELPED, pin_helped, token=clerk, consent=True)
check("an officer who is not a volunteer cannot identify a citizen",
      c == grpc.StatusCode.PERMISSION_DENIED, (c, m))
_, c, m = identify(kiosk_a, HELPED, pin_helped, token="bogus", consent=True)
check("a dead session sent to Identify -> UNAUTHENTICATED",
      c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
_, c, m = identify(kiosk_b, HELPED, pin_helped, token=vol, consent=True)
check("the volunteer's session is good only at its own kiosk",
      c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
s, c, m = identify(kiosk_a, HELPED, pin_helped, token=vol, consent=True)
check("assisted Identify with consent", c == OK and s.assisted_by == "vol"
      and s.given_names == "Ona", (c, m))
hsit = s.token if s else ""
row = sql("SELECT actor, role, subject, detail FROM audit"
          " WHERE method = '/spis.v1.Citizen/Identify' ORDER BY id DESC LIMIT 1")
check("assisted Identify is audited with the volunteer, the citizen and the consent",
      row and row[0][:3] == ("vol", "intermediary", HELPED) and "consented" in row[0][3], row)
_, c, m = access_log(kiosk_a, hsit)
check("a helped sitting needs the volunteer's session too",
      c == grpc.StatusCode.UNAUTHENTICATED and m.startswith("authorization:"), (c, m))
_, c, m = access_log(kiosk_a, hsit, token=clerk)
check("... and not someone else's", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
_, c, m = access_log(kiosk_a, hsit, token=vol)
check("GetMyAccessLog with the volunteer and the citizen", c == OK, (c, m))
r, c, m = kiosk_a.call("Citizen", "GetMyDetails", cz.GetMyDetailsRequest(), token=vol,
                       citizen=hsit)
check("GetMyDetails: the volunteer sees only that citizen",
      c == OK and r.person.national_id == HELPED, (c, m))
row = sql("SELECT actor, role, subject, purpose, terminal FROM audit"
          " WHERE method = '/spis.v1.Citizen/GetMyAccessLog' ORDER BY id DESC LIMIT 1")
check("the audit row carries both identities",
      row == [("vol", "intermediary", HELPED, "citizen self-service, assisted by vol",
               "kiosk-vilnius-lib-1")], row)
_, c, m = kiosk_a.call("Audit", "ListAudit", au.ListAuditRequest(), token=vol)
check("a volunteer cannot browse (PERMISSION_DENIED)",
      c == grpc.StatusCode.PERMISSION_DENIED, (c, m))
_, c, m = kiosk_a.call("Citizen", "IssuePin", cz.IssuePinRequest(
    request_id=spis.rid(), national_id=HELPED), token=vol)
check("a volunteer cannot issue PINs", c == grpc.StatusCode.PERMISSION_DENIED, (c, m))
_, c, m = kiosk_a.call("Citizen", "EndSitting", cz.EndSittingRequest(), token=vol, citizen=hsit)
check("EndSitting", c == OK, (c, m))
_, c, m = access_log(kiosk_a, hsit, token=vol)
check("after EndSitting the citizen's token is dead", c == grpc.StatusCode.UNAUTHENTICATED, (c, m))
r, c, m = kiosk_a.call("Auth", "WhoAmI", auth_pb2.WhoAmIRequest(), token=vol)
check("after EndSitting the volunteer is still logged in", c == OK and r.username == "vol", (c, m))

# One citizen at a time: a second Identify ends the first sitting.
s1, _, _ = identify(kiosk_a, HELPED, pin_helped, token=vol, consent=True)
s2, c, m = identify(kiosk_a, LOCKME, pin_lock, token=vol, consent=True)
_, c1, m1 = access_log(kiosk_a, s1.token if s1 else "", token=vol)
_, c2, m2 = access_log(kiosk_a, s2.token if s2 else "", token=vol)
check("a volunteer helps one citizen at a time",
      c1 == grpc.StatusCode.UNAUTHENTICATED and c2 == OK, (c1, m1, c2, m2))
kiosk_a.call("Auth", "Logout", auth_pb2.LogoutRequest(), token=vol)
_, c, m = access_log(kiosk_a, s2.token if s2 else "", token=vol)
check("the volunteer's logout ends the sitting they opened",
      c == grpc.StatusCode.UNAUTHENTICATED and "volunteer's session has ended" in m, (c, m))

# --- the access log, paged ---------------------------------------------------
s, c, m = identify(kiosk_b, ALONE, pin_alone)
check("an old PIN stops working once a new one is issued",
      (c, m) == (grpc.StatusCode.UNAUTHENTICATED, FAILED), (c, m))
r, c, m = issue(ALONE)
s, c, m = identify(kiosk_b, ALONE, r.pin if r else "")
sit = s.token if s else ""
r, c, m = access_log(kiosk_b, sit, size=2)
ids = [x.at for x in r.entries] if r else []
check("GetMyAccessLog: newest first, a page at a time",
      c == OK and len(ids) == 2 and ids[0] >= ids[1] and r.next_page_token, (c, m))
r2, c, m = access_log(kiosk_b, sit, size=2, page=r.next_page_token if r else "")
check("GetMyAccessLog: the second page holds the rest",
      c == OK and len(r2.entries) == 1 and not r2.next_page_token, (c, m, r2))
_, c, m = access_log(kiosk_b, sit, size=1000)
check("GetMyAccessLog: page_size is capped", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("page_size:"), (c, m))
_, c, m = access_log(kiosk_b, sit, page="x1")
check("GetMyAccessLog: a bad page_token", c == grpc.StatusCode.INVALID_ARGUMENT
      and m.startswith("page_token:"), (c, m))
sys.exit(1 if spis.FAILED else 0)
