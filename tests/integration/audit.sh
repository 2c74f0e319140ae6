#!/usr/bin/env bash
# The audit trail's hash chain against edits made behind the daemon's back
# with the sqlite3 shell: `spis-rpcd audit verify` must name the first row
# that was altered, deleted or inserted.  The chain is keyed by a file
# outside the database, so recomputing it without the key is caught; the
# head file and `--expect` catch rows cut from the end.
. "$(dirname "$0")/../lib.sh"

if ! command -v sqlite3 >/dev/null; then
	t_fail "sqlite3 shell installed" "scripts/deps.sh installs it"
	exit 0
fi
spisd_start || { t_fail "daemon starts" "see log"; exit 1; }
# Ten refused calls make the last ten audit rows, after the row that starts
# keying and whatever the daemon writes when it first starts.
for i in $(seq 1 10); do spis_probe "$SPISD_ADDR" health "no.such.Service$i" >/dev/null; done
spisd_stop
db=$SPISD_DIR/spis.db
key=$db.auditkey
n=$(sqlite3 "$db" "SELECT max(id) FROM audit") # the last row
p=$((n - 9))                                   # the first refused call's row
# verify DB [ARGS...]: with the original's key, whatever the copy is called.
verify() { local f=$1; shift; "$SPIS_BUILD/spis-rpcd" --db "$f" --audit-key "$key" audit verify "$@" 2>/dev/null; }
rpcd() { "$SPIS_BUILD/spis-rpcd" "$@" 2>&1; }

t_check "the daemon made the key file" test -s "$key"
t_match "the key file is mode 600" '^600$' "$(stat -c %a "$key")"
t_check "a clean stop wrote the head file" test -s "$db.audithead"

out=$(verify "$db")
t_match "intact chain verifies" "^audit trail intact: $n rows verified\$" "$out"
t_match "the chain is keyed from its first row" '^keyed from row 1$' "$out"
verify "$db" >/dev/null && t_ok "intact chain exits 0" || t_fail "intact chain exits 0"
t_match "row 1 says the chain is keyed from there" 'HMAC-SHA256' \
	"$(sqlite3 "$db" "SELECT method, detail FROM audit WHERE id = 1")"

cp "$db" "$SPISD_DIR/upd.db"
sqlite3 "$SPISD_DIR/upd.db" "UPDATE audit SET outcome = 'OK' WHERE id = $((p + 3))" 2>/dev/null &&
	t_fail "trigger refuses UPDATE" "UPDATE went through" || t_ok "trigger refuses UPDATE"
sqlite3 "$SPISD_DIR/upd.db" "DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'OK' WHERE id = $((p + 3))"
out=$(verify "$SPISD_DIR/upd.db")
rc=$?
t_match "UPDATE behind the daemon's back names the row" "BROKEN at row $((p + 3)):" "$out"
[ "$rc" -ne 0 ] && t_ok "broken chain exits non-zero" || t_fail "broken chain exits non-zero"

cp "$db" "$SPISD_DIR/del.db"
sqlite3 "$SPISD_DIR/del.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = $((p + 5))"
t_match "DELETE behind the daemon's back names the row after it" "BROKEN at row $((p + 6)):" "$(verify "$SPISD_DIR/del.db")"

cp "$db" "$SPISD_DIR/ins.db"
# A forged row slipped in after row k: the later rows move up to make
# room, and the forgery copies row k's hash as its prev_hash.
k=$((p + 4))
sqlite3 "$SPISD_DIR/ins.db" "DROP TRIGGER audit_no_update;
	UPDATE audit SET id = id + 1000 WHERE id > $k;
	INSERT INTO audit (id, at, actor, role, terminal, method, subject, purpose, outcome,
	detail, prev_hash, hash) SELECT $k + 500, at, 'mallory', '', '', method, '', '', 'OK', '',
	hash, randomblob(32) FROM audit WHERE id = $k"
t_match "INSERT behind the daemon's back names the forged row" "BROKEN at row $((k + 500)):" "$(verify "$SPISD_DIR/ins.db")"

# The attack the key is for: edit a row, then recompute the whole chain
# the way the first releases hashed it (plain SHA-256), as anyone with the
# sqlite3 shell and Python could.
rehash() {
	"$SPIS_PYTHON" - "$1" <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
prev = bytes(32)
rows = db.execute("SELECT id, at, actor, role, terminal, method, subject, purpose,"
                  " outcome, detail, municipality FROM audit ORDER BY id").fetchall()
for r in rows:
    fields = list(r[1:10]) + ([r[10]] if r[10] else [])
    h = hashlib.sha256(prev)
    for f in fields:
        b = f.encode()
        h.update(struct.pack("<Q", len(b)) + b)
    db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h.digest(), r[0]))
    prev = h.digest()
db.commit()
PY
}
cp "$db" "$SPISD_DIR/re.db"
sqlite3 "$SPISD_DIR/re.db" "DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'OK' WHERE id = $((p + 3))"
rehash "$SPISD_DIR/re.db"
out=$(verify "$SPISD_DIR/re.db")
rc=$?
t_match "a chain recomputed without the key is BROKEN" 'BROKEN at row 1' "$out"
[ "$rc" -ne 0 ] && t_ok "a recomputed chain exits non-zero" || t_fail "a recomputed chain exits non-zero"
# Going further, dropping the record of where keying began, would pass
# for an old unkeyed trail: the recompute itself is sound (it verifies
# without a key), but with the key the missing record is caught.
sqlite3 "$SPISD_DIR/re.db" "DROP TRIGGER audit_key_no_delete; DELETE FROM audit_key"
t_match "the recompute is sound: without a key it passes" '^audit trail intact' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/re.db" --audit-key "$SPISD_DIR/none" audit verify 2>&1)"
t_match "with the key, a removed keyed start is BROKEN" 'BROKEN: there is an audit key, but the database records no keyed start' \
	"$(verify "$SPISD_DIR/re.db")"

