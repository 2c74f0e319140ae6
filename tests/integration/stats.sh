#!/usr/bin/env bash
# spis.v1.Stats: public tables equal to brute-force counts, small cells
# and their complements suppressed so that solving the totals recovers
# nothing, CSV the same as the reply, research samples without
# identifiers, unlinkable between extracts, for analysts only; all of it
# audited.  The checks are in stats.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

conf=$(t_tmpdir)/stats.conf
printf '[stats]\nmin_cell = 5\nresearch_min_municipality = 8\npublic_per_minute = 200\n' >"$conf"
SPIS_OFFICERS="casen:caseworker:" spisd_office --config "$conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/stats.out
"$SPIS_PYTHON" tests/integration/stats.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "stats.py ran to the end" ||
	t_fail "stats.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the statistics calls" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
