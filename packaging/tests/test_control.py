"""authmock.Server and the control helpers from the installed wheel (.ci/run's packaging stage)."""

import json
import urllib.error
import urllib.request

import pytest

import authmock as authmock_package


def post(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_faults_clock_outbox_and_journal(authmock):
    control = authmock.control
    rule = control.fault(path="/oauth/token", times=1, error="auth0.rate_limited")
    assert post(f"{authmock.base_url}/oauth/token", {})[0] == 429
    assert [(f["id"], f["hits"]) for f in control.faults()["faults"]] == [(rule["id"], 1)]
    control.clear_faults()

    before = control.clock()["unix"]
    assert control.advance_clock(3600)
    assert control.clock()["unix"] >= before + 3600

    web = authmock.client("Web app")
    status, _ = post(f"{authmock.base_url}/dbconnections/change_password", {
        "client_id": web["client_id"], "email": "alice@example.com",
        "connection": "Username-Password-Authentication"})
    assert status == 200
    assert control.latest_mail()["Links"]
    assert control.journal(path="/dbconnections", status=200)["matched"] == 1
    control.reset()
    assert control.outbox()["total"] == 0


@pytest.mark.authmock(provider="janrain")
def test_the_marker_gives_a_janrain_app(authmock):
    assert authmock.provider == "janrain"
    assert authmock.issuer is None
    assert authmock.control.health() == {"status": "ok", "provider": "janrain"}


def test_a_server_stops_when_its_block_ends():
    with authmock_package.Server() as server:
        assert server.janrain.control.health()["provider"] == "janrain"
        url = server.base_url
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/__authmock__/health", timeout=2)


def test_a_server_that_cannot_start_says_why():
    with pytest.raises(authmock_package.AuthmockError, match="unexpected argument '--no-such-flag'"):
        authmock_package.Server(args=["--no-such-flag"]).start()
    with pytest.raises(authmock_package.AuthmockError, match="did not start"):
        authmock_package.Server(binary="/nonexistent/authmock").start()
