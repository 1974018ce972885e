#!/usr/bin/env bash
# demo.sh runs the whole system on this machine: Redis, a local origin,
# the producer, three workers and the API. It prints the final stats, checks
# that every URL was done, and stops everything it started, also on Ctrl+C.
#
# It needs only Go. It uses the Redis at REDIS_ADDR (default localhost:6379)
# when one answers, else a private redis-server when installed, else an
# embedded one (scripts/devredis). Keys go to the namespace "demo" only.
#
# Settings: DEMO_URLS (2000), DEMO_TIMEOUT in seconds (300), REDIS_ADDR, GO.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
DEMO_URLS=${DEMO_URLS:-2000}
DEMO_TIMEOUT=${DEMO_TIMEOUT:-300}
export REDIS_ADDR=${REDIS_ADDR:-localhost:6379}
export NAMESPACE=demo
# The origin's 500s are retried; quick retries keep the demo short.
export RETRY_BASE=${RETRY_BASE:-200ms}
# The demo's every URL is on one local host; let the three workers share
# 32 requests in flight to it (the default of 8 suits real sites).
export HOST_CONCURRENCY=${HOST_CONCURRENCY:-32}

tmp=$(mktemp -d -t urlcheck-demo.XXXXXX)
pids=()

say() { printf '\n== %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# cleanup stops every process the demo started and removes its files,
# showing the ends of the logs first if the demo failed.
cleanup() {
	local status=$? pid log
	trap - EXIT INT TERM
	set +e
	if ((status != 0 && status != 130 && status != 143)); then
		for log in "$tmp"/*.log; do
			[[ -s $log ]] || continue
			printf '\n--- end of %s\n' "${log##*/}" >&2
			tail -n 15 "$log" >&2
		done
	fi
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for _ in $(seq 50); do
		alive "${pids[@]}" || break
		sleep 0.2
	done
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD... runs CMD in the background, its output in $tmp/NAME.log.
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
}

# alive PID... succeeds while any of the processes runs.
alive() {
	local pid
	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# answers HOST PORT succeeds when something accepts connections there.
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# free_port prints a port on 127.0.0.1 that nothing listens on.
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 40000))
		answers 127.0.0.1 "$port" || {
			echo "$port"
			return
		}
	done
	die "found no free port"
}

