#!/usr/bin/env bash
# Notices: written with a decision or a benefit's end in the citizen's
# language, delivered by the configured command on its standard input,
# retried after a failure and given up after the last attempt, listed and
# printed as letters.  The checks are in notices.py.
. "$(dirname "$0")/../lib.sh"

dir=$(t_tmpdir)
mkdir -p "$dir/out"
# The command fails while $dir/fail exists, else keeps the notice.
cat >"$dir/spis.conf" <<CONF
[notices]
notice_command = test ! -e $dir/fail && cat >"\$(mktemp -p $dir/out)"
notice_retry_seconds = 1
notice_max_attempts = 3
notice_poll_seconds = 1
CONF
SPIS_OFFICERS="case19:caseworker:19" spisd_office --config "$dir/spis.conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/notices.out
"$SPIS_PYTHON" tests/integration/notices.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" "$dir" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "notices.py ran to the end" ||
	t_fail "notices.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0 with the delivery thread" ||
	t_fail "daemon exits 0 with the delivery thread" "rc=$?"
