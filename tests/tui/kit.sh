#!/usr/bin/env bash
# The kit's widgets in a real terminal, through the test program
# tests/tools/tui-kit.c: UTF-8 typing and editing, validation when a field
# is left, the cursor on the focused field, paged lists across resizes, and
# the confirm dialog in two languages.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

S=spis-kit-$$
d=$(t_tmpdir)
kit=$SPIS_BUILD/tests/tui-kit
export SPIS_LOCALEDIR=$SPIS_BUILD/locale
lt='Žąsinų ąčęėįšųūž'
tr='Çağrı İşöğü çğıİöşü'

cursor() {
	tmux -L "$S" display-message -p '#{cursor_x},#{cursor_y}'
}

# cursor_at X,Y: waits (up to 5 s) for the program to move the cursor
# there after keys were sent, then prints where it is.
cursor_is() {
	[ "$(cursor)" = "$1" ]
}
cursor_at() {
	wait_for 5 cursor_is "$1" || true
	cursor
}

tui_start "$S" 80 24 "$(tui_san_env "$d") SPIS_LOCALEDIR=$SPIS_LOCALEDIR $kit"
wait_for 10 tui_pid "$S"
pid=$(tui_pid "$S")
tmux_wait "$S" 'Kit form' 10 || { t_fail "kit starts" "$(tmux_screen "$S")"; exit 1; }

# The name field starts at column 14: "Name" padded to "Birth date" + 2.
t_match "cursor starts in the first field" '^14,4$' "$(cursor)"
tmux -L "$S" send-keys -l "$lt $tr"
if tmux_wait "$S" "Name +$lt $tr" 5; then
	t_ok "Lithuanian and Turkish letters are typed and shown"
else
	t_fail "Lithuanian and Turkish letters are typed and shown" "$(tmux_screen "$S")"
fi
width=$(printf '%s' "$lt $tr" | wc -m)
t_match "cursor follows the typed characters, not bytes" "^$((14 + width)),4\$" "$(cursor)"
tmux -L "$S" send-keys -l 'ą'
tmux -L "$S" send-keys BSpace BSpace
if tmux_wait "$S" "Name +$lt Çağrı İşöğü çğıİöş( |$)" 5; then
	t_ok "Backspace removes whole characters"
else
	t_fail "Backspace removes whole characters" "$(tmux_screen "$S" | sed -n 5p | od -c | head)"
fi
tmux -L "$S" send-keys -l 'ü'
tmux -L "$S" send-keys Left Left Home
t_match "Home puts the cursor at the field's start" '^14,4$' "$(cursor_at 14,4)"
tmux -L "$S" send-keys End

# Leaving a field checks it and shows the problem under it.
tmux -L "$S" send-keys Tab
tmux -L "$S" send-keys -l '1990-1'
tmux -L "$S" send-keys BTab
if tmux_wait "$S" 'Enter the date as YYYY-MM-DD\.' 5; then
	t_ok "leaving a field shows its problem"
else
	t_fail "leaving a field shows its problem" "$(tmux_screen "$S")"
fi
row=$(tmux_screen "$S" | grep -n 'Enter the date' | cut -d: -f1)
col=$(tmux_screen "$S" | grep 'Enter the date' | sed 's/Enter.*//' | wc -m)
[ "$row" = 8 ] && [ "$col" = 15 ] && t_ok "the problem sits next to its field" ||
	t_fail "the problem sits next to its field" "row $row col $col"
t_match "focus went back to the name, cursor at its end" "^$((14 + width)),4\$" "$(cursor_at "$((14 + width)),4")"
tmux -L "$S" send-keys Tab End
tmux -L "$S" send-keys -l '2-31'
tmux -L "$S" send-keys Enter
if tmux_wait "$S" 'Kit list' 5 && tmux_wait "$S" 'Page 1 of 3' 5 && tmux_wait "$S" '> Item 1 *$' 5; then
	t_ok "a valid form submits; the list shows Page 1 of 3"
else
	t_fail "a valid form submits; the list shows Page 1 of 3" "$(tmux_screen "$S")"
fi
t_match "cursor on the selected item" '^2,2$' "$(cursor)"

tmux -L "$S" send-keys PageDown
tmux_wait "$S" 'Page 2 of 3' 5 && tmux_wait "$S" '> Item 21 *$' 5 &&
	t_ok "PgDn goes to the next page" || t_fail "PgDn goes to the next page" "$(tmux_screen "$S")"
tmux -L "$S" send-keys PageDown PageDown
tmux_wait "$S" 'Page 3 of 3' 5 && tmux_wait "$S" '> Item 45 *$' 5 &&
	t_ok "PgDn stops at the last item" || t_fail "PgDn stops at the last item" "$(tmux_screen "$S")"
