#!/usr/bin/env python3
"""Extracts the replay's cassettes from the public go-vcr recordings of Auth0's own clients.

    python3 tests/replay/extract.py GO_AUTH0_REPO TERRAFORM_PROVIDER_REPO

Each argument is a clone of the repository (bare or not), e.g. `git clone --bare` of
auth0/go-auth0 and auth0/terraform-provider-auth0.
The recordings are read with `git show`, so nothing is checked out. For every cassette with at
least one interaction on an endpoint authmock serves, tests/replay/cassettes/<name>.json gets
those interactions in recorded order (method, path, query, request body, recorded status,
Content-Type and body), with ids, secrets, tokens, emails and connection names replaced by
placeholders (`{user_id:1}`, `{role_id:2}`, `{token:3}`, `{email:1}`, ...) that the replay maps to
the mock's own values. Rerunning it rewrites every file; files of cassettes that no longer
qualify are removed. Needs Python 3 and PyYAML.
"""

import json
import os
import re
import subprocess
import sys
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cassettes")

SOURCES = [
    # (name, repository, default path, branch, folder, licence file in the repository)
    ("go-auth0", "auth0/go-auth0", None, "v1",
     "test/data/recordings/", "LICENSE"),
    ("go-auth0", "auth0/go-auth0", None, "main",
     "test/data/recordings/authentication/", "LICENSE"),
    ("terraform-provider-auth0", "auth0/terraform-provider-auth0",
     None, "HEAD", "test/data/recordings/", "LICENSE"),
]

