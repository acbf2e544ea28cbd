@auth0
Feature: Logging users in through the browser with the authorization code flow
  The application sends the browser to /authorize, the user signs in on the Universal Login
  page, and the application checks the callback, redeems the code with its PKCE verifier and
  checks the ID token. The harness plays the user, and the attacker where a scenario says so.

  Background:
    Given a fresh Auth0 tenant
    And the client logs users in through the "Single-page app" application

  @must
  Scenario: A user logs in with PKCE
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    Then the client accepts the login of "alice@example.com"
    And the provider redeemed 1 authorization code

  @must @error-case
  Scenario: A callback whose state was tampered with is rejected before its code is used
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026" and an attacker tampers with the callback's state
    Then the client rejects the login
    And the provider redeemed 0 authorization codes

  @must @error-case
  Scenario: An ID token carrying another nonce is rejected
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026" after an attacker swapped the nonce
    Then the client rejects the login

  @must @error-case
  Scenario: A callback the application does not allow is refused by the provider
    When the client starts a login with the callback "http://127.0.0.1:3000/not-allowed"
    Then the provider shows the callback mismatch page

  @must @error-case
  Scenario: A callback handed over twice is not accepted twice
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the same callback is handed to the client again
    Then the client rejects the login
    And the provider redeemed 1 authorization code

  @must
  Scenario: Refresh tokens rotate
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the client refreshes its tokens
    Then the client received a rotated refresh token

  @must @error-case
  Scenario: A replayed refresh token revokes the whole family
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the client refreshes its tokens
    And an attacker replays the first refresh token
    And the client refreshes its tokens
    Then the client reports the provider error 403 "Unknown or invalid refresh token."

  @must @error-case
  Scenario: A revoked refresh token no longer refreshes
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the refresh token the client holds is revoked at the provider
    And the client refreshes its tokens
    Then the client reports the provider error 403 "Unknown or invalid refresh token."

  @should
  Scenario: The application reads the user's profile
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the client reads the user's profile
    Then the client reads the email "alice@example.com"

  @should @error-case
  Scenario: A silent login without a session reports login_required
    When the client starts a silent login and the browser has no session
    Then the client is told "login_required"

  @must
  Scenario: Logging out returns to an allowed URL
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the user logs out back to "http://127.0.0.1:3000/"
    Then the browser lands on "http://127.0.0.1:3000/"

  @must
  Scenario: Logging out to the application's origin without its trailing slash
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the user logs out back to "http://127.0.0.1:3000"
    Then the browser lands on "http://127.0.0.1:3000/"

  # A login through an organization (facts auth0-mfa-orgs.md B6): the application hands the
  # organization to its SDK, which sends it to /authorize as `organization`; a member's ID token
  # names it in `org_id`, which the application checks (Auth0's SDKs do) and reports. The
  # harness sets the organization up as the tenant's administrator.
  @must
  Scenario: A member logs in through an organization
    Given the provider has the organization "acme" with the connection "Username-Password-Authentication"
    And "alice@example.com" belongs to the organization "acme"
    When the user signs in through the organization "acme" as "alice@example.com" with password "Wonderland-2026"
    Then the client accepts the login of "alice@example.com" in the organization "acme"

  # An invitation link lands on the application's login route with `invitation`, `organization`
  # and `organization_name`; the application starts the login with the first two (facts B4, B6).
  # Logging in with the invited email makes the user a member.
  @should
  Scenario: An invited user joins the organization by logging in
    Given the provider has the organization "acme" with the connection "Username-Password-Authentication"
    And "alice@example.com" is invited to the organization "acme"
    When the user accepts the invitation to "acme" and signs in as "alice@example.com" with password "Wonderland-2026"
    Then the client accepts the login of "alice@example.com" in the organization "acme"
