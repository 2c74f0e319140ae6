"""RPC side of tests/tui/kiosk_citizen.sh: prints "OK name" or "FAIL name -- why"
lines, and "VALUE key value" lines for the script to read.

    kiosk_citizen.py PYDIR ADDR CA setup    register a person, issue a PIN,
                                            and read the record as clerk13
    kiosk_citizen.py PYDIR ADDR CA history NATID OLD NEW FIELDS
                                            the kiosk's change in the history:
                                            the address OLD -> NEW, and the
                                            fields (a,b) changed by "citizen"
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import citizen_pb2 as ci  # noqa: E402
from spis.v1 import registry_pb2 as r  # noqa: E402

addr, ca, mode = sys.argv[2], sys.argv[3], sys.argv[4]
c = spis.Client(addr, creds=grpc.ssl_channel_credentials(open(ca, "rb").read()),
                options=[("grpc.ssl_target_name_override", "localhost")])


def lt_code(first, yymmdd, serial):
    """A Lithuanian personal code with its check digit (two weight passes)."""
    d = [int(x) for x in "%d%s%s" % (first, yymmdd, serial)]
    for weights in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(d, weights)) % 11
        if k != 10:
            return "".join(map(str, d)) + str(k)
    return "".join(map(str, d)) + "0"


if mode == "setup":
    # Each setup call must answer: "VALUE ready 0" makes the script fail
    # and skip the flows that need it.
    def step(name, code, msg, ok=True):
        spis.check(name, code == grpc.StatusCode.OK and ok, (code, msg))
        return code == grpc.StatusCode.OK and ok

    nid = lt_code(4, "870318", "123")
    print("VALUE natid", nid)
    tok = c.login("clerk13")
    person = r.Person(national_id=nid, given_names="Ona", surname="Žemaitė",
                      birth_date="1987-03-18", sex="F", address="Gedimino pr. 1",
                      municipality="13", phone="+370 600 00001", language="lt")
    reply, code, msg = c.call("Registry", "RegisterPerson",
                              r.RegisterPersonRequest(request_id=spis.rid(), person=person,
                                                      reason="walk-in at office"), token=tok)
    ready = step("setup: clerk13 registers the person", code, msg)
    pin = None
    if ready:
        pin, code, msg = c.call("Citizen", "IssuePin",
                                ci.IssuePinRequest(request_id=spis.rid(), national_id=nid),
                                token=tok)
        ready = step("setup: clerk13 issues a PIN", code, msg, pin is not None and pin.pin)
    if ready:
        card, code, msg = c.call("Registry", "GetPerson",
                                 r.GetPersonRequest(national_id=nid, purpose="case_work"),
                                 token=tok)
        ready = step("setup: clerk13 reads the record", code, msg)
    if ready:
        # The kiosk's own calls, tried once from here.
        sess, code, msg = c.call("Citizen", "Identify",
                                 ci.IdentifyRequest(national_id=nid, pin=pin.pin))
        ready = step("setup: the citizen can identify", code, msg)
        if ready:
            _, code, msg = c.call("Citizen", "GetMyDetails", ci.GetMyDetailsRequest(),
                                  citizen=sess.token)
            ready = step("setup: GetMyDetails answers", code, msg)
            c.call("Citizen", "EndSitting", ci.EndSittingRequest(), citizen=sess.token)
    print("VALUE pin", pin.pin if pin else "123456")
    p = pin.pin if pin else "123456"
    print("VALUE wrongpin", ("9" if p[0] != "9" else "8") * len(p))
    print("VALUE ready", 1 if ready else 0)
elif mode == "history":
    nid, old, new, fields = sys.argv[5:9]
    tok = c.login("clerk13")
    h, code, msg = c.call("Registry", "GetPersonHistory",
                          r.GetPersonHistoryRequest(national_id=nid, purpose="case_work"),
                          token=tok)
    spis.check("history: GetPersonHistory answers", code == grpc.StatusCode.OK, (code, msg))
    changes = list(h.changes) if h else []
    spis.check("history: the kiosk's address change is recorded old → new",
               any(x.field == "address" and x.old_value == old and x.new_value == new
                   for x in changes), [(x.field, x.old_value, x.new_value) for x in changes])
    kiosk = {x.field for x in changes if x.officer == "citizen"}
    spis.check("history: the citizen changed exactly " + fields, kiosk == set(fields.split(",")),
               [(x.field, x.officer) for x in changes])
sys.exit(1 if spis.FAILED else 0)
