-- wrk script body for POST /api/v1/visits (Tools/bench_api.sh, Tools/bench_scale.sh): a new
-- visit id per request, the grid's households in turn, no visitor_id (the visitor is the
-- caller). The benchmark puts `local households = { "CODE", ... }` before it.
local threads = 0
local run = os.time() % 65536
function setup(thread)
    threads = threads + 1
    thread:set("thread_id", run * 256 + threads)
end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
    counter = counter + 1
    local id = string.format("%08x-0000-4000-8000-%012x", thread_id, counter)
    local household = households[(counter % #households) + 1]
    local body = string.format('{"id": "%s", "household_code": "%s", "visited_at": "2026-11-21T10:00:00+08:00", "method": "door", "outcome": "met"}', id, household)
    return wrk.format(nil, "/api/v1/visits", nil, body)
end
