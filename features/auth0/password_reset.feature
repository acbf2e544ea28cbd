@auth0
Feature: Password reset by the user and by the application
  A user who forgot a password asks for a reset email; an application may also set a new
  password directly through the Management API.

  Background:
    Given a fresh Auth0 tenant
    And the client uses the "Backend service (M2M)" application

  @must
  Scenario: A user asks for a reset email and the link arrives
    When the client asks for a password reset email for "alice@example.com"
    Then a reset link for "alice@example.com" is in the outbox
    And the client reports success

  @must
  Scenario: The application sets a new password and the user logs in with it
    When the client sets the password of "alice@example.com" to "Looking-Glass-2027"
    Then the client reports success
    When the client logs in as "alice@example.com" with password "Looking-Glass-2027"
    Then the login succeeds

  @must
  Scenario: Looking a user up by email
    When the client looks up the users with email "alice@example.com"
    Then the client finds 1 user

  @must @error-case
  Scenario: Logging in with the wrong password is refused
    When the client logs in as "alice@example.com" with password "not-her-password"
    Then the client reports the provider error 403 "Wrong email or password."
