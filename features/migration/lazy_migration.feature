@migration
Feature: A Janrain migration's lazy migration
  The users a bulk import leaves out (or who log in before it runs) migrate at their first login:
  the connection's login script checks the password against Janrain and Auth0 keeps the user, so
  the second login is Auth0's own (facts migration.md §3, §5).

  @must
  Scenario: A user migrates at the first login, and the second login makes no call to Janrain
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And "carol@example.com" logs in on Auth0 with "Carol-Password-1"
    Then the login succeeds after the connection asked Janrain
    When "carol@example.com" logs in on Auth0 with "Carol-Password-1"
    Then the login succeeds without a call to Janrain

  @must
  Scenario: A password Janrain refuses is a wrong password, and migrates nobody
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And "dave@example.com" logs in on Auth0 with "not-Dave-Password"
    Then the login is refused with "Wrong email or password."
    And the migration connection has no user "dave@example.com"

  @must
  Scenario: A user who logged in before the bulk import is not duplicated by it
    Given a Janrain app holding the users to migrate
    When the client sets up the migration connection "janrain-users"
    And "carol@example.com" logs in on Auth0 with "Carol-Password-1"
    And the client imports the Janrain users into "janrain-users"
    Then no import job reported a failed user
    And the Janrain count equals the users the import jobs inserted or updated plus those the client skipped
    When "carol@example.com" logs in on Auth0 with "Carol-Password-1"
    Then the login succeeds without a call to Janrain