tmux -L "$S" send-keys PageUp
tmux_wait "$S" 'Page 2 of 3' 5 && tmux_wait "$S" '> Item 25 *$' 5 &&
	t_ok "PgUp goes back a page" || t_fail "PgUp goes back a page" "$(tmux_screen "$S")"
tui_check_resize "resize to 100x30: pages of 26" "$S" 100 30 'tui-kit' 'PgUp PgDn Page' 'Page 1 of 2'
tui_check_resize "resize to 60x20: pages of 16" "$S" 60 20 'tui-kit' 'PgUp PgDn Page' 'Page 2 of 3'
tmux_wait "$S" '> Item 25 *$' 2 && t_ok "the selection survives resizes" ||
	t_fail "the selection survives resizes" "$(tmux_screen "$S")"
tmux -L "$S" resize-window -x 80 -y 24

# Back on the form, the submitted value came out as the UTF-8 typed.
tmux -L "$S" send-keys Escape
if tmux_wait "$S" "Submitted: <$lt $tr> <1990-12-31>" 5; then
	t_ok "the field's value is the UTF-8 that was typed"
else
	t_fail "the field's value is the UTF-8 that was typed" "$(tmux_screen "$S")"
fi
! tmux_screen "$S" | grep -q 'Enter the date' && t_ok "a fixed field loses its problem" ||
	t_fail "a fixed field loses its problem" "$(tmux_screen "$S")"

# The confirm dialog: Esc asks, n keeps the program, y ends it with 0.
tmux -L "$S" send-keys Escape
tmux_wait "$S" 'Quit the kit\?' 5 && tmux_wait "$S" '\[ Yes \] +\[ No \]' 5 &&
	t_ok "confirm dialog drawn over the screen" || t_fail "confirm dialog drawn over the screen" "$(tmux_screen "$S")"
t_match "dialog focus starts on No" "^$(($(tmux_screen "$S" | grep '\[ No \]' | sed 's/\[ No \].*//' | wc -m) + 1)),[0-9]+\$" "$(cursor)"
tmux -L "$S" send-keys Right
tmux -L "$S" send-keys Enter
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "Right then Enter answers yes: exit 0" ||
	t_fail "Right then Enter answers yes: exit 0" "status '${st:-still running}'"
tmux -L "$S" kill-server

S=spis-kit-lt-$$
tui_start "$S" 80 24 "$(tui_san_env "$d") SPIS_LOCALEDIR=$SPIS_LOCALEDIR $kit lt"
tmux_wait "$S" 'Kit form' 10
tmux -L "$S" send-keys Escape
tmux_wait "$S" '\[ Taip \] +\[ Ne \]' 5 && tmux_wait "$S" 't Taip +n Ne +Enter Pasirinkti +Esc Atšaukti' 5 &&
	t_ok "dialog in Lithuanian with its own keys" || t_fail "dialog in Lithuanian with its own keys" "$(tmux_screen "$S")"
tmux -L "$S" send-keys n
tui_wait_gone "$S" 'Taip' 5 && tui_alive "$S" "$(tui_pid "$S")" &&
	t_ok "n (ne) closes the dialog" || t_fail "n (ne) closes the dialog" "$(tmux_screen "$S")"
tmux -L "$S" send-keys Escape
tmux_wait "$S" '\[ Taip \]' 5
tmux -L "$S" send-keys t
st=$(tui_wait_exit "$S" 10)
[ "$st" = 0 ] && t_ok "t (taip) answers yes" || t_fail "t (taip) answers yes" "status '${st:-still running}'"
tmux -L "$S" kill-server

S=spis-kit-small-$$
tui_start "$S" 20 6 "$(tui_san_env "$d") $kit"
tmux_wait "$S" 'The terminal is too' 10 &&
	t_ok "a terminal too small says so" || t_fail "a terminal too small says so" "$(tmux_screen "$S")"
tmux -L "$S" resize-window -x 80 -y 24
tmux_wait "$S" 'Kit form' 5 && t_ok "and draws once it is large enough" ||
	t_fail "and draws once it is large enough" "$(tmux_screen "$S")"
kill -TERM "$(tui_pid "$S")"
st=$(tui_wait_exit "$S" 10)
[ "$st" = 143 ] && t_ok "SIGTERM ends it with status 143" ||
	t_fail "SIGTERM ends it with status 143" "status '${st:-still running}'"
tmux -L "$S" kill-server

tui_check_san "no sanitizer reports" "$d"