# pong ADDR succeeds when a Redis at ADDR (host:port, or a redis:// URL
# when redis-cli is installed) answers PING.
pong() {
	local host=${1%:*} port=${1##*:}
	if command -v redis-cli >/dev/null; then
		local args=(-h "$host" -p "$port")
		[[ $1 == *://* ]] && args=(-u "$1")
		[[ $(redis-cli "${args[@]}" ping 2>/dev/null) == PONG ]]
		return
	fi
	(
		exec 3<>"/dev/tcp/$host/$port"
		printf '*1\r\n$4\r\nPING\r\n' >&3 # PING as a RESP array: miniredis lacks inline commands
		read -r -t 2 reply <&3
		[[ $reply == +PONG* ]]
	) 2>/dev/null
}

# await WHAT SECONDS CMD... retries CMD until it succeeds or time is up.
await() {
	local what=$1 deadline=$((SECONDS + $2))
	shift 2
	until "$@"; do
		((SECONDS < deadline)) || die "timed out waiting for $what"
		sleep 0.2
	done
}

start_redis() {
	if pong "$REDIS_ADDR"; then
		echo "using the Redis at $REDIS_ADDR (namespace demo)"
		return
	fi
	local port
	port=$(free_port)
	REDIS_ADDR=127.0.0.1:$port
	if command -v redis-server >/dev/null; then
		start redis redis-server --bind 127.0.0.1 --port "$port" --dir "$tmp" --save "" --appendonly no
		echo "no Redis answers; started a private redis-server on $REDIS_ADDR"
	else
		"$GO" build -o "$tmp/devredis" ./scripts/devredis
		start redis "$tmp/devredis" -addr "$REDIS_ADDR"
		echo "no Redis answers and redis-server is not installed; started the embedded Redis on $REDIS_ADDR"
	fi
	await "Redis on $REDIS_ADDR" 30 pong "$REDIS_ADDR"
}

# start_origin starts go-httpbin, on 8081 unless taken, and sets origin.
start_origin() {
	local port=8081
	answers 127.0.0.1 "$port" && port=$(free_port)
	origin=http://127.0.0.1:$port
	start origin "$GO" tool go-httpbin -host 127.0.0.1 -port "$port" -log-level WARN
	# The first run compiles go-httpbin, hence the long deadline.
	await "the origin on $origin" 180 answers 127.0.0.1 "$port"
	echo "origin (go-httpbin) on $origin"
}

start_api() {
	if [[ ! -x bin/api ]]; then
		echo "notice: bin/api is not built; skipping the API"
		return
	fi
	api=http://127.0.0.1:$(free_port)
	start api bin/api -addr "${api#http://}"
	await "the API on $api" 30 curl -sf -o /dev/null "$api/stats"
	echo "API on $api/stats"
}

# field NAME prints the integer field NAME of the JSON object on stdin.
field() {
	if command -v jq >/dev/null; then
		jq -r ".$1"
	else
		grep -o "\"$1\": *[0-9]*" | head -n 1 | grep -o '[0-9]*$'
	fi
}

pretty() {
	if command -v jq >/dev/null; then
		jq .
	elif command -v python3 >/dev/null; then
		python3 -m json.tool
	else
		cat
		echo
	fi
}

# wait_workers waits for the draining workers to exit, with a deadline.
wait_workers() {
	local deadline=$((SECONDS + DEMO_TIMEOUT)) next=$((SECONDS + 5)) stats
	while alive "$@"; do
		if ((SECONDS >= deadline)); then
			die "the workers did not finish within ${DEMO_TIMEOUT}s"
		fi
		if [[ -n $api ]] && ((SECONDS >= next)); then
			stats=$(curl -sf "$api/stats") || true
			echo "  done $(field done <<<"$stats") of $(field total <<<"$stats")"
			next=$((SECONDS + 5))
		fi
		sleep 0.5
	done
	local pid n=1
	for pid in "$@"; do
		wait "$pid" || die "worker $n failed"
		n=$((n + 1))
	done
}

# monitor_has FLAG succeeds when bin/monitor exists and knows FLAG.
monitor_has() {
	[[ -x bin/monitor ]] && bin/monitor -h 2>&1 | grep -q -- "^ *$1\b"
}

show_monitor() {
	if monitor_has -once; then
		say "monitor (bin/monitor -once)"
		bin/monitor -once
	else
		echo "notice: bin/monitor with -once is not built; skipping it"
	fi
}

# check_stats prints the final stats, from the API or else the monitor,
# and fails unless done == total.
check_stats() {
	local stats done total
	if [[ -n $api ]]; then
		say "final stats (GET $api/stats)"
		stats=$(curl -sf "$api/stats") || die "GET $api/stats failed"
	elif monitor_has -json; then
		say "final stats (bin/monitor -once -json)"
		stats=$(bin/monitor -once -json)
	else
		echo "notice: no API or monitor, so the final stats are not checked (the workers drained the queue)"
		return
	fi
	pretty <<<"$stats"
	done=$(field done <<<"$stats")
	total=$(field total <<<"$stats")
	[[ $total =~ ^[0-9]+$ && $done == "$total" ]] || die "done ($done) != total ($total)"
	echo "all $total URLs done"
}

main() {
	say "build"
	"$GO" build -o bin/ ./cmd/... # the same as make build
	say "redis"
	start_redis
	say "origin"
	start_origin
	say "URLs"
	bin/genurls -base "$origin" -o "$tmp/urls.txt" "$DEMO_URLS"
	bin/producer -force "$tmp/urls.txt"
	say "API"
	api=
	start_api
	say "workers"
	local workers=()
	for n in 1 2 3; do
		start "worker-$n" bin/worker -drain "demo-worker-$n"
		workers+=("${pids[-1]}")
	done
	echo "3 workers draining the queue (deadline ${DEMO_TIMEOUT}s)"
	wait_workers "${workers[@]}"
	echo "the workers are done"
	show_monitor
	check_stats
}

main "$@"
