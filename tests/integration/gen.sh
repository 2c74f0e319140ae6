#!/usr/bin/env bash
# tests/integration/gen.sh: the synthetic registry generator (bench/spis-gen)
# at a tiny size: the counts it reports are what the registry holds, every
# personal code is valid and agrees with the birth date and sex, names keep
# their diacritics, every benefit has its decision with the rule snapshot
# and a beneficiary with a valid IBAN, the same seed gives the same
# registry, and the daemon serves the result (a person, an application's
# status).  No timing.
. "$(dirname "$0")/../lib.sh"

gen=$SPIS_BUILD/bench/spis-gen
d=$(t_tmpdir)
q() { sqlite3 -readonly "$1" "$2"; }

out=$("$gen" --db "$d/a.db" --people 300 --seed 7 --csv "$d/a.csv" \
	--refs "$d/a.tsv" 2>"$d/gen.log")
t_match "generator reports 300 people" '^people=300$' "$out"
t_check "300 people in the registry" test "$(q "$d/a.db" "SELECT count(*) FROM people")" = 300
hh=$(printf '%s\n' "$out" | sed -n 's/^households=//p')
apps=$(printf '%s\n' "$out" | sed -n 's/^applications=//p')
t_check "households as reported ($hh)" test "$(q "$d/a.db" "SELECT count(*) FROM households")" = "$hh"
t_check "applications as reported ($apps)" test "$(q "$d/a.db" "SELECT count(*) FROM applications")" = "$apps"
t_check "about a third applied" test "$apps" -ge 60 -a "$apps" -le 100
bens=$(printf '%s\n' "$out" | sed -n 's/^benefits=//p')
rej=$(printf '%s\n' "$out" | sed -n 's/^rejected=//p')
# A fifth is wanted; at this size the eligible may run out a little short.
t_check "about a fifth of the people hold a benefit ($bens)" test "$bens" -ge 45 -a "$bens" -le 60
t_check "benefits as reported" test "$(q "$d/a.db" "SELECT count(*) FROM benefits WHERE state = 'active'")" = "$bens"
t_check "approved and rejected as reported" test \
	"$(q "$d/a.db" "SELECT count(*) FROM applications WHERE state = 'approved'") $(q "$d/a.db" "SELECT count(*) FROM applications WHERE state = 'rejected'")" = "$bens $rej"
t_check "every benefit has its approval with the computed amount" test \
	"$(q "$d/a.db" "SELECT count(*) FROM benefits b WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = b.application_id AND d.outcome = 'approved' AND d.amount = b.amount AND d.engine_eligible = 1 AND d.override = 0)")" = 0
t_check "every decision keeps its inputs and clauses" test \
	"$(q "$d/a.db" "SELECT count(*) FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM decision_inputs i WHERE i.decision_id = d.id) OR NOT EXISTS (SELECT 1 FROM decision_clauses c WHERE c.decision_id = d.id)")" = 0
t_check "decided applications went through review" test \
	"$(q "$d/a.db" "SELECT count(DISTINCT application_id) FROM application_transitions WHERE to_state = 'in_review'")" = $((bens + rej))
t_check "every beneficiary has a bank account" test \
	"$(q "$d/a.db" "SELECT count(*) FROM benefits b LEFT JOIN bank_accounts ba USING (national_id) WHERE ba.iban IS NULL")" = 0
t_check "renewals fall due by 2026-06-30" test \
	"$(q "$d/a.db" "SELECT count(*) FROM benefits b JOIN programmes p ON p.code = b.programme WHERE p.auto_renew = 1 AND (b.renew_on = '' OR b.renew_on > '2026-06-30')")" = 0
# Every IBAN checked by an independent mod 97 (ISO 13616).
q "$d/a.db" "SELECT iban FROM bank_accounts" >"$d/ibans"
badiban=$("$SPIS_PYTHON" - "$d/ibans" <<'PY'
import sys
bad = 0
for line in open(sys.argv[1]):
    i = line.strip()
    r = i[4:] + i[:4]
    n = "".join(str(int(c, 36)) for c in r)
    if not (len(i) == 20 and i.startswith("LT") and i[2:].isdigit() and int(n) % 97 == 1):
        bad += 1
        print(i, file=sys.stderr)
print(bad)
PY
)
t_check "every IBAN valid (LT, 20 characters, mod 97)" test "$badiban" = 0
t_check "everyone is in one household" test \
	"$(q "$d/a.db" "SELECT count(DISTINCT national_id) FROM memberships WHERE to_date = ''")" = 300
t_check "one head per household" test \
	"$(q "$d/a.db" "SELECT count(*) FROM memberships WHERE relationship = 'head'")" = "$hh"
