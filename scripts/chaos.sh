#!/usr/bin/env bash
# chaos.sh proves the promise under faults, load and hostile input: it runs
# the chaos scenarios (internal/chaos with CHAOS=1: worker SIGKILLs, Redis
# restarts and crashes, dropped connections, hostile origins, the API under
# wrk), then a short run of every fuzz target, and prints a summary.
#
# Environment: FUZZTIME (default 8s) is each fuzz target's budget; GO
# (default go). The logs stay in a temporary directory, named at the end.
# A fuzz target that fails leaves its input under the package's
# testdata/fuzz/, where go test replays it from then on.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-8s}
logs=$(mktemp -d -t urlcheck-chaos.XXXXXX)
start=$(date +%s)
failed=0

header() { printf '\n==== %s\n\n' "$*"; }

# ensure_wrk installs wrk for the API load scenario when it is missing and
# this shell may install packages; otherwise that scenario skips itself.
ensure_wrk() {
	if command -v wrk >/dev/null; then
		return
	fi
	local sudo=
	if [[ $(id -u) != 0 ]]; then
		if ! sudo -n true 2>/dev/null; then
			echo "notice: wrk is not installed and cannot be installed here; the API load scenario will be skipped"
			return
		fi
		sudo="sudo -n"
	fi
	header "installing wrk for the API load scenario"
	if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >"$logs/wrk-install.log" 2>&1; then
		echo "notice: installing wrk failed (see $logs/wrk-install.log); the API load scenario will be skipped"
	fi
}

run_scenarios() {
	header "chaos scenarios (CHAOS=1 go test ./internal/chaos/)"
	CHAOS=1 $GO test -count=1 -v -timeout 20m ./internal/chaos/ 2>&1 | tee "$logs/chaos.log" |
		grep -E '^(=== RUN|--- |    [a-z_]+_test\.go:[0-9]+: CHAOS-|FAIL|ok|PASS)'
	local status=("${PIPESTATUS[@]}")
	if [[ ${status[0]} != 0 ]]; then
		echo "chaos scenarios FAILED; full log: $logs/chaos.log"
		failed=1
	fi
}

# fuzz_targets lists "package target" pairs: every fuzz test of the module.
fuzz_targets() {
	grep -rl --include='*_test.go' '^func Fuzz' internal cmd 2>/dev/null | sort | while read -r f; do
		grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |./$(dirname "$f")/ |"
	done
}

# fuzz_one fuzzes one target and prints pass, FAIL or flake. Go 1.26 may
# fail a run with "context deadline exceeded" at the -fuzztime boundary
# without any failing input (go.dev/issue/75804, fixed in Go 1.27); such a
# run is tried once more, and counts as a flake, not a failure, if it
# happens again. A real finding always writes a failing input.
fuzz_one() {
	local pkg=$1 target=$2 log=$3
	for _ in 1 2; do
		if $GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
			echo pass
			return
		fi
		if grep -q 'Failing input written to' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
			echo FAIL
			return
		fi
	done
	echo flake
}

fuzz_results=()
run_fuzz() {
	header "fuzzing each target for $FUZZTIME"
	local pkg target log status execs
	while read -r pkg target; do
		log="$logs/fuzz-$target.log"
		status=$(fuzz_one "$pkg" "$target" "$log")
		if [[ $status == FAIL ]]; then
			failed=1
		fi
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		printf '%-40s %-18s %s (%s execs)\n' "$pkg" "$target" "$status" "${execs:-?}"
		fuzz_results+=("| $target | $pkg | ${execs:-?} | $status |")
		if [[ $status != pass ]]; then
			tail -20 "$log"
		fi
	done < <(fuzz_targets)
}

# field prints the value of key=value in a CHAOS- line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

summary() {
	header "summary"
	echo "| scenario | URLs | faults injected | lost | duplicated | wall time |"
	echo "|---|---:|---|---:|---:|---:|"
	local line
	while read -r line; do
		printf '| %s | %s | %s | %s | %s | %ss |\n' "$(field "$line" scenario)" "$(field "$line" urls)" \
			"$(field "$line" faults | tr _ ' ')" "$(field "$line" lost)" "$(field "$line" duplicated)" "$(field "$line" seconds)"
	done < <(grep -o 'CHAOS-RESULT .*' "$logs/chaos.log")
	if grep -q 'CHAOS-WRK' "$logs/chaos.log"; then
		echo
		echo "| endpoint under wrk -t2 -c32 -d10s | requests | requests/s | p50 ms | p99 ms | max ms | non-2xx | socket errors |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		while read -r line; do
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(field "$line" endpoint)" "$(field "$line" requests)" \
				"$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" max_ms)" \
				"$(field "$line" non2xx)" "$(field "$line" socket_errors)"
		done < <(grep -o 'CHAOS-WRK .*' "$logs/chaos.log")
	fi
	if ((${#fuzz_results[@]})); then
		echo
		echo "| fuzz target ($FUZZTIME) | package | executions | result |"
		echo "|---|---|---:|---|"
		printf '%s\n' "${fuzz_results[@]}"
	fi
	echo
	echo "total wall time: $(($(date +%s) - start))s; logs in $logs"
}

ensure_wrk
run_scenarios
run_fuzz
summary
if ((failed)); then
	echo "make chaos FAILED"
	exit 1
fi
echo "make chaos passed"
