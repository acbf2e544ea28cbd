//! How the provider prints a custom database connection's `options.configuration`: each value
//! sealed, as an opaque base64 blob, on every read (`GET /connections`, `GET /connections/{id}`),
//! while the create's and update's answers echo the values as sent (obs: terraform-provider-auth0
//! `test/data/recordings/TestAccConnectionConfiguration.yaml`: `{"bar":"zzz","foo":"xxx"}` posted,
//! then read back as `{"bar":"CkIKIFB7R8wZ…","foo":"CkIKIFB7R8wZ…"}` on every GET).
//!
//! The recorded blobs decode as a small protobuf envelope: field 1 (66 bytes: a 32-byte key id,
//! a 12-byte nonce and a 16-byte tag, the same for every value of the connection), field 2 (the
//! value: its ciphertext, as long as the plaintext, a 12-byte nonce and a 16-byte tag: AES-GCM),
//! field 3 (16 bytes, also the same for every value). authmock seals the same way with
//! AES-256-GCM under a key derived from the connection's id, so a value reads back as the same
//! blob until it changes, as recorded; the provider's keys are its own, so no blob is ever equal
//! to a recorded one (inf: the derivation; the shape is the recordings').

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// `value` of `key` in the configuration of connection `connection_id`, sealed.
pub fn seal(connection_id: &str, key: &str, value: &str) -> String {
    let root = hmac::Key::new(hmac::HMAC_SHA256, connection_id.as_bytes());
    let derive = |label: &str| hmac::sign(&root, label.as_bytes());
    let data_key = derive("configuration data key");
    let key_id = derive("configuration key id");
    let wrap = derive("configuration wrapped key");
    let trailer = derive("configuration trailer");

    let per_value = hmac::Key::new(hmac::HMAC_SHA256, data_key.as_ref());
    let nonce_bytes = hmac::sign(&per_value, format!("{key}\u{0}{value}").as_bytes());
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&nonce_bytes.as_ref()[..12]);
    let sealing = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, data_key.as_ref()).expect("a 32-byte key"));
    let mut ciphertext = value.as_bytes().to_vec();
    let tag = sealing
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(key.as_bytes()),
            &mut ciphertext,
        )
        .expect("AES-GCM seals any length a configuration value has");

    let mut wrapped_key = Vec::new();
    field(&mut wrapped_key, 1, key_id.as_ref());
    field(&mut wrapped_key, 2, &wrap.as_ref()[..12]);
    field(&mut wrapped_key, 3, &wrap.as_ref()[12..28]);
    let mut sealed_value = Vec::new();
    field(&mut sealed_value, 1, &ciphertext);
    field(&mut sealed_value, 2, &nonce);
    field(&mut sealed_value, 3, tag.as_ref());
    let mut envelope = Vec::new();
    field(&mut envelope, 1, &wrapped_key);
    field(&mut envelope, 2, &sealed_value);
    field(&mut envelope, 3, &trailer.as_ref()[..16]);
    STANDARD.encode(envelope)
}

/// A length-delimited protobuf field: its tag, its length as a varint, its bytes.
fn field(out: &mut Vec<u8>, number: u8, bytes: &[u8]) {
    out.push(number << 3 | 2);
    let mut length = bytes.len();
    while length >= 0x80 {
        out.push((length as u8 & 0x7f) | 0x80);
        length >>= 7;
    }
    out.push(length as u8);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recorded blob for the three-letter value `zzz`, decoded: the envelope's bytes, field
    /// by field, with their lengths (obs: TestAccConnectionConfiguration).
    const RECORDED: &str = "CkIKIFB7R8wZCpI7EmB+Xi0yrkcsnlo9S4lw0w0fZNRPLoK1Egwup/B8S+PhjMznpJAaEFY09s+i9mJHrG6itFiWxVESJQoDExi0Egx2lYFZiCnGFWhQC1waECJlTmqcu42XS4gAVIvIRT8aEPB6GqhVqkcZlx3F3TSqs9k=";

    fn layout(blob: &str) -> Vec<(u8, usize)> {
        let bytes = STANDARD.decode(blob).expect("base64");
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let tag = bytes[at];
            let length = bytes[at + 1] as usize;
            out.push((tag, length));
            // Field 1 and 2 hold fields of their own: walk into them.
            at += 2 + if tag == 0x0a && length == 0x42 || tag == 0x12 && length > 0x20 {
                0
            } else {
                length
            };
        }
        out
    }

    #[test]
    fn a_sealed_value_has_the_recorded_shape() {
        let ours = seal("con_FHnCKShgzqSf7tKL", "bar", "zzz");
        assert_eq!(layout(&ours), layout(RECORDED), "{ours}");
        assert_eq!(ours.len(), RECORDED.len());
    }

    #[test]
    fn the_same_value_seals_the_same_and_a_change_seals_otherwise() {
        let once = seal("con_1", "bar", "zzz");
        assert_eq!(once, seal("con_1", "bar", "zzz"));
        assert_ne!(once, seal("con_1", "bar", "yyy"));
        assert_ne!(once, seal("con_2", "bar", "zzz"));
        // The key id part is the connection's: the first 40 characters agree, as recorded.
        assert_eq!(once[..40], seal("con_1", "foo", "xxx")[..40]);
        assert!(!once.contains("zzz"));
    }

    #[test]
    fn long_values_get_a_varint_length() {
        let long = "x".repeat(300);
        let bytes = STANDARD.decode(seal("con_1", "k", &long)).expect("base64");
        // Field 2's length, 300 + 2 + 2 + 12 + 2 + 16 + 1 = 335, takes two bytes.
        assert_eq!(&bytes[68..71], &[0x12, 0xcf, 0x02]);
    }
}
