//! Reading fixture JSON for any provider: errors name where the fixture came from and the JSON
//! path of the bad field, e.g. `fixture.json: clients[2].grant_types: invalid type: string "x",
//! expected a sequence`.

use serde::de::DeserializeOwned;

/// Why fixture JSON did not parse into a provider's fixture type.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct FixtureError {
    /// The file name, or `seed` for an inline fixture.
    pub origin: String,
    /// The JSON path of the field that failed (`clients[2].grant_types`), empty at the root.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
}

/// Parses `text` as `T`; `origin` names the fixture in errors.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, FixtureError> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(deserializer).map_err(|e| error(origin, e))?;
    Ok(value)
}

/// Converts an inline fixture (already JSON) into `T`; errors say `seed: <path>: …`.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value, origin: &str) -> Result<T, FixtureError> {
    serde_path_to_error::deserialize(value).map_err(|e| error(origin, e))
}

fn error(origin: &str, e: serde_path_to_error::Error<serde_json::Error>) -> FixtureError {
    let path = e.path().to_string();
    FixtureError {
        origin: origin.to_owned(),
        path: if path == "." { String::new() } else { path },
        message: e.into_inner().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Seed {
        clients: Vec<Client>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Client {
        grant_types: Vec<String>,
    }

    #[test]
    fn errors_name_the_origin_and_the_json_path() {
        let text = r#"{"clients":[{"grant_types":[]},{"grant_types":[]},{"grant_types":"password"}]}"#;
        let error = parse::<Seed>(text, "fixture.json").unwrap_err();
        assert_eq!(
            error.to_string(),
            "fixture.json: clients[2].grant_types: invalid type: string \"password\", expected a sequence at line 1 column 75"
        );
    }

    #[test]
    fn root_errors_have_no_path() {
        let error = parse::<Seed>("true", "seed").unwrap_err();
        assert_eq!(error.path, "");
        assert!(error.to_string().starts_with("seed: invalid type: boolean"), "{error}");
    }
}
