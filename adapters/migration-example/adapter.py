#!/usr/bin/env python3
"""An example Janrain -> Auth0 migration, as an adapter of the migration suite (features/migration/).

    python3 adapters/migration-example/adapter.py [--mode MODE]

It talks to the two providers' public wire APIs only, as a team's migration does:

- migration.create_connection: a custom database connection (POST /api/v2/connections) with
  "Import Users to Auth0" on (import_mode) and a login script that signs the user in at Janrain's
  /oauth/auth_native_traditional, so every user the bulk import leaves out migrates at the first
  login (docs/migration.md);
- migration.import_users: every Janrain record, exported by id paging (POST /entity.find,
  filter id > <last id>, sort_on ["id"], a short page ends it), turned into Auth0 users files
  (email trimmed and lower-cased, emailVerified -> email_verified, deactivateAccount -> blocked,
  the password object's type tag -> password_hash or custom_password_hash), social-only records,
  second records of one address and users the connection already holds (migrated at a login
  meanwhile) left out and reported as skipped; the files imported (POST
  /api/v2/jobs/users-imports) and the jobs waited for.

--mode MODE adds one mistake a migration makes (the suite's mutation test,
tests/conformance/mutants.json through tests/adapters/broken_migration.py); "none" adds none.
Standard library only.
"""
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

MODES = {
    "none": "no mistake",
    "forgets-email-verified": "email_verified left out of the users file and the script's profile",
    "keeps-email-case": "emails trimmed but kept in the case entered, duplicates looked for that way",
    "social-random-password": "social-only records imported without a hash (the provider gives them a random one)",
    "ignores-deactivation": "deactivateAccount not mapped to blocked",
    "every-login-to-janrain": "import_mode off: the script answers every login, nobody is kept",
    "wrong-hash-encoding": "password-sha-256 values declared base64 instead of hex",
    "status-only-script": "the login script checks Janrain's HTTP status, not its stat",
    "ignores-window": "users migrated at a login before the import are imported again",
    "drops-names": "givenName and familyName left out of the users file and the script's profile",
}
MODE = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "none"
if MODE not in MODES:
    sys.exit(f"unknown mode {MODE!r}; modes: {', '.join(MODES)}")

# The login script, run by the tenant in Node.js: Janrain's traditional sign-in (facts migration.md
# §4.1 option A), success only on "stat":"ok" (Capture answers a wrong password with HTTP 200 and
# "stat":"error"), the profile mapped as the users file maps it (§4.2).
LOGIN_SCRIPT = r"""function login(email, password, callback) {
  const form = {
    client_id: configuration.client_id,
    flow: configuration.flow,
    flow_version: configuration.flow_version,
    locale: configuration.locale,
    form: configuration.form,
    redirect_uri: configuration.redirect_uri,
    response_type: 'token'
  };
  form[configuration.email_field] = email;
  form[configuration.password_field] = password;
  request.post({ url: configuration.janrain_url + '/oauth/auth_native_traditional', form: form },
    function (err, response, body) {
      if (err) return callback(err);
      %(check)s
      const user = data.capture_user;
      callback(null, {
        user_id: user.uuid,
        email: user.email.trim().toLowerCase(),
        %(verified)s
        %(names)s
        name: user.displayName || undefined,
        app_metadata: { janrain_id: user.id }
      });
    });
}"""
CHECK_STAT = """let data;
      try { data = JSON.parse(body); } catch (e) { return callback(new Error('Janrain answered ' + response.statusCode)); }
      if (data.stat !== 'ok') return callback(new WrongUsernameOrPasswordError(email, data.error_description));"""
CHECK_STATUS_ONLY = """if (response.statusCode !== 200) return callback(new WrongUsernameOrPasswordError(email));
      const data = JSON.parse(body);"""


class ProviderError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status} {body}")
        self.status, self.body = status, body


