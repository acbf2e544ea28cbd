@migration
Feature: A Janrain migration's bulk import
  A team's migration exports every Janrain user by id paging, turns the records into Auth0 users
  files and imports them into a custom database connection that migrates the users it left out
  at their first login. These are the parity checks migrations run before they switch Janrain
  off (facts migration.md §5), each read back from the providers themselves.

  @must
  Scenario: Every Janrain user with a password is in Auth0, and the counts add up
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    Then every Janrain user with a password has an Auth0 user in the migration connection
    And the Janrain count equals the users the import jobs inserted or updated plus those the client skipped
    And no import job reported a failed user

  @must
  Scenario Outline: A <kind> password imported in bulk works on Auth0 without Janrain
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    And "<email>" logs in on Auth0 with "<password>"
    Then the login succeeds without a call to Janrain

    Examples:
      | kind    | email             | password         |
      | bcrypt  | carol@example.com | Carol-Password-1 |
      | SHA-256 | frank@example.com | Frank-Password-1 |

  @must
  Scenario: A verified Janrain email stays verified in Auth0, an unverified one does not
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    Then the Auth0 user "carol@example.com" has email_verified true
    And the Auth0 user "dave@example.com" has email_verified false

  # Carol migrates at a login before the import (the login script's profile), Dave in bulk (the
  # users file): each carries the record's givenName, familyName and id.
  @must
  Scenario: Names and metadata are carried as mapped, by the import and at a login
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And "carol@example.com" logs in on Auth0 with "Carol-Password-1"
    And the client imports the Janrain users into "janrain-users"
    Then the Auth0 user "dave@example.com" carries the Janrain record's names and id as mapped
    And the Auth0 user "carol@example.com" carries the Janrain record's names and id as mapped

  @must
  Scenario: A deactivated Janrain account is blocked in Auth0
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    Then the Auth0 user "grace@example.com" is blocked

  @must
  Scenario: A social-only Janrain user is skipped, not given a password
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    Then the migration connection has no user "erin@example.com"
    And the client reported "erin@example.com" as skipped

  @must
  Scenario: Emails are lower-cased and two records of one address become one user
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And the client imports the Janrain users into "janrain-users"
    Then the migration connection has exactly one user "heidi.case@example.com"
    And no import job reported a failed user
