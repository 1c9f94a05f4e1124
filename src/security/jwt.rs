//! Access tokens: short-lived JWTs signed with exactly one configured algorithm.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{hex, random_bytes};
use crate::domain::UserId;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id as a decimal string (RFC 7519 wants a string).
    pub sub: String,
    pub name: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The refresh-token family (login) the token was issued in, so a
    /// password change can keep the caller's own login and end the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

impl Claims {
    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok().map(UserId)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not read key file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("invalid key: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

/// Signing and verification keys plus the validation rules.
pub struct JwtKeys {
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl JwtKeys {
    pub fn hmac(secret: &[u8], ttl_secs: i64) -> JwtKeys {
        Self::new(
            Algorithm::HS256,
            EncodingKey::from_secret(secret),
            DecodingKey::from_secret(secret),
            ttl_secs,
        )
    }

    /// RS256 or EdDSA from PEM files (private key signs, public key verifies).
    pub fn asymmetric(
        algorithm: Algorithm,
        private_pem: &[u8],
        public_pem: &[u8],
        ttl_secs: i64,
    ) -> Result<JwtKeys, KeyError> {
        let (enc, dec) = match algorithm {
            Algorithm::RS256 => (
                EncodingKey::from_rsa_pem(private_pem)?,
                DecodingKey::from_rsa_pem(public_pem)?,
            ),
            _ => (
                EncodingKey::from_ed_pem(private_pem)?,
                DecodingKey::from_ed_pem(public_pem)?,
            ),
        };
        Ok(Self::new(algorithm, enc, dec, ttl_secs))
    }

    fn new(
        algorithm: Algorithm,
        encoding: EncodingKey,
        decoding: DecodingKey,
        ttl_secs: i64,
    ) -> JwtKeys {
        // `Validation::new` accepts only this algorithm: `none` and switches
        // (e.g. HS256 signed with a public key) are refused.
        let mut validation = Validation::new(algorithm);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        JwtKeys {
            algorithm,
            encoding,
            decoding,
            validation,
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs a token for the user; returns it with its lifetime in seconds.
    pub fn issue(
        &self,
        user_id: UserId,
        name: &str,
        role: &str,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.issue_in_family(user_id, name, role, None)
    }

    /// [`JwtKeys::issue`], naming the refresh-token family it belongs to.
    pub fn issue_in_family(
        &self,
        user_id: UserId,
        name: &str,
        role: &str,
        family: Option<&str>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            name: name.to_owned(),
            role: role.to_owned(),
            iat: now,
            exp: now + self.ttl_secs,
            jti: hex(&random_bytes::<16>()),
            fam: family.map(str::to_owned),
        };
        encode(&Header::new(self.algorithm), &claims, &self.encoding)
    }

    /// Checks signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_hs256() {
        let keys = JwtKeys::hmac(b"0123456789abcdef0123456789abcdef", 60);
        let token = keys.issue(UserId(42), "ann", "user").unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.user_id(), Some(UserId(42)));
        assert_eq!(claims.name, "ann");
        assert_eq!(claims.exp - claims.iat, 60);
    }

    #[test]
    fn refuses_other_keys_expired_and_unsigned_tokens() {
        let keys = JwtKeys::hmac(b"0123456789abcdef0123456789abcdef", 60);
        let other = JwtKeys::hmac(b"another-secret-another-secret-xx", 60);
        assert!(keys
            .verify(&other.issue(UserId(1), "a", "user").unwrap())
            .is_none());

        let expired = JwtKeys::hmac(b"0123456789abcdef0123456789abcdef", -30);
        assert!(keys
            .verify(&expired.issue(UserId(1), "a", "user").unwrap())
            .is_none());

        // {"alg":"none"} with valid-looking claims and no signature.
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        let body = keys.issue(UserId(1), "a", "admin").unwrap();
        let payload = body.split('.').nth(1).unwrap();
        assert!(keys.verify(&format!("{header}.{payload}.")).is_none());
    }
}
