use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, PASSWORD};

#[actix_web::test]
async fn me_returns_the_caller_with_email() {
    let app = spawn_app().await;
    let acc = app.signup("Tara").await;
    let res = app.get("/api/v1/users/me", Some(&acc.token)).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["id"], acc.id);
    assert_eq!(res.body["username"], "Tara");
    assert_eq!(res.body["email"], "tara@example.com");
    assert_eq!(res.body["role"], "user");
}

#[actix_web::test]
async fn deleting_myself_needs_the_password_and_cascades() {
    let app = spawn_app().await;
    let acc = app.signup("uma").await;
    let del = |body| {
        app.call(
            Method::DELETE,
            "/api/v1/users/me",
            Some(&acc.token),
            &[],
            body,
        )
    };
    del(Some(json!({"password": "wrong password 1"})))
        .await
        .assert_error(403, "forbidden");
    del(None).await.assert_error(400, "bad_request");
    assert_eq!(del(Some(json!({"password": PASSWORD}))).await.status, 204);

    app.get("/api/v1/users/me", Some(&acc.token))
        .await
        .assert_error(401, "unauthorized");
    app.login("uma", PASSWORD)
        .await
        .assert_error(401, "unauthorized");
    app.refresh(&acc.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    // The name is free again.
    assert_eq!(
        app.register("uma", "uma@example.com", PASSWORD)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn a_guest_deletes_itself_without_a_body() {
    let app = spawn_app().await;
    let guest = app
        .call(Method::POST, "/api/v1/auth/guest", None, &[], None)
        .await;
    let token = guest.body["access_token"].as_str().unwrap();
    let res = app
        .call(Method::DELETE, "/api/v1/users/me", Some(token), &[], None)
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    app.get("/api/v1/users/me", Some(token))
        .await
        .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn search_matches_name_prefixes_case_insensitively_and_hides_emails() {
    let app = spawn_app().await;
    let me = app.signup("victor").await;
    for name in ["Vera", "vern", "Walt", "ve_x"] {
        app.signup(name).await;
    }
    let res = app.get("/api/v1/users?q=VE", Some(&me.token)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let names: Vec<_> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["ve_x", "Vera", "vern"]);
    assert!(
        res.body[0].get("email").is_none(),
        "email shown to a non-admin"
    );

    let limited = app.get("/api/v1/users?q=v&limit=2", Some(&me.token)).await;
    assert_eq!(limited.body.as_array().unwrap().len(), 2);
    let all = app.get("/api/v1/users", Some(&me.token)).await;
    assert_eq!(all.body.as_array().unwrap().len(), 5);
    let none = app.get("/api/v1/users?q=%25", Some(&me.token)).await;
    assert_eq!(
        none.body.as_array().unwrap().len(),
        0,
        "no wildcard semantics"
    );
    app.get("/api/v1/users?limit=0", Some(&me.token))
        .await
        .assert_error(422, "validation_failed");
    app.get("/api/v1/users?limit=x", Some(&me.token))
        .await
        .assert_error(400, "bad_request");
}

#[actix_web::test]
async fn an_admin_sees_emails_deletes_users_and_their_tokens_stop_working() {
    let app = spawn_app().await;
    let admin = app.signup("root_admin").await;
    let victim = app.signup("wendy").await;
    app.make_admin("root_admin");

    let res = app.get("/api/v1/users?q=wen", Some(&admin.token)).await;
    assert_eq!(res.body[0]["email"], "wendy@example.com");

    let path = format!("/api/v1/users/{}", admin.id);
    let res = app
        .call(Method::DELETE, &path, Some(&victim.token), &[], None)
        .await;
    res.assert_error(403, "forbidden");

    // Warm the access cache for the victim, then delete: the next request must fail.
    assert_eq!(
        app.get("/api/v1/users/me", Some(&victim.token))
            .await
            .status,
        200
    );
    let path = format!("/api/v1/users/{}", victim.id);
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&admin.token), &[], None)
            .await
            .status,
        204
    );
    app.get("/api/v1/users/me", Some(&victim.token))
        .await
        .assert_error(401, "unauthorized");
    app.refresh(&victim.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    let again = app
        .call(Method::DELETE, &path, Some(&admin.token), &[], None)
        .await;
    again.assert_error(404, "not_found");
}

#[actix_web::test]
async fn a_role_change_applies_on_the_next_request() {
    let app = spawn_app().await;
    let admin = app.signup("boss").await;
    let xena = app.signup("xena").await;
    app.make_admin("boss");
    assert_eq!(
        app.get("/api/v1/users?q=x", Some(&xena.token)).await.status,
        200
    );

    let path = format!("/api/v1/users/{}/role", xena.id);
    let put = |token: String, role: &'static str| {
        let path = path.clone();
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                &path,
                Some(&token),
                &[],
                Some(json!({"role": role})),
            )
            .await
        }
    };
    let res = put(admin.token.clone(), "guest").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["role"], "guest");
    assert_eq!(res.body["email"], "xena@example.com");
    // Same access token, new rights.
    app.get("/api/v1/users?q=x", Some(&xena.token))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(
        app.get("/api/v1/users/me", Some(&xena.token)).await.body["role"],
        "guest"
    );

    put(admin.token.clone(), "admin").await;
    let boss_path = format!("/api/v1/users/{}/role", admin.id);
    let res = app
        .call(
            Method::PUT,
            &boss_path,
            Some(&xena.token),
            &[],
            Some(json!({"role": "user"})),
        )
        .await;
    assert_eq!(
        res.status, 200,
        "promoted user acts as admin at once: {}",
        res.body
    );

    // boss was demoted by xena: the old admin token no longer carries admin rights.
    put(admin.token.clone(), "user")
        .await
        .assert_error(403, "forbidden");
    let res = put(xena.token.clone(), "superuser").await;
    res.assert_error(400, "bad_request");
    let missing = app
        .call(
            Method::PUT,
            "/api/v1/users/999999/role",
            Some(&xena.token),
            &[],
            Some(json!({"role": "user"})),
        )
        .await;
    missing.assert_error(404, "not_found");
}
