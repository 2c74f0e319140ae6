#!/usr/bin/env bash
# spis-console's microsimulation in a real terminal: an analyst picks a
# programme, sees its current rule in the editor, runs a candidate with a
# syntax error (the position shown beside the rule), fixes it, runs it,
# watches it finish and reads the table, whose figures are the daemon's.
# A clerk is not offered the screen.  The registry is set up over RPC.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }
db=$SPISD_DIR/spis.db

"$SPIS_PYTHON" - "$SPIS_PY" "$SPISD_ADDR" >"$tmp/setup" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, "tests")
import grpc, spisclient as spis
from spis.v1 import applications_pb2 as ap, programmes_pb2 as pp, registry_pb2 as pb
c = spis.Client(sys.argv[2])
tok = c.login("clerk13")
def call(svc, m, req):
    r, code, msg = c.call(svc, m, req, token=tok)
    if code != grpc.StatusCode.OK:
        print("FAIL setup: %s -- %s %s" % (m, code, msg))
        sys.exit(1)
    return r
ids = []
for i, (birth, sex) in enumerate([("1970-01-01", "F"), ("1972-02-02", "M"), ("2012-03-03", "F"),
                                  ("1980-04-04", "M"), ("1990-05-05", "F")]):
    nid = spis.lt_code(sex, birth, 700 + i)
    call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
        request_id=spis.rid(), person=pb.Person(national_id=nid, given_names="Simas", surname="Bandomasis",
                                                birth_date=birth, sex=sex, municipality="13")))
    ids.append(nid)
h = call("Households", "CreateHousehold", pb.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=ids[0], address="Gatvė 1", municipality="13",
    from_date="2020-01-01", reason="setup")).id
for nid in ids[1:3]:
    call("Households", "AddMember", pb.AddMemberRequest(
        request_id=spis.rid(), household_id=h, national_id=nid, relationship="other_relative",
        from_date="2020-01-01", reason="setup"))
for nid, inc in ((ids[0], 50000), (ids[3], 15000), (ids[4], 30000)):
    call("Applications", "Submit", ap.SubmitRequest(
        request_id=spis.rid(), programme="HEAT", national_id=nid,
        declared=ap.Declared(monthly_income=inc, confirmed=True)))
progs = call("Programmes", "ListProgrammes", pp.ListProgrammesRequest(include_closed=True))
print("VALUE heat %d" % [p.code for p in progs.programmes].index("HEAT"))
print("OK setup: a household and two single people over RPC")
PY
t_report <(grep -v '^VALUE ' "$tmp/setup")
heat=$(sed -n 's/^VALUE heat //p' "$tmp/setup")
[ -n "$heat" ] || { t_fail "setup runs" "$(cat "$tmp/setup")"; exit 1; }

S_=spis-sim-$$
check() {
	if tmux_wait "$S_" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S_")"
	fi
}
keys() { tmux -L "$S_" send-keys "$@"; }
typ() { tmux -L "$S_" send-keys -l "$1"; }
login() {
	tmux_wait "$S_" 'Username' 15 >/dev/null 2>&1
	typ "$1"
	keys Enter
	tmux_wait "$S_" 'Password: ' 15 >/dev/null 2>&1
	typ pw
	keys Enter
}

# A clerk is not offered the microsimulation.
tui_start "$S_" 110 32 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
login clerk13
check "clerk13 logged in" 'clerk13 · clerk' 15
if tmux_screen "$S_" | grep -q 'Microsimulation'; then
	t_fail "a clerk's menu has no microsimulation" "$(tmux_screen "$S_")"
else
	t_ok "a clerk's menu has no microsimulation"
fi
keys m
sleep 0.5
if tmux_screen "$S_" | grep -q 'choose a programme'; then
	t_fail "m does nothing for a clerk" "$(tmux_screen "$S_")"
else
	t_ok "m does nothing for a clerk"
fi
keys F10
tmux -L "$S_" kill-server
# The analyst's console on a socket of its own: the clerk's tmux server
# may still be going away, and a new session on its socket would go
# with it.
S_=spis-sim-analyst-$$

tui_start "$S_" 110 32 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
login analyst
check "analyst logged in" 'analyst · analyst' 15
check "the menu offers the microsimulation" 'm +Microsimulation of a rule'
keys m
check "the programmes to choose from" 'Microsimulation: choose a programme' 15
check "HEAT is listed" 'HEAT'
for _ in $(seq "$heat"); do keys Down; done
keys Enter
check "the editor names the programme and its rule version" 'Microsimulation of HEAT · now rule version 1' 15
check "the candidate starts as the current rule" 'household\.income_per_member < 2 \* 102\.00'

# A syntax error: the daemon's position beside the rule.
keys End
typ ' and'
keys F5
check "a syntax error is shown with its line and column" '✗ line 1, column [0-9]+' 15
t_match "nothing was queued for it" '^0$' "$(sqlite3 "$db" "SELECT count(*) FROM simulation_jobs")"

keys BSpace BSpace BSpace BSpace
typ ' and household.size >= 2'
keys F5
check "the run screen" 'Simulation [0-9]+' 15
check "the run finishes" 'State: done · 5 of 5 people \(100%\)' 30
check "the table: totals first" 'All municipalities +3 ' 15
row=$(sqlite3 -separator ' ' "$db" "SELECT units, gain, lose, keep_eligible, keep_ineligible FROM simulation_results WHERE municipality = '13'")
set -- $row
check "the municipality's row carries the daemon's counts" "Vilniaus miesto savivaldybė +$1 +$2 +$3 +$4 +$5 "
check "the cost line" 'Cost per monthly: now [0-9.]+, candidate [0-9.]+, difference [-+]?[0-9.]+ EUR'
t_match "the candidate run is the one typed" 'household.size >= 2' \
	"$(sqlite3 "$db" "SELECT eligibility FROM simulation_jobs ORDER BY id DESC LIMIT 1")"

keys Escape
check "Esc goes back to the rules" 'Candidate eligibility rule'
keys Escape Escape
check "and home" 'm +Microsimulation of a rule'
keys F10
tmux -L "$S_" kill-server
tui_check_san "no sanitizer reports" "$tmp"
