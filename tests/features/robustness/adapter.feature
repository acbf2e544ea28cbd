@auth0
Feature: The harness copes with an adapter that misbehaves
  The harness checks its own robustness with these (tests/conformance/main.rs, tests/adapters/misbehaving.py).

  Background:
    Given a fresh Auth0 tenant

  @must
  Scenario: A first token
    When the client fetches a management token
    Then the client reports success

  @must
  Scenario: A second token
    When the client fetches a management token
    Then the client reports success

  @must
  Scenario: A ticket
    When the client creates a password-change ticket for "alice@example.com"
    Then the client receives a password-change ticket link
