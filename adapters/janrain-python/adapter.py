#!/usr/bin/env python3
"""authmock adapter (protocol v1) for Janrain (Akamai Identity Cloud) Capture, with `requests`.

Janrain has no maintained official SDK; integrations follow its documented samples, which post
HTML-form-style bodies (application/x-www-form-urlencoded) and send the login client's id and
secret as form fields to /oauth/token. This adapter does the same for the janrain.* native
operations of the protocol (docs/adapter-protocol.md):

    janrain.send_password_recovery_email  POST /oauth/forgot_password_native
    janrain.exchange_code                 POST /oauth/token (grant_type=authorization_code)
    janrain.update_password               POST /oauth/update_profile_native
    janrain.sign_in                       POST /oauth/auth_native_traditional
    janrain.register                      POST /oauth/register_native_traditional
    janrain.resend_verification_email     POST /oauth/verify_email_native
    janrain.verify_email                  POST /access/useVerificationCode
    janrain.refresh_access_token          POST /oauth/refresh_access_token (signed, as the mobile SDKs)
    janrain.update_profile                POST /oauth/update_profile_native (editProfileForm)
    janrain.change_password               POST /oauth/update_profile_native (changePasswordForm)

The registration and profile forms use the standard flow's form and field names.

Capture answers most errors with HTTP 200 and {"stat":"error",…}; such a body, or any non-2xx
answer, is reported as the provider error with the status and the body as received. Over https,
requests trusts the CA in REQUESTS_CA_BUNDLE (`authmock test --tls` sets it).
"""
import base64
import datetime
import hashlib
import hmac
import json
import sys

import requests

OPERATIONS = [
    "janrain.send_password_recovery_email",
    "janrain.exchange_code",
    "janrain.update_password",
    "janrain.sign_in",
    "janrain.register",
    "janrain.resend_verification_email",
    "janrain.verify_email",
    "janrain.refresh_access_token",
    "janrain.update_profile",
    "janrain.change_password",
]


def flow_fields(p, form):
    """The fields every /oauth/*_native call carries: the login client and the flow's form."""
    return {"client_id": p["client_id"], "flow": p["flow"], "flow_version": p["flow_version"],
            "locale": p["locale"], "form": form}


def post(p, path, fields):
    """Posts `fields` as a form; returns (ok, JSON body or text, status)."""
    response = requests.post(p["base_url"] + path, data=fields, timeout=10)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    ok = response.ok and isinstance(body, dict) and body.get("stat") == "ok"
    return ok, body, response.status_code


def run(op, p, args):
    forms = p["forms"]
    if op == "janrain.send_password_recovery_email":
        form = forms["forgot_password"]
        fields = {**flow_fields(p, form["name"]), "redirect_uri": p["redirect_uri"], form["email_field"]: args["email"]}
        return post(p, "/oauth/forgot_password_native", fields)
    if op == "janrain.exchange_code":
        fields = {"client_id": p["client_id"], "client_secret": p["client_secret"], "grant_type": "authorization_code",
                  "code": args["code"], "redirect_uri": p["redirect_uri"]}
        return post(p, "/oauth/token", fields)
    if op == "janrain.update_password":
        form = forms["change_password"]
        fields = {**flow_fields(p, form["name"]), "access_token": args["access_token"],
                  form["password_field"]: args["new_password"], form["confirm_field"]: args["new_password_confirm"]}
        return post(p, "/oauth/update_profile_native", fields)
    if op == "janrain.sign_in":
        form = forms["sign_in"]
        fields = {**flow_fields(p, form["name"]), "redirect_uri": p["redirect_uri"], "response_type": "token",
                  form["email_field"]: args["email"], form["password_field"]: args["password"]}
        ok, body, status = post(p, "/oauth/auth_native_traditional", fields)
        if ok:
            body = {"access_token": body.get("access_token"), "uuid": body.get("capture_user", {}).get("uuid")}
        return ok, body, status
    return native(op, p, args)


def native(op, p, args):
    """Registration, email verification, token refresh and the signed-in profile forms."""
    if op == "janrain.register":
        fields = {**flow_fields(p, "registrationForm"), "redirect_uri": p["redirect_uri"], "response_type": "token",
                  "emailAddress": args["email"], "newPassword": args["password"],
                  "newPasswordConfirm": args["password_confirm"], "displayName": args["display_name"]}
        for arg, field in (("given_name", "firstName"), ("family_name", "lastName"),
                           ("refresh_secret", "refresh_secret")):
            if arg in args:
                fields[field] = args[arg]
        ok, body, status = post(p, "/oauth/register_native_traditional", fields)
        if ok:
            body = {"access_token": body.get("access_token"), "uuid": body.get("capture_user", {}).get("uuid")}
        return ok, body, status
    if op == "janrain.resend_verification_email":
        fields = {**flow_fields(p, "resendVerificationForm"), "redirect_uri": p["redirect_uri"],
                  "response_type": "token", "signInEmailAddress": args["email"]}
        return post(p, "/oauth/verify_email_native", fields)
    if op == "janrain.verify_email":
        ok, body, status = post(p, "/access/useVerificationCode", {"verification_code": args["verification_code"]})
        if ok:
            body = {"uuid": body.get("uuid")}
        return ok, body, status
    if op == "janrain.refresh_access_token":
        # The mobile SDKs' signature: HMAC-SHA1 keyed with the refresh secret over
        # "refresh_access_token\n<date>\n<access_token>\n", date in UTC.
        token = args["access_token"]
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        message = f"refresh_access_token\n{date}\n{token}\n".encode()
        digest = hmac.new(args["refresh_secret"].encode(), message, hashlib.sha1).digest()
        fields = {"client_id": p["client_id"], "flow": p["flow"], "flow_version": p["flow_version"],
                  "locale": p["locale"], "access_token": token, "date": date,
                  "signature": base64.b64encode(digest).decode()}
        ok, body, status = post(p, "/oauth/refresh_access_token", fields)
        if ok:
            body = {"access_token": body.get("access_token")}
        return ok, body, status
    if op == "janrain.update_profile":
        fields = {**flow_fields(p, "editProfileForm"), "access_token": args["access_token"], **args["fields"]}
        return post(p, "/oauth/update_profile_native", fields)
    if op == "janrain.change_password":
        fields = {**flow_fields(p, "changePasswordForm"), "access_token": args["access_token"],
                  "currentPassword": args["current_password"], "newPassword": args["new_password"],
                  "newPasswordConfirm": args["new_password_confirm"]}
        return post(p, "/oauth/update_profile_native", fields)
    return None


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "stop":
            break
        if msg["cmd"] == "start":
            out = {"ok": True, "name": "janrain-python (requests, form posts)", "version": requests.__version__,
                   "operations": OPERATIONS}
        else:
            answer = run(msg["op"], msg["provider"], msg["args"])
            if answer is None:
                out = {"seq": msg["seq"], "ok": False, "unsupported": True}
            else:
                ok, body, status = answer
                out = ({"seq": msg["seq"], "ok": True, "result": body} if ok
                       else {"seq": msg["seq"], "ok": False, "error": {"status": status, "body": body}})
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
