#!/usr/bin/env bash
# spis-console's registry screens in a real terminal against the office
# fixture (spisd_office, password-only officers): the menu by role, the
# register form with its inline check-digit error and the birth date and
# sex a valid code fills in, a search by surname prefix typed without
# diacritics, the card, an edit with a reason seen in the history, a new
# household, and a duplicate pair reviewed when the daemon has that service.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

S=spis-registry-$$
tui_start "$S" 100 30 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

# check NAME REGEX [SECONDS]: one OK/FAIL line, the screen on failure.
check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }

# login USER: the fixture's password-only stack.
login() {
	tmux_wait "$S" 'Username' 15 >/dev/null 2>&1 || return 1
	typ "$1"
	keys Enter
	tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1 || return 1
	typ pw
	keys Enter
}

# Menu entries follow the roles: the helpdesk searches, and only that.
login help
check "helpdesk logged in" 'SPIS officer console \| help · helpdesk · national'
check "helpdesk: search is offered" ' s +Search for a person'
scr=$(tmux_screen "$S")
if printf '%s' "$scr" | grep -Eq 'Register a person|Review likely duplicates'; then
	t_fail "helpdesk: no register or duplicate review" "$scr"
else
	t_ok "helpdesk: no register or duplicate review"
fi
# n is not the helpdesk's; the r after it shows that both keys were read.
keys n r
tmux_wait "$S" 'Session checked: logged in as help' 10 >/dev/null 2>&1
tmux_screen "$S" | grep -Eq 'Register a person|Session checked' &&
	! tmux_screen "$S" | grep -q 'Register a person' &&
	t_ok "helpdesk: n opens nothing" ||
	t_fail "helpdesk: n opens nothing" "$(tmux_screen "$S")"
keys F10

login clerk13
check "clerk logged in" 'clerk13 · clerk · municipality 13'
check "clerk: register and duplicate review offered" ' d +Review likely duplicates'

# Register: a wrong check digit is named as it is typed, before sending.
keys n
check "n opens the register form" 'Register a person'
typ 48703181006
check "inline: a wrong check digit is named before sending" \
	'National ID .*the check digit should be 5, not 6'
keys BSpace
typ 5
tmux_wait "$S" 'Birth date +1987-03-18' 5 >/dev/null 2>&1
scr=$(tmux_screen "$S")
if printf '%s' "$scr" | grep -q 'check digit' ||
	! printf '%s' "$scr" | grep -Eq 'Birth date +1987-03-18' ||
	! printf '%s' "$scr" | grep -Eq 'Sex +F'; then
	t_fail "a valid code clears the error and fills birth date and sex" "$scr"
else
	t_ok "a valid code clears the error and fills birth date and sex"
fi
keys Tab
typ Julija
keys Tab
typ 'Žemaitė'
keys Tab Tab Tab
typ 'Gedimino pr. 1, Vilnius'
keys Tab
typ 13
keys Tab
check "municipality code shows its name" 'Vilniaus'
keys F2
check "registered: the card opens" 'Julija Žemaitė · 48703181005' 15
check "card: the purpose read for is shown" 'purpose intake'
check "card: address and municipality" 'Gedimino pr\. 1, Vilnius · 13'

# Registering the same code again: the daemon's refusal, verbatim.
keys Escape
check "back home" ' n +Register a person'
keys n
check "register form again" 'Register a person'
typ 48703181005
keys Tab
typ Julija
keys Tab
typ 'Žemaitė'
keys Tab Tab Tab Tab
typ 13
keys F2
check "a refused registration shows the daemon's words at the field" \
	'national_id: .*(already|registered|exists)' 15
keys Escape

# Search: surname prefix without diacritics, with the birth year.
keys s
check "s opens the search" 'Find a person'
keys Tab
typ zem
keys Tab
typ 1987
keys Enter
check "search 'zem' + 1987 finds Žemaitė" '48703181005 +Žemaitė, Julija +1987-03-18 +13' 15
keys Enter
check "Enter opens the card" 'Julija Žemaitė · 48703181005' 15
check "card: purpose from the search" 'purpose case_work'

# Edit the address with a reason; the history shows it.
keys e
check "e opens the edit dialog" 'Change the record'
keys Tab Tab C-u
typ 'Laisvės al. 5, Kaunas'
for i in 1 2 3 4 5 6 7; do keys Tab; done
typ 'moved, told at the desk'
keys F2
check "edit: the card shows the new address" 'Laisvės al\. 5, Kaunas · 13' 15
check "edit: the change is confirmed" 'The record was changed'
keys h
check "history lists the address change, old → new" \
	'clerk13 +address +Gedimino pr\. 1, Vilnius → Laisvės al\. 5, Kaunas' 15
check "history: the selected change's reason in full" \
	'Reason: moved, told at the desk'
keys Escape

# Household: none yet; create one headed by her.
keys o
check "household screen: none yet" '48703181005 is in no household'
keys n
check "create-household dialog, prefilled" 'Head \(national ID\) +48703181005'
for i in 1 2 3 4; do keys Tab; done
typ 'lives alone'
keys F2
check "household created with her as head" 'head +48703181005 +Julija Žemaitė' 15
keys Escape
check "card: household shown" 'Household +[^ ]+ · .* · 1 members' 15

# Duplicates: a second record with the same name and birth date.
keys Escape Escape
check "home again" ' d +Review likely duplicates'
keys d
tmux_wait "$S" 'Duplicate review: open' 10 >/dev/null 2>&1
if tmux_wait "$S" 'not available on this server' 3 >/dev/null 2>&1; then
	t_fail "duplicates: the service answers" "$(tmux_screen "$S")"
	keys Escape
else
	keys Escape
	keys n
	check "register a likely duplicate" 'Register a person'
	typ 48703181016
	keys Tab
	typ Julija
	keys Tab
	typ 'Žemaitė'
	keys Tab Tab Tab Tab
	typ 13
	keys F2
	check "registration names the likely duplicate" \
		'Possible duplicate of 48703181005' 15
	keys Enter Escape
	keys d
	check "the pair is on the review list" '48703181005|48703181016' 10
	keys x
	check "distinct asks for confirmation" 'two distinct'
	keys y
	check "then for a reason" 'Why\?'
	typ 'different mothers, checked papers'
	keys F2
	check "the pair is marked distinct" 'marked as distinct' 15
fi

keys F10
check "logout returns to login" 'Log in to SPIS'
tui_check_san "no sanitizer reports" "$tmp"
