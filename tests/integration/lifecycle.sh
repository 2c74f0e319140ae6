#!/usr/bin/env bash
# The daemon's life: signals, restarts on the same database, databases it
# must refuse, a unix socket, and a SIGTERM in the middle of real load.
. "$(dirname "$0")/../lib.sh"

spisd_start || { t_fail "daemon starts" "see log"; exit 1; }
t_match "first start migrates the new database" 'migrated schema to version 1' "$(cat "$SPISD_LOG")"
kill -HUP "$SPISD_PID"
sleep 0.3
t_check "SIGHUP does not stop the daemon" spis_probe "$SPISD_ADDR" health
kill -INT "$SPISD_PID"
wait "$SPISD_PID"
rc=$?
SPISD_PID=
[ "$rc" -eq 0 ] && t_ok "SIGINT exits 0" || t_fail "SIGINT exits 0" "rc=$rc"
t_match "SIGINT closes the store cleanly" 'SIGINT: no new calls.*' "$(cat "$SPISD_LOG")"
t_match "shutdown logs the clean close" 'store closed cleanly' "$(cat "$SPISD_LOG")"

cp "$SPISD_LOG" "$SPISD_DIR/first.log"
: >"$SPISD_LOG"
spisd_start || { t_fail "daemon restarts on the same database" "see log"; exit 1; }
t_ok "daemon restarts on the same database"
if grep -q migrated "$SPISD_LOG"; then
	t_fail "restart does not migrate again" "$(cat "$SPISD_LOG")"
else
	t_ok "restart does not migrate again"
fi
latest=$(grep -c 'migrated schema to version' "$SPISD_DIR/first.log")
t_match "schema version unchanged by the restart ($latest)" "^schema=$latest\$" \
	"$(spis_probe "$SPISD_ADDR" version)"

# SIGTERM in the middle of load from a second process: the daemon finishes
# what it took, exits 0, and every answered call was a real answer.
printf '\x00\x00\x00\x00\x00' >"$SPISD_DIR/empty.bin"
h2load -n 400000 -c 4 -m 10 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
	-d "$SPISD_DIR/empty.bin" "http://$SPISD_ADDR/grpc.health.v1.Health/Check" \
	>"$SPISD_DIR/h2load.out" 2>&1 &
load=$!
sleep 1.5
spisd_stop
rc=$?
wait "$load"
[ "$rc" -eq 0 ] && t_ok "SIGTERM under load exits 0" || t_fail "SIGTERM under load exits 0" "rc=$rc"
done_ok=$(sed -n 's/.* \([0-9]*\) succeeded.*/\1/p' "$SPISD_DIR/h2load.out")
[ "${done_ok:-0}" -gt 0 ] && t_ok "calls succeeded before the SIGTERM ($done_ok)" ||
	t_fail "calls succeeded before the SIGTERM" "$(tail -n 5 "$SPISD_DIR/h2load.out")"
t_match "store closed cleanly after load" 'store closed cleanly' "$(tail -n 3 "$SPISD_LOG")"
t_check "database passes SQLite's integrity check" "$SPIS_PYTHON" -c "
import sqlite3, sys
c = sqlite3.connect('$SPISD_DIR/spis.db')
sys.exit(0 if c.execute('PRAGMA integrity_check').fetchone()[0] == 'ok' else 1)"

d=$(t_tmpdir)
printf 'this is not a database, just text that fills the header page...%.0s' {1..80} >"$d/junk.db"
out=$("$SPIS_BUILD/spis-rpcd" --listen 127.0.0.1:0 --db "$d/junk.db" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && t_ok "a file that is not a database is refused" || t_fail "a file that is not a database is refused" "rc=$rc"
t_match "the refusal names the file" "junk.db" "$out"

"$SPIS_PYTHON" -c "
import sqlite3; c = sqlite3.connect('$d/future.db'); c.execute('PRAGMA user_version = 99'); c.commit()"
out=$("$SPIS_BUILD/spis-rpcd" --listen 127.0.0.1:0 --db "$d/future.db" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && t_ok "a database from a newer build is refused" || t_fail "a database from a newer build is refused" "rc=$rc"
t_match "the refusal says why" "newer than this build" "$out"

out=$("$SPIS_BUILD/spis-rpcd" --listen 127.0.0.1:0 --db "$d/nodir/x.db" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && t_ok "an unwritable database path is refused" || t_fail "an unwritable database path is refused" "rc=$rc"
t_match "that refusal names the path" "nodir/x.db" "$out"

"$SPIS_BUILD/spis-rpcd" --listen "unix:$d/spis.sock" --db "$d/u.db" --port-file "$d/port" 2>"$d/log" &
pid=$!
T_PIDS+=("$pid")
if wait_for 20 spis_probe "unix:$d/spis.sock" health; then
	t_ok "serves on a unix socket"
else
	t_fail "serves on a unix socket" "$(tail -n 3 "$d/log")"
fi
kill -TERM "$pid"
wait "$pid" && t_ok "unix-socket daemon exits 0" || t_fail "unix-socket daemon exits 0" "rc=$?"
