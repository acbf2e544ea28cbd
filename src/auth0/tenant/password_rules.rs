//! A new password against a database connection's whole policy: strength, then the dictionary,
//! personal data and history rules (facts `auth0-users.md` §1.3). Shared by `POST /users` and
//! `PATCH /users/{id}`.
//!
//! The order the provider checks the rules in is not documented (inf: strength first, as the
//! only rule with rule details; history last, as it needs the stored user).

use crate::auth0::tenant::model::PasswordRules;
use crate::auth0::wire::mgmt_error::{MgmtError, PasswordRule};
use crate::core::password::{PasswordHash, PasswordPolicy};

/// A short stand-in for the provider's 10,000-word dictionary (doc: DOC-bfp's sibling page on
/// password options; the list itself is inf: widely published most-common passwords that a
/// "fair" policy would otherwise accept, plus the classics).
const DICTIONARY: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword1",
    "123456",
    "12345678",
    "123456789",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "letmein",
    "letmein1",
    "welcome",
    "welcome1",
    "welcome123",
    "iloveyou",
    "admin123",
    "abc12345",
    "trustno1",
    "sunshine1",
    "football1",
    "monkey123",
    "changeme",
    "changeme1",
];

/// Who the password is for, as far as the personal-data rule looks.
pub struct Owner<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub username: Option<&'a str>,
    pub nickname: Option<&'a str>,
}

/// Checks `password` for a user of a connection with `policy` and `rules`; `history` holds the
/// current password first, then earlier ones.
pub fn check(
    policy: &PasswordPolicy,
    rules: &PasswordRules,
    password: &str,
    owner: &Owner<'_>,
    history: &[&PasswordHash],
) -> Result<(), MgmtError> {
    policy.check(password).map_err(|weakness| MgmtError::PasswordTooWeak {
        rules: weakness.to_string(),
    })?;
    let lower = password.to_lowercase();
    if rules.dictionary && DICTIONARY.contains(&lower.as_str()) {
        return Err(MgmtError::PasswordRule {
            rule: PasswordRule::Dictionary,
        });
    }
    if rules.no_personal_info && contains_personal_info(&lower, owner) {
        return Err(MgmtError::PasswordRule {
            rule: PasswordRule::NoUserInfo,
        });
    }
    if rules.history_size > 0
        && history
            .iter()
            .take(rules.history_size + 1)
            .any(|old| old.matches(password))
    {
        return Err(MgmtError::PasswordRule {
            rule: PasswordRule::History,
        });
    }
    Ok(())
}

/// The personal-data rule: the email's local part, the name, the username or the nickname
/// (each of 3 characters or more) inside the password, ignoring case (inf: the documented rule
/// names these fields; the minimum length keeps "Al" from refusing every password).
fn contains_personal_info(lower_password: &str, owner: &Owner<'_>) -> bool {
    let local = owner.email.split('@').next();
    [local, owner.name, owner.username, owner.nickname]
        .into_iter()
        .flatten()
        .flat_map(|value| std::iter::once(value).chain(value.split_whitespace()))
        .map(str::to_lowercase)
        .any(|part| part.chars().count() >= 3 && lower_password.contains(&part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::password::Strength;
    use rand::SeedableRng as _;

    const OWNER: Owner<'static> = Owner {
        email: "chuck@example.com",
        name: Some("Chuck Norris"),
        username: None,
        nickname: Some("chuck"),
    };

    fn all_rules() -> PasswordRules {
        PasswordRules {
            history_size: 2,
            dictionary: true,
            no_personal_info: true,
        }
    }

    fn low() -> PasswordPolicy {
        PasswordPolicy {
            strength: Strength::Low,
            min_length: None,
        }
    }

    fn rule_of(result: Result<(), MgmtError>) -> Option<PasswordRule> {
        match result {
            Err(MgmtError::PasswordRule { rule }) => Some(rule),
            Err(other) => panic!("unexpected {other:?}"),
            Ok(()) => None,
        }
    }

    #[test]
    fn each_rule_refuses_its_passwords() {
        let rules = all_rules();
        assert_eq!(
            rule_of(check(&low(), &rules, "Password123", &OWNER, &[])),
            Some(PasswordRule::Dictionary)
        );
        assert_eq!(
            rule_of(check(&low(), &rules, "xxNorris99", &OWNER, &[])),
            Some(PasswordRule::NoUserInfo)
        );
        assert_eq!(
            rule_of(check(&low(), &rules, "my-CHUCK-pw", &OWNER, &[])),
            Some(PasswordRule::NoUserInfo)
        );
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let old = PasswordHash::new(&mut rng, "Orchid-Lantern-7");
        assert_eq!(
            rule_of(check(&low(), &rules, "Orchid-Lantern-7", &OWNER, &[&old])),
            Some(PasswordRule::History)
        );
        assert_eq!(
            rule_of(check(&low(), &rules, "Orchid-Lantern-8", &OWNER, &[&old])),
            None
        );
    }

    #[test]
    fn rules_that_are_off_let_passwords_through_and_strength_comes_first() {
        let off = PasswordRules::default();
        assert!(check(&low(), &off, "password123", &OWNER, &[]).is_ok());
        let fair = PasswordPolicy {
            strength: Strength::Fair,
            min_length: None,
        };
        assert!(matches!(
            check(&fair, &all_rules(), "password", &OWNER, &[]),
            Err(MgmtError::PasswordTooWeak { .. })
        ));
    }

    #[test]
    fn history_looks_back_only_as_far_as_configured() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let hashes: Vec<PasswordHash> = ["Aa-one-111", "Aa-two-222", "Aa-three-333", "Aa-four-444"]
            .iter()
            .map(|p| PasswordHash::new(&mut rng, p))
            .collect();
        let history: Vec<&PasswordHash> = hashes.iter().collect();
        let rules = PasswordRules {
            history_size: 1,
            ..PasswordRules::default()
        };
        assert!(check(&low(), &rules, "Aa-two-222", &OWNER, &history).is_err());
        assert!(check(&low(), &rules, "Aa-three-333", &OWNER, &history).is_ok());
    }
}
