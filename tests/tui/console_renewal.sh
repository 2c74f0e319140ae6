#!/usr/bin/env bash
# spis-console's yearly renewal against the office fixture: a clerk, whose
# roles do not include renewal.run, is not offered the renewal and is told
# plainly when they ask for it anyway; a supervisor starts a job as of
# today (with a confirm) and watches it finish without touching a key,
# with the counts of what it found, and sees it in the recent jobs; a
# citizen's objection (recorded over RPC) appears on a caseworker's list,
# opens with the person, both amounts, the informative calculation and the
# citizen's reason, and is resolved with a reason and a confirm, after
# which the list is empty and the RPC shows the renewal settled.  The
# people and their due benefits come over RPC (console_renewal.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

py() {
	"$SPIS_PYTHON" tests/tui/console_renewal.py "$SPIS_PY" "$SPISD_ADDR" \
		"$SPISD_DIR/spis.db" "$@"
}
py seed >"$tmp/seed.out" 2>&1
t_report <(grep -v '^PERSON ' "$tmp/seed.out")
SECOND=$(sed -n 's/^PERSON //p' "$tmp/seed.out" | sed -n 2p)
TODAY=$(date +%Y-%m-%d)

S=spis-ren-$$
tui_start "$S" 110 36 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

# check NAME REGEX [SECONDS]: one OK/FAIL line, the screen on failure.
check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
# absent NAME REGEX: the screen does not show REGEX.
absent() {
	local scr
	scr=$(tmux_screen "$S")
	if printf '%s' "$scr" | grep -Eq -- "$2"; then
		t_fail "$1" "$scr"
	else
		t_ok "$1"
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

# --- A clerk may not -------------------------------------------------------
login clerk13
check "clerk logged in" 'clerk13 · clerk · municipality 13' 15
check "clerk: the menu is drawn" ' y +Payment runs'
absent "clerk: the renewal not offered" 'Yearly renewal'
absent "clerk: the objections not offered" 'Objections to renewals'
keys e
check "clerk: asking anyway is refused plainly" \
	'Not allowed: your roles do not let you start or follow renewal jobs\.' 15
check "clerk: with the daemon's own words" 'do not include the renewal\.run'
keys Escape
keys F10

# --- A supervisor starts a job and watches it ------------------------------
login super13
check "supervisor: the renewal offered" ' e +Yearly renewal of benefits' 15
check "supervisor: the objections offered" ' o +Objections to renewals'
keys e
check "renewal: no job yet" 'No renewal job has been started yet\.' 15
keys n
check "start: the dialog, today proposed" "Benefits due by +$TODAY" 10
keys F2
check "start: asks to confirm" "Start the yearly renewal as of $TODAY\?" 10
keys y
check "start: the job started, the benefits due counted" \
	"Renewal job [0-9]+ was started as of $TODAY: 3 benefits due\." 15
JOB=$(tmux_screen "$S" | sed -n 's/.*Renewal job \([0-9]*\) was started.*/\1/p' | head -n 1)
# No key from here on: the screen follows the job by itself.
check "progress: followed to the end without a key" 'Handled 3 of 3 +\[#+\] +100%' 20
check "progress: the job is done" "Job $JOB · benefits due by $TODAY +done"
check "progress: eligible, changed, not eligible, failed" \
	'Eligible 2 · amount changed 1 · not eligible 1 · could not be computed 0'
check "progress: every renewal in its objection window" \
	'in the objection window 3 · objected 0 · renewed 0 · kept 0 · ended 0'
check "recent jobs: the job listed with its counts" \
	"> #$JOB +$TODAY +done +3/3 +2 +1 +1 +0 +super13"
py job >"$tmp/job.out" 2>&1
t_report "$tmp/job.out"
keys n
tmux_wait "$S" 'Benefits due by' 10 >/dev/null 2>&1
keys C-u
typ "$TODAY"
keys F2
tmux_wait "$S" 'Start the yearly renewal' 10 >/dev/null 2>&1
keys Escape
check "start: answering no starts nothing" "> #$JOB +$TODAY +done" 10
absent "start: no second job" "#$((JOB + 1)) "
keys Escape
keys F10

# --- An objection, resolved by a caseworker --------------------------------
py object >"$tmp/object.out" 2>&1
t_report <(grep -v '^RENEWAL ' "$tmp/object.out")
REN=$(sed -n 's/^RENEWAL //p' "$tmp/object.out")
login case13
check "caseworker: the objections offered" ' o +Objections to renewals' 15
absent "caseworker: the renewal job not offered" 'Yearly renewal'
keys o
check "objections: the citizen's objection listed" \
	"> #$REN +$SECOND +HEAT +110\.00 → 100\.00 +13 +my income fell again in spring" 15
keys Enter
check "objection: the page" "Objection to renewal $REN · HEAT · $SECOND +objected" 15
check "objection: the person" "Person: Birutė Mažesnė · $SECOND · municipality 13"
check "objection: both amounts" 'Amount: 110\.00 EUR now, 100\.00 EUR after the renewal'
check "objection: the citizen's reason" "The citizen's reason"
check "objection: the reason's text" '^ +my income fell again in spring'
check "objection: the calculation, clause by clause" 'The informative calculation'
check "objection: the calculation's amount" '^ +amount EUR 100\.00'
check "objection: resolve offered" 'd Resolve: renew, keep or end'
keys d
check "resolve: the dialog" 'Resolve the objection' 10
keys C-u
typ keep
keys Tab
typ 'payslips show the old income'
keys F2
check "resolve: asks to confirm what it does" \
	"Resolve the objection to renewal $REN: renew the benefit with the old amount, 110\.00 EUR\?" 10
keys y
check "resolve: back on the list, told the outcome" \
	"The objection to renewal $REN was resolved: kept\." 15
check "resolve: the list read again, empty" 'No objection is awaiting a caseworker\.'
py resolved "$REN" >"$tmp/resolved.out" 2>&1
t_report "$tmp/resolved.out"
keys Escape
keys F10

# --- In Lithuanian ---------------------------------------------------------
tmux -L "$S" kill-server
S=spis-ren-lt-$$
tui_start "$S" 110 36 "$(tui_san_env "$tmp") LANGUAGE=lt $console --server $SPISD_ADDR --log $tmp/console.log"
tmux_wait "$S" 'Naudotojo vardas' 15 >/dev/null 2>&1
typ super13
keys Enter
tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
typ pw
keys Enter
check "lt: the renewal in the menu" ' e +Metinis išmokų pratęsimas' 15
keys e
check "lt: the job's counts" 'Tinkami 2 · suma pakito 1 · nebetinkami 1' 15
keys Escape
keys F10

tui_check_san "no sanitizer reports" "$tmp"
