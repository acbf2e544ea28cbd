#!/usr/bin/env python3
"""Janrain Capture adapters with exactly one mistake each: a mutation test of the suite.

    python3 broken_janrain.py MODE

With MODE `none` the adapter does the password-recovery journey right (form posts, the login
client's secret in the body of /oauth/token only, `"stat":"error"` reported as the error it is,
bodies reported as received, one login client throughout). Every other MODE adds one mistake:

    stat-error-success  treats an HTTP 200 with "stat":"error" as a success
    json-bodies         posts JSON instead of application/x-www-form-urlencoded
    secrets-in-query    sends the client secret and the code in the URL of /oauth/token (and in
                        the body), and the sign-in password in the URL only
    reworded            reports errors with its own message instead of Capture's body
    other-client        exchanges the recovery code with another login client of the app (one
                        an application configured for its mobile app, found through the app's
                        summary)
    local-uuid          reports a uuid it made up for a record it created, not the one Capture
                        assigned
    reshaped-results    reports only the uuid and email of each record entity.find returned
    replace-for-update  changes a record with entity.replace, which clears every attribute not
                        given
    soft-delete         "deletes" a record by marking its displayName, leaving it in the app
    unsigned-refresh    signs its token refresh over the access token alone, not Capture's string
                        "refresh_access_token\n<date>\n<access_token>\n"
    resend-as-recovery  asks for a new verification link with forgot_password_native, which mails a
                        password-recovery link instead
    name-as-given-name  edits the display name by sending it as firstName

local-uuid also reports made-up uuids for the account it registered and the record it verified.

The Entity operations authenticate as the run's API client with HTTP Basic.

tests/conformance/main.rs asserts the exact set of scenarios each mode fails (listed in
tests/conformance/mutants.json). Standard library only.
"""
import base64
import datetime
import hashlib
import hmac
import json
import sys
import uuid
import urllib.error
import urllib.parse
import urllib.request

MODE = sys.argv[1] if len(sys.argv) > 1 else "none"
OPERATIONS = [
    "janrain.send_password_recovery_email",
    "janrain.exchange_code",
    "janrain.update_password",
    "janrain.sign_in",
    "janrain.entity_find",
    "janrain.entity_create",
    "janrain.entity_update",
    "janrain.entity_delete",
    "janrain.register",
    "janrain.resend_verification_email",
    "janrain.verify_email",
    "janrain.refresh_access_token",
    "janrain.update_profile",
    "janrain.change_password",
]


def post(p, path, fields, query=None, headers=None):
    """Posts `fields`; returns (ok, JSON body or text, status)."""
    url = p["base_url"] + path + ("?" + urllib.parse.urlencode(query) if query else "")
    if MODE == "json-bodies":
        data, content_type = json.dumps(fields).encode(), "application/json"
    else:
        data, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(req) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw.decode()
    ok = 200 <= status < 300 and isinstance(body, dict) and body.get("stat") == "ok"
    if MODE == "stat-error-success" and 200 <= status < 300:
        ok = True
    if not ok and MODE == "reworded":
        body = {"stat": "error", "error": "request_failed", "message": "Janrain refused the request"}
    return ok, body, status


def other_client(p):
    """Another login client of the same app, from the app's summary."""
    with urllib.request.urlopen(p["base_url"] + "/__authmock__/tenant") as resp:
        summary = json.loads(resp.read())
    for client in summary.get("clients", []):
        if client.get("client_id") != p["client_id"] and client.get("client_secret"):
            return client["client_id"], client["client_secret"]
    return p["client_id"], p["client_secret"]


def flow_fields(p, form):
    return {"client_id": p["client_id"], "flow": p["flow"], "flow_version": p["flow_version"],
            "locale": p["locale"], "form": form}


def run(op, p, args):
    forms = p["forms"]
    if op == "janrain.send_password_recovery_email":
        form = forms["forgot_password"]
        fields = {**flow_fields(p, form["name"]), "redirect_uri": p["redirect_uri"], form["email_field"]: args["email"]}
        ok, body, status = post(p, "/oauth/forgot_password_native", fields)
        return ok, body, status
    if op == "janrain.exchange_code":
        client_id, secret = other_client(p) if MODE == "other-client" else (p["client_id"], p["client_secret"])
        fields = {"client_id": client_id, "client_secret": secret, "grant_type": "authorization_code",
                  "code": args["code"], "redirect_uri": p["redirect_uri"]}
        query = {"client_secret": secret, "code": args["code"]} if MODE == "secrets-in-query" else None
        ok, body, status = post(p, "/oauth/token", fields, query)
        if ok:
            body = {"access_token": body.get("access_token") or "none"}
        return ok, body, status
    if op == "janrain.update_password":
        form = forms["change_password"]
        fields = {**flow_fields(p, form["name"]), "access_token": args["access_token"],
                  form["password_field"]: args["new_password"], form["confirm_field"]: args["new_password_confirm"]}
        return post(p, "/oauth/update_profile_native", fields)
    if op == "janrain.sign_in":
        form = forms["sign_in"]
        fields = {**flow_fields(p, form["name"]), "redirect_uri": p["redirect_uri"], "response_type": "token",
                  form["email_field"]: args["email"], form["password_field"]: args["password"]}
        query = None
        if MODE == "secrets-in-query":
            query = {form["password_field"]: fields.pop(form["password_field"])}
        ok, body, status = post(p, "/oauth/auth_native_traditional", fields, query)
        if ok:
            body = {"access_token": body.get("access_token") or "none"}
        return ok, body, status
    if op.startswith("janrain.entity_"):
        return entity(op, p, args)
    return native(op, p, args)


