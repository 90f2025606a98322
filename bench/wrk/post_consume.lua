-- post_consume (ROUTES.md): POST /consume, a 16 KiB body: `a`..`z` repeated, the
-- same bytes as tests/bench_app.rs and the harness's checks.
local bytes = {}
for i = 0, 16 * 1024 - 1 do
  bytes[#bytes + 1] = string.char(97 + i % 26)
end
wrk.method = "POST"
wrk.body = table.concat(bytes)