def call(method, url, body=None, headers=None):
    """One HTTP call; the JSON answer (None when empty), or ProviderError with status and body."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        try:
            raise ProviderError(error.code, json.loads(text)) from None
        except json.JSONDecodeError:
            raise ProviderError(error.code, text) from None
    return json.loads(text) if text else None


class Migration:
    def __init__(self):
        self.tokens = {}
        self.connections = {}

    # Auth0 Management API -------------------------------------------------------------------
    def token(self, a):
        key = (a["base_url"], a["client_id"])
        if key not in self.tokens:
            body = json.dumps({"grant_type": "client_credentials", "client_id": a["client_id"],
                               "client_secret": a["client_secret"], "audience": a["audience"]}).encode()
            answer = call("POST", a["base_url"] + "/oauth/token", body, {"Content-Type": "application/json"})
            self.tokens[key] = answer["access_token"]
        return self.tokens[key]

    def management(self, a, method, path, body=None, headers=None):
        headers = {"Authorization": "Bearer " + self.token(a), **(headers or {})}
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return call(method, a["base_url"] + "/api/v2" + path, body, headers)

    # Janrain Entity API ---------------------------------------------------------------------
    def entity(self, j, path, form):
        basic = base64.b64encode(f"{j['api_client_id']}:{j['api_client_secret']}".encode()).decode()
        body = urllib.parse.urlencode(form).encode()
        answer = call("POST", j["base_url"] + path, body,
                      {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        if answer.get("stat") != "ok":
            raise ProviderError(200, answer)
        return answer

    def export(self, j, page=100):
        """Every record, by id paging; a page shorter than asked ends the export."""
        records, last = [], 0
        while True:
            answer = self.entity(j, "/entity.find", {"type_name": "user", "filter": f"id > {last}",
                                                     "sort_on": '["id"]', "max_results": str(page)})
            records += answer["results"]
            if len(answer["results"]) < page:
                return records
            last = answer["results"][-1]["id"]

    # The operations ---------------------------------------------------------------------------
    def create_connection(self, provider, args):
        a, j = provider["auth0"], provider["janrain"]
        sign_in = j["forms"]["sign_in"]
        script = LOGIN_SCRIPT % {
            "check": CHECK_STATUS_ONLY if MODE == "status-only-script" else CHECK_STAT,
            "verified": "" if MODE == "forgets-email-verified" else "email_verified: user.emailVerified != null,",
            "names": "" if MODE == "drops-names" else
            "given_name: user.givenName || undefined,\n        family_name: user.familyName || undefined,",
        }
        body = {
            "name": args["name"],
            "strategy": "auth0",
            "enabled_clients": [a["login_client_id"]],
            "options": {
                "enabledDatabaseCustomization": True,
                "import_mode": MODE != "every-login-to-janrain",
                "customScripts": {"login": script},
                "configuration": {
                    "janrain_url": j["base_url"], "client_id": j["client_id"], "flow": j["flow"],
                    "flow_version": j["flow_version"], "locale": j["locale"], "form": sign_in["name"],
                    "email_field": sign_in["email_field"], "password_field": sign_in["password_field"],
                    "redirect_uri": j["redirect_uri"],
                },
            },
        }
        created = self.management(a, "POST", "/connections", body)
        self.connections[args["name"]] = created["id"]
        return {"id": created["id"]}

    def connection_id(self, a, name):
        if name not in self.connections:
            found = self.management(a, "GET", "/connections?" + urllib.parse.urlencode({"name": name}))
            self.connections[name] = found[0]["id"]
        return self.connections[name]

    def held(self, a, name):
        """The emails of the users the connection holds already."""
        emails, page = set(), 0
        while True:
            query = urllib.parse.urlencode({"q": f'identities.connection:"{name}"', "search_engine": "v3",
                                            "per_page": 100, "page": page, "fields": "email"})
            users = self.management(a, "GET", "/users?" + query)
            emails |= {u["email"] for u in users}
            if len(users) < 100:
                return emails
            page += 1

    def import_users(self, provider, args):
        a, j = provider["auth0"], provider["janrain"]
        connection = args["connection"]
        connection_id = self.connection_id(a, connection)
        records = sorted(self.export(j), key=lambda r: r["id"])
        held = set() if MODE == "ignores-window" else self.held(a, connection)
        users, skipped, seen = [], [], set()
        for record in records:
            email = (record.get("email") or "").strip()
            key = email if MODE == "keeps-email-case" else email.lower()
            if not record.get("password") and MODE != "social-random-password":
                skipped.append({"email": record.get("email"), "reason": "social-only: no password to import"})
                continue
            if key in seen:
                skipped.append({"email": record.get("email"), "reason": "a second record of this address"})
                continue
            seen.add(key)
            if key in held:
                skipped.append({"email": record.get("email"), "reason": "migrated at a login already"})
                continue
            user = to_auth0(record, key)
            if user is None:
                skipped.append({"email": record.get("email"),
                                "reason": f"hash type {record['password']['type']}: migrates at the first login"})
                continue
            users.append(user)
        jobs = [self.run_job(a, connection_id, users[i:i + 500]) for i in range(0, len(users), 500)]
        return {"jobs": jobs, "skipped": skipped}

    def run_job(self, a, connection_id, users):
        """One users file imported; waits for its job to finish."""
        boundary = uuid.uuid4().hex
        parts = [("users", "users.json", json.dumps(users)), ("connection_id", None, connection_id),
                 ("upsert", None, "false")]
        body = b""
        for name, filename, value in parts:
            disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
            kind = "Content-Type: application/json\r\n" if filename else ""
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n{value}\r\n".encode()
        body += f"--{boundary}--\r\n".encode()
        job = self.management(a, "POST", "/jobs/users-imports", body,
                              {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        deadline = time.monotonic() + 20
        while job["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
            job = self.management(a, "GET", "/jobs/" + urllib.parse.quote(job["id"], safe=""))
        return job["id"]


# Janrain type tags with an Auth0 algorithm (facts migration.md §4.2); the others migrate at login.
DIGESTS = {"password-md5": "md5", "password-sha": "sha1", "password-sha-256": "sha256", "password-sha-512": "sha512"}


def to_auth0(record, email):
    """A Janrain record as an Auth0 users-file entry; None for a hash Auth0 cannot take."""
    user = {"user_id": record["uuid"], "email": email}
    if MODE != "forgets-email-verified":
        user["email_verified"] = record.get("emailVerified") is not None
    names = (("givenName", "given_name"), ("familyName", "family_name"))
    for source, target in (() if MODE == "drops-names" else names) + (("displayName", "name"),):
        if record.get(source):
            user[target] = record[source]
    if record.get("deactivateAccount") and MODE != "ignores-deactivation":
        user["blocked"] = True
    user["app_metadata"] = {"janrain_id": record["id"]}
    password = record.get("password")
    if not password:
        return user  # social-random-password: no hash at all
    kind, value = password["type"], password["value"]
    if kind == "password-bcrypt":
        if value.startswith(("$2a$10$", "$2b$10$")):
            user["password_hash"] = value
        else:
            user["custom_password_hash"] = {"algorithm": "bcrypt", "hash": {"value": value, "encoding": "utf8"}}
    elif kind in DIGESTS:
        encoding = "base64" if MODE == "wrong-hash-encoding" and kind == "password-sha-256" else "hex"
        user["custom_password_hash"] = {"algorithm": DIGESTS[kind], "hash": {"value": value, "encoding": encoding}}
    else:
        return None
    return user


def main():
    migration = Migration()
    operations = {"migration.create_connection": migration.create_connection,
                  "migration.import_users": migration.import_users}
    for line in sys.stdin:
        message = json.loads(line)
        if message["cmd"] == "start":
            answer = {"ok": True, "name": "migration-example" + ("" if MODE == "none" else f" ({MODE})"),
                      "version": "1.0.0", "operations": list(operations)}
        elif message["cmd"] == "run":
            seq, op = message["seq"], message["op"]
            if op not in operations:
                answer = {"seq": seq, "ok": False, "unsupported": True}
            else:
                try:
                    answer = {"seq": seq, "ok": True, "result": operations[op](message["provider"], message["args"])}
                except ProviderError as error:
                    answer = {"seq": seq, "ok": False, "error": {"status": error.status, "body": error.body}}
        else:
            return
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
