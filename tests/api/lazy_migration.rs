//! Lazy migration through a custom database connection whose `login` script is the customer's
//! own JavaScript, run in Node.js (facts migration.md §3, §4): the first login of a legacy user
//! runs the script and migrates the user, later logins never call it; a community-style script
//! that signs in at the Janrain twin's `/oauth/auth_native_traditional` runs unmodified; and a
//! script that hangs, throws, loops, exhausts its heap, writes a file, spawns a process or
//! reaches past loopback costs only its own login. The declarative mode (a connection delegating
//! its logins to a Janrain app, `options.authmock_janrain_login`) migrates the same way with no
//! script.
//!
//! The script tests need `node` (20 or later) on PATH: without it they pass with a note, except
//! on CI (`CI=true`), where a missing `node` fails them.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use authmock::core::node::ScriptSettings;

use crate::helpers::janrain::{CAROL, CAROL_PASSWORD, FLOW_VERSION, WEB_ID};
use crate::helpers::{App, Reply, TestApp};
use crate::login::{Browser, WEB, page_wire, urlencode};

const LEGACY: &str = "legacy-db";

/// Whether `node` runs here; on CI its absence is a failure.
fn node_present() -> bool {
    let found = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no `node` on PATH: the lazy-migration tests need Node.js 20 or later"
        );
        eprintln!("skipped: no `node` on PATH (install Node.js 20 or later to run the lazy-migration tests)");
    }
    found
}

/// The default tenant with scripts opted in, capped at `timeout`.
fn scripting_app(timeout: Duration) -> TestApp {
    let app = TestApp::new();
    app.tenant.control().scripts().configure(ScriptSettings {
        allowed: true,
        timeout,
        heap_mb: 64,
    });
    app
}

/// `POST /api/v2/connections` of a migrating custom database with `login` and `configuration`.
async fn create_legacy(app: &TestApp, login: &str, configuration: Value) -> Reply {
    create_with_scripts(app, json!({"login": login}), configuration).await
}

/// The same with any `customScripts`.
async fn create_with_scripts(app: &TestApp, scripts: Value, configuration: Value) -> Reply {
    create_migrating(
        app,
        json!({
            "enabledDatabaseCustomization": true,
            "import_mode": true,
            "customScripts": scripts,
            "configuration": configuration,
        }),
    )
    .await
}

/// `POST /api/v2/connections` of the legacy database with `options`, enabled for the web apps.
async fn create_migrating(app: &TestApp, options: Value) -> Reply {
    let token = app.token(App::Explorer).await;
    let (web_app, _) = app.credentials(App::Web);
    app.post_json(
        "/api/v2/connections",
        Some(&token),
        &json!({
            "name": LEGACY,
            "strategy": "auth0",
            "enabled_clients": [web_app, WEB],
            "options": options,
        }),
    )
    .await
}

/// A password-realm login into the legacy connection through the web app.
async fn realm_login(app: &TestApp, username: &str, password: &str) -> Reply {
    app.login_in(LEGACY, username, password).await
}

/// The users of the legacy connection.
fn legacy_users(app: &TestApp) -> Vec<(String, String)> {
    app.tenant
        .state()
        .users()
        .iter()
        .filter(|u| u.connection == LEGACY)
        .map(|u| (u.user_id.clone(), u.email.clone()))
        .collect()
}

/// How many sign-ins the Janrain twin served.
async fn janrain_sign_ins(uri: &str) -> usize {
    let journal: Value = reqwest::get(format!(
        "{uri}/__authmock__/journal?path=/oauth/auth_native_traditional"
    ))
    .await
    .expect("journal answers")
    .json()
    .await
    .expect("journal JSON");
    journal["entries"].as_array().map_or(0, Vec::len)
}

