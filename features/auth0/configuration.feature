@auth0
Feature: Configuring the tenant through the Management API
  A backend that provisions machine-to-machine applications registers them and grants them an
  API's scopes through the Management API (POST /api/v2/clients, POST and DELETE
  /api/v2/client-grants). A grant is what the client-credentials grant checks, so the new
  application gets its token at once, and a grant taken back refuses the next one. It changes a
  web application's callbacks the same way (PATCH /api/v2/clients/{id}), and sets up an
  organization (POST /api/v2/organizations, POST /api/v2/organizations/{id}/members). The harness
  asks /oauth/token itself, with the credentials the client reported, and walks the login itself.

  Background:
    Given a fresh Auth0 tenant
    And the client uses the "API Explorer Application" application

  @must
  Scenario: An application created through the Management API gets a client-credentials token at once
    When the client creates the machine-to-machine application "Nightly export"
    Then the client receives the new application's credentials
    When the client grants the application "Nightly export" the scope "read:messages" of "https://api.example.com/"
    Then the client receives the grant the provider created
    And "Nightly export" gets a token for "https://api.example.com/" with the scope "read:messages"

  # The provider's answer when no grant ties the application to the API (facts auth0.md §1.3).
  @must
  Scenario: A grant deleted refuses the next token
    When the client creates the machine-to-machine application "Nightly export"
    And the client grants the application "Nightly export" the scopes "read:messages write:messages" of "https://api.example.com/"
    Then "Nightly export" gets a token for "https://api.example.com/" with the scopes "read:messages write:messages"
    When the client deletes the grant of "Nightly export" on "https://api.example.com/"
    Then the client reports success
    And "Nightly export" is refused a token for "https://api.example.com/" with 403 access_denied:
      """
      Client is not authorized to access "https://api.example.com/". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants
      """

  # The login reads the application's callbacks as they are now: a PATCH replaces the list whole,
  # so the new callback is honoured at once and the one it replaced is refused (Universal Login's
  # 400 `Callback URL mismatch.` page). The harness signs the user in itself.
  @must
  Scenario: A callback changed through the Management API is honoured and the old one refused
    When the client changes the callbacks of "Regular web app" to "http://127.0.0.1:3000/signed-in"
    Then the client receives the application as the provider updated it
    And "alice@example.com" signing in with password "Wonderland-2026" through "Regular web app" comes back to "http://127.0.0.1:3000/signed-in" with a code
    And a login through "Regular web app" with the callback "http://127.0.0.1:3000/callback" is refused with the callback mismatch page

  # A login through an organization lets members in only (facts auth0-mfa-orgs.md B6): anyone else
  # is refused at the callback with the provider's access_denied `user <id> is not part of the
  # <org_id> organization`, and a member's ID token names the organization (`org_id`). The client
  # creates the organization and adds the member; the harness signs the user in and redeems the
  # code itself.
  @must
  Scenario: A login through an organization refuses a non-member and names the organization in a member's token
    Given the application "Regular web app" takes organizations
    When the client creates the organization "acme" with the connection "Username-Password-Authentication"
    Then the client receives the organization the provider created
    And "alice@example.com" signing in with password "Wonderland-2026" through "Regular web app" with the organization "acme" is refused as not part of it
    When the client makes "alice@example.com" a member of the organization "acme"
    Then the client reports success
    And "alice@example.com" signing in with password "Wonderland-2026" through "Regular web app" with the organization "acme" gets an ID token naming it
