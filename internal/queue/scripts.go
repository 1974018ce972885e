package queue

import "github.com/redis/go-redis/v9"

// Every script reads the clock with TIME, so leases and due times follow the
// Redis clock whatever the skew between worker machines, and every script is
// safe to run twice: go-redis re-sends a command whose reply it lost.
//
// Pending and delayed entries are "id" for a first attempt, "id/N" for
// attempt N and "id/N/W" once the job has waited W ms in the delayed set
// (retries, busy hosts, Retry-After pauses), so that its result can say how
// long it waited. A fencing token is "claim/N" or "claim/N/W": the claim
// call's random id, the attempt it started and the wait so far.

// luaPrelude is shared by the scripts that need the time or split entries.
const luaPrelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function split(e)
  local s = string.find(e, '/', 1, true)
  if not s then return e, 1, 0 end
  local rest = string.sub(e, s + 1)
  local r = string.find(rest, '/', 1, true)
  if not r then return string.sub(e, 1, s - 1), tonumber(rest), 0 end
  return string.sub(e, 1, s - 1), tonumber(string.sub(rest, 1, r - 1)), tonumber(string.sub(rest, r + 1))
end
local function entry(id, n, w)
  if w > 0 then return id .. '/' .. n .. '/' .. w end
  if n > 1 then return id .. '/' .. n end
  return id
