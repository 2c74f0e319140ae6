#!/usr/bin/env bash
# Life events: what institutions' facts set off when the daemon acts on
# them (rpcd/lifeevent.c).  A death suspends benefits and ends household
# membership; a birth registers the child in the mother's household and
# offers child benefit in her language; income over a means test flags the
# benefit for review and income under it does not; employment and
# disability facts update the registry with history; a rule naming the
# reported income decides from the facts and replays to the same result
# after new facts arrive.  The facts are stored as a feed leaves them and
# acted on by the daemon at start, which is also what happens after a
# crash between storing and acting: each is acted on once.  The checks
# are in lifeevents.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
state=$SPISD_DIR/lifeevents.json
py() {
	"$SPIS_PYTHON" tests/integration/lifeevents.py "$SPIS_PY" "$SPISD_ADDR" \
		"$SPISD_DIR/spis.db" "$1" "$state" >"$SPISD_DIR/lifeevents.$1.out" 2>&1
	local rc=$?
	t_report "$SPISD_DIR/lifeevents.$1.out"
	[ "$rc" -eq 0 ] && t_ok "lifeevents.py $1 ran to the end" ||
		t_fail "lifeevents.py $1 ran to the end" "exit $rc"
}
restart() {
	spisd_stop || t_fail "daemon exits 0 before $1" "rc=$?"
	spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" ||
		{ t_fail "daemon restarts for $1" "see log"; exit 1; }
}
py setup
restart acted
py acted
restart again
py again
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "facts apply: the operator's command acts on the two facts due" \
	'^2 fact\(s\) acted on$' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" facts apply 2>&1)"
t_match "facts apply: a second run finds nothing due" \
	'^0 fact\(s\) acted on$' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" facts apply 2>&1)"
t_match "facts apply: no subcommand is a usage error" 'usage: spis-rpcd facts apply' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" facts 2>&1)"
spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" ||
	{ t_fail "daemon restarts after facts apply" "see log"; exit 1; }
py applied
spisd_stop && t_ok "daemon exits 0 at the end" || t_fail "daemon exits 0 at the end" "rc=$?"
t_match "audit verify: chain intact after the life events" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
