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
    scope-string     grants an application an API's scopes as one space-separated string, the
                     way /oauth/token takes them, where a client grant's `scope` is an array
    emptied-grant    takes a grant back by emptying its scopes (PATCH {"scope": []}) instead of
                     deleting it; the application still gets tokens, with no scope
    callback-kept    changes an application's callbacks by adding the new one to those it reads
                     first, as if a PATCH merged arrays; the old callback is still allowed
    ignores-mfa-required  treats a login's or a refresh's 403 mfa_required as any refused
                     login, reporting its error and description only: the mfa_token is lost
    members-by-email makes users members of an organization by their email addresses instead of
                     their user ids
    unread-import-errors  takes a finished users import job's summary as the whole story and
                     never reads its /errors: the users the job refused are reported as none
    auto-membership  creates an organization with its connections' assign_membership_on_login on
                     "so users need not be added", letting every user of the connection in

The browser-login operations (the adapter is the application) add theirs:

    ignores-state      never compares the callback's state with the one it sent
    late-state         redeems the callback's code first and compares the state afterwards
    ignores-nonce      never compares the ID token's nonce with the one it sent
    no-pkce            sends no code_challenge and redeems the code without a code_verifier
    replayed-callback  answers a callback it already accepted from memory, accepting it again
    keeps-refresh      keeps (and reports) its first refresh token after a rotation
    refresh-fallback   keeps the user signed in on the tokens it holds when a refresh is refused,
                       reporting them as the refresh's result
    ignores-error      reads a callback without a code as "no code", dropping the provider's error
    logout-client      logs out naming its Management API client instead of the login application
    no-redirect-uri    leaves redirect_uri out of the /authorize URL, counting on the default callback
    no-step-up         asks for a second factor with a plain login, leaving acr_values out: the
                       signed-in user's browser comes straight back without one
    ignores-amr        accepts a step-up's callback without checking that the ID token's acr and
                       amr say a second factor happened
    drops-organization starts a login through an organization without its `organization` (and
                       `invitation`): the user logs in to the application, not the organization

tests/conformance/main.rs asserts the exact set of scenarios each mode fails (listed in
tests/conformance/mutants.json); docs/writing-scenarios.md
shows which step kind each one kills. Standard library only.
"""
import base64
import hashlib
import json
import secrets
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
    "auth0.verify_mfa_otp",
    "auth0.find_users_by_email",
    "auth0.begin_login",
    "auth0.begin_organization_login",
    "auth0.complete_login",
    "auth0.begin_step_up",
    "auth0.refresh_tokens",
    "auth0.get_userinfo",
    "auth0.logout",

    "auth0.create_user",
    "auth0.search_users",
    "auth0.delete_user",
    "auth0.send_verification_email",
    "auth0.assign_roles",
    "auth0.unblock_user",
    "auth0.create_client",
    "auth0.update_client",
    "auth0.create_client_grant",
    "auth0.delete_client_grant",
    "auth0.create_organization",
    "auth0.add_organization_members",
    "auth0.import_users",
]
CACHE = {}
# The browser-login state per tenant: what a web application keeps in its session.
LOGINS = {}


def mfa_answer(answer):
    """A refused grant's error as this mode reports it (ignores-mfa-required drops the mfa_token)."""
    if MODE == "ignores-mfa-required" and isinstance(answer["body"], dict):
        body = answer["body"]
        return dict(answer, body={"error": body.get("error"), "error_description": body.get("error_description")})
    return answer


def call(method, url, body=None, token=None, content_type=None):
    """One request (a 429 retried); returns (ok, JSON body or the error as the protocol wants it).
    With a content_type the body is sent as the bytes it is, else as JSON."""
    headers = {"Content-Type": content_type or "application/json"} if body is not None else {}
    if token and MODE != "no-bearer":
        headers["Authorization"] = "Bearer " + token
    data = body if content_type else json.dumps(body).encode() if body is not None else None
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
            error = {"status": err.code, "body": error_answer(raw)}
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


