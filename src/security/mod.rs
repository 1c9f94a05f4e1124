//! Authentication primitives as plain functions: password hashing, access
//! tokens, refresh tokens, and the per-request access cache. The accounts actor
//! and the HTTP extractor compose them.

pub mod access;
pub mod file_urls;
pub mod jwt;
pub mod password;
pub mod refresh;

/// Fills a buffer from the operating system's CSPRNG.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buf = [0u8; N];
    OsRng.fill_bytes(&mut buf);
    buf
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
