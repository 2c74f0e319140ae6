#!/usr/bin/env bash
# spis-console's statistics screen: reached from home by any officer, it
# draws a bar per programme and a sparkline per row, the withheld
# programme totals as "<5" with the legend that explains them, and the
# applications table on F2.  The benefits come over RPC (console_stats.py).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }
"$SPIS_PYTHON" tests/tui/console_stats.py "$SPIS_PY" "$SPISD_ADDR" >"$tmp/seed.out" 2>&1
t_report "$tmp/seed.out"

S=spis-stats-$$
tui_start "$S" 100 30 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }

tmux_wait "$S" 'Username' 15 >/dev/null 2>&1
typ help
keys Enter
tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
typ pw
keys Enter
check "a helpdesk officer is offered the statistics" 't +Statistics' 15
keys t
check "the statistics screen opens on the beneficiaries" 'Statistics: beneficiaries by programme'
check "a shown programme has a bar and its value" 'HOT-WATER +█+[▏▎▍▌▋▊▉]? +7 '
check "a withheld programme total is shown as <5" 'RENT +<5'
check "its complement is withheld too" 'HEAT +<5'
check "each row has a sparkline of the months" 'HOT-WATER .* 7 +[▁·]*█ *$'
check "the legend explains the marks" 'Legend: .*<5: fewer than 5 people'
keys F2
check "F2 shows the applications by channel and outcome" 'applications by channel and outcome'
check "the office's approvals have a bar" 'office · approved +█+'
keys Escape
check "Esc returns home" 'SPIS server'
tmux -L "$S" kill-server 2>/dev/null
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
