#!/usr/bin/env bash
# spis-console's benefits and payments against the office fixture: the
# person card lists a person's benefits, bank account and notices; a
# benefit's page shows its history and suspends and resumes it; a bank
# account with a mistyped IBAN is refused as it is typed, then a good one
# is recorded; a notice's letter is shown.  The payment runs: a clerk makes
# one, a supervisor approves it, the clerk exports the bank file and
# imports the bank's CSV with one payment failed, which the failures list
# then shows.  The people and their approved applications come over RPC
# (console_benefits.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

FIRST=48703181005  # Julija Žemaitė: no bank account yet
SECOND=38703181745 # Petras Turtingas: has one

"$SPIS_PYTHON" tests/tui/console_benefits.py "$SPIS_PY" "$SPISD_ADDR" seed \
	>"$tmp/seed.out" 2>&1
t_report "$tmp/seed.out"

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

tui_check_san "no sanitizer reports" "$tmp"
