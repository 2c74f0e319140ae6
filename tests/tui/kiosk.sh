#!/usr/bin/env bash
# spis-kiosk in a real terminal (tmux): the welcome screen, the language
# switch, keys and signals that must do nothing, resizes, the daemon going
# away and coming back, and the idle wipe.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

S=spis-kiosk-$$
d=$(t_tmpdir)
kiosk=$SPIS_BUILD/spis-kiosk
header='SPIS self-service kiosk \| not logged in'
footer='↑ ↓ Choose a language +Enter Confirm'
english='> \(•\) English'

out=$("$kiosk" --idle soon 2>&1)
rc=$?
[ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
	printf '%s' "$out" | grep -q -- '--idle' &&
	t_ok "bad flag value: one line naming it, exit 2" ||
	t_fail "bad flag value: one line naming it, exit 2" "rc=$rc: $out"
out=$("$kiosk" --quit 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q -- '--quit' &&
	t_ok "unknown flag: exit 2 naming it" ||
	t_fail "unknown flag: exit 2 naming it" "rc=$rc: $out"
out=$("$kiosk" --cert "$d/none.pem" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q -- '--cert and --key go together' &&
	t_ok "a certificate without its key is refused" ||
	t_fail "a certificate without its key is refused" "rc=$rc: $out"
out=$("$kiosk" --tls-cert "$d/none.pem" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q -- '--key' &&
	t_ok "the old name --tls-cert still works" ||
	t_fail "the old name --tls-cert still works" "rc=$rc: $out"
out=$("$kiosk" --help)
printf '%s' "$out" | grep -q -- '--ca FILE' && printf '%s' "$out" | grep -q -- '--cert FILE' &&
	printf '%s' "$out" | grep -q -- '--tls-ca, --tls-cert, --tls-key' &&
	t_ok "--help names --ca, --cert, --key and the old names" ||
	t_fail "--help names --ca, --cert, --key and the old names" "$out"
t_match "--version prints the version" "^spis-kiosk $(cat VERSION)\$" "$("$kiosk" --version)"

spisd_start || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

tui_start "$S" 80 24 "$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --log $d/kiosk.log"
wait_for 10 tui_pid "$S"
pid=$(tui_pid "$S")
if tmux_wait "$S" 'Welcome to SPIS, the social support information system\.' 15 &&
	tmux_wait "$S" "$english" 5 && tmux_wait "$S" '\( \) Lietuvių' 5 &&
	tmux_wait "$S" 'The SPIS server is available\.' 10; then
	t_ok "welcome shows the language choice and the server's state"
else
	t_fail "welcome shows the language choice and the server's state" "$(tmux_screen "$S")"
fi
t_match "welcome explains the idle wipe" 'for 2 minutes, the screen is cleared' "$(tmux_screen "$S")"
wait_for 5 tui_layout_ok "$S" 24 "$header.*connected" "$footer" &&
	t_ok "header on the first row, footer with the keys on the last" ||
	t_fail "header on the first row, footer with the keys on the last" "$(tmux_screen "$S")"

# Lithuanian, checked byte by byte: ę is c4 99, į c4 af, ė c4 97, – e2 80 93.
tmux -L "$S" send-keys Down Enter
if tmux_wait "$S" 'Sveiki atvykę į SPIS – socialinės paramos informacinę sistemą\.' 5 &&
	tmux_wait "$S" '> \(•\) Lietuvių' 5; then
	t_ok "choosing Lietuvių shows the welcome in Lithuanian"
else
	t_fail "choosing Lietuvių shows the welcome in Lithuanian" "$(tmux_screen "$S")"
fi
hex=$(tui_hex "$S")
want=$(printf '%s' 'Sveiki atvykę į SPIS – socialinės' | od -An -tx1 | tr -d ' \n')
case $hex in
*c499*c4af*e28093*c497*) [[ $hex == *"$want"* ]] && t_ok "Lithuanian diacritics reach the terminal as UTF-8" ||
	t_fail "Lithuanian diacritics reach the terminal as UTF-8" "bytes of the sentence not found" ;;
*) t_fail "Lithuanian diacritics reach the terminal as UTF-8" "no c4 99 / c4 af / e2 80 93 / c4 97 in the screen" ;;
esac
t_match "header and footer switch language too" 'SPIS savitarnos terminalas \| neprisijungta.*ryšys veikia' "$(tmux_screen "$S" | head -n 1)"
t_match "footer in Lithuanian" 'Pasirinkti kalbą +Enter Patvirtinti' "$(tmux_screen "$S" | tail -n 1)"
tmux -L "$S" send-keys Up Enter
tmux_wait "$S" 'Welcome to SPIS' 5 && tmux_wait "$S" "$english" 5 &&
	t_ok "choosing English switches back" ||
	t_fail "choosing English switches back" "$(tmux_screen "$S")"

# ^C, ^Z and ^\ do nothing.  Each is followed by Down and Up: once the
# selection has been seen to move and come back, the control key has been
# read, and the screen must be what it was.
check_key_ignored() {
	local name=$1 key=$2 before after
	tmux_wait "$S" "$english" 5
	before=$(tmux_screen "$S")
	tmux -L "$S" send-keys "$key" Down
	tmux_wait "$S" '> \( \) Lietuvių' 5
	tmux -L "$S" send-keys Up
	tmux_wait "$S" "$english" 5
	after=$(tmux_screen "$S")
	if tui_alive "$S" "$pid" && [ "$before" = "$after" ]; then
		t_ok "$name"
	else
		t_fail "$name" "alive=$(tui_alive "$S" "$pid" && echo yes || echo no); screen: $after"
	fi
}
check_key_ignored "^C ignored: still running, screen unchanged" C-c
check_key_ignored "^Z ignored: still running, screen unchanged" C-z
check_key_ignored "^\\ ignored: still running, screen unchanged" 'C-\'
check_key_ignored "q does not quit" q
check_key_ignored "Esc does not quit" Escape

# The same signals sent from elsewhere do nothing either.
kill -INT "$pid"; kill -QUIT "$pid"; kill -TSTP "$pid"
tmux -L "$S" send-keys Down
tmux_wait "$S" '> \( \) Lietuvių' 5
state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
tui_alive "$S" "$pid" && [ "$state" != T ] &&
	t_ok "SIGINT, SIGQUIT and SIGTSTP ignored" ||
	t_fail "SIGINT, SIGQUIT and SIGTSTP ignored" "state=$state"
tmux -L "$S" send-keys Up
tmux_wait "$S" "$english" 5

tui_check_resize "resize to 100x30 redraws" "$S" 100 30 "$header.*connected" "$footer" "$english"
tui_check_resize "resize to 60x20 redraws" "$S" 60 20 "$header" "$footer" "$english"
tui_check_resize "resize back to 80x24 redraws" "$S" 80 24 "$header.*connected" "$footer" "$english"

# The daemon goes away and comes back on the same port.
spisd_stop
if tmux_wait "$S" "Cannot reach the SPIS server at $SPISD_ADDR\\. Retrying…" 15; then
	t_ok "daemon stopped: 'Cannot reach' message"
else
	t_fail "daemon stopped: 'Cannot reach' message" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys Down Enter
tmux_wait "$S" 'Nepavyksta pasiekti SPIS serverio' 5 &&
	t_ok "the language can still be chosen while the server is away" ||
	t_fail "the language can still be chosen while the server is away" "$(tmux_screen "$S")"
tmux -L "$S" send-keys Up Enter
spisd_start "$SPISD_PORT" || { t_fail "daemon restarts on its port" "see $SPISD_LOG"; exit 1; }
if tmux_wait "$S" 'The SPIS server is available\.' 15 && tui_wait_gone "$S" 'Cannot reach' 5; then
	t_ok "daemon back: the kiosk carries on"
else
	t_fail "daemon back: the kiosk carries on" "$(tmux_screen "$S")"
fi
[ -n "$pid" ] && [ "$(tui_pid "$S")" = "$pid" ] && tui_alive "$S" "$pid" &&
	t_ok "daemon back: same kiosk process, no restart" ||
	t_fail "daemon back: same kiosk process, no restart" "pid $pid, now $(tui_pid "$S")"

# The service manager stops it with SIGTERM: a clean exit.
kill -TERM "$pid"
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "SIGTERM: clean exit with status 0" ||
	t_fail "SIGTERM: clean exit with status 0" "status '${st:-still running}'"
tmux -L "$S" kill-server

# Left idle, the kiosk wipes itself back to the English welcome.
S=spis-kiosk-idle-$$
tui_start "$S" 80 24 "$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --idle 2"
tmux_wait "$S" 'for 2 seconds, the screen is cleared' 15 &&
	t_ok "--idle is explained on the welcome screen" ||
	t_fail "--idle is explained on the welcome screen" "$(tmux_screen "$S")"
tmux -L "$S" send-keys Down Enter
tmux_wait "$S" 'Sveiki atvykę' 5 && tmux_wait "$S" 'per 2 sekundes nepaspaudžiamas' 5 &&
	t_ok "idle: Lithuanian plural form for 2 seconds" ||
	t_fail "idle: Lithuanian plural form for 2 seconds" "$(tmux_screen "$S")"
started=$SECONDS
if tmux_wait "$S" 'Welcome to SPIS' 10 && tmux_wait "$S" "$english" 2 &&
	! tmux_screen "$S" | grep -q 'Sveiki'; then
	t_ok "idle: back to the English welcome, the choice wiped"
else
	t_fail "idle: back to the English welcome, the choice wiped" "$(tmux_screen "$S")"
fi
[ $((SECONDS - started)) -ge 1 ] && t_ok "idle: not wiped before the idle time" ||
	t_fail "idle: not wiped before the idle time" "after $((SECONDS - started)) s"
# A hang-up (the tty going away) ends it cleanly as well.
kill -HUP "$(tui_pid "$S")"
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "SIGHUP: clean exit with status 0" ||
	t_fail "SIGHUP: clean exit with status 0" "status '${st:-still running}'"
tmux -L "$S" kill-server

tui_check_san "no sanitizer reports" "$d"
