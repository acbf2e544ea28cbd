@auth0 @mfa
Feature: A login that needs a second factor
  When the tenant asks for multi-factor authentication, the password grant answers 403
  mfa_required with an mfa_token instead of tokens. The application must see that answer whole,
  mfa_token included, to ask the user for a one-time code and answer with it; a wrong code and an
  mfa_token past its ten minutes are the provider's own errors, reported as such.

  Background:
    Given a fresh Auth0 tenant
    And the tenant asks every login for a second factor

  @must
  Scenario: A login that needs a second factor surfaces mfa_required with its mfa_token
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    Then the client reports the provider error 403 "Multifactor authentication required"
    And the client reports the mfa_token the provider issued

  @must
  Scenario: A wrong one-time code is reported
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    And the client answers the second factor with the one-time code "000000"
    Then the client reports the provider error 403 "Invalid otp_code."

  @must
  Scenario: An mfa_token past its ten minutes is reported expired
    When the client logs in as "alice@example.com" with password "Wonderland-2026"
    And 11 minutes pass on the provider's clock
    And the client answers the second factor with the one-time code "123456"
    Then the client reports the provider error 401 "mfa_token is expired"
