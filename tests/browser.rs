//! The hosted reset page and the console in a real browser: headless Chromium driven over
//! WebDriver fills in and submits the reset form, then the new password logs in; the console shows
//! a reset mail whose link opens that form, the journal with its secrets masked, a decoded token,
//! and asks for the admin token when the server has one. A login under the MFA policy enrols a
//! TOTP authenticator on the Universal Login page, and a step-up with `acr_values` challenges a
//! session that logged in without one; both come back with `amr: ["mfa"]`. An invited user logs in
//! to an organization on the Universal Login form and its ID token names the organization.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them and sets
//! `AUTHMOCK_REQUIRE_BROWSER=1`, so on CI a missing browser fails the test). On a machine without
//! them the test says so on stderr and passes without running. `AUTHMOCK_CHROMIUM` and
//! `AUTHMOCK_CHROMEDRIVER` override the binaries' paths.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Kills a child (chromedriver, and with it the browser; a server) however the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary(env: &str, default: &str) -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var(env).unwrap_or_else(|_| default.to_owned()));
    path.exists().then_some(path)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A headless Chromium session; `None` (the test then passes without running) when the browser
/// is missing and `AUTHMOCK_REQUIRE_BROWSER` is not set. Keep the whole tuple alive while the
/// session is used: the driver process and the profile directory go with it.
async fn headless() -> Option<(Client, Killed, tempfile::TempDir)> {
    let (Some(chromium), Some(chromedriver)) = (
        binary("AUTHMOCK_CHROMIUM", "/usr/bin/chromium"),
        binary("AUTHMOCK_CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) else {
        assert!(
            std::env::var("AUTHMOCK_REQUIRE_BROWSER").is_err(),
            "AUTHMOCK_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
        );
        eprintln!("skipped: no chromium/chromedriver (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = free_port();
    let driver = Killed(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().expect("an empty profile directory");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", profile.path().display())],
        }),
    );
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some((client, driver, profile)),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver accepts a session within 10 s");
}

#[tokio::test]
async fn reset_form_in_headless_chromium() {
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let idp = authmock::Authmock::start().await;
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let summary: Value = fetch_json(http.get(format!("{}/__authmock__/tenant", idp.uri()))).await;
    let backend = &summary["clients"][0];
    let token: Value = fetch_json(http.post(format!("{}/oauth/token", idp.uri())).json(
        &json!({"grant_type": "client_credentials", "client_id": backend["client_id"],
                      "client_secret": backend["client_secret"], "audience": summary["audience"]}),
    ))
    .await;
    let alice = &summary["users"][0];
    let ticket: Value = fetch_json(
        http.post(format!("{}/api/v2/tickets/password-change", idp.uri()))
            .bearer_auth(token["access_token"].as_str().expect("access token"))
            .json(&json!({"user_id": alice["user_id"]})),
    )
    .await;
    let link = ticket["ticket"].as_str().expect("ticket url").to_owned();

    // The link as mailed, fragment and all: the browser drops the `#`.
    browser.goto(&link).await.expect("page loads");
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, "Change Your Password");

    // A mismatch first: the page says so and keeps the form.
    let fill = |password: &'static str, confirmation: &'static str| {
        let browser = browser.clone();
        async move {
            let field = browser.find(Locator::Id("password")).await.expect("password field");
            field.clear().await.expect("clear");
            field.send_keys(password).await.expect("typed");
            let field = browser
                .find(Locator::Id("confirm_password"))
                .await
                .expect("confirmation");
            field.clear().await.expect("clear");
            field.send_keys(confirmation).await.expect("typed");
            browser
                .find(Locator::Css("button[type=submit]"))
                .await
                .expect("button")
                .click()
                .await
                .expect("submitted");
        }
    };
    fill("Queen-of-Hearts-9", "Queen-of-Hearts-8").await;
    // The click returns before the next page has loaded: wait for what it should show.
    let alert = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[role=alert]"))
        .await
        .expect("an error line");
    assert_eq!(alert.text().await.expect("text"), "Passwords don't match");

    fill("Queen-of-Hearts-9", "Queen-of-Hearts-9").await;
    let heading = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[not(contains(., 'Change Your Password'))]"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, "Password Changed!");
    browser.close().await.expect("session closes");

    let login = |password: &'static str| {
        let http = http.clone();
        let web = summary["clients"]
            .as_array()
            .expect("clients")
            .iter()
            .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Web app")))
            .expect("web app")
            .clone();
        let url = format!("{}/oauth/token", idp.uri());
        let email = alice["email"].clone();
        async move {
            http.post(url)
                .json(
                    &json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm",
                              "client_id": web["client_id"], "client_secret": web["client_secret"],
                              "username": email, "password": password,
                              "realm": "Username-Password-Authentication"}),
                )
                .send()
                .await
                .expect("login")
                .status()
                .as_u16()
        }
    };
    assert_eq!(login("Queen-of-Hearts-9").await, 200);
    assert_eq!(login("Wonderland-2026").await, 403);
}

