"""The pytest fixture from the installed wheel (.ci/run's packaging stage): each test gets a tenant of
its own. The first creates a user; the second, on another tenant of the same server, sees none."""

import json
import urllib.parse
import urllib.request

EMAIL = "isolation@example.com"


def users_by_email(tenant, token):
    request = urllib.request.Request(
        f"{tenant.base_url}/api/v2/users-by-email?" + urllib.parse.urlencode({"email": EMAIL}),
        headers={"authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def test_a_user_created_in_one_test(authmock, authmock_server):
    assert authmock.base_url != authmock_server.base_url
    assert authmock.issuer == authmock.base_url + "/"
    token = authmock.management_token()
    request = urllib.request.Request(
        f"{authmock.base_url}/api/v2/users",
        data=json.dumps({
            "email": EMAIL,
            "password": "Correct-Horse-9-Battery",
            "connection": "Username-Password-Authentication",
        }).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
    assert [user["email"] for user in users_by_email(authmock, token)] == [EMAIL]
    assert authmock.control.journal(path="/api/v2/users", method="POST")["matched"] == 1


def test_b_is_not_seen_by_the_next(authmock):
    assert users_by_email(authmock, authmock.management_token()) == []
    assert authmock.control.journal(path="/api/v2/users", method="POST")["matched"] == 0
