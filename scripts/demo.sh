#!/usr/bin/env bash
# scripts/demo.sh: the README's run command.  Installs what is missing,
# builds, creates the demo registry in demo/, starts spis-rpcd on
# 127.0.0.1:50051 (or reuses the one a previous run left running), seeds a
# small sample registry through its RPCs (scripts/demo_seed.py: ten people,
# two households, a citizen with a kiosk PIN, printed) and opens the
# officer console.
#
#   scripts/demo.sh          the officer console
#   scripts/demo.sh kiosk    the citizen kiosk, against the same daemon
#   scripts/demo.sh stop     stops the demo daemon (and a demo kiosk)
#
# SPIS_DEMO_PORT picks another port when 50051 is taken.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

demo=$top/demo
db=$demo/spis.db
pidfile=$demo/rpcd.pid
portfile=$demo/rpcd.port
logfile=$demo/rpcd.log
kioskpid=$demo/kiosk.pid
rpcd=$top/build/spis-rpcd
probe=$top/build/tests/spis-probe
port=${SPIS_DEMO_PORT:-50051}

say() {
	printf 'demo: %s\n' "$*"
}

die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

usage() {
	echo "usage: scripts/demo.sh [console|kiosk|stop]"
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
		if port_taken "$port"; then
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
		say "started spis-rpcd (pid $pid) on $addr; log in demo/rpcd.log"
	fi

	# Bounded wait: up to 30 seconds for Health to answer SERVING.
	for ((i = 0; i < 300; i++)); do
		serving "$addr" && return 0
		if ! alive "$pid" spis-rpcd; then
			tail -n 5 "$logfile" >&2 || true
			die "spis-rpcd exited; its log is demo/rpcd.log"
		fi
		sleep 0.1
	done
	die "spis-rpcd (pid $pid) did not answer SERVING on $addr within 30 s;" \
		"see demo/rpcd.log"
}

# The demo officer.  Printed for the new user; nothing secret about it.
demo_user=demo
demo_password=demo-pass

# seed_demo: brings the demo registry to life: a PAM stack of its own in
# demo/pam.d (pam_matrix from libpam-wrapper, password only, so that the
# demo touches no system account), the demo officer in the registry with
# every office role, then the daemon.  A real office points the daemon at
# /etc/pam.d/spis instead, with pam_unix or pam_sss and pam_oath.
seed_demo() {
	local matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
	mkdir -p "$demo/pam.d"
	printf '%s:%s:spis\n' "$demo_user" "$demo_password" >"$demo/passdb"
	cat >"$demo/pam.d/spis" <<PAM
# The demo's PAM stack: a password checked against demo/passdb.
auth    required $matrix passdb=$demo/passdb
account required $matrix passdb=$demo/passdb
PAM
	if ! "$rpcd" --db "$db" officer list 2>/dev/null | grep -q "^$demo_user "; then
		"$rpcd" --db "$db" officer add "$demo_user" \
			--role clerk,caseworker,supervisor,auditor,admin \
			--name "Demo Officer" >/dev/null 2>>"$logfile" ||
			die "could not add the demo officer; see demo/rpcd.log"
	fi
	start_daemon
	seed_registry
	say "log in as \"$demo_user\" with the password \"$demo_password\""
}

# seed_registry: a small sample registry, so that a new user finds people
# to search for, households and a citizen who can use the kiosk.  Goes
# through the daemon's RPCs as the demo officer (scripts/demo_seed.py), so
# that every record is checked and audited; a second run adds nothing.  A
# failure is reported but does not stop the demo.
seed_registry() {
	mkdir -p "$demo/py"
	if ! protoc --python_out="$demo/py" -Iproto proto/spis/v1/*.proto 2>>"$logfile"; then
		say "could not generate the Python client (protoc); the registry stays empty"
		return 0
	fi
	/usr/bin/python3 scripts/demo_seed.py "$demo/py" "$addr" "$demo_user" \
		"$demo_password" "$demo" 2>>"$logfile" ||
		say "seeding the sample registry failed; see demo/rpcd.log"
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
		say "daemon stopped (pid $pid); the registry stays in demo/spis.db"
		stopped=1
	fi
	rm -f "$pidfile" "$portfile"
	[ "$stopped" = 1 ] || say "no demo daemon is running"
}

# prepare: what every client run needs first.
prepare() {
	scripts/deps.sh
	make -j"$(nproc)" --no-print-directory all build/tests/spis-probe
	mkdir -p "$demo"
	seed_demo
	if [ ! -t 0 ] || [ ! -t 1 ]; then
		die "the daemon is running on $addr, but $1 needs a terminal;" \
			"run this in one (scripts/demo.sh stop stops the daemon)"
	fi
}

case ${1:-console} in
console)
	prepare "the console"
	say "opening the officer console; the daemon keeps running after it" \
		"(scripts/demo.sh stop stops it)"
	exec "$top/build/spis-console" --server "$addr" --log "$demo/console.log"
	;;
kiosk)
	prepare "the kiosk"
	say "opening the citizen kiosk.  Like a real one it has no quit key:" \
		"stop it from another terminal with scripts/demo.sh stop"
	sleep 3
	# exec keeps this pid, so `scripts/demo.sh stop` can find the kiosk.
	echo $$ >"$kioskpid"
	exec "$top/build/spis-kiosk" --server "$addr" --log "$demo/kiosk.log"
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
