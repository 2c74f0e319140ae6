#!/usr/bin/env bash
# Officer login through a real PAM stack (pam_matrix for the password,
# pam_oath for a TOTP code made with oathtool) in a temporary confdir,
# sessions, lockout, the role table, and bad input.  The checks are in
# login.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
secret=3132333435363738393031323334353637383930
mkdir -p "$tmp/pam.d" "$tmp/py"
: >"$tmp/passdb"
: >"$tmp/oath.users"
# Every officer gets its own PAM user, so that pam_oath's replay guard (a
# code is good once per user) never trips across checks.
users="ok1 ok2 ok3 ok4 wrongpw wrongcode locked idle ghost disabled scoped
helpdesk clerk caseworker supervisor auditor admin intermediary timing kioskvol"
for u in $users; do
	echo "$u:secret:spis" >>"$tmp/passdb"
	echo "HOTP/T30 $u - $secret" >>"$tmp/oath.users"
done
chmod 600 "$tmp/oath.users"
cat >"$tmp/pam.d/spis" <<PAM
auth    requisite /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$tmp/passdb
auth    required  pam_oath.so usersfile=$tmp/oath.users window=3
account required  /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$tmp/passdb
PAM

SPISD_DIR=$tmp
db=$tmp/spis.db
add() { "$SPIS_BUILD/spis-rpcd" --db "$db" officer add "$@" >/dev/null; }
for u in ok1 ok2 ok3 ok4 wrongpw wrongcode locked idle timing; do add "$u" --role clerk --municipality 13; done
add disabled --role clerk
"$SPIS_BUILD/spis-rpcd" --db "$db" officer disable disabled --reason "left the office" >/dev/null
add scoped --role admin --municipality 13 --name "Jonas Jonaitis"
for r in helpdesk clerk caseworker supervisor auditor admin intermediary; do add "$r" --role "$r"; done
add admin2 --role admin --name "Ąžuolas Šimkus" 2>/dev/null

cat >"$tmp/spis.conf" <<CONF
[auth]
pam_confdir = $tmp/pam.d
lockout_failures = 3
lockout_seconds = 4
peer_failures = 1000
login_fail_delay_ms = 300
login_timeout_seconds = 2
session_idle_seconds = 3
CONF
# Only for the daemons that load pam_oath: see pam_oath.supp.
plain_lsan=${LSAN_OPTIONS:-}
export LSAN_OPTIONS="${plain_lsan:+$plain_lsan:}suppressions=$SPIS_TOP/tests/integration/pam_oath.supp"
spisd_start 0 --config "$tmp/spis.conf" || { t_fail "daemon starts" "see log"; exit 1; }

