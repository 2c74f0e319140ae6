"""Checks for tests/integration/login.sh: prints "OK name" or "FAIL name -- why"."""
import subprocess
import sys
import time
import uuid

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
from spis.v1 import auth_pb2 as a  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402

addr, secret = sys.argv[2], sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else "main"
if mode == "kiosk":
    # argv[5..7]: CA, kiosk certificate and key (PEM files).
    ca, cert, key = (open(f, "rb").read() for f in sys.argv[5:8])
    ch = grpc.secure_channel(addr, grpc.ssl_channel_credentials(ca, key, cert),
                             options=[("grpc.ssl_target_name_override", "localhost")])
    bare = grpc.secure_channel(addr, grpc.ssl_channel_credentials(ca),
                               options=[("grpc.ssl_target_name_override", "localhost")])
else:
    ch = grpc.insecure_channel(addr)
FAILED = "login failed: wrong username, password or one-time code"


def check(name, cond, why=""):
    print(("OK " if cond else "FAIL ") + name + ("" if cond else " -- " + str(why)), flush=True)


def u(method, req, resp):
    return ch.unary_unary("/spis.v1.Auth/" + method, request_serializer=req.SerializeToString,
                          response_deserializer=resp.FromString)


start = u("StartLogin", a.StartLoginRequest, a.LoginStep)
cont = u("ContinueLogin", a.ContinueLoginRequest, a.LoginStep)
who = u("WhoAmI", a.WhoAmIRequest, a.Session)
logout = u("Logout", a.LogoutRequest, a.LogoutReply)
add = u("AddOfficer", a.AddOfficerRequest, a.Officer)
lst = u("ListOfficers", a.ListOfficersRequest, a.OfficerList)
disable = u("DisableOfficer", a.DisableOfficerRequest, a.Officer)
list_audit = ch.unary_unary("/spis.v1.Audit/ListAudit", request_serializer=au.ListAuditRequest.SerializeToString,
                            response_deserializer=au.AuditPage.FromString)
verify_audit = ch.unary_unary("/spis.v1.Audit/VerifyAudit",
                              request_serializer=au.VerifyAuditRequest.SerializeToString,
                              response_deserializer=au.AuditVerification.FromString)


def rid():
    return str(uuid.uuid4())


def totp():
    return subprocess.check_output(["oathtool", "--totp", secret]).decode().strip()


def call(fn, req, token=None):
    md = [("authorization", "Bearer " + token)] if token else None
    try:
        return grpc.StatusCode.OK, fn(req, metadata=md, timeout=15)
    except grpc.RpcError as e:
        return e.code(), e.details()


def login(user, password="secret", code=None):
    """Runs the whole conversation; returns (status, session or details, steps)."""
    steps = []
    c, st = call(start, a.StartLoginRequest(username=user))
    if c != grpc.StatusCode.OK:
        return c, st, steps
    steps.append(st)
    answers = [password, code if code is not None else totp()]
    i = 0
    while not st.HasField("session"):
        if i >= len(answers):
            return "too many steps", st, steps
        c, st = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=[answers[i]]))
        i += 1
        if c != grpc.StatusCode.OK:
            return c, st, steps
        steps.append(st)
    return grpc.StatusCode.OK, st.session, steps


if mode == "kiosk":
    c, s, _ = login("kioskvol")
    check("intermediary at a registered kiosk terminal logs in", c == grpc.StatusCode.OK, (c, s))
    token = s.token if c == grpc.StatusCode.OK else "x"
    got = tuple(call(fn, req, token)[0] == grpc.StatusCode.OK for fn, req in (
        (who, a.WhoAmIRequest()), (lst, a.ListOfficersRequest()),
        (add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
            username="x", display_name="x", roles=["clerk"]))),
        (verify_audit, au.VerifyAuditRequest())))
    check("role intermediary: session/officer.read/officer.admin/audit.read = (True, False, False, False)",
          got == (True, False, False, False), got)
    who_bare = bare.unary_unary("/spis.v1.Auth/WhoAmI", request_serializer=a.WhoAmIRequest.SerializeToString,
                                response_deserializer=a.Session.FromString)
    c, d = call(who_bare, a.WhoAmIRequest(), token)
    check("the kiosk session's token is refused from a connection without the terminal certificate",
          c == grpc.StatusCode.UNAUTHENTICATED and "another terminal" in d, (c, d))
    sys.exit(0)

