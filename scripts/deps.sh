#!/usr/bin/env bash
# scripts/deps.sh: installs the Debian 12 packages that SPIS needs to build,
# run and test, and only those that are missing.  Running it again installs
# nothing.  Prints one line: what it installed, or "all present".
#
# Runs apt-get as root, through sudo when not root, or else says exactly
# what to install and exits 1.
set -euo pipefail

# One package a line, with what needs it.  C.UTF-8, which the terminal
# tests use, comes with libc-bin, an essential package on Debian 12.
packages=(
	build-essential     # gcc, make, libc headers
	pkg-config          # the Makefile finds every library through it
	git
	ca-certificates
	libgrpc-dev         # gRPC core, the RPC runtime in lib/
	libprotobuf-c-dev   # protobuf-c runtime
	protobuf-c-compiler # protoc-c generates the C code from proto/
	grpc-proto          # grpc/health/v1/health.proto
	libsqlite3-dev      # the store
	sqlite3             # the sqlite3 shell: the audit tests tamper with a database
	libinih-dev         # the config file parser
	libsodium-dev       # argon2id for PINs, random tokens
	libunistring-dev    # name folding (case, diacritics) for search and duplicates
	libncurses-dev      # ncursesw for the console and the kiosk
	gettext             # msgfmt for the catalogues, xgettext for make pot
	libpam0g-dev        # officer login through PAM
	libpam-wrapper      # pam_matrix.so, a test PAM stack
	libpam-oath         # pam_oath.so, the one-time code second factor
	oathtool            # computes one-time codes in the tests
	libxml2-dev         # institution and bank exchange files
	libcsv-dev          # institution and bank exchange files
	libcmocka-dev       # unit tests
	clang               # the libFuzzer targets (tests/fuzz, make FUZZ=1)
	libclang-rt-14-dev  # libFuzzer and the sanitizers' runtime for clang
	valgrind            # the console and the kiosk run under it in a test
	tmux                # drives the console and the kiosk in the tests
	valgrind            # the console and the kiosk under memcheck in the tests
	python3             # the independent gRPC client in the tests
	python3-grpcio
	python3-protobuf
	protobuf-compiler   # protoc --python_out for that client
	nghttp2-client      # h2load, load from a second process
	openssl             # test TLS certificates
	procps              # ps and pgrep, for looking at the daemons a run started
)
names=()
for p in "${packages[@]}"; do
	names+=("${p%% *}")
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query here: this script knows Debian 12 only;" \
		"install the equivalents of: ${names[*]}" >&2
	exit 1
fi

missing=()
for p in "${names[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
	exit 0
fi

# Root runs apt-get itself; anyone else goes through sudo, which may ask for
# a password on a terminal but must not wait for one without it (CI).
if [ "$(id -u)" -eq 0 ]; then
	as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
	if [ -t 0 ]; then
		as_root=(sudo env)
	else
		as_root=(sudo -n env)
	fi
else
	echo "deps: missing packages and not root (no sudo either); as root, run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/spis-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
apt=("${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get -q -y
	-o DPkg::Lock::Timeout=300)

# One line, finished when apt-get is, so that a slow first install does not
# look like a hang.
printf 'deps: installing %s ... ' "${missing[*]}"
if ! "${apt[@]}" update >"$log" 2>&1 ||
	! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	echo "failed"
	echo "deps: apt-get failed; its last lines:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi

# apt-get can succeed and still leave a package out (a held package, say).
still=()
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || still+=("$p")
done
if [ ${#still[@]} -gt 0 ]; then
	echo "failed"
	echo "deps: still missing after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "done"