def management(p, method, path, body=None, content_type=None):
    """A Management API call; one fresh token when the provider says the cached one expired."""
    ok, t = token(p)
    if not ok:
        return ok, t
    ok, answer = call(method, p["base_url"] + path, body, t, content_type)
    expired = MODE != "dead-token" and not ok and answer["status"] == 401 and isinstance(answer["body"], dict) \
        and str(answer["body"].get("message", "")).startswith("Expired token")
    if expired:
        ok, t = token(p, fresh=True)
        if not ok:
            return ok, t
        ok, answer = call(method, p["base_url"] + path, body, t, content_type)
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
        return ok, ({"logged_in": True} if ok else mfa_answer(answer))
    if op == "auth0.verify_mfa_otp":
        # The application the mfa_token was issued to: the browser login's (a refresh asked), else
        # the password grant's.
        login = LOGINS.get(p["base_url"], {})
        body = {"grant_type": "http://auth0.com/oauth/grant-type/mfa-otp",
                "client_id": login.get("client_id", p["login_client_id"]),
                "mfa_token": args["mfa_token"], "otp": args["otp"]}
        secret = login["client_secret"] if "client_id" in login else p["login_client_secret"]
        if secret:
            body["client_secret"] = secret
        ok, answer = call("POST", p["base_url"] + "/oauth/token", body)
        return ok, ({"access_token": answer["access_token"]} if ok else answer)
    if op == "auth0.find_users_by_email":
        path = "/api/v2/users-by-email?" + urllib.parse.urlencode({"email": args["email"]})
        ok, answer = management(p, "GET", path)
        return ok, ({"users": answer} if ok else answer)
    if op.startswith("auth0.") and op[len("auth0."):] in LOGIN_OPERATIONS:
        return LOGIN_OPERATIONS[op[len("auth0."):]](p, args, LOGINS.setdefault(p["base_url"], {}))

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
    if op == "auth0.create_client":
        ok, answer = management(p, "POST", "/api/v2/clients", args)
        return ok, ({"client_id": answer["client_id"], "client_secret": answer["client_secret"]} if ok else answer)
    if op == "auth0.update_client":
        path = "/api/v2/clients/" + urllib.parse.quote(args["client_id"], safe="")
        callbacks = args["callbacks"]
        if MODE == "callback-kept":
            ok, current = management(p, "GET", path)
            if not ok:
                return ok, current
            callbacks = current.get("callbacks", []) + callbacks
        ok, answer = management(p, "PATCH", path, {"callbacks": callbacks})
        return ok, ({"client_id": answer["client_id"], "callbacks": answer["callbacks"]} if ok else answer)
    if op == "auth0.create_client_grant":
        scope = " ".join(args["scope"]) if MODE == "scope-string" else args["scope"]
        ok, answer = management(p, "POST", "/api/v2/client-grants", dict(args, scope=scope))
        return ok, ({"id": answer["id"]} if ok else answer)
    if op == "auth0.create_organization":
        body = args
        if MODE == "auto-membership":
            connections = [dict(c, assign_membership_on_login=True) for c in args["enabled_connections"]]
            body = dict(args, enabled_connections=connections)
        ok, answer = management(p, "POST", "/api/v2/organizations", body)
        return ok, ({"id": answer["id"]} if ok else answer)
    if op == "auth0.add_organization_members":
        path = "/api/v2/organizations/" + urllib.parse.quote(args["organization_id"], safe="") + "/members"
        members = args["members"]
        if MODE == "members-by-email":
            emails = []
            for user_id in members:
                ok, user = management(p, "GET", "/api/v2/users/" + urllib.parse.quote(user_id, safe=""))
                if not ok:
                    return ok, user
                emails.append(user["email"])
            members = emails
        ok, answer = management(p, "POST", path, {"members": members})
        return ok, ({} if ok else answer)
    if op == "auth0.delete_client_grant":
        path = "/api/v2/client-grants/" + urllib.parse.quote(args["id"], safe="")
        if MODE == "emptied-grant":
            ok, answer = management(p, "PATCH", path, {"scope": []})
        else:
            ok, answer = management(p, "DELETE", path)
        return ok, ({} if ok else answer)
    if op == "auth0.import_users":
        return import_users(p, args)
    return None, None


