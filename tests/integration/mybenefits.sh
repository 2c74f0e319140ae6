#!/usr/bin/env bash
# A citizen's own benefits and payments at a kiosk (spis.v1.Citizen
# ListMyBenefits, ObjectMine, ListMyLetters): only the identified
# citizen's benefits, the next pay day from [payments] pay_day, the last
# payments in every status, open informative calculations, and objecting
# to one's own (once, within the window, never to someone else's), each
# change audited in its transaction.  The checks are in mybenefits.py; each
# line it prints is one check.
. "$(dirname "$0")/../lib.sh"

# A pay day other than the default, so that the setting is seen to count.
pay_day=$(( $(date -u +%d | sed 's/^0//') % 28 + 1 ))
conf=$(t_tmpdir)/spis.conf
cat >"$conf" <<CONF
[payments]
pay_day = $pay_day
[benefits]
objection_days = 30
renewal_poll_seconds = 3600
CONF
SPIS_OFFICERS="super:supervisor:" spisd_office --config "$conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/mybenefits.out
"$SPIS_PYTHON" tests/integration/mybenefits.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" "$pay_day" main >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "mybenefits.py ran to the end" ||
	t_fail "mybenefits.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the objections" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
