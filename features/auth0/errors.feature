@auth0 @error-case
Feature: Errors the provider documents, surfaced by the client with status and message intact
  When Auth0 refuses a request, the application must see the provider's status and message,
  not a generic failure, so that whoever reads the logs knows what to fix.

  Background:
    Given a fresh Auth0 tenant
    And the client uses the "Backend service (M2M)" application

  @must
  Scenario: A request without authentication
    Given the Management API rejects the next request as unauthenticated
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 401 "Missing authentication"

  @must
  Scenario: An application without the scope to create tickets
    Given the client uses the "Read-only reporting (M2M)" application
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 403 "Insufficient scope, expected any of: create:user_tickets"

  # The client obtains (and, if it caches, keeps) a token with its first ticket; a day later on
  # the provider's clock that token is dead. A client that fetches a fresh token after
  # `Expired token` (or per call) gets its ticket; one that keeps sending the dead token does not.
  @should
  Scenario: A cached management token that expired on the provider's clock
    When the client creates a password-change ticket for "alice@example.com"
    And a day passes on the provider's clock
    And the client creates a password-change ticket for "alice@example.com"
    Then the provider received 2 token requests
    And the client receives a password-change ticket link

  @must
  Scenario: Setting the password of a user that does not exist
    When the client sets the password of the unknown user "auth0|000000000000000000000000" to "Looking-Glass-2027"
    Then the client reports the provider error 404 "The user does not exist."

  @must
  Scenario: The provider is unavailable
    Given the Management API is unavailable
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 503 "Service Unavailable"

  @must
  Scenario: The Management API stays rate limited
    Given the Management API answers every request with 429 Too Many Requests
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 429 "Global limit has been reached"
    And the client did not retry before x-ratelimit-reset

  @should
  Scenario: Retries on a rate limit are bounded
    Given the Management API answers every request with 429 Too Many Requests
    When the client creates a password-change ticket for "alice@example.com"
    Then the provider received at most 4 ticket requests

  @should
  Scenario: A rate-limited request is retried after the window resets
    Given the Management API's rate limit is used up for the next 2 seconds
    When the client creates a password-change ticket for "alice@example.com"
    Then the client waited for the rate limit to reset before retrying

  @must
  Scenario: A token the provider does not accept
    Given the Management API rejects the next token as invalid
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 401 "Invalid token"

  @must
  Scenario: A token requested for another API
    Given the client is configured with the audience "https://api.example.com/"
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 401 "Bad audience: https://api.example.com/"

  @must
  Scenario: A payload the provider cannot read as JSON
    Given the Management API rejects the next payload as malformed JSON
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 400 "Invalid request payload JSON format"

  @must
  Scenario: A payload that breaks the ticket schema
    When the client creates a password-change ticket for "alice@example.com" valid for -1 seconds
    Then the client reports the provider error 400 "Payload validation error: 'Value -1 is less than minimum 0' on property ttl_sec (Number of seconds for which the ticket is valid before expiration. If unspecified or set to 0, this value defaults to 432000 seconds (5 days))."

  @should
  Scenario: A rate-limit error is reported with its headers
    Given the Management API answers every request with 429 Too Many Requests
    When the client creates a password-change ticket for "alice@example.com"
    Then the client reports the provider error 429 "Global limit has been reached"
    And the client reports the rate-limit headers the provider sent
