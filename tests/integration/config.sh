# tests/integration/config.sh: spis-rpcd's flags and config file.  A bad
# flag or config stops the daemon with one line naming the culprit; values
# from the file are used, and flags override them.
. "$(dirname "$0")/../lib.sh"

rpcd=$SPIS_BUILD/spis-rpcd
dir=$(t_tmpdir)
cd "$dir" || exit 1

# refused NAME REGEX ARGS...: the daemon, given ARGS, exits non-zero without
# creating its database and prints exactly one line on stderr, matching
# REGEX.  Each run is bounded, so a daemon that wrongly starts is stopped.
refused() {
	local name=$1 re=$2 rc=0 err lines
	shift 2
	rm -f "$dir/refused.db"
	timeout 10 "$rpcd" --db "$dir/refused.db" "$@" \
		>"$dir/out" 2>"$dir/err" </dev/null || rc=$?
	err=$(cat "$dir/err")
	lines=$(wc -l <"$dir/err")
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
		t_fail "$name" "exit $rc (124: still running after 10 s); stderr: $err"
	elif [ "$lines" -ne 1 ]; then
		t_fail "$name" "expected one line on stderr, got $lines: $err"
	elif ! printf '%s' "$err" | grep -Eq -- "$re"; then
		t_fail "$name" "expected /$re/ in: $err"
	elif [ -e "$dir/refused.db" ]; then
		t_fail "$name" "exited $rc but created its database"
	else
		t_ok "$name"
	fi
}

