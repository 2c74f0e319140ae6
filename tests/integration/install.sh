# tests/integration/install.sh: `make install` with DESTDIR and PREFIX puts
# the programs, the sample config, the systemd units and the catalogues
# where they belong, with the paths filled in and the hardening intact.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)

# The install uses the build folder the suite tests, named as make names it.
build=${SPIS_BUILD#"$SPIS_TOP"/}

# do_install DESTDIR MAKE-ARGS...: a clean `make install` from the top, not
# tied to the make that may be running this suite.
do_install() {
	local dest=$1
	shift
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s --no-print-directory -C "$SPIS_TOP" install \
		DESTDIR="$dest" BUILD="$build" SAN="${SPIS_SAN:-0}" "$@"
}

# mode_is NAME MODE FILE: the file exists with exactly that mode.
mode_is() {
	local got
	if [ ! -f "$3" ]; then
		t_fail "$1" "missing: $3"
		return
	fi
	got=$(stat -c %a "$3")
	if [ "$got" = "$2" ]; then
		t_ok "$1"
	else
		t_fail "$1" "mode $got, expected $2: $3"
	fi
}

# has_line NAME FILE LINE: the file holds exactly that line.
has_line() {
	if grep -qxF -- "$3" "$2" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "no line '$3' in $2"
	fi
}

# has_lines NAME FILE LINE...: one check that the file holds every line.
has_lines() {
	local name=$1 file=$2 l missing=()
	shift 2
	for l in "$@"; do
		grep -qxF -- "$l" "$file" 2>/dev/null || missing+=("$l")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		t_ok "$name"
	else
		t_fail "$name" "missing in $file: ${missing[*]}"
	fi
}

root=$tmp/root
if ! out=$(do_install "$root" PREFIX=/usr 2>&1); then
	t_fail "make install DESTDIR PREFIX=/usr" "$(printf '%s' "$out" | tail -n 10)"
	exit 0
fi
t_ok "make install DESTDIR PREFIX=/usr"

for p in spis-rpcd spis-console spis-kiosk; do
	mode_is "$p installed 0755" 755 "$root/usr/bin/$p"
done
out=$("$root/usr/bin/spis-rpcd" --version 2>&1)
t_match "installed spis-rpcd runs" "^spis-rpcd $(tr -d '[:space:]' <"$SPIS_TOP/VERSION")\$" "$out"

mode_is "sample config installed 0644" 644 "$root/etc/spis/spis.conf.sample"
t_check "sample config is dist/spis.conf.sample" \
	cmp "$root/etc/spis/spis.conf.sample" "$SPIS_TOP/dist/spis.conf.sample"
mode_is "sample PAM stack installed 0644" 644 "$root/etc/spis/spis.pam.sample"

units=$root/usr/lib/systemd/system
rpcd_unit=$units/spis-rpcd.service
kiosk_unit=$units/spis-kiosk@.service
mode_is "spis-rpcd.service installed 0644" 644 "$rpcd_unit"
mode_is "spis-kiosk@.service installed 0644" 644 "$kiosk_unit"
for u in "$rpcd_unit" "$kiosk_unit"; do
	if grep -nE '@[A-Z_]+@' "$u" >"$tmp/left" 2>&1; then
		t_fail "no placeholder left in $(basename "$u")" "$(cat "$tmp/left")"
	else
		t_ok "no placeholder left in $(basename "$u")"
	fi
done
has_line "spis-rpcd.service runs the installed daemon with the installed config" \
	"$rpcd_unit" "ExecStart=/usr/bin/spis-rpcd --config /etc/spis/spis.conf"
t_match "spis-kiosk@.service runs the installed kiosk" \
	'^ExecStart=/usr/bin/spis-kiosk( |$)' "$(grep '^ExecStart=' "$kiosk_unit")"

# The same hardening in both units.
hardening=(DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict
	ProtectHome=yes PrivateTmp=yes ProtectKernelTunables=yes
	ProtectKernelModules=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'
	LockPersonality=yes MemoryDenyWriteExecute=yes RestrictRealtime=yes
	SystemCallArchitectures=native)
has_lines "spis-rpcd.service is hardened" "$rpcd_unit" "${hardening[@]}" \
	PrivateDevices=yes
has_lines "spis-kiosk@.service is hardened" "$kiosk_unit" "${hardening[@]}"
has_lines "spis-rpcd.service: own user, state folder, stop and restart" \
	"$rpcd_unit" User=spis StateDirectory=spis KillSignal=SIGTERM \
	Restart=on-failure
# The daemon's stop timeout leaves room for its default grace period.
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$rpcd_unit")
if [ -n "$stop" ] && [ "$stop" -gt 10 ]; then
	t_ok "spis-rpcd.service: TimeoutStopSec above grace_seconds"
else
	t_fail "spis-rpcd.service: TimeoutStopSec above grace_seconds" "TimeoutStopSec=$stop"
fi
# The kiosk runs straight on its console, with no getty or shell.
has_lines "spis-kiosk@.service: owns its console" "$kiosk_unit" \
	StandardInput=tty StandardOutput=tty TTYPath=/dev/%i TTYReset=yes \
	TTYVHangup=yes TTYVTDisallocate=yes Restart=always \
	Conflicts=getty@%i.service 'Environment=LANG=C.UTF-8 TERM=linux'
t_match "spis-kiosk@.service: ordered after the getty it replaces" \
	'getty@%i\.service' "$(grep '^After=' "$kiosk_unit")"
if grep -qE '^ExecStart=.*(/s?bin/(ba|da|z)?sh|getty)' "$kiosk_unit"; then
	t_fail "spis-kiosk@.service: no shell or getty" "$(grep '^ExecStart=' "$kiosk_unit")"
else
	t_ok "spis-kiosk@.service: no shell or getty"
fi

# Catalogues: one per po/*.po.
for po in "$SPIS_TOP"/po/*.po; do
	[ -f "$po" ] || continue
	l=$(basename "$po" .po)
	mo=$root/usr/share/locale/$l/LC_MESSAGES/spis.mo
	mode_is "catalogue $l installed 0644" 644 "$mo"
	[ -f "$mo" ] && t_check "catalogue $l is a valid catalogue" msgunfmt -o /dev/null "$mo"
done

# systemd-analyze verify, where it exists and works here (a container may
# lack what it needs): proven first on a trivial unit.  The units are
# checked with ExecStart pointing into DESTDIR, where the binaries are.
if command -v systemd-analyze >/dev/null 2>&1; then
	v=$tmp/verify
	mkdir -p "$v"
	printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' \
		>"$v/spis-probe-unit.service"
	if out=$(systemd-analyze verify "$v/spis-probe-unit.service" 2>&1) &&
		[ -z "$out" ]; then
		sed "s|/usr/bin/|$root/usr/bin/|g" "$rpcd_unit" >"$v/spis-rpcd.service"
		sed "s|/usr/bin/|$root/usr/bin/|g" "$kiosk_unit" >"$v/spis-kiosk@tty2.service"
		for u in spis-rpcd.service spis-kiosk@tty2.service; do
			if out=$(systemd-analyze verify "$v/$u" 2>&1) && [ -z "$out" ]; then
				t_ok "systemd-analyze verify $u"
			else
				t_fail "systemd-analyze verify $u" "$out"
			fi
		done
	fi
fi

# Another PREFIX and SYSCONFDIR move the binaries, the units and the paths
# in them.
opt=$tmp/opt
if out=$(do_install "$opt" PREFIX=/opt/spis SYSCONFDIR=/opt/spis/etc 2>&1); then
	t_ok "make install PREFIX=/opt/spis"
	t_check "PREFIX moves the binaries" test -x "$opt/opt/spis/bin/spis-rpcd"
	t_check "SYSCONFDIR moves the sample config" \
		test -f "$opt/opt/spis/etc/spis/spis.conf.sample"
	has_line "PREFIX and SYSCONFDIR change the installed ExecStart" \
		"$opt/opt/spis/lib/systemd/system/spis-rpcd.service" \
		"ExecStart=/opt/spis/bin/spis-rpcd --config /opt/spis/etc/spis/spis.conf"
	t_match "PREFIX changes the kiosk's ExecStart" '^ExecStart=/opt/spis/bin/spis-kiosk' \
		"$(grep '^ExecStart=' "$opt/opt/spis/lib/systemd/system/spis-kiosk@.service")"
	if [ -e "$opt/usr" ]; then
		t_fail "PREFIX=/opt/spis installs nothing under /usr" "$(find "$opt/usr" | head -n 5)"
	else
		t_ok "PREFIX=/opt/spis installs nothing under /usr"
	fi
else
	t_fail "make install PREFIX=/opt/spis" "$(printf '%s' "$out" | tail -n 10)"
fi
