@auth0
Feature: Sending a user a password-change link through the Management API
  An application that lets support staff reset a user's password asks Auth0 for a
  password-change ticket and sends the link to the user.

  Background:
    Given a fresh Auth0 tenant
    And the client uses the "Backend service (M2M)" application

  @must
  Scenario: A ticket for a user identified by user id
    When the client creates a password-change ticket for "alice@example.com"
    Then the client receives a password-change ticket link
    And the provider received 1 ticket request

  @must
  Scenario: A ticket for a user identified by email and database connection
    When the client creates a password-change ticket for "bob@example.com" by email
    Then the client receives a password-change ticket link

  # The tenant sets a fine-grained M2M token quota on the application: a client that fetches a
  # token per call meets 429 "Client quota exceeded" on its second ticket.
  @must
  Scenario: The management token is reused across operations
    Given the tenant allows the application 1 management token per hour
    When the client creates 3 password-change tickets for "alice@example.com"
    Then the provider received 3 ticket requests
    And the provider received 1 token request
    And the client receives a password-change ticket link

  @should
  Scenario: Requests carry JSON and keep secrets out of URLs
    When the client creates a password-change ticket for "alice@example.com" by email
    And the client looks up the users with email "alice@example.com"
    Then every request body was what its Content-Type said, and JSON for the Management API
    And no secret appeared in a query string

  # Tickets live 5 days (432000 s) unless ttl_sec says otherwise.
  @must
  Scenario: A ticket used after five days no longer works
    When the client creates a password-change ticket for "alice@example.com"
    Then the ticket link opens the password form
    When 5 days pass on the provider's clock
    Then the ticket link has expired
