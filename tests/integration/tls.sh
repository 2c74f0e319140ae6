#!/usr/bin/env bash
# TLS on the daemon and in the client library: certificates made at test
# time with openssl, server-only TLS and then client certificates (the way
# kiosk terminals will be registered).
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
mk() { # mk NAME CN [SIGNER]: an EC P-256 key and certificate
	local name=$1 cn=$2 signer=${3:-}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$tmp/$name.key" -out "$tmp/$name.csr" -subj "/CN=$cn" 2>/dev/null
	if [ -z "$signer" ]; then
		openssl x509 -req -in "$tmp/$name.csr" -signkey "$tmp/$name.key" -days 2 \
			-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n') \
			-out "$tmp/$name.crt" 2>/dev/null
	else
		openssl x509 -req -in "$tmp/$name.csr" -CA "$tmp/$signer.crt" -CAkey "$tmp/$signer.key" \
			-CAcreateserial -days 2 -out "$tmp/$name.crt" \
			-extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') 2>/dev/null
	fi
}
mk ca "SPIS test CA"
mk server localhost ca
mk kiosk "kiosk-vilnius-lib-01" ca
mk rogue_ca "Someone else"
mk rogue "kiosk-rogue" rogue_ca

SPISD_PROBE_OPTS="--tls-ca $tmp/ca.crt"
spisd_start 0 --tls-cert "$tmp/server.crt" --tls-key "$tmp/server.key" ||
	{ t_fail "TLS daemon starts" "see log"; exit 1; }
addr=$SPISD_ADDR

out=$(spis_probe --tls-ca "$tmp/ca.crt" "$addr" health 2>&1)
t_match "TLS client with the right CA gets SERVING" '^SERVING$' "$out"
out=$(spis_probe --deadline 1500 "$addr" health 2>&1)
t_match "plaintext client cannot talk to a TLS daemon" 'UNAVAILABLE|DEADLINE_EXCEEDED' "$out"
out=$(spis_probe --deadline 1500 --tls-ca "$tmp/rogue_ca.crt" "$addr" health 2>&1)
t_match "client refuses a server signed by another CA" 'UNAVAILABLE|DEADLINE_EXCEEDED' "$out"
t_match "daemon log says TLS" 'TLS\)' "$(cat "$SPISD_LOG")"
spisd_stop
unset SPISD_DIR

# Client certificates required.
spisd_start 0 --tls-cert "$tmp/server.crt" --tls-key "$tmp/server.key" \
	--tls-client-ca "$tmp/ca.crt" || { t_fail "mTLS daemon starts" "see log"; exit 1; }
addr=$SPISD_ADDR
out=$(spis_probe --tls-ca "$tmp/ca.crt" --tls-cert "$tmp/kiosk.crt" \
	--tls-key "$tmp/kiosk.key" "$addr" health 2>&1)
t_match "registered terminal certificate is accepted" '^SERVING$' "$out"
# Officer consoles carry no terminal certificate: they still connect, and
# methods meant for kiosks check the terminal name themselves.
out=$(spis_probe --deadline 1500 --tls-ca "$tmp/ca.crt" "$addr" health 2>&1)
t_match "a client without a certificate still connects" '^SERVING$' "$out"
out=$(spis_probe --deadline 1500 --tls-ca "$tmp/ca.crt" --tls-cert "$tmp/rogue.crt" \
	--tls-key "$tmp/rogue.key" "$addr" health 2>&1)
t_match "certificate from an unknown CA is refused" 'UNAVAILABLE|DEADLINE_EXCEEDED' "$out"
# A refused call from the terminal is audited under the certificate's name.
spis_probe --tls-ca "$tmp/ca.crt" --tls-cert "$tmp/kiosk.crt" --tls-key "$tmp/kiosk.key" \
	"$addr" health no.such.Service >/dev/null
spisd_stop
t_match "audit names the terminal by its certificate" '^kiosk-vilnius-lib-01$' \
	"$(sqlite3 "$SPISD_DIR/spis.db" "SELECT terminal FROM audit WHERE outcome = 'NOT_FOUND'")"
unset SPISD_DIR

# Off loopback, TLS makes listening allowed.
d=$(t_tmpdir)
"$SPIS_BUILD/spis-rpcd" --listen 0.0.0.0:0 --db "$d/spis.db" --port-file "$d/port" \
	--tls-cert "$tmp/server.crt" --tls-key "$tmp/server.key" 2>"$d/log" &
pid=$!
T_PIDS+=("$pid")
if wait_for 20 test -s "$d/port" &&
	[ "$(spis_probe --tls-ca "$tmp/ca.crt" "127.0.0.1:$(cat "$d/port")" health)" = SERVING ]; then
	t_ok "0.0.0.0 with TLS is allowed and serves"
else
	t_fail "0.0.0.0 with TLS is allowed and serves" "$(tail -n 3 "$d/log")"
fi
kill -TERM "$pid"; wait "$pid"

out=$("$SPIS_BUILD/spis-rpcd" --listen 127.0.0.1:0 --db "$d/x.db" \
	--tls-cert "$tmp/server.crt" --tls-key "$tmp/nope.key" 2>&1)
rc=$?
t_match "missing key file is named, non-zero exit" "tls_key .*nope.key" "$out"
[ "$rc" -ne 0 ] && t_ok "missing key file exit status" || t_fail "missing key file exit status" "rc=$rc"
