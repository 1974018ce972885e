#!/usr/bin/env bash
# bench.sh measures url-checker end to end on this machine and prints
# Markdown tables that can go into the README: throughput next to curl, wrk
# and the latency bound, the warm cache, scaling with workers, the producer,
# and what a URL costs (Redis round trips, worker and Redis CPU, memory).
# Part 2 runs the Go micro-benchmarks of the hot paths.
#
# Everything runs against a private redis-server on a free port and a local
# go-httpbin, both started here in a temporary directory and stopped on
# exit. The Redis on port 6379 is never touched. All scenarios run in one
# invocation, so their ratios share the machine's conditions.
#
# Needs Go and redis-server; curl, wrk and /usr/bin/time each add columns
# and are skipped, with a notice, when missing.
#
# Settings: BENCH_URLS (20000), BENCH_PRODUCER_URLS (1000000),
# BENCH_TIMEOUT seconds per scenario (120), BENCH_GO (1; 0 skips part 2), GO.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
URLS=${BENCH_URLS:-20000}
PRODUCER_URLS=${BENCH_PRODUCER_URLS:-1000000}
TIMEOUT=${BENCH_TIMEOUT:-120}
RUN_GO=${BENCH_GO:-1}
DELAY_MS=50 # the latency-bound origin's answer time
HOSTS=50    # distinct hosts of the politeness scenario (127.0.0.1 to 127.0.0.50)
SLOWHOST_URLS=2000 # the politeness scenario on one slow host: 12.5 s at its bound

# Worker settings shared by every scenario. HOST_CONCURRENCY=0 lifts the
# per-host limit: every URL here goes to one local host.
export HOST_CONCURRENCY=0 CACHE=on HTTP_TIMEOUT=5s BATCH_SIZE=500 FLUSH_INTERVAL=2s LOG_LEVEL=info

tmp=$(mktemp -d -t urlcheck-bench.XXXXXX)
pids=()      # every background process this script started
rows=()      # lines of the results table
costs=()     # lines of the cost table
notices=()   # what was skipped and why
exit_status=0

