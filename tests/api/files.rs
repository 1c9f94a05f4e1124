//! `GET /api/v1/files/{id}/{name}`: signatures, ranges, caching headers,
//! and the sweep of uploads never attached, on every configured storage.

use std::time::Duration;

use microchat::security::file_urls::Variant;

use crate::file_harness::{spawn_on, stores, Store};
use crate::uploads::png;

#[actix_web::test]
async fn wrong_missing_or_expired_signatures_are_403() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let res = app.upload(&ann.token, "a.txt", b"secret plans").await;
        let id = res.body["id"].as_i64().unwrap();
        let urls = app.urls();
        let now = chrono::Utc::now().timestamp();

        let good = app.url(id, "a.txt", Variant::File);
        assert_eq!(app.download(&good, &[]).await.status, 200);
        // The same link works whatever the name segment says.
        let renamed = good.replace("/a.txt?", "/other.txt?");
        assert_eq!(app.download(&renamed, &[]).await.body, b"secret plans");

        let exp = now + 600;
        let sig = urls.sign(id, Variant::File, exp);
        let path =
            |id: i64, exp: i64, sig: &str| format!("/api/v1/files/{id}/a.txt?exp={exp}&sig={sig}");
        assert_eq!(app.download(&path(id, exp, &sig), &[]).await.status, 200);
        let forbidden = [
            format!("/api/v1/files/{id}/a.txt"),
            format!("/api/v1/files/{id}/a.txt?exp={exp}"),
            path(id, exp, &"0".repeat(64)),
            path(id, exp + 1, &sig),
            path(id + 1, exp, &sig),
            path(id, exp, &format!("{sig}&thumb=1")),
            format!("/api/v1/files/{id}/a.txt?exp=soon&sig={sig}"),
        ];
        for url in &forbidden {
            let got = app.download(url, &[]).await;
            assert_eq!(got.status, 403, "{store:?} {url}");
            let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
            assert_eq!(body["error"]["code"], "forbidden");
        }
        let expired = now - 5;
        let sig = urls.sign(id, Variant::File, expired);
        assert_eq!(
            app.download(&path(id, expired, &sig), &[]).await.status,
            403
        );

        // A valid signature for an id that does not exist.
        let sig = urls.sign(9_999, Variant::File, exp);
        assert_eq!(app.download(&path(9_999, exp, &sig), &[]).await.status, 404);
    }
}

#[actix_web::test]
async fn ranges_are_206_with_the_right_bytes_and_416_when_unsatisfiable() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let res = app.upload(&ann.token, "data.bin", &data).await;
        let url = app.url(res.body["id"].as_i64().unwrap(), "data.bin", Variant::File);

        let got = app.download(&url, &[("Range", "bytes=1000-1999")]).await;
        assert_eq!(got.status, 206, "{store:?}");
        assert_eq!(got.body, &data[1000..2000]);
        assert_eq!(got.header("content-range"), "bytes 1000-1999/100000");
        assert_eq!(got.header("content-length"), "1000");

        let tail = app.download(&url, &[("Range", "bytes=-10")]).await;
        assert_eq!(tail.status, 206);
        assert_eq!(tail.body, &data[99_990..]);
        let open = app.download(&url, &[("Range", "bytes=99000-")]).await;
        assert_eq!(open.body, &data[99_000..]);

        let past = app.download(&url, &[("Range", "bytes=100000-")]).await;
        assert_eq!(past.status, 416, "{store:?}");
        assert_eq!(past.header("content-range"), "bytes */100000");

        let whole = app.download(&url, &[]).await;
        assert_eq!(whole.status, 200);
        assert_eq!(whole.header("accept-ranges"), "bytes");
        assert_eq!(whole.body, data);

        let head = app
            .client
            .head(format!("{}{url}", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status().as_u16(), 200);
        let length = head
            .headers()
            .get("content-length")
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(length, "100000", "{store:?}: HEAD tells the size");
    }
}

#[actix_web::test]
async fn etags_give_304_and_signed_files_are_cached_privately_and_sandboxed() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let res = app.upload(&ann.token, "pic.png", &png(40, 30)).await;
        let url = app.url(res.body["id"].as_i64().unwrap(), "pic.png", Variant::File);

        let got = app.download(&url, &[]).await;
        assert_eq!(got.status, 200);
        let etag = got.header("etag");
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        assert_eq!(got.header("content-type"), "image/png");
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        assert_eq!(got.header("content-security-policy"), "sandbox");
        assert!(got.header("content-disposition").starts_with("inline"));
        assert!(got.header("content-disposition").contains("pic.png"));
        let cache = got.header("cache-control");
        assert!(
            cache.starts_with("private, max-age=") && cache.ends_with(", immutable"),
            "{cache}"
        );
        let max_age: i64 = cache
            .trim_start_matches("private, max-age=")
            .trim_end_matches(", immutable")
            .parse()
            .unwrap();
        assert!(max_age >= 3590, "at least an hour: {max_age}");

        let again = app.download(&url, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304, "{store:?}");
        assert!(again.body.is_empty());
        let other = app.download(&url, &[("If-None-Match", "\"nope\"")]).await;
        assert_eq!(other.status, 200);

        let thumb = app.url(
            res.body["id"].as_i64().unwrap(),
            "pic.png",
            Variant::Thumbnail,
        );
        let t = app.download(&thumb, &[]).await;
        assert_ne!(
            t.header("etag"),
            etag,
            "the thumbnail is another representation"
        );
    }
}

