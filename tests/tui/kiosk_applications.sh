#!/usr/bin/env bash
# spis-kiosk's programme and application screens in a real terminal (tmux),
# against a daemon with the office's staff (spisd_office) behind TLS, the
# kiosk holding a terminal certificate.  With no identification: "What
# support could I get?" (the household's answers, then an eligible
# programme with its amount and reasons and an ineligible one with its
# reason, and nothing stored).  Identified: the programmes offered are only
# those open online; applying through every step gives a receipt with the
# reference, and the application exists for an officer with channel
# "kiosk"; a second application while the first is pending shows the
# daemon's refusal and makes nothing; "My applications" lists it.  Then the
# status by reference and birth date, typed as on the receipt and in lower
# case without dashes, and with a wrong birth date or an unknown reference,
# which reveal nothing.  The RPC side is kiosk_applications.py.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

d=$(t_tmpdir)
kiosk=$SPIS_BUILD/spis-kiosk
S=spis-kiosk-apps-$$

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
py() { "$SPIS_PYTHON" tests/tui/kiosk_applications.py "$SPIS_PY" "$SPISD_ADDR" "$d/ca.crt" "$@"; }

py setup >"$d/setup" 2>&1
t_report <(grep -v '^VALUE ' "$d/setup")
val() { sed -n "s/^VALUE $1 //p" "$d/setup"; }
natid=$(val natid)
birth=$(val birth)
pin=$(val pin)
ready=$(val ready)
[ -n "$natid" ] && [ -n "$ready" ] || { t_fail "setup runs" "$(cat "$d/setup")"; exit 1; }
[ "$ready" = 1 ] || { t_fail "setup: the person, household and PIN" "$(cat "$d/setup")"; exit 1; }
# Every method the flows need must be served: a missing one is a failure,
# never a silent skip.
for m in PreCheck GetStatus Apply; do
	[ "$(val "served_$m")" = 1 ] && t_ok "setup: the daemon serves $m" ||
		t_fail "setup: the daemon serves $m" "UNIMPLEMENTED"
done

kiosk_cmd="$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --ca $d/ca.crt --cert $d/kiosk.crt --key $d/kiosk.key --log $d/kiosk.log"
keys() { tmux -L "$S" send-keys "$@"; }
text() { tmux -L "$S" send-keys -l "$1"; }
screen() { tmux_screen "$S"; }
# flat: the screen as one line, spaces squeezed, for text that wraps.
flat() { screen | tr -s ' \n' '  '; }
# step NAME REGEX [SECONDS]: one check that the screen comes to show REGEX.
step() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(screen)"
	fi
}
# absent NAME REGEX: one check that the screen (as it is now) lacks REGEX.
absent() {
	if screen | grep -Eq -- "$2"; then
		t_fail "$1" "$(screen)"
	else
		t_ok "$1"
	fi
}
# changed BEFORE: true once the screen differs from BEFORE.
changed() { [ "$(screen)" != "$1" ]; }
# pick REGEX KEY: presses KEY (Down, or a letter) until the selected row
# of a list ("> ...") matches REGEX; false when it never does.
pick() {
	local i before
	for ((i = 0; i < 70; i++)); do
		screen | grep -Eq -- "> $1" && return 0
		before=$(screen)
		keys "$2"
		wait_for 5 changed "$before" || return 1
	done
	return 1
}
# field VALUE: replaces the focused field's text, then Enter.
field() {
	keys C-u
	text "$1"
	keys Enter
}
# whole: every row of a scrolling page shown from its top, page by page
# to its end.
whole() {
	local i before
	for ((i = 0; i < 30; i++)); do
		screen
		screen | grep -q 'More below' || break
		before=$(screen)
		keys PageDown
		wait_for 5 changed "$before" || break
	done
}

tui_start "$S" 100 30 "$kiosk_cmd --idle 600"
step "welcome offers support and benefits" '5  Support and benefits: what I could get, apply, check a status' 15
step "welcome: the server answers over TLS" 'The SPIS server is available\.' 15
t_match "welcome: the idle notice still fits 100x30" 'For your privacy' "$(screen)"
keys 5
step "support and benefits: the pre-check" '1  What support could I get\?'
t_match "support and benefits: applying" '2  Apply for support, or see my applications' "$(screen)"
t_match "support and benefits: the status" '3  Check my application status' "$(screen)"

