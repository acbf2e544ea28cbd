//! The user's browser in login scenarios: the harness plays the person, the adapter plays the
//! application. It follows the provider's redirects with its own session cookie, fills the
//! Universal Login form as a person would (every hidden field back, plus username and
//! password), and stops where the provider sends it away: the application's callback or logout
//! landing, which it then hands to the adapter.

use serde_json::Value;

/// Where a walk through the provider's pages ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// A redirect off the provider: the application's callback or logout landing URL.
    Away(String),
    /// A page of the provider: status and HTML (the login form, an error page, a form_post…).
    Page(u16, String),
}

/// One browser: a cookie jar holding the provider's session cookie.
pub struct Browser {
    http: reqwest::Client,
    base_url: String,
    cookie: Option<String>,
}

/// The application the scenario logs users in to, as the tenant summary lists it.
#[derive(Debug, Clone, Default)]
pub struct LoginApp {
    pub client_id: String,
    /// Only for confidential applications (public ones authenticate with PKCE alone).
    pub client_secret: Option<String>,
    pub redirect_uri: String,
}

/// What a login scenario keeps between its steps.
#[derive(Default)]
pub struct LoginScenario {
    pub app: Option<LoginApp>,
    pub browser: Option<Browser>,
    /// The callback URL the browser last landed on.
    pub callback: Option<String>,
    /// Where the browser last ended (a callback, a logout landing, or a page).
    pub landing: Option<Landing>,
    /// The first refresh token the client reported (what an attacker would replay).
    pub first_refresh_token: Option<String>,
}

impl Browser {
    pub fn new(base_url: &str) -> Result<Self, String> {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10));
        let http = crate::harness::transport::trust(builder)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            base_url: base_url.to_owned(),
            cookie: None,
        })
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.base_url)
        } else {
            url.to_owned()
        }
    }

    fn keep_cookie(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            match pair.split_once('=') {
                Some(("auth0", "")) => self.cookie = None,
                Some(("auth0", _)) => self.cookie = Some(pair.to_owned()),
                _ => {}
            }
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Result<Landing, String> {
        let request = match &self.cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| format!("the browser's request failed: {e}"))?;
        self.keep_cookie(&response);
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            return Ok(Landing::Away(location));
        }
        Ok(Landing::Page(status, response.text().await.map_err(|e| e.to_string())?))
    }

    /// Follows redirects while they stay on the provider.
    pub async fn open(&mut self, url: &str) -> Result<Landing, String> {
        let mut url = self.absolute(url);
        for _ in 0..10 {
            let landing = self.send(self.http.get(&url)).await?;
            match landing {
                Landing::Away(location) if location.starts_with('/') || location.starts_with(&self.base_url) => {
                    url = self.absolute(&location);
                }
                other => return Ok(other),
            }
        }
        Err(format!("more than 10 redirects from {url}"))
    }

    /// Fills the login form on `page` and follows where the provider sends the browser.
    pub async fn fill_login(&mut self, page: &str, username: &str, password: &str) -> Result<Landing, String> {
        self.submit(page, &[("username", username), ("password", password)])
            .await
    }

    /// Types the one-time code into the second-factor form on `page` (Universal Login's
    /// `mfa-otp-challenge`: `state`, `code`, `action=default`) and follows where the provider
    /// sends the browser.
    pub async fn fill_code(&mut self, page: &str, code: &str) -> Result<Landing, String> {
        self.submit(page, &[("code", code)]).await
    }

    /// Posts the page's form: every hidden field back, then `typed`, then `action=default`.
    async fn submit(&mut self, page: &str, typed: &[(&str, &str)]) -> Result<Landing, String> {
        let action = attribute(page, "<form", "action").ok_or("the page has no form")?;
        let mut fields = hidden_fields(page);
        fields.extend(typed.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        fields.push(("action".into(), "default".into()));
        let url = self.absolute(&action);
        match self.send(self.http.post(&url).form(&fields)).await? {
            Landing::Away(location) if location.starts_with('/') || location.starts_with(&self.base_url) => {
                self.open(&location).await
            }
            other => Ok(other),
        }
    }
}

/// The (unescaped) value of `name` on the first element that starts with `tag`.
fn attribute(page: &str, tag: &str, name: &str) -> Option<String> {
    let start = page.find(tag)?;
    let element = &page[start..start + page[start..].find('>')?];
    let key = format!("{name}=\"");
    let from = element.find(&key)? + key.len();
    let value = &element[from..from + element[from..].find('"')?];
    Some(html_escape::decode_html_entities(value).into_owned())
}

/// Every `<input type="hidden">` of the page, as a person's browser would send it back.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    page.match_indices("<input")
        .filter_map(|(at, _)| {
            let element = &page[at..=at + page[at..].find('>')?];
            if !element.contains("type=\"hidden\"") {
                return None;
            }
            Some((
                attribute(element, "<input", "name")?,
                attribute(element, "<input", "value")?,
            ))
        })
        .collect()
}

/// A query or fragment parameter of a URL.
pub fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once(['?', '#'])?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// `url` with parameter `name` set to `value` (in its query or fragment).
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let Some((base, query)) = url.split_once(['?', '#']) else {
        return url.to_owned();
    };
    let separator = &url[base.len()..=base.len()];
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    for pair in pairs.iter_mut().filter(|(n, _)| n == name) {
        pair.1 = value.to_owned();
    }
    format!(
        "{base}{separator}{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// `url` without parameter `name` (in its query or fragment).
pub fn without_param(url: &str, name: &str) -> String {
    let Some((base, query)) = url.split_once(['?', '#']) else {
        return url.to_owned();
    };
    let separator = &url[base.len()..=base.len()];
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| n != name)
        .collect();
    format!(
        "{base}{separator}{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// A string field of a JSON result.
pub fn field(value: &Value, key: &str) -> Option<String> {
    value[key].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_and_actions_are_read_as_a_browser_reads_them() {
        let page = "<form method=\"POST\" action=\"/u/login?state=a&amp;b\">\n<input type=\"hidden\" name=\"state\" \
                    value=\"x&quot;y\">\n<input id=\"u\" name=\"username\" type=\"text\" value=\"\">";
        assert_eq!(
            attribute(page, "<form", "action").as_deref(),
            Some("/u/login?state=a&b")
        );
        assert_eq!(hidden_fields(page), vec![("state".to_owned(), "x\"y".to_owned())]);
    }

    #[test]
    fn params_are_replaced_in_query_or_fragment() {
        assert_eq!(
            with_param("http://a/cb?code=1&state=s", "state", "t"),
            "http://a/cb?code=1&state=t"
        );
        assert_eq!(url_param("http://a/cb#state=s", "state").as_deref(), Some("s"));
        assert_eq!(
            without_param("http://a/authorize?acr_values=x&state=s", "acr_values"),
            "http://a/authorize?state=s"
        );
    }
}
