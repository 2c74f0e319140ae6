#!/usr/bin/env bash
# spis-console's programme and application screens in a real terminal
# against the office fixture: an application taken at the desk from the
# person card (pre-filled form, money typed as 123.45, the reference shown
# large), the dashboard's counts, the work queue oldest first, a
# caseworker's review (start, evaluate with the clauses explained,
# approve), an override refused to a caseworker and signed by a
# supervisor, replay, appeal, the admin's rule editor (a parse error with
# its line and column, then a save and the new rule version), and the
# helpdesk's status lookup.  The applicants are registered over RPC
# (console_applications.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

LOW=48703181005  # Julija Žemaitė, little income
HIGH=38703181745 # Petras Turtingas, well off; HEAT submitted over RPC

"$SPIS_PYTHON" tests/tui/console_applications.py "$SPIS_PY" "$SPISD_ADDR" seed \
	>"$tmp/seed.out" 2>&1
t_report <(grep -v '^REF ' "$tmp/seed.out")
HEAT_REF=$(sed -n 's/^REF //p' "$tmp/seed.out")

S=spis-apps-$$
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
# pick CODE: moves down a list until CODE is selected.
pick() {
	local i
	for i in $(seq 1 20); do
		tmux_wait "$S" "> $1 " 1 >/dev/null 2>&1 && return 0
		keys Down
	done
	return 1
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

# --- Intake at the desk --------------------------------------------------
login clerk13
check "clerk: applications menu" ' w +Work queue'
check "clerk: the dashboard counts what waits" 'HEAT +submitted +1 +0 d'
open_card "$LOW"
check "card opens" "Julija Žemaitė · $LOW" 15
check "card: no applications yet" 'Applications +none'
check "card: Apply offered" 'a Apply'
keys a
check "apply: programmes to choose from" 'SOC-BEN +Social benefit' 15
pick SOC-BEN
keys Enter
check "apply: the pre-filled form" 'Apply for Social benefit \(SOC-BEN\)' 15
check "apply: the applicant from the registry" "Applicant +Julija Žemaitė · $LOW"
keys C-u
typ 12x
keys Tab
check "apply: money is checked as typed" 'an amount such as 123\.45'
keys BTab C-u
typ 50.00
keys Tab C-u
typ 0
keys F2
check "apply: asks to confirm" 'Submit the application for Social benefit'
keys y
check "apply: the receipt" 'Application submitted' 15
REF=$(tmux_screen "$S" | sed -n 's/.*Reference: \([A-Z0-9-]*\).*/\1/p' | head -n 1)
[ -n "$REF" ] && t_ok "apply: the reference is shown ($REF)" ||
	t_fail "apply: the reference is shown" "$(tmux_screen "$S")"
big=$(printf '%s' "$REF" | sed 's/./& /g; s/ $//')
check "apply: the reference large" "$big"
check "apply: no cross-check flags" 'Cross-checks: no flags'
keys Escape
check "card: lists the application" "$REF +SOC-BEN +submitted" 15
keys Escape Escape
check "dashboard: SOC-BEN counted" 'SOC-BEN +submitted +1 +0 d' 10
check "dashboard: the total" 'Total 2'
keys F10

# --- Review by a caseworker ----------------------------------------------
login case13
check "caseworker logged in" 'case13 · caseworker · municipality 13'
keys w
check "queue: lists what waits" 'Work queue' 10
check "queue: oldest first (the HEAT one)" "> $HEAT_REF +HEAT +submitted +0 d"
scr=$(tmux_screen "$S")
a=$(printf '%s\n' "$scr" | grep -n "$HEAT_REF" | cut -d: -f1)
b=$(printf '%s\n' "$scr" | grep -n "$REF" | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] &&
	t_ok "queue: the newer one below" || t_fail "queue: the newer one below" "$scr"
keys s
check "queue: filter by state" 'State: submitted' 10
keys Down Enter
check "review opens" "Application $REF · SOC-BEN" 15
check "review: the applicant" "Julija Žemaitė · $LOW"
check "review: the declared means" 'Monthly income 50\.00 · assets 0\.00'
check "review: start offered" 's Start review'
keys s
check "start review asks why" 'Start the review: why\?'
keys F2
check "review: in review" 'The review has started' 15
check "review: the transition is listed" 'submitted → in_review +case13'
keys e
check "evaluate: the rules say eligible" 'say: ELIGIBLE' 15
check "evaluate: the facts used" 'household.income_per_member +50\.00|income_per_member'
check "evaluate: a clause explained" 'household income per member'
keys Escape

# Rejecting an eligible applicant goes against the rules: refused.
keys x
check "reject against the rules: warned" 'needs a supervisor' 15
keys y
check "asked why" 'Reject .*: why\?'
typ 'I do not believe it'
keys F2
check "refused: the daemon's words" 'outcome: the rules say eligible' 15
check "refused: the reason in full" 'needs +a supervisor|needs a +supervisor|needs a supervisor' 
scr=$(tmux_screen "$S")
printf '%s' "$scr" | grep -q 'Rejected\.' && t_fail "nothing rejected" "$scr" ||
	t_ok "nothing rejected"
keys Escape

keys a
check "approve asks why" 'Approve .*: why\?' 15
typ 'income checked'
keys F2
check "approved" 'Approved\.' 15
check "review: the decision listed" 'approved by case13'
keys y
check "replay: same" 'Replay: same' 15
keys Escape
keys p
check "appeal asks why" 'Appeal the decision: why\?' 10
typ 'the applicant asks for more'
keys F2
check "appealed" 'back for review' 15
check "state appealed" 'appealed *$'
keys Escape

# The HEAT applicant is over the limit: approving is an override.
keys Up Enter
check "HEAT review opens" "Application $HEAT_REF · HEAT" 15
keys s
tmux_wait "$S" 'why\?' 5 >/dev/null 2>&1
keys F2
check "HEAT in review" 'The review has started' 15
keys a
check "approve against the rules: warned" 'not eligible.*needs a supervisor|needs a supervisor' 15
keys y
typ 'special case'
keys F2
check "caseworker's override refused" 'outcome: the rules say not eligible' 15
keys Escape Escape Escape
keys F10

login super13
check "supervisor logged in" 'super13 · supervisor · municipality 13'
keys w
check "supervisor: queue" "$HEAT_REF" 10
keys Enter
check "supervisor: HEAT review" "Application $HEAT_REF · HEAT" 15
keys a
check "supervisor: told it is an override" 'Deciding against them is an override' 15
keys y
typ 'flood damage, papers seen'
keys F2
check "supervisor's override succeeds" 'Approved\.' 15
check "the decision is marked against the rules" 'AGAINST THE RULES'
keys Escape Escape
keys F10

# --- The rule editor -----------------------------------------------------
login admin
check "admin: programmes offered" ' p +Programmes and rules'
keys p
check "programme list" 'HEAT +Compensation for heating' 10
pick HEAT
keys Enter
check "editor opens" 'Programme HEAT · version 1 · rule version 1' 10
for i in 1 2 3 4 5 6 7 8 9 10; do keys Tab; done
keys End Enter
typ 'and household.sizee > 0'
keys F4
check "check: a parse error on the second line, with its column" \
	'line 2, column [0-9]+: unknown name "household\.sizee"' 10
keys Left Left Left Left BSpace F4
check "check: good after the fix" 'Eligibility rule +✓ good' 10
keys F6
check "facts a rule may name" 'household\.income_per_member \(money\)' 10
keys Enter F2
check "save asks why" 'Save the programme: why\?' 10
typ 'only households with members'
keys F2
check "saved: a new rule version" 'Saved HEAT: version 2, rule version 2' 15
keys F7
check "versions: the new one first" '> v2 .*admin +only households with members' 10
check "versions: the seed kept" 'v1 .*system'
check "versions: the rule of two lines as saved" \
	'household\.income_per_member < 2 \* 102\.00 *$' 
check "versions: its second line" '^ +and household\.size > 0 *$'
keys Escape Escape Escape
keys F10

# --- The helpdesk --------------------------------------------------------
login help
check "helpdesk: status lookup offered" ' l +Application status lookup'
keys l
check "lookup form" 'Application status' 10
typ "$REF"
keys Tab
typ 1987-03-18
keys Enter
check "lookup: the state" 'State +in_review|State +appealed' 15
check "lookup: the municipality handling it" 'Municipality +13 Vilniaus'
check "lookup: the steps with dates" '[0-9]{4}-[0-9]{2}-[0-9]{2} +submitted'
keys Escape
keys F10
check "logout" 'Log in to SPIS'
tui_check_san "no sanitizer reports" "$tmp"
