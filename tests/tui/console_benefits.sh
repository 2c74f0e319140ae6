#!/usr/bin/env bash
# spis-console's benefits and payments against the office fixture: the
# person card lists a person's benefits, bank account and notices; a
# benefit's page shows its history and suspends and resumes it; a bank
# account with a mistyped IBAN is refused as it is typed, then a good one
# is recorded; a notice's letter is shown; the card in Lithuanian.  The
# payment runs: a clerk makes one, a supervisor reviews and approves it,
# the clerk exports the bank file and imports the bank's CSV with one
# payment failed, which the failures list then shows; an officer who is
# clerk and supervisor is refused their own run (four eyes) and cancels
# it.  The people and their approved applications come over RPC
# (console_benefits.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
# boss13 both makes and signs runs: the daemon still refuses them their own.
SPIS_OFFICERS="boss13:clerk,supervisor:13" \
	spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

FIRST=48703181005  # Julija Žemaitė: no bank account yet
SECOND=38703181745 # Petras Turtingas: has one

"$SPIS_PYTHON" tests/tui/console_benefits.py "$SPIS_PY" "$SPISD_ADDR" seed \
	>"$tmp/seed.out" 2>&1
t_report <(grep -v '^SENIOR ' "$tmp/seed.out")
# The two seniors the payment run pays: national ID and IBAN.
read -r SEN1 IBAN1 <<<"$(sed -n 's/^SENIOR //p' "$tmp/seed.out" | sed -n 1p)"
read -r SEN2 IBAN2 <<<"$(sed -n 's/^SENIOR //p' "$tmp/seed.out" | sed -n 2p)"

S=spis-ben-$$
tui_start "$S" 110 36 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

# check NAME REGEX [SECONDS]: one OK/FAIL line, the screen on failure.
check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }
login() {
	tmux_wait "$S" 'Username' 15 >/dev/null 2>&1 || return 1
	typ "$1"
	keys Enter
	tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1 || return 1
	typ pw
	keys Enter
}
# open_card ID: from home, search by national ID and open the card.
open_card() {
	keys s
	tmux_wait "$S" 'Find a person' 10 >/dev/null 2>&1
	typ "$1"
	keys Enter
	tmux_wait "$S" "> $1" 10 >/dev/null 2>&1
	keys Enter
}
# select REGEX: moves down the card's lists until a selected row matches.
select_row() {
	local i
	for i in $(seq 1 12); do
		tmux_wait "$S" "^ +$1" 1 >/dev/null 2>&1 &&
			[ "$(tmux -L "$S" display-message -p '#{cursor_y}')" = \
			"$(tmux_screen "$S" | grep -En "^ +$1" | head -n 1 | cut -d: -f1 | awk '{print $1 - 1}')" ] &&
			return 0
		keys Down
	done
	return 1
}

# --- The person card -----------------------------------------------------
login case13
check "caseworker logged in" 'case13 · caseworker · municipality 13'
open_card "$FIRST"
check "card opens" "Julija Žemaitė · $FIRST" 15
check "card: the benefit listed" 'Benefits +1 · ↑↓ Enter to open'
check "card: programme, state, amount per period, since" \
	'HEAT +active +[0-9]+\.[0-9]{2} EUR +monthly +since [0-9]{4}-[0-9]{2}-[0-9]{2}'
check "card: no bank account yet" 'Bank account +none recorded'
check "card: the decision notice" 'decision +(pending|sent|failed) +[0-9]+ tries'
check "card: bank account offered" 'b Bank account'

select_row 'HEAT +active' && t_ok "the benefit can be selected" ||
	t_fail "the benefit can be selected" "$(tmux_screen "$S")"
keys Enter
check "benefit page opens" 'Benefit [0-9]+ · HEAT · '"$FIRST" 15
check "benefit page: the amount per period" 'Amount [0-9]+\.[0-9]{2} EUR per period \(monthly\)'
check "benefit page: the history with who and why" \
	'→ active +by case13 · amount [0-9]+\.[0-9]{2} · application approved'
check "benefit page: suspend and end offered" 's Suspend · e End'
keys s
check "suspend asks why" 'Suspend the benefit: why\?'
typ 'income under review'
keys F2
check "suspended" 'The benefit was suspended\.' 15
check "state suspended" 'suspended *$'
check "history: the suspension with who and why" \
	'active → suspended +by case13 · amount [0-9.]+ · income under review'
check "resume offered" 'u Resume · e End'
keys u
check "resume asks why" 'Resume the benefit: why\?'
typ 'income confirmed'
keys F2
check "resumed" 'The benefit was resumed\.' 15
check "history: the resumption" 'suspended → active +by case13 · amount [0-9.]+ · income confirmed'
keys Escape
check "card: the benefit active again" 'HEAT +active' 15