# --help and --version.
out=$("$rpcd" --help 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then t_ok "--help exits 0"; else t_fail "--help exits 0" "exit $rc"; fi
t_match "--help lists --listen" '--listen' "$out"
t_match "--help lists --config" '--config' "$out"
version=$(tr -d '[:space:]' <"$SPIS_TOP/VERSION")
out=$("$rpcd" --version 2>&1)
t_match "--version prints the VERSION file's version" "^spis-rpcd ${version//./\\.}\$" "$out"

# Bad flags.
refused "unknown flag is refused and named" '^spis-rpcd: .*--no-such-flag' \
	--listen 127.0.0.1:0 --no-such-flag
refused "flag missing its value is refused and named" '^spis-rpcd: .*--threads.*value' \
	--listen 127.0.0.1:0 --threads
refused "bad --threads is refused and named" '^spis-rpcd: --threads: .*"many"' \
	--listen 127.0.0.1:0 --threads many
refused "out of range --threads is refused" '^spis-rpcd: --threads: .*"65"' \
	--listen 127.0.0.1:0 --threads 65
refused "bad --country is refused and named" '^spis-rpcd: --country: .*"XX"' \
	--listen 127.0.0.1:0 --country XX
refused "unknown command is refused and named" '^spis-rpcd: .*"stray"' \
	--listen 127.0.0.1:0 stray

# Bad config files.
refused "missing config is refused and named" "^spis-rpcd: config $dir/none\\.conf: " \
	--listen 127.0.0.1:0 --config "$dir/none.conf"
mkdir "$dir/folder.conf"
refused "config that is a folder is refused and named" "^spis-rpcd: config $dir/folder\\.conf" \
	--listen 127.0.0.1:0 --config "$dir/folder.conf"
printf '[server]\nlisten = 127.0.0.1:0\nthreads = 2\nshoe_size = 42\n' >"$dir/unknown.conf"
refused "unknown config key is refused with file, line and key" \
	"^spis-rpcd: config $dir/unknown\\.conf line 4: .*shoe_size" \
	--config "$dir/unknown.conf"
printf '[server]\nlisten = 127.0.0.1:0\n[log]\nlog_level = loud\n' >"$dir/badvalue.conf"
refused "bad config value is refused with file, line and key" \
	"^spis-rpcd: config $dir/badvalue\\.conf line 4: log_level.*\"loud\"" \
	--config "$dir/badvalue.conf"
printf '[server]\nlisten = 127.0.0.1:0\n[storage]\ndb = x.db\n' >"$dir/section.conf"
refused "unknown config section is refused and named" \
	"^spis-rpcd: config $dir/section\\.conf line [34]: .*storage" \
	--config "$dir/section.conf"
printf 'listen = 127.0.0.1:0\nthis is not ini\n' >"$dir/garbage.conf"
refused "config that is not INI is refused and named" \
	"^spis-rpcd: config $dir/garbage\\.conf line [12]" \
	--config "$dir/garbage.conf"

# Plaintext off loopback, from a flag or from the file.
refused "--listen 0.0.0.0 without TLS is refused" 'TLS' --listen 0.0.0.0:0
printf '[server]\nlisten = 0.0.0.0:0\n' >"$dir/open.conf"
refused "listen = 0.0.0.0 in the file without TLS is refused" 'TLS' \
	--config "$dir/open.conf"

# The sample config is accepted as shipped, with flags for what differs.
rm -f "$dir/sample.port"
"$rpcd" --config "$SPIS_TOP/dist/spis.conf.sample" --db "$dir/sample.db" \
	--listen 127.0.0.1:0 --port-file "$dir/sample.port" >"$dir/sample.log" 2>&1 &
pid=$!
T_PIDS+=("$pid")
if wait_for 30 test -s "$dir/sample.port" &&
	wait_for 30 spis_probe "127.0.0.1:$(cat "$dir/sample.port")" health; then
	t_ok "dist/spis.conf.sample is accepted"
else
	t_fail "dist/spis.conf.sample is accepted" "$(tail -n 5 "$dir/sample.log")"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# Every key in the sample, the commented ones too, is accepted: uncomment
# them all, with real files for TLS and a real folder for PAM.
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$dir/tls.key" -out "$dir/tls.crt" -days 1 -subj /CN=localhost \
	>"$dir/openssl.log" 2>&1; then
	sed -E -e 's/^# ([a-z_]+ = )/\1/' \
		-e "s|^tls_cert = .*|tls_cert = $dir/tls.crt|" \
		-e "s|^tls_key = .*|tls_key = $dir/tls.key|" \
		-e "s|^tls_client_ca = .*|tls_client_ca = $dir/tls.crt|" \
		-e "s|^pam_confdir = .*|pam_confdir = $dir|" \
		-e "s|^port_file = .*|port_file = $dir/all.port|" \
		-e "s|^db = .*|db = $dir/all.db|" \
		-e "s|^audit_key = .*|audit_key = $dir/all.auditkey|" \
		-e "s|^audit_head = .*|audit_head = $dir/all.audithead|" \
		-e "s|^listen = .*|listen = 127.0.0.1:0|" \
		"$SPIS_TOP/dist/spis.conf.sample" >"$dir/all.conf"
	"$rpcd" --config "$dir/all.conf" >"$dir/all.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	if wait_for 30 test -s "$dir/all.port"; then
		t_ok "every key of dist/spis.conf.sample is accepted"
	else
		t_fail "every key of dist/spis.conf.sample is accepted" \
			"$(tail -n 5 "$dir/all.log")"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	t_check "audit_key and audit_head name the audit files" \
		test -s "$dir/all.auditkey" -a -s "$dir/all.audithead" -a ! -e "$dir/all.db.auditkey"
else
	t_fail "every key of dist/spis.conf.sample is accepted" \
		"openssl: $(tail -n 3 "$dir/openssl.log")"
fi

# start_with LOG ARGS...: starts the daemon in the background with ARGS and
# sets pid; the caller waits for what it expects.
start_with() {
	local log=$1
	shift
	"$rpcd" "$@" >"$log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
}

# Values from the file are used: listen, port_file, db, country, log_level.
cat >"$dir/file.conf" <<EOF
# A comment, then every section.
[server]
listen = 127.0.0.1:0
port_file = $dir/file.port
threads = 1
grace_seconds = 2
[store]
db = $dir/file.db
[log]
log_level = warn
[registry]
country = TR
EOF
start_with "$dir/file.log" --config "$dir/file.conf"
if wait_for 30 test -s "$dir/file.port"; then
	t_ok "config file: listen with port 0 and port_file are used"
	addr=127.0.0.1:$(cat "$dir/file.port")
	out=$(wait_for 30 spis_probe "$addr" health && spis_probe "$addr" health)
	t_match "config file: daemon answers Health SERVING" '^SERVING$' "$out"
	out=$(spis_probe "$addr" version 2>&1)
	t_match "config file: country is used" '^country=TR$' "$out"
	t_check "config file: db is used" test -f "$dir/file.db"
	if grep -q 'serving on' "$dir/file.log"; then
		t_fail "config file: log_level is used" "info line logged at warn"
	else
		t_ok "config file: log_level is used"
	fi
else
	t_fail "config file: listen with port 0 and port_file are used" \
		"$(tail -n 5 "$dir/file.log")"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then t_ok "config file: SIGTERM exits 0"; else t_fail "config file: SIGTERM exits 0" "exit $rc"; fi

# Flags override the file, whichever side of --config they stand.
rm -f "$dir/file.port" "$dir/file.db"
start_with "$dir/flags.log" --db "$dir/flag.db" --config "$dir/file.conf" \
	--port-file "$dir/flag.port" --country LT --log-level info
if wait_for 30 test -s "$dir/flag.port"; then
	t_ok "flag overrides the file: --port-file"
	addr=127.0.0.1:$(cat "$dir/flag.port")
	wait_for 30 spis_probe "$addr" health
	out=$(spis_probe "$addr" version 2>&1)
	t_match "flag overrides the file: --country" '^country=LT$' "$out"
	if [ -f "$dir/flag.db" ] && [ ! -e "$dir/file.db" ]; then
		t_ok "flag overrides the file: --db before --config"
	else
		t_fail "flag overrides the file: --db before --config" "$(ls "$dir")"
	fi
	t_check "flag overrides the file: --log-level" grep -q 'serving on' "$dir/flags.log"
	t_check "flag overrides the file: no port file at the file's path" \
		test ! -e "$dir/file.port"
else
	t_fail "flag overrides the file: --port-file" "$(tail -n 5 "$dir/flags.log")"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
