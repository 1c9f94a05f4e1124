use actix_web::http::Method;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD, SECRET};

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[actix_web::test]
async fn access_tokens_carry_the_contract_claims_signed_hs256() {
    let app = spawn_app().await;
    let acc = app.signup("kate").await;
    let header = claims_of(&format!("x.{}", acc.token.split('.').next().unwrap()));
    assert_eq!(header["alg"], "HS256");
    let claims = claims_of(&acc.token);
    assert_eq!(claims["sub"], acc.id.to_string(), "sub is a decimal string");
    assert_eq!(claims["name"], "kate");
    assert_eq!(claims["role"], "user");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

#[actix_web::test]
async fn forged_unsigned_expired_and_switched_algorithm_tokens_are_401() {
    let app = spawn_app().await;
    let acc = app.signup("liam").await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": acc.id.to_string(), "name": "liam", "role": "admin",
                        "iat": now, "exp": now + 600, "jti": "x"});
    let sign = |alg: Algorithm, key: &[u8], claims: &Value| {
        encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
    };
    let other_key = sign(
        Algorithm::HS256,
        b"some-other-secret-some-other-secret",
        &claims,
    );
    let hs512 = sign(Algorithm::HS512, SECRET.as_bytes(), &claims);
    let mut old = claims.clone();
    old["iat"] = json!(now - 3600);
    old["exp"] = json!(now - 1800);
    let expired = sign(Algorithm::HS256, SECRET.as_bytes(), &old);
    let payload = acc.token.split('.').nth(1).unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    for (what, token) in [
        ("other key", other_key),
        ("HS512", hs512),
        ("expired", expired),
        ("alg none", unsigned),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let res = app.get("/api/v1/users/me", Some(&token)).await;
        assert_eq!(res.status, 401, "{what} accepted");
        res.assert_error(401, "unauthorized");
    }
    let valid = sign(Algorithm::HS256, SECRET.as_bytes(), &claims);
    assert_eq!(app.get("/api/v1/users/me", Some(&valid)).await.status, 200);
    app.get("/api/v1/users/me", None)
        .await
        .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn refresh_rotates_the_cookie_and_each_token_works_once() {
    let app = spawn_app().await;
    let acc = app.signup("mia").await;
    let first = app.refresh(&acc.cookie, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["token_type"], "Bearer");
    assert_eq!(first.body["user"]["username"], "mia");
    let token = first.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/users/me", Some(token)).await.status, 200);
    let next = first.refresh_cookie().unwrap();
    assert_ne!(next, acc.cookie);
    assert_eq!(app.refresh(&next, None).await.status, 200);
}

