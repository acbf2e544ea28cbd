//! Tenant isolation under concurrency: 100 tenants, each on its own loopback listener, driven in
//! parallel, never see each other's users, tickets, mail, journal or clock.

use serde_json::{Value, json};

const TENANTS: u64 = 100;

async fn fetch(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Drives tenant `i` and checks that it saw only its own traffic.
async fn drive(i: u64) {
    let idp = authmock::Authmock::start().await;
    let base = idp.uri();
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let (_, summary) = fetch(http.get(format!("{base}/__authmock__/tenant"))).await;
    // Each tenant's clock moves by its own amount.
    let (status, _) = fetch(
        http.post(format!("{base}/__authmock__/clock"))
            .json(&json!({"advance_secs": i * 1000})),
    )
    .await;
    assert_eq!(status, 200);
    let backend = &summary["clients"][0];
    let (_, token) = fetch(http.post(format!("{base}/oauth/token")).json(&json!({
        "grant_type": "client_credentials", "client_id": backend["client_id"],
        "client_secret": backend["client_secret"], "audience": summary["audience"]})))
    .await;
    let token = token["access_token"].as_str().expect("token").to_owned();
    let alice = summary["users"][0]["user_id"].as_str().expect("alice").to_owned();
    let user_url = format!("{base}/api/v2/users/{}", alice.replace('|', "%7C"));
    let (status, _) = fetch(
        http.patch(&user_url)
            .bearer_auth(&token)
            .json(&json!({"user_metadata": {"tenant": i}})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = fetch(
        http.post(format!("{base}/api/v2/tickets/password-change"))
            .bearer_auth(&token)
            .json(&json!({"user_id": alice})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, user) = fetch(http.get(&user_url).bearer_auth(&token)).await;
    assert_eq!(
        user["user_metadata"],
        json!({"tenant": i}),
        "tenant {i} sees its own user"
    );

    let (_, clock) = fetch(http.get(format!("{base}/__authmock__/clock"))).await;
    let skew = clock["unix"].as_i64().expect("unix") - time::OffsetDateTime::now_utc().unix_timestamp();
    let expected = i64::try_from(i * 1000).expect("small");
    assert!(
        (skew - expected).abs() < 60,
        "tenant {i}: clock {skew} s ahead, wanted {expected}"
    );
    let (_, journal) = fetch(http.get(format!("{base}/__authmock__/journal"))).await;
    assert_eq!(journal["total"], 4, "tenant {i}: token, patch, ticket, get: {journal}");
    let (_, outbox) = fetch(http.get(format!("{base}/__authmock__/outbox"))).await;
    assert_eq!(outbox["total"], 0, "tickets from the Management API send no mail");
    assert_eq!(
        idp.tenant().state().tickets().len(),
        1,
        "tenant {i} holds only its own ticket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_tenants_in_parallel_stay_apart() {
    let drivers: Vec<_> = (0..TENANTS).map(|i| tokio::spawn(drive(i))).collect();
    for driver in drivers {
        driver.await.expect("a tenant's checks passed");
    }
}
