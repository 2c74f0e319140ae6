#!/usr/bin/env bash
# Online backup and restore (spis-rpcd backup / restore, SQLite's backup
# API).  A backup is taken while four clients keep registering people; it
# is consistent (every person in it has their history and audit row) and
# the clients are not stopped.  Restoring it brings the registry back to
# that instant: the audit trail verifies, a person from the backup answers
# as before, one registered after it is gone, and the restore is on record.
# A backup never overwrites a file; a file that is not a registry, a backup
# whose trail was altered and another registry's backup are refused, and
# the registry is left as it was.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
db=$SPISD_DIR/spis.db
rpcd() { "$SPIS_BUILD/spis-rpcd" "$@"; }
acks=$SPISD_DIR/acks
: >"$acks"
"$SPIS_PYTHON" tests/integration/crash.py "$SPIS_PY" "$SPISD_ADDR" "$db" \
	load "$acks" >"$SPISD_DIR/load.out" 2>&1 &
load=$!
enough() { [ "$(wc -l <"$acks")" -ge "$1" ]; }
wait_for 120 enough 40 || t_fail "clients registering before the backup" "$(wc -l <"$acks")"

b1=$SPISD_DIR/b1.db
out=$(rpcd --db "$db" backup "$b1" 2>&1)
t_check "backup while the clients write: exit 0 ($out)" test -s "$b1"
at=$(wc -l <"$acks")
wait_for 120 enough $((at + 20)) && t_ok "the clients go on being answered after the backup" ||
	t_fail "the clients go on being answered after the backup" "$(tail -n 2 "$SPISD_DIR/load.out")"
kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
t_check "the backup was audited in the registry" test 1 = \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE method = 'cli/backup' AND outcome = 'OK' AND detail LIKE '%b1.db%'")"

sum=$(sha256sum "$b1")
out=$(rpcd --db "$db" backup "$b1" 2>&1)
rc=$?
t_check "a backup never overwrites a file: refused" test "$rc" -ne 0
t_match "  and says so" "exists already" "$out"
t_check "  and the file is untouched" test "$sum" = "$(sha256sum "$b1")"

q() { sqlite3 "$1" "$2"; }
t_check "the backup passes integrity_check" test ok = "$(q "$b1" 'PRAGMA integrity_check')"
t_check "the backup has people" test "$(q "$b1" 'SELECT count(*) FROM people')" -gt 0
t_check "in the backup every person has their history" test 0 = "$(q "$b1" \
	"SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM person_history h WHERE h.national_id = p.national_id)")"
t_check "in the backup every person has their audit row" test 0 = "$(q "$b1" \
	"SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.subject = p.national_id AND a.method LIKE '%RegisterPerson' AND a.outcome = 'OK')")"
t_check "in the backup every application has its first transition" test 0 = "$(q "$b1" \
	"SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM application_transitions t WHERE t.application_id = a.id)")"
t_check "no scratch file is left beside the backup" test ! -e "$b1.tmp"

spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
in_b1=$(q "$b1" 'SELECT national_id FROM people ORDER BY rowid LIMIT 1')
later=$(q "$db" "ATTACH '$b1' AS b; SELECT national_id FROM people WHERE national_id NOT IN (SELECT national_id FROM b.people) LIMIT 1")
t_check "people were registered after the backup" test -n "$later"
n_now=$(q "$db" 'SELECT count(*) FROM people')

# Refusals: the registry is left as it was.
echo "not a database" >"$SPISD_DIR/junk.db"
out=$(rpcd --db "$db" restore "$SPISD_DIR/junk.db" 2>&1)
rc=$?
t_check "restore from a file that is not a registry: refused ($out)" test "$rc" -ne 0
t_check "  the registry is unchanged" test "$n_now" = "$(q "$db" 'SELECT count(*) FROM people')"
cp "$b1" "$SPISD_DIR/tampered.db"
q "$SPISD_DIR/tampered.db" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing to see' WHERE id = (SELECT max(id) FROM audit WHERE method LIKE '%RegisterPerson')"
out=$(rpcd --db "$db" restore "$SPISD_DIR/tampered.db" 2>&1)
rc=$?
t_check "restore from a backup whose audit trail was altered: refused" test "$rc" -ne 0
t_match "  naming the trail" "does not verify" "$out"
t_check "  the registry is unchanged" test "$n_now" = "$(q "$db" 'SELECT count(*) FROM people')"
other=$(t_tmpdir)
rpcd --db "$other/o.db" officer add someone --role clerk >/dev/null 2>&1
rpcd --db "$other/o.db" backup "$other/ob.db" >/dev/null 2>&1
out=$(rpcd --db "$db" restore "$other/ob.db" 2>&1)
rc=$?
t_check "restore from another registry's backup (another key): refused" test "$rc" -ne 0
t_check "  the registry is unchanged" test "$n_now" = "$(q "$db" 'SELECT count(*) FROM people')"
t_check "no scratch database is left beside the registry" test ! -e "$db.restoring"

# The restore itself.
out=$(rpcd --db "$db" restore "$b1" 2>&1)
rc=$?
t_check "restore from the backup: exit 0 ($out)" test "$rc" -eq 0
t_check "  the registry has the backup's people" test \
	"$(q "$b1" 'SELECT count(*) FROM people')" = "$(q "$db" 'SELECT count(*) FROM people')"
t_match "audit verify after the restore: intact (the head file follows)" \
	'^audit trail intact: [0-9]+ rows' "$(rpcd --db "$db" audit verify)"
t_check "the restore is on record" test 1 = \
	"$(q "$db" "SELECT count(*) FROM audit WHERE method = 'cli/restore' AND detail LIKE 'restored from %b1.db%'")"

spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" || { t_fail "daemon starts on the restored registry" "see log"; exit 1; }
t_ok "daemon starts on the restored registry"
"$SPIS_PYTHON" - "$SPIS_PY" "$SPISD_ADDR" "$in_b1" "$later" "$b1" >"$SPISD_DIR/q.out" 2>&1 <<'PY'
import sqlite3, sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, "tests")
import grpc
import spisclient as spis
from spis.v1 import registry_pb2 as r
c = spis.Client(sys.argv[2])
tok = c.login("clerk")
p, code, msg = c.call("Registry", "GetPerson", r.GetPersonRequest(national_id=sys.argv[3], purpose="case_work"), token=tok)
row = sqlite3.connect(sys.argv[5]).execute(
    "SELECT given_names, surname, birth_date FROM people WHERE national_id = ?", (sys.argv[3],)).fetchone()
spis.check("a person from the backup answers as the backup holds them", code == grpc.StatusCode.OK and
           (p.person.given_names, p.person.surname, p.person.birth_date) == row, (code, msg, row))
_, code, _ = c.call("Registry", "GetPerson", r.GetPersonRequest(national_id=sys.argv[4], purpose="case_work"), token=tok)
spis.check("a person registered after the backup is not there", code == grpc.StatusCode.NOT_FOUND, code)
sys.exit(1 if spis.FAILED else 0)
PY
t_report "$SPISD_DIR/q.out"
spisd_stop && t_ok "daemon exits 0 after serving the restored registry" || t_fail "daemon exits 0 after serving the restored registry" "rc=$?"
t_match "audit verify at the end: intact" '^audit trail intact: [0-9]+ rows' \
	"$(rpcd --db "$db" audit verify)"
