#!/usr/bin/env bash
# scripts/demo.sh: the README's run command.  Installs what is missing,
# builds, creates the demo registry in demo/, starts spis-rpcd on
# 127.0.0.1:50051 (or reuses the one a previous run left running), seeds a
# sample registry through its RPCs (scripts/demo_seed.py: people and
# households, benefits with bank accounts and payment runs, a renewal open
# to objection, institutions with their feeds, a citizen with a kiosk PIN),
# prints a short guide of what to try (kept in demo/guide.txt) and opens
# the officer console.
#
#   scripts/demo.sh          the officer console
#   scripts/demo.sh kiosk    the citizen kiosk, against the same daemon
#   scripts/demo.sh seed     starts and seeds only, prints the guide, and
#                            leaves the daemon running (no terminal needed)
#   scripts/demo.sh stop     stops the demo daemon (and a demo kiosk)
#
# SPIS_DEMO_PORT picks another port when 50051 is taken (0: any free one).
# For the tests: SPIS_DEMO_DIR puts the demo's files elsewhere than demo/,
# and SPIS_DEMO_BUILD=DIR uses the programs already built in DIR, with no
# package check and no build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

demo=${SPIS_DEMO_DIR:-$top/demo}
build=${SPIS_DEMO_BUILD:-$top/build}
db=$demo/spis.db
pidfile=$demo/rpcd.pid
portfile=$demo/rpcd.port
logfile=$demo/rpcd.log
kioskpid=$demo/kiosk.pid
rpcd=$build/spis-rpcd
probe=$build/tests/spis-probe
port=${SPIS_DEMO_PORT:-50051}

say() {
	printf 'demo: %s\n' "$*"
}

die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

usage() {
	echo "usage: scripts/demo.sh [console|kiosk|seed|stop]"
}

# alive PID COMMAND: the process exists, is not a zombie, and its command
# line holds COMMAND (so a reused pid does not pass for ours).
alive() {
	local pid=$1 state cmdline
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ "$cmdline" == *"$2"* ]]
}

# daemon_pid: the pid of the demo daemon when one is running, else nothing.
daemon_pid() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null || true)
	if alive "$pid" "spis-rpcd" && alive "$pid" "$db"; then
		echo "$pid"
	fi
}

# port_taken PORT: something accepts connections on 127.0.0.1:PORT.
port_taken() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# serving ADDR: the daemon at ADDR answers Health with SERVING.
serving() {
	[ "$("$probe" --deadline 1000 "$1" health 2>/dev/null)" = SERVING ]
}

# start_daemon: makes sure the demo daemon is running and SERVING, and sets
# addr to where it listens.
start_daemon() {
	local pid holder i
	pid=$(daemon_pid)
	if [ -n "$pid" ]; then
		port=$(cat "$portfile" 2>/dev/null || echo "$port")
		addr=127.0.0.1:$port
		say "using the daemon already running (pid $pid) on $addr"
	else
		addr=127.0.0.1:$port
		if [ "$port" != 0 ] && port_taken "$port"; then
			holder=
			if command -v ss >/dev/null 2>&1; then
				holder=$(ss -ltnpH "sport = :$port" 2>/dev/null |
					sed -n 's/.*users:((\("[^"]*"\).*/ (\1)/p' | head -n 1)
			fi
			die "port $port on 127.0.0.1 is taken by another program$holder;" \
				"stop it, or choose another port: SPIS_DEMO_PORT=50052 scripts/demo.sh"
		fi
		rm -f "$pidfile" "$portfile"
		# The daemon runs in a session of its own, so that keys typed in
		# this terminal never signal it, and is left to init when the
		# subshell ends, so that it outlives the console.
		(
			setsid "$rpcd" --listen "$addr" --db "$db" \
				--pam-confdir "$demo/pam.d" \
				--port-file "$portfile" </dev/null >>"$logfile" 2>&1 &
			echo $! >"$pidfile"
		)
		pid=$(cat "$pidfile")
		say "started spis-rpcd (pid $pid); log in $logfile"
	fi

	# Bounded wait: up to 30 seconds for Health to answer SERVING (on the
	# port the daemon wrote, which port 0 leaves to the system).
	for ((i = 0; i < 300; i++)); do
		if [ -s "$portfile" ]; then
			port=$(cat "$portfile")
			addr=127.0.0.1:$port
			serving "$addr" && return 0
		fi
		if ! alive "$pid" spis-rpcd; then
			tail -n 5 "$logfile" >&2 || true
			die "spis-rpcd exited; its log is $logfile"
		fi
		sleep 0.1
	done
	die "spis-rpcd (pid $pid) did not answer SERVING on $addr within 30 s;" \
		"see $logfile"
}

# The demo officer, and a clerk whose payment runs the demo officer may
# approve (a run is never approved by its maker).  Printed for the new
# user; nothing secret about them.
demo_user=demo
demo_password="demo-pass"
clerk_user="demo-clerk"
clerk_password="demo-clerk-pass"
demo_roles=clerk,caseworker,supervisor,auditor,admin,analyst

# roles_sorted LIST: a comma-separated list of roles in one order.
roles_sorted() {
	tr ',' '\n' <<<"$1" | sort | paste -sd, -
}

