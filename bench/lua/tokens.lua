-- Authenticated GET: every request carries the next member's session token from $BENCH_TOKENS
-- (token<TAB>memberId<TAB>openid per line, written by bench/Tools users); $BENCH_TOKEN_COUNT limits the pool.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = "Bearer " .. line:match("^([^\t]+)")
  end
  pool = math.min(#tokens, tonumber(os.getenv("BENCH_TOKEN_COUNT") or #tokens))
  i = ((id or 0) * 7919) % pool
end

function request()
  i = i % pool + 1
  wrk.headers["Authorization"] = tokens[i]
  return wrk.format(nil, nil)
end
