@auth0 @mfa
Feature: A login that needs a second factor
  When the tenant asks for multi-factor authentication, the password grant answers 403
  mfa_required with an mfa_token instead of tokens. The application must see that answer whole,
  mfa_token included, to ask the user for a one-time code and answer with it; a wrong code and an
  mfa_token past its ten minutes are the provider's own errors, reported as such. A refresh token
  from a login that passed no second factor is asked the same way once the tenant asks for one.
  An application that wants a second factor of a user who signed in without one (step-up) asks
  /authorize for it with acr_values; the user enters the code of their authenticator on the
  provider's page, and the ID token then says so (acr, amr): the application checks that, since
  the acr_values travel through the browser.

  Background:
    Given a fresh Auth0 tenant

  @must
  Scenario: A login that needs a second factor surfaces mfa_required with its mfa_token
    Given the tenant asks every login for a second factor
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    Then the client reports the provider error 403 "Multifactor authentication required"
    And the client reports the mfa_token the provider issued

  @must
  Scenario: A wrong one-time code is reported
    Given the tenant asks every login for a second factor
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    And the client answers the second factor with the one-time code "000000"
    Then the client reports the provider error 403 "Invalid otp_code."

  @must
  Scenario: An mfa_token past its ten minutes is reported expired
    Given the tenant asks every login for a second factor
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    And 11 minutes pass on the provider's clock
    And the client answers the second factor with the one-time code "123456"
    Then the client reports the provider error 401 "mfa_token is expired"

  @must
  Scenario: An application steps a signed-in user up to a second factor
    Given the client logs users in through the "Single-page app" application
    And "alice@example.com" has a one-time password authenticator
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the client asks for a second factor and "alice@example.com" enters the code of their authenticator
    Then the client accepts the login of "alice@example.com" with a second factor

  @must @error-case
  Scenario: A step-up whose acr_values an attacker stripped is not accepted
    Given the client logs users in through the "Single-page app" application
    And "alice@example.com" has a one-time password authenticator
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the client asks for a second factor and an attacker strips acr_values before "alice@example.com"'s browser opens it
    Then the client rejects the login

  @must
  Scenario: A refresh answered with mfa_required is completed with a one-time code
    Given the client logs users in through the "Single-page app" application
    And "alice@example.com" has a one-time password authenticator
    When the user signs in on the login page as "alice@example.com" with password "Wonderland-2026"
    And the tenant starts asking every login for a second factor
    And the client refreshes its tokens
    Then the client reports the provider error 403 "Multifactor authentication required"
    And the client reports the mfa_token the provider issued
    When the client answers the second factor with the code of "alice@example.com"'s authenticator
    Then the client receives the tokens of the second factor
