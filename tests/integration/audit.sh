#!/usr/bin/env bash
# The audit trail's hash chain against edits made behind the daemon's back
# with the sqlite3 shell: `spis-rpcd audit verify` must name the first row
# that was altered, deleted or inserted.
. "$(dirname "$0")/../lib.sh"

if ! command -v sqlite3 >/dev/null; then
	t_fail "sqlite3 shell installed" "scripts/deps.sh installs it"
	exit 0
fi
spisd_start || { t_fail "daemon starts" "see log"; exit 1; }
# Ten refused calls make ten audit rows.
for i in $(seq 1 10); do spis_probe "$SPISD_ADDR" health "no.such.Service$i" >/dev/null; done
spisd_stop
db=$SPISD_DIR/spis.db
verify() { "$SPIS_BUILD/spis-rpcd" --db "$1" audit verify 2>/dev/null; }

out=$(verify "$db")
t_match "intact chain verifies" '^audit trail intact: 10 rows verified$' "$out"
verify "$db" >/dev/null && t_ok "intact chain exits 0" || t_fail "intact chain exits 0"

cp "$db" "$SPISD_DIR/upd.db"
sqlite3 "$SPISD_DIR/upd.db" "UPDATE audit SET outcome = 'OK' WHERE id = 4" 2>/dev/null &&
	t_fail "trigger refuses UPDATE" "UPDATE went through" || t_ok "trigger refuses UPDATE"
sqlite3 "$SPISD_DIR/upd.db" "DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'OK' WHERE id = 4"
out=$(verify "$SPISD_DIR/upd.db")
rc=$?
t_match "UPDATE behind the daemon's back names row 4" 'BROKEN at row 4' "$out"
[ "$rc" -ne 0 ] && t_ok "broken chain exits non-zero" || t_fail "broken chain exits non-zero"

cp "$db" "$SPISD_DIR/del.db"
sqlite3 "$SPISD_DIR/del.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 6"
t_match "DELETE behind the daemon's back names the row after it" 'BROKEN at row 7' "$(verify "$SPISD_DIR/del.db")"

cp "$db" "$SPISD_DIR/ins.db"
# A forged row slipped in between rows 5 and 6: the later rows move up to
# make room, and the forgery copies row 5's hash as its prev_hash.
sqlite3 "$SPISD_DIR/ins.db" "DROP TRIGGER audit_no_update;
	UPDATE audit SET id = id + 100 WHERE id > 5;
	INSERT INTO audit (id, at, actor, role, terminal, method, subject, purpose, outcome,
	detail, prev_hash, hash) SELECT 55, at, 'mallory', '', '', method, '', '', 'OK', '',
	hash, randomblob(32) FROM audit WHERE id = 5"
t_match "INSERT behind the daemon's back names the forged row" 'BROKEN at row 55' "$(verify "$SPISD_DIR/ins.db")"

# The original is untouched and still intact.
t_match "the original file still verifies" 'intact: 10 rows' "$(verify "$db")"
