@janrain
Feature: A user who forgot a password recovers it through Janrain
  Janrain mails the user a one-time code. The application exchanges the code for an access
  token, sets the new password with it, and the user signs in with the new password.

  Background:
    Given a fresh Janrain app
    And the client uses the "Web login client" login client

  @must
  Scenario: A user recovers a forgotten password and signs in with the new one
    When the client asks Janrain to send a password recovery email to "carol@example.com"
    Then a recovery link for "carol@example.com" is in the Janrain outbox
    And the client reports success
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    Then the client receives a Janrain access token
    When the client sets the new password "Through-the-Looking-Glass-1"
    Then the client reports success
    When the client signs in to Janrain as "carol@example.com" with password "Through-the-Looking-Glass-1"
    Then the Janrain sign-in succeeds

  @must @error-case
  Scenario: The old password no longer works after a recovery
    When the client asks Janrain to send a password recovery email to "dave@example.com"
    And the user opens the recovery link mailed to "dave@example.com"
    And the client exchanges the recovery code for an access token
    And the client sets the new password "Dave-Password-2"
    And the client signs in to Janrain as "dave@example.com" with password "Dave-Password-1"
    Then the client reports the Janrain error 210 "invalid_credentials" saying "Incorrect username or password"

  @should
  Scenario: Capture calls are form-encoded and keep secrets out of URLs
    When the client asks Janrain to send a password recovery email to "carol@example.com"
    And the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    And the client sets the new password "Through-the-Looking-Glass-1"
    And the client signs in to Janrain as "carol@example.com" with password "Through-the-Looking-Glass-1"
    Then every Janrain call was form-encoded with no secret in its URL
