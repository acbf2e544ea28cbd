//! `GET /__authmock__/ui`: the console page and its two files, on both providers' listeners,
//! with the headers that keep it from being framed, sniffed or made to run inline script, and
//! the admin-token rule: the files need no token (they hold no tenant data), the control API
//! they call still does.

use std::sync::Arc;

use authmock::auth0::Fixture;
use authmock::auth0::tenant::TenantAddress;
use authmock::core::clock::Clock;
use authmock::janrain::JanrainFixture;
use authmock::server::{self, ListenerSettings, Registry};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use authmock::auth0::tenant::Tenant;
use authmock::janrain::JanrainApp;

use crate::helpers::{Reply, START, send_to};

const TOKEN: &str = "console-test-token";
const FILES: [(&str, &str); 3] = [
    ("/__authmock__/ui", "text/html; charset=utf-8"),
    ("/__authmock__/ui/console.js", "text/javascript; charset=utf-8"),
    ("/__authmock__/ui/console.css", "text/css; charset=utf-8"),
];

/// An Auth0 tenant and a Janrain app from their default fixtures.
fn tenants() -> (Tenant, JanrainApp) {
    let address = |port: u16| TenantAddress::http(([127, 0, 0, 1], port).into());
    let auth0 = Fixture::default_auth0()
        .build(address(4010), Clock::manual(START))
        .expect("fixture builds");
    let janrain = JanrainFixture::default_app()
        .build(address(4011), Clock::manual(START))
        .expect("fixture builds");
    (auth0, janrain)
}

async fn get(router: &Router, path: &str, token: Option<&str>) -> Reply {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    send_to(router, request.body(Body::empty()).expect("request")).await
}

fn assert_console_headers(reply: &Reply, path: &str, content_type: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
    assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{path}");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
    let csp = reply.header("content-security-policy").expect("a CSP");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{path}: no {name} in {csp}"))
            .to_owned()
    };
    assert_eq!(
        directive("script-src"),
        "script-src 'self'",
        "{path}: no inline or foreign script"
    );
    assert_eq!(directive("default-src"), "default-src 'none'");
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    assert_eq!(directive("connect-src"), "connect-src 'self'");
}

#[tokio::test]
async fn both_listeners_serve_the_page_and_its_files_with_their_headers() {
    let (auth0, janrain) = tenants();
    for router in [server::app(auth0), server::app(janrain)] {
        for (path, content_type) in FILES {
            assert_console_headers(&get(&router, path, None).await, path, content_type);
        }
        // Another method gets the control API's own 405.
        let post = send_to(
            &router,
            Request::post("/__authmock__/ui").body(Body::empty()).expect("request"),
        )
        .await;
        assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.json()["error"], "method_not_allowed");
    }
}

#[tokio::test]
async fn the_page_runs_only_its_own_script_and_never_writes_markup_from_data() {
    let router = server::app(tenants().0);
    let page = get(&router, "/__authmock__/ui", None).await.body;
    let scripts: Vec<&str> = page.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "one script element");
    assert!(
        scripts[0].starts_with(" src=\"/__authmock__/ui/console.js\" defer></script>"),
        "{}",
        scripts[0]
    );
    let handler = page.match_indices(" on").find(|(at, _)| {
        let name: String = page[at + 1..].chars().take_while(char::is_ascii_alphabetic).collect();
        page[at + 1 + name.len()..].starts_with('=')
    });
    assert_eq!(handler, None, "no inline event handler attributes");
    assert!(page.contains("href=\"/__authmock__/ui/console.css\""));
    let script = get(&router, "/__authmock__/ui/console.js", None).await.body;
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ] {
        assert!(!script.contains(sink), "console.js uses {sink}");
    }
    // A mail's HTML goes to a frame with no script and no same origin.
    assert!(script.contains("\"sandbox\", \"allow-popups allow-popups-to-escape-sandbox\""));
    assert!(script.contains("frame.srcdoc"));
}

/// With an admin token, the files are served to anyone and the control API they call still
/// refuses a call without the token.
#[tokio::test]
async fn with_an_admin_token_the_files_are_open_and_the_api_is_not() {
    let registry = Registry::new(ListenerSettings {
        admin_token: Some(Arc::from(TOKEN)),
        ..ListenerSettings::default()
    });
    let (auth0, janrain) = tenants();
    for router in [server::app_in(auth0, &registry), server::app_in(janrain, &registry)] {
        for (path, content_type) in FILES {
            assert_console_headers(&get(&router, path, None).await, path, content_type);
        }
        for path in [
            "/__authmock__/tenant",
            "/__authmock__/outbox",
            "/__authmock__/journal",
            "/__authmock__/clock",
            "/__authmock__/faults",
            // Only the three files are open: nothing else under ui/, nor the same path spelt otherwise.
            "/__authmock__/ui/",
            "/__authmock__/ui/other.js",
            "/__authmock__/ui/console.js/x",
            "/__authmock__/%75i",
            "/__authmock__/ui/../tenant",
        ] {
            let anonymous = get(&router, path, None).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(anonymous.json()["error"], "unauthorized", "{path}");
            let wrong = get(&router, path, Some("guess")).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{path}");
        }
        for path in ["/__authmock__/tenant", "/__authmock__/outbox", "/__authmock__/faults"] {
            assert_eq!(get(&router, path, Some(TOKEN)).await.status, StatusCode::OK, "{path}");
        }
    }
}
