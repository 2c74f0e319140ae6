#!/usr/bin/env bash
# spis-console in a real terminal (tmux): start, resize, the daemon going
# away and coming back, quitting, flags and the Lithuanian catalogue.  The
# console starts on its login screen, which shows the server's state as the
# home screen does; logging in is in console_login.sh.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

S=spis-console-$$
d=$(t_tmpdir)
version=$(cat VERSION)
console=$SPIS_BUILD/spis-console
header='SPIS officer console \| not logged in'
footer='Enter Continue +F5 Check the server now +F10 Quit'

# Flags first: no terminal or daemon needed.
out=$("$console" --bogus 2>&1)
rc=$?
[ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
	printf '%s' "$out" | grep -q -- '--bogus' &&
	t_ok "bad flag: one line naming it, exit 2" ||
	t_fail "bad flag: one line naming it, exit 2" "rc=$rc: $out"
out=$("$console" --server 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q -- '--server' &&
	t_ok "flag without its value: exit 2 naming it" ||
	t_fail "flag without its value: exit 2 naming it" "rc=$rc: $out"
t_match "--version prints the version" "^spis-console $version\$" "$("$console" --version)"
t_match "--help lists the flags" '--server ADDR.*' "$("$console" --help)"
t_match "--help names --ca and the old --tls-ca" '--ca FILE .*--tls-ca is the same' "$("$console" --help)"
# --ca and --tls-ca both reach the TLS set-up, which reads the file.
for f in ca tls-ca; do
	out=$("$console" --server 127.0.0.1:1 --$f "$d/none.pem" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q 'none.pem' &&
		t_ok "--$f is read as the CA file" ||
		t_fail "--$f is read as the CA file" "rc=$rc: $out"
done
printf '[tls]\nca = %s\n' "$d/none.pem" >"$d/ca.conf"
out=$("$console" --server 127.0.0.1:1 --config "$d/ca.conf" 2>&1)
[ $? -eq 1 ] && printf '%s' "$out" | grep -q 'none.pem' &&
	t_ok "config key ca is accepted" || t_fail "config key ca is accepted" "$out"
printf '[server]\nserver = 127.0.0.1:1\nbogus = 1\n' >"$d/bad.conf"
out=$("$console" --config "$d/bad.conf" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q 'bad.conf line 3: unknown key bogus' &&
	t_ok "config with an unknown key: exit 2 naming file, line and key" ||
	t_fail "config with an unknown key: exit 2 naming file, line and key" "rc=$rc: $out"
out=$("$console" --config "$d/missing.conf" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q 'missing.conf' &&
	t_ok "unreadable config: non-zero exit naming it" ||
	t_fail "unreadable config: non-zero exit naming it" "rc=$rc: $out"
out=$("$console" --config "$d" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
	printf '%s' "$out" | grep -q "not a regular file" &&
	t_ok "a folder as config: one line, exit 2" ||
	t_fail "a folder as config: one line, exit 2" "rc=$rc: $out"

spisd_start || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

# The server's address comes from a config file; the flag would override.
printf '[server]\nserver = %s\n' "$SPISD_ADDR" >"$d/console.conf"
tui_start "$S" 80 24 "$(tui_san_env "$d") $console --config $d/console.conf --log $d/console.log"
wait_for 10 tui_pid "$S"
pid=$(tui_pid "$S")
if tmux_wait "$S" 'Health +SERVING' 15 && tmux_wait "$S" "Version +$version" 5; then
	t_ok "start shows the daemon's version and SERVING"
else
	t_fail "start shows the daemon's version and SERVING" "$(tmux_screen "$S")"
fi
t_match "header names program, officer, server and link" \
	"$header +server $SPISD_ADDR \\| connected" "$(tmux_screen "$S" | head -n 1)"
wait_for 5 tui_layout_ok "$S" 24 "$header" "$footer" &&
	t_ok "footer lists the keys on the last row" ||
	t_fail "footer lists the keys on the last row" "$(tmux_screen "$S" | tail -n 2)"

tui_check_resize "resize to 100x30 redraws" "$S" 100 30 "$header.*connected" "$footer" 'Health +SERVING'
tui_check_resize "resize to 60x20 redraws" "$S" 60 20 "$header" "$footer" 'Health +SERVING'
tui_check_resize "resize back to 80x24 redraws" "$S" 80 24 "$header.*connected" "$footer" 'Health +SERVING'

# The daemon goes away: the console says so and keeps trying.
spisd_stop
if tmux_wait "$S" "Cannot reach the SPIS server at $SPISD_ADDR\\. Retrying…" 15; then
	t_ok "daemon stopped: 'Cannot reach' message"
else
	t_fail "daemon stopped: 'Cannot reach' message" "$(tmux_screen "$S")"
fi
t_match "daemon stopped: header says no connection" 'no connection' "$(tmux_screen "$S" | head -n 1)"
t_match "daemon stopped: the last error is shown" 'Last error: [A-Z_]+' "$(tmux_screen "$S")"
# A login tried meanwhile says why it cannot go on, and stays on login.
tmux -L "$S" send-keys -l officer1
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Cannot reach the SPIS server: ' 15 && tmux_wait "$S" '^  Username +officer1' 5; then
	t_ok "daemon stopped: a login says the server cannot be reached"
else
	t_fail "daemon stopped: a login says the server cannot be reached" "$(tmux_screen "$S")"
fi

# It comes back on the same port: the same console process carries on.
spisd_start "$SPISD_PORT" || { t_fail "daemon restarts on its port" "see $SPISD_LOG"; exit 1; }
if tmux_wait "$S" 'Health +SERVING' 15 && tmux_wait "$S" "Version +$version" 5 &&
	tui_wait_gone "$S" 'Cannot reach' 5; then
	t_ok "daemon back: version and SERVING shown again"
else
	t_fail "daemon back: version and SERVING shown again" "$(tmux_screen "$S")"
fi
[ -n "$pid" ] && [ "$(tui_pid "$S")" = "$pid" ] && tui_alive "$S" "$pid" &&
	t_ok "daemon back: same console process, no restart" ||
	t_fail "daemon back: same console process, no restart" "pid $pid, now $(tui_pid "$S")"

# Quitting asks first; "no" keeps the console, "yes" leaves with status 0.
# On the login screen letters are typed into the username, so F10 quits.
tmux -L "$S" send-keys F10
if tmux_wait "$S" 'Quit the SPIS console\?' 5 && tmux_wait "$S" '\[ Yes \] +\[ No \]' 5; then
	t_ok "F10 asks for confirmation"
else
	t_fail "F10 asks for confirmation" "$(tmux_screen "$S")"
fi
t_match "the dialog's keys are in the footer" 'y Yes +n No +Enter Choose +Esc Cancel' "$(tmux_screen "$S" | tail -n 1)"
tmux -L "$S" send-keys n
if tui_wait_gone "$S" 'Quit the SPIS console' 5 && tui_alive "$S" "$pid" &&
	tmux_wait "$S" "$footer" 5; then
	t_ok "answering no keeps the console running"
else
	t_fail "answering no keeps the console running" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Quit the SPIS console\?' 5
tmux -L "$S" send-keys y
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "F10 then yes exits with status 0" ||
	t_fail "F10 then yes exits with status 0" "status '${st:-still running}'"
# Curses has ended: the shell's line is on the ordinary screen, alone.
t_match "the terminal is given back" '^\[exit 0\]$' "$(tmux_screen "$S" | grep -v '^$')"
tmux -L "$S" kill-server

# Messages follow the officer's language.
S=spis-console-lt-$$
tui_start "$S" 80 24 "$(tui_san_env "$d") LANGUAGE=lt $console --server $SPISD_ADDR"
if tmux_wait "$S" 'Būklė +SERVING' 15 && tmux_wait "$S" 'SPIS darbuotojo konsolė \| neprisijungta' 5 &&
	tmux_wait "$S" 'F10 Išeiti' 5; then
	t_ok "LANGUAGE=lt shows the Lithuanian catalogue"
else
	t_fail "LANGUAGE=lt shows the Lithuanian catalogue" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Išeiti iš SPIS konsolės\?' 5
tmux -L "$S" send-keys t
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "Lithuanian confirm answers to t (taip)" ||
	t_fail "Lithuanian confirm answers to t (taip)" "status '${st:-still running}': $(tmux_screen "$S")"
tmux -L "$S" kill-server

# SIGTERM ends it cleanly too (128 + 15, terminal restored).
S=spis-console-term-$$
tui_start "$S" 80 24 "$(tui_san_env "$d") $console --server $SPISD_ADDR"
tmux_wait "$S" 'Health +SERVING' 15
kill -TERM "$(tui_pid "$S")"
st=$(tui_wait_exit "$S" 10)
[ "$st" = 143 ] && t_ok "SIGTERM ends it with status 143" ||
	t_fail "SIGTERM ends it with status 143" "status '${st:-still running}'"
tmux -L "$S" kill-server

tui_check_san "no sanitizer reports" "$d"