if mode == "password":
    c, st = call(start, a.StartLoginRequest(username="ok4"))
    c, st = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["secret"]))
    check("password-only stack: one prompt gives a session", c == grpc.StatusCode.OK and st.HasField("session"), (c, st))
    c, d, _ = login("ok4", "wrong")
    check("password-only stack: wrong password fails", c == grpc.StatusCode.UNAUTHENTICATED, (c, d))
    c, st = call(start, a.StartLoginRequest(username="ok4"))
    c, st = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["secret"]))
    token = st.session.token if c == grpc.StatusCode.OK else "x"
    c1 = call(who, a.WhoAmIRequest(), token)[0]
    time.sleep(2.5)
    c2 = call(who, a.WhoAmIRequest(), token)[0]
    check("session ends at its absolute lifetime even when in use",
          c1 == grpc.StatusCode.OK and c2 == grpc.StatusCode.UNAUTHENTICATED, (c1, c2))
    # Two conversations left open fill max_logins = 2; the daemon is then
    # stopped with them still waiting for answers.
    open_ = [call(start, a.StartLoginRequest(username="slot1"))[0]]
    c, d = call(start, a.StartLoginRequest(username="slot1"))
    check("a second login for a username in progress is RESOURCE_EXHAUSTED naming username",
          c == grpc.StatusCode.RESOURCE_EXHAUSTED and d.startswith("username:"), (c, d))
    open_.append(call(start, a.StartLoginRequest(username="slot2"))[0])
    c, d = call(start, a.StartLoginRequest(username="slot3"))
    check("logins in progress are bounded: the third is RESOURCE_EXHAUSTED",
          open_ == [grpc.StatusCode.OK] * 2 and c == grpc.StatusCode.RESOURCE_EXHAUSTED
          and "in progress" in d, (open_, c, d))
    sys.exit(0)

if mode == "peer":
    for i in range(2):
        login("nobody%d" % i, "x")
    c, d = call(start, a.StartLoginRequest(username="ok1"))
    check("address with too many failures is rate limited (RESOURCE_EXHAUSTED)",
          c == grpc.StatusCode.RESOURCE_EXHAUSTED and "address" in d, (c, d))
    sys.exit(0)

# Success through both prompts.
c, s, steps = login("ok1")
check("login: password then one-time code gives a session", c == grpc.StatusCode.OK, (c, s))
if c == grpc.StatusCode.OK:
    check("login: first prompt is PAM's password prompt, echo off",
          steps[0].prompts[0].text == "Password: " and not steps[0].prompts[0].echo, steps[0])
    check("login: second prompt is pam_oath's code prompt, echo off",
          "One-time password" in steps[1].prompts[0].text and not steps[1].prompts[0].echo, steps[1])
    check("login: session names officer, role and municipality",
          s.username == "ok1" and list(s.roles) == ["clerk"] and s.municipality == "13"
          and s.expires_at.endswith("Z") and len(s.token) >= 43, s)
    c, w = call(who, a.WhoAmIRequest(), s.token)
    check("WhoAmI with the token", c == grpc.StatusCode.OK and w.username == "ok1" and w.token == "", (c, w))
    c, _ = call(logout, a.LogoutRequest(), s.token)
    check("Logout succeeds", c == grpc.StatusCode.OK, c)
    c, d = call(who, a.WhoAmIRequest(), s.token)
    check("token after Logout is UNAUTHENTICATED", c == grpc.StatusCode.UNAUTHENTICATED, (c, d))

c, d = call(who, a.WhoAmIRequest())
check("no token is UNAUTHENTICATED naming authorization",
      c == grpc.StatusCode.UNAUTHENTICATED and d.startswith("authorization:"), (c, d))
c, d = call(who, a.WhoAmIRequest(), "not-a-real-token")
check("unknown token is UNAUTHENTICATED", c == grpc.StatusCode.UNAUTHENTICATED, (c, d))