# --- The bank account ----------------------------------------------------
keys b
check "bank account dialog" 'Record the bank account' 10
check "bank: the holder pre-filled" 'Account holder +Julija Žemaitė'
typ 'LT12 1000 0111 0100 1001'
keys Tab
check "bank: a mistyped IBAN refused as typed" 'not a valid IBAN: the check digits'
keys BTab C-u
typ 'lt12 1000 0111 0100 1000'
keys Tab
tui_wait_gone "$S" 'not a valid IBAN' 5 && t_ok "bank: the good IBAN accepted" ||
	t_fail "bank: the good IBAN accepted" "$(tmux_screen "$S")"
keys Tab
typ 'citizen brought the bank letter'
keys Enter
check "bank: recorded" 'The bank account was recorded\.' 15
check "card: the IBAN in groups of four, the holder" \
	'Bank account +LT12 1000 0111 0100 1000 · Julija Žemaitė'

# --- A notice's letter ---------------------------------------------------
select_row 'decision ' && t_ok "the notice can be selected" ||
	t_fail "the notice can be selected" "$(tmux_screen "$S")"
keys Enter
check "letter: the page" 'Letter: ' 15
check "letter: addressed to the person" 'Julija Žemaitė'
check "letter: signed by the office" 'Socialinės paramos skyrius|Social support office'
keys Escape
check "back on the card" "Julija Žemaitė · $FIRST" 10

keys Escape Escape
keys F10

# --- In Lithuanian ---------------------------------------------------------
tmux -L "$S" kill-server
S=spis-ben-lt-$$
tui_start "$S" 110 36 "$(tui_san_env "$tmp") LANGUAGE=lt $console --server $SPISD_ADDR --log $tmp/console.log"
tmux_wait "$S" 'Naudotojo vardas' 15 >/dev/null 2>&1
typ case13
keys Enter
tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
typ pw
keys Enter
tmux_wait "$S" ' s +Ieškoti asmens' 15 >/dev/null 2>&1
keys s
tmux_wait "$S" 'Rasti asmenį' 10 >/dev/null 2>&1
typ "$FIRST"
keys Enter
tmux_wait "$S" "> $FIRST" 10 >/dev/null 2>&1
keys Enter
check "lt: the card's benefits" 'Išmokos +1 · '
check "lt: the benefit's start" 'HEAT +active +[0-9.]+ EUR +monthly +nuo [0-9]{4}-'
check "lt: the bank account" 'Sąskaita +LT12 1000 0111 0100 1000 · Julija Žemaitė'
check "lt: the notices" 'Pranešimai +1 · '
keys Escape Escape
keys F10
tmux -L "$S" kill-server
S=spis-ben-$$
tui_start "$S" 110 36 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

# --- A payment run: made by a clerk, approved by a supervisor -------------
# Until the Payments service is in this tree its methods are UNIMPLEMENTED,
# and the runs have nothing to drive.
if [ ! -f rpcd/payments.c ]; then
	tui_check_san "no sanitizer reports" "$tmp"
	exit 0
fi
YEAR=$(date +%Y)
login clerk13
check "clerk: payment runs offered" ' y +Payment runs'
check "clerk: failed payments offered" ' f +Failed payments to follow up'
keys y
check "runs: none yet" 'No payment runs yet\.' 10
keys n
check "create: the dialog" 'Create a payment run' 10
keys C-u
typ VLN-WINTER
keys Tab C-u
typ "$YEAR-11"
keys BTab
check "create: a month refused for a yearly programme" 'a year as YYYY'
keys Tab C-u
typ "$YEAR"
keys F2
check "create: the run opens" "Payment run [0-9]+ · VLN-WINTER · $YEAR" 15
check "run: a draft" 'draft *$'
check "run: count and total" '2 payments · total 100\.00 EUR'
check "run: nothing left out" 'Left out: 0 without a bank account · 0 already paid'
check "run: the payments with names and grouped IBANs" \
	"Ona Senoji +$SEN1 +$(printf '%s' "$IBAN1" | sed 's/..../& /g; s/ $//') +50\.00 +pending"
RUN=$(tmux_screen "$S" | sed -n 's/.*Payment run \([0-9]*\) · VLN-WINTER.*/\1/p' | head -n 1)
scr=$(tmux_screen "$S")
printf '%s' "$scr" | grep -q 'a Approve' && t_fail "run: no approve for its clerk" "$scr" ||
	t_ok "run: no approve for its clerk"