#[actix_web::test]
async fn uploads_never_attached_are_swept_with_their_bytes() {
    for store in stores() {
        let app = spawn_on(store, |s| {
            s.upload_orphan_ttl = 2;
            s.upload_sweep_interval = 1;
        })
        .await;
        let ann = app.signup("ann").await;
        let before = app.stored_objects().await;
        let res = app.upload(&ann.token, "pic.png", &png(500, 100)).await;
        let id = res.body["id"].as_i64().unwrap();
        let url = app.url(id, "pic.png", Variant::File);
        assert_eq!(app.download(&url, &[]).await.status, 200);
        assert_eq!(
            app.stored_objects().await,
            before + 2,
            "{store:?}: file and thumbnail"
        );

        let mut gone = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if app.download(&url, &[]).await.status == 404 && app.stored_objects().await == before {
                gone = true;
                break;
            }
        }
        assert!(gone, "{store:?}: row and bytes removed by the sweep");
        let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
        assert_eq!(microchat::db::uploads::find(&mut conn, id).unwrap(), None);
        // The quota counts what is stored: the swept bytes are free again.
        assert_eq!(
            microchat::db::uploads::used_bytes(&mut conn, ann.id).unwrap(),
            0
        );
    }
}

#[actix_web::test]
async fn a_deleted_users_files_stop_being_served_and_are_swept() {
    let app = spawn_on(Store::Disk, |s| s.upload_sweep_interval = 1).await;
    let ann = app.signup("ann").await;
    let res = app.upload(&ann.token, "a.txt", b"mine").await;
    let url = app.url(res.body["id"].as_i64().unwrap(), "a.txt", Variant::File);
    assert_eq!(app.stored_objects().await, 1);
    let del = app
        .call(
            actix_web::http::Method::DELETE,
            "/api/v1/users/me",
            Some(&ann.token),
            &[],
            Some(serde_json::json!({"password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(app.download(&url, &[]).await.status, 404);
    for _ in 0..50 {
        if app.stored_objects().await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deleted user's bytes were not swept");
}

/// Part 2 attaches uploads to messages; deleting the message (here through
/// its chat) must stop the file being served and let the sweep take it.
#[actix_web::test]
async fn an_attached_upload_goes_with_its_message() {
    let app = spawn_on(Store::Disk, |s| s.upload_sweep_interval = 1).await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "pics", &[], false).await;
    let sent = app.send_rest(&ann.token, chat, "look", None).await;
    let message_id = sent.body["id"].as_i64().unwrap();
    let res = app.upload(&ann.token, "a.png", &png(10, 10)).await;
    let id = res.body["id"].as_i64().unwrap();
    let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
    let now = chrono::Utc::now().naive_utc();
    assert_eq!(
        microchat::db::uploads::attach(&mut conn, &[id], ann.id, message_id, now).unwrap(),
        1
    );
    assert_eq!(
        microchat::db::uploads::attach(&mut conn, &[id], ann.id, message_id, now).unwrap(),
        0,
        "attached at most once"
    );
    let url = app.url(id, "a.png", Variant::File);
    assert_eq!(app.download(&url, &[]).await.status, 200);
    // Attached: the sweep leaves it alone.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.stored_objects().await, 2);

    let del = app
        .call(
            actix_web::http::Method::DELETE,
            &format!("/api/v1/chats/{chat}"),
            Some(&ann.token),
            &[],
            None,
        )
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(app.download(&url, &[]).await.status, 404);
    for _ in 0..50 {
        if app.stored_objects().await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deleted message's file was not swept");
}

#[actix_web::test]
async fn a_deleted_messages_files_stop_being_served_and_are_swept() {
    let app = spawn_on(Store::Disk, |s| s.upload_sweep_interval = 3600).await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "files", &[], false).await;
    let res = app.upload(&ann.token, "a.txt", b"mine").await;
    let id = res.body["id"].as_i64().unwrap();
    let sent = app
        .sent(
            &ann.token,
            chat,
            serde_json::json!({"body": "see file", "attachments": [id]}),
        )
        .await;
    let url = app.url(id, "a.txt", Variant::File);
    assert_eq!(app.download(&url, &[]).await.status, 200);
    let mid = sent["id"].as_i64().unwrap();
    assert_eq!(app.delete_message(&ann.token, chat, mid).await.status, 204);
    assert_eq!(app.download(&url, &[]).await.status, 404);
    let history = app.history(&ann.token, chat, "").await;
    assert_eq!(history[0]["attachments"], serde_json::json!([]));
    // The deletion wakes the sweep (its interval here is an hour).
    for _ in 0..50 {
        if app.stored_objects().await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deleted message's bytes were not swept");
}
