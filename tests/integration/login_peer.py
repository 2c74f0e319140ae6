"""Checks for tests/integration/login_peer.sh: a login_id is good only from
the address that started the login.  argv: the generated modules, then the
daemon's port on 127.0.0.1.

A second peer address is had through a relay in this process that connects
to the daemon from 127.0.0.2 (all of 127/8 is the loopback on Linux)."""
import socket
import sys
import threading

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, "tests")
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import auth_pb2 as a  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402

port = sys.argv[2]


def pipe(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay():
    """Listens on an ephemeral port; each connection goes on to the daemon
    from 127.0.0.2.  Returns the port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)

    def serve():
        while True:
            c, _ = ls.accept()
            up = socket.socket()
            up.bind(("127.0.0.2", 0))
            up.connect(("127.0.0.1", int(port)))
            threading.Thread(target=pipe, args=(c, up), daemon=True).start()
            threading.Thread(target=pipe, args=(up, c), daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()
    return ls.getsockname()[1]


v4 = spis.Client("127.0.0.1:" + port)
other = spis.Client("127.0.0.1:%d" % relay())

st, code, msg = v4.call("Auth", "StartLogin", a.StartLoginRequest(username="clerk13"))
spis.check("StartLogin over 127.0.0.1 asks for a password", code == grpc.StatusCode.OK and len(st.prompts) == 1, (code, msg))
lid = st.login_id

# The unknown login_id's answer is what a login_id from elsewhere must get.
_, ucode, umsg = other.call("Auth", "ContinueLogin", a.ContinueLoginRequest(login_id="0" * 32, responses=["pw"]))
spis.check("an unknown login_id is NOT_FOUND", ucode == grpc.StatusCode.NOT_FOUND, (ucode, umsg))

r, code, msg = other.call("Auth", "ContinueLogin", a.ContinueLoginRequest(login_id=lid, responses=["pw"]))
spis.check("the login_id from 127.0.0.2 is refused like an unknown one",
           code == grpc.StatusCode.NOT_FOUND and msg == umsg and r is None, (code, msg))

r, code, msg = v4.call("Auth", "ContinueLogin", a.ContinueLoginRequest(login_id=lid, responses=["pw"]))
spis.check("the login goes on from the address that started it",
           code == grpc.StatusCode.OK and r.HasField("session"), (code, msg))
tok = r.session.token if r is not None else None

# The auditor sees the refusal with the officer's name and the other peer.
t = spis.Client("127.0.0.1:" + port).login("audit")
page, code, msg = v4.call("Audit", "ListAudit",
                          au.ListAuditRequest(method="/spis.v1.Auth/ContinueLogin", page_size=50), token=t)
rows = list(page.rows if page is not None else [])
hit = [e for e in rows if "another peer" in e.detail]
spis.check("the refusal is audited with the username, outcome and peer",
           len(hit) == 1 and hit[0].actor == "clerk13" and hit[0].outcome == "NOT_FOUND"
           and hit[0].terminal == "ipv4:127.0.0.2", [(e.actor, e.outcome, e.terminal, e.detail) for e in rows])
sys.exit(1 if spis.FAILED else 0)
