//! The harness's own access to a scenario's Auth0 tenant, over HTTP as any backend has it: a
//! Management API application seeded into every scenario's tenant for the harness alone (it may
//! create and read roles and read users), its client-credentials token, and the calls the
//! steps make with it (creating a scenario's role, reading a user or a user's roles back).
//!
//! The harness's requests carry their own `User-Agent`, so a failure's report of what the
//! provider saw (`AuthWorld::explain`) lists the client's requests only.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::world::AuthWorld;

/// The name of the harness's application in every scenario's tenant.
pub const APPLICATION: &str = "Conformance harness (M2M)";

/// The `User-Agent` of the harness's Management API requests.
pub const AGENT: &str = "authmock-harness";

/// The harness's application as a fixture's `clients` entry: client credentials on the
/// Management API with what its steps need, nothing the scenarios' applications lack otherwise.
pub fn application() -> Value {
    json!({
        "name": APPLICATION,
        "client_id": "conformanceHarnessM2MApplication",
        "client_secret": "harness-secret-0b5e1c2d9f7a4e3b8c6d1f0a2e9b7c4d5f3a1e8b6c0d2f9a7e4b1c3d5f8a0e2b6c",
        "app_type": "non_interactive",
        "grant_types": ["client_credentials"],
        "grants": [{"api": "management", "scopes": ["create:roles", "read:roles", "read:users"]}],
    })
}

/// Whether the journal entry `exchange` is a request the harness made with its application.
pub fn by_harness(exchange: &Value) -> bool {
    exchange["request"]["headers"]["user-agent"] == AGENT
}

/// A Management API answer: status and JSON body (`null` when it has none).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl AuthWorld {
    /// A Management API token of the harness's application, fetched once per scenario.
    async fn harness_token(&mut self) -> Result<String, String> {
        if let Some(token) = &self.harness_token {
            return Ok(token.clone());
        }
        let app = self
            .summary
            .clients
            .iter()
            .find(|c| c.name == APPLICATION)
            .ok_or_else(|| format!("the tenant has no application named {APPLICATION:?}"))?;
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "audience": self.summary.audience,
        });
        let url = format!("{}/oauth/token", self.idp.uri());
        let answer = self.send(self.control.post(&url).json(&body)).await?;
        let token = answer.body["access_token"]
            .as_str()
            .filter(|_| answer.status == 200)
            .ok_or_else(|| format!("{url} refused the harness a token: {} {}", answer.status, answer.body))?
            .to_owned();
        self.harness_token = Some(token.clone());
        Ok(token)
    }

    /// `GET <tenant>/api/v2/<path>` with the harness's token.
    pub async fn management_get(&mut self, path: &str) -> Result<Answer, String> {
        let token = self.harness_token().await?;
        let url = format!("{}/api/v2/{path}", self.idp.uri());
        self.send(self.control.get(&url).bearer_auth(token)).await
    }

    /// `POST <tenant>/api/v2/<path>` with `body` as JSON and the harness's token.
    pub async fn management_post(&mut self, path: &str, body: Value) -> Result<Answer, String> {
        let token = self.harness_token().await?;
        let url = format!("{}/api/v2/{path}", self.idp.uri());
        self.send(self.control.post(&url).bearer_auth(token).json(&body)).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, String> {
        let response = request
            .header(reqwest::header::USER_AGENT, AGENT)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// The user `user_id` as `GET /api/v2/users/{id}` answers it; `None` on its 404.
    pub async fn management_user(&mut self, user_id: &str) -> Result<Option<Value>, String> {
        let answer = self.management_get(&format!("users/{}", encoded(user_id))).await?;
        match answer.status {
            200 => Ok(Some(answer.body)),
            404 => Ok(None),
            status => Err(format!(
                "GET /api/v2/users/{user_id} answered the harness {status}: {}",
                answer.body
            )),
        }
    }
}

/// `id` percent-encoded for a path segment (`auth0|…` ids hold a `|`).
pub fn encoded(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}
