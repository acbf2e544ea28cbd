//! The reference client as a back-office integration using the server-side Entity API: it
//! authenticates as the app's API client with HTTP Basic (never with secrets in the URL), posts
//! form-encoded bodies whose JSON arguments (`attributes`, `filter` is plain text) are JSON text,
//! and treats `"stat":"error"` as the error it is, whatever the HTTP status.

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use serde_json::{Value, json};

use super::{Failure, ReferenceClient, read, text};
use crate::harness::protocol::{JanrainProvider, ProviderError};

impl ReferenceClient {
    /// `janrain.entity_find`: `/entity.find` with the filter, and the attributes and page size
    /// when the run gives them.
    pub(crate) async fn entity_find(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = type_name(args);
        params.push(("filter".into(), text(args, "filter")));
        if let Some(attributes) = args.get("attributes") {
            params.push(("attributes".into(), attributes.to_string()));
        }
        if let Some(max) = args["max_results"].as_u64() {
            params.push(("max_results".into(), max.to_string()));
        }
        self.entity_call(p, "/entity.find", &params)
            .await
            .map(|body| json!({ "results": body["results"] }))
    }

    /// `janrain.entity_create`: `/entity.create` with the attributes as JSON text.
    pub(crate) async fn entity_create(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = type_name(args);
        params.push(("attributes".into(), args["attributes"].to_string()));
        self.entity_call(p, "/entity.create", &params)
            .await
            .map(|body| json!({ "uuid": body["uuid"], "id": body["id"] }))
    }

    /// `janrain.entity_update`: `/entity.update` of one record's attributes.
    pub(crate) async fn entity_update(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = type_name(args);
        params.push(("uuid".into(), text(args, "uuid")));
        params.push(("attributes".into(), args["attributes"].to_string()));
        self.entity_call(p, "/entity.update", &params).await.map(|_| json!({}))
    }

    /// `janrain.entity_delete`: `/entity.delete` of one record.
    pub(crate) async fn entity_delete(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = type_name(args);
        params.push(("uuid".into(), text(args, "uuid")));
        self.entity_call(p, "/entity.delete", &params).await.map(|_| json!({}))
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

/// The entity type every Entity API call names first.
fn type_name(args: &Value) -> Vec<(String, String)> {
    vec![("type_name".to_owned(), text(args, "type_name"))]
}