# add_officer USER ROLES NAME: adds an officer to the demo registry unless
# it is there; says so when an older demo gave it other roles.
add_officer() {
	local have
	have=$("$rpcd" --db "$db" officer list 2>/dev/null | awk -v u="$1" '$1 == u { print $3 }')
	if [ -z "$have" ]; then
		"$rpcd" --db "$db" officer add "$1" --role "$2" --name "$3" \
			>/dev/null 2>>"$logfile" ||
			die "could not add the officer $1; see $logfile"
	elif [ "$(roles_sorted "$have")" != "$(roles_sorted "$2")" ]; then
		say "note: \"$1\" in this older demo registry has the roles $have, not $2;" \
			"for a fresh one: scripts/demo.sh stop; rm -r $demo; scripts/demo.sh"
	fi
}

# seed_demo: brings the demo registry to life: a PAM stack of its own in
# demo/pam.d (pam_matrix from libpam-wrapper, password only, so that the
# demo touches no system account), the demo officer in the registry with
# every office role and the demo clerk, then the daemon.  A real office
# points the daemon at /etc/pam.d/spis instead, with pam_unix or pam_sss
# and pam_oath.
seed_demo() {
	local matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
	mkdir -p "$demo/pam.d"
	printf '%s:%s:spis\n' "$demo_user" "$demo_password" \
		"$clerk_user" "$clerk_password" >"$demo/passdb"
	cat >"$demo/pam.d/spis" <<PAM
# The demo's PAM stack: a password checked against demo/passdb.
auth    required $matrix passdb=$demo/passdb
account required $matrix passdb=$demo/passdb
PAM
	add_officer "$demo_user" "$demo_roles" "Demo Officer"
	add_officer "$clerk_user" clerk "Demo Clerk"
	start_daemon
	seed_registry
}

# seed_registry: a sample registry, so that a new user finds something on
# every screen of the console and the kiosk.  Goes through the daemon's
# RPCs as the demo officers (scripts/demo_seed.py), so that every record is
# checked and audited; a second run adds nothing.  The seed prints the
# guide last.  A failure is reported but does not stop the demo (the seed
# test, tests/integration/demo_seed.sh, sets SPIS_DEMO_STRICT=1 to fail).
seed_registry() {
	mkdir -p "$demo/py"
	if ! protoc --python_out="$demo/py" -Iproto proto/spis/v1/*.proto 2>>"$logfile"; then
		say "could not generate the Python client (protoc); the registry stays empty"
		[ "${SPIS_DEMO_STRICT:-0}" = 0 ] || exit 1
		return 0
	fi
	if ! /usr/bin/python3 scripts/demo_seed.py "$demo/py" "$addr" "$demo_user" \
		"$demo_password" "$demo" "$clerk_user" "$clerk_password" 2>>"$logfile"; then
		say "seeding the sample registry failed; see $logfile"
		[ "${SPIS_DEMO_STRICT:-0}" = 0 ] || exit 1
	fi
}

# stop_pid NAME PID: SIGTERM, then waits up to 30 seconds for the exit (the
# daemon finishes the calls in flight for up to grace_seconds first).
stop_pid() {
	local name=$1 pid=$2 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		alive "$pid" "$name" || return 0
		sleep 0.1
	done
	return 1
}

stop() {
	local pid stopped=0
	pid=$(cat "$kioskpid" 2>/dev/null || true)
	if alive "$pid" spis-kiosk; then
		stop_pid spis-kiosk "$pid" || die "the kiosk (pid $pid) did not exit"
		say "kiosk stopped (pid $pid)"
	fi
	rm -f "$kioskpid"
	pid=$(daemon_pid)
	if [ -n "$pid" ]; then
		stop_pid spis-rpcd "$pid" ||
			die "spis-rpcd (pid $pid) did not exit within 30 s of SIGTERM"
		say "daemon stopped (pid $pid); the registry stays in $db"
		stopped=1
	fi
	rm -f "$pidfile" "$portfile"
	[ "$stopped" = 1 ] || say "no demo daemon is running"
}

# prepare [WHAT]: what every client run needs first; WHAT, when given, is
# the program that then needs a terminal.
prepare() {
	if [ -z "${SPIS_DEMO_BUILD:-}" ]; then
		scripts/deps.sh
		make -j"$(nproc)" --no-print-directory all build/tests/spis-probe
	fi
	mkdir -p "$demo"
	seed_demo
	[ $# -gt 0 ] || return 0
	if [ ! -t 0 ] || [ ! -t 1 ]; then
		die "the daemon is running on $addr, but $1 needs a terminal;" \
			"run this in one (scripts/demo.sh stop stops the daemon)"
	fi
}

case ${1:-console} in
console)
	prepare "the console"
	say "the daemon keeps running after the console (scripts/demo.sh stop" \
		"stops it); the guide stays in ${demo#"$top"/}/guide.txt"
	read -r -p "demo: press Enter to open the officer console " _ || true
	exec "$build/spis-console" --server "$addr" --log "$demo/console.log"
	;;
kiosk)
	prepare "the kiosk"
	say "the citizen kiosk, like a real one, has no quit key:" \
		"stop it from another terminal with scripts/demo.sh stop"
	read -r -p "demo: press Enter to open the kiosk " _ || true
	# exec keeps this pid, so `scripts/demo.sh stop` can find the kiosk.
	echo $$ >"$kioskpid"
	exec "$build/spis-kiosk" --server "$addr" --log "$demo/kiosk.log"
	;;
seed)
	prepare
	say "the daemon is running on $addr (scripts/demo.sh stop stops it)"
	;;
stop)
	stop
	;;
-h | --help | help)
	usage
	;;
*)
	usage >&2
	exit 2
	;;
esac
