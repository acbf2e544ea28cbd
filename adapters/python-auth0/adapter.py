#!/usr/bin/env python3
"""authmock adapter (protocol v1) on the official auth0-python SDK, 6.8.0 (requirements.txt).

Two transports, chosen with --transport (default http):

- http: the authentication classes with protocol="http" (`GetToken`, `Database`), and the
  generated Management API client `auth0.management.Auth0(base_url=…, token=…)` whose token comes
  from `GetToken.client_credentials`, cached until 10 s before it expires (the leeway of the SDK's
  own TokenProvider).
- tls: the convenience `ManagementClient(domain=…, client_id=…, client_secret=…)` unmodified (it
  only speaks https and fetches its own token); the authentication classes with their default
  https. Trust comes from SSL_CERT_FILE (httpx) and REQUESTS_CA_BUNDLE (requests), which
  `authmock test --tls` sets to the run's CA.

Errors are reported as the SDK surfaced them: the Management API's `ApiError` carries the status
and the parsed body untouched; the authentication API's `Auth0Error` keeps the parsed body in
`content` (an `mfa_required` with its `mfa_token`), reported whole; only when it has none is the body
rebuilt from the status, error code and message in the provider's shape. The `mfa-otp` grant, which
`GetToken` has no method for, goes through its `authenticated_post`.
Anything else (a network error, a response the SDK could not parse) is a client failure: the
traceback goes to stderr and the adapter exits, which fails that one scenario.
"""
import argparse
import json
import sys
import time
from importlib.metadata import version
from urllib.parse import urlsplit

from auth0.authentication import Database, GetToken
from auth0.authentication.exceptions import Auth0Error, RateLimitError
from auth0.management import Auth0, ManagementClient
from auth0.management.core.api_error import ApiError
from auth0.management.types import ConnectionForOrganization