/// A login script in the style of the public ones (facts §4.1 option A, FA-guide): the Janrain
/// app's traditional sign-in with the `request` module, success only on `stat == "ok"`, the
/// Janrain profile mapped as §4.2. Only `configuration` says where the app is.
const JANRAIN_LOGIN: &str = r#"function login(email, password, callback) {
  const request = require('request');
  request.post({
    url: configuration.janrain_url + '/oauth/auth_native_traditional',
    form: {
      client_id: configuration.client_id,
      flow_version: configuration.flow_version,
      flow: 'standard',
      locale: 'en-US',
      form: 'signInForm',
      redirect_uri: 'http://localhost',
      currentPassword: password,
      signInEmailAddress: email
    }
  }, function (err, response, body) {
    if (err) return callback(err);
    const data = JSON.parse(body);
    if (response.statusCode !== 200 || data.stat !== 'ok') {
      return callback(new WrongUsernameOrPasswordError(email, data.error_description));
    }
    const user = data.capture_user;
    callback(null, {
      user_id: user.uuid,
      email: user.email,
      email_verified: user.emailVerified != null,
      given_name: user.givenName || undefined,
      family_name: user.familyName || undefined,
      app_metadata: { janrain_id: user.id }
    });
  });
}"#;

/// Carol's Auth0 id once migrated: her uuid in the Janrain fixture.
const CAROL_AUTH0_ID: &str = "auth0|5b1c7e2a-9d43-4f0e-8a61-3c2d9e4f7b10";

