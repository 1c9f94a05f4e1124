//! Secrets: the token signing keys, and random keys kept in the database.

use crate::config::{JwtAlgorithm, Settings};
use crate::db;
use crate::security::jwt::{JwtKeys, KeyError};

use super::StartupError;

/// The keys tokens are signed and checked with: `--jwt-secret`, the key
/// files for RS256/EdDSA, or an HS256 secret generated once and kept in the
/// database.
pub(super) fn load(settings: &Settings, conn: &mut db::DbConn) -> Result<JwtKeys, StartupError> {
    let ttl = i64::from(settings.access_token_ttl);
    let read = |path: &std::path::PathBuf| {
        std::fs::read(path).map_err(|e| KeyError::Read(path.display().to_string(), e))
    };
    let (alg, private, public) = match settings.jwt_algorithm {
        JwtAlgorithm::Hs256 => {
            let secret = match &settings.jwt_secret {
                Some(secret) => secret.0.clone(),
                None => generated_secret(conn)?,
            };
            return Ok(JwtKeys::hmac(secret.as_bytes(), ttl));
        }
        JwtAlgorithm::Rs256 => (
            jsonwebtoken::Algorithm::RS256,
            &settings.jwt_private_key_file,
            &settings.jwt_public_key_file,
        ),
        JwtAlgorithm::EdDsa => (
            jsonwebtoken::Algorithm::EdDSA,
            &settings.jwt_private_key_file,
            &settings.jwt_public_key_file,
        ),
    };
    let missing = || StartupError::Config("key files missing".into());
    let private = read(private.as_ref().ok_or_else(missing)?)?;
    let public = read(public.as_ref().ok_or_else(missing)?)?;
    Ok(JwtKeys::asymmetric(alg, &private, &public, ttl)?)
}

/// A secret kept in the database, so tokens survive restarts without setup.
fn generated_secret(conn: &mut db::DbConn) -> Result<String, StartupError> {
    let (secret, created) = generated(conn, "jwt_secret")?;
    if created {
        log::info!("no --jwt-secret given: generated one and stored it in the database");
    }
    Ok(secret)
}

/// A random key kept in the database under `name`, shared by every instance.
pub(super) fn generated_key(conn: &mut db::DbConn, name: &str) -> Result<String, StartupError> {
    Ok(generated(conn, name)?.0)
}

fn generated(conn: &mut db::DbConn, name: &str) -> Result<(String, bool), StartupError> {
    let candidate = crate::security::hex(&crate::security::random_bytes::<32>());
    Ok(db::settings::get_or_insert(conn, name, &candidate)?)
}
