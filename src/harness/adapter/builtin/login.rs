//! The reference client as a web application logging users in with the authorization code
//! flow and PKCE (S256): it builds the `/authorize` URL, keeps `state`, `nonce` and the code
//! verifier to itself, and on the callback checks `state` before anything else, surfaces an
//! `error` the provider sent, redeems the code with the verifier and the same `redirect_uri`,
//! and checks the ID token's `iss`, `aud` and `nonce` (and, for a step-up, its `acr` and `amr`)
//! before it accepts the login.

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::{App, Failure, LoginSession, Pending, ReferenceClient};
use crate::harness::protocol::Auth0Provider;

fn random(n: usize) -> String {
    rand::rng().sample_iter(Alphanumeric).take(n).map(char::from).collect()
}

fn text(args: &Value, key: &str) -> Option<String> {
    args[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

impl ReferenceClient {
    /// `auth0.begin_login`: the URL the application redirects the browser to; also
    /// `auth0.begin_organization_login`, whose `organization` and `invitation` it adds.
    pub(crate) fn begin_login(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let app = App {
            client_id: text(args, "client_id").unwrap_or_else(|| p.login_client_id.clone()),
            client_secret: text(args, "client_secret"),
            redirect_uri: text(args, "redirect_uri").unwrap_or_default(),
        };
        let pending = Pending {
            state: random(24),
            nonce: random(24),
            verifier: random(64),
            acr_values: text(args, "acr_values"),
            organization: text(args, "organization"),
        };
        let challenge = URL_SAFE_NO_PAD
            .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, pending.verifier.as_bytes()).as_ref());
        let mut query = vec![
            ("response_type", "code".to_owned()),
            ("client_id", app.client_id.clone()),
            ("redirect_uri", app.redirect_uri.clone()),
            (
                "scope",
                text(args, "scope").unwrap_or_else(|| "openid profile email".into()),
            ),
            ("state", pending.state.clone()),
            ("nonce", pending.nonce.clone()),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256".to_owned()),
        ];
        for optional in ["audience", "prompt", "acr_values", "organization", "invitation"] {
            if let Some(value) = text(args, optional) {
                query.push((optional, value));
            }
        }
        let query = serde_urlencoded::to_string(&query).map_err(|e| Failure::Transport(e.to_string()))?;
        self.login.pending = Some(pending);
        self.login.app = Some(app);
        Ok(json!({ "url": format!("{}/authorize?{query}", p.base_url) }))
    }

    /// `auth0.begin_step_up`: the same URL with `acr_values`, for the signed-in user's browser.
    pub(crate) fn begin_step_up(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        self.begin_login(p, args)
    }

    /// `auth0.complete_login`: checks the callback, redeems the code, checks the ID token.
    pub(crate) async fn complete_login(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let callback = text(args, "callback_url").unwrap_or_default();
        let params: Vec<(String, String)> = callback
            .split_once(['?', '#'])
            .and_then(|(_, q)| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let rejected = |reason: &str| Ok(json!({ "accepted": false, "reason": reason }));
        let (Some(pending), Some(app)) = (self.login.pending.as_ref(), self.login.app.clone()) else {
            return rejected("no login in progress");
        };
        // The state is checked first: a callback this browser did not start is never trusted.
        if get("state").as_deref() != Some(pending.state.as_str()) {
            return rejected("state_mismatch");
        }
        if let Some(error) = get("error") {
            return rejected(&error);
        }
        let Some(code) = get("code") else {
            return rejected("no code in the callback");
        };
        let nonce = pending.nonce.clone();
        let organization = pending.organization.clone();
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", app.client_id.clone()),
            ("code", code),
            ("redirect_uri", app.redirect_uri.clone()),
            ("code_verifier", pending.verifier.clone()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        let url = format!("{}/oauth/token", p.base_url);
        let tokens = self.send(|| self.http.post(&url).form(&form)).await?;
        let id_token = tokens["id_token"].as_str().unwrap_or_default();
        let claims = jwt_payload(id_token);
        let issuer = format!("{}/", p.base_url);
        if claims["iss"] != issuer.as_str() || claims["aud"] != app.client_id.as_str() {
            return rejected("id_token_issuer_or_audience");
        }
        if claims["nonce"] != nonce.as_str() {
            return rejected("nonce_mismatch");
        }
        // A step-up is accepted only when the ID token says the second factor happened.
        if let Some(acr) = &pending.acr_values
            && (claims["acr"] != acr.as_str()
                || !claims["amr"].as_array().is_some_and(|a| a.iter().any(|m| m == "mfa")))
        {
            return rejected("second_factor_not_performed");
        }
        // A login through an organization is that organization's only if the ID token names it
        // (the check Auth0's SDKs make): `org_id` for an id, else `org_name`, lower case.
        if let Some(organization) = &organization {
            let named = if organization.starts_with("org_") {
                claims["org_id"] == organization.as_str()
            } else {
                claims["org_name"] == organization.to_lowercase().as_str()
            };
            if !named {
                return rejected("organization_mismatch");
            }
        }
        self.login.pending = None;
        self.login.access_token = tokens["access_token"].as_str().map(str::to_owned);
        self.login.refresh_token = tokens["refresh_token"].as_str().map(str::to_owned);
        let mut accepted = json!({
            "accepted": true,
            "sub": claims["sub"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
        });
        for claim in ["acr", "amr", "org_id"] {
            if !claims[claim].is_null() {
                accepted[claim] = claims[claim].clone();
            }
        }
        Ok(accepted)
    }

    /// `auth0.refresh_tokens`: exchanges the refresh token, keeping the rotated one.
    pub(crate) async fn refresh_tokens(&mut self, p: &Auth0Provider) -> Result<Value, Failure> {
        let (Some(app), Some(token)) = (self.login.app.clone(), self.login.refresh_token.clone()) else {
            return Err(Failure::Transport(
                "no refresh token: log a user in with offline_access first".into(),
            ));
        };
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", app.client_id.clone()),
            ("refresh_token", token),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        let url = format!("{}/oauth/token", p.base_url);
        let tokens = self.send(|| self.http.post(&url).form(&form)).await?;
        if let Some(rotated) = tokens["refresh_token"].as_str() {
            self.login.refresh_token = Some(rotated.to_owned());
        }
        self.login.access_token = tokens["access_token"].as_str().map(str::to_owned);
        Ok(json!({ "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"] }))
    }

    /// `auth0.get_userinfo`: the profile behind the current access token.
    pub(crate) async fn get_userinfo(&mut self, p: &Auth0Provider) -> Result<Value, Failure> {
        let token = self.login.access_token.clone().unwrap_or_default();
        let url = format!("{}/userinfo", p.base_url);
        self.send(|| self.http.get(&url).bearer_auth(&token)).await
    }

    /// `auth0.logout`: forgets the tokens and answers the provider's logout URL.
    pub(crate) fn logout(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let client_id = self
            .login
            .app
            .as_ref()
            .map(|a| a.client_id.clone())
            .unwrap_or_else(|| p.login_client_id.clone());
        let return_to = text(args, "return_to").unwrap_or_default();
        self.login = LoginSession::default();
        let query = serde_urlencoded::to_string([("client_id", client_id), ("returnTo", return_to)])
            .map_err(|e| Failure::Transport(e.to_string()))?;
        Ok(json!({ "url": format!("{}/v2/logout?{query}", p.base_url) }))
    }
}

/// A JWT's payload, unverified (the reference client took it straight from the token endpoint
/// over the connection it opened, which OpenID Connect Core §3.1.3.7 allows).
fn jwt_payload(token: &str) -> Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}
