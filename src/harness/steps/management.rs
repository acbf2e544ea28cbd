//! The steps' Management API calls on a scenario's Auth0 tenant, with the harness's own
//! application (`harness::management`): its client-credentials token, fetched once per scenario,
//! and `GET`/`POST`/`PATCH /api/v2/...` with it, each marked with the harness's `User-Agent`.

use serde_json::{Value, json};

use crate::harness::management::{AGENT, APPLICATION, Answer, encoded};
use crate::harness::world::AuthWorld;

impl AuthWorld {
    /// A Management API token of the harness's application, fetched once per scenario.
    async fn harness_token(&self) -> Result<String, String> {
        let auth0 = self.auth0().await?;
        let token = auth0
            .harness_token
            .get_or_try_init(|| async {
                let app = auth0
                    .summary
                    .clients
                    .iter()
                    .find(|c| c.name == APPLICATION)
                    .ok_or_else(|| format!("the tenant has no application named {APPLICATION:?}"))?;
                let body = json!({
                    "grant_type": "client_credentials",
                    "client_id": app.client_id,
                    "client_secret": app.client_secret,
                    "audience": auth0.summary.audience,
                });
                let url = format!("{}/oauth/token", auth0.idp.uri());
                let answer = self.send(self.control.post(&url).json(&body)).await?;
                answer.body["access_token"]
                    .as_str()
                    .filter(|_| answer.status == 200)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{url} refused the harness a token: {} {}", answer.status, answer.body))
            })
            .await?;
        Ok(token.clone())
    }

    /// `GET <tenant>/api/v2/<path>` with the harness's token.
    pub async fn management_get(&mut self, path: &str) -> Result<Answer, String> {
        let token = self.harness_token().await?;
        let url = format!("{}/api/v2/{path}", self.auth0().await?.idp.uri());
        self.send(self.control.get(&url).bearer_auth(token)).await
    }

    /// `POST <tenant>/api/v2/<path>` with `body` as JSON and the harness's token.
    pub async fn management_post(&mut self, path: &str, body: Value) -> Result<Answer, String> {
        let token = self.harness_token().await?;
        let url = format!("{}/api/v2/{path}", self.auth0().await?.idp.uri());
        self.send(self.control.post(&url).bearer_auth(token).json(&body)).await
    }

    /// `PUT` or `PATCH <tenant>/api/v2/<path>` with `body` as JSON and the harness's token.
    pub async fn management_write(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Answer, String> {
        let token = self.harness_token().await?;
        let url = format!("{}/api/v2/{path}", self.auth0().await?.idp.uri());
        self.send(self.control.request(method, &url).bearer_auth(token).json(&body))
            .await
    }

    /// `PATCH <tenant>/api/v2/<path>` with `body` as JSON and the harness's token.
    pub async fn management_patch(&mut self, path: &str, body: Value) -> Result<Answer, String> {
        self.management_write(reqwest::Method::PATCH, path, body).await
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
