//! What the configuration endpoints (`clients.rs`, `resource_servers.rs`, `client_grants.rs`)
//! share: a body or query taken as the JSON object it is once its schema passed, `fields`
//! selection, and the list envelopes.

use std::marker::PhantomData;

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth0::management::extract::BodySchema;
use crate::auth0::management::payload::Schema;
use crate::auth0::wire::respond::json_response;

/// A schema shipped in `schemas/`.
pub(super) trait SchemaFile: Send + 'static {
    fn schema() -> &'static Schema;
}

/// A body or query string, validated against `S`, as the JSON object it is.
pub(super) struct Doc<S>(pub Map<String, Value>, pub PhantomData<S>);

impl<'de, S> Deserialize<'de> for Doc<S> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(|map| Doc(map, PhantomData))
    }
}

impl<S: SchemaFile> BodySchema for Doc<S> {
    fn schema() -> &'static Schema {
        S::schema()
    }
}

/// Declares unit types naming the shipped schemas.
macro_rules! schema_files {
    ($($name:ident => $file:literal),+ $(,)?) => {
        $(
            pub(super) struct $name;
            impl $crate::auth0::management::config::SchemaFile for $name {
                fn schema() -> &'static $crate::auth0::management::payload::Schema {
                    static SCHEMA: std::sync::LazyLock<$crate::auth0::management::payload::Schema> =
                        std::sync::LazyLock::new(|| {
                            $crate::auth0::management::payload::Schema::compile(include_str!(concat!("schemas/", $file)))
                        });
                    &SCHEMA
                }
            }
        )+
    };
}
pub(super) use schema_files;

const JSON: &str = "application/json; charset=utf-8";

pub(super) fn ok(status: StatusCode, body: &impl serde::Serialize) -> Response {
    json_response(status, body, JSON)
}

pub(super) fn path_id(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|Path(id)| id).unwrap_or_default()
}

pub(super) fn text<'a>(query: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    query.get(key).and_then(Value::as_str)
}

pub(super) fn flag(query: &Map<String, Value>, key: &str) -> Option<bool> {
    query.get(key).and_then(Value::as_bool)
}

/// The `fields`/`include_fields` selection of one object: the listed fields only (or all but
/// them with `include_fields=false`), in the object's order; the whole object when no fields are asked.
pub(super) fn select(object: Map<String, Value>, query: &Map<String, Value>) -> Map<String, Value> {
    let Some(fields) = text(query, "fields").filter(|f| !f.trim().is_empty()) else {
        return object;
    };
    let listed: Vec<&str> = fields.split(',').map(str::trim).collect();
    let include = flag(query, "include_fields").unwrap_or(true);
    object
        .into_iter()
        .filter(|(key, _)| listed.contains(&key.as_str()) == include)
        .collect()
}

/// How a list with totals is wrapped.
#[derive(Clone, Copy)]
pub(super) enum Totals {
    /// `{"total","start","limit","<key>"}` (obs: every list of go-auth0's recordings).
    Classic,
    /// `{"start","limit","length","total","next","<key>"}`: the applications list asked with
    /// `page` (obs: terraform-provider-auth0 TestAccDataClients, 2026; `length` 0 and `next` ""
    /// as recorded).
    WithNext,
}

/// A page of `items`: the bare array, or the envelope `include_totals=true` asks for.
pub(super) fn page(key: &str, items: Vec<Value>, query: &Map<String, Value>, totals: Totals) -> Value {
    let per_page = query.get("per_page").and_then(Value::as_u64).unwrap_or(50).min(100);
    let start = query
        .get("page")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .saturating_mul(per_page);
    let total = items.len();
    let slice: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .collect();
    if flag(query, "include_totals") != Some(true) {
        return Value::Array(slice);
    }
    match totals {
        Totals::WithNext if query.contains_key("page") => json!({
            "start": start, "limit": per_page, "length": 0, "total": total, "next": "", key: slice
        }),
        _ => json!({ "total": total, "start": start, "limit": per_page, key: slice }),
    }
}
