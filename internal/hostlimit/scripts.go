package hostlimit

import "github.com/redis/go-redis/v9"

// The scripts read the clock with TIME or PTTL, so that limits follow the
// Redis clock whatever the skew between worker machines. Times are integer
// microseconds, below 2^53 and so exact in Lua's numbers, and are written
// with string.format('%.0f') so that Redis never sees them in exponent
// notation.

// luaPrelude is shared by the scripts that need the time.
const luaPrelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function int(x) return string.format('%.0f', x) end
local function ms(us) return int(math.max(1, math.ceil(us / 1000))) end
`

// acquireSrc takes a slot for a request to one host, or says how long to
// wait. In order: a token that already holds a slot gets it again (a replay
// takes no second slot); a paused host waits for the pause; permits whose
// lease ended are dropped, and a host with every slot taken is busy; a
// host whose GCRA state has no room yet waits for it, and each caller
// turned away is given the next free time after the last one given out
// (capped), so that deferred jobs come back one interval apart instead of
// all at once; otherwise the slot and the rate are taken. A busy host does
// the same with the pace the caller expects slots to free at, when it
// knows one, so that the jobs it turns away come back at the host's pace.
// KEYS: slots, rate, tail, pause, backoff, busy tail.
// ARGV: token, concurrency (0: none), lease µs, interval µs (0: no rate),
// burst, longest wait µs, pace µs (0: unknown).
// Returns {status, wait µs, backoff}: status 1 granted, 0 paused, 2 busy,
// 3 rate-limited; backoff is 1 when the host has a backoff step count.
const acquireSrc = luaPrelude + `
local token, limit, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local interval, burst, cap = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local boff = redis.call('EXISTS', KEYS[5])
if limit > 0 and redis.call('ZSCORE', KEYS[1], token) then return {1, 0, boff} end
local pause = redis.call('PTTL', KEYS[4])
if pause > 0 then return {0, pause * 1000, boff} end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', int(now))
  if redis.call('ZCARD', KEYS[1]) >= limit then
    local pace = tonumber(ARGV[7])
    if pace <= 0 then return {2, 0, boff} end
    local tail = math.min(math.max(tonumber(redis.call('GET', KEYS[6]) or 0), now) + pace, now + cap)
    redis.call('SET', KEYS[6], int(tail), 'PX', ms(tail - now))
    return {2, tail - now, boff}
  end
end
if interval > 0 then
  local tat = math.max(tonumber(redis.call('GET', KEYS[2]) or 0), now)
  local allow = tat - (burst - 1) * interval
  if allow > now then
    local tail = math.max(tonumber(redis.call('GET', KEYS[3]) or 0), allow - interval) + interval
    tail = math.min(tail, now + cap)
    redis.call('SET', KEYS[3], int(tail), 'PX', ms(tail - now))
    return {3, tail - now, boff}
  end
  redis.call('SET', KEYS[2], int(tat + interval), 'PX', ms(tat + interval - now))
end
if limit > 0 then
  redis.call('ZADD', KEYS[1], int(now + lease), token)
  redis.call('PEXPIRE', KEYS[1], ms(lease))
end
return {1, 0, boff}
`

// pauseSrc pauses a host, keeping a longer pause already set.
// KEYS: pause. ARGV: pause ms.
// Returns the pause now in effect, in ms.
const pauseSrc = `
local cur, d = redis.call('PTTL', KEYS[1]), tonumber(ARGV[1])
if cur >= d then return cur end
redis.call('SET', KEYS[1], '1', 'PX', d)
return d
`

// backoffSrc takes one step of a host's exponential backoff and pauses the
// host for it: the ceiling base*2^(step-1), capped, with equal jitter (half
// the ceiling plus a random part of the other half), as in package
// backoff. A host already paused is left as it is: the failure comes from a
// request that started before the pause, so it belongs to the step that
// set it.
// KEYS: pause, backoff. ARGV: base ms, cap ms, jitter in [0, 1), how long
// the step count outlives the pause in ms.
// Returns {step, pause now in effect in ms}.
const backoffSrc = `
local cur = redis.call('PTTL', KEYS[1])
if cur > 0 then return {tonumber(redis.call('GET', KEYS[2]) or 0), cur} end
local n = redis.call('INCR', KEYS[2])
local base, cap, r = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local c = math.min(base * 2 ^ (n - 1), cap)
local d = math.max(1, math.floor(c / 2 + r * c / 2))
redis.call('SET', KEYS[1], '1', 'PX', string.format('%d', d))
redis.call('PEXPIRE', KEYS[2], string.format('%d', d + tonumber(ARGV[4])))
return {n, d}
`

// scripts holds one compiled set of the scripts. There are two sets
// because the "#!lua" line, which makes Redis 7 reject a script that
// touches an undeclared key on a cluster, is refused by older servers.
type scripts struct {
	acquire, pause, backoff *redis.Script
}

var (
	plainScripts   = newScripts("")
	shebangScripts = newScripts("#!lua\n")
)

func newScripts(head string) scripts {
	return scripts{
		acquire: redis.NewScript(head + acquireSrc),
		pause:   redis.NewScript(head + pauseSrc),
		backoff: redis.NewScript(head + backoffSrc),
	}
}
