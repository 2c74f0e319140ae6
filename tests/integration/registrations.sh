#!/usr/bin/env bash
# Registration requests (spis.v1.Registrations): a person not yet registered
# asks at a kiosk, alone or with a volunteer; each bad field named; an
# already-registered code answered without telling more; replays, one
# pending request per code, the per-terminal daily limit; the clerk's list
# and scope, accept (after RegisterPerson) and reject; expiry; the audit
# trail.  The checks are in registrations.py; each line it prints is one.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
mk() { # mk NAME CN [SIGNER]: an EC P-256 key and certificate
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
mk kiosk kiosk-kaunas-lib-1 ca
SPISD_PROBE_OPTS="--tls-ca $tmp/ca.crt --server-name localhost"
export SPISD_PROBE_OPTS

# A small daily limit, so that reaching it is cheap.
cat >"$tmp/spis.conf" <<'CONF'
[kiosk]
registration_request_days = 30
registration_requests_per_day = 12
CONF
spisd_office --config "$tmp/spis.conf" --tls-cert "$tmp/server.crt" \
	--tls-key "$tmp/server.key" --tls-client-ca "$tmp/ca.crt" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/registrations.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" 12 "$tmp" >"$SPISD_DIR/out" 2>&1
rc=$?
t_report "$SPISD_DIR/out"
[ "$rc" -eq 0 ] && t_ok "registrations.py ran to the end" ||
	t_fail "registrations.py ran to the end" "exit $rc"

spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
out=$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify 2>&1)
t_match "audit trail intact" '^audit trail intact: [0-9]+ rows' "$out"
