#!/usr/bin/env bash
# Fuzzing (libFuzzer, clang, with ASan and UBSan): every target in
# tests/fuzz/ is built into build-fuzz/, then each is run over every input
# in tests/fuzz/regress/<target>/ (each a crash found once, kept so it
# never comes back) and tests/fuzz/seeds/<target>/, and then fuzzed from
# the seeds for SPIS_FUZZ_SECONDS (default 20) seconds.  A finding fails
# the check and the input is printed in base64, to be added to regress/.
# Under SPIS_SAN=1 (the sanitizer pass of the suite) only the inputs are
# run again: the fuzzing itself is the plain pass's.  Longer runs: see the
# README's Development section.
. "$(dirname "$0")/../lib.sh"

dir=$(t_tmpdir)
if ! command -v clang >/dev/null 2>&1; then
	t_fail "clang is installed for the fuzz targets" "scripts/deps.sh installs it"
	exit 0
fi
if make -s --no-print-directory FUZZ=1 -j"$(nproc)" fuzz-bin >"$dir/build.log" 2>&1; then
	t_ok "the fuzz targets build (make FUZZ=1 fuzz-bin)"
else
	t_fail "the fuzz targets build (make FUZZ=1 fuzz-bin)" "$(grep -m 5 -E 'error|Error' "$dir/build.log")"
	exit 0
fi
targets=(build-fuzz/fuzz/fuzz_*)
t_check "there are fuzz targets (${#targets[@]})" test "${#targets[@]}" -ge 3

secs=${SPIS_FUZZ_SECONDS:-20}
for bin in "${targets[@]}"; do
	name=$(basename "$bin")
	inputs=()
	for f in tests/fuzz/regress/"$name"/* tests/fuzz/seeds/"$name"/*; do
		[ -f "$f" ] && inputs+=("$f")
	done
	if [ "${#inputs[@]}" -gt 0 ]; then
		if "$bin" -rss_limit_mb=2048 "${inputs[@]}" >"$dir/$name.inputs.log" 2>&1; then
			t_ok "$name: its ${#inputs[@]} regression and seed inputs run clean"
		else
			t_fail "$name: its ${#inputs[@]} regression and seed inputs run clean" \
				"$(grep -m 3 -E 'ERROR|SUMMARY|Running:' "$dir/$name.inputs.log")"
		fi
	else
		t_fail "$name: has seed inputs in tests/fuzz/seeds/$name" "none"
	fi
	[ "${SPIS_SAN:-0}" = 1 ] && continue
	corpus=$dir/$name.corpus
	mkdir -p "$corpus"
	cp tests/fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null
	if "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$dir/$name-" -print_final_stats=1 "$corpus" \
		>"$dir/$name.log" 2>&1; then
		runs=$(grep -m 1 -oE 'stat::number_of_executed_units: *[0-9]+' "$dir/$name.log" | grep -oE '[0-9]+$')
		t_ok "$name: fuzzed ${secs}s (${runs:-?} inputs) without a finding"
	else
		art=$(ls "$dir/$name"-* 2>/dev/null | head -n 1)
		t_fail "$name: fuzzed ${secs}s without a finding" \
			"$(grep -m 2 -E 'ERROR|SUMMARY' "$dir/$name.log"); input (base64): $( [ -n "$art" ] && base64 -w0 "$art")"
	fi
done