protoc --python_out="$tmp/py" -Iproto proto/spis/v1/*.proto
"$SPIS_PYTHON" tests/integration/login.py "$tmp/py" "$SPISD_ADDR" "$secret" >"$tmp/out" 2>&1
rc=$?
t_report "$tmp/out"
[ "$rc" -eq 0 ] && t_ok "login.py ran to the end" || t_fail "login.py ran to the end" "exit $rc"

spisd_stop && t_ok "daemon exits 0 with logins behind it" || t_fail "daemon exits 0 with logins behind it" "rc=$?"
out=$("$SPIS_BUILD/spis-rpcd" --db "$db" audit verify)
t_match "audit verify: chain intact after the logins" '^audit trail intact: [0-9]+ rows' "$out"
n=$("$SPIS_PYTHON" -c "
import sqlite3; c = sqlite3.connect('$db')
print(c.execute(\"SELECT count(*) FROM audit WHERE method LIKE '/spis.v1.Auth/%Login'\").fetchone()[0])")
[ "${n:-0}" -ge 10 ] && t_ok "audit: login attempts are recorded ($n rows)" || t_fail "audit: login attempts are recorded" "n=$n"

# The per-address limit, on a daemon of its own.
unset SPISD_DIR
cat >"$tmp/peer.conf" <<CONF
[auth]
pam_confdir = $tmp/pam.d
peer_failures = 2
login_fail_delay_ms = 0
CONF
spisd_start 0 --config "$tmp/peer.conf" || { t_fail "second daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/login.py "$tmp/py" "$SPISD_ADDR" "$secret" peer >"$tmp/out2" 2>&1
t_report "$tmp/out2"
spisd_stop

# A password-only stack, with no sanitizer suppression: a success and a
# failure, and the daemon must still exit 0 (under ASan: nothing leaked).
export LSAN_OPTIONS=$plain_lsan
unset SPISD_DIR
mkdir -p "$tmp/pam1.d"
cat >"$tmp/pam1.d/spis" <<PAM
auth    requisite /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$tmp/passdb
account required  /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$tmp/passdb
PAM
cat >"$tmp/pw.conf" <<CONF
[auth]
pam_confdir = $tmp/pam1.d
login_fail_delay_ms = 0
session_max_seconds = 2
max_logins = 2
CONF
spisd_start 0 --config "$tmp/pw.conf" ||
	{ t_fail "password-only daemon starts" "see log"; exit 1; }
"$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" officer add ok4 --role clerk >/dev/null 2>&1
"$SPIS_PYTHON" tests/integration/login.py "$tmp/py" "$SPISD_ADDR" "$secret" password >"$tmp/out3" 2>&1
t_report "$tmp/out3"
spisd_stop && t_ok "daemon with logins still open exits 0 (no leaks under ASan)" ||
	t_fail "daemon with logins still open exits 0 (no leaks under ASan)" "rc=$?"

# An intermediary at a registered kiosk terminal: TLS with a terminal
# certificate whose name the session is then bound to.
unset SPISD_DIR
mk() { # mk NAME CN [SIGNER]
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/$1.key" \
		-out "$tmp/$1.csr" -subj "/CN=$2" 2>/dev/null
	if [ -z "${3:-}" ]; then
		openssl x509 -req -in "$tmp/$1.csr" -signkey "$tmp/$1.key" -days 2 -out "$tmp/$1.crt" \
			-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n') 2>/dev/null
	else
		openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$3.crt" -CAkey "$tmp/$3.key" -CAcreateserial \
			-days 2 -out "$tmp/$1.crt" -extfile <(printf 'subjectAltName=DNS:localhost\n') 2>/dev/null
	fi
}
mk ca "SPIS test CA"
mk server localhost ca
mk kiosk kiosk-kaunas-library-3 ca
SPISD_DIR=$(t_tmpdir)
"$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" officer add kioskvol --role intermediary >/dev/null 2>&1
export LSAN_OPTIONS="${plain_lsan:+$plain_lsan:}suppressions=$SPIS_TOP/tests/integration/pam_oath.supp"
SPISD_PROBE_OPTS="--tls-ca $tmp/ca.crt --server-name localhost"
spisd_start 0 --config "$tmp/peer.conf" --tls-cert "$tmp/server.crt" --tls-key "$tmp/server.key" \
	--tls-client-ca "$tmp/ca.crt" || { t_fail "kiosk TLS daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/login.py "$tmp/py" "$SPISD_ADDR" "$secret" kiosk \
	"$tmp/ca.crt" "$tmp/kiosk.crt" "$tmp/kiosk.key" >"$tmp/out4" 2>&1
t_report "$tmp/out4"
spisd_stop
t_match "the kiosk login is audited under the terminal's name" 'kiosk-kaunas-library-3' \
	"$(sqlite3 "$SPISD_DIR/spis.db" "SELECT terminal FROM audit WHERE method LIKE '%Login' AND outcome = 'OK'")"

# SIGTERM while a PAM module is still working (pam_exec running sleep) and
# no grace period: the deferred login must be answered before the server is
# freed, and the daemon exits 0 (under ASan: no use after free).
unset SPISD_DIR SPISD_PROBE_OPTS
mkdir -p "$tmp/slow.d"
printf 'auth required pam_exec.so /bin/sleep 3\naccount required pam_permit.so\n' >"$tmp/slow.d/spis"
export LSAN_OPTIONS=$plain_lsan
spisd_start 0 --pam-confdir "$tmp/slow.d" || { t_fail "slow-PAM daemon starts" "see log"; exit 1; }
printf '[server]\ngrace_seconds = 0\n' >"$tmp/nograce.conf"
spisd_stop
: >"$SPISD_LOG"
spisd_start 0 --pam-confdir "$tmp/slow.d" --config "$tmp/nograce.conf" ||
	{ t_fail "slow-PAM daemon restarts" "see log"; exit 1; }
"$SPIS_PYTHON" - "$tmp/py" "$SPISD_ADDR" >"$tmp/out5" 2>&1 <<'PY' &
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from spis.v1 import auth_pb2 as a
ch = grpc.insecure_channel(sys.argv[2])
start = ch.unary_unary("/spis.v1.Auth/StartLogin", request_serializer=a.StartLoginRequest.SerializeToString,
                       response_deserializer=a.LoginStep.FromString)
try:
    start(a.StartLoginRequest(username="ok1"), timeout=15)
    print("answered OK")
except grpc.RpcError as e:
    print("answered", e.code())
PY
client=$!
sleep 1
spisd_stop && t_ok "SIGTERM during a slow PAM module: daemon exits 0" ||
	t_fail "SIGTERM during a slow PAM module: daemon exits 0" "rc=$?: $(tail -n 5 "$SPISD_LOG")"
wait "$client"
t_match "the login in progress gets an answer, not a hang" '^answered' "$(cat "$tmp/out5")"