/// Sends a request and reads its JSON body.
async fn fetch_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.expect("sent").json().await.expect("a JSON body")
}

/// The console's inbox shows the reset mail a user asked for, in its sandboxed frame, and its
/// link opens the hosted reset page.
#[tokio::test]
async fn console_inbox_follows_a_reset_link() {
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let idp = authmock::Authmock::start().await;
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let summary: Value = fetch_json(http.get(format!("{}/__authmock__/tenant", idp.uri()))).await;
    let web = summary["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Web app")))
        .expect("web app");
    let asked = http
        .post(format!("{}/dbconnections/change_password", idp.uri()))
        .json(
            &json!({"client_id": web["client_id"], "email": summary["users"][0]["email"],
                      "connection": "Username-Password-Authentication"}),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(asked.status(), 200);

    browser
        .goto(&format!("{}/__authmock__/ui#inbox", idp.uri()))
        .await
        .expect("console loads");
    let subject = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#inbox-list li .subject"))
        .await
        .expect("a message in the inbox")
        .text()
        .await
        .expect("text");
    assert_eq!(subject, "Reset your password");
    // The newest message opens by itself: its HTML in a frame that runs no script.
    let frame = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#mail iframe"))
        .await
        .expect("the mail's HTML");
    assert_eq!(
        frame.attr("sandbox").await.expect("attribute").as_deref(),
        Some("allow-popups allow-popups-to-escape-sandbox")
    );
    let link = browser
        .find(Locator::Css("#mail .links a"))
        .await
        .expect("the mail's link");
    let href = link.attr("href").await.expect("attribute").expect("href");
    assert!(
        href.starts_with(&format!("{}/u/reset-password?ticket=", idp.uri())),
        "{href}"
    );
    link.click().await.expect("followed");
    let heading = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[contains(., 'Change Your Password')]"))
        .await
        .expect("the reset page")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, "Change Your Password");
    browser.close().await.expect("session closes");
}