say() { printf '== %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
notice() {
	notices+=("$*")
	printf 'notice: %s\n' "$*" >&2
}

# stop PID sends SIGTERM to a process this script started or, when it
# has children (a worker under /usr/bin/time), to them: the parent then
# exits on its own, after writing its report.
stop() {
	pkill -TERM -P "$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
}

# stop_all stops every background process, waits up to 5s for them, then
# kills what is left.
stop_all() {
	local pid
	for pid in "${pids[@]}"; do
		stop "$pid"
	done
	for _ in $(seq 50); do
		alive "${pids[@]}" || break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		pkill -KILL -P "$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	done
	pids=()
	return 0
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	set +e
	stop_all
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# alive PID... succeeds while any of the processes runs.
alive() {
	local pid
	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# answers PORT succeeds when something accepts connections on 127.0.0.1:PORT.
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a port on 127.0.0.1 that nothing listens on, below the
# range the kernel hands out to outgoing connections.
free_port() {
	local port low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	for _ in $(seq 100); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ((port != 6379)) && ! answers "$port"; then
			echo "$port"
			return
		fi
	done
	die "found no free port"
}

# await PID LOG SECONDS CMD... retries CMD until it succeeds. If process
# PID exits or time is up, it shows LOG, that process's log, and fails.
await() {
	local pid=$1 log=$2 deadline=$((SECONDS + $3))
	shift 3
	until "$@"; do
		if ! alive "$pid" || ((SECONDS >= deadline)); then
			show_log "$log"
			die "gave up waiting for: $*"
		fi
		sleep 0.1
	done
}

# show_log FILE prints the end of a log of a process that failed.
show_log() {
	[[ -s $1 ]] || return 0
	printf -- '--- end of %s\n' "${1#"$tmp"/}" >&2
	tail -n 30 "$1" >&2
}

have() { command -v "$1" >/dev/null; }

# calc EXPR prints the value of an arithmetic expression, to 6 decimals.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# fmt_n DECIMALS NUMBER rounds NUMBER, or prints n/a for an empty one.
fmt_n() {
	if [[ -z $2 ]]; then
		echo "n/a"
	else
		awk -v d="$1" -v x="$2" 'BEGIN { printf "%.*f", d, x }'
	fi
}

# ---- environment

check_tools() {
	have "$GO" || die "go is not on the PATH"
	with_redis=1
	if ! have redis-server || ! have redis-cli; then
		with_redis=
		notice "redis-server is missing (apt-get install redis-server): every url-checker scenario and the Redis benchmarks are skipped"
	fi
	have curl || notice "curl is missing (apt-get install curl): the curl column is skipped"
	have wrk || notice "wrk is missing (apt-get install wrk): the raw-ceiling column is skipped"
	[[ -x /usr/bin/time ]] ||
		notice "/usr/bin/time is missing (apt-get install time): CPU and peak RSS columns are skipped"
}

print_machine() {
	local model
	model=$(grep -m 1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	echo "- machine: $(nproc) cores, ${model:-unknown CPU}, $(uname -s)"
	echo "- $("$GO" version | cut -d' ' -f3-4)"
	[[ -z $with_redis ]] || echo "- redis-server $(redis-server --version | grep -o 'v=[^ ]*' | cut -d= -f2) (private, --save \"\" --appendonly no)"
	have curl && echo "- $(curl --version | head -n 1 | cut -d' ' -f1-2)"
	have wrk && echo "- $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
	echo "- load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- origin: go-httpbin on 127.0.0.1, /status/200 (answers at once) and /delay/${DELAY_MS}ms"
	echo "- worker settings: CACHE=on HTTP_TIMEOUT=$HTTP_TIMEOUT BATCH_SIZE=$BATCH_SIZE FLUSH_INTERVAL=$FLUSH_INTERVAL," \
		"HOST_CONCURRENCY=0 (no per-host limit: every URL goes to the one local host)"
}

# ---- servers

start_redis() {
	local port
	port=$(free_port)
	redis_port=$port
	redis-server --bind 127.0.0.1 --port "$port" --dir "$tmp" --save "" --appendonly no \
		>"$tmp/redis.log" 2>&1 &
	pids+=($!)
	await $! "$tmp/redis.log" 30 redis_ping
	export REDIS_ADDR=127.0.0.1:$port
}

rcli() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }
redis_ping() { [[ $(rcli ping 2>/dev/null) == PONG ]]; }

# redis_cpu prints the private server's CPU seconds so far (user + sys).
redis_cpu() {
	rcli info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f", s }'
}

start_origin() {
	local port
	"$GO" build -o "$tmp/go-httpbin" github.com/mccutchen/go-httpbin/v2/cmd/go-httpbin
	port=$(free_port)
	origin=http://127.0.0.1:$port
	"$tmp/go-httpbin" -host 127.0.0.1 -port "$port" -log-level ERROR >"$tmp/origin.log" 2>&1 &
	origin_pid=$!
	pids+=($!)
	await $! "$tmp/origin.log" 30 answers "$port"
}

# start_hosts serves a tiny origin on 127.0.0.1 to 127.0.0.$HOSTS, one port,
# and writes a list of URLs spread over those hosts.
start_hosts() {
	local port
	"$GO" build -o "$tmp/benchtool" ./scripts/benchtool
	port=$(free_port)
	"$tmp/benchtool" -hosts "$HOSTS" -port "$port" >"$tmp/hosts.log" 2>&1 &
	pids+=($!)
	await $! "$tmp/hosts.log" 30 answers "$port"
	awk -v n="$URLS" -v h="$HOSTS" -v p="$port" \
		'BEGIN { for (i = 0; i < n; i++) printf "http://127.0.0.%d:%d/p/%d\n", i % h + 1, p, i }' >"$tmp/hosts.txt"
}

# start_cluster starts three cluster-enabled redis-servers and joins them
# into one three-primary cluster; cluster_addrs lists them.
start_cluster() {
	local i port dir addrs=() node_pids=()
	cluster_ports=()
	for i in 1 2 3; do
		port=$(free_port)
		dir=$tmp/cluster-$i
		mkdir -p "$dir"
		redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
			--cluster-enabled yes --cluster-config-file nodes.conf >"$dir/redis.log" 2>&1 &
		pids+=($!)
		node_pids+=($!)
		await $! "$dir/redis.log" 30 node_ping "$port"
		cluster_ports+=("$port")
		addrs+=("127.0.0.1:$port")
	done
	redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$tmp/cluster-create.log" 2>&1 ||
		{ show_log "$tmp/cluster-create.log"; die "redis-cli --cluster create failed"; }
	# Every node must see the cluster as up: one that does not yet answers
	# CLUSTERDOWN to the producer.
	for i in "${!cluster_ports[@]}"; do
		await "${node_pids[i]}" "$tmp/cluster-$((i + 1))/redis.log" 30 cluster_ok "${cluster_ports[i]}"
	done
	cluster_addrs=$(IFS=,; echo "${addrs[*]}")
}

node_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

cluster_ok() { redis-cli -p "$1" cluster info 2>/dev/null | tr -d '\r' | grep -qx cluster_state:ok; }

# node_cpu PORT prints one cluster node's CPU seconds so far.
node_cpu() {
	redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f", s }'
}

# cluster_checker KEY WORKERS CONC LIST runs a drain on the cluster and
# notes each node's Redis CPU. It checks done == total with bin/monitor,
# since the run's counters are spread over the shards.
cluster_checker() {
	local key=$1 workers=$2 conc=$3 list=$4 dir=$tmp/$1 i t0 t1 cpu0=() run=() report done total
	mkdir -p "$dir"
	n[$key]=$(grep -c . "$list")
	say "$key: $workers worker(s) x CONCURRENCY=$conc on the cluster, ${n[$key]} URLs"
	for i in "${!cluster_ports[@]}"; do cpu0[i]=$(node_cpu "${cluster_ports[i]}"); done
	t0=$EPOCHREALTIME
	REDIS_ADDR=$cluster_addrs NAMESPACE=bench-cluster bin/producer -force "$list" >"$dir/producer.log" 2>&1 ||
		show_log "$dir/producer.log"
	for ((i = 1; i <= workers; i++)); do
		REDIS_ADDR=$cluster_addrs NAMESPACE=bench-cluster CONCURRENCY=$conc bin/worker -drain "$key-$i" >"$dir/worker-$i.log" 2>&1 &
		run+=($!)
		pids+=($!)
	done
	watchdog "$TIMEOUT" "$dir/timed-out" "${run[@]}"
	for i in "${!run[@]}"; do wait "${run[$i]}" || show_log "$dir/worker-$((i + 1)).log"; done
	t1=$EPOCHREALTIME
	call_off_watchdog
	prune
	secs[$key]=$(calc "$t1 - $t0")
	rate[$key]=$(calc "${n[$key]} / ${secs[$key]}")
	report=$(REDIS_ADDR=$cluster_addrs NAMESPACE=bench-cluster bin/monitor -once -json 2>/dev/null || true)
	done=$(grep -o '"done":[0-9]*' <<<"$report" | cut -d: -f2)
	total=$(grep -o '"total":[0-9]*' <<<"$report" | cut -d: -f2)
	note[$key]="done ${done:-0}/${n[$key]}, Redis CPU per node"
	for i in "${!cluster_ports[@]}"; do
		note[$key]+=" $(fmt_n 2 "$(calc "$(node_cpu "${cluster_ports[i]}") - ${cpu0[i]}")") s"
	done
	if [[ ${done:-0} != "${n[$key]}" || ${total:-0} != "${n[$key]}" ]]; then
		note[$key]="FAILED: ${note[$key]}"
		exit_status=1
	fi
}

# origin_cpu prints the origin's CPU seconds so far (user + sys).
origin_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$origin_pid/stat"
}

# genurls FILE N writes N distinct URLs of the origin that answer 200 at once.
genurls() {
	bin/genurls -mix distinct -base "$origin" -o "$1" "$2" >"$tmp/genurls.log" 2>&1 ||
		{ show_log "$tmp/genurls.log"; die "bin/genurls failed"; }
}

# make_lists writes the distinct list (answers at once) and the same list
# against the delayed endpoint.
make_lists() {
	genurls "$tmp/fast.txt" "$URLS"
	sed "s#/status/200#/delay/${DELAY_MS}ms#" "$tmp/fast.txt" >"$tmp/slow.txt"
	head -n "$SLOWHOST_URLS" "$tmp/slow.txt" >"$tmp/slowhost.txt"
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' "$(head -n 1 "$tmp/slow.txt")" 2>/dev/null || true)
	[[ -z $code || $code == 200 ]] || die "the delayed origin answers $code, not 200"
}

# ---- measurements

# timer OUT sets the array timer to the prefix that runs a command under
# /usr/bin/time -v, writing its report to OUT; it is empty without it. (A
# prefix rather than a function, so that $! of "${timer[@]}" cmd & is the
# pid of /usr/bin/time itself, whose only child is cmd.)
timer() {
	timer=()
	[[ ! -x /usr/bin/time ]] || timer=(/usr/bin/time -v -o "$1")
}

# time_sum LABEL FILE... sums the fields matching LABEL over /usr/bin/time
# reports; time_max takes their maximum. Both print nothing without reports.
time_sum() {
	local label=$1
	shift
	[[ -x /usr/bin/time ]] || return 0
	awk -F': ' -v l="$label" '$1 ~ l { s += $2 } END { printf "%.3f", s }' "$@" 2>/dev/null || true
}
time_max() {
	local label=$1
	shift
	[[ -x /usr/bin/time ]] || return 0
	awk -F': ' -v l="$label" '$1 ~ l && $2 + 0 > m { m = $2 + 0 } END { print m + 0 }' "$@" 2>/dev/null || true
}

# watchdog SECONDS MARK PID... stops the processes after SECONDS and
# touches MARK, unless call_off_watchdog comes first; dog is set to its
# pid. (Not run as $(watchdog), which would wait for it to close its output.)
watchdog() {
	local secs=$1 mark=$2
	shift 2
	(
		sleep "$secs"
		touch "$mark"
		for pid in "$@"; do stop "$pid"; done
	) >/dev/null 2>&1 &
	dog=$!
	pids+=("$dog")
}

# call_off_watchdog stops the watchdog, then its sleep.
call_off_watchdog() {
	local sleeper
	sleeper=$(pgrep -P "$dog" || true)
	kill "$dog" 2>/dev/null || true
	[[ -z $sleeper ]] || kill $sleeper 2>/dev/null || true
	wait "$dog" 2>/dev/null || true
}

# prune forgets the background processes that have exited and been
# waited for, so that stop_all never signals a reused pid.
prune() {
	local pid live=()
	for pid in "${pids[@]}"; do
		kill -0 "$pid" 2>/dev/null && live+=("$pid")
	done
	pids=("${live[@]}")
}

# counter FIELD NAMESPACE prints a counter of the namespace's run.
counter() { rcli hget "{$2}:stats" "$1" | tr -d '\r'; }

# check_times NAMESPACE prints when the run's first and last checks began,
# in epoch seconds, from the checked_at of its results.
check_times() {
	rcli --raw hvals "{$1}:results" | grep -o '"checked_at":"[^"]*"' | cut -d'"' -f4 | sort |
		sed -n '1p;$p' | xargs -r -n 1 date +%s.%N -d | paste -sd' ' || true
}

# phases T0 T1 FIRST LAST describes where the wall time of a run went.
phases() {
	awk -v t0="$1" -v t1="$2" -v a="$3" -v b="$4" 'BEGIN {
		printf "start %.2fs, checks %.2fs, tail %.2fs", a - t0, b - a, t1 - b
	}'
}

# checker KEY NAMESPACE WORKERS CONCURRENCY LIST runs one url-checker
# scenario: the producer, then WORKERS draining workers, timed from just
# before the producer to the last worker's exit (the drain includes the
# final flush, so every result is in Redis). It fails unless every worker
# exited 0 and the run has done == total == the lines of LIST. It sets
# n[KEY], secs[KEY], rate[KEY], note[KEY] and the cost figures.
checker() {
	local key=$1 ns=$2 workers=$3 conc=$4 list=$5
	local dir=$tmp/$key i t0 t1 cpu0 ocpu0 dog times hits timer failed= run=()
	mkdir -p "$dir"
	n[$key]=$(grep -c . "$list")
	say "$key: $workers worker(s) x CONCURRENCY=$conc, ${n[$key]} URLs, namespace $ns"
	cpu0=$(redis_cpu)
	ocpu0=$(origin_cpu)
	t0=$EPOCHREALTIME
	if ! NAMESPACE=$ns bin/producer -force "$list" >"$dir/producer.log" 2>&1; then
		show_log "$dir/producer.log"
		failed="the producer failed"
	fi
	for ((i = 1; i <= workers; i++)); do
		timer "$dir/time-$i.txt"
		NAMESPACE=$ns CONCURRENCY=$conc "${timer[@]}" bin/worker -drain "$key-$i" >"$dir/worker-$i.log" 2>&1 &
		run+=($!)
		pids+=($!)
	done
	watchdog "$TIMEOUT" "$dir/timed-out" "${run[@]}"
	for i in "${!run[@]}"; do
		if ! wait "${run[$i]}"; then
			echo "worker $((i + 1)) of $key failed" >&2
			show_log "$dir/worker-$((i + 1)).log"
			failed="worker $((i + 1)) failed"
		fi
	done
	t1=$EPOCHREALTIME
	call_off_watchdog
	prune
	if [[ -e $dir/timed-out ]]; then
		echo "$key did not finish within ${TIMEOUT}s; the workers were stopped" >&2
		failed="stopped after ${TIMEOUT}s"
	fi
	rcpu[$key]=$(calc "$(redis_cpu) - $cpu0")
	ocpu[$key]=$(calc "$(origin_cpu) - $ocpu0")
	secs[$key]=$(calc "$t1 - $t0")
	rate[$key]=$(calc "${n[$key]} / ${secs[$key]}")
	collect "$key" "$ns" "$dir" "$failed"
	times=$(check_times "$ns")
	hits=$(($(counter l1 "$ns") + $(counter l2 "$ns") + 0))
	if ((hits == 0)) && [[ $times == *" "* ]]; then
		note[$key]+=", $(phases "$t0" "$t1" $times)"
	fi
	cpu_bound "$key"
}

# cpu_bound KEY notes the rate at which this machine's cores would be
# busy with the scenario's own processes: workers, Redis and origin.
cpu_bound() {
	local k=$1
	[[ -n ${wcpu[$k]:-} ]] || return 0
	note[$k]+=$(awk -v w="${wcpu[$k]}" -v r="${rcpu[$k]}" -v o="${ocpu[$k]}" -v n="${n[$k]}" -v c="$(nproc)" 'BEGIN {
		ms = (w + r + o) * 1000 / n
		printf ", CPU/URL %.3f ms (worker %.3f, Redis %.3f, origin %.3f) = %d cores busy at %.0f/s",
			ms, w * 1000 / n, r * 1000 / n, o * 1000 / n, c, c * 1000 / ms
	}')
}

# collect KEY NAMESPACE DIR WHY verifies the run and gathers its costs.
# WHY says what went wrong already; it is empty when nothing did.
collect() {
	local key=$1 ns=$2 dir=$3 why=$4 done total errors from_origin trips log f v
	done=$(counter done "$ns")
	total=$(counter total "$ns")
	errors=$(counter error "$ns")
	from_origin=$(counter origin "$ns")
	note[$key]="done ${done:-0}/${n[$key]}"
	if [[ -n $why || ${done:-0} != "${n[$key]}" || ${total:-0} != "${n[$key]}" ]]; then
		note[$key]="FAILED${why:+ ($why)}: ${note[$key]}, total ${total:-0}"
		exit_status=1
		for log in "$dir"/*.log; do show_log "$log"; done
	fi
	[[ ${errors:-0} == 0 ]] || note[$key]+=", $errors errors"
	note[$key]+=", from origin ${from_origin:-0}"
	for f in retried deferred reaped stale dead bug_duplicate merged; do
		v=$(counter "$f" "$ns")
		[[ ${v:-0} == 0 ]] || note[$key]+=", $f $v"
	done
	trips=$(awk '/msg="redis round trips"/ { sub(/.* total=/, ""); s += $1; c++ } END { if (c) print s }' "$dir"/worker-*.log)
	rtrips[$key]=${trips:+$(calc "$trips / ${n[$key]}")}
	wcpu[$key]=$(time_sum 'User time|System time' "$dir"/time-*.txt)
	wrss[$key]=$(time_max 'Maximum resident set size' "$dir"/time-*.txt)
}

# curl_bench fetches the distinct list with curl --parallel-max 64.
curl_bench() {
	have curl || return 0
	local cfg=$tmp/curl.cfg t0 t1 good
	say "curl --parallel --parallel-max 64, $URLS URLs"
	sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$tmp/fast.txt" >"$cfg"
	t0=$EPOCHREALTIME
	if ! curl --parallel --parallel-max 64 -s -K "$cfg" -w '%{http_code}\n' >"$tmp/curl.out" 2>"$tmp/curl.log"; then
		show_log "$tmp/curl.log"
	fi
	t1=$EPOCHREALTIME
	good=$(grep -c '^200$' "$tmp/curl.out" || true)
	n[curl]=$URLS
	secs[curl]=$(calc "$t1 - $t0")
	rate[curl]=$(calc "$URLS / ${secs[curl]}")
	note[curl]="$good of $URLS answered 200"
	[[ $good == "$URLS" ]] || { note[curl]="FAILED: ${note[curl]}"; exit_status=1; }
}

# wrk_bench measures the origin's ceiling on one URL.
wrk_bench() {
	have wrk || return 0
	local out=$tmp/wrk.out
	say "wrk -t2 -c64 -d5s on one URL"
	if ! wrk -t2 -c64 -d5s "$origin/status/200" >"$out" 2>&1; then
		show_log "$out"
		return 0
	fi
	n[wrk]=$(awk '/requests in/ { print $1 }' "$out")
	secs[wrk]=$(awk '/requests in/ { sub(/s,?$/, "", $4); print $4 }' "$out")
	rate[wrk]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	note[wrk]="one URL, keep-alive: the origin's ceiling"
	if grep -q 'Non-2xx' "$out"; then
		note[wrk]="FAILED: $(grep 'Non-2xx' "$out" | sed 's/^ *//')"
		exit_status=1
	fi
}

# producer_bench enqueues a generated list of PRODUCER_URLS lines.
producer_bench() {
	local list=$tmp/million.txt out=$tmp/producer-1m.log line cpu0 timer
	say "producer: $PRODUCER_URLS lines"
	genurls "$list" "$PRODUCER_URLS"
	cpu0=$(redis_cpu)
	timer "$tmp/producer-time.txt"
	if ! NAMESPACE=bench-producer "${timer[@]}" bin/producer -force "$list" >"$out" 2>&1; then
		show_log "$out"
	fi
	line=$(grep -o 'accepted [0-9]*, rejected [0-9]*, excluded [0-9]* in [0-9.]*s ([0-9.]* URLs/s)' "$out" || true)
	n[producer]=$(awk '{ print $2 + 0 }' <<<"$line")
	secs[producer]=$(awk '{ sub(/s$/, "", $8); print $8 }' <<<"$line")
	rate[producer]=$(awk '{ sub(/\(/, "", $9); print $9 }' <<<"$line")
	rcpu[producer]=$(calc "$(redis_cpu) - $cpu0")
	local rss mb=n/a
	rss=$(time_max 'Maximum resident set size' "$tmp/producer-time.txt")
	[[ -z $rss ]] || mb="$(fmt_n 0 "$(calc "$rss / 1024")") MB"
	note[producer]="peak RSS $mb, Redis CPU $(fmt_n 2 "${rcpu[producer]}") s"
	if [[ -z $line || ${n[producer]} != "$PRODUCER_URLS" ]]; then
		note[producer]="FAILED: accepted ${n[producer]:-0} of $PRODUCER_URLS; ${note[producer]}"
		exit_status=1
		show_log "$out"
	fi
	rcli flushall async >/dev/null # give the memory back before part 2
}

# ---- tables

# row SCENARIO KEY COMPARED RATIO [NOTE] adds a line to the results table.
row() {
	local k=$2 notes=${note[$2]:-}${5:+; $5}
	rows+=("| $1 | ${n[$k]:-n/a} | $(fmt_n 2 "${secs[$k]:-}") | $(fmt_n 0 "${rate[$k]:-}") | $3 | $4 | $notes |")
}

# join WORD... prints the words separated by "; ", or n/a for none.
join() {
	local out="" w
	for w in "$@"; do out+="${out:+; }$w"; done
	echo "${out:-n/a}"
}

# ratio A B prints A/B to two decimals, or n/a.
ratio() {
	if [[ -z $1 || -z $2 ]]; then echo "n/a"; else fmt_n 2 "$(calc "$1 / $2")"; fi
}

# cost KEY PATH adds a line to the cost table, per 10,000 URLs.
cost() {
	local k=$1 cpu="" rss=""
	[[ -z ${wcpu[$k]:-} ]] || cpu=$(calc "${wcpu[$k]} * 10000 / ${n[$k]}")
	[[ -z ${wrss[$k]:-} ]] || rss=$(calc "${wrss[$k]} / 1024")
	costs+=("| $2 | $(fmt_n 2 "${rtrips[$k]:-}") | $(fmt_n 3 "$cpu") | $(fmt_n 0 "$rss") |\
 $(fmt_n 3 "$(calc "${rcpu[$k]} * 10000 / ${n[$k]}")") |")
}

build_tables() {
	local bound=$((256 * 1000 / DELAY_MS)) w tool cmp=() rat=()
	for tool in curl wrk; do
		[[ -n ${rate[$tool]:-} ]] || continue
		cmp+=("$tool: $(fmt_n 0 "${rate[$tool]:-}")/s")
		rat+=("$(ratio "${rate[cold]:-}" "${rate[$tool]:-}") ($tool)")
	done
	row "1 cold: url-checker, 1 worker x 64" cold "$(join "${cmp[@]}")" "$(join "${rat[@]}")"
	[[ -z ${rate[curl]:-} ]] || row "1 cold: curl --parallel-max 64" curl "" ""
	[[ -z ${rate[wrk]:-} ]] || row "1 ceiling: wrk -t2 -c64 -d5s" wrk "" ""
	row "2 latency-bound (${DELAY_MS} ms): 1 worker x 256" slow1 "bound 256 / ${DELAY_MS} ms = $bound/s" \
		"$(ratio "${rate[slow1]:-}" "$bound")"
	row "3 warm: scenario 1 again, same namespace" warm "cold: $(fmt_n 0 "${rate[cold]:-}")/s" \
		"$(ratio "${rate[warm]:-}" "${rate[cold]:-}")"
	for w in 1 2 4; do
		row "4 scaling: $w worker(s) x 256, ${DELAY_MS} ms" "slow$w" \
			"1 worker; bound $((w * bound))/s" \
			"$(ratio "${rate[slow$w]:-}" "${rate[slow1]:-}"); $(ratio "${rate[slow$w]:-}" "$((w * bound))") of bound" \
			"$( ((w > 1)) || echo "the run of row 2")"
	done
	row "5 producer: enqueue a file" producer "" ""
	row "6 politeness: $HOSTS hosts, HOST_CONCURRENCY=8, 1 worker x 64" hosts_on \
		"no limit: $(fmt_n 0 "${rate[hosts_off]:-}")/s" "$(ratio "${rate[hosts_on]:-}" "${rate[hosts_off]:-}")" \
		"origin CPU not counted (a separate origin)"
	row "6 politeness: $HOSTS hosts, HOST_CONCURRENCY=0" hosts_off "" ""
	row "6 politeness: scenario 1's one host, HOST_CONCURRENCY=8" onehost \
		"no limit (scenario 1): $(fmt_n 0 "${rate[cold]:-}")/s" "$(ratio "${rate[onehost]:-}" "${rate[cold]:-}")"
	row "6 politeness: one ${DELAY_MS} ms host, HOST_CONCURRENCY=8, 3 workers x 64" slowhost \
		"bound 8 / ${DELAY_MS} ms = $((8000 / DELAY_MS))/s" "$(ratio "${rate[slowhost]:-}" "$((8000 / DELAY_MS))")"
	row "7 single Redis: 3 workers x 256, ${DELAY_MS} ms" slow3 "" "" \
		"Redis CPU $(fmt_n 2 "${rcpu[slow3]:-}") s"
	row "7 3-primary cluster, 16 shards: 3 workers x 256, ${DELAY_MS} ms" cluster3 \
		"single Redis: $(fmt_n 0 "${rate[slow3]:-}")/s" "$(ratio "${rate[cluster3]:-}" "${rate[slow3]:-}")"
	[[ -n $with_redis ]] || return 0
	cost cold "cold (scenario 1)"
	cost warm "warm (scenario 3)"
	cost slow1 "latency-bound, 1 worker (scenario 2)"
	cost slow4 "latency-bound, 4 workers (scenario 4)"
	cost hosts_on "$HOSTS hosts, per-host limits on (scenario 6)"
	cost hosts_off "$HOSTS hosts, no limits (scenario 6)"
}

print_tables() {
	echo
	echo "## url-checker benchmark"
	echo
	print_machine
	echo
	echo "| scenario | URLs | seconds | URLs/s | compared with | ratio | notes |"
	echo "|---|---:|---:|---:|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Seconds run from just before the producer starts to the last worker's exit, every result flushed to Redis."
	echo "Where no result came from the cache, the notes split them at the first and the last check's start:"
	echo "start (producer, worker start-up), checks, tail (the last check, the final flush, the drain). CPU/URL adds"
	echo "the CPU of the workers, Redis and the origin, and the rate at which it would keep every core busy."
	echo
	if ((${#costs[@]})); then
		echo "| path | round trips/URL | worker CPU s /10k | worker peak RSS MB | redis CPU s /10k |"
		echo "|---|---:|---:|---:|---:|"
		printf '%s\n' "${costs[@]}"
		echo
		echo "Worker CPU is user + sys of all worker processes; peak RSS is the largest worker's; Redis CPU is the"
		echo "private server's used_cpu_user + used_cpu_sys over the scenario, producer included."
	fi
	if ((${#notices[@]})); then
		echo
		printf -- '- %s\n' "${notices[@]}"
	fi
	echo
	echo "The whole bench took ${SECONDS}s."
}

# go_benchmarks is part 2: the micro-benchmarks of the hot paths.
go_benchmarks() {
	[[ $RUN_GO == 1 ]] || return 0
	local pkgs=(./internal/check/ ./internal/worker/)
	[[ -z $with_redis ]] || pkgs=(./internal/cache/ ./internal/check/ ./internal/queue/ ./internal/worker/)
	say "part 2: go test -bench ${pkgs[*]}"
	if ! "$GO" test -run '^$' -bench . -benchmem "${pkgs[@]}" >"$tmp/gobench.txt" 2>&1; then
		notice "go test -bench failed; its output is below"
		exit_status=1
	fi
	go_bench_out=$(grep -Ev '^(goos|goarch|cpu|PASS)$|^(goos|goarch|cpu):' "$tmp/gobench.txt" || true)
}

main() {
	declare -gA n secs rate note rtrips wcpu wrss rcpu ocpu
	local k
	go_bench_out=
	REDIS_ADDR=
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	check_tools
	say "building bin/"
	"$GO" build -o bin/ ./cmd/... # the same as make build
	say "starting the origin and a private redis-server"
	start_origin
	make_lists
	[[ -z $with_redis ]] || start_redis
	say "origin on $origin, Redis on ${REDIS_ADDR:-none}"

	wrk_bench
	curl_bench
	if [[ -n $with_redis ]]; then
		checker cold bench-cold 1 64 "$tmp/fast.txt"
		checker warm bench-cold 1 64 "$tmp/fast.txt"
		checker slow1 bench-slow-1 1 256 "$tmp/slow.txt"
		checker slow2 bench-slow-2 2 256 "$tmp/slow.txt"
		checker slow4 bench-slow-4 4 256 "$tmp/slow.txt"
		producer_bench
		start_hosts
		HOST_CONCURRENCY=8 checker hosts_on bench-hosts-on 1 64 "$tmp/hosts.txt"
		checker hosts_off bench-hosts-off 1 64 "$tmp/hosts.txt"
		HOST_CONCURRENCY=8 checker onehost bench-onehost 1 64 "$tmp/fast.txt"
		HOST_CONCURRENCY=8 checker slowhost bench-slowhost 3 64 "$tmp/slowhost.txt"
		checker slow3 bench-slow-3 3 256 "$tmp/slow.txt"
		start_cluster
		cluster_checker cluster3 3 256 "$tmp/slow.txt"
	else
		for k in cold warm slow1 slow2 slow4 producer hosts_on hosts_off onehost slowhost slow3 cluster3; do note[$k]="skipped: redis-server is missing"; done
	fi
	stop_all

	go_benchmarks
	build_tables
	if [[ -n $go_bench_out ]]; then
		echo
		echo "## go test -bench (part 2)"
		echo
		echo '```'
		echo "$go_bench_out"
		echo '```'
	fi
	print_tables
	return "$exit_status"
}

main "$@"
