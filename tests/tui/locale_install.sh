#!/usr/bin/env bash
# The catalogues of an installed console are found whatever prefix it was
# installed under: `make` compiles in /usr/local/share/locale, and
# `make install PREFIX=/usr` puts the binary in /usr/bin and the catalogues
# in /usr/share/locale.  The layout is copied by hand into a temporary
# prefix, as install does it, so that no build is redone here.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
prefix=$tmp/usr
mo=$SPIS_BUILD/locale/lt/LC_MESSAGES/spis.mo
unset SPIS_LOCALEDIR
lt_usage='--help +parodyti šią pagalbą ir baigti'

install -D -m 0755 "$SPIS_BUILD/spis-console" "$prefix/bin/spis-console"
# Without catalogues beside it, the binary has only the compiled-in folder,
# where nothing is installed on a test machine: English.  This proves the
# check below can tell the two apart.
out=$(env LANG=C.UTF-8 LANGUAGE=lt "$prefix/bin/spis-console" --help 2>&1)
if [ -e "$(strings "$SPIS_BUILD/spis-console" | grep -m1 '/share/locale$')/lt/LC_MESSAGES/spis.mo" ]; then
	t_ok "control skipped: a catalogue is installed at the compiled-in path"
else
	t_match "without installed catalogues: English" '--help +show this help and exit' "$out"
fi

install -D -m 0644 "$mo" "$prefix/share/locale/lt/LC_MESSAGES/spis.mo"
out=$(env LANG=C.UTF-8 LANGUAGE=lt "$prefix/bin/spis-console" --help 2>&1)
t_match "installed under another prefix: Lithuanian from ../share/locale" "$lt_usage" "$out"

# A folder named locale beside the binary that holds no catalogue does not
# hide the installed ones.
mkdir -p "$prefix/bin/locale"
out=$(env LANG=C.UTF-8 LANGUAGE=lt "$prefix/bin/spis-console" --help 2>&1)
t_match "an empty bin/locale does not hide share/locale" "$lt_usage" "$out"

# The build tree's own folder still wins over share/locale.
out=$(env LANG=C.UTF-8 LANGUAGE=lt "$SPIS_BUILD/spis-console" --help 2>&1)
t_match "the build tree finds its own catalogues" "$lt_usage" "$out"
