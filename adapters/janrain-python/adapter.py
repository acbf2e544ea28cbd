#!/usr/bin/env python3
"""authmock adapter (protocol v1) for Janrain (Akamai Identity Cloud) Capture, with `requests`.

Janrain has no maintained official SDK; integrations follow its documented samples, which post
HTML-form-style bodies (application/x-www-form-urlencoded) and send the login client's id and
secret as form fields to /oauth/token. This adapter does the same for the four janrain.*
operations of the protocol (docs/adapter-protocol.md):

    janrain.send_password_recovery_email  POST /oauth/forgot_password_native
    janrain.exchange_code                 POST /oauth/token (grant_type=authorization_code)
    janrain.update_password               POST /oauth/update_profile_native
    janrain.sign_in                       POST /oauth/auth_native_traditional

Capture answers most errors with HTTP 200 and {"stat":"error",…}; such a body, or any non-2xx
answer, is reported as the provider error with the status and the body as received. Over https,
requests trusts the CA in REQUESTS_CA_BUNDLE (`authmock test --tls` sets it).
"""
import json
import sys

import requests

OPERATIONS = [
    "janrain.send_password_recovery_email",
    "janrain.exchange_code",
    "janrain.update_password",
    "janrain.sign_in",
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