# Failures: one answer, one timing.
t0 = time.monotonic()
c, d, _ = login("wrongpw", "nope")
t_wrong = time.monotonic() - t0
check("wrong password is UNAUTHENTICATED with the common text", c == grpc.StatusCode.UNAUTHENTICATED and d == FAILED, (c, d))
c, d, _ = login("wrongcode", "secret", "000000")
check("wrong one-time code is UNAUTHENTICATED with the common text",
      c == grpc.StatusCode.UNAUTHENTICATED and d == FAILED, (c, d))
t0 = time.monotonic()
c, d, steps = login("no.such.user", "secret")
t_unknown = time.monotonic() - t0
check("unknown user is UNAUTHENTICATED with the same text", c == grpc.StatusCode.UNAUTHENTICATED and d == FAILED, (c, d))
check("unknown user is asked for a password like anyone", steps and steps[0].prompts[0].text == "Password: ", steps)
check("unknown and known users fail after the same delay (%.2fs vs %.2fs)" % (t_unknown, t_wrong),
      t_unknown >= 0.3 and t_wrong >= 0.3 and abs(t_unknown - t_wrong) < 0.25, (t_unknown, t_wrong))
c, d, _ = login("ghost")
check("PAM success but not in the officers table is PERMISSION_DENIED",
      c == grpc.StatusCode.PERMISSION_DENIED, (c, d))
c, d, _ = login("disabled")
check("disabled officer is PERMISSION_DENIED", c == grpc.StatusCode.PERMISSION_DENIED, (c, d))

# Lockout after 3 failures within the period, then expiry.
for i in range(3):
    login("locked", "bad%d" % i)
c, d, steps = login("locked")
check("locked-out officer with the right password fails like a wrong one",
      c == grpc.StatusCode.UNAUTHENTICATED and d == FAILED and steps and steps[0].prompts[0].text == "Password: ",
      (c, d))
time.sleep(4.5)
c, d, _ = login("locked")
check("lockout expires after lockout_seconds", c == grpc.StatusCode.OK, (c, d))

# An abandoned conversation expires.
c, st = call(start, a.StartLoginRequest(username="ok2"))
time.sleep(3.0)
c, d = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["secret"]))
check("abandoned login expires: NOT_FOUND naming login_id",
      c == grpc.StatusCode.NOT_FOUND and d.startswith("login_id:"), (c, d))

# Bad input.
for name, user in (("empty", ""), ("over-long", "x" * 65), ("control characters", "ok1\n"),
                   ("non-ASCII", "jonas\u0161")):
    c, d = call(start, a.StartLoginRequest(username=user))
    check("%s username is INVALID_ARGUMENT naming username" % name,
          c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("username:"), (c, d))
c, d = call(cont, a.ContinueLoginRequest(login_id="0" * 32, responses=["x"]))
check("unknown login_id is NOT_FOUND", c == grpc.StatusCode.NOT_FOUND, (c, d))
c, st = call(start, a.StartLoginRequest(username="ok3"))
c, d = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["secret", "extra"]))
check("more responses than prompts is INVALID_ARGUMENT naming responses",
      c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("responses:"), (c, d))
