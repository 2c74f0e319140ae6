#!/usr/bin/env bash
# ContinueLogin is bound to the address that started the login: a login
# begun from 127.0.0.1 is refused from 127.0.0.2 like an unknown login_id,
# and the refusal is audited.  The checks are in login_peer.py.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
out=$(t_tmpdir)/out
"$SPIS_PYTHON" tests/integration/login_peer.py "$SPIS_PY" "$SPISD_PORT" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "login_peer.py ran to the end" || t_fail "login_peer.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
