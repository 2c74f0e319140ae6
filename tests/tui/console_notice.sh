#!/usr/bin/env bash
# spis-console's login when PAM says something with the session itself (a
# pam_echo line in the account stack, as a "your password expires in 3
# days" would come): the officer sees it as a notice, then Enter goes on to
# the home screen.  A stack without such a message goes straight in.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
console=$SPIS_BUILD/spis-console
matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
echo_so=$(ls /lib/*/security/pam_echo.so /usr/lib/*/security/pam_echo.so 2>/dev/null | head -n 1)
if [ -z "$echo_so" ]; then
	t_fail "pam_echo.so installed" "libpam-modules provides it"
	exit 0
fi
mkdir -p "$tmp/pam.d"
printf 'clerk1:pw:spis\nclerk2:pw:spis\n' >"$tmp/passdb"
# Two services: "spis" says something on success, "quiet" does not.
cat >"$tmp/pam.d/spis" <<PAM
auth    required $matrix passdb=$tmp/passdb
account required $matrix passdb=$tmp/passdb
account optional $echo_so Your password expires in 3 days.
PAM

SPISD_DIR=$tmp
export SPISD_DIR
"$SPIS_BUILD/spis-rpcd" --db "$tmp/spis.db" officer add clerk1 --role clerk \
	--municipality 13 --name "Jonas Jonaitis" >/dev/null 2>&1
spisd_start 0 --pam-confdir "$tmp/pam.d" || { t_fail "daemon starts" "see log"; exit 1; }

S=spis-notice-$$
tui_start "$S" 80 24 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
tmux_wait "$S" 'Username' 15 >/dev/null 2>&1
tmux -L "$S" send-keys -l clerk1
tmux -L "$S" send-keys Enter
tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
tmux -L "$S" send-keys -l pw
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Your password expires in 3 days\.' 15 &&
	tmux_wait "$S" 'Press Enter to continue' 5; then
	t_ok "PAM's message with the session is shown before the main screen"
else
	t_fail "PAM's message with the session is shown before the main screen" "$(tmux_screen "$S")"
fi
t_match "the notice comes once logged in: the header names the officer" \
	'SPIS officer console \| Jonas Jonaitis · clerk · municipality 13' "$(tmux_screen "$S" | head -n 1)"
tmux_screen "$S" | grep -q 'Search for a person' &&
	t_fail "the home screen waits for the notice" "$(tmux_screen "$S")" ||
	t_ok "the home screen waits for the notice"
t_match "the notice's footer: Enter to continue" 'Enter Continue +F10 Quit' "$(tmux_screen "$S" | tail -n 1)"
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Search for a person' 10; then
	t_ok "Enter dismisses the notice for the home screen"
else
	t_fail "Enter dismisses the notice for the home screen" "$(tmux_screen "$S")"
fi
tmux_screen "$S" | grep -q 'expires in 3 days' &&
	t_fail "the notice is gone" "$(tmux_screen "$S")" || t_ok "the notice is gone"

# Without a message, login goes straight to the home screen.
sed -i '/pam_echo/d' "$tmp/pam.d/spis"
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Log in to SPIS' 10 >/dev/null 2>&1
tmux -L "$S" send-keys -l clerk1
tmux -L "$S" send-keys Enter
tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
tmux -L "$S" send-keys -l pw
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Search for a person' 15; then
	t_ok "with no message, login goes straight to the home screen"
else
	t_fail "with no message, login goes straight to the home screen" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Log in to SPIS' 10 >/dev/null 2>&1
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Quit the SPIS console\?' 5 >/dev/null 2>&1
tmux -L "$S" send-keys y
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "the console exits 0" || t_fail "the console exits 0" "status '${st:-still running}'"
tmux -L "$S" kill-server
spisd_stop
tui_check_san "no sanitizer reports" "$tmp"
