//! Lazy migration without a script: a database connection whose `options.authmock_janrain_login`
//! names a Janrain (Capture) app checks a login it has no user for at that app's
//! `/oauth/auth_native_traditional`, as the community login script does (facts `migration.md`
//! §4.1 option A), and keeps the user it answers with (§4.2's mapping). No Node.js is involved,
//! so it needs no operator opt-in.
//!
//! inf: the setting is authmock's own, not Auth0's (facts §3.3: "a declarative connection option
//! such as 'delegate login to Janrain app X' … The declarative mode is the deterministic one").
//! Like the scripts' `request`, it reaches loopback only.

use std::time::Duration;

use serde_json::{Map, Value, json};

/// The connection option (authmock's own).
pub const OPTION: &str = "authmock_janrain_login";
/// How long the Capture app has to answer (doc: a script's execution limit is about 20 s).
const TIMEOUT: Duration = Duration::from_secs(20);

/// Where and how the sign-in goes. Defaults are the form of a real caller (facts §4.1 A:
/// `flow=standard&locale=en-US&form=signInForm&redirect_uri=http://localhost`,
/// `signInEmailAddress`, `currentPassword`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegate {
    url: String,
    fields: Vec<(String, String)>,
    email_field: String,
    password_field: String,
}

impl Delegate {
    /// The setting of a connection's options, when it has one with `url`, `client_id` and
    /// `flow_version`; `Err` names what is wrong with one that is there.
    pub fn from_options(options: &Map<String, Value>) -> Option<Result<Delegate, String>> {
        let setting = options.get(OPTION)?;
        let Some(setting) = setting.as_object() else {
            return Some(Err(format!("options.{OPTION} must be an object")));
        };
        let text = |key: &str, default: Option<&str>| -> Result<String, String> {
            match setting.get(key) {
                Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
                Some(Value::Number(value)) => Ok(value.to_string()),
                None => default
                    .map(str::to_owned)
                    .ok_or(format!("options.{OPTION}.{key} is required")),
                Some(_) => Err(format!("options.{OPTION}.{key} must be a non-empty string")),
            }
        };
        Some((|| {
            let url = text("url", None)?.trim_end_matches('/').to_owned();
            if !is_loopback(&url) {
                return Err(format!(
                    "options.{OPTION}.url must be an http(s) URL on loopback (127.0.0.1, ::1, localhost), not {url}"
                ));
            }
            let mut fields = Vec::new();
            for (key, default) in [
                ("client_id", None),
                ("flow", Some("standard")),
                ("flow_version", None),
                ("locale", Some("en-US")),
                ("form", Some("signInForm")),
                ("redirect_uri", Some("http://localhost")),
            ] {
                fields.push((key.to_owned(), text(key, default)?));
            }
            Ok(Delegate {
                url,
                fields,
                email_field: text("email_field", Some("signInEmailAddress"))?,
                password_field: text("password_field", Some("currentPassword"))?,
            })
        })())
    }

    /// Signs `email` in at the Capture app: its profile mapped as a login script's would be, no
    /// user (with Capture's message) for a `"stat":"error"` answer (wrong password, no such
    /// account, no password), or why the app could not be asked.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Result<Map<String, Value>, String>, String> {
        let failed = |why: String| format!("the Janrain app of {OPTION}: {why}");
        let mut form = self.fields.clone();
        form.push((self.email_field.clone(), email.to_owned()));
        form.push((self.password_field.clone(), password.to_owned()));
        // The HTTP client asks rustls for the process's default crypto provider.
        crate::core::crypto::install();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let answer = client
            .post(format!("{}/oauth/auth_native_traditional", self.url))
            .form(&form)
            .send()
            .await
            .map_err(|e| failed(format!("no answer ({e})")))?;
        let status = answer.status().as_u16();
        let body: Value = answer
            .json()
            .await
            .map_err(|_| failed(format!("answered {status} without JSON")))?;
        // Success only on "stat":"ok" (Capture answers a wrong password with 200 too, facts §4.1).
        if body["stat"] != "ok" {
            return Ok(Err(body["error_description"]
                .as_str()
                .unwrap_or("sign-in refused")
                .to_owned()));
        }
        let user = &body["capture_user"];
        let Some(uuid) = user["uuid"].as_str() else {
            return Err(failed("capture_user has no uuid".into()));
        };
        Ok(Ok(profile(uuid, user)))
    }
}

/// facts §4.2: `uuid` → `user_id`, `email` (lower-cased), `emailVerified != null` →
/// `email_verified`, `givenName` / `familyName` → `given_name` / `family_name`, `displayName` →
/// `name`, and the record's `id` kept as `app_metadata.janrain_id` (inf: the key is authmock's,
/// the one `adapters/migration-example` uses).
fn profile(uuid: &str, user: &Value) -> Map<String, Value> {
    let mut profile = Map::new();
    profile.insert("user_id".into(), json!(uuid));
    if let Some(email) = user["email"].as_str() {
        profile.insert("email".into(), json!(email.trim().to_lowercase()));
    }
    profile.insert("email_verified".into(), json!(!user["emailVerified"].is_null()));
    for (janrain, auth0) in [
        ("givenName", "given_name"),
        ("familyName", "family_name"),
        ("displayName", "name"),
    ] {
        if let Some(value) = user[janrain].as_str().filter(|v| !v.is_empty()) {
            profile.insert(auth0.into(), json!(value));
        }
    }
    if !user["id"].is_null() {
        profile.insert("app_metadata".into(), json!({ "janrain_id": user["id"] }));
    }
    profile
}

/// An http(s) URL whose host is loopback.
fn is_loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_delegates() {
        for url in ["http://127.0.0.1:8080", "https://localhost", "http://[::1]:9/x"] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://example.com",
            "ftp://127.0.0.1",
            "http://127.0.0.1@example.com",
            "http://10.0.0.1",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn the_setting_needs_its_app_and_defaults_the_form_of_real_callers() {
        let options = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(Delegate::from_options(&options(json!({}))).is_none());
        let missing = Delegate::from_options(&options(json!({OPTION: {"url": "http://127.0.0.1:1"}})));
        assert_eq!(missing, Some(Err(format!("options.{OPTION}.client_id is required"))));
        let delegate = Delegate::from_options(&options(json!({OPTION: {
            "url": "http://127.0.0.1:1/", "client_id": "c", "flow_version": 20240101
        }})))
        .and_then(Result::ok)
        .expect("a delegate");
        assert_eq!(delegate.url, "http://127.0.0.1:1");
        assert_eq!(delegate.fields[1], ("flow".to_owned(), "standard".to_owned()));
        assert_eq!(delegate.fields[2], ("flow_version".to_owned(), "20240101".to_owned()));
        assert_eq!(delegate.email_field, "signInEmailAddress");
    }
}