def native(op, p, args):
    """Registration, verification, refresh and the signed-in forms (standard flow names)."""
    if op == "janrain.register":
        fields = {**flow_fields(p, "registrationForm"), "redirect_uri": p["redirect_uri"], "response_type": "token",
                  "emailAddress": args["email"], "newPassword": args["password"],
                  "newPasswordConfirm": args["password_confirm"], "displayName": args["display_name"]}
        if "refresh_secret" in args:
            fields["refresh_secret"] = args["refresh_secret"]
        ok, body, status = post(p, "/oauth/register_native_traditional", fields)
        if ok:
            made_up = str(uuid.uuid4())
            uid = made_up if MODE == "local-uuid" else (body.get("capture_user") or {}).get("uuid")
            body = {"access_token": body.get("access_token") or "none", "uuid": uid or made_up}
        return ok, body, status
    if op == "janrain.resend_verification_email":
        if MODE == "resend-as-recovery":
            fields = {**flow_fields(p, p["forms"]["forgot_password"]["name"]), "redirect_uri": p["redirect_uri"],
                      p["forms"]["forgot_password"]["email_field"]: args["email"]}
            ok, body, status = post(p, "/oauth/forgot_password_native", fields)
        else:
            fields = {**flow_fields(p, "resendVerificationForm"), "redirect_uri": p["redirect_uri"],
                      "signInEmailAddress": args["email"]}
            ok, body, status = post(p, "/oauth/verify_email_native", fields)
        return ok, ({} if ok else body), status
    if op == "janrain.verify_email":
        ok, body, status = post(p, "/access/useVerificationCode", {"verification_code": args["verification_code"]})
        if ok:
            body = {"uuid": str(uuid.uuid4()) if MODE == "local-uuid" else (body.get("uuid") or "none")}
        return ok, body, status
    if op == "janrain.refresh_access_token":
        token = args["access_token"]
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        text = token if MODE == "unsigned-refresh" else f"refresh_access_token\n{date}\n{token}\n"
        digest = hmac.new(args["refresh_secret"].encode(), text.encode(), hashlib.sha1).digest()
        fields = {"client_id": p["client_id"], "flow": p["flow"], "flow_version": p["flow_version"],
                  "locale": p["locale"], "access_token": token, "date": date,
                  "signature": base64.b64encode(digest).decode()}
        ok, body, status = post(p, "/oauth/refresh_access_token", fields)
        if ok:
            body = {"access_token": body.get("access_token") or "none"}
        return ok, body, status
    if op == "janrain.update_profile":
        fields = {**flow_fields(p, "editProfileForm"), "access_token": args["access_token"]}
        for name, value in args["fields"].items():
            if MODE == "name-as-given-name" and name == "displayName":
                name = "firstName"
            fields[name] = value
        ok, body, status = post(p, "/oauth/update_profile_native", fields)
        return ok, ({} if ok else body), status
    if op == "janrain.change_password":
        fields = {**flow_fields(p, "changePasswordForm"), "access_token": args["access_token"],
                  "currentPassword": args["current_password"], "newPassword": args["new_password"],
                  "newPasswordConfirm": args["new_password_confirm"]}
        ok, body, status = post(p, "/oauth/update_profile_native", fields)
        return ok, ({} if ok else body), status
    return None


def entity(op, p, args):
    """The Entity API as the run's API client, with HTTP Basic."""
    basic = base64.b64encode(f"{p['api_client_id']}:{p['api_client_secret']}".encode()).decode()
    headers = {"Authorization": "Basic " + basic}
    query = {"client_secret": p["api_client_secret"]} if MODE == "secrets-in-query" else None

    def call(path, fields):
        return post(p, path, fields, query, headers)

    type_name = args["type_name"]
    if op == "janrain.entity_find":
        ok, body, status = call("/entity.find", {"type_name": type_name, "filter": args["filter"]})
        if ok:
            results = body.get("results", [])
            if MODE == "reshaped-results":
                results = [{"uuid": r.get("uuid"), "email": r.get("email")} for r in results]
            body = {"results": results}
        return ok, body, status
    if op == "janrain.entity_create":
        fields = {"type_name": type_name, "attributes": json.dumps(args["attributes"])}
        ok, body, status = call("/entity.create", fields)
        if ok:
            made_up = str(uuid.uuid4())
            body = {"uuid": made_up if MODE == "local-uuid" else body.get("uuid"), "id": body.get("id")}
        return ok, body, status
    if op == "janrain.entity_update":
        path = "/entity.replace" if MODE == "replace-for-update" else "/entity.update"
        fields = {"type_name": type_name, "uuid": args["uuid"], "attributes": json.dumps(args["attributes"])}
        ok, body, status = call(path, fields)
        return ok, ({} if ok else body), status
    if op == "janrain.entity_delete":
        if MODE == "soft-delete":
            fields = {"type_name": type_name, "uuid": args["uuid"],
                      "attributes": json.dumps({"displayName": "deleted"})}
            ok, body, status = call("/entity.update", fields)
        else:
            ok, body, status = call("/entity.delete", {"type_name": type_name, "uuid": args["uuid"]})
        return ok, ({} if ok else body), status
    return None


for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "stop":
        break
    if msg["cmd"] == "start":
        out = {"ok": True, "name": "broken-janrain " + MODE, "version": "1", "operations": OPERATIONS}
    else:
        answer = run(msg["op"], msg["provider"], msg["args"])
        if answer is None:
            out = {"seq": msg["seq"], "ok": False, "unsupported": True}
        else:
            ok, body, status = answer
            out = ({"seq": msg["seq"], "ok": True, "result": body} if ok
                   else {"seq": msg["seq"], "ok": False, "error": {"status": status, "body": body}})
    print(json.dumps(out), flush=True)