/// With an admin token, the console asks for it, then shows the journal (filtered, an entry
/// opened, the password masked), decodes a pasted token, and names each listener's provider.
#[tokio::test]
async fn console_journal_token_and_admin_token_in_headless_chromium() {
    const ADMIN: &str = "console-browser-token";
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0", "--json", "--admin-token", ADMIN])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let _server = Killed(child);
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut listener =
        || -> Value { serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("JSON") };
    let (auth0, janrain) = (listener(), listener());
    let base = auth0["base_url"].as_str().expect("base_url").to_owned();
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let web = auth0["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Web app")))
        .expect("web app");
    let refused = http
        .post(format!("{base}/oauth/token"))
        .json(
            &json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm",
                      "client_id": web["client_id"], "client_secret": web["client_secret"],
                      "username": auth0["users"][0]["email"], "password": "Not-Alices-Password-77",
                      "realm": "Username-Password-Authentication"}),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    let backend = &auth0["clients"][0];
    let token: Value = fetch_json(http.post(format!("{base}/oauth/token")).json(
        &json!({"grant_type": "client_credentials", "client_id": backend["client_id"],
                "client_secret": backend["client_secret"], "audience": auth0["audience"]}),
    ))
    .await;
    let wait = |locator: Locator<'static>| {
        let browser = browser.clone();
        async move {
            browser
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(locator)
                .await
                .unwrap_or_else(|e| panic!("{locator:?}: {e}"))
        }
    };

    browser
        .goto(&format!("{base}/__authmock__/ui#journal"))
        .await
        .expect("console loads");
    // The page is served without the token; its first call is refused and it asks.
    wait(Locator::Css("#token-form:not([hidden])")).await;
    browser
        .find(Locator::Id("admin-token"))
        .await
        .expect("token field")
        .send_keys(ADMIN)
        .await
        .expect("typed");
    browser
        .find(Locator::Css("#token-form button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submitted");
    let filter = wait(Locator::Css("#journal-filter [name=status]")).await;
    filter.send_keys("4xx").await.expect("typed");
    browser
        .find(Locator::Css("#journal-filter button:not([type])"))
        .await
        .expect("Show")
        .click()
        .await
        .expect("filtered");
    // The filtered page only (the unfiltered one, loaded first, shows both exchanges).
    wait(Locator::XPath(
        "//span[@id='journal-count'][starts-with(., '1 of 1 shown')]",
    ))
    .await;
    let row = wait(Locator::XPath("//tr[@class='entry'][td[5][normalize-space()='403']]")).await;
    assert!(row.text().await.expect("text").contains("/oauth/token"));
    row.click().await.expect("opened");
    let detail = wait(Locator::Css("tr.detail:not([hidden])")).await;
    let opened = detail.text().await.expect("text");
    assert!(opened.contains("\"password\": \"****\""), "{opened}");
    assert!(!opened.contains("Not-Alices-Password-77"), "{opened}");

    browser
        .goto(&format!("{base}/__authmock__/ui#tenant"))
        .await
        .expect("tenant tab");
    let name = wait(Locator::XPath(
        "//section[@id='tenant']//dd[normalize-space()='authmock-dev']",
    ))
    .await;
    assert_eq!(name.text().await.expect("text"), "authmock-dev");
    let jwt = token["access_token"].as_str().expect("a JWT");
    browser
        .find(Locator::Id("jwt-input"))
        .await
        .expect("JWT box")
        .send_keys(jwt)
        .await
        .expect("pasted");
    let claims: Value = serde_json::from_str(&wait(Locator::Id("jwt-claims")).await.text().await.expect("text"))
        .expect("the claims as JSON");
    assert_eq!(claims["aud"], auth0["audience"]);
    assert_eq!(claims["gty"], "client-credentials");

    // The clock moves a day; a fault rule is added, listed, then deleted.
    browser
        .goto(&format!("{base}/__authmock__/ui#clock"))
        .await
        .expect("clock tab");
    wait(Locator::XPath("//p[@id='clock-state'][contains(., 'Tenant time')]")).await;
    let before: Value = fetch_json(http.get(format!("{base}/__authmock__/clock")).bearer_auth(ADMIN)).await;
    browser
        .find(Locator::Css("#clock-advance [data-secs='86400']"))
        .await
        .expect("+1 day")
        .click()
        .await
        .expect("advanced");
    // The click returns before the call is answered: read the clock until it has moved.
    let mut moved = 0;
    for _ in 0..100 {
        let after: Value = fetch_json(http.get(format!("{base}/__authmock__/clock")).bearer_auth(ADMIN)).await;
        moved = after["unix"].as_i64().expect("unix") - before["unix"].as_i64().expect("unix");
        if moved >= 86_400 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!((86_400..86_400 + 60).contains(&moved), "moved {moved} s");

    browser
        .goto(&format!("{base}/__authmock__/ui#faults"))
        .await
        .expect("faults tab");
    wait(Locator::XPath(
        "//table[@id='faults-table']//td[contains(., 'No rules')]",
    ))
    .await;
    let form = browser.find(Locator::Id("fault-form")).await.expect("the form");
    form.find(Locator::Css("[name=path]"))
        .await
        .expect("path")
        .send_keys("/oauth/token")
        .await
        .expect("typed");
    form.find(Locator::Css("[name=times]"))
        .await
        .expect("times")
        .send_keys("2")
        .await
        .expect("typed");
    form.find(Locator::Css("button"))
        .await
        .expect("Add")
        .click()
        .await
        .expect("added");
    let rule = wait(Locator::XPath("//table[@id='faults-table']//tr[td[3]='/oauth/token']")).await;
    assert!(rule.text().await.expect("text").contains("answers 503"));
    let listed: Value = fetch_json(http.get(format!("{base}/__authmock__/faults")).bearer_auth(ADMIN)).await;
    assert_eq!(
        listed["faults"][0]["action"],
        json!({"respond": {"status": 503, "headers": {}, "body": null}})
    );
    assert_eq!(listed["faults"][0]["remaining"], 2);
    rule.find(Locator::Css("button"))
        .await
        .expect("Delete")
        .click()
        .await
        .expect("deleted");
    wait(Locator::XPath(
        "//table[@id='faults-table']//td[contains(., 'No rules')]",
    ))
    .await;

    // The Janrain listener is another origin: it asks again, and names its provider.
    let janrain_base = janrain["base_url"].as_str().expect("base_url");
    browser
        .goto(&format!("{janrain_base}/__authmock__/ui#inbox"))
        .await
        .expect("console loads");
    wait(Locator::Css("#token-form:not([hidden])")).await;
    assert_eq!(
        browser
            .find(Locator::Id("provider"))
            .await
            .expect("provider")
            .text()
            .await
            .expect("text"),
        "· Janrain app"
    );
    browser.close().await.expect("session closes");
}

/// The PKCE pair of RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const MFA_ACR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// A server whose tenant has the otp factor on (and the `all-applications` policy when
/// `policy`), and whose single-page app calls back to the server's own health page, so the
/// browser lands somewhere real. Answers the server, the app's client id and callback, and Alice.
async fn mfa_server(policy: bool) -> (authmock::Authmock, String, String, Value) {
    let idp = authmock::Authmock::start().await;
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let summary: Value = fetch_json(http.get(format!("{}/__authmock__/tenant", idp.uri()))).await;
    let client = |name: &str| {
        summary["clients"]
            .as_array()
            .expect("clients")
            .iter()
            .find(|c| c["name"] == name)
            .expect("seeded client")
            .clone()
    };
    let explorer = client("API Explorer Application");
    let token: Value = fetch_json(http.post(format!("{}/oauth/token", idp.uri())).json(
        &json!({"grant_type": "client_credentials", "client_id": explorer["client_id"],
                "client_secret": explorer["client_secret"], "audience": summary["audience"]}),
    ))
    .await;
    let bearer = token["access_token"].as_str().expect("access token").to_owned();
    let put = |path: &str, body: Value| {
        http.put(format!("{}{path}", idp.uri()))
            .bearer_auth(&bearer)
            .json(&body)
            .send()
    };
    assert!(
        put("/api/v2/guardian/factors/otp", json!({"enabled": true}))
            .await
            .expect("sent")
            .status()
            .is_success()
    );
    if policy {
        let set = put("/api/v2/guardian/policies", json!(["all-applications"]))
            .await
            .expect("sent");
        assert!(set.status().is_success());
    }
    let spa = client("Single-page app");
    let spa_id = spa["client_id"].as_str().expect("client id").to_owned();
    let callback = format!("{}/__authmock__/health", idp.uri());
    let patched = http
        .patch(format!("{}/api/v2/clients/{spa_id}", idp.uri()))
        .bearer_auth(&bearer)
        .json(&json!({"callbacks": [callback]}))
        .send()
        .await
        .expect("sent");
    assert!(patched.status().is_success());
    let alice = summary["users"][0].clone();
    (idp, spa_id, callback, alice)
}

/// `/authorize` for the app, with extra parameters.
fn authorize_url(idp: &authmock::Authmock, client_id: &str, callback: &str, extra: &str) -> String {
    let encode = |s: &str| serde_urlencoded::to_string([("x", s)]).expect("encodes")[2..].to_owned();
    format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20profile\
         &state=st4te&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        idp.uri(),
        encode(callback)
    )
}

