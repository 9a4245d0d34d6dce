-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk's script for make bench (tools/bench): durable ticket issues by N
-- keep-alive connections, each waiting for its answer (wrk -t1 -cN), the
-- services in turn.  Every answer must be 201: any other fails the bench.
-- Prints issue_Nclients_per_s and issue_Nclients_p99_ms.
--   SERVICES=a,b,c CLIENTS=4 wrk -t1 -c4 -d10s -s tools/bench-wrk.lua URL

local services = {}
for code in string.gmatch(os.getenv("SERVICES") or "", "[^,]+") do
	table.insert(services, code)
end
local clients = os.getenv("CLIENTS") or "4"
local threads = {}
local sent = 0

wrk.method = "POST"
wrk.path = "/api/tickets"
wrk.headers["Content-Type"] = "application/json"

setup = function(thread)
	table.insert(threads, thread)
end

init = function()
	bad, first_bad = 0, nil
	if #services == 0 then
		io.stderr:write("bench-wrk: SERVICES is empty\n")
		os.exit(2)
	end
end

request = function()
	sent = sent + 1
	local body = '{"service":"' .. services[sent % #services + 1] .. '"}'
	return wrk.format(nil, nil, nil, body)
end

response = function(status, headers, body)
	if status ~= 201 then
		bad = bad + 1
		if not first_bad then
			first_bad = status .. " " .. body
		end
	end
end

done = function(summary, latency, requests)
	local failed = 0
	for _, thread in ipairs(threads) do
		local n = thread:get("bad")
		if n > 0 then
			io.stderr:write(string.format("bench-wrk: %d issues failed: %s\n", n,
				tostring(thread:get("first_bad"))))
		end
		failed = failed + n
	end
	local e = summary.errors
	local broken = e.connect + e.read + e.write + e.timeout
	if broken > 0 then
		io.stderr:write(string.format("bench-wrk: %d socket errors (connect %d, read %d, " ..
			"write %d, timeout %d)\n", broken, e.connect, e.read, e.write, e.timeout))
	end
	io.write(string.format("BENCH issue_%sclients_per_s=%.0f tickets/s\n", clients,
		summary.requests / (summary.duration / 1e6)))
	io.write(string.format("BENCH issue_%sclients_p99_ms=%.3f ms\n", clients,
		latency:percentile(99) / 1000))
	if failed + broken > 0 then
		os.exit(1)
	end
end