# (methods, path pattern, family): the Auth0 routes authmock serves (src/auth0/*/mod.rs).
ROUTES = [
    ({"POST"}, r"/oauth/token", "oauth/token"),
    ({"POST"}, r"/oauth/revoke", "oauth/revoke"),
    ({"GET", "POST"}, r"/userinfo", "userinfo"),
    ({"POST"}, r"/dbconnections/(change_password|signup)", "dbconnections"),
    ({"GET"}, r"/\.well-known/(jwks\.json|openid-configuration|oauth-authorization-server)", "well-known"),
    ({"GET"}, r"/pem", "well-known"),
    ({"POST"}, r"/api/v2/tickets/(password-change|email-verification)", "tickets"),
    ({"POST"}, r"/api/v2/jobs/verification-email", "jobs"),
    ({"GET"}, r"/api/v2/jobs/[^/]+", "jobs"),
    ({"POST"}, r"/api/v2/jobs/users-imports", "jobs"),
    ({"GET"}, r"/api/v2/jobs/[^/]+/errors", "jobs"),
    ({"GET", "DELETE"}, r"/api/v2/user-blocks(/[^/]+)?", "user-blocks"),
    ({"GET", "POST"}, r"/api/v2/roles", "roles"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/roles/[^/]+", "roles"),
    ({"GET", "POST", "DELETE"}, r"/api/v2/roles/[^/]+/permissions", "roles"),
    ({"GET", "POST", "DELETE"}, r"/api/v2/users/[^/]+/(roles|permissions)", "users"),
    ({"GET", "POST"}, r"/api/v2/users", "users"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/users/[^/]+", "users"),
    ({"GET"}, r"/api/v2/users-by-email", "users"),
    ({"GET", "POST"}, r"/api/v2/clients", "clients"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/clients/[A-Za-z0-9_{}:-]+", "clients"),
    ({"POST"}, r"/api/v2/clients/[^/]+/rotate-secret", "clients"),
    ({"GET", "POST"}, r"/api/v2/resource-servers", "resource-servers"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/resource-servers/[^/]+", "resource-servers"),
    ({"GET", "POST"}, r"/api/v2/client-grants", "client-grants"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/client-grants/[^/]+", "client-grants"),
    ({"GET", "POST"}, r"/api/v2/connections", "connections"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/connections/[^/]+", "connections"),
    ({"GET", "PATCH"}, r"/api/v2/connections/[^/]+/clients", "connections"),
    ({"GET", "PATCH"}, r"/api/v2/tenants/settings", "tenant-settings"),
    ({"GET", "POST"}, r"/api/v2/organizations", "organizations"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/organizations/[^/]+", "organizations"),
    ({"GET"}, r"/api/v2/organizations/name/[^/]+", "organizations"),
    ({"GET", "POST", "DELETE"}, r"/api/v2/organizations/[^/]+/members", "organizations"),
    ({"GET", "POST", "DELETE"}, r"/api/v2/organizations/[^/]+/members/[^/]+/roles", "organizations"),
    ({"GET", "POST"}, r"/api/v2/organizations/[^/]+/enabled_connections", "organizations"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/organizations/[^/]+/enabled_connections/[^/]+", "organizations"),
    ({"GET", "POST"}, r"/api/v2/organizations/[^/]+/invitations", "organizations"),
    ({"GET", "DELETE"}, r"/api/v2/organizations/[^/]+/invitations/[^/]+", "organizations"),
    ({"GET", "POST"}, r"/api/v2/organizations/[^/]+/client-grants", "organizations"),
    ({"DELETE"}, r"/api/v2/organizations/[^/]+/client-grants/[^/]+", "organizations"),
    ({"GET"}, r"/api/v2/client-grants/[^/]+/organizations", "organizations"),
    ({"GET", "POST", "PUT", "DELETE"}, r"/api/v2/users/[^/]+/authentication-methods", "authentication-methods"),
    ({"GET", "PATCH", "DELETE"}, r"/api/v2/users/[^/]+/authentication-methods/[^/]+", "authentication-methods"),
    ({"GET"}, r"/api/v2/users/[^/]+/enrollments", "guardian-enrollments"),
    ({"POST"}, r"/api/v2/users/[^/]+/multifactor/actions/invalidate-remember-browser", "guardian-enrollments"),
    ({"POST"}, r"/api/v2/guardian/enrollments/ticket", "guardian-enrollments"),
    ({"GET", "DELETE"}, r"/api/v2/guardian/enrollments/[^/]+", "guardian-enrollments"),
    ({"GET"}, r"/api/v2/guardian/factors", "guardian-factors"),
    ({"PUT"}, r"/api/v2/guardian/factors/[^/]+", "guardian-factors"),
    ({"GET", "PUT"}, r"/api/v2/guardian/policies", "guardian-factors"),
]


def family(method, path):
    for methods, pattern, name in ROUTES:
        if method in methods and re.fullmatch(pattern, path):
            return name
    return None


def route_template(path):
    """The path with its ids folded, for grouping (`/api/v2/users/{}`)."""
    return re.sub(r"\{[a-z_]+:\d+\}|(?<=/)(rol_|job_|con_|org_|cgr_)[A-Za-z0-9]+", "{}", path)


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


class Placeholders:
    """One cassette's table of recorded value -> placeholder, numbered per kind in order seen."""

    def __init__(self):
        self.table = {}
        self.counts = {}

    def name(self, kind, value):
        key = (kind, value)
        if key not in self.table:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.table[key] = "{%s:%d}" % (kind, self.counts[kind])
        return self.table[key]

    def learn(self, text):
        """Finds the values to hide in one request or response text (already URL-decoded)."""
        for m in re.finditer(r"\b((?:auth0|email|sms|google-oauth2|github|samlp|oidc|waad|twitter|"
                             r"facebook|apple|linkedin|windowslive)\|([A-Za-z0-9._-]+))", text):
            self.name("user_id", m.group(1))
            if len(m.group(2)) >= 8:
                self.name("user_key", m.group(2))
        for prefix, kind in (("rol_", "role_id"), ("job_", "job_id"), ("con_", "connection_id"),
                             ("org_", "organization_id"), ("cgr_", "grant_id")):
            for m in re.finditer(r"\b%s[A-Za-z0-9]{8,}" % prefix, text):
                self.name(kind, m.group(0))
        # Resource server ids: 24 hex digits, in bodies and paths.
        for m in re.finditer(r'(?:"id"\s*:\s*"|/resource-servers/)([0-9a-f]{24})\b', text):
            self.name("resource_server_id", m.group(1))
        for m in re.finditer(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?", text):
            self.name("token", m.group(0))
        for field, kind in (("client_id", "client_id"), ("azp", "client_id"),
                            ("client_secret", "client_secret"), ("access_token", "token"),
                            ("refresh_token", "token"), ("id_token", "token"), ("token", "token"),
                            ("code", "code"), ("code_verifier", "code"), ("ticket", "ticket"),
                            ("connection", "connection"), ("realm", "connection"),
                            ("client_assertion", "token")):
            for m in re.finditer(r'"%s"\s*:\s*"([^"]+)"' % field, text):
                self.name(kind, m.group(1))
            for m in re.finditer(r"(?:^|&)%s=([^&]+)" % field, text):
                self.name(kind, urllib.parse.unquote_plus(m.group(1)))
        for m in re.finditer(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", text):
            self.name("email", m.group(0))

    def hide(self, text):
        # Longest values first, so an id inside a longer value (an email in a token) goes with it.
        for (kind, value), placeholder in sorted(self.table.items(), key=lambda kv: -len(kv[0][1])):
            if kind == "connection" and value == "Username-Password-Authentication":
                continue
            text = text.replace(value, placeholder)
            quoted = urllib.parse.quote(value, safe="")
            if quoted != value:
                text = text.replace(quoted, placeholder)
        return text


def decoded_path(path):
    """The path decoded segment by segment, a `/` inside a segment kept as `%2F`: a resource
    server read or changed by its URL-encoded identifier (`/resource-servers/https:%2F%2Fapi...`)
    stays one segment, as the provider and authmock route it."""
    return "/".join(urllib.parse.unquote(s).replace("/", "%2F") for s in path.split("/"))


def header(headers, name):
    for key, values in (headers or {}).items():
        if key.lower() == name.lower():
            return values[0] if isinstance(values, list) and values else values
    return None


def status_of(response):
    if "code" in response:
        return int(response["code"])
    return int(str(response.get("status", "0")).split()[0])


def hosts_in(interactions):
    hosts = set()
    for i in interactions:
        host = urllib.parse.urlsplit(i["request"]["url"]).hostname
        if host:
            hosts.add(host)
    return hosts


def cassette(raw, source, repo_name, branch, commit, file):
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        return None
    interactions = data.get("interactions") or []
    places = Placeholders()
    hosts = hosts_in(interactions)
    texts = []
    for i in interactions:
        req, resp = i["request"], i["response"]
        url = urllib.parse.urlsplit(req["url"])
        texts += [urllib.parse.unquote(url.path), urllib.parse.unquote_plus(url.query or ""),
                  req.get("body") or "", resp.get("body") or ""]
    for text in texts:
        places.learn(text)

    def hide(text):
        for host in hosts:
            text = text.replace(host, "{domain}")
        return places.hide(text)

    kept = []
    for index, i in enumerate(interactions):
        req, resp = i["request"], i["response"]
        url = urllib.parse.urlsplit(req["url"])
        path = decoded_path(url.path)
        name = family(req["method"], path)
        if name is None:
            continue
        query = [[k, hide(v)] for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)]
        body = req.get("body") or ""
        content_type = header(req.get("headers"), "Content-Type")
        if content_type and "x-www-form-urlencoded" in content_type:
            # Decoded form fields, so that the placeholders are whole values.
            form = urllib.parse.parse_qsl(body, keep_blank_values=True)
            body = "&".join("%s=%s" % (k, hide(v)) for k, v in form)
        else:
            body = hide(body)
        kept.append({
            "index": len(kept),
            "recorded_index": index,
            "family": name,
            "method": req["method"],
            "path": hide(path),
            "query": query,
            "content_type": content_type,
            "body": body.rstrip("\n"),
            "status": status_of(resp),
            "response_content_type": header(resp.get("headers"), "Content-Type"),
            "response_body": hide(resp.get("body") or ""),
        })
    if not kept:
        return None
    return {
        "source": {"repository": repo_name, "branch": branch, "commit": commit, "file": file},
        "interactions": kept,
    }


def mark_stable_order(cassettes):
    """A recorded key order is compared only where the recordings of the same month agree on it
    (the provider's shapes change between eras): for one month, method, route and status, every
    recorded object body with the same key set has the same order."""
    orders = {}
    for c in cassettes.values():
        for i in c["interactions"]:
            keys = top_keys(i["response_body"])
            if keys is None:
                continue
            group = (c["recorded"][:7], i["method"], route_template(i["path"]), i["status"], frozenset(keys))
            orders.setdefault(group, set()).add(tuple(keys))
    for c in cassettes.values():
        for i in c["interactions"]:
            keys = top_keys(i["response_body"])
            group = (c["recorded"][:7], i["method"], route_template(i["path"]), i["status"], frozenset(keys or ()))
            i["order_stable"] = keys is not None and len(orders.get(group, ())) == 1


def top_keys(body):
    try:
        value = json.loads(body, object_pairs_hook=lambda pairs: pairs)
    except ValueError:
        return None
    if isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return [k for k, _ in value]
    return None


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python3 tests/replay/extract.py GO_AUTH0_REPO TERRAFORM_PROVIDER_REPO")
    repos = {"auth0/go-auth0": argv[1], "auth0/terraform-provider-auth0": argv[2]}
    cassettes = {}
    for short, repo_name, _, branch, folder, _ in SOURCES:
        repo = repos[repo_name]
        commit = git(repo, "rev-parse", branch).decode().strip()
        files = git(repo, "ls-tree", "-r", "--name-only", commit, "--", folder).decode().split("\n")
        for path in sorted(f for f in files if f.endswith(".yaml")):
            if branch == "v1" and path.startswith("test/data/recordings/authentication/"):
                continue  # the Authentication API's cassettes are read from main
            raw = git(repo, "show", "%s:%s" % (commit, path))
            c = cassette(raw, short, repo_name, "main" if branch == "HEAD" else branch, commit, path)
            if c is None:
                continue
            stem = path[len("test/data/recordings/"):-len(".yaml")]
            name = short + "--" + re.sub(r"[^A-Za-z0-9_.-]+", "_", stem.replace("/", "--"))
            c["name"] = name
            # When the cassette was last recorded: the day of the commit that last changed it.
            c["recorded"] = git(repo, "log", "-1", "--format=%cs", commit, "--", path).decode().strip()
            cassettes[name] = c
    mark_stable_order(cassettes)
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".json") and old[:-5] not in cassettes:
            os.remove(os.path.join(OUT, old))
    for name, c in sorted(cassettes.items()):
        ordered = {"name": name, "source": c["source"], "recorded": c["recorded"],
                   "interactions": c["interactions"]}
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(ordered, f, indent=1, ensure_ascii=False)
            f.write("\n")
    for short, repo_name, _, _, _, licence in SOURCES:
        target = os.path.join(OUT, "LICENSE-" + short)
        with open(target, "wb") as f:
            f.write(git(repos[repo_name], "show", "%s:%s" % (
                "v1" if short == "go-auth0" else "HEAD", licence)))
    per_source = {}
    for c in cassettes.values():
        s = per_source.setdefault(c["source"]["repository"], [0, 0])
        s[0] += 1
        s[1] += len(c["interactions"])
    for repo_name, (n, m) in sorted(per_source.items()):
        print("%s: %d cassettes, %d interactions" % (repo_name, n, m))


if __name__ == "__main__":
    main(sys.argv)
