#!/usr/bin/env bash
# bench/bench.sh: `make bench`.  Generates a registry of BENCH_PEOPLE people
# (default 200000) with spis-gen, times the sqlite3 shell's .import of the
# same rows as the baseline of the bulk load, starts a bare gRPC-core echo
# server (spis-echod) and the daemon on that registry with a pam_matrix
# stack in a temporary folder, drives both with spis-load from this
# separate process, and prints one table: each figure beside the baseline
# measured in the same run.  BENCH_SECONDS (default 3) is the measured time
# of each load run; BENCH_DIR keeps the files there instead of a temporary
# folder.  Timing figures are for reading, never for pass or fail.
#
# Then a payment run and a renewal over the generated benefits, each
# beside a plain sqlite3 shell copy of the same rows into a bare table:
# spis-load payrun creates one run per programme with payable benefits
# (2026-07, or 2026 for yearly ones), a supervisor approves each and the
# clerk exports it; spis-load renewal starts a job as of 2026-06-30, by
# when every generated benefit of an auto-renew programme is due, and
# polls it until it is done.  The renewal has a second baseline: as many
# single-row durable commits (up to 4000) as it has benefits, the rate a
# job committing each benefit on its own could not pass; the job commits
# a batch of 256 benefits at once.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${SPIS_BUILD:-build}
case "$B" in /*) ;; *) B=$top/$B ;; esac
N=${BENCH_PEOPLE:-200000}
SECS=${BENCH_SECONDS:-3}
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
	rm -f "$dir"/spis.db* "$dir"/bare.db "$dir"/commits.db*
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/spis-bench.XXXXXX")
fi
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
# kv LINE KEY: the value of KEY=VALUE in a line of spis-load or spis-gen.
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
fmt() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }

# wait_port FILE PID: until the port file is written, or the process died.
wait_port() {
	local i
	for i in $(seq 300); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# BENCH_REGISTRY=DIR: a registry generated once and kept there (spis.db
# with its audit key, people.csv, refs.tsv and gen.out), copied for each
# run, since a run changes it; generated there first when DIR has none.
# For the large registries, which take long to generate.
if [ -n "${BENCH_REGISTRY:-}" ]; then
	reg=$BENCH_REGISTRY
	if [ ! -s "$reg/gen.out" ] || [ ! -s "$reg/spis.db" ]; then
		mkdir -p "$reg"
		say "bench: generating $N people in $reg (kept)"
		"$B/bench/spis-gen" --db "$reg/spis.db" --people "$N" \
			--csv "$reg/people.csv" --refs "$reg/refs.tsv" \
			>"$reg/gen.out" 2>"$reg/gen.log"
	fi
	say "bench: copying the registry of $reg"
	for f in "$reg"/spis.db "$reg"/spis.db.* "$reg"/people.csv "$reg"/refs.tsv \
		"$reg"/gen.out; do
		cp "$f" "$dir/"
	done
	: >"$dir/gen.log"
else
	say "bench: generating $N people in $dir"
	"$B/bench/spis-gen" --db "$dir/spis.db" --people "$N" --csv "$dir/people.csv" \
		--refs "$dir/refs.tsv" >"$dir/gen.out" 2>"$dir/gen.log"
fi
gen=$(tr '\n' ' ' <"$dir/gen.out")
people=$(kv "$gen" people)
load_s=$(kv "$gen" people_seconds)
RENEW_AS_OF=2026-06-30

# The registry's pages reach the disk now, not under the first runs.
sync
say "bench: the baseline: .import of the same rows into a bare table"
t0=$(now)
sqlite3 "$dir/bare.db" <<SQL
CREATE TABLE people (national_id TEXT, given_names TEXT, surname TEXT,
  birth_date TEXT, sex TEXT, address TEXT, municipality TEXT, phone TEXT,
  email TEXT, disability TEXT, employment TEXT, language TEXT);
.mode csv
.import $dir/people.csv people
SQL
t1=$(now)
import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
imported=$(sqlite3 "$dir/bare.db" "SELECT count(*) FROM people")
[ "$imported" = "$people" ] || { say "bench: .import read $imported rows of $people"; exit 1; }

# secs FROM TO: the seconds between two now values.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The payment run's baseline: the same payable rows (benefit, person's
# name, IBAN) copied by the sqlite3 shell into a bare table, then written
# out as CSV; the renewal's: the due benefits with their person and
# application (what the job reads) copied the same way.
say "bench: the baselines of the payment run and the renewal"
payable="FROM r.benefits b JOIN r.bank_accounts ba ON ba.national_id = b.national_id
	JOIN r.people pe ON pe.national_id = b.national_id
	WHERE b.state = 'active' AND b.amount > 0"
t0=$(now)
sqlite3 "$dir/bare.db" <<SQL
ATTACH '$dir/spis.db' AS r;
CREATE TABLE pay AS SELECT b.id, b.national_id, b.programme, b.municipality,
  pe.given_names || ' ' || pe.surname AS name, ba.iban, b.amount $payable;
SQL
t1=$(now)
sqlite3 -csv "$dir/bare.db" "SELECT * FROM pay" >"$dir/pay.csv"
t2=$(now)
pay_base_rows=$(sqlite3 "$dir/bare.db" "SELECT count(*) FROM pay")
pay_copy_s=$(secs "$t0" "$t1")
pay_csv_s=$(secs "$t1" "$t2")
t0=$(now)
sqlite3 "$dir/bare.db" <<SQL
ATTACH '$dir/spis.db' AS r;
CREATE TABLE ren AS SELECT b.id, b.national_id, b.programme, b.amount,
  a.monthly_income, a.assets, pe.birth_date, pe.sex, pe.disability,
  pe.employment, pe.municipality
  FROM r.benefits b JOIN r.programmes p ON p.code = b.programme
  JOIN r.applications a ON a.id = b.application_id
  JOIN r.people pe ON pe.national_id = b.national_id
  WHERE b.state = 'active' AND p.auto_renew = 1 AND b.renew_on <> ''
  AND b.renew_on <= '$RENEW_AS_OF';
SQL
t1=$(now)
ren_base_rows=$(sqlite3 "$dir/bare.db" "SELECT count(*) FROM ren")
ren_copy_s=$(secs "$t0" "$t1")
# The renewal's second baseline is the disk's: single-row transactions at
# synchronous = FULL in WAL mode, as the daemon's, through the sqlite3
# shell (at most 4000 of them, the rate taken from those).  A job that
# committed each benefit on its own, as it once did, stays under it; one
# commit per batch of 256 benefits takes the job past it.
ren_commits=$((ren_base_rows < 4000 ? ren_base_rows : 4000))
[ "$ren_commits" -gt 0 ] || ren_commits=1
{
	echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	echo "CREATE TABLE c (id INTEGER PRIMARY KEY, benefit_id INTEGER, note TEXT);"
	awk -v n="$ren_commits" 'BEGIN { for (i = 1; i <= n; i++)
		printf "BEGIN; INSERT INTO c (benefit_id, note) VALUES (%d, '"'"'renewal %d'"'"'); COMMIT;\n", i, i }'
} >"$dir/commits.sql"
t0=$(now)
sqlite3 "$dir/commits.db" <"$dir/commits.sql" >/dev/null
t1=$(now)
ren_commit_s=$(secs "$t0" "$t1")
# One run per programme with payable benefits, for its kind of period.
sqlite3 -readonly -separator $'\t' "$dir/spis.db" \
	"SELECT DISTINCT b.programme, CASE p.period WHEN 'monthly' THEN '2026-07'
	   WHEN 'yearly' THEN '2026' ELSE 'once' END
	 FROM benefits b JOIN programmes p ON p.code = b.programme
	 WHERE b.state = 'active' AND b.amount > 0 ORDER BY 1" >"$dir/runs.tsv"

"$B/bench/spis-rulebench" --db "$dir/spis.db" >"$dir/rule.out" 2>>"$dir/gen.log"
rule=$(cat "$dir/rule.out")

# Inputs for the calls: every seventh person (ID, surname, municipality),
# read from the registry the daemon will serve.
sqlite3 -readonly -separator $'\t' "$dir/spis.db" \
	"SELECT national_id, surname, municipality FROM people
	 WHERE rowid % 7 = 0 AND deceased_date = ''" >"$dir/people.tsv"

# Officers and a password-only PAM stack, as tests/lib.sh spisd_office.
mkdir -p "$dir/pam.d"
: >"$dir/passdb"
cat >"$dir/pam.d/spis" <<PAM
auth    required /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$dir/passdb
account required /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$dir/passdb
PAM
for spec in clerk:clerk help:helpdesk super:supervisor admin:admin; do
	u=${spec%%:*}
	echo "$u:pw:spis" >>"$dir/passdb"
	"$B/spis-rpcd" --db "$dir/spis.db" officer add "$u" --role "${spec#*:}" \
		>/dev/null 2>>"$dir/gen.log"
done

# The microsimulation's officer (an analyst), kept apart from the others.
echo "analyst:pw:spis" >>"$dir/passdb"
"$B/spis-rpcd" --db "$dir/spis.db" officer add analyst --role analyst \
	>/dev/null 2>>"$dir/gen.log"

"$B/bench/spis-echod" --listen 127.0.0.1:0 --port-file "$dir/echo.port" \
	2>"$dir/echo.log" &
echo_pid=$!
pids+=("$echo_pid")
"$B/spis-rpcd" --listen 127.0.0.1:0 --db "$dir/spis.db" --port-file "$dir/rpcd.port" \
	--pam-confdir "$dir/pam.d" --log-level warn >"$dir/rpcd.log" 2>&1 &
rpcd_pid=$!
pids+=("$rpcd_pid")
wait_port "$dir/echo.port" "$echo_pid" || { say "bench: spis-echod did not start"; exit 1; }
wait_port "$dir/rpcd.port" "$rpcd_pid" || { say "bench: spis-rpcd did not start:"; tail "$dir/rpcd.log" >&2; exit 1; }
echo_addr=127.0.0.1:$(cat "$dir/echo.port")
rpcd_addr=127.0.0.1:$(cat "$dir/rpcd.port")
for i in $(seq 100); do
	"$B/bench/spis-load" --target "$rpcd_addr" --seconds 0.1 --warmup 0 health \
		>/dev/null 2>&1 && break
	sleep 0.1
done
help_tok=$("$B/bench/spis-load" --target "$rpcd_addr" login help pw)
clerk_tok=$("$B/bench/spis-load" --target "$rpcd_addr" login clerk pw)
super_tok=$("$B/bench/spis-load" --target "$rpcd_addr" login super pw)

# run ADDR KIND STREAMS [ARGS...]: one load run's line.
run() {
	local addr=$1 kind=$2 k=$3
	shift 3
	say "bench: $kind, $k streams"
	"$B/bench/spis-load" --target "$addr" --streams "$k" --seconds "$SECS" "$@" "$kind" \
		2>>"$dir/load.err" || true
}

declare -A R
for k in 1 16 64; do
	R[echo$k]=$(run "$echo_addr" echo "$k")
done
R[health]=$(run "$rpcd_addr" health 16)
for k in 1 16 64; do
	R[hd$k]=$(run "$rpcd_addr" status-helpdesk "$k" --token "$help_tok" --input "$dir/refs.tsv")
done
R[getapp]=$(run "$rpcd_addr" get-application 16 --token "$clerk_tok" --input "$dir/refs.tsv")
R[status]=$(run "$rpcd_addr" status 16 --input "$dir/refs.tsv")
R[getperson]=$(run "$rpcd_addr" get-person 16 --token "$clerk_tok" --input "$dir/people.tsv")
R[search]=$(run "$rpcd_addr" search 16 --token "$clerk_tok" --input "$dir/people.tsv")
R[register]=$(run "$rpcd_addr" register 16 --token "$clerk_tok")
R[submit]=$(run "$rpcd_addr" submit 16 --token "$clerk_tok" --input "$dir/people.tsv")
# The microsimulation: a candidate SOC-BEN rule over the whole registry,
# started and polled over gRPC by spis-simbench, which also times the same
# rules in process over as many synthetic rows; the other baseline is the
# sqlite3 shell's plain scan of the people table.
bench_simulation() {
	local tok t0 t1
	say "bench: microsimulation over the registry"
	tok=$("$B/bench/spis-load" --target "$rpcd_addr" login analyst pw)
	SIM=$("$B/bench/spis-simbench" --target "$rpcd_addr" --token "$tok" \
		2>>"$dir/load.err" || true)
	t0=$(now)
	sqlite3 -readonly "$dir/spis.db" "SELECT count(*), sum(length(birth_date)
		+ length(disability) + length(municipality)) FROM people" >/dev/null
	t1=$(now)
	SIM_SCAN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}
# sim_row: the table's row for it.
sim_row() {
	if [ -z "$SIM" ]; then
		printf '%-44s %12s %9s %9s   %s\n' "microsimulation over $people people" \
			"failed" "-" "-" "see load.err"
		return
	fi
	printf '%-44s %12s %9s %9s   scan of people %s s, rules in process %s s\n' \
		"microsimulation over $(kv "$SIM" people) people" "$(kv "$SIM" seconds) s" \
		"-" "-" "$SIM_SCAN" "$(kv "$SIM" eval_seconds)"
	printf '%-44s %12s %9s %9s   %s\n' "  ($(kv "$SIM" units) $(kv "$SIM" unit)s)" \
		"$(kv "$SIM" rate)/s" "-" "-" "target: 3 million people under 10 s"
}
bench_simulation
rss_rpcd=$(awk '/VmHWM/ { print $2 }' "/proc/$rpcd_pid/status")
rss_echo=$(awk '/VmHWM/ { print $2 }' "/proc/$echo_pid/status")

say "bench: payment runs over $pay_base_rows payable benefits"
payrun=$("$B/bench/spis-load" --target "$rpcd_addr" --token "$clerk_tok" \
	--approver-token "$super_tok" --input "$dir/runs.tsv" payrun \
	2>>"$dir/load.err" || true)
say "bench: a renewal job over $ren_base_rows benefits due"
renewal=$("$B/bench/spis-load" --target "$rpcd_addr" --token "$super_tok" \
	renewal "$RENEW_AS_OF" 2>>"$dir/load.err" || true)
rss_jobs=$(awk '/VmHWM/ { print $2 }' "/proc/$rpcd_pid/status")

# An institution's feed: BENCH_FACTS income facts (default one per person;
# BENCH_FACTS=1000000 for the issue's figure) through SubmitFacts in
# batches of 1000, each month back
# from 2026-10 for every seventh person in turn; life events run after each
# batch as they do for a real feed.  The baseline is the sqlite3 shell's
# .import of the same rows into a bare table.
FACTS=${BENCH_FACTS:-$N}
say "bench: an institution's feed of $FACTS income facts"
admin_tok=$("$B/bench/spis-load" --target "$rpcd_addr" login admin pw)
feed=$("$B/bench/spis-load" --target "$rpcd_addr" --token "$admin_tok" \
	--input "$dir/people.tsv" facts "$FACTS" "$dir/facts.csv" 2>>"$dir/load.err" || true)
t0=$(now)
sqlite3 "$dir/bare.db" <<SQL
CREATE TABLE facts (record_id TEXT, national_id TEXT, kind TEXT, period TEXT,
  amount INTEGER);
.mode csv
.import $dir/facts.csv facts
SQL
t1=$(now)
facts_import_s=$(secs "$t0" "$t1")
rss_feed=$(awk '/VmHWM/ { print $2 }' "/proc/$rpcd_pid/status")

# row NAME KEY: a table row for an RPC run against the echo run at the
# same number of streams.
row() {
	local name=$1 l=${R[$2]} k e
	k=$(kv "$l" streams)
	e=${R[echo$k]:-}
	if [ -z "$l" ] || [ "$(kv "$l" ok)" = 0 ]; then
		printf '%-44s %12s %9s %9s   %s\n' "$name" "failed" "-" "-" "see load.err"
		return
	fi
	printf '%-44s %12s %9s %9s   echo %s/s p99 %s ms  ratio %s%s\n' "$name" \
		"$(kv "$l" rate)/s" "$(kv "$l" p50_ms)" "$(kv "$l" p99_ms)" \
		"$(kv "$e" rate)" "$(kv "$e" p99_ms)" "$(ratio "$(kv "$l" rate)" "$(kv "$e" rate)")" \
		"$([ "$(kv "$l" errors)" = 0 ] || printf '  (%s errors)' "$(kv "$l" errors)")"
}

{
	echo
	printf 'SPIS benchmark: %s people, %s households, %s applications, %s benefits; %s s per run\n' \
		"$people" "$(kv "$gen" households)" "$(kv "$gen" applications)" \
		"$(kv "$gen" benefits)" "$SECS"
	printf 'machine: %s cores, %s, %s GB RAM; load client: spis-load, 1 connection\n' \
		"$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
	echo
	printf '%-44s %12s %9s %9s   %s\n' "what" "figure" "p50 ms" "p99 ms" "baseline (same run)"
	printf '%-44s %12s %9s %9s   %s\n' "----" "------" "------" "------" "-------------------"
	for k in 1 16 64; do
		l=${R[echo$k]}
		printf '%-44s %12s %9s %9s   %s\n' "bare gRPC-core echo, $k streams" "$(kv "$l" rate)/s" \
			"$(kv "$l" p50_ms)" "$(kv "$l" p99_ms)" "(the baseline)"
	done
	row "Health/Check, 16 streams" health
	row "GetStatusForHelpdesk (session, audit), 1" hd1
	row "GetStatusForHelpdesk (session, audit), 16" hd16
	row "GetStatusForHelpdesk (session, audit), 64" hd64
	row "GetApplication (session, audit), 16" getapp
	row "GetStatus (public, audited), 16" status
	row "GetPerson (session, audit), 16" getperson
	row "SearchPeople surname prefix + muni, 16" search
	row "RegisterPerson, 16" register
	row "Applications/Submit, 16" submit
	lr=$(awk -v n="$people" -v s="$load_s" 'BEGIN { printf "%.0f", n / s }')
	ir=$(awk -v n="$people" -v s="$import_s" 'BEGIN { printf "%.0f", n / s }')
	printf '%-44s %12s %9s %9s   .import %s rows/s (%s s)  ratio %s\n' \
		"bulk load, spis-gen (people)" "$lr/s" "$load_s s" "-" "$ir" "$import_s" \
		"$(ratio "$lr" "$ir")"
	printf '%-44s %12s %9s %9s   %s\n' "  households, memberships" \
		"$(fmt "$(awk -v n="$(kv "$gen" households)" -v s="$(kv "$gen" households_seconds)" 'BEGIN { print n / s }')")/s" \
		"$(kv "$gen" households_seconds) s" "-" "-"
	printf '%-44s %12s %9s %9s   %s\n' "  applications" \
		"$(fmt "$(awk -v n="$(kv "$gen" applications)" -v s="$(kv "$gen" applications_seconds)" 'BEGIN { print n / s }')")/s" \
		"$(kv "$gen" applications_seconds) s" "-" "-"
	printf '%-44s %12s %9s %9s   %s\n' "  decisions (review, rules, benefit, IBAN)" \
		"$(fmt "$(awk -v n="$(kv "$gen" benefits)" -v r="$(kv "$gen" rejected)" -v s="$(kv "$gen" decisions_seconds)" 'BEGIN { print (n + r) / s }')")/s" \
		"$(kv "$gen" decisions_seconds) s" "-" "-"
	if [ -n "$payrun" ]; then
		pay_n=$(kv "$payrun" payments)
		base_s=$(awk -v a="$pay_copy_s" -v b="$pay_csv_s" 'BEGIN { printf "%.3f", a + b }')
		br=$(awk -v n="$pay_base_rows" -v s="$base_s" 'BEGIN { printf "%.0f", n / s }')
		printf '%-44s %12s %9s %9s   copy + CSV %s rows/s (%s s)  ratio %s\n' \
			"payment run, $pay_n payments, $(kv "$payrun" runs) runs" "$(kv "$payrun" rate)/s" \
			"$(kv "$payrun" seconds) s" "-" "$br" "$base_s" "$(ratio "$(kv "$payrun" rate)" "$br")"
		printf '%-44s %12s %9s %9s   copy %s rows/s (%s s)  ratio %s\n' "  CreateRun" \
			"$(fmt "$(awk -v n="$pay_n" -v s="$(kv "$payrun" create_s)" 'BEGIN { print n / s }')")/s" \
			"$(kv "$payrun" create_s) s" "-" \
			"$(fmt "$(awk -v n="$pay_base_rows" -v s="$pay_copy_s" 'BEGIN { print n / s }')")" "$pay_copy_s" \
			"$(awk -v a="$pay_copy_s" -v b="$(kv "$payrun" create_s)" -v n="$pay_n" -v m="$pay_base_rows" 'BEGIN { printf "%.2f", (n / b) / (m / a) }')"
		printf '%-44s %12s %9s %9s   %s\n' "  ApproveRun (a supervisor: four eyes)" \
			"-" "$(kv "$payrun" approve_s) s" "-" "-"
		printf '%-44s %12s %9s %9s   CSV %s rows/s (%s s)  ratio %s\n' \
			"  ExportRun, pain.001 $(awk -v b="$(kv "$payrun" export_bytes)" 'BEGIN { printf "%.0f", b / 1048576 }') MB" \
			"$(fmt "$(awk -v n="$pay_n" -v s="$(kv "$payrun" export_s)" 'BEGIN { print n / s }')")/s" \
			"$(kv "$payrun" export_s) s" "-" \
			"$(fmt "$(awk -v n="$pay_base_rows" -v s="$pay_csv_s" 'BEGIN { print n / s }')")" "$pay_csv_s" \
			"$(awk -v a="$pay_csv_s" -v b="$(kv "$payrun" export_s)" -v n="$pay_n" -v m="$pay_base_rows" 'BEGIN { printf "%.2f", (n / b) / (m / a) }')"
	else
		printf '%-44s %12s %9s %9s   %s\n' "payment run" "failed" "-" "-" "see load.err"
	fi
	if [ -n "$renewal" ]; then
		rb=$(awk -v n="$ren_base_rows" -v s="$ren_copy_s" 'BEGIN { printf "%.0f", n / s }')
		printf '%-44s %12s %9s %9s   copy %s rows/s (%s s)  ratio %s\n' \
			"renewal job, $(kv "$renewal" processed) of $(kv "$renewal" due) due" \
			"$(kv "$renewal" rate)/s" "$(kv "$renewal" seconds) s" "-" "$rb" "$ren_copy_s" \
			"$(ratio "$(kv "$renewal" rate)" "$rb")"
		printf '%-44s %12s %9s %9s   durable commits %s/s (%s in %s s)  ratio %s\n' \
			"  against the disk's durable commits" "-" "-" "-" \
			"$(fmt "$(awk -v n="$ren_commits" -v s="$ren_commit_s" 'BEGIN { print n / s }')")" \
			"$ren_commits" "$ren_commit_s" \
			"$(ratio "$(kv "$renewal" rate)" "$(awk -v n="$ren_commits" -v s="$ren_commit_s" 'BEGIN { print n / s }')")"
	else
		printf '%-44s %12s %9s %9s   %s\n' "renewal job" "failed" "-" "-" "see load.err"
	fi
	if [ -n "$feed" ]; then
		fb=$(awk -v n="$(kv "$feed" facts)" -v s="$facts_import_s" 'BEGIN { printf "%.0f", n / s }')
		printf '%-44s %12s %9s %9s   .import %s rows/s (%s s)  ratio %s\n' \
			"facts fed, $(kv "$feed" stored) stored (SubmitFacts)" "$(kv "$feed" rate)/s" \
			"$(kv "$feed" seconds) s" "-" "$fb" "$facts_import_s" \
			"$(ratio "$(kv "$feed" rate)" "$fb")"
	else
		printf '%-44s %12s %9s %9s   %s\n' "facts fed" "failed" "-" "-" "see load.err"
	fi
	printf '%-44s %12s %9s %9s   C by hand %s ns  ratio %s\n' "rule_eval SOC-BEN, one household" \
		"$(kv "$rule" eval_us) us" "-" "-" "$(kv "$rule" native_ns)" \
		"$(awk -v a="$(kv "$rule" eval_us)" -v b="$(kv "$rule" native_ns)" 'BEGIN { printf "%.0f", a * 1000 / b }')"
	printf '%-44s %12s %9s %9s   %s\n' "  parse + evaluate (programme_evaluate)" \
		"$(kv "$rule" parse_eval_us) us" "-" "-" "-"
	sim_row
	printf '%-44s %12s %9s %9s   spis-echod %s MB\n' "daemon peak RSS (VmHWM), the calls" \
		"$((rss_rpcd / 1024)) MB" "-" "-" "$((rss_echo / 1024))"
	printf '%-44s %12s %9s %9s   %s\n' "  after the payment run and renewal" \
		"$((rss_jobs / 1024)) MB" "-" "-" "-"
	printf '%-44s %12s %9s %9s   %s\n' "  after the feed" \
		"$((rss_feed / 1024)) MB" "-" "-" "-"
	echo
} | tee "$dir/table.txt"
if [ -s "$dir/load.err" ]; then
	say "bench: first errors per run:"
	sort -u "$dir/load.err" | head -n 20 >&2
fi
