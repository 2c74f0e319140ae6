# tests/tui/tui.bash: helpers shared by the terminal tests, sourced after
# tests/lib.sh.  (Not a *.sh file, so tests/run.sh does not run it.)

# tui_san_env DIR: extra environment for a program under test, so that a
# sanitizer build writes its reports to DIR/san.* where tui_check_san finds
# them (curses owns the terminal, so stderr would lose them).
tui_san_env() {
	printf 'ASAN_OPTIONS=%s UBSAN_OPTIONS=%s' \
		"${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$1/san" \
		"${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$1/san"
}

# tui_check_san NAME DIR: under the sanitizer build, fails when a report
# was written; counts as a check only there.
tui_check_san() {
	local f
	[ "${SPIS_SAN:-0}" = 1 ] || return 0
	f=$(ls "$2"/san.* 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then
		t_fail "$1" "$(head -n 30 "$f")"
	else
		t_ok "$1"
	fi
}

# tmux_start SOCKET COLS ROWS CMD: a detached session of its own socket,
# killed when the script ends, running CMD in a UTF-8 locale.
tmux_start() {
	T_TMUX+=("$1")
	tmux -L "$1" -f /dev/null new-session -d -x "$2" -y "$3" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $4"
}

# tui_start SOCKET COLS ROWS CMD: tmux_start with the program run by a
# shell that prints "[exit STATUS]" when it ends.  tmux 3.3a does not always
# reap a pane's program (it stays a zombie, #{pane_dead_status} empty), so
# the status is read from the screen instead.
tui_start() {
	tmux_start "$1" "$2" "$3" "$4; echo \"[exit \$?]\"; exec sleep 86400"
}

# tui_pid SOCKET: the pid of the program under test (the pane's shell's
# child), once it runs.
tui_pid() {
	local sh
	sh=$(tmux -L "$1" display-message -p '#{pane_pid}' 2>/dev/null) || return 1
	ps -o pid= --ppid "$sh" | head -n 1 | tr -d ' '
}

# tui_alive SOCKET PID: true while the program runs.
tui_alive() {
	kill -0 "$2" 2>/dev/null && ! tmux_screen "$1" | grep -q '^\[exit [0-9]*\]'
}

# tui_wait_exit SOCKET [SECONDS]: waits for the program to end and prints
# its exit status; fails on timeout.
tui_wait_exit() {
	tmux_wait "$1" '^\[exit [0-9]+\]' "${2:-10}" 2>/dev/null || return 1
	tmux_screen "$1" | sed -n 's/^\[exit \([0-9]*\)\].*/\1/p' | head -n 1
}

# tui_wait_gone SOCKET REGEX [SECONDS]: polls until the screen no longer
# matches.
tui_wait_gone() {
	local deadline=$((SECONDS + ${3:-10}))
	while tmux_screen "$1" | grep -Eq -- "$2"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "--- screen still showing /$2/ ---" >&2
			tmux_screen "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# tui_layout_ok SOCKET ROWS HEADER_RE FOOTER_RE: the screen has ROWS rows,
# the header on the first and the footer on the last.
tui_layout_ok() {
	local s
	s=$(tmux_screen "$1")
	[ "$(printf '%s\n' "$s" | wc -l)" -eq "$2" ] &&
		printf '%s\n' "$s" | head -n 1 | grep -Eq -- "$3" &&
		printf '%s\n' "$s" | tail -n 1 | grep -Eq -- "$4"
}

# tui_check_resize NAME SOCKET COLS ROWS HEADER_RE FOOTER_RE BODY_RE:
# resizes the window and checks that the program redrew at the new size.
tui_check_resize() {
	local name=$1 sock=$2 cols=$3 rows=$4
	tmux -L "$sock" resize-window -x "$cols" -y "$rows"
	if wait_for 10 tui_layout_ok "$sock" "$rows" "$5" "$6" &&
		tmux_wait "$sock" "$7" 5; then
		t_ok "$name"
	else
		t_fail "$name" "$(tmux_screen "$sock" | head -n 3; echo ...; tmux_screen "$sock" | tail -n 2)"
	fi
}

# tui_hex SOCKET: the screen's bytes in hex, for checking UTF-8 exactly.
tui_hex() {
	tmux -L "$1" capture-pane -p | od -An -tx1 | tr -d ' \n'
}
