#!/usr/bin/env python3
"""authmock adapter (protocol v1) on Authlib 1.9.10 (requirements.txt), used through its public API.

The adapter is the web application; the harness is the user's browser. Per tenant it keeps what a
web application keeps in its session.

- The OAuth side is Authlib's requests client, `OAuth2Session`, with `code_challenge_method="S256"`:
  `create_authorization_url` derives the PKCE challenge from a `generate_token` verifier and adds
  `state` and `nonce`; `fetch_token(authorization_response=…, state=…, code_verifier=…)` parses the
  callback, refuses a state it did not send, and redeems the code; `refresh_token` exchanges the
  refresh token and keeps the rotated one.
- The OpenID side is Authlib's `OpenIDMixin` (`authlib.integrations.base_client`), the code its
  Flask, Django and Starlette clients share, over the discovered metadata and that same session:
  `parse_id_token` verifies the ID token's signature against the tenant's JWKS and validates it
  with `CodeIDToken` (iss, aud, exp, iat, nonce, at_hash); `userinfo` calls the userinfo endpoint;
  `create_logout_url` builds the RP-initiated logout URL at the discovered `end_session_endpoint`.
- The one step done here, as Authlib's framework clients do it in `authorize_access_token`: a
  callback carrying `error=…` is the provider's refusal, reported before any token request.
  (`OAuth2Session.fetch_token` itself only parses callbacks that carry a code.)
- A step-up (`auth0.begin_step_up`) is the same authorization URL with `acr_values`; the
  application trusts its callback only when the validated ID token carries that `acr` and `amr`
  ["mfa"] (Authlib checks neither), and reports both.
- A refresh's `403 mfa_required` is answered (`auth0.verify_mfa_otp`) with `fetch_token` and
  `grant_type=http://auth0.com/oauth/grant-type/mfa-otp`, `mfa_token` and `otp`: Authlib sends
  the extra parameters of an extension grant as they are.

Transports (--transport, default http): Authlib's client sends plain http as readily as https;
with tls, requests trusts the run's CA through REQUESTS_CA_BUNDLE, which `authmock test --tls` sets.

A token-endpoint refusal is Authlib's `OAuthError`, which keeps the body's `error` and
`error_description` only; the status and the whole body (an `mfa_required`'s `mfa_token` with
them) come from the response the session's compliance hooks saw, and are reported as the
provider's error. A refused callback, state, nonce or other ID token claim
is the application rejecting the login: `{"accepted": false, "reason": …}`. Anything else is a
client failure: the traceback goes to stderr and the adapter exits, which fails that one scenario.
"""
import argparse
import contextlib
import json
import sys
from importlib.metadata import version
from urllib.parse import parse_qsl, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

OPERATIONS = [
    "auth0.begin_login",
    "auth0.complete_login",
    "auth0.begin_step_up",
    "auth0.refresh_tokens",
    "auth0.verify_mfa_otp",
    "auth0.get_userinfo",
    "auth0.logout",
]


class RelyingParty(OpenIDMixin):
    """Authlib's OpenID client steps over one `OAuth2Session` and the tenant's discovery document."""

    def __init__(self, session, metadata):
        self.session = session
        self.client_id = session.client_id
        self.server_metadata = metadata
        self.last_status = None
        self.last_body = None
        for hook in ("access_token_response", "refresh_token_response"):
            session.register_compliance_hook(hook, self._seen)

    def _seen(self, response):
        self.last_status = response.status_code
        try:
            self.last_body = response.json()
        except ValueError:
            self.last_body = None
        return response

    def load_server_metadata(self):
        return self.server_metadata

    def _get_session(self):
        return contextlib.nullcontext(self.session)

    def get(self, url, **kwargs):
        return self.session.get(url, **kwargs)


class Login:
    """What the application keeps for one tenant between operations."""

    def __init__(self, provider):
        self.p = provider
        self.rp = None
        self.pending = None
        self.token = None
        self.id_token = None


def discover(base_url, client_id, client_secret, redirect_uri, scope):
    metadata = requests.get(f"{base_url}/.well-known/openid-configuration", timeout=10)
    metadata.raise_for_status()
    session = OAuth2Session(
        client_id,
        client_secret,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post" if client_secret else "none",
    )
    return RelyingParty(session, metadata.json())


def rejected(reason):
    return {"accepted": False, "reason": reason}


