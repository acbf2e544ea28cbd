//! RS256 (RSASSA-PKCS1-v1_5, SHA-256, 2048-bit) sign and verify: ring and aws-lc-rs in alternation.
use std::time::Instant;

const PEM: &str = include_str!("../../../fixtures/auth0-tenant.key.pem");

fn der() -> Vec<u8> {
    let body: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    decode_b64(&body)
}

fn decode_b64(s: &str) -> Vec<u8> {
    let table = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= table(*c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

const MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkFlMm12VktfTG1xNUVscGpLTTI5QyJ9.eyJpc3MiOiJodHRwczovL2F1dGhtb2NrLmV1LmF1dGgwLmNvbS8iLCJzdWIiOiJhdXRoMHw2NTAwMDAwMDAwMDAwMDAwMDAwMDAwMDEiLCJhdWQiOlsiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJodHRwczovL2F1dGhtb2NrLmV1LmF1dGgwLmNvbS91c2VyaW5mbyJdLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDA4NjQwMCwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCIsImF6cCI6ImFiYyJ9";

fn time<F: FnMut()>(n: u32, mut f: F) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

#[cfg(feature = "with-ring")]
fn ring_round(der: &[u8], n: u32) -> (f64, f64) {
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
    let key = RsaKeyPair::from_pkcs8(der).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let mut sig = vec![0; key.public().modulus_len()];
    let sign = time(n, || key.sign(&RSA_PKCS1_SHA256, &rng, MESSAGE, &mut sig).unwrap());
    let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public().as_ref().to_vec());
    let verify = time(n * 10, || public.verify(MESSAGE, &sig).unwrap());
    (sign, verify)
}

#[cfg(feature = "with-aws")]
fn aws_round(der: &[u8], n: u32) -> (f64, f64) {
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
    let key = RsaKeyPair::from_pkcs8(der).unwrap();
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut sig = vec![0; key.public_modulus_len()];
    let sign = time(n, || key.sign(&RSA_PKCS1_SHA256, &rng, MESSAGE, &mut sig).unwrap());
    let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref().to_vec());
    let verify = time(n * 10, || public.verify(MESSAGE, &sig).unwrap());
    (sign, verify)
}

fn median(v: &mut Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let der = der();
    if std::env::args().nth(2).as_deref() == Some("first") {
        #[cfg(feature = "with-aws")]
        {
            let start = Instant::now();
            let key = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
            let parsed = start.elapsed();
            let mut sig = vec![0; key.public_modulus_len()];
            key.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                MESSAGE,
                &mut sig,
            )
            .unwrap();
            println!(
                "aws-lc-rs first key parse {:?}, parse+first sign {:?}",
                parsed,
                start.elapsed()
            );
        }
        #[cfg(feature = "with-ring")]
        {
            let start = Instant::now();
            let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                MESSAGE,
                &mut sig,
            )
            .unwrap();
            println!("ring first parse+sign {:?}", start.elapsed());
        }
        return;
    }
    let rounds: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(7);
    let n = 400;
    let (mut rs, mut rv, mut as_, mut av) = (vec![], vec![], vec![], vec![]);
    for r in 0..rounds {
        #[cfg(feature = "with-ring")]
        {
            let (s, v) = ring_round(&der, n);
            println!("round {r} ring      sign {s:8.1} us  verify {v:6.1} us");
            rs.push(s);
            rv.push(v);
        }
        #[cfg(feature = "with-aws")]
        {
            let (s, v) = aws_round(&der, n);
            println!("round {r} aws-lc-rs sign {s:8.1} us  verify {v:6.1} us");
            as_.push(s);
            av.push(v);
        }
    }
    if !rs.is_empty() {
        let (s, v) = (median(&mut rs), median(&mut rv));
        println!(
            "ring      median sign {s:.1} us ({:.0}/s)  verify {v:.1} us ({:.0}/s)",
            1e6 / s,
            1e6 / v
        );
    }
    if !as_.is_empty() {
        let (s, v) = (median(&mut as_), median(&mut av));
        println!(
            "aws-lc-rs median sign {s:.1} us ({:.0}/s)  verify {v:.1} us ({:.0}/s)",
            1e6 / s,
            1e6 / v
        );
    }
}
