#!/usr/bin/env bash
# An independent client, Debian's python3-grpcio, against the real daemon:
# Health, GetVersion, and every kind of bad input the runtime must answer
# without falling over.  Each line the Python part prints is one check.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
if ! "$SPIS_PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null; then
	t_fail "python3-grpcio importable" "install python3-grpcio python3-protobuf"
	exit 0
fi
mkdir -p "$tmp/py"
protoc --python_out="$tmp/py" -Iproto proto/spis/v1/*.proto
# The health module is generated under its own name: a "grpc" package of
# generated code would shadow the grpc library itself.
mkdir -p "$tmp/hp"
cp /usr/share/grpc-proto/grpc/health/v1/health.proto "$tmp/hp/"
protoc --python_out="$tmp/py" -I"$tmp/hp" "$tmp/hp/health.proto"
spisd_start || { t_fail "daemon starts" "see log"; exit 1; }

"$SPIS_PYTHON" - "$tmp/py" "$SPISD_ADDR" "$(cat VERSION)" "$SPISD_DIR/spis.db" \
	>"$tmp/out" 2>&1 <<'PY'

import sys, time, threading, sqlite3
sys.path.insert(0, sys.argv[1])
import grpc
import health_pb2 as h
from spis.v1 import system_pb2 as sysm

addr, version, db = sys.argv[2], sys.argv[3], sys.argv[4]
ch = grpc.insecure_channel(addr)

def check(name, cond, why=""):
    print(("OK " if cond else "FAIL ") + name + ("" if cond else " -- " + str(why)), flush=True)

def unary(path, req_ser, resp_de):
    return ch.unary_unary(path, request_serializer=req_ser, response_deserializer=resp_de)

raw = lambda b: b
health = unary("/grpc.health.v1.Health/Check", h.HealthCheckRequest.SerializeToString,
               h.HealthCheckResponse.FromString)

def code_of(fn):
    try:
        fn()
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details()

r = health(h.HealthCheckRequest(service=""), timeout=5)
check("Health/Check '' is SERVING", r.status == h.HealthCheckResponse.SERVING, r)
r = health(h.HealthCheckRequest(service="spis.v1.Registry"), timeout=5)
check("Health/Check spis.v1.Registry is SERVING", r.status == h.HealthCheckResponse.SERVING, r)
c, d = code_of(lambda: health(h.HealthCheckRequest(service="no.such.Service"), timeout=5))
check("Health/Check of an unknown service is NOT_FOUND naming the field",
      c == grpc.StatusCode.NOT_FOUND and "service" in d, (c, d))

ver = unary("/spis.v1.System/GetVersion", sysm.GetVersionRequest.SerializeToString,
            sysm.VersionInfo.FromString)(sysm.GetVersionRequest(), timeout=5)
check("GetVersion reports the VERSION file", ver.version == version, ver)
check("GetVersion reports schema 1 and country LT",
      ver.schema_version >= 1 and ver.country == "LT" and ver.sqlite_version.startswith("3."), ver)

t0 = time.monotonic()
c, d = code_of(lambda: unary("/spis.v1.Registry/NoSuchMethod", raw, raw)(b"", timeout=10))
el = time.monotonic() - t0
check("unknown method is UNIMPLEMENTED", c == grpc.StatusCode.UNIMPLEMENTED, (c, d))
check("unknown method answered at once, not at the deadline", el < 3, el)

c, d = code_of(lambda: ch.unary_stream("/grpc.health.v1.Health/Watch",
    request_serializer=raw, response_deserializer=raw)(b"", timeout=5).next())
check("Health/Watch (a stream we do not serve) is UNIMPLEMENTED",
      c == grpc.StatusCode.UNIMPLEMENTED, (c, d))

# Field 1 claims 16 bytes but only 3 follow: protobuf cannot decode it.
c, d = code_of(lambda: unary("/grpc.health.v1.Health/Check", raw, raw)(b"\x0a\x10abc", timeout=5))
check("garbage body is INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT, (c, d))
c, d = code_of(lambda: unary("/spis.v1.System/GetVersion", raw, raw)(b"\xff\xff\xff\xff\xff\xff", timeout=5))
check("garbage body to GetVersion is INVALID_ARGUMENT", c == grpc.StatusCode.INVALID_ARGUMENT, (c, d))

# Over the default max_message_bytes (12 MiB, room for a 10 MB document).
big = h.HealthCheckRequest(service="x" * (13 * 1024 * 1024))
c, d = code_of(lambda: health(big, timeout=10))
check("13 MiB request is RESOURCE_EXHAUSTED", c == grpc.StatusCode.RESOURCE_EXHAUSTED, (c, d))

r = health(h.HealthCheckRequest(), timeout=5)
check("daemon still SERVING after the bad input", r.status == h.HealthCheckResponse.SERVING, r)

# Many calls at once, from many threads on one channel.
results = []
def worker():
    for _ in range(20):
        try:
            results.append(health(h.HealthCheckRequest(), timeout=10).status)
        except grpc.RpcError as e:
            results.append(e.code())
ts = [threading.Thread(target=worker) for _ in range(10)]
[t.start() for t in ts]; [t.join() for t in ts]
check("200 concurrent Health checks all SERVING",
      len(results) == 200 and all(s == h.HealthCheckResponse.SERVING for s in results),
      [s for s in results if s != h.HealthCheckResponse.SERVING][:3])

# Every failure above is in the audit trail, with its method and outcome.
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = con.execute("SELECT method, outcome FROM audit").fetchall()
con.close()
def audited(method, outcome):
    return (method, outcome) in rows
check("audit: unknown method recorded",
      audited("/spis.v1.Registry/NoSuchMethod", "UNIMPLEMENTED"), rows)
check("audit: garbage body recorded",
      audited("/grpc.health.v1.Health/Check", "INVALID_ARGUMENT"), rows)
check("audit: unknown health service recorded",
      audited("/grpc.health.v1.Health/Check", "NOT_FOUND"), rows)
check("audit: oversize request recorded",
      audited("/grpc.health.v1.Health/Check", "CANCELLED"), rows)
check("audit: successful health checks not recorded",
      not audited("/grpc.health.v1.Health/Check", "OK"), rows)
PY
rc=$?
t_report "$tmp/out"
if [ "$rc" -eq 0 ]; then t_ok "python client ran to the end"; else t_fail "python client ran to the end" "exit $rc"; fi

if spisd_stop; then t_ok "daemon exits 0 on SIGTERM"; else t_fail "daemon exits 0 on SIGTERM" "status $?"; fi