OPERATIONS = [
    "auth0.get_management_token",
    "auth0.create_password_change_ticket",
    "auth0.send_password_reset_email",
    "auth0.set_user_password",
    "auth0.find_users_by_email",
    "auth0.login_with_password",
    "auth0.verify_mfa_otp",
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

# How often, and how many times, a pending import job is read back (ten seconds in all).
IMPORT_POLL_SECONDS = 0.1
IMPORT_POLLS = 100

# Ticket fields a scenario may pass, and the SDK's keyword for each.
TICKET_OPTIONS = {
    "result_url": "result_url",
    "ttl_sec": "ttl_sec",
    "client_id": "client_id",
    "mark_email_as_verified": "mark_email_as_verified",
    "includeEmailInRedirect": "include_email_in_redirect",
}

MFA_OTP_GRANT = "http://auth0.com/oauth/grant-type/mfa-otp"

# The SDK's TokenProvider renews a token this many seconds before it expires; so does the http mode.
LEEWAY_SECONDS = 10


class Session:
    """The SDK clients for one tenant and application, built on first use."""

    def __init__(self, provider, transport):
        self.p = provider
        self.transport = transport
        url = urlsplit(provider["base_url"])
        self.domain = url.netloc
        self.protocol = url.scheme
        self._token = None
        self._renew_at = 0.0
        if transport == "tls":
            self.management = ManagementClient(
                domain=self.domain,
                client_id=provider["client_id"],
                client_secret=provider["client_secret"],
                audience=provider["audience"],
            )
        else:
            self.management = Auth0(base_url=provider["base_url"] + "/api/v2", token=self.token)

    def token(self):
        """A Management API token from GetToken, reused until shortly before it expires."""
        if self._token is None or time.time() >= self._renew_at:
            answer = GetToken(
                self.domain, self.p["client_id"], client_secret=self.p["client_secret"], protocol=self.protocol
            ).client_credentials(self.p["audience"])
            self._token = answer["access_token"]
            self._renew_at = time.time() + answer["expires_in"] - LEEWAY_SECONDS
        return self._token


def dump(model):
    """A pydantic model returned by the SDK, as JSON, with the provider's field names."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def run(session, op, args):
    p = session.p
    if op == "auth0.get_management_token":
        return {"access_token": session.token()}
    if op == "auth0.create_password_change_ticket":
        fields = {sdk: args[wire] for wire, sdk in TICKET_OPTIONS.items() if wire in args}
        if "user_id" in args:
            fields["user_id"] = args["user_id"]
        else:
            fields["email"] = args["email"]
            fields["connection_id"] = p["connection_id"]
        return dump(session.management.tickets.change_password(**fields))
    if op == "auth0.send_password_reset_email":
        database = Database(session.domain, p["login_client_id"], protocol=session.protocol)
        return {"message": database.change_password(email=args["email"], connection=p["connection"])}
    if op == "auth0.set_user_password":
        user = session.management.users.update(args["user_id"], password=args["password"], connection=p["connection"])
        return dump(user)
    if op == "auth0.find_users_by_email":
        return {"users": [dump(u) for u in session.management.users.list_users_by_email(email=args["email"])]}
    if op == "auth0.login_with_password":
        login = GetToken(
            session.domain, p["login_client_id"], client_secret=p["login_client_secret"], protocol=session.protocol
        )
        tokens = login.login(args["email"], args["password"], realm=p["connection"], scope="openid")
        return {"logged_in": "access_token" in tokens}
    if op == "auth0.verify_mfa_otp":
        # GetToken has no MFA grant of its own: the SDK's authenticated_post sends it, client
        # authentication added as for its other grants.
        login = GetToken(
            session.domain, p["login_client_id"], client_secret=p["login_client_secret"], protocol=session.protocol
        )
        tokens = login.authenticated_post(
            f"{session.protocol}://{session.domain}/oauth/token",
            data={"client_id": p["login_client_id"], "grant_type": MFA_OTP_GRANT,
                  "mfa_token": args["mfa_token"], "otp": args["otp"]},
        )
        return {"access_token": tokens["access_token"]}
    if op == "auth0.create_user":
        extra = {k: args[k] for k in ("user_metadata", "app_metadata") if k in args}
        user = session.management.users.create(
            connection=p["connection"], email=args["email"], password=args["password"], **extra
        )
        return dump(user)
    if op == "auth0.search_users":
        paging = {k: args[k] for k in ("page", "per_page") if k in args}
        pager = session.management.users.list(q=args["q"], search_engine="v3", include_totals=True, **paging)
        total = pager.response.total  # the SDK types it as a float
        return {"users": [dump(u) for u in pager.items or []], "total": int(total) if total is not None else None}
    if op == "auth0.delete_user":
        session.management.users.delete(args["user_id"])
        return {}
    if op == "auth0.send_verification_email":
        return dump(session.management.jobs.verification_email.create(user_id=args["user_id"]))
    if op == "auth0.assign_roles":
        session.management.users.roles.assign(args["user_id"], roles=args["roles"])
        return {}
    if op == "auth0.unblock_user":
        session.management.user_blocks.delete(args["user_id"])
        return {}
    if op == "auth0.create_client":
        fields = {k: args[k] for k in ("app_type", "grant_types", "callbacks") if k in args}
        client = dump(session.management.clients.create(name=args["name"], **fields))
        return {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    if op == "auth0.update_client":
        client = dump(session.management.clients.update(args["client_id"], callbacks=args["callbacks"]))
        return {"client_id": client["client_id"], "callbacks": client["callbacks"]}
    if op == "auth0.create_client_grant":
        grant = session.management.client_grants.create(
            client_id=args["client_id"], audience=args["audience"], scope=args["scope"]
        )
        return {"id": grant.id}
    if op == "auth0.delete_client_grant":
        session.management.client_grants.delete(args["id"])
        return {}
    if op == "auth0.create_organization":
        connections = [ConnectionForOrganization(**c) for c in args["enabled_connections"]]
        organization = session.management.organizations.create(name=args["name"], enabled_connections=connections)
        return {"id": organization.id}
    if op == "auth0.add_organization_members":
        session.management.organizations.members.create(args["organization_id"], members=args["members"])
        return {}
    if op == "auth0.import_users":
        # The users file as the SDK uploads one (an httpx file tuple), with the connection and upsert.
        job = session.management.jobs.users_imports.create(
            users=("users.json", json.dumps(args["users"]).encode(), "application/json"),
            connection_id=args["connection_id"],
            upsert=args["upsert"],
        )
        for _ in range(IMPORT_POLLS):
            if job.status != "pending":
                break
            time.sleep(IMPORT_POLL_SECONDS)
            job = session.management.jobs.get(job.id)
        # A job without errors answers 204: the SDK gives None.
        errors = session.management.jobs.errors.get(job.id)
        finished = dump(job)
        return {
            "id": finished["id"],
            "status": finished["status"],
            "summary": finished.get("summary"),
            "errors": [dump(e) for e in errors] if isinstance(errors, list) else [],
        }
    return None


def rate_limit_headers(headers):
    return {k.lower(): str(v) for k, v in (headers or {}).items() if k.lower().startswith("x-ratelimit-")}


def provider_error(err):
    """The error the SDK raised, as protocol v1's {status, body, headers}; None if not a provider error."""
    if isinstance(err, ApiError):
        out = {"status": err.status_code, "body": err.body}
        headers = rate_limit_headers(err.headers)
    elif isinstance(err, Auth0Error):
        # `content` is the parsed body whole (an `mfa_required` keeps its `mfa_token` there); without
        # one, error_code is the body's `error` (or `code`) and message its description.
        body = err.content if isinstance(err.content, dict) else {"error": err.error_code,
                                                                  "error_description": err.message}
        out = {"status": err.status_code, "body": body}
        headers = rate_limit_headers(err.headers)
        if isinstance(err, RateLimitError) and err.reset_at != -1:
            headers["x-ratelimit-reset"] = str(err.reset_at)
    else:
        return None
    if headers:
        out["headers"] = headers
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["http", "tls"], default="http")
    transport = parser.parse_args().transport
    sessions = {}
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "stop":
            break
        if msg["cmd"] == "start":
            out = {"ok": True, "name": f"auth0-python ({transport})", "version": version("auth0-python"),
                   "operations": OPERATIONS}
        else:
            p = msg["provider"]
            key = (p["base_url"], p["client_id"])
            session = sessions.get(key) or sessions.setdefault(key, Session(p, transport))
            try:
                result = run(session, msg["op"], msg["args"])
                out = ({"seq": msg["seq"], "ok": True, "result": result} if result is not None
                       else {"seq": msg["seq"], "ok": False, "unsupported": True})
            except Exception as err:  # noqa: BLE001 - sorted into provider errors and client failures
                error = provider_error(err)
                if error is None:
                    raise
                out = {"seq": msg["seq"], "ok": False, "error": error}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
