#!/usr/bin/env bash
# The clients under valgrind: spis-console and spis-kiosk each run a short
# scenario in tmux under memcheck (--leak-check=full, definite leaks count
# as errors), and valgrind's log must report no errors and no definite
# leaks.  Console: log in, find a person, open the card, open a benefit,
# log out, quit.  Kiosk: identify with a PIN, my applications, my benefits
# and payments, finish, stopped with SIGTERM as its service would.  The
# one-time allocations of libraries that are not ours (ncurses, gRPC, libc)
# are suppressed in tests/tui/valgrind.supp, each with why.
#
# Skipped under SPIS_SAN=1: a sanitizer build maps its shadow memory in a
# way valgrind cannot run, and it checks the same things itself.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

if [ "${SPIS_SAN:-0}" = 1 ]; then
	# The one check here: that the clients skipped are the sanitizer's.
	for p in spis-console spis-kiosk; do
		ldd "$SPIS_BUILD/$p" | grep -q libasan &&
			t_ok "$p: skipped under SPIS_SAN=1, its sanitizers check it instead" ||
			t_fail "$p: skipped under SPIS_SAN=1, its sanitizers check it instead" \
				"$SPIS_BUILD/$p is not linked with libasan"
	done
	exit 0
fi
if ! command -v valgrind >/dev/null; then
	t_fail "valgrind is installed" "apt-get install valgrind"
	exit 0
fi

