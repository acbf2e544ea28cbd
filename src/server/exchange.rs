//! The one layer every request to a tenant's provider routes passes through: faults, then the
//! provider, then the journal and the log line.
//!
//! It wraps the provider's router only (`listener.rs` merges the control API beside it), so
//! control-API requests (`/__authmock__/…`) are neither faulted nor journaled. The layer buffers
//! the body (up to [`BUFFER_CAP`]; a longer body is passed on unbuffered after its first part,
//! so the provider's own size limit still answers), asks the tenant's fault rules, sleeps a rule's
//! delay with no lock held, takes a token from the path's rate-limit bucket, runs the provider
//! (or not), reads the response, records the exchange and prints one line. The layer is the
//! same for every provider: what differs (rate-limit groups, the refusal, named errors) comes
//! through [`Provider`]. Depends on `core` only; read `core::journal` for what is recorded.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use http_body_util::BodyExt as _;
use time::OffsetDateTime;

use crate::core::faults::{Action, Applied, CannedResponse, Probe};
use crate::core::journal::{Draft, Outcome, ProviderErrorMark, Unrouted};
use crate::core::provider::{HINT_HEADER, Provider};

/// Request bodies up to this size are read whole before the provider sees them (for
/// `body_contains` rules and the journal); twice the providers' 1 MB payload cap.
pub const BUFFER_CAP: usize = 2 * 1024 * 1024;

/// How long a `reset_mid_body` fault waits after the partial body, so it reaches the client
/// before the connection is aborted.
const RESET_PAUSE: Duration = Duration::from_millis(20);

/// The middleware: see the module docs.
pub async fn record<P: Provider>(State(tenant): State<P>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let time = OffsetDateTime::now_utc();
    let tenant_time = tenant.clock().now();
    let (parts, body) = req.into_parts();
    let (bytes, rest) = buffer(body).await;
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_headers = parts.headers.clone();
    let applied = tenant.control().faults().take(&Probe {
        method: &method,
        path: &path,
        headers: &request_headers,
        body: &bytes,
    });
    if let Some(ms) = applied.as_ref().and_then(|a| a.delay_ms) {
        // The fault book's lock was released when `take` returned.
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let inner_body = match rest {
        None => Body::from(bytes.clone()),
        Some(tail) => Body::new(Prefixed {
            head: Some(bytes.clone()),
            tail,
        }),
    };
    let request = Request::from_parts(parts, inner_body);

    let action = applied.as_ref().map_or(&Action::Pass, |a| &a.action);
    let (response, sent) = match action {
        Action::Pass => {
            let response = rate_limited(&tenant, &path, next, request).await;
            let sent = rebuild(&response, Body::from(response.body.clone()));
            (Some(response), sent)
        }
        Action::Respond(canned) => {
            let response = read(canned_response(canned)).await;
            let sent = rebuild(&response, Body::from(response.body.clone()));
            (Some(response), sent)
        }
        Action::Error(name) => {
            let named = tenant
                .named_error(name, &path)
                .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response());
            let response = read(named).await;
            let sent = rebuild(&response, Body::from(response.body.clone()));
            (Some(response), sent)
        }
        Action::Drop => (None, Body::new(Aborting::now()).into_response()),
        Action::ResetMidBody => {
            let response = read(next.run(request).await).await;
            let half = response.body.slice(..response.body.len() / 2);
            let mut sent = rebuild(&response, Body::new(Aborting::after(half)));
            sent.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(response.body.len()));
            (Some(response), sent)
        }
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let provider_hint = response.as_ref().and_then(|r| r.hint.clone());
    let hint = match &applied {
        Some(applied) => Some(fault_hint(applied, response.as_ref(), provider_hint)),
        None => provider_hint,
    };
    let outcome = match (&applied, &response) {
        (Some(_), _) => Outcome::Fault,
        (None, Some(r)) if r.unrouted => Outcome::NotFound,
        (None, Some(r)) if r.status.as_u16() >= 400 || r.error_mark => Outcome::ProviderError,
        _ => Outcome::Ok,
    };
    let mut sent = sent;
    if applied.is_some()
        && let Some(value) = hint.as_deref().and_then(|h| HeaderValue::from_str(h).ok())
    {
        sent.headers_mut().insert(HINT_HEADER, value);
    }
    let status = response.as_ref().map(|r| r.status.as_u16());
    tenant.control().journal().record(Draft {
        time,
        tenant_time,
        latency_ms,
        outcome,
        hint: hint.clone(),
        fault: applied.as_ref().map(|a| a.id),
        method: &method,
        path: &path,
        query: query.as_deref(),
        request_headers: &request_headers,
        request_body: &bytes,
        response: response
            .as_ref()
            .map(|r| (r.status.as_u16(), &r.headers, r.body.as_ref())),
    });
    log_line(&method, &path, status, latency_ms, hint.as_deref());
    sent
}

