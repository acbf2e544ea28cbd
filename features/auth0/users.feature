@auth0
Feature: Managing users through the Management API
  A backend that signs users up, finds them, removes them, resends verification mails, gives
  them roles and lifts lockouts does it through the Management API with an M2M application.

  Background:
    Given a fresh Auth0 tenant
    And the client uses the "User admin (M2M)" application

  @must
  Scenario: A user created in the database connection can log in
    When the client creates the user "dave@example.com" with password "Dormouse-Tea-2026"
    Then the client receives the user the provider created
    When the client logs in as "dave@example.com" with password "Dormouse-Tea-2026"
    Then the login succeeds

  # A users file goes in through a job (POST /api/v2/jobs/users-imports, multipart), which runs
  # shortly after; without upsert a user already in the connection is left as it is and named in
  # the job's errors (GET /api/v2/jobs/{id}/errors).
  @must
  Scenario: A users file imported through a job: the users log in with their imported passwords, a duplicate is reported in the job's errors
    When the client imports a users file holding "dave@example.com" and "alice@example.com" with the password "Dormouse-Tea-2026"
    Then the import job finishes with 1 user inserted and 1 failed
    And the job's errors report "alice@example.com" as "DUPLICATED_USER"
    When the client logs in as "dave@example.com" with password "Dormouse-Tea-2026"
    Then the login succeeds

  @must
  Scenario: Creating a user who already exists
    When the client creates the user "alice@example.com" with password "Another-Wonder-2026"
    Then the client reports the provider error 409 "The user already exists."

  # The default connection's policy is "fair": 8 characters with lower case, upper case and digits.
  @must
  Scenario: A password the connection's policy refuses
    When the client creates the user "dave@example.com" with password "tea"
    Then the client reports the provider error 400 "PasswordStrengthError: Password is too weak"

  @must
  Scenario: Creating users needs the create:users scope
    Given the client uses the "Read-only reporting (M2M)" application
    When the client creates the user "dave@example.com" with password "Dormouse-Tea-2026"
    Then the client reports the provider error 403 "Insufficient scope, expected any of: create:users"

  @must
  Scenario: Searching users by email
    When the client searches the users with "email:alice@example.com"
    Then the search finds 1 user

  @should
  Scenario: Searching users by a trailing wildcard and by app_metadata
    When the client creates the user "dave@example.com" with password "Dormouse-Tea-2026" and the plan "gold"
    And the client searches the users with "app_metadata.plan:gold"
    Then the search finds 1 user
    When the client searches the users with "email:*@example.com"
    Then the search finds 4 users

  # Search pages only through the first 1000 results: (page + 1) * per_page <= 1000.
  @must
  Scenario: Paging beyond the search result window
    When the client searches the users with "email:*@example.com", page 20 of 50 users
    Then the client reports the provider error 400 "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation"

  @must
  Scenario: A deleted user is gone
    When the client deletes the user "bob@example.com"
    Then the client reports success
    When the client looks up the users with email "bob@example.com"
    Then the client finds 0 users

  @should
  Scenario: Deleting users needs the delete:users scope
    Given the client uses the "Backend service (M2M)" application
    When the client deletes the user "bob@example.com"
    Then the client reports the provider error 403 "Insufficient scope, expected any of: delete:users"

  @must
  Scenario: A verification email lets the user verify their address
    When the client sends "bob@example.com" a verification email
    Then "bob@example.com" verifies the email with the link the provider mailed

  @must
  Scenario: A role is given to a user
    Given the tenant has a role "support"
    When the client gives "alice@example.com" the role "support"
    Then "alice@example.com" has the role "support"
    And the client reports success

  # Brute-force protection locks the identifier out after the tenant's threshold of failed logins
  # (10 by default); DELETE /api/v2/user-blocks/{id} lifts it.
  @must
  Scenario: A user locked out by brute-force protection is unblocked
    Given "bob@example.com" is locked out by brute-force protection
    When the client unblocks "bob@example.com"
    Then the client reports success
    When the client logs in as "bob@example.com" with password "Builder-2026"
    Then the login succeeds

  @should
  Scenario: A lockout stays until it is lifted
    Given "bob@example.com" is locked out by brute-force protection
    When the client logs in as "bob@example.com" with password "Builder-2026"
    Then the client reports the provider error 429 "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it."
