#!/usr/bin/env python3
"""A Janrain -> Auth0 migration at scale, timed: N generated Capture users exported by id paging,
turned into Auth0 users files, bulk-imported, and a sample of them logging in on Auth0 with their
Janrain password.

    bench/migration.py target/release/authmock [N, default 100000]

Writes a Capture fixture (the embedded one, its schema declaring `password`, plus
`generated_users` of N people: every 20th social-only, every 5th unverified; docs/fixtures.md),
starts `authmock serve` on free loopback ports with the journal off, then, as a migration tool
would: pages through `entity.find` (`filter=id > <last>`, `sort_on=["id"]`, `max_results=10000`,
the owner client, HTTP Basic) until a short page; maps each password user to an Auth0 users-file
entry (email, `email_verified`, names, the bcrypt `password_hash`; social-only users are counted,
not imported); uploads the entries as `POST /api/v2/jobs/users-imports` files under the
512,000-byte limit, at most two jobs active (the tenant's limit), polling `GET /api/v2/jobs/{id}`;
checks that the jobs inserted every password user (but those the seeded Auth0 tenant already holds,
refused as `DUPLICATED_USER`); and logs 5 random migrated users in with the
password-realm grant. Prints the seconds of each phase and the server's RSS. Loopback only,
bounded: every wait has a deadline. Standard library only.
"""
import base64, json, os, random, shutil, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
PASSWORD = "Rehearsal-2027!"
PAGE = 10_000
FILE_LIMIT = 500_000  # bytes of one users file, under the provider's 512,000 for the whole body
DEADLINE = 600.0


def http(method, url, body=None, headers=None, timeout=120):
    data = body if isinstance(body, (bytes, type(None))) else body.encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, json.loads(text) if text else None