# ---------------------------------------------------------------------
# What support could I get?  A household of three (one child) living on
# EUR 150.00 a month in Vilnius: the social benefit, 102.00 + 81.60 +
# 71.40 - 150.00 = EUR 105.00 a month; no disability allowance.
keys 1
step "pre-check: Step 1 of 5, the household" 'Step 1 of 5'
t_match "pre-check: says nothing is stored" 'Nothing is stored' "$(screen)"
field 3
field 1
field 0
field 0
field x
step "pre-check: a wrong number is named" 'Type a number from 0 to 130\.'
field 35
step "pre-check: Step 2 of 5, the money" 'Step 2 of 5'
field 150,00
field 0
step "pre-check: Step 3 of 5, about you" 'Step 3 of 5'
keys F2
step "pre-check: Back to step 2 keeps the income" 'Monthly income, EUR +150,00'
keys Enter Enter
step "pre-check: step 3 again" 'Step 3 of 5'
keys Enter Enter
step "pre-check: Step 4 of 5, the municipality" 'Step 4 of 5'
if pick 'Vilniaus miesto' V; then t_ok "pre-check: Vilnius chosen by its letter"; else
	t_fail "pre-check: Vilnius chosen by its letter" "$(screen)"; fi
keys Enter
step "pre-check: Step 5 of 5, the answer" 'Step 5 of 5'
whole >"$d/pre" 2>&1
t_match "pre-check: what they may qualify for" 'You may qualify for:' "$(cat "$d/pre")"
t_match "pre-check: the social benefit with its amount" 'Social benefit: EUR 105\.00 a month' "$(cat "$d/pre")"
t_match "pre-check: why (the income per member under the limit)" \
	'income per member.*(below|limit)' "$(grep -A4 'Social benefit' "$d/pre")"
t_match "pre-check: what they may not qualify for" 'You may not qualify for:' "$(cat "$d/pre")"
t_match "pre-check: the disability allowance is not for them" 'Disability allowance' \
	"$(sed -n '/You may not qualify/,$p' "$d/pre")"
t_match "pre-check: and why" 'disability.*not' \
	"$(grep -A4 'Disability allowance' "$d/pre")"
t_match "pre-check: where to apply" 'Apply for it at a social support office|apply for it at this kiosk' \
	"$(cat "$d/pre")"
t_match "pre-check: nothing was stored" 'Nothing you typed was stored\.' "$(cat "$d/pre")"
keys Enter
step "pre-check: Done returns to the menu" '3  Check my application status'

# ---------------------------------------------------------------------
# Apply, identified.
keys 2
step "apply: identify first" 'Who are you\? Identify yourself'
keys C-u
text "$natid"
keys Enter C-u
text "$pin"
keys Enter
step "apply: Step 1 of 5, the programmes" 'Step 1 of 5'
step "apply: an online programme is offered" 'Social benefit'
for p in 'Disability allowance' 'Care allowance' 'Home help'; do
	absent "apply: \"$p\" (not online) is not offered" "$p"
done
if pick 'Child benefit' Down; then t_ok "apply: choose the child benefit"; else
	t_fail "apply: choose the child benefit" "$(screen)"; fi
keys Enter
step "apply: Step 2 of 5, the pre-filled form" 'Step 2 of 5'
t_match "apply: the applicant's name" 'Rasa Petraitė' "$(screen)"
t_match "apply: the household's two members" '2 people' "$(screen)"
t_match "apply: the child listed" 'Tomas Petraitis, 2015-06-06' "$(screen)"
keys Enter
step "apply: Step 3 of 5, income and assets" 'Step 3 of 5'
field 456.789
step "apply: a third decimal is refused" 'Type the amount in euros with digits'
keys BTab
field 456.78
field '1 200'
step "apply: Step 4 of 5, the summary" 'Step 4 of 5'
t_match "summary: the programme" 'Programme +Child benefit' "$(screen)"
t_match "summary: the income" 'Monthly income +EUR 456\.78' "$(screen)"
t_match "summary: the assets" 'Assets +EUR 1200\.00' "$(screen)"
keys Enter
step "apply: Step 5 of 5, the receipt" 'Step 5 of 5'
t_match "receipt: the reference in large letters" '█' "$(screen)"
ref=$(screen | sed -n 's/.*Reference: \([0-9A-Z-]*\).*/\1/p' | head -n 1)
t_match "receipt: the reference in words too" '^[0-9A-Z]+(-[0-9A-Z]+)+$' "$ref"
t_match "receipt: what happens next" 'a social worker in Vilniaus miesto savivaldybė looks at your application' "$(flat)"
py applied "$natid" "$ref" CHILD >"$d/applied" 2>&1
t_report "$d/applied"

