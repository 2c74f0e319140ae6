#!/usr/bin/env bash
# spis-console's login in a real terminal, against a real PAM stack
# (pam_matrix for the password, pam_oath for a TOTP code from oathtool) in
# a temporary confdir: both prompts with the password hidden, the officer in
# the header, failures, logout, the audit screen for auditors only, and an
# expired session that returns to login and then to the screen it left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
console=$SPIS_BUILD/spis-console
secret=3132333435363738393031323334353637383930
password='hunter2-s3cret'
matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
mkdir -p "$tmp/pam.d"
: >"$tmp/passdb"
: >"$tmp/oath.users"
# One PAM user per login: pam_oath takes a code only once per user.
for u in clerk1 wrongpw ghost aud1 aud2 clerk2; do
	echo "$u:$password:spis" >>"$tmp/passdb"
	echo "HOTP/T30 $u - $secret" >>"$tmp/oath.users"
done
chmod 600 "$tmp/oath.users"
cat >"$tmp/pam.d/spis" <<PAM
auth    requisite $matrix passdb=$tmp/passdb
auth    required  pam_oath.so usersfile=$tmp/oath.users window=3
account required  $matrix passdb=$tmp/passdb
PAM

# The officers go into the database before the daemon opens it.
SPISD_DIR=$tmp
export SPISD_DIR
add() { "$SPIS_BUILD/spis-rpcd" --db "$tmp/spis.db" officer add "$@" >/dev/null; }
add clerk1 --role clerk --municipality 13 --name "Jonas Jonaitis"
add wrongpw --role clerk
add aud1 --role auditor --name "Ona Auditorė"
add aud2 --role auditor --name "Rūta Tikrintoja"
add clerk2 --role clerk

# pam_oath's own leak is suppressed for the daemon only (see login.sh).
plain_lsan=${LSAN_OPTIONS:-}
LSAN_OPTIONS="${plain_lsan:+$plain_lsan:}suppressions=$SPIS_TOP/tests/integration/pam_oath.supp" \
	spisd_start 0 --pam-confdir "$tmp/pam.d" || { t_fail "daemon starts" "see log"; exit 1; }

code() { oathtool --totp "$@" "$secret"; }

