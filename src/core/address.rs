//! Where a listener answers: its base URL and the `host:port` SDKs call the domain.

/// Where a tenant's listener answers, fixed once the port is bound.
#[derive(Debug, Clone)]
pub struct TenantAddress {
    /// `http://127.0.0.1:4010`, no trailing slash.
    pub base_url: String,
    /// `127.0.0.1:4010`: what SDKs call the "domain".
    pub host: String,
}

impl TenantAddress {
    pub fn http(addr: std::net::SocketAddr) -> Self {
        Self {
            base_url: format!("http://{addr}"),
            host: addr.to_string(),
        }
    }

    /// A listener serving TLS: issuer, audience and ticket URLs use `https://`.
    pub fn https(addr: std::net::SocketAddr) -> Self {
        Self {
            base_url: format!("https://{addr}"),
            host: addr.to_string(),
        }
    }
}
