//! Every byte of Capture text and the helpers that write it: the wire errors of both envelopes
//! (`error`, `entity_error`), the form and flow names and default texts (`text`), the mail
//! (`mail`), response headers and hints (`respond`) and request decoding (`params`).
//!
//! The layer the fidelity audit against `shared/providers/janrain*.md` reads. Imports `core`
//! only: never the tenant or an API folder.

pub(in crate::janrain) mod entity_error;
pub(in crate::janrain) mod error;
pub(in crate::janrain) mod mail;
pub(in crate::janrain) mod params;
pub(in crate::janrain) mod respond;
pub(in crate::janrain) mod text;