/// Types into a field and clicks the primary button.
async fn fill_and_continue(browser: &Client, fields: &[(&str, &str)]) {
    for (id, value) in fields {
        let field = browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id(id))
            .await
            .expect("field");
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("typed");
    }
    browser
        .find(Locator::Css("button[data-action-button-primary=true]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submitted");
}

/// Waits for the page whose `h1` is `title`.
async fn wait_for_heading(browser: &Client, title: &str) {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!("//h1[. = '{title}']")))
        .await
        .unwrap_or_else(|_| panic!("the page titled {title}"));
}

/// The enrolment page: the code Alice's authenticator shows now (control API), typed in.
async fn enter_current_code(browser: &Client, idp: &authmock::Authmock, alice: &Value) {
    let user_id = alice["user_id"].as_str().expect("user id").replace('|', "%7C");
    let totp: Value =
        fetch_json(reqwest::Client::new().get(format!("{}/__authmock__/mfa/totp?user_id={user_id}", idp.uri()))).await;
    fill_and_continue(browser, &[("code", totp["code"].as_str().expect("code"))]).await;
}

/// Waits until the browser is at the callback; its URL.
async fn landed_at(browser: &Client, callback: &str) -> String {
    let mut url = String::new();
    for _ in 0..100 {
        url = browser.current_url().await.expect("url").to_string();
        if url.starts_with(callback) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    url
}

/// A query parameter of `url`.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("query");
    params.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Waits until the browser is at the callback and redeems its code (PKCE): the token response.
async fn callback_tokens(browser: &Client, idp: &authmock::Authmock, client_id: &str, callback: &str) -> Value {
    let url = landed_at(browser, callback).await;
    let code = query_param(&url, "code").unwrap_or_else(|| panic!("a code at the callback: {url}"));
    fetch_json(
        reqwest::Client::new()
            .post(format!("{}/oauth/token", idp.uri()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", client_id),
                ("code", &code),
                ("redirect_uri", callback),
                ("code_verifier", VERIFIER),
            ]),
    )
    .await
}

/// A JWT's claims (its signature is the token endpoint's business, checked elsewhere).
fn jwt_claims(token: &Value) -> Value {
    let token = token.as_str().unwrap_or_else(|| panic!("a token, not {token}"));
    let payload = token.split('.').nth(1).expect("payload");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims")
}

/// Waits until the browser is at the callback, redeems the code, and answers the ID token's claims.
async fn callback_claims(browser: &Client, idp: &authmock::Authmock, client_id: &str, callback: &str) -> Value {
    jwt_claims(&callback_tokens(browser, idp, client_id, callback).await["id_token"])
}

/// A login under the MFA policy: after the password the page enrols a TOTP authenticator, the
/// code (read from the control API, as an authenticator app would compute it) passes, and the ID
/// token says `amr: ["mfa"]`.
#[tokio::test]
async fn mfa_enrolment_in_headless_chromium() {
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let (idp, spa, callback, alice) = mfa_server(true).await;
    browser
        .goto(&authorize_url(&idp, &spa, &callback, ""))
        .await
        .expect("page loads");
    fill_and_continue(
        &browser,
        &[("username", "alice@example.com"), ("password", "Wonderland-2026")],
    )
    .await;
    wait_for_heading(&browser, "Secure Your Account").await;
    let uri = browser
        .find(Locator::Id("otpauth-uri"))
        .await
        .expect("the otpauth link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    assert!(
        uri.starts_with("otpauth://totp/authmock-dev:alice%40example.com?secret="),
        "{uri}"
    );
    // A wrong code first: the page says so.
    fill_and_continue(&browser, &[("code", "000000")]).await;
    let alert = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[role=alert]"))
        .await
        .expect("an error line");
    assert_eq!(alert.text().await.expect("text"), "The code you entered is invalid");
    enter_current_code(&browser, &idp, &alice).await;
    let claims = callback_claims(&browser, &idp, &spa, &callback).await;
    assert_eq!(claims["amr"], json!(["mfa"]), "{claims}");
    assert_eq!(claims["acr"], MFA_ACR);
    browser.close().await.expect("session closes");
}

/// Step-up: a session that logged in without MFA goes to the MFA page when `acr_values` asks for
/// multi-factor, and comes back with `amr: ["mfa"]`.
#[tokio::test]
async fn mfa_step_up_in_headless_chromium() {
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let (idp, spa, callback, alice) = mfa_server(false).await;
    browser
        .goto(&authorize_url(&idp, &spa, &callback, ""))
        .await
        .expect("page loads");
    fill_and_continue(
        &browser,
        &[("username", "alice@example.com"), ("password", "Wonderland-2026")],
    )
    .await;
    let plain = callback_claims(&browser, &idp, &spa, &callback).await;
    assert!(plain.get("amr").is_none(), "{plain}");
    let acr = format!(
        "&acr_values={}",
        serde_urlencoded::to_string([("x", MFA_ACR)]).expect("encodes")[2..].to_owned()
    );
    browser
        .goto(&authorize_url(&idp, &spa, &callback, &acr))
        .await
        .expect("page loads");
    wait_for_heading(&browser, "Secure Your Account").await;
    enter_current_code(&browser, &idp, &alice).await;
    let claims = callback_claims(&browser, &idp, &spa, &callback).await;
    assert_eq!(claims["amr"], json!(["mfa"]), "{claims}");
    browser.close().await.expect("session closes");
}

/// An invited user follows the invitation into the organization: headless Chromium opens
/// `/authorize` with the invitation link's `invitation` and `organization`, logs in on the
/// Universal Login form, and lands on the callback with a code whose tokens name the
/// organization, the access token with the permissions of the role the invitation gave; the user
/// is then a member. Another user, not a member, logging in through the organization in the same
/// browser is refused at the callback.
#[tokio::test]
async fn invited_user_logs_in_to_the_organization_in_headless_chromium() {
    let Some((browser, _driver, _profile)) = headless().await else {
        return;
    };
    let idp = authmock::Authmock::start().await;
    let base = idp.uri();
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let summary: Value = fetch_json(http.get(format!("{base}/__authmock__/tenant"))).await;
    let client = |name: &str| {
        summary["clients"]
            .as_array()
            .expect("clients")
            .iter()
            .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .expect("client")
            .clone()
    };
    let (explorer, spa) = (client("API Explorer"), client("Single-page"));
    let token: Value = fetch_json(http.post(format!("{base}/oauth/token")).json(&json!({
        "grant_type": "client_credentials", "client_id": explorer["client_id"],
        "client_secret": explorer["client_secret"], "audience": summary["audience"],
    })))
    .await;
    let bearer = token["access_token"].as_str().expect("access token").to_owned();
    let api = |method: reqwest::Method, path: String, body: Value| {
        let request = http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&bearer)
            .json(&body);
        async move {
            let response = request.send().await.expect("sent");
            let status = response.status();
            let text = response.text().await.expect("body");
            assert!(status.is_success(), "{path}: {status} {text}");
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
        }
    };
    // The callback is a page of the server itself (a 404 the browser shows), so the browser
    // lands somewhere and its URL carries the code.
    let callback = format!("{base}/landing");
    let spa_id = spa["client_id"].as_str().expect("client_id").to_owned();
    api(
        reqwest::Method::PATCH,
        format!("/api/v2/clients/{spa_id}"),
        json!({"organization_usage": "allow", "initiate_login_uri": "https://app.example.com/login",
               "callbacks": [callback]}),
    )
    .await;
    // RBAC on the example API, and a role holding one of its permissions.
    let audience = "https://api.example.com/";
    api(
        reqwest::Method::PATCH,
        "/api/v2/resource-servers/https%3A%2F%2Fapi.example.com%2F".into(),
        json!({"enforce_policies": true, "token_dialect": "access_token_authz"}),
    )
    .await;
    let role = api(reqwest::Method::POST, "/api/v2/roles".into(), json!({"name": "reader"})).await;
    let role_id = role["id"].as_str().expect("role id").to_owned();
    api(
        reqwest::Method::POST,
        format!("/api/v2/roles/{role_id}/permissions"),
        json!({"permissions": [{"resource_server_identifier": audience, "permission_name": "read:messages"}]}),
    )
    .await;
    let org = api(
        reqwest::Method::POST,
        "/api/v2/organizations".into(),
        json!({"name": "acme"}),
    )
    .await;
    let org_id = org["id"].as_str().expect("id").to_owned();
    let connection_id = summary["connections"][0]["id"].as_str().expect("connection id");
    api(
        reqwest::Method::POST,
        format!("/api/v2/organizations/{org_id}/enabled_connections"),
        json!({"connection_id": connection_id, "assign_membership_on_login": false}),
    )
    .await;
    let (alice, bob) = (&summary["users"][0], &summary["users"][1]);
    let invitation = api(
        reqwest::Method::POST,
        format!("/api/v2/organizations/{org_id}/invitations"),
        json!({"inviter": {"name": "Admin"}, "invitee": {"email": alice["email"]}, "client_id": spa_id,
               "roles": [role_id]}),
    )
    .await;
    let ticket = invitation["ticket_id"].as_str().expect("ticket");
    let through_org = format!("&audience=https%3A%2F%2Fapi.example.com%2F&organization={org_id}");

    browser
        .goto(&authorize_url(
            &idp,
            &spa_id,
            &callback,
            &format!("{through_org}&invitation={ticket}"),
        ))
        .await
        .expect("login page loads");
    let email = alice["email"].as_str().expect("email");
    fill_and_continue(&browser, &[("username", email), ("password", "Wonderland-2026")]).await;
    let tokens = callback_tokens(&browser, &idp, &spa_id, &callback).await;
    assert_eq!(jwt_claims(&tokens["id_token"])["org_id"], org_id.as_str(), "{tokens}");
    let access = jwt_claims(&tokens["access_token"]);
    assert_eq!(access["org_id"], org_id.as_str(), "{access}");
    assert_eq!(access["permissions"], json!(["read:messages"]), "{access}");
    let members = api(
        reqwest::Method::GET,
        format!("/api/v2/organizations/{org_id}/members"),
        Value::Null,
    )
    .await;
    assert_eq!(members[0]["user_id"], alice["user_id"], "{members}");

    // Bob, in a browser without Alice's session, is no member: refused at the callback.
    browser.delete_all_cookies().await.expect("cookies cleared");
    browser
        .goto(&authorize_url(&idp, &spa_id, &callback, &through_org))
        .await
        .expect("login page loads");
    let email = bob["email"].as_str().expect("email");
    fill_and_continue(&browser, &[("username", email), ("password", "Builder-2026")]).await;
    let refused = landed_at(&browser, &callback).await;
    browser.close().await.expect("session closes");
    assert_eq!(
        query_param(&refused, "error").as_deref(),
        Some("access_denied"),
        "{refused}"
    );
    let description = query_param(&refused, "error_description").unwrap_or_default();
    let bob_id = bob["user_id"].as_str().expect("user id");
    assert_eq!(
        description,
        format!("user {bob_id} is not part of the {org_id} organization"),
        "{refused}"
    );
}
