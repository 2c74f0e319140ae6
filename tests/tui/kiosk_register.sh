#!/usr/bin/env bash
# A registration request end to end in real terminals (tmux), against a
# daemon with the office's staff behind TLS, the kiosk holding a terminal
# certificate.  At the kiosk, someone not registered asks to be: a wrong
# check digit caught as typed, the birth date and sex filled in from the
# code, Back once, the summary, the receipt with its reference; an
# already-registered code answered with the office hint.  In the console,
# clerk13 finds the request, accepts it through the register form filled
# in from it, issues the PIN offered, and rejects another with a reason;
# then the citizen identifies at the kiosk with that PIN.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

d=$(t_tmpdir)
kiosk=$SPIS_BUILD/spis-kiosk
console=$SPIS_BUILD/spis-console
S=spis-kiosk-reg-$$
C=spis-console-reg-$$

mk() { # mk NAME CN [SIGNER]: an EC P-256 key and certificate
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$1.key" \
		-out "$d/$1.csr" -subj "/CN=$2" 2>/dev/null
	if [ -z "${3:-}" ]; then
		openssl x509 -req -in "$d/$1.csr" -signkey "$d/$1.key" -days 2 -out "$d/$1.crt" \
			-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n') 2>/dev/null
	else
		openssl x509 -req -in "$d/$1.csr" -CA "$d/$3.crt" -CAkey "$d/$3.key" -CAcreateserial \
			-days 2 -out "$d/$1.crt" \
			-extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') 2>/dev/null
	fi
}
mk ca "SPIS test CA"
mk server localhost ca
mk kiosk kiosk-vilnius-library-2 ca

SPISD_PROBE_OPTS="--tls-ca $d/ca.crt"
spisd_office --tls-cert "$d/server.crt" --tls-key "$d/server.key" --tls-client-ca "$d/ca.crt" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
db=$SPISD_DIR/spis.db

# py CODE...: Python with the generated modules and the test client, for
# the setup the screens do not do themselves.
py() {
	"$SPIS_PYTHON" - "$SPIS_PY" "$SPISD_ADDR" "$d" "$@" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, "tests")
import grpc, spisclient as spis
from spis.v1 import registry_pb2 as pb, registrations_pb2 as rg
addr, d, what = sys.argv[2], sys.argv[3], sys.argv[4]
pem = lambda n: open(os.path.join(d, n), "rb").read()
opts = [("grpc.ssl_target_name_override", "localhost")]
def lt(p7, serial):
    s = p7 + "%03d" % serial
    x = [int(c) for c in s]
    for w in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(x, w)) % 11
        if k != 10:
            return s + str(k)
    return s + "0"
if what == "code":
    print(lt(sys.argv[5], int(sys.argv[6])))
elif what == "register":
    c = spis.Client(addr, grpc.ssl_channel_credentials(pem("ca.crt")), opts)
    nid = sys.argv[5]
    _, code, msg = c.call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
        request_id=spis.rid(), person=pb.Person(
            national_id=nid, given_names="Petras", surname="Jau Registruotas",
            birth_date="19%s-%s-%s" % (nid[1:3], nid[3:5], nid[5:7]), sex="M",
            municipality="13"), reason="setup"), token=c.login("clerk13"))
    print("OK setup: a registered person" if code == grpc.StatusCode.OK else "FAIL setup -- %s %s" % (code, msg))
elif what == "submit":
    k = spis.Client(addr, grpc.ssl_channel_credentials(pem("ca.crt"), pem("kiosk.key"),
                                                       pem("kiosk.crt")), opts)
    nid = sys.argv[5]
    r, code, msg = k.call("Registrations", "SubmitRegistration", rg.SubmitRegistrationRequest(
        request_id=spis.rid(), person=pb.Person(
            national_id=nid, given_names="Rokas", surname="Atmestinas",
            birth_date="19%s-%s-%s" % (nid[1:3], nid[3:5], nid[5:7]), sex="M",
            municipality="13")))
    print(r.reference if code == grpc.StatusCode.OK else "FAIL %s %s" % (code, msg))
PY
}

natid=$(py code 4880512 301)
registered=$(py code 3700101 302)
other=$(py code 3750505 303)
badnatid=${natid:0:10}$(((${natid:10:1} + 1) % 10))
py register "$registered" >"$d/setup"
t_report "$d/setup"