def import_users(p, args):
    """The users as a JSON file part of a multipart body; the job read back until it finished, then
    its errors (a 204 is none; the unread-import-errors mode never asks)."""
    boundary = secrets.token_hex(16)
    connection = p["connection"] if MODE == "connection" else args["connection_id"]
    parts = [("users", "users.json", json.dumps(args["users"])), ("connection_id", None, connection),
             ("upsert", None, "true" if args["upsert"] else "false")]
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: application/json\r\n" if filename else ""
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n{value}\r\n".encode()
    body += f"--{boundary}--\r\n".encode()
    ok, job = management(p, "POST", "/api/v2/jobs/users-imports", body, f"multipart/form-data; boundary={boundary}")
    if not ok:
        return ok, job
    path = "/api/v2/jobs/" + urllib.parse.quote(job["id"], safe="")
    for _ in range(100):
        if job["status"] != "pending":
            break
        time.sleep(0.1)
        ok, job = management(p, "GET", path)
        if not ok:
            return ok, job
    if MODE == "unread-import-errors":
        return True, {"id": job["id"], "status": job["status"], "summary": job.get("summary"), "errors": []}
    ok, errors = management(p, "GET", path + "/errors")
    if not ok:
        return ok, errors
    return True, {"id": job["id"], "status": job["status"], "summary": job.get("summary"),
                  "errors": errors if isinstance(errors, list) else []}


def error_answer(raw):
    """An error body as the adapter reports it: JSON when it parses, text otherwise; reworded in that mode."""
    if MODE == "reworded":
        return {"message": "The identity provider refused the request"}
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode()


def post_form(url, fields):
    """A form-encoded POST (the token endpoint as OAuth clients call it); (ok, body or error)."""
    req = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    try:
        with urllib.request.urlopen(req) as resp:
            return True, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return False, {"status": err.code, "body": error_answer(err.read())}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def begin_login(p, args, login):
    state, nonce, verifier = secrets.token_urlsafe(18), secrets.token_urlsafe(18), secrets.token_urlsafe(48)
    login.clear()
    login.update(client_id=args["client_id"], client_secret=args.get("client_secret"),
                 redirect_uri=args["redirect_uri"], state=state, nonce=nonce, verifier=verifier,
                 acr=args.get("acr_values"), organization=args.get("organization"))
    query = {"response_type": "code", "client_id": args["client_id"], "redirect_uri": args["redirect_uri"],
             "scope": args["scope"], "state": state, "nonce": nonce}
    if MODE == "no-redirect-uri":
        del query["redirect_uri"]
    if MODE != "no-pkce":
        query["code_challenge"] = b64url(hashlib.sha256(verifier.encode()).digest())
        query["code_challenge_method"] = "S256"
    query.update({k: args[k] for k in ("audience", "prompt", "acr_values") if args.get(k)})
    if MODE != "drops-organization":
        query.update({k: args[k] for k in ("organization", "invitation") if args.get(k)})
    return True, {"url": p["base_url"] + "/authorize?" + urllib.parse.urlencode(query)}


def begin_step_up(p, args, login):
    if MODE == "no-step-up":
        args = {k: v for k, v in args.items() if k != "acr_values"}
    return begin_login(p, args, login)