c, d = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["x" * 600]))
check("over-long response is INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("responses[0]"), (c, d))
c, st2 = call(cont, a.ContinueLoginRequest(login_id=st.login_id, responses=["secret"]))
check("the login survives bad input and goes on to the code prompt",
      c == grpc.StatusCode.OK and "One-time password" in st2.prompts[0].text, (c, st2))

# Idle timeout.
c, s, _ = login("idle")
time.sleep(4.0)
c2, d = call(who, a.WhoAmIRequest(), s.token if c == grpc.StatusCode.OK else "x")
check("idle session expires", c == grpc.StatusCode.OK and c2 == grpc.StatusCode.UNAUTHENTICATED, (c, c2, d))

# Every role against every permission, through the real methods.  The
# expected table is written out here, independently of rpcd/authz.c.
expect = {
    #              session officer.read officer.admin audit.read
    "helpdesk":     (True,  False, False, False),
    "clerk":        (True,  False, False, False),
    "caseworker":   (True,  False, False, False),
    "supervisor":   (True,  True,  False, False),
    "auditor":      (True,  True,  False, True),
    "admin":        (True,  True,  True,  False),
}
# An intermediary logs in only at a kiosk terminal: checked here without
# one, and with a terminal certificate in the "kiosk" mode below.
c, d, _ = login("intermediary")
check("intermediary without a terminal certificate is PERMISSION_DENIED",
      c == grpc.StatusCode.PERMISSION_DENIED and "kiosk terminal" in d, (c, d))
for role, (p_session, p_read, p_admin, p_audit) in expect.items():
    c, s, _ = login(role)
    if c != grpc.StatusCode.OK:
        check("role %s logs in" % role, False, (c, s))
        continue
    got = (call(who, a.WhoAmIRequest(), s.token)[0] == grpc.StatusCode.OK,
           call(lst, a.ListOfficersRequest(), s.token)[0] == grpc.StatusCode.OK)
    c, d = call(add, a.AddOfficerRequest(request_id="r-" + role, officer=a.Officer(
        username="new-by-" + role, display_name="Naujas", roles=["helpdesk"])), s.token)
    got = got + (c == grpc.StatusCode.OK,
                 call(verify_audit, au.VerifyAuditRequest(), s.token)[0] == grpc.StatusCode.OK)
    check("role %s: session/officer.read/officer.admin/audit.read = %s"
          % (role, (p_session, p_read, p_admin, p_audit)),
          got == (p_session, p_read, p_admin, p_audit), got)
    if role == "auditor":
        auditor_token = s.token
    if not p_admin:
        check("role %s: refusal is PERMISSION_DENIED" % role, c == grpc.StatusCode.PERMISSION_DENIED, (c, d))
    else:
        c, d = call(add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
            username="bad user", display_name="x", roles=["clerk"])), s.token)
        check("AddOfficer: bad username is INVALID_ARGUMENT naming officer.username",
              c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("officer.username"), (c, d))
        c, d = call(add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
            username="x2", display_name="x", roles=["wizard"])), s.token)
        check("AddOfficer: unknown role is INVALID_ARGUMENT naming officer.roles",
              c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("officer.roles"), (c, d))
        c, d = call(add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
            username="new-by-admin", display_name="Naujas", roles=["helpdesk"])), s.token)
        check("AddOfficer: existing username is ALREADY_EXISTS", c == grpc.StatusCode.ALREADY_EXISTS, (c, d))
        req = a.AddOfficerRequest(request_id="retry-1", officer=a.Officer(
            username="retried", display_name="Retried", roles=["clerk"]))
        c1, first = call(add, req, s.token)
        c2, again = call(add, req, s.token)
        check("AddOfficer retried with the same request_id returns the first outcome",
              c1 == grpc.StatusCode.OK and c2 == grpc.StatusCode.OK and first == again, (c1, c2))
        c, d = call(add, a.AddOfficerRequest(officer=a.Officer(
            username="no-id", display_name="X", roles=["clerk"])), s.token)
        check("AddOfficer without request_id is INVALID_ARGUMENT naming request_id",
              c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith("request_id:"), (c, d))
        c, d = call(disable, a.DisableOfficerRequest(request_id="retry-1", username="retried", reason="x"),
                    s.token)
        check("a request_id reused for another method is INVALID_ARGUMENT",
              c == grpc.StatusCode.INVALID_ARGUMENT and "already used" in d, (c, d))
        req = a.AddOfficerRequest(request_id="retry-2", officer=a.Officer(
            username="retried", display_name="Retried", roles=["clerk"]))
        c1, d1 = call(add, req, s.token)
        c2, d2 = call(add, req, s.token)
        check("a refused change replays its refusal (ALREADY_EXISTS twice)",
              c1 == c2 == grpc.StatusCode.ALREADY_EXISTS and d1 == d2, (c1, c2))
        c, d = call(disable, a.DisableOfficerRequest(request_id=rid(), username="new-by-admin", reason="test"), s.token)
        check("DisableOfficer works for a national admin", c == grpc.StatusCode.OK and not d.active, (c, d))
        c, d = call(disable, a.DisableOfficerRequest(request_id=rid(), username="admin", reason="test"), s.token)
        check("an admin cannot disable themselves", c == grpc.StatusCode.FAILED_PRECONDITION, (c, d))