#[actix_web::test]
async fn reusing_a_refresh_token_revokes_the_whole_family_including_the_newest() {
    let app = spawn_app().await;
    let acc = app.signup("noah").await;
    let second = app
        .refresh(&acc.cookie, None)
        .await
        .refresh_cookie()
        .unwrap();
    let third = app.refresh(&second, None).await.refresh_cookie().unwrap();
    // The first token again: someone copied it.
    app.refresh(&acc.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    app.refresh(&third, None)
        .await
        .assert_error(401, "unauthorized");

    // Another login is another family and is unaffected.
    let other = app.login("noah", PASSWORD).await.refresh_cookie().unwrap();
    assert_eq!(app.refresh(&other, None).await.status, 200);
}

#[actix_web::test]
async fn refresh_without_or_with_an_unknown_cookie_is_401() {
    let app = spawn_app().await;
    let res = app
        .call(Method::POST, "/api/v1/auth/refresh", None, &[], None)
        .await;
    res.assert_error(401, "unauthorized");
    app.refresh("refresh_token=deadbeef", None)
        .await
        .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn logout_revokes_the_family_and_clears_the_cookie() {
    let app = spawn_app().await;
    let acc = app.signup("olga").await;
    let headers = [("Cookie", acc.cookie.as_str())];
    let res = app
        .call(Method::POST, "/api/v1/auth/logout", None, &headers, None)
        .await;
    assert_eq!(res.status, 204);
    let line = res
        .refresh_set_cookie()
        .expect("clearing cookie")
        .to_ascii_lowercase();
    assert!(
        line.starts_with("refresh_token=;") || line.starts_with("refresh_token=\"\""),
        "{line}"
    );
    assert!(
        line.contains("max-age=0") && line.contains("path=/api/v1/auth"),
        "{line}"
    );
    app.refresh(&acc.cookie, None)
        .await
        .assert_error(401, "unauthorized");

    let res = app
        .call(Method::POST, "/api/v1/auth/logout", None, &[], None)
        .await;
    assert_eq!(res.status, 204, "logout without a cookie");
}

#[actix_web::test]
async fn cross_site_refresh_and_logout_are_403_and_the_token_stays_usable() {
    let app = spawn_app().await;
    let acc = app.signup("paul").await;
    for origin in [
        "https://evil.example",
        "null",
        &format!("http://127.0.0.1:{}", app.port + 1),
    ] {
        app.refresh(&acc.cookie, Some(origin))
            .await
            .assert_error(403, "forbidden");
        let headers = [("Cookie", acc.cookie.as_str()), ("Origin", origin)];
        let res = app
            .call(Method::POST, "/api/v1/auth/logout", None, &headers, None)
            .await;
        res.assert_error(403, "forbidden");
    }
    let same = format!("http://127.0.0.1:{}", app.port);
    let res = app.refresh(&acc.cookie, Some(&same)).await;
    assert_eq!(
        res.status, 200,
        "same origin accepted, token still valid: {}",
        res.body
    );
}

#[actix_web::test]
async fn the_origin_check_follows_the_configured_public_url() {
    let app = spawn_app_with(|s| s.public_url = Some("https://chat.example.com".into())).await;
    let acc = app.signup("quinn").await;
    let local = format!("http://127.0.0.1:{}", app.port);
    app.refresh(&acc.cookie, Some(&local))
        .await
        .assert_error(403, "forbidden");
    let res = app
        .refresh(&acc.cookie, Some("https://chat.example.com"))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[actix_web::test]
async fn eddsa_keys_sign_tokens_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("ed.pem");
    let public = dir.path().join("ed.pub.pem");
    let ok = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&private)
        .status()
        .expect("openssl available")
        .success();
    assert!(ok);
    let ok = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let app = spawn_app_with(|s| {
        s.jwt_secret = None;
        s.jwt_algorithm = microchat::config::JwtAlgorithm::EdDsa;
        s.jwt_private_key_file = Some(private.clone());
        s.jwt_public_key_file = Some(public.clone());
    })
    .await;
    let acc = app.signup("rita").await;
    let header = claims_of(&format!("x.{}", acc.token.split('.').next().unwrap()));
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(
        app.get("/api/v1/users/me", Some(&acc.token)).await.status,
        200
    );
    // An HS256 token made with a guessable "secret" must not pass.
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": acc.id.to_string(), "name": "rita", "role": "user",
                        "iat": now, "exp": now + 600, "jti": "x"});
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    app.get("/api/v1/users/me", Some(&forged))
        .await
        .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn a_generated_secret_is_kept_in_the_database_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("keep.db").display());
    let start = || {
        let url = url.clone();
        spawn_app_with(move |s| {
            s.jwt_secret = None;
            s.database_url = url;
        })
    };
    let first = start().await;
    let acc = first.signup("sam").await;
    let second = start().await;
    assert_eq!(
        second
            .get("/api/v1/users/me", Some(&acc.token))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_login_sweeps_the_users_expired_refresh_tokens() {
    use microchat::db::{self, refresh_tokens};
    let app = spawn_app().await;
    let acc = app.signup("tess").await;
    let pool = db::connect(&app.settings.database_url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(60);
    let new = refresh_tokens::NewRefreshToken {
        user_id: microchat::domain::UserId(acc.id),
        family_id: "old",
        token_hash: "expired-hash",
        created_at: long_ago,
        expires_at: long_ago + chrono::Duration::days(30),
    };
    refresh_tokens::create(&mut conn, &new).unwrap();
    assert!(refresh_tokens::find_by_hash(&mut conn, "expired-hash")
        .unwrap()
        .is_some());
    assert_eq!(app.login("tess", PASSWORD).await.status, 200);
    assert!(refresh_tokens::find_by_hash(&mut conn, "expired-hash")
        .unwrap()
        .is_none());
    // Live tokens of the same user are untouched.
    assert_eq!(app.refresh(&acc.cookie, None).await.status, 200);
}

/// Two tabs (or a retried request) presenting the same cookie at once.
#[actix_web::test]
async fn a_refresh_presented_twice_within_the_grace_gets_two_working_tokens() {
    let app = spawn_app().await;
    let acc = app.signup("olga").await;
    let (a, b) = futures_util::join!(
        app.refresh(&acc.cookie, None),
        app.refresh(&acc.cookie, None)
    );
    assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.body, b.body);
    // Again, one after the other: still the just-rotated token.
    let c = app.refresh(&acc.cookie, None).await;
    assert_eq!(c.status, 200, "{}", c.body);
    for res in [&a, &b, &c] {
        let next = res.refresh_cookie().unwrap();
        assert_eq!(
            app.refresh(&next, None).await.status,
            200,
            "same family, usable"
        );
    }
}

#[actix_web::test]
async fn after_the_grace_a_reused_refresh_token_revokes_its_family() {
    let app = spawn_app_with(|s| s.refresh_reuse_grace = 1).await;
    let acc = app.signup("pia").await;
    let next = app
        .refresh(&acc.cookie, None)
        .await
        .refresh_cookie()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.refresh(&acc.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    app.refresh(&next, None)
        .await
        .assert_error(401, "unauthorized");
}
