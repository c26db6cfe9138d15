/**
 * The Redis scripts behind RefreshQueue: each changes a provider's pending refresh request and its claims in one
 * step, so that no request is lost or run twice between a request, a worker's claim and its hand-back. The keys are
 * laid out by RefreshQueue (pendingKeys, claimedKeys).
 */

// Merges a request into the pending one and returns the generation it belongs to, atomically, so a request either
// lands before a claim (and the claiming worker refreshes it) or after it (and the next job will). More targets than
// the threshold make the request full; the targets stay, for a full refresh that ends partial to hand back. States
// observed for targets are kept by target, the later replacing the earlier (requests come in their events' order).
// KEYS: targets, full, sources, generation, observed. ARGV: fullThreshold, full (0/1), source, observed count n,
// n pairs of target and observed state, targets...
export const MERGE_SCRIPT = `
local observed = tonumber(ARGV[4])
for i = 0, observed - 1 do redis.call('HSET', KEYS[5], ARGV[5 + 2 * i], ARGV[6 + 2 * i]) end
local first = 5 + 2 * observed
if #ARGV >= first then redis.call('SADD', KEYS[1], unpack(ARGV, first)) end
if ARGV[2] == '1' or redis.call('SCARD', KEYS[1]) > tonumber(ARGV[1]) then redis.call('SET', KEYS[2], '1') end
redis.call('SADD', KEYS[3], ARGV[3])
return tonumber(redis.call('GET', KEYS[4]) or '0')
`;

// Takes the pending request for one job: moves it under the job's claimed keys, notes the claim, and starts the
// next generation. A job that already claimed (it is being retried after its worker died) gets the same request,
// without observed states: those go to the first claim only (a retry asks the provider). A full claim drops every
// observed state, as the full refresh reads everything anew.
// KEYS: targets, full, sources, retry, generation, claimed targets, claimed full, claimed sources, claimed retry, claims,
// observed. ARGV: job generation.
export const CLAIM_SCRIPT = `
local observed = {}
if redis.call('EXISTS', KEYS[8]) == 0 then
  for i = 1, 4 do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('RENAME', KEYS[i], KEYS[i + 5]) end
  end
  if redis.call('GET', KEYS[7]) == '1' then
    redis.call('DEL', KEYS[11])
  else
    for _, target in ipairs(redis.call('SMEMBERS', KEYS[6])) do
      local state = redis.call('HGET', KEYS[11], target)
      if state then
        table.insert(observed, target)
        table.insert(observed, state)
        redis.call('HDEL', KEYS[11], target)
      end
    end
  end
  if redis.call('EXISTS', KEYS[8]) == 0 then redis.call('SADD', KEYS[8], '') end
  redis.call('SADD', KEYS[10], ARGV[1])
  if tonumber(redis.call('GET', KEYS[5]) or '0') <= tonumber(ARGV[1]) then
    redis.call('SET', KEYS[5], tonumber(ARGV[1]) + 1)
  end
end
return { redis.call('SUNION', KEYS[6], KEYS[9]), redis.call('GET', KEYS[7]) or '0', redis.call('SMEMBERS', KEYS[8]), observed }
`;

// Puts every claimed request back into the pending one (targets, full, sources, retried targets), folding targets
// above the threshold into a full refresh, and forgets the claims.
// KEYS: targets, full, sources, retry, claims. ARGV: fullThreshold, claimed keys' base.
export const REQUEUE_CLAIMS_SCRIPT = `
local generations = redis.call('SMEMBERS', KEYS[5])
for _, generation in ipairs(generations) do
  local base = ARGV[2] .. generation
  if redis.call('GET', base .. ':full') == '1' then redis.call('SET', KEYS[2], '1') end
  redis.call('SUNIONSTORE', KEYS[1], KEYS[1], base .. ':targets')
  redis.call('SUNIONSTORE', KEYS[3], KEYS[3], base .. ':sources')
  redis.call('SUNIONSTORE', KEYS[4], KEYS[4], base .. ':retry')
  redis.call('DEL', base .. ':targets', base .. ':full', base .. ':sources', base .. ':retry')
end
redis.call('SREM', KEYS[3], '')
if redis.call('SCARD', KEYS[1]) > tonumber(ARGV[1]) then redis.call('SET', KEYS[2], '1') end
redis.call('DEL', KEYS[5])
return #generations
`;

// Hands what a finished job's refresh did not accomplish back to the pending request, with the claim's sources, and
// forgets the claim; returns the pending generation (the job that would take it).
// KEYS: full, sources, retry, generation, claims, claimed targets, claimed full, claimed sources, claimed retry.
// ARGV: job generation, full (0/1), targets...
export const HAND_BACK_SCRIPT = `
if ARGV[2] == '1' then redis.call('SET', KEYS[1], '1') end
if #ARGV > 2 then redis.call('SADD', KEYS[3], unpack(ARGV, 3)) end
redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[8])
redis.call('SREM', KEYS[2], '')
redis.call('DEL', KEYS[6], KEYS[7], KEYS[8], KEYS[9])
redis.call('SREM', KEYS[5], ARGV[1])
return tonumber(redis.call('GET', KEYS[4]) or '0')
`;