c, s, _ = login("scoped")
if c == grpc.StatusCode.OK:
    c, d = call(add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
        username="other-town", display_name="X", roles=["clerk"], municipality="19")), s.token)
    check("municipal admin cannot add an officer elsewhere (PERMISSION_DENIED)",
          c == grpc.StatusCode.PERMISSION_DENIED and d.startswith("officer.municipality"), (c, d))
    c, d = call(add, a.AddOfficerRequest(request_id=rid(), officer=a.Officer(
        username="same-town", display_name="Šarūnas", roles=["clerk"], municipality="13")), s.token)
    check("municipal admin adds an officer in their municipality", c == grpc.StatusCode.OK, (c, d))
else:
    check("scoped admin logs in", False, (c, s))

c, s, _ = login("timing")
c, d = call(u("ListOfficers", a.ListOfficersRequest, a.OfficerList), a.ListOfficersRequest(), s.token)
check("clerk ListOfficers refusal names the permission",
      c == grpc.StatusCode.PERMISSION_DENIED and "officer.read" in d, (c, d))

# The trail read back by an auditor.
c, v = call(verify_audit, au.VerifyAuditRequest(), auditor_token)
check("VerifyAudit: intact", c == grpc.StatusCode.OK and v.intact and v.rows_checked > 10, (c, v))
c, p = call(list_audit, au.ListAuditRequest(actor="wrongpw"), auditor_token)
check("ListAudit by officer: the failed login is there",
      c == grpc.StatusCode.OK and any(r.outcome == "UNAUTHENTICATED" and r.method.endswith("Login")
                                      and r.terminal.startswith("ipv") for r in p.rows), (c, p))
c, p = call(list_audit, au.ListAuditRequest(method="/spis.v1.Auth/AddOfficer", page_size=2), auditor_token)
check("ListAudit by method, paged: 2 rows and a next page",
      c == grpc.StatusCode.OK and len(p.rows) == 2 and p.next_page_token != "", (c, p))
if c == grpc.StatusCode.OK:
    c2, p2 = call(list_audit, au.ListAuditRequest(method="/spis.v1.Auth/AddOfficer", page_size=2,
                                                   page_token=p.next_page_token), auditor_token)
    check("ListAudit: next page continues with older rows",
          c2 == grpc.StatusCode.OK and p2.rows and p2.rows[0].id < p.rows[-1].id, (c2, p2))
c, p = call(list_audit, au.ListAuditRequest(to="2000-01-01"), auditor_token)
check("ListAudit: a range before any row is empty", c == grpc.StatusCode.OK and len(p.rows) == 0, (c, p))
today = time.strftime("%Y-%m-%d", time.gmtime())
c, p = call(list_audit, au.ListAuditRequest(**{"from": today, "to": today}), auditor_token)
check("ListAudit: today's range has rows", c == grpc.StatusCode.OK and len(p.rows) > 0, (c, p))
for field, req in (("from", au.ListAuditRequest(**{"from": "yesterday"})),
                   ("to", au.ListAuditRequest(to="2026-13-01")),
                   ("page_size", au.ListAuditRequest(page_size=100000)),
                   ("page_token", au.ListAuditRequest(page_token="abc"))):
    c, d = call(list_audit, req, auditor_token)
    check("ListAudit: bad %s is INVALID_ARGUMENT naming it" % field,
          c == grpc.StatusCode.INVALID_ARGUMENT and d.startswith(field + ":"), (c, d))
c, p = call(list_audit, au.ListAuditRequest(method="/spis.v1.Auth/StartLogin", page_size=500), auditor_token)
check("bad login input is audited (INVALID_ARGUMENT rows)",
      c == grpc.StatusCode.OK and any(r.outcome == "INVALID_ARGUMENT" for r in p.rows), (c, len(p.rows)))
c, p = call(list_audit, au.ListAuditRequest(method="/spis.v1.Auth/ContinueLogin", page_size=500), auditor_token)
check("expired login and surplus responses are audited",
      c == grpc.StatusCode.OK and any(r.outcome == "NOT_FOUND" for r in p.rows)
      and any("responses" in r.detail for r in p.rows), (c, len(p.rows)))
c, p = call(list_audit, au.ListAuditRequest(method="/spis.v1.Audit/ListAudit"), auditor_token)
check("reading the trail is itself audited", c == grpc.StatusCode.OK and len(p.rows) > 0, (c, p))
