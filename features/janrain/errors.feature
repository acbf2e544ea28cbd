@janrain @error-case
Feature: Errors Janrain documents, surfaced by the client with code and message intact
  Janrain answers most errors with HTTP 200 and "stat":"error". The application must see the
  error's code, name and message as Janrain sent them, not a success and not a generic failure.

  Background:
    Given a fresh Janrain app
    And the client uses the "Web login client" login client

  @must
  Scenario: Recovery for an email address no account uses
    When the client asks Janrain to send a password recovery email to "nobody@example.com"
    Then the client reports the Janrain error 212 "no_such_account" saying "No account can be found that uses that email address"

  @must
  Scenario: A new password and its confirmation that differ
    Given a recovery email for "carol@example.com" was requested through the "Web login client" login client
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    And the client sets the new password "Through-the-Looking-Glass-1" confirmed as "Through-the-Looking-Glass-2"
    Then the client reports the Janrain error 390 "invalid_form_fields" saying "Passwords do not match"

  @must
  Scenario: A new password shorter than the flow allows
    Given a recovery email for "carol@example.com" was requested through the "Web login client" login client
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    And the client sets the new password "short"
    Then the client reports the Janrain error 390 "invalid_form_fields" saying "Password must be at least 8 characters"

  @must
  Scenario: The access token expires before the new password is set
    Given a recovery email for "carol@example.com" was requested through the "Web login client" login client
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    And 61 minutes pass on the Janrain app's clock
    And the client sets the new password "Through-the-Looking-Glass-1"
    Then the client reports the Janrain error 414 "access_token_expired" saying "access_token expired"

  # The Web login client's recovery codes live 15 minutes (recover_code_lifetime 900 s).
  @must
  Scenario: A recovery code used after its lifetime
    Given a recovery email for "carol@example.com" was requested through the "Web login client" login client
    When the user opens the recovery link mailed to "carol@example.com"
    And 16 minutes pass on the Janrain app's clock
    And the client exchanges the recovery code for an access token
    Then the client reports the Janrain error 415 "authorization_code_expired" saying "authorization code has expired"

  @must
  Scenario: A recovery started with another redirect URI
    Given a recovery email for "carol@example.com" was requested with the redirect URI "http://127.0.0.1:3000/other-page"
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    Then the client reports the Janrain error 420 "redirect_uri_mismatch" saying "redirect_uri does not match expected value"

  # The same-client rule: only the login client that asked for the code may exchange it.
  @must
  Scenario: A recovery code mailed through another login client
    Given a recovery email for "carol@example.com" was requested through the "Mobile login client" login client
    When the user opens the recovery link mailed to "carol@example.com"
    And the client exchanges the recovery code for an access token
    Then the client reports the Janrain error 200 "invalid_argument" saying "invalid code"

  # The same-client rule: an access token works only with the login client that obtained it.
  @must
  Scenario: An access token obtained by another login client
    Given "carol@example.com" recovered access through the "Mobile login client" login client
    When the client sets the new password "Through-the-Looking-Glass-1"
    Then the client reports the Janrain error 200 "invalid_argument" saying "client_id does not match the client that obtained the access token"
