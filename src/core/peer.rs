//! The caller's own address: the listener hands every request its connection's peer (axum's
//! `ConnectInfo`), and attack protection counts failed logins against it. Requests that did not
//! come over a socket (a router driven in-process) have none.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Extensions;
use axum::http::request::Parts;

/// What the listener records of each connection (its remote address), as axum's `ConnectInfo`.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The TLS listener (axum-server) hands over the remote address itself.
impl Connected<SocketAddr> for PeerAddr {
    fn connect_info(remote: SocketAddr) -> Self {
        Self(remote)
    }
}

/// The address of the connection a request came on, if it came on one.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<IpAddr>);

impl Peer {
    /// The peer recorded in a request's extensions.
    pub fn of(extensions: &Extensions) -> Self {
        Self(
            extensions
                .get::<ConnectInfo<PeerAddr>>()
                .map(|ConnectInfo(PeerAddr(addr))| addr.ip()),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self::of(&parts.extensions))
    }
}
