//! The reference client as a back-office integration using the server-side Entity API: it
//! authenticates as the app's API client with HTTP Basic (never with secrets in the URL), posts
//! form-encoded bodies whose JSON arguments (`attributes`, `filter` is plain text) are JSON text,
//! and treats `"stat":"error"` as the error it is, whatever the HTTP status.

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use serde_json::{Value, json};

use super::{Failure, ReferenceClient, read};
use crate::harness::protocol::{JanrainProvider, ProviderError};

impl ReferenceClient {
    /// `janrain.entity_*`, or `None` for another operation.
    pub(super) async fn run_entity(
        &self,
        op: &str,
        p: &JanrainProvider,
        args: &Value,
    ) -> Option<Result<Value, Failure>> {
        let text = |key: &str| args[key].as_str().unwrap_or_default().to_owned();
        let mut params = vec![("type_name".to_owned(), text("type_name"))];
        let path = match op {
            "janrain.entity_find" => {
                params.push(("filter".into(), text("filter")));
                if let Some(attributes) = args.get("attributes") {
                    params.push(("attributes".into(), attributes.to_string()));
                }
                if let Some(max) = args["max_results"].as_u64() {
                    params.push(("max_results".into(), max.to_string()));
                }
                "/entity.find"
            }
            "janrain.entity_create" => {
                params.push(("attributes".into(), args["attributes"].to_string()));
                "/entity.create"
            }
            "janrain.entity_update" => {
                params.push(("uuid".into(), text("uuid")));
                params.push(("attributes".into(), args["attributes"].to_string()));
                "/entity.update"
            }
            "janrain.entity_delete" => {
                params.push(("uuid".into(), text("uuid")));
                "/entity.delete"
            }
            _ => return None,
        };
        let answer = self.entity_call(p, path, &params).await;
        Some(answer.map(|body| match op {
            "janrain.entity_find" => json!({ "results": body["results"] }),
            "janrain.entity_create" => json!({ "uuid": body["uuid"], "id": body["id"] }),
            _ => json!({}),
        }))
    }

    async fn entity_call(
        &self,
        p: &JanrainProvider,
        path: &str,
        params: &[(String, String)],
    ) -> Result<Value, Failure> {
        let (Some(id), Some(secret)) = (&p.api_client_id, &p.api_client_secret) else {
            return Err(Failure::Transport(
                "the run names no API client (provider.api_client_id) for the Entity API".into(),
            ));
        };
        let response = self
            .http
            .post(format!("{}{path}", p.base_url))
            .basic_auth(id, Some(secret))
            .form(params)
            .send()
            .await
            .map_err(|e| Failure::Transport(format!("request failed: {e}")))?;
        let status = response.status().as_u16();
        let body = read(response).await?;
        if body["stat"] == "ok" {
            return Ok(body);
        }
        Err(Failure::Provider(ProviderError {
            status,
            body,
            headers: None,
        }))
    }
}
