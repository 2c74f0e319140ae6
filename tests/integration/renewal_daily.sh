#!/usr/bin/env bash
# The renewal job on a schedule: with renewal_daily the day's job starts by
# itself, as "system" and audited, once a day; a restart the same day does
# not start a second one.
. "$(dirname "$0")/../lib.sh"

dir=$(t_tmpdir)
cat >"$dir/spis.conf" <<CONF
[benefits]
renewal_daily = 1
renewal_poll_seconds = 1
CONF
spisd_office --config "$dir/spis.conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
db=$SPISD_DIR/spis.db
today=$(date -u +%F)
jobs() { sqlite3 "$db" "SELECT count(*) FROM renewal_jobs WHERE started_by = 'system' AND as_of = '$today'"; }
one_job() { [ "$(jobs)" = 1 ] && [ "$(sqlite3 "$db" "SELECT state FROM renewal_jobs")" = done ]; }
wait_for 60 one_job && t_ok "the day's renewal job starts by itself and finishes" ||
	t_fail "the day's renewal job starts by itself and finishes" "$(sqlite3 "$db" 'SELECT * FROM renewal_jobs')"
t_check "the scheduled start is audited as the system's" test 1 = \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE actor = 'system' AND method = 'scheduled renewal'")"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" --config "$dir/spis.conf" ||
	{ t_fail "daemon restarts" "see log"; exit 1; }
# A few passes of the thread (one a second) go by before the count is read.
sleep 3
t_check "a restart the same day starts no second job" test 1 = "$(jobs)"
spisd_stop && t_ok "daemon exits 0 again" || t_fail "daemon exits 0 again" "rc=$?"
t_match "audit verify: intact" '^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$db" audit verify)"
