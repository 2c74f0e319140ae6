#!/usr/bin/env bash
# spis.v1.Documents, the e-file: attach, list and fetch; content-addressed
# files beside the database; size, name, type and hash checks; scope,
# roles and purposes; a file altered or lost on disk.  Most checks are in
# documents.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
docs=$tmp/spis.db.files

# Two people, in municipalities 13 and 19.  Valid Lithuanian personal codes.
p13=38703181745
p19=49001011238

PYTHONPATH=$SPIS_TOP/tests "$SPIS_PYTHON" tests/integration/documents.py "$SPIS_PY" \
	"$SPISD_ADDR" "$docs" "$tmp" "$p13" "$p19" >"$tmp/out" 2>&1
rc=$?
t_report "$tmp/out"
[ "$rc" -eq 0 ] && t_ok "documents.py ran to the end" || t_fail "documents.py ran to the end" "exit $rc"

# What the client sent, what it got back, and what the daemon reported all
# have the SHA-256 that sha256sum computes.
if [ -s "$tmp/sent.pdf" ]; then
	sent=$(sha256sum <"$tmp/sent.pdf" | cut -d' ' -f1)
	t_match "reported sha256 equals sha256sum of the file sent" "^$sent\$" "$(cat "$tmp/reported.sha256")"
	t_check "fetched content is byte-identical to the file sent" cmp "$tmp/sent.pdf" "$tmp/fetched.pdf"
else
	t_fail "reported sha256 equals sha256sum of the file sent" "documents.py wrote no file"
fi
t_match "the documents folder is private (0700)" '^700$' "$(stat -c %a "$docs" 2>&1)"
t_match "no temporary files are left behind" '^0$' \
	"$(find "$docs" -name '.tmp-*' | wc -l)"
t_match "an altered file is logged with the document and what to do" \
	'document [0-9]+: .* no longer matches its SHA-256' "$(cat "$SPISD_LOG")"
t_match "a missing file is logged" 'document [0-9]+: .*No such file' "$(cat "$SPISD_LOG")"
t_check "Health still SERVING after the data loss" spis_probe "$SPISD_ADDR" health
t_check "the audit trail verifies" "$SPIS_BUILD/spis-rpcd" --db "$tmp/spis.db" audit verify

# documents_dir, from the flag: the content goes there.
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
spisd_start 0 --pam-confdir "$tmp/pam.d" --documents-dir "$tmp/elsewhere" ||
	{ t_fail "daemon restarts with --documents-dir" "see log"; exit 1; }
PYTHONPATH=$SPIS_TOP/tests "$SPIS_PYTHON" tests/integration/documents.py "$SPIS_PY" \
	"$SPISD_ADDR" "$tmp/elsewhere" "$tmp" "$p13" "$p19" custom >"$tmp/out2" 2>&1
t_report "$tmp/out2"
t_match "the log says where documents live" "documents in $tmp/elsewhere" "$(cat "$SPISD_LOG")"
spisd_stop

# The same from the config file, and an empty value refused.
printf '[store]\ndocuments_dir =\n' >"$tmp/empty.conf"
out=$("$SPIS_BUILD/spis-rpcd" --config "$tmp/empty.conf" --db "$tmp/x.db" --listen 127.0.0.1:0 2>&1)
t_match "an empty documents_dir is refused naming it" 'documents_dir' "$out"
