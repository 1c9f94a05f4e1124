//! Checks made once at start-up that flags alone cannot make.

use super::{JwtAlgorithm, Settings};

impl Settings {
    /// Checks what flags alone cannot: combinations and the database URL.
    pub fn validate(&self) -> Result<(), String> {
        if crate::db::Backend::from_url(&self.database_url).is_none() {
            return Err("--database-url must start with sqlite:// or postgres://".into());
        }
        let asymmetric = self.jwt_algorithm != JwtAlgorithm::Hs256;
        let has_keys = self.jwt_private_key_file.is_some() && self.jwt_public_key_file.is_some();
        if asymmetric && !has_keys {
            return Err("--jwt-algorithm RS256/EdDSA needs --jwt-private-key-file and --jwt-public-key-file".into());
        }
        if asymmetric && self.jwt_secret.is_some() {
            return Err("--jwt-secret is only for HS256".into());
        }
        if self.s3_endpoint.is_some() && self.s3_bucket.is_none() {
            return Err("--s3-endpoint needs --s3-bucket".into());
        }
        if let Some(endpoint) = &self.s3_endpoint {
            if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
                return Err("--s3-endpoint must start with http:// or https://".into());
            }
        }
        Ok(())
    }
}
