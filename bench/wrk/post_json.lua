-- post_json (ROUTES.md): POST /json-echo, a small JSON document.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"message":"Hello, World!","items":[1,2,3,4]}'
