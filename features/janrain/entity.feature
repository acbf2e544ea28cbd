@janrain @entity
Feature: A back-office integration reads and writes Capture records through the Entity API
  Server-side code (a migration, a CRM sync, a support tool) calls the Entity API as one of the
  app's API clients, with its client id and secret. Capture answers its errors with HTTP 200 and
  "stat":"error"; the integration must see them with code and message intact.

  Background:
    Given a fresh Janrain app
    And the client uses the "Back-office owner client" API client

  @must
  Scenario: Finding a record by its email address
    When the client finds the Janrain records matching "email = 'carol@example.com'"
    Then the client finds 1 Janrain record

  @must
  Scenario: Creating a record, then finding it
    When the client creates a Janrain record for "frank@example.com" with the given name "Frank"
    Then the client reports the new Janrain record
    When the client finds the Janrain records matching "email = 'frank@example.com'"
    Then the client finds 1 Janrain record

  @must
  Scenario: Changing one attribute of a record keeps the others
    When the client changes the given name of the Janrain record of "carol@example.com" to "Caroline"
    Then the Janrain record of "carol@example.com" has the given name "Caroline"

  @must
  Scenario: Deleting a record
    When the client deletes the Janrain record of "dave@example.com"
    Then the Janrain app has no record for "dave@example.com"

  @must @error-case
  Scenario: Changing a record that was deleted
    When the client deletes the Janrain record of "dave@example.com"
    And the client changes the given name of the Janrain record of "dave@example.com" to "David"
    Then the client reports the Janrain error 310 "record_not_found" saying "record not found"

  @must @error-case
  Scenario: Creating a record with an email address another record holds
    When the client creates a Janrain record for "carol@example.com" with the given name "Carol"
    Then the client reports the Janrain error 361 "unique_violation" saying "Attempted to update a duplicate value"

  @must @error-case
  Scenario: A filter on an attribute the entity type does not declare
    When the client finds the Janrain records matching "shoeSize = '42'"
    Then the client reports the Janrain error 200 "invalid_argument" saying "filter was not valid for the following reason: Unknown attribute (null)"

  # The wording of 402 is authmock's (the provider's text is not documented).
  @must @error-case
  Scenario: An API client secret the app no longer accepts
    Given the client holds an outdated secret for its API client
    When the client finds the Janrain records matching "email = 'carol@example.com'"
    Then the client reports the Janrain error 402 "invalid_client_credentials" saying "invalid client credentials"

  # A login client may call the /oauth/*_native endpoints, not the Entity API. The wording of 403
  # is authmock's (the provider's text is not documented).
  @should @error-case
  Scenario: A login client used for the Entity API
    Given the client uses the "Web login client" API client
    When the client creates a Janrain record for "frank@example.com" with the given name "Frank"
    Then the client reports the Janrain error 403 "client_permission_error" saying "the client does not have the required feature: owner or direct_access"

  @should
  Scenario: Entity API calls keep secrets out of URLs
    When the client creates a Janrain record for "frank@example.com" with the given name "Frank"
    And the client changes the given name of the Janrain record of "carol@example.com" to "Caroline"
    And the client deletes the Janrain record of "dave@example.com"
    Then every Janrain call was form-encoded with no secret in its URL
