//! Profiles (issue 13): display names and avatars, and the user object
//! carrying them wherever it appears.

use actix_web::http::Method;
use image::{DynamicImage, Rgb, RgbImage};
use serde_json::json;

use crate::file_harness::{spawn_on, Store};
use crate::helpers::{spawn_app, TestApp};

async fn patch_me(app: &TestApp, token: &str, body: serde_json::Value) -> crate::helpers::Resp {
    app.call(
        Method::PATCH,
        "/api/v1/users/me",
        Some(token),
        &[],
        Some(body),
    )
    .await
}

/// 600 × 300: red left quarter, green middle half, blue right quarter.
fn banded_png() -> Vec<u8> {
    let img = RgbImage::from_fn(600, 300, |x, _| match x {
        0..150 => Rgb([255, 0, 0]),
        150..450 => Rgb([0, 255, 0]),
        _ => Rgb([0, 0, 255]),
    });
    let mut out = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

#[actix_web::test]
async fn a_display_name_is_set_trimmed_validated_and_cleared() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let me = app.get("/api/v1/users/me", Some(&ann.token)).await;
    assert_eq!(me.body["display_name"], serde_json::Value::Null);
    assert_eq!(me.body["avatar_url"], serde_json::Value::Null);

    let res = patch_me(&app, &ann.token, json!({"display_name": "  Ann Lee "})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["display_name"], "Ann Lee");
    assert_eq!(res.body["username"], "ann");
    // Absent fields stay as they are.
    let res = patch_me(&app, &ann.token, json!({})).await;
    assert_eq!(res.body["display_name"], "Ann Lee");

    for bad in [json!(""), json!("x".repeat(65)), json!("a\u{7}b")] {
        let res = patch_me(&app, &ann.token, json!({"display_name": bad})).await;
        res.assert_error(422, "validation_failed");
        assert!(res.body["error"]["details"]["fields"]["display_name"].is_string());
    }
    patch_me(&app, &ann.token, json!({"display_name": 5}))
        .await
        .assert_error(400, "bad_request");
    let res = patch_me(&app, &ann.token, json!({"display_name": "я".repeat(64)})).await;
    assert_eq!(res.status, 200);

    // Others see it: in search and among a chat's members.
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&bob.token, "team", &["ann"], false).await;
    let found = app.get("/api/v1/users?q=ann", Some(&bob.token)).await;
    assert_eq!(found.body[0]["display_name"], "я".repeat(64));
    let chat = app
        .get(&format!("/api/v1/chats/{chat}"), Some(&bob.token))
        .await;
    let member = chat.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == "ann")
        .unwrap()
        .clone();
    assert_eq!(member["display_name"], "я".repeat(64));
    assert!(member.get("avatar_url").is_some());

    let res = patch_me(&app, &ann.token, json!({"display_name": null})).await;
    assert_eq!(res.body["display_name"], serde_json::Value::Null);
    let (_, ready) = app.ws(&ann.token).await;
    assert!(ready["user"].get("display_name").is_some(), "{ready}");
}

#[actix_web::test]
async fn an_avatar_is_the_centred_square_at_256_px_and_served_to_anyone() {
    let app = spawn_on(Store::Disk, |_| {}).await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let up = app.upload(&ann.token, "me.png", &banded_png()).await;
    assert_eq!(up.status, 201, "{}", up.body);
    let upload = up.body["id"].as_i64().unwrap();

    // Someone else's upload, or no upload, is not a valid avatar.
    let res = patch_me(&app, &bob.token, json!({"avatar_upload_id": upload})).await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["error"]["details"]["fields"]["avatar_upload_id"].is_string());
    let text = app.upload(&ann.token, "a.txt", b"hello").await;
    let res = patch_me(
        &app,
        &ann.token,
        json!({"avatar_upload_id": text.body["id"]}),
    )
    .await;
    res.assert_error(422, "validation_failed");

    let res = patch_me(&app, &ann.token, json!({"avatar_upload_id": upload})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let url = res.body["avatar_url"].as_str().unwrap().to_owned();
    let got = app.download(&url, &[]).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), "image/jpeg");
    assert!(got.header("cache-control").contains("immutable"));
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    let img = image::load_from_memory(&got.body).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (256, 256));
    let Rgb([r, g, b]) = *img.get_pixel(3, 128);
    assert!(
        g > 200 && r < 60 && b < 60,
        "left edge is the green middle: {r},{g},{b}"
    );

    // Bob sees it in search; the original upload is not served this way.
    let found = app.get("/api/v1/users?q=ann", Some(&bob.token)).await;
    assert_eq!(found.body[0]["avatar_url"], url.as_str());
    assert_eq!(
        app.download(&format!("/api/v1/avatars/{upload}"), &[])
            .await
            .status,
        404
    );

    // A new avatar gets a new URL; clearing it stops the old one.
    let res = patch_me(&app, &ann.token, json!({"avatar_upload_id": upload})).await;
    let second = res.body["avatar_url"].as_str().unwrap().to_owned();
    assert_ne!(second, url);
    assert_eq!(app.download(&url, &[]).await.status, 404);
    let res = patch_me(&app, &ann.token, json!({"avatar_upload_id": null})).await;
    assert_eq!(res.body["avatar_url"], serde_json::Value::Null);
    assert_eq!(app.download(&second, &[]).await.status, 404);
}

#[actix_web::test]
async fn the_sweep_keeps_a_current_avatar() {
    let app = spawn_on(Store::Disk, |s| {
        s.upload_orphan_ttl = 1;
        s.upload_sweep_interval = 1;
    })
    .await;
    let ann = app.signup("ann").await;
    let up = app.upload(&ann.token, "me.png", &banded_png()).await;
    let res = patch_me(&app, &ann.token, json!({"avatar_upload_id": up.body["id"]})).await;
    let url = res.body["avatar_url"].as_str().unwrap().to_owned();
    // The uncropped original was never attached: a sweep removes it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.stored_objects().await > 1 && std::time::Instant::now() < deadline {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.stored_objects().await, 1, "the original is swept");
    // A couple more sweeps (one a second) leave the avatar alone.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        app.download(&url, &[]).await.status,
        200,
        "avatar survives the sweep"
    );
    assert_eq!(app.stored_objects().await, 1);
}
