#!/usr/bin/env bash
# spis-kiosk's citizen flows in a real terminal (tmux), against a daemon
# with the office's staff (spisd_office) behind TLS, the kiosk holding a
# terminal certificate: a person registered and a PIN issued over RPC; at
# the kiosk, identify (a wrong check digit caught before sending, a wrong
# PIN answered and wiped, then the right one), update the address through
# every step with Back used once, the receipt, the change in the registry's
# history, who looked at the record; assisted mode (a volunteer's PAM
# login, the citizen's consent, finishing wipes the citizen but keeps the
# volunteer); and the idle timeout.  The RPC side is kiosk_citizen.py.
#
# Should a setup call fail, the script says so as a failure and checks only
# what the kiosk does by itself.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

d=$(t_tmpdir)
kiosk=$SPIS_BUILD/spis-kiosk
S=spis-kiosk-cit-$$

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
mk kiosk kiosk-vilnius-library-1 ca

SPISD_PROBE_OPTS="--tls-ca $d/ca.crt"
spisd_office --tls-cert "$d/server.crt" --tls-key "$d/server.key" --tls-client-ca "$d/ca.crt" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
py() { "$SPIS_PYTHON" tests/tui/kiosk_citizen.py "$SPIS_PY" "$SPISD_ADDR" "$d/ca.crt" "$@"; }

py setup >"$d/setup" 2>&1
t_report <(grep -v '^VALUE ' "$d/setup")
natid=$(sed -n 's/^VALUE natid //p' "$d/setup")
pin=$(sed -n 's/^VALUE pin //p' "$d/setup")
wrongpin=$(sed -n 's/^VALUE wrongpin //p' "$d/setup")
ready=$(sed -n 's/^VALUE ready //p' "$d/setup")
[ -n "$natid" ] && [ -n "$ready" ] || { t_fail "setup runs" "$(cat "$d/setup")"; exit 1; }
# Every method the flows need is served now: a missing one is a failure,
# never a silent skip.
[ "$ready" = 1 ] && t_ok "setup: Registry and Citizen methods are served" ||
	t_fail "setup: Registry and Citizen methods are served" "$(cat "$d/setup")"
# The same code with its check digit changed.
badnatid=${natid:0:10}$(((${natid:10:1} + 1) % 10))

kiosk_cmd="$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --ca $d/ca.crt --cert $d/kiosk.crt --key $d/kiosk.key --log $d/kiosk.log"
keys() { tmux -L "$S" send-keys "$@"; }
text() { tmux -L "$S" send-keys -l "$1"; }
screen() { tmux_screen "$S"; }
# step NAME REGEX [SECONDS]: one check that the screen comes to show REGEX.
step() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(screen)"
	fi
}
# identify ID PIN: types both on the identify screen.
# Shift-Tab first: after a failure the focus may rest on the PIN.
identify() {
	keys BTab C-u
	text "$1"
	keys Enter C-u
	text "$2"
	keys Enter
}

tui_start "$S" 100 30 "$kiosk_cmd --idle 600"
step "welcome offers the services" '1  Register or update my details' 15
t_match "welcome: who looked at my record" '2  Who looked at my record' "$(screen)"
t_match "welcome: assisted mode for volunteers" '3  Volunteer: start assisted mode' "$(screen)"
step "welcome: the server answers over TLS" 'The SPIS server is available\.' 15

# Identify: the check digit is caught before anything is sent.
keys 1
step "identify asks for the personal code and PIN" 'Who are you\? Identify yourself'
text "$badnatid"
keys Enter
step "a wrong check digit is caught as typed" "This code's check digit is wrong"
identify "$natid" "$wrongpin"
step "a wrong PIN: the office hint is shown" 'A social support office registers people and issues PINs'
t_match "a wrong PIN: the server's message is shown" '[A-Za-z]' \
	"$(screen | grep -B3 'Not registered yet' | grep -v 'Not registered yet' | tr -d ' ')"
if screen | grep -q '\*\*\*'; then
	t_fail "a wrong PIN: the PIN field is wiped" "$(screen)"
else
	t_ok "a wrong PIN: the PIN field is wiped"
fi
if [ "$ready" = 1 ]; then
text "$pin"
keys Enter
step "the right PIN: Step 1 of 6 shows the details" 'Step 1 of 6'
step "step 1: the current address" 'Gedimino pr\. 1'
t_match "step 1: the name" 'Ona Žemaitė' "$(screen)"
t_match "step 1: the municipality by name" 'Vilniaus miesto savivaldybė' "$(screen)"

# Steps 2 to 6, with Back used once.
keys Enter
step "step 2: address and municipality" 'Step 2 of 6'
keys C-u
text "Laisvės al. 5-12"
keys Enter Enter
step "step 3: phone and email" 'Step 3 of 6'
keys F2
step "Back returns to step 2" 'Step 2 of 6'
t_match "Back keeps what was typed" 'Laisvės al\. 5-12' "$(screen)"
keys Enter Enter
step "step 3 again" 'Step 3 of 6'
keys C-u
text "+370 611 22334"
keys Enter Enter
step "step 4: language for letters" 'Step 4 of 6'
keys Enter
step "step 5: the summary" 'Step 5 of 6'
t_match "summary: address old → new" 'Gedimino pr\. 1 → Laisvės al\. 5-12' "$(screen)"
t_match "summary: phone old → new, as the registry keeps it" '\+37060000001 → \+37061122334' "$(screen)"
if screen | grep -q 'Municipality.*→'; then
	t_fail "summary: unchanged fields are not listed" "$(screen)"
