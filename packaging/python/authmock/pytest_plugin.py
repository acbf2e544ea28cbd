"""The pytest plugin (entry point `pytest11`): one authmock server per session, a fresh tenant per test.

    def test_login(authmock):
        authmock.base_url, authmock.issuer, authmock.tenant, authmock.control

`authmock` is an :class:`authmock.Tenant` created for the test (`POST /__authmock__/tenants`) on its
own loopback port and stopped after it, so no two tests share users, tokens, mail or clock. Mark a
test to change its seed:

    @pytest.mark.authmock(provider="janrain")                 # a Janrain app instead
    @pytest.mark.authmock(fixture="tests/tenant.json")        # or seed=<inline fixture dict>

`authmock_server` is the session's :class:`authmock.Server` (its own default tenants are shared).
"""

import pytest

import authmock as _authmock


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "authmock(provider='auth0', fixture=None, seed=None): the seed of the test's authmock tenant",
    )


@pytest.fixture(scope="session")
def authmock_server():
    with _authmock.Server() as server:
        yield server


@pytest.fixture
def authmock(request, authmock_server):
    marker = request.node.get_closest_marker("authmock")
    options = dict(marker.kwargs) if marker else {}
    with authmock_server.create_tenant(**options) as tenant:
        yield tenant
