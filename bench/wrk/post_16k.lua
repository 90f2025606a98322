-- post_large and post_consume (ROUTES.md): POST /echo and /consume (the path
-- comes from the URL), a 16 KiB body: `a`..`z` repeated, the same bytes as
-- the test kit's bench-app check and the harness's.
local bytes = {}
for i = 0, 16 * 1024 - 1 do
  bytes[#bytes + 1] = string.char(97 + i % 26)
end
wrk.method = "POST"
wrk.body = table.concat(bytes)