/// Runs the provider through the path's rate-limit bucket, if it has one: an empty bucket
/// answers the provider's 429 instead, and either way the `x-ratelimit-*` headers report the
/// bucket (facts §6: on success and on 429).
async fn rate_limited<P: Provider>(tenant: &P, path: &str, next: Next, request: Request) -> ReadResponse {
    let Some(group) = P::rate_limit_group(path) else {
        return read(next.run(request).await).await;
    };
    let now = tenant.clock().unix();
    let Some(decision) = tenant.control().rate_limits().take(group, now) else {
        return read(next.run(request).await).await;
    };
    let mut response = if decision.allowed {
        read(next.run(request).await).await
    } else {
        read(tenant.refusal(group, &decision)).await
    };
    tenant.report_bucket(&mut response.headers, &decision);
    response
}

/// One readable line per request: `POST /oauth/token → 401 in 3 ms: client_secret is wrong…`.
fn log_line(method: &str, path: &str, status: Option<u16>, latency_ms: u64, hint: Option<&str>) {
    let status = status.map_or_else(|| "dropped".to_owned(), |s| s.to_string());
    match hint {
        Some(hint) => {
            tracing::info!(target: "authmock::exchange", "{method} {path} → {status} in {latency_ms} ms: {hint}")
        }
        None => tracing::info!(target: "authmock::exchange", "{method} {path} → {status} in {latency_ms} ms"),
    }
}

/// A response read whole, kept for the journal and re-sent to the client.
struct ReadResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    hint: Option<String>,
    unrouted: bool,
    /// The provider marked this answer as an error whatever its status.
    error_mark: bool,
}

async fn read(response: Response) -> ReadResponse {
    let (parts, body) = response.into_parts();
    // Provider and canned bodies are in memory, so reading cannot fail; if it ever did, the
    // client gets what could be read.
    let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let hint = parts
        .headers
        .get(HINT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ReadResponse {
        status: parts.status,
        unrouted: parts.extensions.get::<Unrouted>().is_some(),
        error_mark: parts.extensions.get::<ProviderErrorMark>().is_some(),
        headers: parts.headers,
        body,
        hint,
    }
}

fn rebuild(response: &ReadResponse, body: Body) -> Response {
    let mut sent = Response::new(body);
    *sent.status_mut() = response.status;
    *sent.headers_mut() = response.headers.clone();
    sent
}

fn canned_response(canned: &CannedResponse) -> Response {
    let status = StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (body, json) = match &canned.body {
        None => (Vec::new(), false),
        Some(serde_json::Value::String(text)) => (text.clone().into_bytes(), false),
        Some(value) => (value.to_string().into_bytes(), true),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if json {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    } else {
        headers.remove(header::CONTENT_TYPE);
    }
    for (name, value) in &canned.headers {
        // Checked when the rule was added.
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    response
}

fn fault_hint(applied: &Applied, response: Option<&ReadResponse>, provider_hint: Option<String>) -> String {
    let id = applied.id;
    let delay = applied
        .delay_ms
        .map(|ms| format!(" after a {ms} ms delay"))
        .unwrap_or_default();
    let what = match &applied.action {
        Action::Pass => format!(
            "fault rule {id} delayed the response by {} ms",
            applied.delay_ms.unwrap_or(0)
        ),
        Action::Respond(canned) => format!("fault rule {id} answered with a canned {}{delay}", canned.status),
        Action::Error(name) => format!("fault rule {id} injected {name}{delay}"),
        Action::Drop => format!("fault rule {id} dropped the connection without a response{delay}"),
        Action::ResetMidBody => format!(
            "fault rule {id} reset the connection after {} of {} body bytes{delay}",
            response.map_or(0, |r| r.body.len() / 2),
            response.map_or(0, |r| r.body.len())
        ),
    };
    match provider_hint {
        Some(provider) if matches!(applied.action, Action::Pass | Action::ResetMidBody) => {
            format!("{what}; provider: {provider}")
        }
        _ => what,
    }
}

/// Reads up to [`BUFFER_CAP`] bytes; past that, returns what was read and the unread rest.
async fn buffer(mut body: Body) -> (Bytes, Option<Body>) {
    let mut read = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // The client broke off: let the provider see the same broken body.
            return (Bytes::from(read), Some(body));
        };
        if let Ok(data) = frame.into_data() {
            read.extend_from_slice(&data);
            if read.len() > BUFFER_CAP {
                return (Bytes::from(read), Some(body));
            }
        }
    }
    (Bytes::from(read), None)
}

/// The bytes already read, then the rest of the original body.
struct Prefixed {
    head: Option<Bytes>,
    tail: Body,
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        Pin::new(&mut self.tail).poll_frame(cx)
    }
}

/// A body that sends `head` (if any), pauses so it is flushed, then fails: hyper then closes
/// the connection without finishing the response. With no head and no pause, the client gets
/// no response at all.
struct Aborting {
    head: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Aborting {
    fn now() -> Self {
        Self {
            head: None,
            pause: None,
        }
    }

    fn after(head: Bytes) -> Self {
        Self {
            head: Some(head),
            pause: Some(Box::pin(tokio::time::sleep(RESET_PAUSE))),
        }
    }
}

impl http_body::Body for Aborting {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(head) = self.head.take().filter(|h| !h.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if let Some(pause) = self.pause.as_mut() {
            ready!(pause.as_mut().poll(cx));
            self.pause = None;
        }
        let error = io::Error::new(io::ErrorKind::ConnectionReset, "authmock fault: connection aborted");
        Poll::Ready(Some(Err(axum::Error::new(error))))
    }
}