d=$(t_tmpdir)
supp=$(pwd)/tests/tui/valgrind.supp
vg="valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=40 --suppressions=$supp"
SPIS_OFFICERS="super:supervisor:" spisd_office ||
	{ t_fail "daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/mybenefits.py "$SPIS_PY" "$SPISD_ADDR" "$SPISD_DIR/spis.db" 1 setup \
	>"$d/setup" 2>&1
t_report <(grep -v '^VALUE ' "$d/setup")
natid=$(sed -n 's/^VALUE natid //p' "$d/setup")
pin=$(sed -n 's/^VALUE pin //p' "$d/setup")
[ -n "$natid" ] && [ -n "$pin" ] ||
	{ t_fail "the citizen with benefits and a PIN" "$(tail -n 5 "$d/setup")"; exit 1; }

S=
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }
# Valgrind runs the clients some tens of times slower: generous waits.
# After a step fails the rest of that client's scenario is not waited for.
lost=
step() {
	if [ -n "$lost" ]; then
		t_fail "$1" "not reached: $lost failed"
	elif tmux_wait "$S" "$2" "${3:-30}" 2>/dev/null; then
		t_ok "$1"
	else
		lost=$1
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
# verdict NAME LOG STATUS: valgrind's exit status and its summary lines.
verdict() {
	local name=$1 log=$2 st=$3 errs defl
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
	# For the record: valgrind's own summary of the heap at exit.
	grep -E 'in use at exit|definitely lost:|indirectly lost:|possibly lost:|still reachable:|suppressed:|All heap' \
		"$log" | sed "s/^==[0-9]*==/# $name:/"
	defl=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
	[ -n "$errs" ] && t_ok "$name: valgrind ran to its summary" ||
		t_fail "$name: valgrind ran to its summary" "$(tail -n 5 "$log")"
	[ "$errs" = 0 ] && t_ok "$name: no memory errors" ||
		t_fail "$name: no memory errors" "$errs: $(grep -A12 -m3 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and)' "$log" | head -n 40)"
	[ -z "$defl" ] || [ "$defl" = 0 ] && t_ok "$name: no definite leaks" ||
		t_fail "$name: no definite leaks" "$defl bytes: $(grep -A16 -m3 'definitely lost in' "$log" | head -n 50)"
	[ "$st" = 0 ] && t_ok "$name: exits 0 under valgrind" ||
		t_fail "$name: exits 0 under valgrind" "status '${st:-still running}'"
}

# --- The console ------------------------------------------------------------
S=spis-vg-console-$$
tui_start "$S" 110 36 "$vg --log-file=$d/console.vg $SPIS_BUILD/spis-console --server $SPISD_ADDR --log $d/console.log"
step "console: the login screen with the server's state" 'Health +SERVING' 120
typ case13
step "console: the username typed" 'Username +case13'
keys Enter
step "console: asks the password" 'Password: '
typ pw
keys Enter
step "console: logged in" 'case13 · caseworker · municipality 13'
keys s
step "console: find a person" 'Find a person'
typ "$natid"
keys Enter
step "console: the person found" "> $natid"
keys Enter
step "console: the card" "Ona Mokėtoja · $natid"
step "console: the card lists the benefits" 'Benefits +[0-9]+ · ↑↓ Enter to open'
# Down the card's lists until the selected row (the cursor's) is the benefit.
selected() {
	[ "$(tmux -L "$S" display-message -p '#{cursor_y}')" = \
		"$(tmux_screen "$S" | grep -En "^ +$1" | head -n 1 | cut -d: -f1 | awk '{print $1 - 1}')" ]
}
for i in $(seq 1 15); do
	[ -z "$lost" ] || break
	wait_for 5 selected 'HEAT +active' && break
	keys Down
done
[ -z "$lost" ] && selected 'HEAT +active' && t_ok "console: the benefit selected" ||
	t_fail "console: the benefit selected" "$(tmux_screen "$S")"
keys Enter
step "console: a benefit's page" 'Benefit [0-9]+ · HEAT · '"$natid"
keys Escape
step "console: back on the card" "Ona Mokėtoja · $natid"
keys Escape
keys F10
step "console: logged out" 'Log in to SPIS'
keys F10
step "console: asks before quitting" 'Quit the SPIS console\?'
keys y
st=$(tui_wait_exit "$S" 120)
verdict console "$d/console.vg" "$st"
tmux -L "$S" kill-server

# --- The kiosk --------------------------------------------------------------
S=spis-vg-kiosk-$$
lost=
tui_start "$S" 100 30 "$vg --log-file=$d/kiosk.vg $SPIS_BUILD/spis-kiosk --server $SPISD_ADDR --log $d/kiosk.log --idle 600"
step "kiosk: the welcome screen" 'Support and benefits' 120
wait_for 30 tui_pid "$S"
pid=$(tui_pid "$S")
keys 5
step "kiosk: support and benefits" '4  My benefits and payments'
keys 4
step "kiosk: identify first" 'Who are you\? Identify yourself'
keys C-u
typ "$natid"
keys Enter C-u
typ "$pin"
keys Enter
# Under valgrind, in this scenario, the first Identify or two sometimes end
# UNAVAILABLE or DEADLINE_EXCEEDED ("Cannot reach the SPIS server") and a
# retry goes through; why is not known yet (not seen without valgrind).
# The PIN is typed again, as a citizen would; each retry is noted.
for i in 1 2 3 4; do
	tmux_wait "$S" 'My benefits and payments|Cannot reach the SPIS server' 60 >/dev/null 2>&1
	tmux_screen "$S" | grep -q 'Cannot reach the SPIS server' || break
	echo "# kiosk: identifying answered \"Cannot reach the SPIS server\" (try $i)"
	sleep 2
	keys C-u
	typ "$pin"
	keys Enter
	tui_wait_gone "$S" 'Cannot reach the SPIS server' 30 2>/dev/null
done
step "kiosk: my benefits" 'Compensation for heating|My benefits and payments'
step "kiosk: heating listed" 'Compensation for heating'
keys Enter
step "kiosk: a benefit opened" 'Now: '
keys F2
step "kiosk: back to the list" 'Compensation for heating'
keys F2
step "kiosk: the citizen's menu" 'Hello, Ona\.'
keys 4
step "kiosk: my applications" 'Choose one with'
keys Enter
step "kiosk: an application opened" 'Application [A-Z0-9-]+'
keys F2
step "kiosk: back to the applications" 'Choose one with'
keys F2
step "kiosk: the menu once more" 'Hello, Ona\.'
keys 6
step "kiosk: finished, the welcome screen" 'Welcome to SPIS'
kill -TERM "$pid"
st=$(tui_wait_exit "$S" 120)
verdict kiosk "$d/kiosk.vg" "$st"
tmux -L "$S" kill-server
spisd_stop
