#pragma once
/// The Lua scripts behind consumer.hpp (see its comment for why each is safe against SIGKILL).
/// Each runs atomically in Redis. They touch keys built from ARGV (the prefix and worker names)
/// as kombu's transport does, so, like kombu, they are for a single Redis (not Redis Cluster).

#include "redis/script.hpp"

namespace vmterm::queue::detail {

/// Shared Lua helpers: JSON string quoting as Python writes it (ASCII), base64 for wrapping an
/// undecodable element, `record` (one popped element -> unacked + unacked_index + owned, or
/// the dead-letter list when it is not a kombu JSON object).
inline constexpr const char* lua_prelude = R"lua(
local function jstr(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == '\\' then return '\\\\'
    elseif c == '\n' then return '\\n' elseif c == '\r' then return '\\r'
    elseif c == '\t' then return '\\t'
    else return string.format('\\u%04x', string.byte(c)) end
  end)
  return '"' .. s .. '"'
end
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function b64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = string.byte(data, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = string.sub(b64chars, c1 + 1, c1 + 1) .. string.sub(b64chars, c2 + 1, c2 + 1) ..
      (b and string.sub(b64chars, c3 + 1, c3 + 1) or '=') .. (c and string.sub(b64chars, c4 + 1, c4 + 1) or '=')
  end
  return table.concat(out)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seq = 0
-- scores as text, formatted once (a Lua number argument is formatted with %.17g per element)
local now_s, nowms_s = string.format('%.6f', now), string.format('%d', nowms)
-- record(msg, queue, unacked, index, owned, deadprefix, worker, at) -> tag, queue, reason
-- The fields take needs, without decoding: kombu writes the envelope with Python's json.dumps
-- (": " and ", "), properties last and delivery_info's exchange then routing_key. Plain finds
-- read them from the last properties object; any other shape (or any doubt) goes through
-- cjson in record(). A message that looks right here but is not valid JSON is still caught:
-- the worker's decode makes it poison and dead-letters it.
local find, match, byte = string.find, string.match, string.byte
local function last_properties(msg, from)
  local p = nil
  while true do
    local s = find(msg, '"properties": {', from, true)
    if not s then return p end
    p, from = s, s + 15
  end
end
local function fast_fields(msg)
  if byte(msg, 1) ~= 123 or byte(msg, -1) ~= 125 then return nil end
  -- properties come last and are short: look in the tail first, the whole message otherwise
  local p = #msg > 640 and last_properties(msg, #msg - 639) or last_properties(msg, 1)
  if not p or not find(msg, '"headers": {', 1, true) then return nil end
  local s = find(msg, '"delivery_tag": "', p, true)
  if not s then return nil end
  local tag = match(msg, '^([%w%-_%.:]+)"', s + 17)
  if not tag then return nil end
  s = find(msg, '"delivery_info": {"exchange": "', p, true)
  if not s then return nil end
  local exchange, rk = match(msg, '^([^"\\]*)", "routing_key": "([^"\\]*)"}', s + 31)
  if not exchange then return nil end
  return tag, exchange, rk
end
-- parse(msg, queue, deadprefix, worker, at) -> tag, exchange, rk, reason: the fields a record
-- needs, or (nil, nil, queue, reason) after dead-lettering an element that is not an envelope.
local function parse(msg, queue, deadprefix, worker, at)
  local tag, exchange, rk = fast_fields(msg)
  if tag then return tag, exchange, rk, '' end
  local ok, env = pcall(cjson.decode, msg)
  if not ok or type(env) ~= 'table' or type(env.properties) ~= 'table' or type(env.headers) ~= 'table' then
    local reason = 'message is not a kombu JSON envelope (a JSON object with headers and properties); only kombu\'s JSON envelope can be consumed (send with Celery or vmterm-worker call)'
    local wrapped = '{"body": "' .. b64(msg) .. '", "content-encoding": "binary", "content-type": "application/x-vmterm-undecodable", "headers": {"x-vmterm-dead-reason": ' .. jstr(reason) ..
      ', "x-vmterm-dead-at": ' .. jstr(at) .. ', "x-vmterm-dead-worker": ' .. jstr(worker) ..
      '}, "properties": {"body_encoding": "base64", "delivery_info": {"exchange": "", "routing_key": ' .. jstr(queue) .. '}}}'
    redis.call('LPUSH', deadprefix .. queue, wrapped)
    return nil, nil, queue, reason
  end
  local p = env.properties
  tag = p.delivery_tag
  exchange, rk = '', queue
  if type(p.delivery_info) == 'table' then
    if type(p.delivery_info.exchange) == 'string' then exchange = p.delivery_info.exchange end
    if type(p.delivery_info.routing_key) == 'string' then rk = p.delivery_info.routing_key end
  end
  if type(tag) ~= 'string' then tag = '' end
  return tag, exchange, rk, ''
end
-- Runs cmd key a1 a2 ... over a flat list in chunks (Lua's unpack is limited to ~8,000 values).
local function chunked(cmd, key, list)
  for i = 1, #list, 1000 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 999, #list)))
  end
end
-- record(msgs, queues, unacked, index, owned, deadprefix, worker, at, out): the popped elements
-- -> unacked + unacked_index + owned (one HSET and two ZADDs for the whole batch), or the
-- dead-letter list when one is not a kombu JSON object. Appends a (tag, raw, queue, reason)
-- quadruple per element to out (tag "" = dead-lettered). A tag that is empty, already in
-- unacked or repeated in the batch gets a fresh one.
local quoted = {}
local function q(s)
  local v = quoted[s]
  if not v then v = jstr(s); quoted[s] = v end
  return v
end
local function record(msgs, queues, unacked, index, owned, deadprefix, worker, at, out)
  local tags, rks, entries, check = {}, {}, {}, {}
  for i = 1, #msgs do
    local msg = msgs[i]
    local tag, exchange, rk, reason = parse(msg, queues[i], deadprefix, worker, at)
    if tag then
      tags[i] = tag; rks[i] = rk
      entries[i] = '[' .. msg .. ', ' .. q(exchange) .. ', ' .. q(rk) .. ']'
      check[#check + 1] = tag ~= '' and tag or '-'
    else
      tags[i] = false; rks[i] = rk; entries[i] = reason
    end
  end
  local taken = {}
  for s = 1, #check, 1000 do
    local found = redis.call('HMGET', unacked, unpack(check, s, math.min(s + 999, #check)))
    for k = 1, #found do
      if found[k] then taken[check[s + k - 1]] = true end
    end
  end
  local hs, zi, zo = {}, {}, {}
  for i = 1, #msgs do
    local tag = tags[i]
    if tag then
      if tag == '' or taken[tag] then
        seq = seq + 1
        tag = 'vmterm-' .. redis.sha1hex(msgs[i] .. nowms .. worker .. seq)
      end
      taken[tag] = true
      hs[#hs + 1] = tag; hs[#hs + 1] = entries[i]
      zi[#zi + 1] = now_s; zi[#zi + 1] = tag
      zo[#zo + 1] = nowms_s; zo[#zo + 1] = tag
      out[#out + 1] = tag; out[#out + 1] = msgs[i]; out[#out + 1] = rks[i]; out[#out + 1] = ''
    else
      out[#out + 1] = ''; out[#out + 1] = msgs[i]; out[#out + 1] = rks[i]; out[#out + 1] = entries[i]
    end
  end
  chunked('HSET', unacked, hs)
  chunked('ZADD', index, zi)
  chunked('ZADD', owned, zo)
end
)lua";

/// Celery's _store_result as a Lua function, shared by result_backend's store scripts and
/// store_ack_script: a stored SUCCESS is final (celery.md §1.5); else SETEX (ttl > 0) or SET,
/// then PUBLISH on the key's channel. Returns 1 stored, 0 kept.
inline constexpr const char* lua_store_result = R"lua(
local function store_result(key, json, ttl)
  local cur = redis.call('GET', key)
  if cur then
    local ok, j = pcall(cjson.decode, cur)
    if ok and type(j) == 'table' and j.status == 'SUCCESS' then return 0 end
  end
  if ttl > 0 then
    redis.call('SETEX', key, ttl, json)
  else
    redis.call('SET', key, json)
  end
  redis.call('PUBLISH', key, json)
  return 1
end
)lua";

/// Results stored and their messages acked in one atomic step, for a result backend on the
/// broker's server (one round trip and one Redis wake-up instead of two; the ack can never come
/// before its result). Runs on the broker's connection; SELECTs the results db for the stores
/// (a script's SELECT does not change its caller's db) and back for the acks.
/// KEYS: unacked_index, unacked, owned, then one result key per result.
/// ARGV: broker db, results db, ttl seconds (0 = none), one JSON per result key, then the tags
/// to ack. Returns one 1 (stored) or 0 (kept) per result.
inline const redis::script& store_ack_script() {
  static const redis::script s("vmterm.store_ack", std::string(lua_store_result) + R"lua(
local n = #KEYS - 3
local ttl = tonumber(ARGV[3])
local other = ARGV[1] ~= ARGV[2]
local out = {}
if other then redis.call('SELECT', ARGV[2]) end
for i = 1, n do out[i] = store_result(KEYS[3 + i], ARGV[3 + i], ttl) end
if other then redis.call('SELECT', ARGV[1]) end
-- one ZREM/HDEL/ZREM per 1,000 tags, as the MULTI of consumer::ack
for i = 4 + n, #ARGV, 1000 do
  local last = math.min(i + 999, #ARGV)
  redis.call('ZREM', KEYS[1], unpack(ARGV, i, last))
  redis.call('HDEL', KEYS[2], unpack(ARGV, i, last))
  redis.call('ZREM', KEYS[3], unpack(ARGV, i, last))
end
return out
)lua");
  return s;
}

/// KEYS: hold, owned, unacked, unacked_index, bucket lists (priority-major)...
/// ARGV: max, dead prefix ("<prefix>vmterm.dead."), worker, now ISO, queue of each bucket...
/// Returns a flat array of (tag, raw, queue, reason) quadruples; tag "" = dead-lettered here.
inline const redis::script& take_script() {
  static const redis::script s("vmterm.take", std::string(lua_prelude) + R"lua(
local max = tonumber(ARGV[1])
local out, msgs, queues = {}, {}, {}
local function pop(key, queue)
  if #msgs >= max then return end
  local got = redis.call('RPOP', key, max - #msgs)
  if not got then return end
  for _, m in ipairs(got) do
    msgs[#msgs + 1] = m; queues[#queues + 1] = queue
  end
end
pop(KEYS[1], ARGV[5])
for i = 5, #KEYS do pop(KEYS[i], ARGV[i]) end
record(msgs, queues, KEYS[3], KEYS[4], KEYS[2], ARGV[2], ARGV[3], ARGV[4], out)
return out
)lua");
  return s;
}

/// Puts messages back, only those still in unacked (and, for a recovery, only while their
/// owner's lease is still gone; for kombu's restore, only while their score is still old).
/// KEYS: unacked, unacked_index. ARGV: prefix, push command ('RPUSH'|'LPUSH'), mode ('own':
/// the owner gives it back; 'recover': only while the owner's lease is gone; else a score
/// cutoff: only while the unacked_index score is still <= it), then (owner, tag, payload)
/// triples. Returns the number put back.
inline const redis::script& restore_script() {
  static const redis::script s("vmterm.restore", R"lua(
local prefix, cmd, cutoff = ARGV[1], ARGV[2], ARGV[3]
local unpack, match = unpack, string.match
local n = 0
local drop, drop_owned, pushes, order, leases, seen = {}, {}, {}, {}, {}, {}
-- exchange and routing key of an entry [envelope, "exchange", "routing_key"]: read from its
-- tail when both are plain strings (as the take script writes them), else decoded
local function route(entry)
  -- (greedy from the start of the tail: the match is found backtracking from the end)
  local tail = #entry > 256 and string.sub(entry, -256) or entry
  local exchange, rk = match(tail, '^.*, "([^"\\]*)", "([^"\\]*)"%]$')
  if exchange then return exchange, rk end
  local ok, e = pcall(cjson.decode, entry)
  exchange, rk = '', nil
  if ok and type(e) == 'table' then
    if type(e[2]) == 'string' then exchange = e[2] end
    if type(e[3]) == 'string' then rk = e[3] end
  end
  return exchange, rk
end
local function push(q, payload)
  local l = pushes[q]
  if not l then l = {}; pushes[q] = l; order[#order + 1] = q end
  l[#l + 1] = payload
end
local function one(owner, tag, payload)
  local entry = redis.call('HGET', KEYS[1], tag)
  local go = entry ~= false
  if go and cutoff == 'recover' then
    local alive = leases[owner]
    if alive == nil then
      alive = redis.call('EXISTS', prefix .. 'vmterm.worker.' .. owner) == 1
      leases[owner] = alive
    end
    if alive then go = false end  -- the owner came back: it still has it
  end
  if go and cutoff ~= 'recover' and cutoff ~= 'own' then
    local sc = redis.call('ZSCORE', KEYS[2], tag)
    if sc and tonumber(sc) > tonumber(cutoff) then go = false end
  end
  if go then
    local exchange, rk = route(entry)
    local queues = {}
    if exchange ~= '' then
      for _, m in ipairs(redis.call('SMEMBERS', prefix .. '_kombu.binding.' .. exchange)) do
        local r, _, q = match(m, '^(.-)\6\22(.-)\6\22(.*)$')
        if r == rk and q then queues[#queues + 1] = q end
      end
    end
    if #queues == 0 and rk then queues[1] = rk end
    for _, q in ipairs(queues) do push(prefix .. q, payload) end
    drop[#drop + 1] = tag
    n = n + 1
  end
  if go or entry == false then
    if owner ~= '' then
      local l = drop_owned[owner]
      if not l then l = {}; drop_owned[owner] = l end
      l[#l + 1] = tag
    end
    if not go then drop[#drop + 1] = tag end
  end
end
for i = 4, #ARGV, 3 do
  local tag = ARGV[i + 1]
  if not seen[tag] then  -- a tag given twice is put back once
    seen[tag] = true
    one(ARGV[i], tag, ARGV[i + 2])
  end
end
-- the writes, one command per 1,000 elements: pushes in the order given, per queue
local function chunked(c, key, list)
  for i = 1, #list, 1000 do redis.call(c, key, unpack(list, i, math.min(i + 999, #list))) end
end
for _, q in ipairs(order) do chunked(cmd, q, pushes[q]) end
chunked('HDEL', KEYS[1], drop)
chunked('ZREM', KEYS[2], drop)
for owner, tags in pairs(drop_owned) do chunked('ZREM', prefix .. 'vmterm.owned.' .. owner, tags) end
return n
)lua");
  return s;
}

/// The lease renewal, run every renew_every: SET the lease PX ttl, ZADD vmterm.workers, and
/// refresh unacked_index of owned tags older than the refresh age (so no visibility-timeout
/// restore takes a message whose owner lives). Owned tags no longer in unacked are dropped.
/// KEYS: lease, workers, owned, unacked_index. ARGV: ttl ms, lease value, refresh age ms, max,
/// worker. Returns {lease existed (0/1), refreshed, owned count}.
inline const redis::script& renew_script() {
  static const redis::script s("vmterm.renew", R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
redis.call('ZADD', KEYS[2], nowms, ARGV[5])
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', nowms - tonumber(ARGV[3]), 'LIMIT', 0, tonumber(ARGV[4]))
local n = 0
for _, tag in ipairs(stale) do
  if redis.call('ZADD', KEYS[4], 'XX', 'CH', now, tag) == 1 or redis.call('ZSCORE', KEYS[4], tag) then
    redis.call('ZADD', KEYS[3], nowms, tag)
    n = n + 1
  else
    redis.call('ZREM', KEYS[3], tag)
  end
end
return {had, n, redis.call('ZCARD', KEYS[3])}
)lua");
  return s;
}

/// Finds the messages of workers whose lease is gone: drains each one's hold list into
/// unacked (as a take would), then returns up to max (owner, tag, entry) triples. A dead
/// worker owning nothing is removed from vmterm.workers.
/// KEYS: workers, unacked, unacked_index. ARGV: prefix, max, self, now ISO, default queue.
inline const redis::script& recover_scan_script() {
  static const redis::script s("vmterm.recover_scan", std::string(lua_prelude) + R"lua(
local prefix, max, self = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
local n = 0
for _, w in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if w ~= self and redis.call('EXISTS', prefix .. 'vmterm.worker.' .. w) == 0 then
    local hold, owned = prefix .. 'vmterm.hold.' .. w, prefix .. 'vmterm.owned.' .. w
    while true do
      local msgs = redis.call('RPOP', hold, 1000)
      if not msgs then break end
      local queues = {}
      for i = 1, #msgs do queues[i] = ARGV[5] end
      record(msgs, queues, KEYS[2], KEYS[3], owned, prefix .. 'vmterm.dead.', w, ARGV[4], {})
    end
    local tags = redis.call('ZRANGE', owned, 0, max - n - 1)
    if #tags == 0 then
      redis.call('ZREM', KEYS[1], w)
    end
    for _, tag in ipairs(tags) do
      local entry = redis.call('HGET', KEYS[2], tag)
      if entry then
        out[#out + 1] = w; out[#out + 1] = tag; out[#out + 1] = entry
        n = n + 1
      else
        redis.call('ZREM', owned, tag)
      end
    end
    if n >= max then break end
  end
end
return out
)lua");
  return s;
}

/// A worker starting under a name whose previous incarnation was killed (the default node name
/// is celery@<host>, the same after a restart) finds that one's messages in its own owned set:
/// nobody else recovers them, since the name's lease is alive again. Called once at start,
/// before the first take, so everything owned is the predecessor's. Returns up to max
/// (owner, tag, entry) triples as recover_scan does; owned tags with no entry are dropped.
/// KEYS: owned, unacked. ARGV: max, worker.
inline const redis::script& adopt_scan_script() {
  static const redis::script s("vmterm.adopt_scan", R"lua(
local out = {}
for _, tag in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  local entry = redis.call('HGET', KEYS[2], tag)
  if entry then
    out[#out + 1] = ARGV[2]; out[#out + 1] = tag; out[#out + 1] = entry
  else
    redis.call('ZREM', KEYS[1], tag)
  end
end
return out
)lua");
  return s;
}

/// kombu's restore_visible, first half: take (or keep) unacked_mutex with our token
/// (SET NX PX 300000, as kombu's Mutex), then return (tag, entry) pairs scored at or before
/// now - visibility_timeout (at most max), preceded by the cutoff. nil when kombu holds the
/// mutex. Tags with no entry are dropped from the index as kombu does.
/// KEYS: unacked_mutex, unacked_index, unacked. ARGV: token, visibility timeout s, max.
inline const redis::script& visible_scan_script() {
  static const redis::script s("vmterm.visible_scan", R"lua(
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', 300000) then return false end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cutoff = now - tonumber(ARGV[2])
local tags = redis.call('ZREVRANGEBYSCORE', KEYS[2], cutoff, 0, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {string.format('%.6f', cutoff)}
for _, tag in ipairs(tags) do
  local entry = redis.call('HGET', KEYS[3], tag)
  if entry then
    out[#out + 1] = tag; out[#out + 1] = entry
  else
    redis.call('ZREM', KEYS[2], tag)
  end
end
return out
)lua");
  return s;
}

/// kombu's Mutex release: delete the lock only when it still holds our token.
/// KEYS: mutex. ARGV: token.
inline const redis::script& mutex_release_script() {
  static const redis::script s("vmterm.mutex_release", R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return s;
}

/// A waiter's take answered after a pause of the worker long enough for its lease to have
/// lapsed (a stopped process, a suspended VM): renews the lease (SET PX, so no recovery starts
/// from now on) and tells which of the taken tags are still the worker's own (a recovery meanwhile
/// gave the others back to their queues, and another worker may run them).
/// KEYS: lease, owned. ARGV: ttl ms, lease value, tags... Returns a 1 (still owned) or 0 per tag.
inline const redis::script& owned_check_script() {
  static const redis::script s("vmterm.owned_check", R"lua(
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
local out = {}
for i = 3, #ARGV do
  out[#out + 1] = redis.call('ZSCORE', KEYS[2], ARGV[i]) and 1 or 0
end
return out
)lua");
  return s;
}

/// A worker leaving: its hold list goes back to its queues (RPUSH, consumed next), the lease
/// is deleted, and it leaves vmterm.workers when it owns nothing (else the others recover
/// what it still owns). KEYS: lease, workers, hold, owned. ARGV: worker, default queue,
/// prefix. Returns the number of held-back messages returned.
inline const redis::script& release_script() {
  static const redis::script s("vmterm.release", R"lua(
local n = 0
while true do
  local msg = redis.call('RPOP', KEYS[3])
  if not msg then break end
  local q = ARGV[2]
  local ok, env = pcall(cjson.decode, msg)
  if ok and type(env) == 'table' and type(env.properties) == 'table' and
     type(env.properties.delivery_info) == 'table' and
     type(env.properties.delivery_info.routing_key) == 'string' then
    q = env.properties.delivery_info.routing_key
  end
  redis.call('RPUSH', ARGV[3] .. q, msg)
  n = n + 1
end
redis.call('DEL', KEYS[1])
if redis.call('ZCARD', KEYS[4]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return n
)lua");
  return s;
}

}  // namespace vmterm::queue::detail