def complete_login(p, args, login):
    callback = args["callback_url"]
    if MODE == "replayed-callback" and login.get("answered", (None,))[0] == callback:
        return True, login["answered"][1]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    if "state" not in login:
        return True, {"accepted": False, "reason": "no login in progress"}
    state_ok = params.get("state") == login["state"]
    if not state_ok and MODE not in ("ignores-state", "late-state"):
        return True, {"accepted": False, "reason": "state_mismatch"}
    if "error" in params and MODE != "ignores-error":
        return True, {"accepted": False, "reason": params["error"]}
    if "code" not in params:
        return True, {"accepted": False, "reason": "no code in the callback"}
    if MODE != "replayed-callback":
        del login["state"]  # one callback consumes the transaction
    fields = {"grant_type": "authorization_code", "client_id": login["client_id"], "code": params["code"],
              "redirect_uri": login["redirect_uri"]}
    if MODE != "no-pkce":
        fields["code_verifier"] = login["verifier"]
    if login["client_secret"]:
        fields["client_secret"] = login["client_secret"]
    ok, tokens = post_form(p["base_url"] + "/oauth/token", fields)
    if not ok:
        return ok, tokens
    if not state_ok and MODE == "late-state":
        return True, {"accepted": False, "reason": "state_mismatch"}
    claims = jwt_claims(tokens["id_token"])
    if claims["iss"] != p["base_url"] + "/" or claims["aud"] != login["client_id"]:
        return True, {"accepted": False, "reason": "id_token_issuer_or_audience"}
    if claims.get("nonce") != login["nonce"] and MODE != "ignores-nonce":
        return True, {"accepted": False, "reason": "nonce_mismatch"}
    stepped_up = claims.get("acr") == login["acr"] and "mfa" in claims.get("amr", [])
    if login["acr"] and not stepped_up and MODE != "ignores-amr":
        return True, {"accepted": False, "reason": "second_factor_not_performed"}
    if login["organization"] and MODE != "drops-organization" and claims.get("org_id") != login["organization"]:
        return True, {"accepted": False, "reason": "organization_mismatch"}
    login.update(access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"))
    answer = {"accepted": True, "sub": claims["sub"], "access_token": tokens["access_token"],
              "refresh_token": tokens.get("refresh_token")}
    answer.update({k: claims[k] for k in ("acr", "amr", "org_id") if k in claims})
    login["answered"] = (callback, answer)
    return True, answer


def refresh_tokens(p, args, login):
    if not login.get("refresh_token"):
        sys.exit("no refresh token: no login was completed")
    fields = {"grant_type": "refresh_token", "client_id": login["client_id"], "refresh_token": login["refresh_token"]}
    if login["client_secret"]:
        fields["client_secret"] = login["client_secret"]
    ok, tokens = post_form(p["base_url"] + "/oauth/token", fields)
    if not ok and MODE == "refresh-fallback" and login.get("access_token"):
        return True, {"access_token": login["access_token"], "refresh_token": login["refresh_token"]}
    if not ok:
        return ok, mfa_answer(tokens)
    if MODE != "keeps-refresh" and tokens.get("refresh_token"):
        login["refresh_token"] = tokens["refresh_token"]
    login["access_token"] = tokens["access_token"]
    return True, {"access_token": tokens["access_token"], "refresh_token": login["refresh_token"]}


def get_userinfo(p, args, login):
    return call("GET", p["base_url"] + "/userinfo", token=login.get("access_token"))


def logout(p, args, login):
    client_id = p["client_id"] if MODE == "logout-client" else login.get("client_id", p["login_client_id"])
    query = {"client_id": client_id, "returnTo": args["return_to"]}
    login.clear()
    return True, {"url": p["base_url"] + "/v2/logout?" + urllib.parse.urlencode(query)}


LOGIN_OPERATIONS = {
    "begin_login": begin_login,
    "begin_organization_login": begin_login,
    "complete_login": complete_login,
    "begin_step_up": begin_step_up,
    "refresh_tokens": refresh_tokens,
    "get_userinfo": get_userinfo,
    "logout": logout,
}


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
