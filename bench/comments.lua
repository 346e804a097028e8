-- wrk script for bench/comments.sh: every request posts a new comment (postComment) as the
-- next account in the tokens file, so the load spreads over all the accounts. Each body and
-- idempotency key is unique. Counts as failed every non-200 response and every 200 whose body
-- carries GraphQL "errors"; done() prints the accepted count, accepted/s and p50/p99.
--
-- wrk -t2 -c32 -d30s --latency -s bench/comments.lua URL/graphql -- \
--     TOKENS_FILE CONSULTATION_ID SECTION_IDS(comma-separated) RUN_LABEL

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state).
local tokens = {}
local sections = {}
local consultation = ""
local label = "run"
local counter = 0
local offset = 0
failures = 0
non200 = 0
gql_errors = 0
first_error = ""

local stances = { '"AGREE"', '"DISAGREE"', '"NEUTRAL"', '"AGREE"', '"DISAGREE"', "null" }

local bodies = {
  "เห็นด้วยกับมาตรานี้ แต่ควรกำหนดระยะเวลาให้หน่วยงานดำเนินการให้ชัดเจน (ความคิดเห็นทดสอบที่ %d-%d)",
  "ไม่เห็นด้วย เพราะภาระค่าใช้จ่ายตกอยู่กับท้องถิ่นมากเกินไป\\n\\nเสนอให้รัฐจัดสรรงบประมาณสนับสนุน (ความคิดเห็นทดสอบที่ %d-%d)",
  "ควรเพิ่มที่จอดจักรยานใกล้สถานีรถไฟฟ้าและป้ายรถประจำทางทุกแห่ง (ความคิดเห็นทดสอบที่ %d-%d)",
  "ขอให้นิยามคำว่า \\\"ทางจักรยาน\\\" ให้ครอบคลุมทางร่วมกับทางเท้าด้วย (ความคิดเห็นทดสอบที่ %d-%d)",
}

function init(args)
  local path = args[1]
  consultation = args[2]
  for s in string.gmatch(args[3] or "", "[^,]+") do
    table.insert(sections, s)
  end
  label = args[4] or "run"
  for line in io.lines(path) do
    if #line > 0 then
      table.insert(tokens, line)
    end
  end
  -- Each thread walks the tokens round-robin from its own starting point, far from the
  -- others', so the connections in flight at any moment belong to distinct accounts.
  offset = ((tid or 1) - 1) * 7919
end

function request()
  local n = counter
  counter = counter + 1
  local token = tokens[((offset + n) % #tokens) + 1]
  local section = "null"
  -- One in eight on the draft as a whole.
  if #sections > 0 and n % 8 ~= 0 then
    section = '"' .. sections[(n % #sections) + 1] .. '"'
  end
  local stance = stances[(n % #stances) + 1]
  local text = string.format(bodies[(n % #bodies) + 1], tid or 1, n)
  local body = '{"query":"mutation($input: PostCommentInput!) { postComment(input: $input) { id } }",'
    .. '"variables":{"input":{"consultationId":"' .. consultation .. '",'
    .. '"sectionId":' .. section .. ','
    .. '"body":"' .. text .. '",'
    .. '"stance":' .. stance .. ','
    .. '"idempotencyKey":"bench-' .. label .. '-' .. (tid or 1) .. '-' .. n .. '"}}}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  local failed = false
  if status ~= 200 then
    non200 = non200 + 1
    failed = true
  elseif string.find(body, '"errors"', 1, true) then
    gql_errors = gql_errors + 1
    failed = true
  end
  if failed then
    failures = failures + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local failed, bad_status, errors, sample = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    failed = failed + (t:get("failures") or 0)
    bad_status = bad_status + (t:get("non200") or 0)
    errors = errors + (t:get("gql_errors") or 0)
    local e = t:get("first_error") or ""
    if sample == "" and e ~= "" then
      sample = e
    end
  end
  local secs = summary.duration / 1e6
  local accepted = summary.requests - failed
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH requests=%d accepted=%d failed=%d non200=%d gql_errors=%d socket_errors=%d seconds=%.2f accepted_per_s=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, accepted, failed, bad_status, errors, socket, secs, accepted / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  if sample ~= "" then
    io.write("BENCH first_failure: " .. sample .. "\n")
  end
end