t_check "households of 1 to 6" test \
	"$(q "$d/a.db" "SELECT count(*) FROM (SELECT household_id, count(*) n FROM memberships GROUP BY 1) WHERE n < 1 OR n > 6")" = 0
t_check "the CSV has every person" test "$(wc -l <"$d/a.csv")" = 300
t_check "the references file has every application" test "$(wc -l <"$d/a.tsv")" = "$apps"
t_check "one audit row per change at least" test \
	"$(q "$d/a.db" "SELECT count(*) FROM audit")" -ge $((300 + 300 + apps))
t_check "history rows written by the store" test \
	"$(q "$d/a.db" "SELECT count(DISTINCT national_id) FROM person_history")" = 300
t_match "names with Lithuanian diacritics" '[ąčęėįšųūžĄČĘĖĮŠŲŪŽ]' \
	"$(q "$d/a.db" "SELECT surname || given_names FROM people")"
t_check "more than one municipality" test \
	"$(q "$d/a.db" "SELECT count(DISTINCT municipality) FROM people")" -gt 5

# Every code checked by an independent implementation of the LT rules.
q "$d/a.db" "SELECT national_id, birth_date, sex FROM people" >"$d/ids"
bad=$("$SPIS_PYTHON" - "$d/ids" <<'PY'
import sys
def check(c, birth, sex):
    if len(c) != 11 or not c.isdigit():
        return False
    d = [int(x) for x in c]
    s = sum(d[i] * (i % 9 + 1) for i in range(10)) % 11
    if s == 10:
        s = sum(d[i] * ((i + 2) % 9 + 1) for i in range(10)) % 11
        if s == 10:
            s = 0
    century = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}.get(d[0])
    if century is None or s != d[10]:
        return False
    if "%d-%s-%s" % (century + int(c[1:3]), c[3:5], c[5:7]) != birth:
        return False
    return ("F" if d[0] % 2 == 0 else "M") == sex
bad = 0
for line in open(sys.argv[1]):
    c, birth, sex = line.rstrip("\n").split("|")
    if not check(c, birth, sex):
        bad += 1
        print(c, birth, sex, file=sys.stderr)
print(bad)
PY
)
t_check "every personal code valid, agreeing with birth date and sex" test "$bad" = 0

"$gen" --db "$d/b.db" --people 300 --seed 7 --csv "$d/b.csv" >/dev/null 2>&1
t_check "the same seed gives the same people" cmp -s "$d/a.csv" "$d/b.csv"
bq="SELECT a.reference, a.state, b.national_id, b.programme, b.amount, b.start_date, b.renew_on, ba.iban FROM applications a LEFT JOIN benefits b ON b.application_id = a.id LEFT JOIN bank_accounts ba ON ba.national_id = b.national_id ORDER BY a.reference"
q "$d/a.db" "$bq" >"$d/a.ben"
q "$d/b.db" "$bq" >"$d/b.ben"
t_check "the same seed gives the same decisions, benefits and IBANs" cmp -s "$d/a.ben" "$d/b.ben"
out=$("$gen" --db "$d/c.db" --people 300 --seed 8 --benefits 20 --csv "$d/c.csv" 2>/dev/null)
t_match "--benefits 20 makes 20 benefits" '^benefits=20$' "$out"
t_check "--benefits 20: 20 in the registry" test "$(q "$d/c.db" "SELECT count(*) FROM benefits")" = 20
t_check "another seed gives other people" bash -c "! cmp -s '$d/a.csv' '$d/c.csv'"

# The daemon opens the generated registry as its own.
SPISD_DIR=$d/daemon
mkdir -p "$SPISD_DIR"
cp "$d/a.db" "$SPISD_DIR/spis.db"
cp "$d/a.db.auditkey" "$SPISD_DIR/spis.db.auditkey"
spisd_office
t_check "audit verify passes on the generated registry" \
	"$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify
r=$("$SPIS_BUILD/bench/spis-load" --target "$SPISD_ADDR" --streams 1 --seconds 0.2 \
	--warmup 0 --input "$d/a.tsv" status 2>&1)
t_match "the daemon answers the status of a generated application" 'errors=0' "$r"
tok=$("$SPIS_BUILD/bench/spis-load" --target "$SPISD_ADDR" login clerk pw)
q "$d/a.db" "SELECT national_id, surname, municipality FROM people LIMIT 5" | tr '|' '\t' >"$d/p.tsv"
r=$("$SPIS_BUILD/bench/spis-load" --target "$SPISD_ADDR" --token "$tok" --streams 1 \
	--seconds 0.2 --warmup 0 --input "$d/p.tsv" get-person 2>&1)
t_match "the daemon opens a generated person" 'errors=0' "$r"
t_check "a bad size is refused" bash -c "! '$gen' --db '$d/x.db' --people 0 2>/dev/null"
spisd_stop
