#!/usr/bin/env bash
# The citizen at a kiosk (spis.v1.Citizen): PINs issued at an office,
# identification alone and helped by a volunteer, sittings bound to their
# terminal, the lock after five wrong PINs, who looked at my record.  The
# daemon speaks TLS and asks for client certificates, so that two kiosk
# terminals (two certificates) and an officer console (none) can be told
# apart.  The checks are in citizen.py; each line it prints is one check.
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
mk kiosk_a kiosk-vilnius-lib-1 ca
mk kiosk_b kiosk-vilnius-lib-2 ca

SPISD_PROBE_OPTS="--tls-ca $tmp/ca.crt --server-name localhost"
export SPISD_PROBE_OPTS
spisd_office --tls-cert "$tmp/server.crt" --tls-key "$tmp/server.key" \
	--tls-client-ca "$tmp/ca.crt" || { t_fail "daemon starts" "see log"; exit 1; }
db=$SPISD_DIR/spis.db

"$SPIS_PYTHON" tests/integration/citizen.py "$SPIS_PY" "$SPISD_ADDR" "$db" "$tmp" >"$tmp/out" 2>&1
rc=$?
t_report "$tmp/out"
[ "$rc" -eq 0 ] && t_ok "citizen.py ran to the end" || t_fail "citizen.py ran to the end" "exit $rc"

spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the kiosk" '^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$db" audit verify)"
n=$(sqlite3 "$db" "SELECT count(*) FROM citizen_pins WHERE hash NOT LIKE '\$argon2id\$%'")
[ "$n" = 0 ] && t_ok "every stored PIN is an argon2id hash" || t_fail "every stored PIN is an argon2id hash" "n=$n"