# login SOCKET USER PASSWORD [CODE]: types the username, then answers the
# password prompt and, when a code is given, the one-time code prompt.
login() {
	local s=$1
	tmux_wait "$s" 'Username' 10 >/dev/null 2>&1 || return 1
	tmux -L "$s" send-keys -l "$2"
	tmux -L "$s" send-keys Enter
	tmux_wait "$s" 'Password: ' 15 || return 1
	tmux -L "$s" send-keys -l "$3"
	tmux -L "$s" send-keys Enter
	[ $# -ge 4 ] || return 0
	tmux_wait "$s" 'One-time password' 15 || return 1
	tmux -L "$s" send-keys -l "$4"
	tmux -L "$s" send-keys Enter
}

S=spis-login-$$
tui_start "$S" 80 24 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
if tmux_wait "$S" 'Log in to SPIS' 15 && tmux_wait "$S" 'Health +SERVING' 15; then
	t_ok "start shows the login screen and the server's health"
else
	t_fail "start shows the login screen and the server's health" "$(tmux_screen "$S")"
fi
t_match "login: the footer lists its keys" 'Enter Continue +F5 Check the server now +F10 Quit' \
	"$(tmux_screen "$S" | tail -n 1)"

# Both prompts, exactly as PAM sends them; the password never on screen.
tmux -L "$S" send-keys -l clerk1
tmux -L "$S" send-keys Enter
if tmux_wait "$S" '^  Password: *$' 15; then
	t_ok "PAM's password prompt is shown as sent"
else
	t_fail "PAM's password prompt is shown as sent" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys -l "$password"
if tmux_wait "$S" '^    \*{14} *$' 5; then
	t_ok "the password is shown as stars"
else
	t_fail "the password is shown as stars" "$(tmux_screen "$S")"
fi
tmux_screen "$S" | grep -q -- "$password" &&
	t_fail "the typed password is not on the screen" "$(tmux_screen "$S")" ||
	t_ok "the typed password is not on the screen"
tmux -L "$S" send-keys Enter
if tmux_wait "$S" "One-time password \\(OATH\\) for .clerk1.: " 15; then
	t_ok "a second step brings the one-time code prompt"
else
	t_fail "a second step brings the one-time code prompt" "$(tmux_screen "$S")"
fi
tmux_screen "$S" | grep -q -- "$password" &&
	t_fail "the password is gone once sent" "$(tmux_screen "$S")" ||
	t_ok "the password is gone once sent"
c=$(code)
tmux -L "$S" send-keys -l "$c"
tmux_wait "$S" '^    \*{6} *$' 5
tmux_screen "$S" | grep -q -- "$c" &&
	t_fail "the code is hidden too" "$(tmux_screen "$S")" ||
	t_ok "the code is hidden too"
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'SPIS officer console \| Jonas Jonaitis · clerk · municipality 13' 15; then
	t_ok "logged in: the header shows name, role and municipality"
else
	t_fail "logged in: the header shows name, role and municipality" "$(tmux_screen "$S")"
fi
tmux_wait "$S" 'Version +[0-9]' 5 && t_ok "logged in: the home screen" ||
	t_fail "logged in: the home screen" "$(tmux_screen "$S")"
foot=$(tmux_screen "$S" | tail -n 1)
t_match "home footer: quit, check, log out" 'q Quit +r Check the server now +F10 Log out' "$foot"
printf '%s' "$foot" | grep -q 'Audit' &&
	t_fail "a clerk is not offered the audit trail" "$foot" ||
	t_ok "a clerk is not offered the audit trail"
tmux -L "$S" send-keys a
sleep 0.5
tmux_screen "$S" | grep -q 'Audit trail' &&
	t_fail "a clerk's a key opens nothing" "$(tmux_screen "$S")" ||
	t_ok "a clerk's a key opens nothing"
tmux -L "$S" send-keys r
tmux_wait "$S" 'Session checked: logged in as clerk1' 10 &&
	t_ok "r checks the session with the token" ||
	t_fail "r checks the session with the token" "$(tmux_screen "$S")"

# Logout: back to the login screen, nobody in the header.
tmux -L "$S" send-keys F10
if tmux_wait "$S" 'Log in to SPIS' 10 &&
	tmux_wait "$S" 'SPIS officer console \| not logged in' 5; then
	t_ok "F10 logs out and returns to login"
else
	t_fail "F10 logs out and returns to login" "$(tmux_screen "$S")"
fi

# A wrong password: the failure is shown and the screen stays on login.
login "$S" wrongpw not-the-password
if tmux_wait "$S" 'login failed: wrong username, password or one-time code' 15 &&
	tmux_wait "$S" '^  Username +wrongpw' 5; then
	t_ok "wrong password: the failure is shown, still on login"
else
	t_fail "wrong password: the failure is shown, still on login" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace

# PAM knows ghost, the registry does not.
login "$S" ghost "$password" "$(code)"
if tmux_wait "$S" 'username: ghost is not an active officer' 15; then
	t_ok "a PAM user who is no officer is told so"
else
	t_fail "a PAM user who is no officer is told so" "$(tmux_screen "$S")"
fi
t_match "and stays logged out" 'not logged in' "$(tmux_screen "$S" | head -n 1)"
tmux -L "$S" send-keys BSpace BSpace BSpace BSpace BSpace

# An auditor: the audit key, rows, pages, a filter, a field error, verify.
login "$S" aud1 "$password" "$(code)"
if tmux_wait "$S" 'Ona Auditorė · auditor · national' 15 &&
	tmux_wait "$S" 'a Audit trail' 5; then
	t_ok "auditor: national scope in the header, audit key in the footer"
else
	t_fail "auditor: national scope in the header, audit key in the footer" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys a
if tmux_wait "$S" 'Audit trail' 10 && tmux_wait "$S" 'Auth/ContinueLogin' 10; then
	t_ok "the audit screen lists rows"
else
	t_fail "the audit screen lists rows" "$(tmux_screen "$S")"
fi
t_match "audit footer lists its keys" 'Enter Search +Tab Filter +PgUp/Dn Pages +F4 Verify +Esc Back +F10 Log out' \
	"$(tmux_screen "$S" | tail -n 1)"
if tmux_wait "$S" 'Page 1, [0-9]+ rows +More: PgDn' 5; then
	tmux -L "$S" send-keys PgDn
	if tmux_wait "$S" 'Page 2, [0-9]+ rows' 10; then
		t_ok "PgDn fetches the next page"
	else
		t_fail "PgDn fetches the next page" "$(tmux_screen "$S")"
	fi
	tmux -L "$S" send-keys PgUp
	tmux_wait "$S" 'Page 1, ' 10 && t_ok "PgUp goes back a page" ||
		t_fail "PgUp goes back a page" "$(tmux_screen "$S")"
else
	t_fail "the first page says there is more" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys -l clerk1
tmux -L "$S" send-keys Enter
if tmux_wait "$S" '^  Officer +clerk1' 5 && tmux_wait "$S" 'Page 1, ' 10; then
	list=$(tmux_screen "$S" | sed -n '12,21p')
	if printf '%s\n' "$list" | grep -q clerk1 &&
		! printf '%s\n' "$list" | grep -Eq 'aud1|wrongpw|ghost'; then
		t_ok "filter by officer: only that officer's rows"
	else
		t_fail "filter by officer: only that officer's rows" "$list"
	fi
else
	t_fail "filter by officer: only that officer's rows" "$(tmux_screen "$S")"
fi
tmux -L "$S" send-keys Tab Tab Tab
tmux -L "$S" send-keys -l yesterday
tmux -L "$S" send-keys Enter
tmux_wait "$S" '^  From +yesterday +from: expected YYYY-MM-DD' 10 &&
	t_ok "the server's field error is shown next to the field" ||
	t_fail "the server's field error is shown next to the field" "$(tmux_screen "$S")"
tmux -L "$S" send-keys F4
tmux_wait "$S" 'Audit chain intact: [0-9]+ rows checked' 15 &&
	t_ok "F4 verifies the chain: intact" ||
	t_fail "F4 verifies the chain: intact" "$(tmux_screen "$S")"
tmux -L "$S" send-keys Escape
tmux_wait "$S" 'Version +[0-9]' 5 && t_ok "Esc returns home" ||
	t_fail "Esc returns home" "$(tmux_screen "$S")"
tmux -L "$S" send-keys q
tmux_wait "$S" 'Quit the SPIS console\?' 5
tmux -L "$S" send-keys y
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "q then yes exits with status 0" ||
	t_fail "q then yes exits with status 0" "status '${st:-still running}'"
tmux -L "$S" kill-server
spisd_stop

# Sessions that expire after two idle seconds, on the same database.
printf '[auth]\nsession_idle_seconds = 2\n' >"$tmp/idle.conf"
LSAN_OPTIONS="${plain_lsan:+$plain_lsan:}suppressions=$SPIS_TOP/tests/integration/pam_oath.supp" \
	spisd_start 0 --pam-confdir "$tmp/pam.d" --config "$tmp/idle.conf" ||
	{ t_fail "idle daemon starts" "see log"; exit 1; }
S=spis-login-idle-$$
tui_start "$S" 80 24 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
login "$S" aud2 "$password" "$(code)"
tmux_wait "$S" 'Rūta Tikrintoja · auditor' 15 && tmux -L "$S" send-keys a
tmux_wait "$S" 'Audit trail' 10 && tmux_wait "$S" 'Page 1, ' 10 &&
	tmux -L "$S" send-keys -l aud2
# The one sleep: the session has to outlive its idle timeout.
sleep 3
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Your session has ended' 10 && tmux_wait "$S" 'not logged in' 5; then
	t_ok "an expired session returns to login"
else
	t_fail "an expired session returns to login" "$(tmux_screen "$S")"
fi
# The code of the next 30-second step: this one was used already.
login "$S" aud2 "$password" "$(code -N 'now + 30 seconds')"
if tmux_wait "$S" 'Audit trail' 15 && tmux_wait "$S" '^  Officer +aud2' 5 &&
	tmux_wait "$S" 'Page 1, ' 10; then
	t_ok "after logging in again: back on the audit screen, filters kept"
else
	t_fail "after logging in again: back on the audit screen, filters kept" "$(tmux_screen "$S")"
fi
t_match "and logged in again" 'Rūta Tikrintoja · auditor' "$(tmux_screen "$S" | head -n 1)"
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Log in to SPIS' 10 && t_ok "F10 on the audit screen logs out" ||
	t_fail "F10 on the audit screen logs out" "$(tmux_screen "$S")"
tmux -L "$S" send-keys F10
tmux_wait "$S" 'Quit the SPIS console\?' 5
tmux -L "$S" send-keys y
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "F10 on login, then yes, exits 0" ||
	t_fail "F10 on login, then yes, exits 0" "status '${st:-still running}'"
tmux -L "$S" kill-server
spisd_stop

grep -q -- "$password" "$tmp/console.log" 2>/dev/null &&
	t_fail "the console's log never holds the password" "$(grep -- "$password" "$tmp/console.log")" ||
	t_ok "the console's log never holds the password"
tui_check_san "no sanitizer reports" "$tmp"
