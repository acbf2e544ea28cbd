#!/usr/bin/env python3
"""A deliberately broken adapter: the classic forum mistakes.

- It builds the ticket request as a form body but labels it `Content-Type: application/json`.
- It looks users up without a bearer token.
The harness's own test asserts that the suite fails it on exactly the scenarios that catch these.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return True, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode()
        error = {"status": err.code, "body": body}
        limits = {k.lower(): v for k, v in err.headers.items() if k.lower().startswith("x-ratelimit-")}
        if limits:
            error["headers"] = limits
        return False, error


def token(p):
    body = json.dumps({"grant_type": "client_credentials", "client_id": p["client_id"],
                       "client_secret": p["client_secret"], "audience": p["audience"]}).encode()
    ok, answer = call("POST", p["base_url"] + "/oauth/token", body, {"Content-Type": "application/json"})
    return ok, (answer["access_token"] if ok else answer)


def run(op, p, args):
    if op == "auth0.get_management_token":
        ok, t = token(p)
        return ok, ({"access_token": t} if ok else t)
    if op == "auth0.create_password_change_ticket":
        ok, t = token(p)
        if not ok:
            return ok, t
        fields = {"user_id": args["user_id"]} if "user_id" in args else {
            "email": args["email"], "connection_id": p["connection_id"]}
        # Mistake: a form body sent with a JSON content type.
        body = urllib.parse.urlencode(fields).encode()
        return call("POST", p["base_url"] + "/api/v2/tickets/password-change", body,
                    {"Content-Type": "application/json", "Authorization": "Bearer " + t})
    if op == "auth0.find_users_by_email":
        # Mistake: no bearer token.
        query = urllib.parse.urlencode({"email": args["email"]})
        ok, users = call("GET", p["base_url"] + "/api/v2/users-by-email?" + query)
        return ok, ({"users": users} if ok else users)
    return None, None


OPS = ["auth0.get_management_token", "auth0.create_password_change_ticket", "auth0.find_users_by_email"]

for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "start":
        out = {"ok": True, "name": "forum-mistakes", "version": "0.1", "operations": OPS}
    elif msg["cmd"] == "stop":
        break
    else:
        ok, value = run(msg["op"], msg["provider"], msg["args"])
        if ok is None:
            out = {"seq": msg["seq"], "ok": False, "unsupported": True}
        elif ok:
            out = {"seq": msg["seq"], "ok": True, "result": value}
        else:
            out = {"seq": msg["seq"], "ok": False, "error": value}
    print(json.dumps(out), flush=True)
