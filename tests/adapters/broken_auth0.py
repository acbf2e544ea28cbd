#!/usr/bin/env python3
"""Auth0 adapters with exactly one mistake each: a mutation test of the suite.

    python3 broken_auth0.py MODE

With MODE `none` the adapter does everything right (a token cached until it expires and fetched
again on `Expired token`, JSON bodies, bearer tokens, a 429 retried only after
x-ratelimit-reset, errors reported as received, headers included). Every other MODE adds one
mistake integrators make:

    connection       confuses the connection's name and id: `connection` (the name) where the
                     ticket wants `connection_id`, the id where /dbconnections and the login
                     want the name
    secret-in-query  sends the client secret in the token request's query string too
    no-bearer        sends Management API requests without the Authorization header
    token-per-call   fetches a new Management API token for every operation
    immediate-retry  retries a 429 at once, ignoring x-ratelimit-reset
    reworded         reports errors with its own message instead of the provider's body
    dropped-headers  drops the x-ratelimit-* headers from the errors it reports
    long-tickets     asks for tickets valid ten days "to be safe" (ttl_sec 864000)
    dead-token       keeps its cached token when the provider says it expired
    unbounded-retry  retries a 429 (after its reset) seven times before giving up
    search-v2        searches users with search_engine=v2, as code copied from old examples does
    verification-ticket  makes an email-verification ticket and reports it as the mailed job
                     (tickets are links for the application to send; only the job mails one)
    role-objects     sends the roles to assign as objects ({"id": …}) instead of their ids
    unblock-identifier  lifts a lockout with ?identifier=<user id>; the block is on the email

tests/conformance.rs asserts the exact set of scenarios each mode fails; docs/writing-scenarios.md
shows which step kind each one kills. Standard library only.
"""
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MODE = sys.argv[1] if len(sys.argv) > 1 else "none"
RETRIES = 7 if MODE == "unbounded-retry" else 3
OPERATIONS = [
    "auth0.get_management_token",
    "auth0.create_password_change_ticket",
    "auth0.send_password_reset_email",
    "auth0.set_user_password",
    "auth0.login_with_password",
    "auth0.find_users_by_email",
    "auth0.create_user",
    "auth0.search_users",
    "auth0.delete_user",
    "auth0.send_verification_email",
    "auth0.assign_roles",
    "auth0.unblock_user",
]
CACHE = {}