end
`

// enqueueSrc adds jobs that are not known yet.
// KEYS: jobs, pending, results, stats, wake. ARGV: id1, url1, id2, url2, ...
// Returns the number of jobs added. A replayed batch adds nothing: a job is
// known while it is unfinished (jobs) and after it finished (results).
const enqueueSrc = `
local ids = {}
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    if redis.call('HEXISTS', KEYS[3], ARGV[i]) == 1 then
      redis.call('HDEL', KEYS[1], ARGV[i])
    else
      ids[#ids + 1] = ARGV[i]
    end
  end
end
if #ids > 0 then
  for i = 1, #ids, 1000 do -- unpack is limited to a few thousand values
    redis.call('LPUSH', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
  end
  redis.call('HINCRBY', KEYS[4], 'total', #ids)
  redis.call('LPUSH', KEYS[5], 1, 1, 1, 1, 1, 1, 1, 1)
  redis.call('LTRIM', KEYS[5], 0, 31)
end
return #ids
`

// claimSrc promotes due retries and leases up to max pending jobs to one
// claim call.
// KEYS: pending, jobs, inflight, lease, delayed, claim log, reaps.
// ARGV: claim id, max, lease ms, promote limit.
// Returns {now, id, url, attempt, waited ms, reaps, id, ...}. A replay (the
// claim log exists) returns the jobs that call still owns and claims
// nothing new.
const claimSrc = luaPrelude + `
local cid, max, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {now}
local function own(id, n, w)
  local url = redis.call('HGET', KEYS[2], id)
  if not url then return nil end
  out[#out + 1] = id
  out[#out + 1] = url
  out[#out + 1] = n
  out[#out + 1] = w
  out[#out + 1] = tonumber(redis.call('HGET', KEYS[7], id) or 0)
  return url
end
local function token(n, w)
  if w > 0 then return cid .. '/' .. n .. '/' .. w end
  return cid .. '/' .. n
end
local prev = redis.call('GET', KEYS[6])
if prev then
  for e in string.gmatch(prev, '[^,]+') do
    local id, n, w = split(e)
    if redis.call('HGET', KEYS[3], id) == token(n, w) then own(id, n, w) end
  end
  return out
end
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
if #due > 0 then
  redis.call('ZREM', KEYS[5], unpack(due))
  redis.call('RPUSH', KEYS[1], unpack(due))
end
local popped = redis.call('RPOP', KEYS[1], max)
if not popped then return out end
local log, zargs = {}, {}
for _, e in ipairs(popped) do
  local id, n, w = split(e)
  if own(id, n, w) then
    redis.call('HSET', KEYS[3], id, token(n, w))
    zargs[#zargs + 1] = now + lease
    zargs[#zargs + 1] = id
    log[#log + 1] = e
  end
end
if #log > 0 then
  redis.call('ZADD', KEYS[4], unpack(zargs))
  redis.call('SET', KEYS[6], table.concat(log, ','), 'PX', 600000)
end
return out
`

// extendSrc is the heartbeat: it renews the leases a worker still holds.
// KEYS: inflight, lease. ARGV: lease ms, id, token, id, token, ...
// Returns the ids whose token no longer matches: the worker lost them.
const extendSrc = luaPrelude + `
local lease = tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[2], now + lease, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`

// registerSrc records a worker as alive, on the Redis clock, and forgets
// workers silent for an hour.
// KEYS: workers. ARGV: worker name. Returns 0.
const registerSrc = luaPrelude + `
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
return 0
`

// commitSrc acknowledges jobs, stores their results and moves the counters,
// all at once, for the items whose token still owns the job.
// KEYS: inflight, lease, delayed, results, feed, failed, stats, jobs, latency.
// ARGV: feed cap (0 = none), item count n, then n items of
// (id, token, kind, data) where kind is ok|err with data the result JSON, or
// retry (the next attempt) or defer (the same attempt again, the host was
// busy) with data the delay in ms; then stat count m and m (field, delta)
// pairs for stats; then (field, delta) pairs for latency.
// Returns {committed, stale}. A replay commits nothing (the tokens are gone),
// and the deltas are applied only when something was committed, so a replay
// does not count them twice either.
const commitSrc = luaPrelude + `
local cap, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local ok, err, retried, deferred, stale, dup = 0, 0, 0, 0, 0, 0
for i = 3, 2 + 4 * n, 4 do
  local id, tok, kind, data = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if redis.call('HGET', KEYS[1], id) == tok then
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    if kind == 'retry' or kind == 'defer' then
      local _, a, w = split(tok)
      if kind == 'retry' then
        a = a + 1
        retried = retried + 1
      else
        deferred = deferred + 1
      end
      local delay = tonumber(data)
      redis.call('ZADD', KEYS[3], now + delay, entry(id, a, w + delay))
    elseif redis.call('HSETNX', KEYS[4], id, data) == 1 then
      redis.call('HDEL', KEYS[8], id)
      if cap > 0 then
        redis.call('XADD', KEYS[5], 'MAXLEN', cap, '*', 'r', data)
      else
        redis.call('XADD', KEYS[5], '*', 'r', data)
      end
      if kind == 'err' then
        redis.call('XADD', KEYS[6], '*', 'r', data)
        err = err + 1
      else
        ok = ok + 1
      end
    else
      dup = dup + 1
    end
  else
    stale = stale + 1
  end
end
local function bump(key, f, d) if d ~= 0 then redis.call('HINCRBY', key, f, d) end end
bump(KEYS[7], 'success', ok)
bump(KEYS[7], 'error', err)
bump(KEYS[7], 'done', ok + err)
bump(KEYS[7], 'retried', retried)
bump(KEYS[7], 'deferred', deferred)
bump(KEYS[7], 'stale', stale)
bump(KEYS[7], 'bug_duplicate', dup)
local committed = ok + err + retried + deferred
if committed > 0 then
  local j = 3 + 4 * n
  local m = tonumber(ARGV[j])
  for i = j + 1, j + 2 * m, 2 do bump(KEYS[7], ARGV[i], tonumber(ARGV[i + 1])) end
  for i = j + 1 + 2 * m, #ARGV, 2 do bump(KEYS[9], ARGV[i], tonumber(ARGV[i + 1])) end
end
return {committed, stale}
`

// reapSrc puts jobs whose lease expired back on the queue, or dead-letters
// them with a final result after max reaps (a job that keeps killing workers).
// KEYS: lease, inflight, pending, reaps, results, feed, failed, stats, jobs, wake.
// ARGV: limit, max reaps, feed cap, checked_at (RFC 3339) for dead results.
// Returns {requeued, dead}.
const reapSrc = luaPrelude + `
local limit, maxReaps, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local requeued, dead = 0, 0
for _, id in ipairs(ids) do
  local tok = redis.call('HGET', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  local url = redis.call('HGET', KEYS[9], id)
  if url then
    local a, w = 1, 0
    if tok then _, a, w = split(tok) end
    local r = redis.call('HINCRBY', KEYS[4], id, 1)
    if r < maxReaps then
      redis.call('RPUSH', KEYS[3], entry(id, a, w))
      requeued = requeued + 1
    else
      local res = cjson.encode({id = id, url = url, ok = false, status = 0,
        error = 'abandoned after ' .. r .. ' workers died or stalled while checking it',
        error_kind = 'dead', final_url = '', redirects = 0, duration_ms = 0,
        attempts = a, waited_ms = w, worker = '', checked_at = ARGV[4]})
      if redis.call('HSETNX', KEYS[5], id, res) == 1 then
        redis.call('HDEL', KEYS[9], id)
        if cap > 0 then
          redis.call('XADD', KEYS[6], 'MAXLEN', cap, '*', 'r', res)
        else
          redis.call('XADD', KEYS[6], '*', 'r', res)
        end
        redis.call('XADD', KEYS[7], '*', 'r', res)
        redis.call('HINCRBY', KEYS[8], 'error', 1)
        redis.call('HINCRBY', KEYS[8], 'done', 1)
        redis.call('HINCRBY', KEYS[8], 'dead', 1)
        dead = dead + 1
      end
    end
  end
end
if requeued > 0 then
  redis.call('HINCRBY', KEYS[8], 'reaped', requeued)
  redis.call('LPUSH', KEYS[10], 1)
  redis.call('LTRIM', KEYS[10], 0, 31)
end
return {requeued, dead}
`

// nextDueSrc tells how long until the first delayed job is due.
// KEYS: delayed. Returns the ms until then (0 if due now), or -1 if none.
const nextDueSrc = luaPrelude + `
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return -1 end
return math.max(0, tonumber(first[2]) - now)
`

// scripts holds the compiled scripts of one Queue. They are built per
// Queue because the "#!lua" line, which makes Redis 7 reject a script that
// touches an undeclared key on a cluster, is refused by older servers.
type scripts struct {
	enqueue, claim, extend, register, commit, reap, nextDue *redis.Script
}

func newScripts(shebang bool) scripts {
	mk := func(src string) *redis.Script {
		if shebang {
			src = "#!lua\n" + src
		}
		return redis.NewScript(src)
	}
	return scripts{
		enqueue:  mk(enqueueSrc),
		claim:    mk(claimSrc),
		extend:   mk(extendSrc),
		register: mk(registerSrc),
		commit:   mk(commitSrc),
		reap:     mk(reapSrc),
		nextDue:  mk(nextDueSrc),
	}
}