# Rows cut from the end leave no gap in the chain: the head file, and a
# head copied elsewhere, catch it.
head=$(rpcd --db "$db" audit head)
t_match "audit head prints SEQ:HASH of the last row" "^$n:[0-9a-f]{64}\$" "$head"
t_match "the head file names the same row" "^$head [0-9a-f]{64}\$" "$(cat "$db.audithead")"
out=$(verify "$db" --expect "$head")
t_match "--expect with the true head verifies" "^audit trail intact: $n rows" "$out"
cp "$db" "$SPISD_DIR/cut.db"
cp "$db.audithead" "$SPISD_DIR/cut.db.audithead"
c=$((n - 3))
sqlite3 "$SPISD_DIR/cut.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id > $c"
out=$(verify "$SPISD_DIR/cut.db")
rc=$?
t_match "rows cut from the end are caught by the head file" "BROKEN: rows after seq $c were removed \\(the head file names row $n\\)" "$out"
[ "$rc" -ne 0 ] && t_ok "a cut trail exits non-zero" || t_fail "a cut trail exits non-zero"
rm "$SPISD_DIR/cut.db.audithead"
t_match "without the head file, the cut chain itself still verifies" "^audit trail intact: $c rows" "$(verify "$SPISD_DIR/cut.db")"
t_match "... and --expect catches the cut" "BROKEN: rows after seq $c were removed \\(the expected head names row $n\\)" \
	"$(verify "$SPISD_DIR/cut.db" --expect "$head")"
t_match "--expect with another hash for the row names it" "BROKEN at row $n: it differs from the expected head" \
	"$(verify "$db" --expect "$n:$(printf '%064d' 0)")"
t_match "--expect needs SEQ:HASH" 'usage: spis-rpcd audit verify' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$db" audit verify --expect 11 2>&1)"
# Whoever cuts the trail cannot write a head that checks without the key.
echo "$c:$(sqlite3 "$SPISD_DIR/cut.db" "SELECT lower(hex(hash)) FROM audit WHERE id = $c") $(printf '%064d' 0)" \
	>"$SPISD_DIR/cut.db.audithead"
t_match "a head file written without the key is refused" 'BROKEN: audit head file .* MAC does not check' \
	"$(verify "$SPISD_DIR/cut.db")"

# A wrong or missing key is an error, never "intact".
umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SPISD_DIR/other.key"
out=$("$SPIS_BUILD/spis-rpcd" --db "$db" --audit-key "$SPISD_DIR/other.key" audit verify 2>&1)
rc=$?
t_match "a wrong key file is named as not matching" 'cannot be verified: the audit key does not match this database' "$out"
[ "$rc" -ne 0 ] && t_ok "a wrong key exits non-zero" || t_fail "a wrong key exits non-zero"
out=$("$SPIS_BUILD/spis-rpcd" --db "$db" --audit-key "$SPISD_DIR/none.key" audit verify 2>&1)
rc=$?
t_match "a missing key file is named" "cannot be verified: rows from 1 on are keyed, and audit key file $SPISD_DIR/none.key: No such file" "$out"
[ "$rc" -ne 0 ] && t_ok "a missing key exits non-zero" || t_fail "a missing key exits non-zero"
t_check "the missing key file was not made by verify" test ! -e "$SPISD_DIR/none.key"
cp "$key" "$SPISD_DIR/open.key"
chmod 644 "$SPISD_DIR/open.key"
t_match "a key file others may read is refused" 'others may read or write it \(mode 644\)' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$db" --audit-key "$SPISD_DIR/open.key" audit verify 2>&1)"
t_match "officer commands refuse a wrong key too" 'the audit key does not match' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$db" --audit-key "$SPISD_DIR/other.key" officer add eve --role clerk 2>&1)"
[ -z "$(sqlite3 "$db" "SELECT username FROM officers WHERE username = 'eve'")" ] &&
	t_ok "... and add no officer" || t_fail "... and add no officer" "eve was added"
spisd_start 0 --audit-key "$SPISD_DIR/other.key" 2>/dev/null &&
	t_fail "the daemon refuses a wrong key" "it started" ||
	t_match "the daemon refuses a wrong key" 'the audit key does not match' "$(cat "$SPISD_LOG")"

# The daemon writes the head as it goes, not only when it stops cleanly:
# after a kill -9 the head file still names a recent row.
printf '[audit]\naudit_head_seconds = 1\n' >"$SPISD_DIR/fast.conf"
spisd_start 0 --config "$SPISD_DIR/fast.conf" || t_fail "daemon restarts" "see log"
for i in 1 2 3; do spis_probe "$SPISD_ADDR" health "no.such.Again$i" >/dev/null; done
head_is_now() { [ "$(cut -d' ' -f1 "$db.audithead")" = "$(rpcd --db "$db" audit head)" ] && [ "$(cut -d: -f1 "$db.audithead")" = $((n + 3)) ]; }
wait_for 30 head_is_now && t_ok "the running daemon writes the head file" ||
	t_fail "the running daemon writes the head file" "$(cat "$db.audithead")"
# (bash reports the killed job on stderr; that is expected.)
exec 3>&2 2>/dev/null
kill -KILL "$SPISD_PID"
wait "$SPISD_PID"
exec 2>&3 3>&-
SPISD_PID=
t_match "after a crash the trail and its head verify" "^audit trail intact: $((n + 3)) rows" "$(verify "$db")"

# The original is untouched and still intact.
t_match "the original file still verifies" "intact: $((n + 3)) rows" "$(verify "$db")"