/// Carol's lazy migration against the Janrain app at `capture_uri`, however the connection asks
/// it: a wrong password is the usual wrong-credentials answer and migrates nobody; the first right
/// login (email upper-cased) migrates her under her Janrain uuid, email lower-cased; later logins
/// are the store's (Janrain is not asked again, a wrong password is refused by the store). The
/// first right login's reply.
async fn carol_migrates_once(app: &TestApp, capture_uri: &str) -> Reply {
    let wrong = realm_login(app, CAROL, "not-her-password").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    assert_eq!(
        wrong.json(),
        json!({"error": "invalid_grant", "error_description": "Wrong email or password."})
    );
    assert!(legacy_users(app).is_empty());
    assert_eq!(janrain_sign_ins(capture_uri).await, 1);

    let first = realm_login(app, &CAROL.to_uppercase(), CAROL_PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(janrain_sign_ins(capture_uri).await, 2);
    assert_eq!(legacy_users(app), [(CAROL_AUTH0_ID.to_owned(), CAROL.to_owned())]);

    let second = realm_login(app, CAROL, CAROL_PASSWORD).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let wrong = realm_login(app, CAROL, "not-her-password").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    assert_eq!(janrain_sign_ins(capture_uri).await, 2);
    assert_eq!(legacy_users(app).len(), 1);
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_janrain_login_script_migrates_on_first_login_and_is_never_called_again() {
    if !node_present() {
        return;
    }
    let capture = authmock::JanrainMock::start().await;
    let app = scripting_app(Duration::from_secs(20));
    let created = create_legacy(
        &app,
        JANRAIN_LOGIN,
        json!({"janrain_url": capture.uri(), "client_id": WEB_ID, "flow_version": FLOW_VERSION}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // `configuration` is read back sealed (facts §3.1) yet reaches the script in clear.
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let token = app.token(App::Explorer).await;
    let read = app.get(&format!("/api/v2/connections/{id}"), Some(&token)).await;
    assert_ne!(read.json()["options"]["configuration"]["client_id"], WEB_ID);

    let first = carol_migrates_once(&app, &capture.uri()).await;
    let sub = crate::helpers::claims(first.json()["id_token"].as_str().expect("id_token"))["sub"].clone();
    assert_eq!(sub, CAROL_AUTH0_ID);
}

/// A custom database without `import_mode` ("Use my own database" without "Import Users to
/// Auth0", facts §3.1) is a legacy store: its `login` script answers every login, and the store
/// never answers one with a password of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_import_mode_every_login_asks_the_script() {
    if !node_present() {
        return;
    }
    let capture = authmock::JanrainMock::start().await;
    let app = scripting_app(Duration::from_secs(20));
    let configuration = json!({"janrain_url": capture.uri(), "client_id": WEB_ID, "flow_version": FLOW_VERSION});
    let created = create_migrating(
        &app,
        json!({
            "enabledDatabaseCustomization": true,
            "import_mode": false,
            "customScripts": {"login": JANRAIN_LOGIN},
            "configuration": configuration,
        }),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for call in 1..=2 {
        let login = realm_login(&app, CAROL, CAROL_PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        assert_eq!(janrain_sign_ins(&capture.uri()).await, call);
    }
    assert_eq!(legacy_users(&app).len(), 1);
    // A password the legacy store refuses is refused, though the same user signed in before.
    let wrong = realm_login(&app, CAROL, "not-her-password").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    assert_eq!(janrain_sign_ins(&capture.uri()).await, 3);
    let again = realm_login(&app, CAROL, CAROL_PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(janrain_sign_ins(&capture.uri()).await, 4);
}

/// A script that counts its calls in the journal of a loopback listener it fetches.
const COUNTING_LOGIN: &str = r#"async function login(email, password, callback) {
  await fetch(configuration.counter + '/oauth/auth_native_traditional', { method: 'POST' });
  if (password !== 'Legacy-Pass-1') return callback(new WrongUsernameOrPasswordError(email, 'bad password'));
  return callback(null, { user_id: 'legacy-42', email: email, nickname: 'leg' });
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn universal_login_migrates_through_the_script_once() {
    if !node_present() {
        return;
    }
    let counter = authmock::JanrainMock::start().await;
    let app = scripting_app(Duration::from_secs(20));
    let created = create_legacy(&app, COUNTING_LOGIN, json!({"counter": counter.uri()})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=w3b&connection={LEGACY}",
        urlencode("http://127.0.0.1:3000/callback")
    );
    let counter_uri = counter.uri();
    let calls = || janrain_sign_ins(&counter_uri);

    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&query).await;
    let reply = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", "Legacy@Example.com"),
                ("password", "wrong"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Wrong email or password"), "{}", page_wire(&reply));
    assert_eq!(calls().await, 1);

    let reply = browser.log_in(&ul_state, "Legacy@Example.com", "Legacy-Pass-1").await;
    let location = reply.header("location").expect("location");
    assert!(
        location.starts_with("http://127.0.0.1:3000/callback?code="),
        "{location}"
    );
    assert_eq!(calls().await, 2);
    assert_eq!(
        legacy_users(&app),
        vec![("auth0|legacy-42".to_owned(), "legacy@example.com".to_owned())]
    );

    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&query).await;
    let reply = browser.log_in(&ul_state, "legacy@example.com", "Legacy-Pass-1").await;
    assert!(reply.header("location").is_some_and(|l| l.contains("code=")));
    assert_eq!(calls().await, 2, "the migrated user's login called the script");
}

/// One hostile script: what its login answers, and that the tenant still serves afterwards.
async fn hostile(app: &TestApp, script: &str) -> Reply {
    let created = create_legacy(app, script, json!({})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let reply = realm_login(app, "victim@example.com", "Some-Pass-1").await;
    // The tenant is unharmed: its own users still log in, nobody was migrated.
    let alice = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.body);
    assert!(legacy_users(app).is_empty());
    reply
}

fn assert_script_error(reply: &Reply, hint: &str) {
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"error": "server_error", "error_description": "Something went wrong, please try again later."})
    );
    let said = reply.header("x-authmock-hint").unwrap_or_default();
    assert!(said.contains(hint), "hint {said:?} lacks {hint:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_scripts_cost_only_their_own_login() {
    if !node_present() {
        return;
    }
    let cases: &[(&str, &str)] = &[
        (
            "function login(email, password, callback) { }",
            "without calling its callback",
        ),
        (
            "function login(email, password, callback) { setInterval(function () {}, 1000); }",
            "ms limit",
        ),
        ("function login(email, password, callback) { for (;;) {} }", "ms limit"),
        (
            "function login(email, password, callback) { throw new Error('legacy store down'); }",
            "Error: legacy store down",
        ),
        (
            "function login(email, password, callback) { callback(new Error('unreachable')); }",
            "Error: unreachable",
        ),
        (
            "function login(email, password, callback) { const a = []; for (;;) { a.push(new Array(1e6).fill(7)); } }",
            "out of memory",
        ),
        (
            "function login(email, password, callback) { require('fs').writeFileSync('/tmp/authmock-pwned', 'x'); }",
            "module 'fs' is not available",
        ),
        (
            // Past the script's own `require`: Node's permission model still says no.
            "function login(email, password, callback) { \
               const p = this.constructor.constructor('return process')(); \
               p.getBuiltinModule('fs').writeFileSync('/tmp/authmock-pwned', 'x'); \
               callback(null, { user_id: 'pwned' }); }",
            "restricted",
        ),
        (
            "function login(email, password, callback) { \
               const p = this.constructor.constructor('return process')(); \
               p.getBuiltinModule('child_process').execSync('id'); \
               callback(null, { user_id: 'pwned' }); }",
            "restricted",
        ),
        (
            "function login(email, password, callback) { require('child_process').execSync('id'); }",
            "module 'child_process' is not available",
        ),
        (
            "async function login(email, password, callback) { \
               const r = await fetch('http://example.com/'); callback(null, { user_id: 'x' }); }",
            "loopback only",
        ),
        (
            "function login(email, password, callback) { \
               request.post({ url: 'https://acme.janraincapture.com/oauth/auth_native_traditional', form: {} }, \
               function (err) { callback(err); }); }",
            "loopback only",
        ),
        (
            "function login(email, password, callback) { callback(null, { email: email }); }",
            "no user_id",
        ),
        (
            "function login(email, password, callback) { syntax error here",
            "SyntaxError",
        ),
    ];
    for (script, hint) in cases {
        let app = scripting_app(Duration::from_millis(1500));
        let reply = hostile(&app, script).await;
        assert_script_error(&reply, hint);
    }
    assert!(!std::path::Path::new("/tmp/authmock-pwned").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callback_counts_once_and_unauthorized_errors_reach_the_user() {
    if !node_present() {
        return;
    }
    // A second callback is ignored: the first (no user) stands.
    let app = scripting_app(Duration::from_secs(5));
    let reply = hostile(
        &app,
        "function login(email, password, callback) { callback(null, null); callback(null, { user_id: 'late' }); }",
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.json()["error_description"], "Wrong email or password.");

    // UnauthorizedError's message is for the user.
    let app = scripting_app(Duration::from_secs(5));
    let reply = hostile(
        &app,
        "function login(email, password, callback) { callback(new UnauthorizedError('Your legacy account is locked')); }",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"error": "unauthorized", "error_description": "Your legacy account is locked"})
    );
}

#[tokio::test]
async fn scripts_are_refused_unless_the_operator_opted_in() {
    let app = TestApp::new();
    let reply = create_legacy(&app, "function login(e, p, cb) { cb(null, null); }", json!({})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.json()["errorCode"], "invalid_body");
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("--allow-scripts")),
        "{}",
        reply.body
    );
    // Nothing was stored.
    assert!(app.tenant.state().connection_by_name(LEGACY).is_none());

    // A PATCH that turns the script on is refused the same way; one without scripts is not.
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": LEGACY, "strategy": "auth0", "options": {"import_mode": true}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let reply = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &token,
            &json!({"options": {"enabledDatabaseCustomization": true, "customScripts": {"login": "function login(e, p, cb) { cb(); }"}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    crate::assert_wire!("lazy_migration_scripts_not_allowed", reply);
    // Customization off: the scripts are stored, never run.
    let reply = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &token,
            &json!({"options": {"enabledDatabaseCustomization": false, "customScripts": {"login": "function login(e, p, cb) { cb(); }"}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// A real script (facts §4.1, FS-32237118212) that checks Capture's answer for HTTP 401; Capture
/// answers a wrong password with 200 and `stat:"error"`, so the script's `user.capture_user.uuid`
/// throws: a script error, as against the real app, not wrong credentials.
const STATUS_CHECKING_LOGIN: &str = r#"function login(email, password, callback) {
  const request = require('request');
  request.post({
    url: configuration.janrain_url + '/oauth/auth_native_traditional',
    form: { client_id: configuration.client_id, flow: "standard", form: "signInForm",
            accountNoOrEmail: email, currentPassword: password, locale: "en-US",
            redirect_uri: "http://localhost", accountTypeId: 3 }
  }, function(err, response, body) {
    if (err) return callback(err);
    if (response.statusCode === 401) return callback();
    const user = JSON.parse(body);
    callback(null, { user_id: user.capture_user.uuid, nickname: user.capture_user.accountNumber,
                     email: user.capture_user.email, user_metadata: user.user_metadata });
  });
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_that_expects_a_401_from_capture_fails_as_against_the_real_app() {
    if !node_present() {
        return;
    }
    let capture = authmock::JanrainMock::start().await;
    let app = scripting_app(Duration::from_secs(20));
    let created = create_legacy(
        &app,
        STATUS_CHECKING_LOGIN,
        json!({"janrain_url": capture.uri(), "client_id": WEB_ID}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let reply = realm_login(&app, CAROL, "not-her-password").await;
    assert_script_error(&reply, "TypeError");
    assert_eq!(janrain_sign_ins(&capture.uri()).await, 1);

    // On Universal Login the same failure is the page's script-error text.
    let query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=w3b&connection={LEGACY}",
        urlencode("http://127.0.0.1:3000/callback")
    );
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&query).await;
    let reply = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", CAROL),
                ("password", "not-her-password"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains("Something went wrong, please try again later."),
        "{}",
        page_wire(&reply)
    );
    assert!(reply.header("x-authmock-hint").is_some_and(|h| h.contains("TypeError")));
    assert!(legacy_users(&app).is_empty());
}

const GET_USER: &str = r#"function getByEmail(email, callback) {
  if (email !== 'legacy@example.com') return callback(null);
  return callback(null, { user_id: 'legacy-42', email: email, given_name: 'Leg' });
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_before_the_first_login_finds_the_legacy_user_through_get_user() {
    if !node_present() {
        return;
    }
    let counter = authmock::JanrainMock::start().await;
    let app = scripting_app(Duration::from_secs(20));
    let created = create_with_scripts(
        &app,
        json!({"login": COUNTING_LOGIN, "get_user": GET_USER}),
        json!({"counter": counter.uri()}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let (client_id, _) = app.credentials(App::Web);
    let forgot = |email: &'static str| {
        let app = &app;
        let client_id = client_id.clone();
        async move {
            app.post_json(
                "/dbconnections/change_password",
                None,
                &json!({"client_id": client_id, "email": email, "connection": LEGACY}),
            )
            .await
        }
    };

    // Unknown to the legacy store: nothing is created, nothing mailed, the same 200.
    let reply = forgot("stranger@example.com").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.header("x-authmock-hint").is_some_and(|h| h.contains("found no")));
    assert!(legacy_users(&app).is_empty());

    // Known: the user is created without a password and gets the reset mail.
    let reply = forgot("legacy@example.com").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        legacy_users(&app),
        vec![("auth0|legacy-42".to_owned(), "legacy@example.com".to_owned())]
    );
    let outbox = app.get("/__authmock__/outbox?to=legacy@example.com", None).await.json();
    assert_eq!(outbox["total"], 1, "{outbox}");
    assert_eq!(janrain_sign_ins(&counter.uri()).await, 0, "get_user is not login");

    // Not reset yet: the legacy password still logs in through the login script, which
    // completes the user; from then on the store answers.
    let first = realm_login(&app, "legacy@example.com", "Legacy-Pass-1").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(janrain_sign_ins(&counter.uri()).await, 1);
    let second = realm_login(&app, "legacy@example.com", "Legacy-Pass-1").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(janrain_sign_ins(&counter.uri()).await, 1);
    assert_eq!(legacy_users(&app).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_hanging_logins_runs_a_bounded_number_of_scripts() {
    if !node_present() {
        return;
    }
    let app = scripting_app(Duration::from_millis(1500));
    // A script that keeps its process alive without calling back.
    let created = create_legacy(
        &app,
        "function login(email, password, callback) { setInterval(function () {}, 1000); }",
        json!({}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let logins = (0..authmock::core::node::MAX_CONCURRENT + 2)
        .map(|i| {
            let app = &app;
            async move { realm_login(app, &format!("user{i}@example.com"), "Some-Pass-1").await }
        })
        .collect::<Vec<_>>();
    for reply in futures::future::join_all(logins).await {
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", reply.body);
        let hint = reply.header("x-authmock-hint").unwrap_or_default();
        assert!(hint.contains("ms limit") || hint.contains("already running"), "{hint}");
    }
    let alice = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.body);
}

/// `POST /api/v2/connections` of a migrating database that delegates its logins to a Janrain app
/// (`options.authmock_janrain_login`, authmock's own setting): no script, no Node.js.
async fn create_delegating(app: &TestApp, setting: Value) -> Reply {
    create_migrating(app, json!({"import_mode": true, "authmock_janrain_login": setting})).await
}

/// The declarative mode migrates as the community script does: a wrong password is the usual
/// wrong-credentials answer and migrates nobody, the first right login keeps the user (uuid,
/// names, the record's id) and later logins never reach Janrain. No operator opt-in: no script
/// runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_delegating_to_janrain_migrates_without_a_script() {
    let capture = authmock::JanrainMock::start().await;
    let app = TestApp::new();
    let created = create_delegating(
        &app,
        json!({"url": capture.uri(), "client_id": WEB_ID, "flow_version": FLOW_VERSION}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    carol_migrates_once(&app, &capture.uri()).await;
    let carol = app.tenant.state().user(CAROL_AUTH0_ID).cloned().expect("migrated");
    assert_eq!(carol.given_name.as_deref(), Some("Carol"));
    assert_eq!(carol.family_name.as_deref(), Some("Jones"));
    assert!(
        carol.app_metadata.get("janrain_id").is_some_and(Value::is_number),
        "{:?}",
        carol.app_metadata
    );
}

/// The delegate reaches loopback only, as scripts do, and a setting that could not sign anyone
/// in is refused when the connection is made (400 `invalid_body` naming what is wrong), so no
/// login ever meets it.
#[tokio::test]
async fn a_delegate_past_loopback_or_without_its_app_is_refused_at_creation() {
    let app = TestApp::new();
    let created = create_delegating(
        &app,
        json!({"url": "http://janrain.example.com", "client_id": WEB_ID, "flow_version": FLOW_VERSION}),
    )
    .await;
    assert_eq!(created.status, StatusCode::BAD_REQUEST, "{}", created.body);
    assert_eq!(created.json()["errorCode"], "invalid_body");
    assert!(
        created.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("on loopback")),
        "{}",
        created.body
    );
    let no_app = create_delegating(&app, json!({"url": "http://127.0.0.1:9", "flow_version": FLOW_VERSION})).await;
    assert_eq!(no_app.status, StatusCode::BAD_REQUEST, "{}", no_app.body);
    assert!(
        no_app.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("client_id is required")),
        "{}",
        no_app.body
    );
    let reply = realm_login(&app, CAROL, CAROL_PASSWORD).await;
    assert_ne!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(legacy_users(&app).is_empty());
}