def run(login, op, args):
    if op in ("auth0.begin_login", "auth0.begin_step_up"):
        login.rp = discover(
            login.p["base_url"],
            args.get("client_id") or login.p["login_client_id"],
            args.get("client_secret"),
            args["redirect_uri"],
            args.get("scope") or "openid profile email",
        )
        verifier, nonce = generate_token(48), generate_token(20)
        extra = {k: args[k] for k in ("audience", "prompt", "acr_values") if args.get(k)}
        url, state = login.rp.session.create_authorization_url(
            login.rp.server_metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
        )
        login.pending = {"state": state, "nonce": nonce, "verifier": verifier, "acr": args.get("acr_values")}
        return {"url": url}
    if op == "auth0.complete_login":
        pending, login.pending = login.pending, None  # one callback consumes the transaction
        if pending is None:
            return rejected("no login in progress")
        callback = args["callback_url"]
        params = dict(parse_qsl(urlsplit(callback).query))
        if "error" in params:
            return rejected(params["error"])
        rp = login.rp
        try:
            token = rp.session.fetch_token(
                rp.server_metadata["token_endpoint"],
                authorization_response=callback,
                state=pending["state"],
                code_verifier=pending["verifier"],
            )
        except AuthlibBaseError as err:
            # Raised before any request for a callback Authlib refuses (state, missing code).
            if err.error in ("mismatching_state", "missing_code"):
                return rejected(err.error)
            raise
        try:
            claims = rp.parse_id_token(token, nonce=pending["nonce"])
        except (JoseError, AuthlibBaseError) as err:
            return rejected(f"{type(err).__name__}: {err}")
        if claims is None:
            return rejected("no id_token")
        # A step-up is trusted only when the ID token says the second factor happened.
        if pending["acr"] and (claims.get("acr") != pending["acr"] or "mfa" not in (claims.get("amr") or [])):
            return rejected("second_factor_not_performed")
        login.token, login.id_token = token, token["id_token"]
        answer = {
            "accepted": True,
            "sub": claims["sub"],
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token"),
        }
        answer.update({k: claims[k] for k in ("acr", "amr") if k in claims})
        return answer
    if op == "auth0.refresh_tokens":
        rp = login.rp
        token = rp.session.refresh_token(rp.server_metadata["token_endpoint"])
        login.token = token
        return {"access_token": token["access_token"], "refresh_token": token.get("refresh_token")}
    if op == "auth0.verify_mfa_otp":
        rp = login.rp
        token = rp.session.fetch_token(
            rp.server_metadata["token_endpoint"],
            grant_type="http://auth0.com/oauth/grant-type/mfa-otp",
            mfa_token=args["mfa_token"],
            otp=args["otp"],
        )
        login.token = token
        return {"access_token": token["access_token"]}
    if op == "auth0.get_userinfo":
        return dict(login.rp.userinfo())
    if op == "auth0.logout":
        rp = login.rp or discover(login.p["base_url"], login.p["login_client_id"], None, None, None)
        answer = rp.create_logout_url(
            post_logout_redirect_uri=args["return_to"], id_token_hint=login.id_token, client_id=rp.client_id
        )
        login.token = login.id_token = None
        return {"url": answer["url"]}
    return None


def provider_error(login, err):
    """The token endpoint's refusal Authlib raised, as protocol v1's {status, body}; None otherwise."""
    if isinstance(err, OAuthError) and login.rp is not None and login.rp.last_status:
        body = login.rp.last_body
        if not isinstance(body, dict):
            body = {"error": err.error, "error_description": err.description}
        return {"status": login.rp.last_status, "body": body}
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["http", "tls"], default="http")
    transport = parser.parse_args().transport
    logins = {}
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "stop":
            break
        if msg["cmd"] == "start":
            out = {"ok": True, "name": f"authlib ({transport})", "version": version("authlib"),
                   "operations": OPERATIONS}
        else:
            p = msg["provider"]
            login = logins.get(p["base_url"]) or logins.setdefault(p["base_url"], Login(p))
            try:
                result = run(login, msg["op"], msg["args"])
                out = ({"seq": msg["seq"], "ok": True, "result": result} if result is not None
                       else {"seq": msg["seq"], "ok": False, "unsupported": True})
            except Exception as err:  # noqa: BLE001 - sorted into provider errors and client failures
                error = provider_error(login, err)
                if error is None:
                    raise
                out = {"seq": msg["seq"], "ok": False, "error": error}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
