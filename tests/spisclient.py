"""A small client for the integration tests: log in, call any method.

    import spisclient as spis
    c = spis.Client(addr)             # or spis.Client(addr, creds=...)
    tok = c.login("clerk13")          # every test officer's password is "pw"
    r, code, msg = c.call("Registry", "GetPerson",
                          registry_pb2.GetPersonRequest(...), token=tok)
    spis.check("name", cond, why)     # prints "OK name" or "FAIL name -- why"

call() returns the decoded reply (or None), the grpc.StatusCode and the
status message; it never raises for a status.  The message classes come
from the modules protoc generated into sys.argv[1] (tests/lib.sh:
spisd_office exports SPIS_PY), which the caller puts on sys.path first.
"""
import uuid

import grpc
from spis.v1 import auth_pb2

FAILED = 0


def check(name, cond, why=""):
    global FAILED
    if not cond:
        FAILED += 1
    print(("OK " if cond else "FAIL ") + name + ("" if cond else " -- " + str(why)), flush=True)


def rid():
    """A fresh request_id."""
    return uuid.uuid4().hex


def lt_code(sex, birth, serial):
    """A valid Lithuanian personal code for sex ("F"/"M"), birth date
    "YYYY-MM-DD" and a serial 0..999 (the algorithm in lib/natid.h)."""
    y, m, d = (int(x) for x in birth.split("-"))
    g = (y - 1800) // 100 * 2 + (1 if sex == "M" else 2)
    digits = [int(x) for x in "%d%02d%02d%02d%03d" % (g, y % 100, m, d, serial)]
    s = sum(a * w for a, w in zip(digits, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1])) % 11
    if s == 10:
        s = sum(a * w for a, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 1, 2, 3])) % 11
        s = 0 if s == 10 else s
    return "".join(map(str, digits)) + str(s)


# The reply type of every method, found from the generated descriptors.
def _reply_class(service, method):
    import importlib
    import sys
    for modname in list(sys.modules):
        mod = sys.modules[modname]
        if not modname.startswith("spis.v1.") or not hasattr(mod, "DESCRIPTOR"):
            continue
        svc = mod.DESCRIPTOR.services_by_name.get(service)
        if svc is None:
            continue
        m = svc.methods_by_name[method]
        out = m.output_type
        outmod = importlib.import_module("spis.v1." + out.file.name.split("/")[-1][:-6] + "_pb2")
        return getattr(outmod, out.name)
    raise KeyError(service + "/" + method + ": import its _pb2 module first")


class Client:
    def __init__(self, addr, creds=None, options=None):
        opts = options or []
        self.ch = grpc.secure_channel(addr, creds, options=opts) if creds else \
            grpc.insecure_channel(addr, options=opts)

    def call(self, service, method, req, token=None, citizen=None, metadata=None, timeout=10):
        md = list(metadata or [])
        if token:
            md.append(("authorization", "Bearer " + token))
        if citizen:
            md.append(("x-spis-citizen", citizen))
        resp = _reply_class(service, method)
        fn = self.ch.unary_unary("/spis.v1.%s/%s" % (service, method),
                                 request_serializer=req.SerializeToString,
                                 response_deserializer=resp.FromString)
        try:
            return fn(req, metadata=md, timeout=timeout), grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            return None, e.code(), e.details()

    def call_raw(self, service, method, body, token=None, timeout=10):
        """Sends body (bytes) as the request, for what a protobuf library
        will not serialize, such as a string that is not UTF-8; the reply is
        decoded as usual."""
        md = [("authorization", "Bearer " + token)] if token else []
        resp = _reply_class(service, method)
        fn = self.ch.unary_unary("/spis.v1.%s/%s" % (service, method),
                                 request_serializer=lambda b: b,
                                 response_deserializer=resp.FromString)
        try:
            return fn(body, metadata=md, timeout=timeout), grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            return None, e.code(), e.details()

    def login(self, user, password="pw"):
        """Logs in through a password-only stack; returns the token."""
        step, code, msg = self.call("Auth", "StartLogin", auth_pb2.StartLoginRequest(username=user))
        if code != grpc.StatusCode.OK:
            raise RuntimeError("StartLogin %s: %s %s" % (user, code, msg))
        while not step.session.token:
            answers = [password for _ in step.prompts]
            step, code, msg = self.call("Auth", "ContinueLogin", auth_pb2.ContinueLoginRequest(
                login_id=step.login_id, responses=answers))
            if code != grpc.StatusCode.OK:
                raise RuntimeError("login %s: %s %s" % (user, code, msg))
        return step.session.token
