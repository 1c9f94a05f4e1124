//! Opaque refresh tokens: 256 random bits handed to the client, only a
//! SHA-256 of them stored.

use sha2::{Digest, Sha256};

use super::{hex, random_bytes};

/// A new token and the hash to store for it.
pub fn generate() -> (String, String) {
    let token = hex(&random_bytes::<32>());
    let hashed = hash(&token);
    (token, hashed)
}

/// The stored form of a presented token.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A family groups every token descended from one login.
pub fn new_family() -> String {
    hex(&random_bytes::<16>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_are_stored_hashed() {
        let (token, hashed) = generate();
        assert_eq!(token.len(), 64);
        assert_ne!(token, hashed);
        assert_eq!(hash(&token), hashed);
        assert_ne!(generate().0, token);
    }
}
