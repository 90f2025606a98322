-- post_small (ROUTES.md): POST /echo, body `hello moonbit`.
wrk.method = "POST"
wrk.body = "hello moonbit"
