#!/usr/bin/env bash
# spis-console's changes at the desk in a real terminal, against the office
# fixture: a person's card read as it stood on a past date and back to now,
# a consent recorded, a kiosk PIN issued and shown once, a household's
# head changed, a member removed and another moved to a second household,
# and a death recorded.  The people and households are set up over RPC;
# each change made on screen is checked in the database too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }
db=$SPISD_DIR/spis.db

# Setup: the Tėvas household (head H, spouse S, child K) and another headed
# by O; H's registration backdated to 2020 and his address changed since.
"$SPIS_PYTHON" - "$SPIS_PY" "$SPISD_ADDR" "$db" >"$tmp/setup" 2>&1 <<'PY'
import sqlite3, sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, "tests")
import grpc, spisclient as spis
from spis.v1 import registry_pb2 as pb
c = spis.Client(sys.argv[2])
db = sqlite3.connect(sys.argv[3], isolation_level=None, timeout=30)
tok = c.login("clerk13")
def lt(p7, serial):
    s = p7 + "%03d" % serial
    x = [int(ch) for ch in s]
    for w in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1], [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]):
        k = sum(a * b for a, b in zip(x, w)) % 11
        if k != 10:
            return s + str(k)
    return s + "0"
def call(svc, m, req):
    r, code, msg = c.call(svc, m, req, token=tok)
    if code != grpc.StatusCode.OK:
        print("FAIL setup: %s -- %s %s" % (m, code, msg))
        sys.exit(1)
    return r
people = {"H": (lt("3600101", 401), "Jonas", "Tėvas", "1960-01-01", "M"),
          "S": (lt("4620202", 402), "Rima", "Tėvienė", "1962-02-02", "F"),
          "K": (lt("5100303", 403), "Tomas", "Tėvas", "2010-03-03", "M"),
          "O": (lt("3650404", 404), "Algis", "Kitas", "1965-04-04", "M")}
for key, (nid, g, s, b, sex) in people.items():
    call("Registry", "RegisterPerson", pb.RegisterPersonRequest(
        request_id=spis.rid(), person=pb.Person(national_id=nid, given_names=g, surname=s,
                                                birth_date=b, sex=sex, municipality="13",
                                                address="Senoji g. 1"), reason="setup"))
    db.execute("UPDATE people SET created_at = '2020-01-01T10:00:00Z' WHERE national_id = ?", (nid,))
    db.execute("UPDATE person_history SET at = '2020-01-01T10:00:00Z' WHERE national_id = ?", (nid,))
    print("VALUE %s %s" % (key, nid))
H, S, K, O = (people[k][0] for k in "HSKO")
call("Registry", "UpdatePerson", pb.UpdatePersonRequest(
    request_id=spis.rid(), national_id=H, person=pb.Person(address="Naujoji g. 2"),
    fields=["address"], reason="moved"))
h1 = call("Households", "CreateHousehold", pb.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=H, address="Naujoji g. 2", municipality="13",
    from_date="2020-01-01", reason="setup")).id
for nid, rel in ((S, "spouse"), (K, "child")):
    call("Households", "AddMember", pb.AddMemberRequest(
        request_id=spis.rid(), household_id=h1, national_id=nid, relationship=rel,
        from_date="2020-01-01", reason="setup"))
h2 = call("Households", "CreateHousehold", pb.CreateHouseholdRequest(
    request_id=spis.rid(), head_national_id=O, address="Kita g. 3", municipality="13",
    from_date="2020-01-01", reason="setup")).id
print("VALUE h1 %s" % h1)
print("VALUE h2 %s" % h2)
print("OK setup: two households over RPC")
PY
t_report <(grep -v '^VALUE ' "$tmp/setup")
val() { sed -n "s/^VALUE $1 //p" "$tmp/setup"; }
H=$(val H) S=$(val S) K=$(val K) O=$(val O) h1=$(val h1) h2=$(val h2)
[ -n "$h2" ] || { t_fail "setup runs" "$(cat "$tmp/setup")"; exit 1; }
today=$(date -u +%F)

S_=spis-household-$$
tui_start "$S_" 100 32 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"
check() {
	if tmux_wait "$S_" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S_")"
	fi
}
keys() { tmux -L "$S_" send-keys "$@"; }
typ() { tmux -L "$S_" send-keys -l "$1"; }
screen() { tmux_screen "$S_"; }

tmux_wait "$S_" 'Username' 15 >/dev/null 2>&1
typ clerk13
keys Enter
tmux_wait "$S_" 'Password: ' 15 >/dev/null 2>&1
typ pw
keys Enter
check "clerk13 logged in" 'clerk13 · clerk · municipality 13' 15

# The card, by national ID.
keys s
check "search" 'Find a person'
typ "$H"
keys Enter
check "found by national ID" "$H +Tėvas, Jonas" 15
keys Enter
check "the card" "Jonas Tėvas · $H" 15
check "card: the address now" 'Naujoji g\. 2 · 13'