def main():
    fixture = json.load(open(os.path.join(ROOT, "fixtures", "janrain-app.json")))
    fixture["entity_type"]["attributes"].append({"name": "password", "type": "password"})
    fixture["generated_users"] = {"count": N, "password": PASSWORD, "social_only_every": 20, "unverified_every": 5}
    owner = next(c for c in fixture["clients"] if "owner" in c["features"])
    work = tempfile.mkdtemp(prefix="authmock-migration-")
    path = os.path.join(work, "janrain.json")
    json.dump(fixture, open(path, "w"))

    started = time.time()
    proc = subprocess.Popen([BIN, "serve", "--json", "--port", "0", "--janrain-fixture", path],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, AUTHMOCK_JOURNAL_LIMIT="0"))
    try:
        summaries = [json.loads(proc.stdout.readline()) for _ in range(2)]
        auth0 = next(s for s in summaries if s.get("provider") == "auth0")
        janrain = next(s for s in summaries if s.get("provider") == "janrain")
        a0, jr = auth0["base_url"].rstrip("/"), janrain["base_url"].rstrip("/")
        start_s = time.time() - started
        rss_start = rss(proc.pid)

        # Export: id paging as exporters send it.
        t = time.time()
        basic = "Basic " + base64.b64encode(f"{owner['client_id']}:{owner['client_secret']}".encode()).decode()
        records, last = [], 0
        while True:
            form = urllib.parse.urlencode({
                "type_name": "user", "max_results": PAGE, "filter": f"id > {last}", "sort_on": '["id"]',
                "attributes": '["id","uuid","email","emailVerified","givenName","familyName","password"]',
            })
            status, page = http("POST", jr + "/entity.find", form,
                                {"Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"})
            assert status == 200 and page["stat"] == "ok", (status, page)
            records += page["results"]
            if len(page["results"]) < PAGE:
                break
            last = page["results"][-1]["id"]
        export_s = time.time() - t

        # Transform: password users become users-file entries; social-only ones are reported.
        t = time.time()
        entries = [{
            "email": r["email"], "email_verified": r["emailVerified"] is not None,
            "given_name": r["givenName"], "family_name": r["familyName"],
            "name": f"{r['givenName']} {r['familyName']}", "password_hash": r["password"]["value"],
        } for r in records if r["password"]]
        social = sum(1 for r in records if not r["password"])
        files, current, size = [], [], 2
        for e in entries:
            line = len(json.dumps(e)) + 1
            if current and size + line > FILE_LIMIT:
                files.append(current)
                current, size = [], 2
            current.append(e)
            size += line
        files.append(current)
        transform_s = time.time() - t

        # Import: a management token, the connection's id, at most two jobs active.
        t = time.time()
        explorer = next(c for c in auth0["clients"] if c["name"] == "API Explorer Application")
        _, token = http("POST", a0 + "/oauth/token", json.dumps({
            "grant_type": "client_credentials", "client_id": explorer["client_id"],
            "client_secret": explorer["client_secret"], "audience": a0 + "/api/v2/"}),
            {"Content-Type": "application/json"})
        bearer = {"Authorization": "Bearer " + token["access_token"]}
        _, conns = http("GET", a0 + "/api/v2/connections?name=Username-Password-Authentication", None, bearer)
        connection_id = conns[0]["id"]
        pending, inserted, failed, codes = list(files), 0, 0, {}
        active = []
        deadline = time.time() + DEADLINE
        while pending or active:
            assert time.time() < deadline, "the import did not finish in time"
            while pending and len(active) < 2:
                status, job = upload(a0, bearer, connection_id, pending[0])
                if status == 429:
                    break
                assert status == 202, (status, job)
                pending.pop(0)
                active.append(job["id"])
            time.sleep(0.05)
            for job_id in list(active):
                _, job = http("GET", f"{a0}/api/v2/jobs/{job_id}", None, bearer)
                if job["status"] in ("completed", "failed"):
                    active.remove(job_id)
                    summary = job.get("summary", {})
                    inserted += summary.get("inserted", 0)
                    failed += summary.get("failed", 0)
                    if summary.get("failed"):
                        _, errors = http("GET", f"{a0}/api/v2/jobs/{job_id}/errors", None, bearer)
                        for item in errors or []:
                            for error in item["errors"]:
                                codes[error["code"]] = codes.get(error["code"], 0) + 1
        import_s = time.time() - t

        # A sample of migrated users logs in with the Janrain password.
        t = time.time()
        login = next(c for c in auth0["clients"] if "password" in " ".join(c.get("grant_types", []))
                     or c["name"].startswith("Regular web"))
        sample = random.Random(1).sample(entries, min(5, len(entries)))
        for e in sample:
            status, answer = http("POST", a0 + "/oauth/token", json.dumps({
                "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
                "realm": "Username-Password-Authentication", "username": e["email"], "password": PASSWORD,
                "client_id": login["client_id"], "client_secret": login.get("client_secret", ""),
                "scope": "openid"}), {"Content-Type": "application/json"})
            assert status == 200, (status, answer)
        login_s = time.time() - t
        rss_end = rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    print(f"{N:,} generated Janrain users ({len(entries):,} with a password, {social:,} social-only)")
    print(f"  server start (seeding):   {start_s:7.2f} s, RSS {rss_start:.0f} MiB")
    print(f"  export by id paging:      {export_s:7.2f} s ({len(records):,} records, pages of {PAGE:,})")
    print(f"  transform to users files: {transform_s:7.2f} s ({len(files)} files)")
    print(f"  bulk import:              {import_s:7.2f} s ({inserted:,} inserted, {failed} failed: {codes})")
    print(f"  export + transform + import: {export_s + transform_s + import_s:.2f} s")
    print(f"  5 logins with the Janrain password: {login_s:.2f} s; RSS at the end {rss_end:.0f} MiB")
    # The seeded Auth0 tenant already holds the default Capture fixture's own users by email: those
    # are refused as DUPLICATED_USER (upsert off), as the provider refuses them; every other user
    # must be inserted.
    if inserted + failed != len(entries) or set(codes) - {"DUPLICATED_USER"}:
        sys.exit(f"expected {len(entries)} users inserted or duplicated, got {inserted} + {codes}")


def upload(base, bearer, connection_id, users):
    boundary = uuid.uuid4().hex
    parts = [
        ("connection_id", None, connection_id.encode()),
        ("upsert", None, b"false"),
        ("users", "users.json", json.dumps(users).encode()),
    ]
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            body += b"Content-Type: application/json\r\n"
        body += b"\r\n" + value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    headers = dict(bearer, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return http("POST", base + "/api/v2/jobs/users-imports", body, headers)


def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