# The same again while the first is pending: the daemon says no.
keys Enter
step "receipt: Done returns to the citizen's menu" 'Hello, Rasa\.'
keys 3
step "apply again: the programmes" 'Step 1 of 5'
pick 'Child benefit' Down
keys Enter
step "apply again: the form" 'Step 2 of 5'
keys Enter Enter Enter
step "apply again: the summary" 'Step 4 of 5'
keys Enter
step "apply again: the daemon's refusal is shown" '(pending|already)'
t_match "apply again: still on the summary" 'Step 4 of 5' "$(screen)"
py count "$natid" CHILD >"$d/count" 2>&1
t_match "apply again: nothing new was made" '^VALUE count 1$' "$(grep VALUE "$d/count")"

# My applications.
keys F2 F2 F2 F2
step "back to the citizen's menu" 'Hello, Rasa\.'
keys 4
step "my applications: the new one listed" "$ref"
t_match "my applications: its state in words" 'Received, waiting to be reviewed' "$(screen)"
keys Enter
step "my applications: opened" "Application $ref"
absent "my applications: no appeal before a decision" 'press 1'

# A decision, then the appeal from the kiosk.
py decide "$ref" >"$d/decide" 2>&1
t_report "$d/decide"
keys F2
step "my applications: back to the list" 'Choose one with'
keys F2 4
step "my applications: the decision shows" 'Approved'
keys Enter
step "my applications: the decision, its amount" 'Amount: EUR 70\.00'
step "my applications: an appeal is offered" 'you may appeal until [0-9-]+: press 1'
keys 1
step "appeal: asks why" 'Why do you disagree'
keys Enter
step "appeal: a reason is needed" 'Say in a few words why you disagree'
text "The amount leaves out my second child"
keys Enter
step "appeal: asks before sending" 'Send this appeal now\?'
keys y
step "appeal: sent" 'Your appeal of application'
t_match "appeal: the new state" 'Now: Appealed, waiting to be reviewed again' "$(flat)"
py appealed "$ref" "The amount leaves out my second child" >"$d/appealed" 2>&1
t_report "$d/appealed"
keys Enter
step "appeal: Done shows the list with the new state" 'Appealed, waiting'
keys Escape
step "leaving: the welcome screen" 'Welcome to SPIS'
absent "leaving: nothing of the citizen left on screen" 'Rasa|Petrait'

# ---------------------------------------------------------------------
# Status by reference and birth date.
status() { # status REF BIRTH: from the welcome screen
	keys 5
	tmux_wait "$S" '3  Check my application status' 10 2>/dev/null
	keys 3
	tmux_wait "$S" 'Step 1 of 2' 10 2>/dev/null
	keys BTab C-u
	text "$1"
	keys Enter C-u
	text "$2"
	keys Enter
}
status "$ref" "$birth"
step "status: the state in words" 'Now: Appealed, waiting to be reviewed again'
t_match "status: the programme" 'Child benefit|Išmoka vaikui' "$(screen)"
t_match "status: each step with its date" "$(date -u +%Y-%m-%d) +Received.*$(date -u +%Y-%m-%d) +Approved.*$(date -u +%Y-%m-%d) +Appealed" "$(flat)"
t_match "status: what happens next" 'What happens next: .*appeal' "$(flat)"
keys Enter
step "status: Done returns to the menu" '3  Check my application status'
keys Escape
step "the menu: Esc returns to the welcome" 'Welcome to SPIS'
lower=$(printf '%s' "$ref" | tr -d - | tr 'A-Z' 'a-z')
status "$lower" "$birth"
step "status: the reference typed in lower case without dashes" 'Now: Appealed'
keys Escape Escape
step "status: Esc twice returns to the welcome" 'Welcome to SPIS'
status "$ref" 1990-02-15
step "status: a wrong birth date matches nothing" 'Nothing matches this reference and birth date'
absent "status: a wrong birth date reveals nothing" 'Now:|Child benefit|Išmoka|Received|Appealed'
keys Escape Escape
bogus=$(py otherref "$ref" | sed -n 's/^VALUE otherref //p')
status "$bogus" "$birth"
step "status: an unknown reference matches nothing" 'Nothing matches this reference and birth date'
absent "status: an unknown reference reveals nothing" 'Now:|Child benefit|Išmoka|Received|Appealed'
keys Escape Escape
tmux -L "$S" kill-server

[ -n "${SPIS_KEEPLOG:-}" ] && cp "$SPISD_LOG" "$SPIS_KEEPLOG"
spisd_stop
t_match "the citizen's application is audited under the terminal's name" 'kiosk-vilnius-library-1' \
	"$(sqlite3 "$SPISD_DIR/spis.db" "SELECT DISTINCT terminal FROM audit WHERE method LIKE '%/Apply'")"
tui_check_san "no sanitizer reports" "$d"
