//! The real binary over real HTTP: the Janrain PHP sample's recovery flow (facts §4–§7), form
//! bodies and parameter names as the sample sends them.

use serde_json::Value;

#[tokio::test]
async fn php_sample_recovery_flow_over_real_http() {
    let (_server, _, summary) = crate::blackbox::start();
    assert_eq!(summary["provider"], "janrain");
    let base = summary["base_url"].as_str().expect("base_url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "binds loopback: {base}");
    let client_id = summary["clients"][0]["client_id"].as_str().expect("id").to_owned();
    let secret = summary["clients"][0]["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let recover_url = summary["clients"][0]["password_recover_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let email = summary["users"][0]["email"].as_str().expect("email").to_owned();
    let old_password = summary["users"][0]["password"].as_str().expect("password").to_owned();
    let flow_version = summary["flow"]["version"].as_str().expect("version").to_owned();
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let post = |path: &str, form: Vec<(&str, String)>| {
        let request = http.post(format!("{base}{path}")).form(&form);
        async move {
            let response = request.send().await.expect("sent");
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers().get("cache-control").and_then(|v| v.to_str().ok()),
                Some("no-store")
            );
            response.json::<Value>().await.expect("JSON")
        }
    };
    let common = |form: &str| {
        vec![
            ("client_id", client_id.clone()),
            ("flow", "standard".to_owned()),
            ("flow_version", flow_version.clone()),
            ("locale", "en-US".to_owned()),
            ("form", form.to_owned()),
        ]
    };

    // 1. forgot_password_native (index.php)
    let mut form = common("forgotPasswordForm");
    form.push(("redirect_uri", recover_url.clone()));
    form.push(("signInEmailAddress", email.clone()));
    assert_eq!(post("/oauth/forgot_password_native", form).await["stat"], "ok");

    // 2. the code from the mailed link ($_GET['code'] in new_password.php)
    let outbox: Value = http
        .get(format!("{base}/__authmock__/outbox"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let link = outbox["messages"][0]["Links"][0].as_str().expect("link").to_owned();
    let code = link
        .strip_prefix(&format!("{recover_url}?code="))
        .expect("link is password_recover_url?code=")
        .to_owned();

    // 3. /oauth/token with the same client
    let tokens = post(
        "/oauth/token",
        vec![
            ("client_id", client_id.clone()),
            ("client_secret", secret.clone()),
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", recover_url.clone()),
        ],
    )
    .await;
    assert_eq!(tokens["transaction_state"]["capture"]["password_recover"], 1);
    let access_token = tokens["access_token"].as_str().expect("token").to_owned();

    // 4. update_profile_native with changePasswordFormNoAuth
    let mut form = common("changePasswordFormNoAuth");
    form.push(("access_token", access_token));
    form.push(("newPassword", "Brand-New-Secret-7".to_owned()));
    form.push(("newPasswordConfirm", "Brand-New-Secret-7".to_owned()));
    assert_eq!(post("/oauth/update_profile_native", form).await["stat"], "ok");

    // 5. sign in: the new password works, the old one is 210
    let sign_in = |password: &str| {
        let mut form = common("signInForm");
        form.push(("redirect_uri", recover_url.clone()));
        form.push(("response_type", "token".to_owned()));
        form.push(("signInEmailAddress", email.clone()));
        form.push(("currentPassword", password.to_owned()));
        post("/oauth/auth_native_traditional", form)
    };
    let new = sign_in("Brand-New-Secret-7").await;
    assert_eq!(new["stat"], "ok");
    assert_eq!(new["capture_user"]["email"], email.as_str());
    let old = sign_in(&old_password).await;
    assert_eq!(old["code"], 210);
    assert_eq!(old["error"], "invalid_credentials");
}

#[tokio::test]
async fn janrain_mock_embeds_an_app_on_a_free_loopback_port() {
    let capture = authmock::JanrainMock::start().await;
    assert!(capture.uri().starts_with("http://127.0.0.1:"), "{}", capture.uri());
    authmock::core::crypto::install();
    let reply = reqwest::Client::new()
        .post(format!("{}/oauth/forgot_password_native", capture.uri()))
        .form(&[("flow", "standard")])
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.expect("JSON");
    assert_eq!(body["code"], 100);
    assert_eq!(body["argument_name"], "client_id");
    assert!(capture.tenant().state().outbox.is_empty());
}