kiosk_cmd="$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --ca $d/ca.crt --cert $d/kiosk.crt --key $d/kiosk.key --log $d/kiosk.log"
keys() { tmux -L "$S" send-keys "$@"; }
text() { tmux -L "$S" send-keys -l "$1"; }
screen() { tmux_screen "$S"; }
step() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(screen)"
	fi
}
# fill ID: from the welcome screen through the steps to the summary.
fill() {
	keys 4
	tmux_wait "$S" 'Step 1 of 8' 10 >/dev/null 2>&1
	text "$1"
	keys Enter
	tmux_wait "$S" 'Step 2 of 8' 10 >/dev/null 2>&1
	text "Petras"
	keys Enter
	text "Kitas"
	keys Enter
	tmux_wait "$S" 'Step 3 of 8' 10 >/dev/null 2>&1
	keys Enter Enter
	tmux_wait "$S" 'Step 4 of 8' 10 >/dev/null 2>&1
	text "Vilnius"
	keys Enter Enter
	tmux_wait "$S" 'Step 5 of 8' 10 >/dev/null 2>&1
	keys Enter
	tmux_wait "$S" 'Step 6 of 8' 10 >/dev/null 2>&1
	keys Enter
}

tui_start "$S" 100 30 "$kiosk_cmd --idle 600"
step "welcome offers asking to be registered" '4  Not registered yet\? Ask to be registered' 15
step "welcome: the server answers over TLS" 'The SPIS server is available\.' 15
keys 4
step "step 1 of 8: the personal code" 'Step 1 of 8'
t_match "step 1 says what this is for" 'Not in the registry yet\?' "$(screen)"
text "$badnatid"
keys Enter
step "a wrong check digit is caught as typed" 'This is not a valid personal code'
keys C-u
text "$natid"
keys Enter
step "step 2: the name" 'Step 2 of 8'
text "Aistė"
keys Enter
text "Kubilienė"
keys Enter
step "step 3: birth date and sex" 'Step 3 of 8'
t_match "step 3: the birth date filled in from the code" 'Birth date +1988-05-12' "$(screen)"
t_match "step 3: the sex filled in from the code" 'Sex \(F or M\) +F' "$(screen)"
keys F2
step "Back returns to step 2" 'Step 2 of 8'
t_match "Back keeps what was typed" 'Kubilienė' "$(screen)"
keys Enter Enter
step "step 3 again" 'Step 3 of 8'
keys BTab C-u
text "1988-05-13"
keys Enter
step "a birth date the code disagrees with is named" 'Your personal code says another birth date'
keys BTab C-u
text "1988-05-12"
keys Enter Enter
step "step 4: address and municipality" 'Step 4 of 8'
text "Pylimo g. 4-2, Vilnius"
keys Enter Down Down Enter
step "step 5: phone" 'Step 5 of 8'
text "+370 (600) 11-222"
keys Enter
step "step 6: language for letters" 'Step 6 of 8'
keys Enter
step "step 7: the summary to confirm" 'Step 7 of 8'
t_match "summary: the personal code" "Personal code +$natid" "$(screen)"
t_match "summary: the name" 'Surname +Kubilienė' "$(screen)"
t_match "summary: the municipality by name" 'Municipality +Vilniaus miesto savivaldybė' "$(screen)"
t_match "summary: the phone as it will be kept" 'Phone +\+37060011222' "$(screen)"
t_match "summary: not registered yet until an officer checks" 'an officer checks your identity document' "$(screen)"
keys Enter
step "step 8: the receipt" 'Step 8 of 8'
ref=$(screen | sed -n 's/.*Reference \([A-Z0-9]\{4\}-[A-Z0-9]\{4\}\).*/\1/p' | head -n 1)
t_match "receipt: a short reference" '^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$' "$ref"
spaced=$(printf '%s' "$ref" | sed 's/./& /g; s/ $//')
t_match "receipt: the reference large, letter-spaced in a box" " $spaced " "$(screen)"
t_match "receipt: where to go" 'Take your identity document to a social support office of Vilniaus miesto savivaldybė' "$(screen)"
t_match "stored as a pending request, nobody registered" "^pending\|0$" \
	"$(sqlite3 "$db" "SELECT status, (SELECT count(*) FROM people WHERE national_id = '$natid') FROM registration_requests WHERE reference = '$ref'")"
keys Enter
step "Done returns to the welcome screen" 'Welcome to SPIS'
if screen | grep -Eq "Kubilienė|$natid|$ref"; then
	t_fail "leaving: nothing typed left on screen" "$(screen)"
else
	t_ok "leaving: nothing typed left on screen"
fi