def call(method, url, body=None, token=None):
    """One request (a 429 retried); returns (ok, JSON body or the error as the protocol wants it)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token and MODE != "no-bearer":
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(RETRIES + 1):
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req) as resp:
                raw = resp.read()
                try:
                    return True, json.loads(raw or b"null")
                except ValueError:
                    return True, raw.decode()
        except urllib.error.HTTPError as err:
            raw = err.read()
            # Only the Management API is retried (the SDKs' authentication clients never retry).
            if err.code == 429 and attempt < RETRIES and "/api/v2/" in url:
                if MODE != "immediate-retry":
                    reset = err.headers.get("x-ratelimit-reset")
                    wait = float(reset) - time.time() if reset and reset.isdigit() else 1.0
                    time.sleep(min(max(wait, 0.0), 5.0))
                continue
            try:
                answer = json.loads(raw)
            except ValueError:
                answer = raw.decode()
            if MODE == "reworded":
                answer = {"message": "The identity provider refused the request"}
            error = {"status": err.code, "body": answer}
            limits = {k.lower(): v for k, v in err.headers.items() if k.lower().startswith("x-ratelimit-")}
            if limits and MODE != "dropped-headers":
                error["headers"] = limits
            return False, error


def token(p, fresh=False):
    key = (p["base_url"], p["client_id"], p["audience"])
    cached = CACHE.get(key)
    if cached and not fresh and MODE != "token-per-call" and time.time() < cached[1]:
        return True, cached[0]
    url = p["base_url"] + "/oauth/token"
    if MODE == "secret-in-query":
        url += "?" + urllib.parse.urlencode({"client_id": p["client_id"], "client_secret": p["client_secret"]})
    ok, answer = call("POST", url, {
        "grant_type": "client_credentials", "client_id": p["client_id"],
        "client_secret": p["client_secret"], "audience": p["audience"]})
    if not ok:
        return ok, answer
    CACHE[key] = (answer["access_token"], time.time() + answer["expires_in"] - 10)
    return True, answer["access_token"]


def management(p, method, path, body=None):
    """A Management API call; one fresh token when the provider says the cached one expired."""
    ok, t = token(p)
    if not ok:
        return ok, t
    ok, answer = call(method, p["base_url"] + path, body, t)
    expired = MODE != "dead-token" and not ok and answer["status"] == 401 and isinstance(answer["body"], dict) \
        and str(answer["body"].get("message", "")).startswith("Expired token")
    if expired:
        ok, t = token(p, fresh=True)
        if not ok:
            return ok, t
        ok, answer = call(method, p["base_url"] + path, body, t)
    return ok, answer


def run(op, p, args):
    if op == "auth0.get_management_token":
        ok, t = token(p)
        return ok, ({"access_token": t} if ok else t)
    if op == "auth0.create_password_change_ticket":
        body = dict(args)
        if "email" in body:
            if MODE == "connection":
                body["connection"] = p["connection"]
            else:
                body["connection_id"] = p["connection_id"]
        if MODE == "long-tickets" and "ttl_sec" not in body:
            body["ttl_sec"] = 864000
        return management(p, "POST", "/api/v2/tickets/password-change", body)
    if op == "auth0.send_password_reset_email":
        ok, answer = call("POST", p["base_url"] + "/dbconnections/change_password", {
            "client_id": p["login_client_id"], "email": args["email"],
            "connection": p["connection_id"] if MODE == "connection" else p["connection"]})
        return ok, ({} if ok else answer)
    if op == "auth0.set_user_password":
        path = "/api/v2/users/" + urllib.parse.quote(args["user_id"], safe="")
        ok, answer = management(p, "PATCH", path, {"password": args["password"], "connection": p["connection"]})
        return ok, ({"user_id": answer.get("user_id")} if ok else answer)
    if op == "auth0.login_with_password":
        ok, answer = call("POST", p["base_url"] + "/oauth/token", {
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": p["login_client_id"], "client_secret": p["login_client_secret"],
            "username": args["email"], "password": args["password"],
            "realm": p["connection_id"] if MODE == "connection" else p["connection"], "scope": "openid"})
        return ok, ({"logged_in": True} if ok else answer)
    if op == "auth0.find_users_by_email":
        path = "/api/v2/users-by-email?" + urllib.parse.urlencode({"email": args["email"]})
        ok, answer = management(p, "GET", path)
        return ok, ({"users": answer} if ok else answer)
    user_path = urllib.parse.quote(args.get("user_id", ""), safe="")
    if op == "auth0.create_user":
        body = dict(args, connection=p["connection_id"] if MODE == "connection" else p["connection"])
        return management(p, "POST", "/api/v2/users", body)
    if op == "auth0.search_users":
        query = dict(args, search_engine="v2" if MODE == "search-v2" else "v3", include_totals="true")
        ok, answer = management(p, "GET", "/api/v2/users?" + urllib.parse.urlencode(query))
        return ok, ({"users": answer["users"], "total": answer["total"]} if ok else answer)
    if op == "auth0.delete_user":
        ok, answer = management(p, "DELETE", "/api/v2/users/" + user_path)
        return ok, ({} if ok else answer)
    if op == "auth0.send_verification_email":
        if MODE == "verification-ticket":
            ok, answer = management(p, "POST", "/api/v2/tickets/email-verification", {"user_id": args["user_id"]})
            return ok, ({"id": answer["ticket"]} if ok else answer)
        return management(p, "POST", "/api/v2/jobs/verification-email", {"user_id": args["user_id"]})
    if op == "auth0.assign_roles":
        roles = [{"id": r} for r in args["roles"]] if MODE == "role-objects" else args["roles"]
        ok, answer = management(p, "POST", "/api/v2/users/%s/roles" % user_path, {"roles": roles})
        return ok, ({} if ok else answer)
    if op == "auth0.unblock_user":
        if MODE == "unblock-identifier":
            path = "/api/v2/user-blocks?" + urllib.parse.urlencode({"identifier": args["user_id"]})
        else:
            path = "/api/v2/user-blocks/" + user_path
        ok, answer = management(p, "DELETE", path)
        return ok, ({} if ok else answer)
    return None, None


for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "start":
        out = {"ok": True, "name": "broken-auth0 " + MODE, "version": "1", "operations": OPERATIONS}
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