else
	t_ok "summary: unchanged fields are not listed"
fi
keys Enter
step "step 6: the receipt" 'Step 6 of 6'
t_match "receipt: a number, date and time" 'Receipt number [0-9A-F]{4}-[0-9A-F]{4}, [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}' "$(screen)"
t_match "receipt: what was changed" 'Gedimino pr\. 1 → Laisvės al\. 5-12' "$(screen)"
t_match "receipt: nothing else was changed" 'Nothing else was changed' "$(screen)"

py history "$natid" "Gedimino pr. 1" "Laisvės al. 5-12" "address,phone" >"$d/history" 2>&1
t_report "$d/history"

# Who looked at my record: the clerk's read, by role, without a name.
keys Enter
step "Done returns to the citizen's menu" 'Hello, Ona\.'
t_match "the header says who the kiosk is serving" 'Identified: Ona' "$(screen | head -n 1)"
keys 2
step "who looked: the clerk's read" 'Looked at your record'
t_match "who looked: the role and municipality" 'By a clerk, Vilniaus miesto savivaldybė\. Purpose: case work\.' "$(screen)"
if screen | grep -q 'clerk13'; then
	t_fail "who looked: no officer's username" "$(screen)"
else
	t_ok "who looked: no officer's username"
fi

# Leaving wipes the citizen.
keys Escape
step "Esc leaves to the welcome screen" 'Welcome to SPIS'
if screen | grep -Eq 'Ona|Žemaitė|Laisvės'; then
	t_fail "leaving: nothing of the citizen left on screen" "$(screen)"
else
	t_ok "leaving: nothing of the citizen left on screen"
fi
else
	keys Escape
	step "Esc leaves to the welcome screen" 'Welcome to SPIS'
fi

# Assisted mode: the volunteer logs in through PAM.
keys 3
step "assisted mode: the volunteer's login" 'Volunteer log in'
text vol
keys Enter
step "assisted mode: PAM's password prompt" '[Pp]assword'
text pw
keys Enter
step "assisted mode: the header names the volunteer" 'Volunteer: vol'
t_match "assisted mode: the volunteer's start screen" 'Assisted mode: vol is helping\.' "$(screen)"

if [ "$ready" = 1 ]; then
# A citizen who does not agree: back to the volunteer's start.
keys 2
step "assisted: identify" 'Who are you\? Identify yourself'
identify "$natid" "$pin"
step "assisted: the consent question" 'I agree that vol helps me with my details today'
keys n
step "assisted: No returns to the volunteer's start" 'Assisted mode: vol is helping\.'

# A citizen who agrees.
keys 1
step "assisted: identify again" 'Who are you\? Identify yourself'
identify "$natid" "$pin"
step "assisted: the consent question again" 'I agree that vol helps me'
keys y
step "assisted: identified with consent, the details shown" 'Step 1 of 6'
step "assisted: the citizen's new address" 'Laisvės al\. 5-12'
t_match "assisted: the header names the volunteer and the citizen" 'Volunteer: vol, helping Ona' "$(screen | head -n 1)"
t_match "assisted: the footer offers finishing with this citizen" 'Finish with this citizen' "$(screen | tail -n 1)"
keys Escape
step "finish: back to the volunteer's start" 'Assisted mode: vol is helping\.'
if screen | grep -Eq 'Ona|Žemaitė|Laisvės'; then
	t_fail "finish: the citizen's data is wiped from the screen" "$(screen)"
else
	t_ok "finish: the citizen's data is wiped from the screen"
fi
t_match "finish: the volunteer is still logged in" 'Volunteer: vol' "$(screen | head -n 1)"
fi

keys 3
step "log out asks first" 'Log out the volunteer\?'
keys y
step "log out: the welcome screen again" 'Welcome to SPIS'
t_match "log out: nobody in the header" 'not logged in' "$(screen | head -n 1)"
tmux -L "$S" kill-server

# Left idle with a citizen identified: back to the welcome, wiped.
S=spis-kiosk-cit-idle-$$
tui_start "$S" 100 30 "$kiosk_cmd --idle 3"
step "idle: welcome" 'The SPIS server is available\.' 15
keys 1
step "idle: identify" 'Who are you\? Identify yourself'
if [ "$ready" = 1 ]; then
	identify "$natid" "$pin"
	step "idle: identified" 'Hello, Ona|Step 1 of 6'
else
	text "$natid"
	step "idle: the code typed" "$natid"
fi
step "idle: back to the welcome" 'Welcome to SPIS' 15
if screen | grep -Eq "Ona|Žemaitė|Laisvės|Step [0-9] of|$natid"; then
	t_fail "idle: nothing of the citizen left on screen" "$(screen)"
else
	t_ok "idle: nothing of the citizen left on screen"
fi
tmux -L "$S" kill-server

spisd_stop
t_match "the volunteer's login is audited under the terminal's name" 'kiosk-vilnius-library-1' \
	"$(sqlite3 "$SPISD_DIR/spis.db" "SELECT terminal FROM audit WHERE method LIKE '%Login' AND actor = 'vol'")"
if [ "$ready" = 1 ]; then
	t_match "the citizen's calls are audited under the terminal's name" 'kiosk-vilnius-library-1' \
		"$(sqlite3 "$SPISD_DIR/spis.db" "SELECT DISTINCT terminal FROM audit WHERE method LIKE '/spis.v1.Citizen/%'")"
fi
tui_check_san "no sanitizer reports" "$d"
