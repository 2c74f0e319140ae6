# tests/lib.sh: shared helpers for the shell tests.  Sourced by every script
# under tests/integration and tests/tui; tests/run.sh runs each script and
# counts the results they record.
#
# Every check a script makes is recorded with t_ok or t_fail and counts as
# one test in the suite's "N passed, N failed" line.

set -u
SPIS_BUILD=${SPIS_BUILD:-build}
SPIS_TOP=${SPIS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$SPIS_TOP" || exit 1
case "$SPIS_BUILD" in /*) ;; *) SPIS_BUILD=$SPIS_TOP/$SPIS_BUILD ;; esac
: "${SPIS_RESULTS:=/dev/null}"
T_NAME=$(basename "$0" .sh)
T_DIRS=()
T_PIDS=()
T_TMUX=() # tmux sockets to kill at exit

# Python with Debian's grpcio, whatever python3 is first on PATH.
SPIS_PYTHON=${SPIS_PYTHON:-/usr/bin/python3}

t_ok() {
	printf 'ok   %s: %s\n' "$T_NAME" "$1"
	printf 'ok\t%s: %s\n' "$T_NAME" "$1" >>"$SPIS_RESULTS"
}

t_fail() {
	printf 'FAIL %s: %s -- %s\n' "$T_NAME" "$1" "${2:-}"
	printf 'fail\t%s: %s\n' "$T_NAME" "$1" >>"$SPIS_RESULTS"
}

# t_check NAME CMD ARGS...: ok when the command exits 0; its output is shown
# only on failure.
t_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_ok "$name"
	else
		t_fail "$name" "exit $?: $(printf '%s' "$out" | tail -n 5)"
	fi
}

# t_match NAME REGEX TEXT: ok when TEXT matches the extended regex.
t_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		t_ok "$1"
	else
		t_fail "$1" "expected /$2/ in: $(printf '%s' "$3" | tail -n 5)"
	fi
}

# t_report FILE: records each "OK name" or "FAIL name -- why" line that a
# checking program (the Python clients) wrote to FILE; other lines are shown.
t_report() {
	local line rest
	while IFS= read -r line; do
		case "$line" in
		"OK "*) t_ok "${line#OK }" ;;
		"FAIL "*) rest=${line#FAIL }; t_fail "${rest%% -- *}" "${rest#* -- }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$1"
}

# t_tmpdir: prints a fresh directory that is removed when the script ends.
t_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/spis-test.XXXXXX")
	T_DIRS+=("$d")
	printf '%s\n' "$d"
}

t_cleanup() {
	local p s d
	for s in "${T_TMUX[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for d in "${T_DIRS[@]}"; do rm -rf "$d"; done
}
trap t_cleanup EXIT

# wait_for SECONDS CMD ARGS...: polls every 0.1 s until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# spis_probe ARGS...: the C test client (tests/tools/spis-probe.c).
spis_probe() {
	"$SPIS_BUILD/tests/spis-probe" "$@"
}

# True once the port file is written; also true (ending the wait) when the
# daemon has already died, which the caller then notices.
spisd_port_or_dead() {
	test -s "$SPISD_DIR/port" || ! kill -0 "$SPISD_PID" 2>/dev/null
}

# spisd_start [PORT] [EXTRA ARGS...]: starts the daemon on 127.0.0.1 (an
# ephemeral port unless PORT is given and not 0) with a temporary database,
# waits until Health answers SERVING, and exports SPISD_PORT, SPISD_ADDR,
# SPISD_PID, SPISD_DIR (its data folder) and SPISD_LOG.  A second start
# after spisd_stop reuses SPISD_DIR, so the database survives a restart.
spisd_start() {
	local port=${1:-0}
	[ $# -gt 0 ] && shift
	if [ -z "${SPISD_DIR:-}" ]; then
		SPISD_DIR=$(t_tmpdir)
		export SPISD_DIR
	fi
	SPISD_LOG=$SPISD_DIR/rpcd.log
	rm -f "$SPISD_DIR/port"
	# SPISD_ENV: NAME=VALUE words for the daemon's environment only (the
	# fault tests preload a library that fails its disk on demand).
	# shellcheck disable=SC2086
	env ${SPISD_ENV:-} "$SPIS_BUILD/spis-rpcd" --listen "127.0.0.1:$port" \
		--db "$SPISD_DIR/spis.db" --port-file "$SPISD_DIR/port" "$@" \
		>>"$SPISD_LOG" 2>&1 &
	SPISD_PID=$!
	T_PIDS+=("$SPISD_PID")
	if ! wait_for 30 spisd_port_or_dead; then
		echo "spis-rpcd did not start; its log:" >&2
		tail -n 20 "$SPISD_LOG" >&2
		return 1
	fi
	if ! test -s "$SPISD_DIR/port"; then
		echo "spis-rpcd exited at start; its log:" >&2
		tail -n 20 "$SPISD_LOG" >&2
		return 1
	fi
	SPISD_PORT=$(cat "$SPISD_DIR/port")
	SPISD_ADDR=127.0.0.1:$SPISD_PORT
	export SPISD_PORT SPISD_ADDR SPISD_PID SPISD_LOG
	# SPISD_PROBE_OPTS: options for the readiness probe, such as --tls-ca.
	# shellcheck disable=SC2086
	if ! wait_for 30 spis_probe ${SPISD_PROBE_OPTS:-} "$SPISD_ADDR" health; then
		echo "spis-rpcd never answered SERVING; its log:" >&2
		tail -n 20 "$SPISD_LOG" >&2
		return 1
	fi
}

# spisd_stop: SIGTERM, then waits for the daemon to exit; returns its status.
spisd_stop() {
	local rc=0
	[ -n "${SPISD_PID:-}" ] || return 0
	kill -TERM "$SPISD_PID" 2>/dev/null
	wait "$SPISD_PID" || rc=$?
	SPISD_PID=
	return $rc
}

# tmux_screen SOCKET: the pane's text.
tmux_screen() {
	tmux -L "$1" capture-pane -p -J 2>/dev/null
}

# tmux_wait SOCKET REGEX [SECONDS]: polls until the screen matches the
# extended regex; on timeout prints the last screen to stderr and fails.
tmux_wait() {
	local deadline=$((SECONDS + ${3:-10}))
	while ! tmux_screen "$1" | grep -Eq -- "$2"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "--- screen while waiting for /$2/ ---" >&2
			tmux_screen "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# spisd_office [EXTRA ARGS...]: a daemon for registry tests, with a
# password-only PAM stack (pam_matrix, every password "pw") and a staff of
# officers to log in as:
#   clerk13 clerk in municipality 13     clerk19   clerk in 19
#   clerk   clerk, national              case13    caseworker in 13
#   super13 supervisor in 13             help      helpdesk, national
#   audit   auditor, national            admin     admin, national
#   vol     intermediary                 analyst   analyst, national
#   (and SPIS_OFFICERS="name:role:muni ...")
# Generates the Python messages into $SPISD_DIR/py (for tests/spisclient.py) and
# exports SPIS_PY.  Arguments go to spisd_start.
spisd_office() {
	local u role muni spec
	if [ -z "${SPISD_DIR:-}" ]; then
		SPISD_DIR=$(t_tmpdir)
		export SPISD_DIR
	fi
	mkdir -p "$SPISD_DIR/pam.d" "$SPISD_DIR/py"
	: >"$SPISD_DIR/passdb"
	cat >"$SPISD_DIR/pam.d/spis" <<PAM
auth    required /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$SPISD_DIR/passdb
account required /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$SPISD_DIR/passdb
PAM
	for spec in clerk13:clerk:13 clerk19:clerk:19 clerk:clerk: \
		case13:caseworker:13 super13:supervisor:13 help:helpdesk: \
		audit:auditor: admin:admin: vol:intermediary: analyst:analyst: \
		${SPIS_OFFICERS:-}; do
		IFS=: read -r u role muni <<<"$spec"
		echo "$u:pw:spis" >>"$SPISD_DIR/passdb"
		"$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" officer add "$u" \
			--role "$role" ${muni:+--municipality "$muni"} >/dev/null || return 1
	done
	protoc --python_out="$SPISD_DIR/py" -Iproto proto/spis/v1/*.proto || return 1
	SPIS_PY=$SPISD_DIR/py
	export SPIS_PY
	spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" "$@"
}
