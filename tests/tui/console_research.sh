#!/usr/bin/env bash
# spis-console's research sample screen: an analyst is offered it in the
# Monitoring group, a bad date and a range longer than the daemon allows
# are caught inline (nothing is requested), the confirmation says what the
# extract holds and that it is audited, and the file saved has the CSV
# header and as many rows as the RPC counts, with no national ID, name or
# birth date of the people seeded (console_research.py); an existing file
# is kept unless the officer says yes; a clerk who presses the key gets the
# daemon's refusal and no file.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
py() { "$SPIS_PYTHON" tests/tui/console_research.py "$SPIS_PY" "$SPISD_ADDR" "$@"; }
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }
py seed "$tmp/identifiers" >"$tmp/seed.out" 2>&1
t_report "$tmp/seed.out"
mkdir -p "$tmp/out"
today=$(date -u +%F)
from=$(date -u -d '30 days ago' +%F)

S=spis-research-$$
tui_start "$S" 100 30 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
absent() {
	if tmux_screen "$S" | grep -Eq -- "$2"; then
		t_fail "$1" "$(tmux_screen "$S")"
	else
		t_ok "$1"
	fi
}
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }
login() {
	tmux_wait "$S" 'Username' 15 >/dev/null 2>&1
	typ "$1"
	keys Enter
	tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1
	typ pw
	keys Enter
}
# field VALUE: replaces the focused field's value.
field() {
	keys C-u
	typ "$1"
}
audited() { py audited "$SPISD_DIR/spis.db" "$1" "$2"; }

login analyst
check "an analyst is offered the research sample" 'x +Research sample \(anonymised extract\)' 15
keys x
check "the screen opens with what an extract holds" 'No national IDs, names,'
check "the file name follows the dates by default" "Saves to: $PWD/research-[0-9]{4}-[0-9]{2}-[0-9]{2}-$today\.csv"

# Inline checks: a date that does not exist, then a range too long.
field 2024-02-30
keys Tab
check "a date that does not exist is caught as it is left" 'From date .*a date as YYYY-MM-DD'
keys BTab
field 2015-01-01
keys Tab
check "a range over 5 years is caught, naming the limit" 'To date .*at most 5 years after the from date \(2020-01-01'
keys F2
sleep 0.5
absent "with a problem left, F2 asks nothing" 'Request the research sample for'
n=$(audited 2015-01-01 "$today")
[ "$n" = 0 ] && t_ok "nothing was requested with a bad range" ||
	t_fail "nothing was requested with a bad range" "audited: $n"

# A good range: the proposed name follows, the officer gives a file.
keys BTab
field "$from"
keys Tab Tab
check "the proposed file name follows the new dates" "Saves to: $PWD/research-$from-$today\.csv"
field "$tmp/out/sample.csv"
keys F2
check "the confirmation says there are no IDs or names" 'No IDs, no names, no exact dates; ages in 5-year bands'
check "the confirmation says the request is audited" 'audited under your name'
keys y
check "the result page says how many rows were written" 'Rows written: [0-9]+' 15
shown=$(tmux_screen "$S" | sed -n 's/.*Rows written: \([0-9]*\).*/\1/p' | head -n 1)
check "the result page names the file and shows its header" "key,sex,age_band,municipality"
absent "the row counts agree on the page" 'The daemon counted'

f=$tmp/out/sample.csv
if [ -f "$f" ]; then t_ok "the sample file exists"; else t_fail "the sample file exists" "$(ls -la "$tmp/out")"; fi
hdr=$(head -n 1 "$f" 2>/dev/null | tr -d '\r')
[ "$hdr" = "key,sex,age_band,municipality,household_size,benefits,applied,monthly_amount" ] &&
	t_ok "the file starts with the CSV header" || t_fail "the file starts with the CSV header" "$hdr"
rows=$(($(wc -l <"$f" 2>/dev/null || echo 0) - 1))
want=$(py count "$from" "$today")
if [ "$rows" = "$want" ] && [ "$rows" -ge 8 ] && [ "$rows" = "$shown" ]; then
	t_ok "its rows are the RPC's count, as the page said"