check "run: cancel offered to the clerk" 'c Cancel'
keys Escape
check "runs: the new one listed" "> #$RUN +VLN-WINTER +$YEAR +draft +2 +100\.00 EUR +0/0/0 +clerk13" 10
keys Escape
keys F10

login super13
check "supervisor: payment runs offered" ' y +Payment runs'
keys y
check "supervisor: the clerk's draft listed" "> #$RUN +VLN-WINTER +$YEAR +draft +2 +100\.00 EUR" 10
keys Enter
check "supervisor: the run opens" "Payment run $RUN · VLN-WINTER" 15
check "supervisor: reviews the totals" '2 payments · total 100\.00 EUR'
check "supervisor: approve offered" 'a Approve'
keys a
check "approve: asks to confirm" "Approve run $RUN" 10
keys y
check "approved by the supervisor" "Run $RUN was approved\." 15
check "the run is approved" 'approved *$'
keys Escape Escape
keys F10

# --- Export, the bank's answer, follow-up ---------------------------------
login clerk13
keys y
check "clerk: the approved run" "#$RUN +VLN-WINTER +$YEAR +approved" 10
keys Enter
check "clerk: export offered" 'x Export the bank file' 15
keys x
check "export: asks where, the file name proposed" 'Write the bank file to +\./SPIS[0-9]+R'"$RUN"'\.xml' 15
keys C-u
typ "$tmp/bank.xml"
keys F2
check "export: says where it was written" "written to $tmp/bank\.xml" 15
[ -s "$tmp/bank.xml" ] && grep -q '<NbOfTxs>2</NbOfTxs>' "$tmp/bank.xml" &&
	t_ok "export: the file exists with NbOfTxs 2" ||
	t_fail "export: the file exists with NbOfTxs 2" "$(head -c 600 "$tmp/bank.xml" 2>&1)"
check "run: exported" 'exported *$'
# The bank pays the first senior and not the second.
e2e() {
	sed -n 's:.*<EndToEndId>\([^<]*\)</EndToEndId>.*:\1:p' "$tmp/bank.xml" | sed -n "$1p"
}
E1=$(e2e 1)
E2=$(e2e 2)
printf 'end_to_end_id,status,reason\n%s,paid,\n%s,failed,AC04 account closed\n' \
	"$E1" "$E2" >"$tmp/status.csv"
check "import offered" 'i Import a status report'
keys i
check "import: the dialog" "Import the bank's status report" 10
check "import: the format is told from the content unless chosen" 'Format.*auto'
typ "$tmp/status.csv"
keys Tab F2
check "import: the report's format as read" "lines read \(csv\), 0 with an error" 15
check "import: the lines one by one" "line [0-9]+ +$E1 +paid" 15
check "import: the failed line" "line [0-9]+ +$E2 +failed"
check "import: the new totals" "paid 1 \(50\.00 of 100\.00 EUR\) · failed 1 · returned 0"
keys Escape
check "run: the failed payment and why" 'Stasė Vyresnė .*failed +AC04 account closed' 15
keys Escape Escape
keys f
check "failures: the failed payment" "Stasė Vyresnė +$SEN2 +$(printf '%s' "$IBAN2" | sed 's/..../& /g; s/ $//') +50\.00 +failed +AC04 account closed" 15
keys Enter
check "failures: Enter opens the person card" "Stasė Vyresnė · $SEN2" 15
keys Escape Escape
keys F10

# --- Four eyes, and a cancel ---------------------------------------------
login boss13
keys y
check "boss: the runs" "#$RUN +VLN-WINTER" 10
keys n
tmux_wait "$S" 'Create a payment run' 10 >/dev/null 2>&1
keys C-u
typ VLN-WINTER
keys Tab C-u
typ "$YEAR"
keys F2
check "boss: a second run for the period opens" "Payment run [0-9]+ · VLN-WINTER · $YEAR" 15
check "second run: the paid senior left out" 'Left out: 0 without a bank account · 1 already paid'
check "second run: the failed payment paid again" "Stasė Vyresnė +$SEN2 .*50\.00 +pending"
RUN2=$(tmux_screen "$S" | sed -n 's/.*Payment run \([0-9]*\) · VLN-WINTER.*/\1/p' | head -n 1)
keys a
check "boss: approving their own run asks first" "Approve run $RUN2" 10
keys y
check "four eyes: the daemon's refusal shown" "four eyes: you created run $RUN2" 15
keys c
check "cancel asks why" 'Cancel the run: why\?' 10
typ 'made by mistake'
keys F2
check "cancelled" "Run $RUN2 was cancelled\." 15
check "the run is cancelled" 'cancelled *$'
keys Escape Escape
keys F10

tui_check_san "no sanitizer reports" "$tmp"