# As of a past date, and back to now.
keys t
check "as-of: the date is asked" 'The record as it stood on a date'
typ 2024-01-01
keys F2
check "as-of: the card as it stood" 'As it stood on 2024-01-01' 15
check "as-of: the address then" 'Senoji g\. 1 · 13'
keys t
check "as-of: asked again" 'The record as it stood on a date'
keys F2
check "as-of: empty is now again" 'Now · purpose case_work' 15
check "as-of: the address now again" 'Naujoji g\. 2 · 13'

# A consent.
keys c
check "consent: the dialog" 'Record a consent decision'
keys Tab Tab
typ 'asked at the desk'
keys F2
check "consent: recorded" 'The consent was recorded\.' 15
check "consent: on the card" 'Consents +employment given \(office' 15
t_match "consent: stored with its note and officer" '^employment\|1\|office\|clerk13\|asked at the desk$' \
	"$(sqlite3 "$db" "SELECT purpose, given, channel, recorded_by, note FROM consents WHERE national_id = '$H'")"

# A kiosk PIN.
keys p
check "PIN: asked first" "Issue a new kiosk PIN for Jonas Tėvas \($H\)\?"
keys y
check "PIN: shown once" "PIN for $H: [0-9]{6}" 15
keys Enter
check "PIN: the card says active" 'PIN active' 15
t_match "PIN: stored as an argon2id hash" '^\$argon2id\$' \
	"$(sqlite3 "$db" "SELECT hash FROM citizen_pins WHERE national_id = '$H'")"

# The household: change the head, remove a member, move another.
keys o
check "household: the members" "Household $h1" 15
check "household: head first" "head +$H"
keys Down
check "household: the spouse selected" "> *spouse +$S"
keys h
check "change head: the dialog, the new head filled in" "New head \(national ID\) +$S"
keys Tab Tab Tab
typ 'she runs the household now'
keys F2
check "change head: done" 'The head was changed\.' 15
check "change head: the new head first" "head +$S" 15
t_match "change head: stored" "^$S\|head$" \
	"$(sqlite3 "$db" "SELECT national_id, relationship FROM memberships WHERE household_id = $h1 AND to_date = '' AND relationship = 'head'")"
t_match "change head: the old head is now the spouse" "^spouse$" \
	"$(sqlite3 "$db" "SELECT relationship FROM memberships WHERE household_id = $h1 AND to_date = '' AND national_id = '$H'")"

# The list is head first, then the others: select the child.
keys Home
for i in 1 2 3 4 5; do
	screen | grep -Eq "> *child +$K" && break
	keys Down
	sleep 0.2
done
check "remove: the child selected" "> *child +$K"
keys x
check "remove: the dialog" "Remove a member"
t_match "remove: the member filled in" "Member \(national ID\) +$K" "$(screen)"
t_match "remove: the date starts at today" "Leaves on +$today" "$(screen)"
keys Tab Tab Tab
typ 'moved out to study'
keys F2
check "remove: done" 'The member was removed\.' 15
check "remove: listed as a former member" "child +$K .*\(former\)" 15
t_match "remove: the membership ended today" "^$today\|moved out to study$" \
	"$(sqlite3 "$db" "SELECT to_date, end_reason FROM memberships WHERE household_id = $h1 AND national_id = '$K'")"

keys Home
for i in 1 2 3 4 5; do
	screen | grep -Eq "> *spouse +$H" && break
	keys Down
	sleep 0.2
done
check "move: Jonas selected" "> *spouse +$H"
keys m
check "move: the dialog" 'Move a member to another household'
keys Tab
typ "$h2"
keys Tab Tab Tab Tab
typ 'separated'
keys F2
check "move: done" 'The member was moved\.' 15
check "move: Jonas is a former member here" "spouse +$H .*\(former\)" 15
t_match "move: a member of the other household now" "^spouse$" \
	"$(sqlite3 "$db" "SELECT relationship FROM memberships WHERE household_id = $h2 AND national_id = '$H' AND to_date = ''")"

# A death, from the card.
keys Escape
check "back on the card" "Jonas Tėvas · $H" 15
keys x
check "death: the dialog" 'Record a death'
typ "$today"
keys Tab
typ 'death certificate 123'
keys F2
check "death: recorded" 'The death was recorded\.' 15
check "death: the card says so" "\[DECEASED $today\]" 15
t_match "death: his membership in the other household ended" "^$today$" \
	"$(sqlite3 "$db" "SELECT to_date FROM memberships WHERE household_id = $h2 AND national_id = '$H'")"
t_match "death: in the history with its reason" "death certificate 123" \
	"$(sqlite3 "$db" "SELECT reason FROM person_history WHERE national_id = '$H' AND field = 'deceased_date'")"

keys F10
check "logout" 'Log in to SPIS'
tui_check_san "no sanitizer reports" "$tmp"
