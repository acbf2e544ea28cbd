# Every shape the --messages report describes: a background, an outline with tagged examples, a
# rule, a data table, a doc string, a comment, and a step no definition matches.
@auth0
Feature: The shapes of a Cucumber Messages report
  Background:
    Given a fresh Auth0 tenant

  @must
  Scenario Outline: The provider's clock moves <days> days
    When <days> days pass on the provider's clock

    @first
    Examples:
      | days |
      | 1    |
      | 2    |

  Rule: A step with no definition fails its scenario
    Scenario: An undefined step with a table and a doc string
      Given no step definition matches this table:
        | name | value |
        | a    | b     |
      And no step definition matches this doc string:
        """json
        {"a": 1}
        """
      When a day passes on the provider's clock
