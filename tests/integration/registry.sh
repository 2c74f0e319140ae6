#!/usr/bin/env bash
# spis.v1.Registry on a daemon with officers in two municipalities:
# registration and its bad inputs, changes and history, as-of reads,
# search, consent, deaths, the access log, and the audit trail of refused
# attempts.  The checks are in registry.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/registry.out
"$SPIS_PYTHON" tests/integration/registry.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "registry.py ran to the end" ||
	t_fail "registry.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the registry calls" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
