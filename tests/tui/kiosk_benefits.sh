#!/usr/bin/env bash
# spis-kiosk's "My benefits and payments" in a real terminal (tmux) against
# a daemon with the office's staff (spisd_office).  The fixture
# (tests/integration/mybenefits.py setup) gives the citizen heating paid
# monthly for eight months with payments in every status and a cancelled
# run, an open yearly review, hot water whose review window has closed,
# the social benefit starting later and rent ended.  Reached from "Support
# and benefits" after identifying: the list with states, amounts and the
# next payment; a benefit opened with its payments in plain words and the
# review; "I object" refused in words when the window closed meanwhile,
# then sent with a reason and a receipt, checked in the store; the review
# then shown objected; a closed window offers no objection.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

d=$(t_tmpdir)
kiosk=$SPIS_BUILD/spis-kiosk
S=spis-kiosk-ben-$$
pay_day=$(( $(date -u +%d | sed 's/^0//') % 28 + 1 ))
cat >"$d/spis.conf" <<CONF
[payments]
pay_day = $pay_day
[benefits]
objection_days = 30
renewal_poll_seconds = 3600
CONF
SPIS_OFFICERS="super:supervisor:" spisd_office --config "$d/spis.conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
db=$SPISD_DIR/spis.db
py() { "$SPIS_PYTHON" tests/integration/mybenefits.py "$SPIS_PY" "$SPISD_ADDR" "$db" "$pay_day" "$@"; }

py setup >"$d/setup" 2>&1
t_report <(grep -v '^VALUE ' "$d/setup")
val() { sed -n "s/^VALUE $1 //p" "$d/setup"; }
natid=$(val natid)
pin=$(val pin)
heat_r=$(val renewal_heat)
[ -n "$natid" ] && [ -n "$heat_r" ] && [ "$heat_r" != 0 ] ||
	{ t_fail "setup: the citizen, benefits, payments and renewals" "$(cat "$d/setup")"; exit 1; }
t_ok "setup: the citizen, benefits, payments and renewals"

month() { date -u -d "$(date -u +%Y-%m-15) $1 month" +%Y-%m; }
day() { date -u -d "$1 day" +%Y-%m-%d; }
# The next pay day on or after today (the README's rule).
if [ "$(date -u +%d | sed 's/^0//')" -le "$pay_day" ]; then
	next=$(date -u +%Y-%m)-$(printf %02d "$pay_day")
else
	next=$(month +1)-$(printf %02d "$pay_day")
fi

keys() { tmux -L "$S" send-keys "$@"; }
text() { tmux -L "$S" send-keys -l "$1"; }
screen() { tmux_screen "$S"; }
flat() { screen | tr -s ' \n' '  '; }
step() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(screen)"
	fi
}
absent() {
	if screen | grep -Eq -- "$2"; then
		t_fail "$1" "$(screen)"
	else
		t_ok "$1"
	fi
}
changed() { [ "$(screen)" != "$1" ]; }
pick() {
	local i before
	for ((i = 0; i < 20; i++)); do
		screen | grep -Eq -- "> $1" && return 0
		before=$(screen)
		keys "$2"
		wait_for 5 changed "$before" || return 1
	done
	return 1
}
# whole: every row of a scrolling page, page by page to its end.
whole() {
	local i before
	for ((i = 0; i < 30; i++)); do
		screen
		screen | grep -q 'More below' || break
		before=$(screen)
		keys PageDown
		wait_for 5 changed "$before" || break
	done
}
open_heat() { # from the list: heating opened, its page from the top
	pick 'Compensation for heating' Down
	keys Enter
	tmux_wait "$S" 'Now: Being paid' 10 2>/dev/null
}

tui_start "$S" 100 30 "$(tui_san_env "$d") $kiosk --server $SPISD_ADDR --log $d/kiosk.log --idle 600"
step "welcome offers support and benefits" 'Support and benefits' 15
keys 5
step "support and benefits: my benefits and payments" '4  My benefits and payments'
keys 4
step "identify first" 'Who are you\? Identify yourself'
keys C-u
text "$natid"
keys Enter C-u
text "$pin"
keys Enter
step "my benefits: the list" 'My benefits and payments'
step "my benefits: heating, being paid, its amount and next payment" \
	"Compensation for heating costs +Being paid +EUR 110\\.00 a month +$next"
t_match "my benefits: rent, ended, with no next payment" 'Housing support \(rent\) +Ended +EUR [0-9.]+ a month *$' \
	"$(screen | grep 'Housing support')"
t_match "my benefits: the social benefit's first payment after it starts" \
	"Social benefit +Being paid .* $(date -u -d '40 day' +%Y-%m)-$(printf %02d "$pay_day")|Social benefit +Being paid .* $(date -u -d "$(date -u -d '40 day' +%Y-%m-15) 1 month" +%Y-%m)-$(printf %02d "$pay_day")" \
	"$(screen | grep 'Social benefit')"
t_match "my benefits: four benefits, nobody else's" '^4$' "$(screen | grep -cE 'Being paid|Ended')"