else
	t_fail "its rows are the RPC's count, as the page said" "file $rows, rpc $want, page $shown"
fi
# The search below must be able to find what it looks for: 32 words, and
# one of them found once put in a copy.
{ cp "$f" "$tmp/planted"; sed -n 1p "$tmp/identifiers" >>"$tmp/planted"; } 2>/dev/null
if [ "$(wc -l <"$tmp/identifiers")" = 32 ] && grep -F -q -f "$tmp/identifiers" "$tmp/planted"; then
	t_ok "the search for identifiers finds one planted in a copy"
else
	t_fail "the search for identifiers finds one planted in a copy" "$(wc -l <"$tmp/identifiers") words"
fi
if grep -F -q -f "$tmp/identifiers" "$f"; then
	t_fail "no national ID, name or birth date of the seeded people in it" "$(grep -F -o -f "$tmp/identifiers" "$f" | head -n 3)"
else
	t_ok "no national ID, name or birth date of the seeded people in it"
fi
[ "$(ls "$tmp/out")" = sample.csv ] && t_ok "no temporary file is left beside it" ||
	t_fail "no temporary file is left beside it" "$(ls "$tmp/out")"
[ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] && t_ok "the file is readable by its owner alone" ||
	t_fail "the file is readable by its owner alone" "$(stat -c %a "$f" 2>/dev/null)"
n=$(audited "$from" "$today")
[ "$n" = 1 ] && t_ok "the request was audited with the range and count" ||
	t_fail "the request was audited with the range and count" "audited: $n"

# An existing file is kept unless the officer says yes.
keys Escape
check "Esc returns to the form" 'Save to file'
echo "keep me" >"$tmp/out/keep.csv"
field "$tmp/out/keep.csv"
keys F2
check "asked first what the extract is" 'Request the research sample for'
keys y
check "then whether to replace the file that exists" 'keep\.csv already exists'
keys n
check "a no keeps the file and says so" 'exists and was kept'
[ "$(cat "$tmp/out/keep.csv")" = "keep me" ] && t_ok "the existing file is unchanged" ||
	t_fail "the existing file is unchanged" "$(head -c 200 "$tmp/out/keep.csv")"
n=$(audited "$from" "$today")
[ "$n" = 1 ] && t_ok "nothing was requested after the no" || t_fail "nothing was requested after the no" "audited: $n"
keys F2
tmux_wait "$S" 'Request the research sample for' 10 >/dev/null 2>&1
keys y
tmux_wait "$S" 'already exists' 10 >/dev/null 2>&1
keys y
check "a yes replaces it" 'Rows written: [0-9]+' 15
[ "$(head -n 1 "$tmp/out/keep.csv" | cut -c1-4)" = "key," ] && t_ok "the replaced file holds the sample" ||
	t_fail "the replaced file holds the sample" "$(head -c 200 "$tmp/out/keep.csv")"
keys Escape
check "back on the form" 'Save to file'

# A clerk is not offered it, and the daemon refuses the key.
keys F10
login clerk13
check "a clerk reaches home" 'Registry' 15
absent "a clerk is not offered the research sample" 'Research sample'
keys x
check "the key opens the screen, which warns the clerk" 'for the analyst role; the server will refuse'
keys Tab Tab
field "$tmp/out/clerk.csv"
keys F2
tmux_wait "$S" 'Request the research sample for' 10 >/dev/null 2>&1
keys y
check "the daemon's refusal is shown" 'Refused: .*your roles \(clerk\) do not include the research'
[ ! -e "$tmp/out/clerk.csv" ] && t_ok "no file is written for the clerk" || t_fail "no file is written for the clerk" "$(ls "$tmp/out")"
keys Escape
check "Esc returns home" 'SPIS server'
tui_check_san "no sanitizer report" "$tmp"
tmux -L "$S" kill-server 2>/dev/null
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
