//! The reference client as a backend that manages users through the Management API: it creates
//! users in the database connection (by name, as `POST /api/v2/users` takes it), searches them
//! with `search_engine=v3` and `include_totals=true`, deletes them, queues verification emails,
//! assigns roles, lifts brute-force blocks and imports users files through jobs, with the cached
//! token and the same retry rules as every other Management API call. User ids are
//! percent-encoded in paths.

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Failure, ReferenceClient};
use crate::harness::protocol::Auth0Provider;

/// How often, and how many times, `auth0.import_users` reads a pending job back (ten seconds in
/// all).
const IMPORT_POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
const IMPORT_POLLS: usize = 100;

impl ReferenceClient {
    /// `auth0.create_user`: `POST /api/v2/users` in the provider's database connection.
    pub(crate) async fn create_user(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let mut body = Map::new();
        body.insert("connection".into(), json!(p.connection));
        for key in ["email", "password", "user_metadata", "app_metadata"] {
            if let Some(value) = args.get(key) {
                body.insert(key.into(), value.clone());
            }
        }
        let url = format!("{}/api/v2/users", p.base_url);
        self.management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await
    }

    /// `auth0.import_users`: the users as a JSON file part of `POST /api/v2/jobs/users-imports`
    /// (multipart), the job polled while it is pending, then its `/errors` (a 204 is none).
    pub(crate) async fn import_users(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let boundary = format!("authmock-{:016x}", rand::random::<u64>());
        let mut body = Vec::new();
        let parts = [
            ("users", Some("users.json"), args["users"].to_string()),
            (
                "connection_id",
                None,
                args["connection_id"].as_str().unwrap_or_default().to_owned(),
            ),
            ("upsert", None, (args["upsert"] == true).to_string()),
        ];
        for (name, file, value) in parts {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file) = file {
                body.extend_from_slice(format!("; filename=\"{file}\"\r\nContent-Type: application/json").as_bytes());
            }
            body.extend_from_slice(format!("\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let url = format!("{}/api/v2/jobs/users-imports", p.base_url);
        let mut job = self
            .management(p, token.clone(), |http, token| {
                http.post(&url)
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, &content_type)
                    .body(body.clone())
            })
            .await?;
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        let job_url = format!(
            "{}/api/v2/jobs/{}",
            p.base_url,
            utf8_percent_encode(&id, NON_ALPHANUMERIC)
        );
        for _ in 0..IMPORT_POLLS {
            if job["status"] != "pending" {
                break;
            }
            tokio::time::sleep(IMPORT_POLL_EVERY).await;
            job = self
                .management(p, token.clone(), |http, token| http.get(&job_url).bearer_auth(token))
                .await?;
        }
        let errors_url = format!("{job_url}/errors");
        let errors = self
            .management(p, token, |http, token| http.get(&errors_url).bearer_auth(token))
            .await?;
        Ok(json!({
            "id": job["id"],
            "status": job["status"],
            "summary": job["summary"],
            "errors": if errors.is_array() { errors } else { json!([]) },
        }))
    }

    /// `auth0.search_users`: `GET /api/v2/users?q=…&search_engine=v3&include_totals=true`.
    pub(crate) async fn search_users(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let mut query = vec![
            ("q".to_owned(), args["q"].as_str().unwrap_or_default().to_owned()),
            ("search_engine".to_owned(), "v3".to_owned()),
            ("include_totals".to_owned(), "true".to_owned()),
        ];
        for key in ["page", "per_page"] {
            if let Some(n) = args.get(key).and_then(Value::as_u64) {
                query.push((key.to_owned(), n.to_string()));
            }
        }
        let url = format!("{}/api/v2/users", p.base_url);
        let page = self
            .management(p, token, |http, token| http.get(&url).bearer_auth(token).query(&query))
            .await?;
        Ok(json!({ "users": page["users"], "total": page["total"] }))
    }

    /// `auth0.delete_user`: `DELETE /api/v2/users/{id}` (204, no body).
    pub(crate) async fn delete_user(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let url = user_url(p, "users", args);
        self.management(p, token, |http, token| http.delete(&url).bearer_auth(token))
            .await
            .map(|_| json!({}))
    }

    /// `auth0.send_verification_email`: `POST /api/v2/jobs/verification-email`; the job.
    pub(crate) async fn send_verification_email(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let body = json!({ "user_id": args["user_id"] });
        let url = format!("{}/api/v2/jobs/verification-email", p.base_url);
        self.management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await
    }

    /// `auth0.assign_roles`: `POST /api/v2/users/{id}/roles` with the role ids (204).
    pub(crate) async fn assign_roles(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let url = format!("{}/roles", user_url(p, "users", args));
        let body = json!({ "roles": args["roles"] });
        self.management(p, token, |http, token| {
            http.request(Method::POST, &url).bearer_auth(token).json(&body)
        })
        .await
        .map(|_| json!({}))
    }

    /// `auth0.unblock_user`: `DELETE /api/v2/user-blocks/{id}` (204).
    pub(crate) async fn unblock_user(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let url = user_url(p, "user-blocks", args);
        self.management(p, token, |http, token| http.delete(&url).bearer_auth(token))
            .await
            .map(|_| json!({}))
    }
}

/// `<base>/api/v2/<collection>/<percent-encoded user_id>`.
fn user_url(p: &Auth0Provider, collection: &str, args: &Value) -> String {
    let user_id = args["user_id"].as_str().unwrap_or_default();
    format!(
        "{}/api/v2/{collection}/{}",
        p.base_url,
        utf8_percent_encode(user_id, NON_ALPHANUMERIC)
    )
}
