"""RPC side of tests/tui/kiosk_applications.sh: prints "OK name" or
"FAIL name -- why" lines, and "VALUE key value" lines for the script to read.

    kiosk_applications.py PYDIR ADDR CA setup
        register a mother and her child in one household in Vilnius (13),
        issue the mother a PIN, and say which of the methods the flows need
        the daemon serves ("VALUE served_<Method> 0|1")
    kiosk_applications.py PYDIR ADDR CA applied NATID REF PROGRAMME
        as clerk13: the application REF exists for NATID and PROGRAMME,
        made at a kiosk (channel "kiosk"), submitted, with what was typed
    kiosk_applications.py PYDIR ADDR CA otherref REF
        "VALUE otherref X": a well-formed reference (its check symbol right)
        that differs from REF in its first symbol
    kiosk_applications.py PYDIR ADDR CA decide REF
        as case13: review REF and approve it, as the rules say
    kiosk_applications.py PYDIR ADDR CA appealed REF REASON
        as clerk13: REF is appealed, with the citizen's REASON
    kiosk_applications.py PYDIR ADDR CA count NATID PROGRAMME
        as clerk13: "VALUE count N", the person's applications for it
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import applications_pb2 as ap  # noqa: E402
from spis.v1 import citizen_pb2 as ci  # noqa: E402
from spis.v1 import programmes_pb2 as pr  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, ca, mode = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr, creds=grpc.ssl_channel_credentials(open(ca, "rb").read()),
                options=[("grpc.ssl_target_name_override", "localhost")])
OK = grpc.StatusCode.OK


def lt_code(first, yymmdd, serial):
    """A Lithuanian personal code with its check digit (two weight passes)."""
    d = [int(x) for x in "%d%s%s" % (first, yymmdd, serial)]
    for weights in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(d, weights)) % 11
        if k != 10:
            return "".join(map(str, d)) + str(k)
    return "".join(map(str, d)) + "0"


def served(service, method, req, **kw):
    """Whether the daemon serves the method: anything but UNIMPLEMENTED."""
    _, code, _ = c.call(service, method, req, **kw)
    return code != grpc.StatusCode.UNIMPLEMENTED


if mode == "setup":
    def step(name, code, msg, ok=True):
        spis.check(name, code == OK and ok, (code, msg))
        return code == OK and ok

    mother = lt_code(4, "900214", "246")
    child = lt_code(5, "150606", "135")
    print("VALUE natid", mother)
    print("VALUE birth", "1990-02-14")
    tok = c.login("clerk13")
    ready = True
    for nid, given, birth, sex in ((mother, "Rasa", "1990-02-14", "F"),
                                   (child, "Tomas", "2015-06-06", "M")):
        p = r.Person(national_id=nid, given_names=given, surname="Petraitė" if sex == "F"
                     else "Petraitis", birth_date=birth, sex=sex,
                     address="Žirmūnų g. 7-3", municipality="13", language="lt")
        _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
            request_id=spis.rid(), person=p, reason="walk-in at office"), token=tok)
        ready = step("setup: clerk13 registers " + given, code, msg) and ready
    hh, code, msg = c.call("Households", "CreateHousehold", r.CreateHouseholdRequest(
        request_id=spis.rid(), head_national_id=mother, address="Žirmūnų g. 7-3",
        municipality="13", reason="family"), token=tok)
    ready = step("setup: clerk13 makes the household", code, msg) and ready
    if hh is not None:
        _, code, msg = c.call("Households", "AddMember", r.AddMemberRequest(
            request_id=spis.rid(), household_id=hh.id, national_id=child,
            relationship="child", from_date="2015-06-06", reason="family"), token=tok)
        ready = step("setup: clerk13 adds the child", code, msg) and ready
    pin, code, msg = c.call("Citizen", "IssuePin", ci.IssuePinRequest(
        request_id=spis.rid(), national_id=mother), token=tok)
    ready = step("setup: clerk13 issues a PIN", code, msg, pin is not None and pin.pin) and ready
    print("VALUE pin", pin.pin if pin else "123456")
    print("VALUE ready", 1 if ready else 0)
    # Which of the daemon's methods are there yet: the script checks what
    # needs them only when they are.
    sess = None
    if pin is not None:
        sess, code, msg = c.call("Citizen", "Identify",
                                 ci.IdentifyRequest(national_id=mother, pin=pin.pin))
    cit = sess.token if sess else "none"
    print("VALUE served_PreCheck", int(served("Programmes", "PreCheck", pr.PreCheckRequest())))
    print("VALUE served_GetStatus", int(served("Applications", "GetStatus",
                                               ap.StatusRequest())))
    print("VALUE served_Apply", int(
        served("Citizen", "GetMyApplicationForm", ci.GetMyApplicationFormRequest(),
               citizen=cit) and
        served("Citizen", "Apply", ci.ApplyRequest(), citizen=cit) and
        served("Citizen", "ListMyApplications", ci.ListMyApplicationsRequest(),
               citizen=cit)))
    if sess is not None:
        c.call("Citizen", "EndSitting", ci.EndSittingRequest(), citizen=cit)
elif mode == "applied":
    nid, ref, prog = sys.argv[5:8]
    tok = c.login("clerk13")
    a, code, msg = c.call("Applications", "GetApplication",
                          ap.GetApplicationRequest(reference=ref), token=tok)
    spis.check("the application %s exists for the officer" % ref, code == OK, (code, msg))
    if a is not None:
        spis.check("it is the citizen's, for %s" % prog,
                   a.national_id == nid and a.programme == prog, (a.national_id, a.programme))
        spis.check("it was made at a kiosk: channel \"kiosk\"", a.channel == "kiosk", a.channel)
        spis.check("it names the kiosk's terminal", a.terminal == "kiosk-vilnius-library-1",
                   a.terminal)
        spis.check("it is submitted, handled in Vilnius (13)",
                   a.state == "submitted" and a.municipality == "13", (a.state, a.municipality))
        spis.check("the income typed at the kiosk, confirmed",
                   a.declared.monthly_income == 45678 and a.declared.assets == 120000 and
                   a.declared.confirmed, a.declared)
elif mode == "otherref":
    # Crockford's base 32 with a Luhn mod 32 check symbol, as
    # rpcd/applications.c makes them.
    B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    v = [B32.index(ch) for ch in sys.argv[5].replace("-", "")[:8]]
    v[0] = (v[0] + 1) % 32
    factor, total = 2, 0
    for x in reversed(v):
        addend = factor * x
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    s = "".join(B32[x] for x in v) + B32[(32 - total % 32) % 32]
    print("VALUE otherref", s[:4] + "-" + s[4:8] + "-" + s[8])
elif mode == "decide":
    ref = sys.argv[5]
    tok = c.login("case13")
    _, code, msg = c.call("Applications", "StartReview", ap.TransitionRequest(
        request_id=spis.rid(), reference=ref, reason="documents complete"), token=tok)
    spis.check("case13 starts the review", code == OK, (code, msg))
    _, code, msg = c.call("Applications", "Decide", ap.DecideRequest(
        request_id=spis.rid(), reference=ref, outcome="approved",
        reason="one child in the household"), token=tok)
    spis.check("case13 approves it", code == OK, (code, msg))
elif mode == "appealed":
    ref, reason = sys.argv[5:7]
    tok = c.login("clerk13")
    a, code, msg = c.call("Applications", "GetApplication",
                          ap.GetApplicationRequest(reference=ref), token=tok)
    spis.check("GetApplication answers", code == OK, (code, msg))
    if a is not None:
        last = a.transitions[-1] if a.transitions else None
        spis.check("the application is appealed, by the citizen, with the reason typed",
                   a.state == "appealed" and last is not None and last.to_state == "appealed" and
                   last.actor == "citizen" and last.reason == reason,
                   (a.state, last))
elif mode == "count":
    nid, prog = sys.argv[5:7]
    tok = c.login("clerk13")
    lst, code, msg = c.call("Applications", "ListApplications",
                            ap.ListApplicationsRequest(national_id=nid), token=tok)
    spis.check("ListApplications answers", code == OK, (code, msg))
    print("VALUE count", sum(1 for a in lst.applications if a.programme == prog) if lst else -1)
sys.exit(1 if spis.FAILED else 0)
