#!/usr/bin/env python3
"""A deliberately broken adapter: a new token for every call, and a retry storm on 429.

- It fetches a new Management API token for every operation instead of caching it until
  shortly before `expires_in`.
- It retries a 429 at once, without waiting for `x-ratelimit-reset` (three times, then it
  reports the 429).
Everything else is done right: JSON bodies, bearer tokens, errors reported as received.
The harness's own test asserts that the suite fails it on exactly the scenarios that catch
these two mistakes.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

RETRIES = 3


def call(method, url, body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(RETRIES + 1):
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req) as resp:
                return True, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            # Mistake: retry a 429 at once, ignoring x-ratelimit-reset.
            if err.code == 429 and attempt < RETRIES:
                continue
            try:
                answer = json.loads(raw)
            except ValueError:
                answer = raw.decode()
            error = {"status": err.code, "body": answer}
            limits = {k.lower(): v for k, v in err.headers.items() if k.lower().startswith("x-ratelimit-")}
            if limits:
                error["headers"] = limits
            return False, error


def token(p):
    # Mistake: a new token for every operation, never cached.
    return call("POST", p["base_url"] + "/oauth/token", {
        "grant_type": "client_credentials", "client_id": p["client_id"],
        "client_secret": p["client_secret"], "audience": p["audience"]})


def run(op, p, args):
    ok, answer = token(p)
    if not ok:
        return ok, answer
    t = answer["access_token"]
    if op == "auth0.get_management_token":
        return True, {"access_token": t}
    if op == "auth0.create_password_change_ticket":
        body = {"user_id": args["user_id"]} if "user_id" in args else {
            "email": args["email"], "connection_id": p["connection_id"]}
        for optional in ("result_url", "ttl_sec", "client_id"):
            if optional in args:
                body[optional] = args[optional]
        return call("POST", p["base_url"] + "/api/v2/tickets/password-change", body, t)
    if op == "auth0.set_user_password":
        user = urllib.parse.quote(args["user_id"], safe="")
        return call("PATCH", p["base_url"] + "/api/v2/users/" + user,
                    {"password": args["password"], "connection": p["connection"]}, t)
    if op == "auth0.find_users_by_email":
        query = urllib.parse.urlencode({"email": args["email"]})
        ok, users = call("GET", p["base_url"] + "/api/v2/users-by-email?" + query, token=t)
        return ok, ({"users": users} if ok else users)
    return None, None


OPS = ["auth0.get_management_token", "auth0.create_password_change_ticket",
       "auth0.set_user_password", "auth0.find_users_by_email"]

for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "start":
        out = {"ok": True, "name": "token-per-call", "version": "0.1", "operations": OPS}
    elif msg["cmd"] == "stop":
        break
    elif msg["op"] not in OPS:
        out = {"seq": msg["seq"], "ok": False, "unsupported": True}
    else:
        ok, value = run(msg["op"], msg["provider"], msg["args"])
        if ok:
            out = {"seq": msg["seq"], "ok": True, "result": value}
        else:
            out = {"seq": msg["seq"], "ok": False, "error": value}
    print(json.dumps(out), flush=True)