open_heat
whole >"$d/heat" 2>&1
t_match "heating: the next payment" "Next payment: $next" "$(cat "$d/heat")"
t_match "heating: the review, new and old amount" \
	'From the review on: EUR 100\.00 a month \(now EUR 110\.00 a month\)' "$(tr -s ' \n' '  ' <"$d/heat")"
t_match "heating: the review's why" 'Why: eligible' "$(cat "$d/heat")"
t_match "heating: may object until the last day, press 1" \
	"object until $(day 30): press 1" "$(tr -s ' \n' '  ' <"$d/heat")"
t_match "payments: being prepared this month" "$(month +0) +EUR 110\\.00 +Being prepared" "$(cat "$d/heat")"
t_match "payments: returned, with the bank's code in words" \
	"$(month -1) +EUR 110\\.00 +Returned by the bank" "$(cat "$d/heat")"
t_match "payments: returned: why, in words" 'the bank was told the account holder has died \(the bank said "MD07"\)' \
	"$(tr -s ' \n' '  ' <"$d/heat")"
t_match "payments: not paid, with the reason in words" "$(month -2) +EUR 110\\.00 +Not paid" "$(cat "$d/heat")"
t_match "payments: not paid: why" 'the bank account is closed \(the bank said "AC04 closed account"\)' \
	"$(tr -s ' \n' '  ' <"$d/heat")"
t_match "payments: sent to the bank" "$(month -3) +EUR 110\\.00 +Sent to your bank" "$(cat "$d/heat")"
t_match "payments: paid" "$(month -4) +EUR 110\\.00 +Paid" "$(cat "$d/heat")"
if grep -q "$(month +1) " "$d/heat"; then t_fail "payments: the cancelled run's is not shown" "$(cat "$d/heat")"
else t_ok "payments: the cancelled run's is not shown"; fi
if grep -q "$(month -6) " "$d/heat"; then t_fail "payments: only the last six" "$(cat "$d/heat")"
else t_ok "payments: only the last six"; fi

# The window closes while the page is on show: the daemon refuses, the
# kiosk says so in words, and nothing is recorded.
keys F2
step "back to the list" 'Choose one with'
open_heat
until_was=$(sqlite3 "$db" "SELECT objection_until FROM renewals WHERE id = $heat_r")
sqlite3 "$db" "UPDATE renewals SET objection_until = '$(day -1)' WHERE id = $heat_r"
keys 1
step "object: the form, the reason optional" 'Reason \(if you like\)'
text "too late"
keys Enter
step "object: asks before sending" 'Send this objection now\?'
keys y
step "object after the window: refused in words" 'The objection was not recorded'
t_match "object after the window: nothing recorded" '^pending\|$' \
	"$(sqlite3 "$db" "SELECT state, reason FROM renewals WHERE id = $heat_r")"
sqlite3 "$db" "UPDATE renewals SET objection_until = '$until_was' WHERE id = $heat_r"

# Objecting within the window.
keys F2 F2
step "F2 twice: the list, read again" 'Choose one with'
open_heat
keys 1
step "object: the form again, empty" 'Reason \(if you like\)'
absent "object: the earlier text is gone" 'too late'
text "My rent went up in March"
keys Enter
step "object: asks again" 'Send this objection now\?'
keys y
step "object: the receipt" 'Your objection to the yearly review'
t_match "receipt: which benefit and the last day" \
	"\"Compensation for heating costs\" was recorded before the last day, $until_was" "$(flat)"
t_match "receipt: what happens next" 'A social worker looks at the calculation again and you get a letter' "$(flat)"
t_match "receipt: nothing changes until then" 'you keep getting EUR 110\.00 a month' "$(flat)"
py objected "$heat_r" "My rent went up in March" >"$d/objected" 2>&1
t_report "$d/objected"
keys Enter
step "receipt: Done returns to the list" 'Choose one with'
open_heat
whole >"$d/heat2" 2>&1
t_match "heating: the review now objected, with the reason" 'You objected: My rent went up in March' "$(cat "$d/heat2")"
t_match "heating: a social worker is looking at it" 'A social worker is looking at your objection' \
	"$(tr -s ' \n' '  ' <"$d/heat2")"
if grep -q 'press 1' "$d/heat2"; then t_fail "heating: no second objection offered" "$(cat "$d/heat2")"
else t_ok "heating: no second objection offered"; fi
keys 1
sleep 0.3
absent "heating: 1 does nothing now" 'Reason \(if you like\)'

keys F2
step "back to the list again" 'Choose one with'
if pick 'Compensation for hot water' Up; then t_ok "hot water: chosen"; else
	t_fail "hot water: chosen" "$(screen)"; fi
keys Enter
step "hot water: opened" 'Compensation for hot water costs'
step "hot water: its review" 'The yearly review'
t_match "hot water: the last day has passed" "The last day to object was $(day -1)" "$(flat)"
absent "hot water: no objection offered" 'press 1'
t_match "hot water: no payments yet" 'No payments yet' "$(flat)"

keys Escape
step "leaving: the welcome screen" 'Welcome to SPIS'
absent "leaving: nothing of the citizen left on screen" 'Ona|Mokėtoja|heating|EUR'
tmux -L "$S" kill-server
spisd_stop
tui_check_san "no sanitizer reports" "$d"