# An already-registered code: the office hint, nothing else.
fill "$registered"
step "registered code: the summary" 'Step 7 of 8'
keys Enter
step "registered code: ask an office for a PIN" 'already in the registry; ask a social support office'
if screen | grep -q 'Jau Registruotas'; then
	t_fail "registered code: nothing about the person shown" "$(screen)"
else
	t_ok "registered code: nothing about the person shown"
fi
keys Escape
step "Esc asks before leaving" 'Leave now\?'
keys y
step "left: the welcome screen" 'Welcome to SPIS'

# A second request, to be rejected.
ref2=$(py submit "$other")
t_match "setup: a second request" '^[A-Z0-9]{4}-[A-Z0-9]{4}$' "$ref2"

# The console: clerk13 accepts the first request, issues a PIN, rejects
# the second.
tui_start "$C" 100 32 "$(tui_san_env "$d") $console --server $SPISD_ADDR --ca $d/ca.crt --log $d/console.log"
ckeys() { tmux -L "$C" send-keys "$@"; }
ctext() { tmux -L "$C" send-keys -l "$1"; }
cstep() {
	if tmux_wait "$C" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$C")"
	fi
}
tmux_wait "$C" 'Username' 15 >/dev/null 2>&1
ctext clerk13
ckeys Enter
tmux_wait "$C" 'Password: ' 15 >/dev/null 2>&1
ctext pw
ckeys Enter
cstep "console: the menu offers the requests" ' k +Registration requests from kiosks' 15
ckeys k
cstep "console: the pending requests" 'Registration requests: pending'
cstep "console: the kiosk's request is listed" "$ref +$natid +Kubilienė, Aistė +13"
cstep "console: the selected request in full" 'Pylimo g\. 4-2, Vilnius · 13 Vilniaus'
t_match "console: where it came from" 'kiosk-vilnius-library-2' "$(tmux_screen "$C")"
ckeys a
cstep "accept: the document is asked for" 'identity document showing Aistė Kubilienė'
ckeys y
cstep "accept: the register form, filled in from the request" "National ID +$natid"
t_match "accept: the note names the request" "Note +registration request $ref" "$(tmux_screen "$C")"
t_match "accept: the birth date filled in" 'Birth date +1988-05-12' "$(tmux_screen "$C")"
ckeys F2
cstep "accept: registered, the PIN offered" "Request $ref accepted: Aistė Kubilienė is registered\. Issue a kiosk PIN now\?" 15
ckeys y
cstep "accept: the PIN shown once" "PIN for $natid: [0-9]{6}" 15
pin=$(tmux_screen "$C" | sed -n "s/.*PIN for $natid: \([0-9]\{6\}\).*/\1/p" | head -n 1)
ckeys Enter
cstep "accept: the card of the registered person" "Aistė Kubilienė · $natid"
t_match "accept: the request is linked to the person" "^accepted\|$natid\|clerk13$" \
	"$(sqlite3 "$db" "SELECT status, person_id, resolved_by FROM registration_requests WHERE reference = '$ref'")"
ckeys Escape
cstep "back on the list: the other request" "$ref2 +$other"
if tmux_screen "$C" | grep -q "$ref "; then
	t_fail "the accepted request has left the pending list" "$(tmux_screen "$C")"
else
	t_ok "the accepted request has left the pending list"
fi
ckeys x
cstep "reject: a reason is asked for" 'Reject the request: why\?'
ctext "no identity document shown"
ckeys F2
cstep "reject: done" "Request $ref2 was rejected\."
t_match "reject: stored with the reason" '^rejected\|no identity document shown$' \
	"$(sqlite3 "$db" "SELECT status, resolution_reason FROM registration_requests WHERE reference = '$ref2'")"
ckeys s
cstep "the accepted list" 'Registration requests: accepted'
cstep "accepted: the decision shown" "accepted .* clerk13"
ckeys F10
tmux -L "$C" kill-server

# The new citizen identifies at the kiosk with the PIN.
keys 1
step "kiosk: identify" 'Who are you\? Identify yourself'
text "$natid"
keys Enter
text "$pin"
keys Enter
step "kiosk: the new citizen identifies with the PIN" 'Step 1 of 6' 15
t_match "kiosk: their details as the request gave them" 'Pylimo g\. 4-2, Vilnius' "$(screen)"
keys Escape
tmux -L "$S" kill-server

spisd_stop
t_match "the kiosk's request is audited under the terminal's name" 'kiosk-vilnius-library-2' \
	"$(sqlite3 "$db" "SELECT terminal FROM audit WHERE method LIKE '%SubmitRegistration' AND outcome = 'OK' LIMIT 1")"
tui_check_san "no sanitizer reports" "$d"
