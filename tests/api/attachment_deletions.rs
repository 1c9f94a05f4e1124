//! Deleting a chat or a user deletes their files: the URLs are 404 at once
//! and the bytes leave storage within moments (the deletion wakes the
//! sweep; the tests set its interval to an hour to prove it), on every
//! configured storage.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::file_harness::{spawn_on, stores, FileApp, Store};
use crate::helpers::PASSWORD;
use crate::uploads::png;

async fn app_on(store: Store) -> FileApp {
    spawn_on(store, |s| s.upload_sweep_interval = 3600).await
}

/// Waits until storage holds `objects` objects.
async fn settles_at(app: &FileApp, objects: usize, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if app.stored_objects().await == objects {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{what}: storage holds {} objects, not {objects}",
        app.stored_objects().await
    );
}

/// Sends a message with one attachment; returns the attachment's file URL.
async fn send_file(app: &FileApp, token: &str, chat: i64, name: &str, data: &[u8]) -> String {
    let id = app.upload_id(token, name, data).await;
    let sent = app.send_files(token, chat, "", None, json!([id])).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    sent.body["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn deleting_a_chat_deletes_its_files() {
    for store in stores() {
        let app = app_on(store).await;
        let p = app.pair().await;
        let other = app.create_chat(&p.ann.token, "other", &[], false).await;
        let kept = send_file(&app, &p.ann.token, other, "kept.txt", b"kept").await;
        let base = app.stored_objects().await;
        let img = send_file(&app, &p.ann.token, p.chat, "a.png", &png(40, 40)).await;
        let txt = send_file(&app, &p.bob.token, p.chat, "b.txt", b"bob's").await;
        settles_at(&app, base + 3, "image, its thumbnail, text").await;

        let del = app
            .call(
                Method::DELETE,
                &format!("/api/v1/chats/{}", p.chat),
                Some(&p.ann.token),
                &[],
                None,
            )
            .await;
        assert_eq!(del.status, 204);
        assert_eq!(app.download(&img, &[]).await.status, 404, "{store:?}");
        assert_eq!(app.download(&txt, &[]).await.status, 404, "{store:?}");
        settles_at(&app, base, "the chat's files deleted").await;
        assert_eq!(
            app.download(&kept, &[]).await.status,
            200,
            "other chats keep theirs"
        );
    }
}

#[actix_web::test]
async fn the_last_member_leaving_deletes_the_chat_and_its_files() {
    for store in stores() {
        let app = app_on(store).await;
        let ann = app.signup("ann").await;
        let chat = app.create_chat(&ann.token, "solo", &[], false).await;
        let base = app.stored_objects().await;
        let url = send_file(&app, &ann.token, chat, "a.txt", b"a").await;
        settles_at(&app, base + 1, "uploaded").await;
        let left = app
            .post(
                &format!("/api/v1/chats/{chat}/leave"),
                Some(&ann.token),
                json!({}),
            )
            .await;
        assert_eq!(left.status, 204, "{}", left.body);
        assert_eq!(app.download(&url, &[]).await.status, 404);
        settles_at(&app, base, "the empty chat's files deleted").await;
    }
}

#[actix_web::test]
async fn deleting_a_user_deletes_their_files_attached_or_not() {
    for store in stores() {
        let app = app_on(store).await;
        let p = app.pair().await;
        let bobs = send_file(&app, &p.bob.token, p.chat, "bob.txt", b"bob").await;
        let base = app.stored_objects().await;
        let sent = send_file(&app, &p.ann.token, p.chat, "ann.png", &png(20, 20)).await;
        let loose = app.upload_id(&p.ann.token, "loose.txt", b"loose").await;
        settles_at(&app, base + 3, "uploaded").await;

        let del = app
            .call(
                Method::DELETE,
                "/api/v1/users/me",
                Some(&p.ann.token),
                &[],
                Some(json!({"password": PASSWORD})),
            )
            .await;
        assert_eq!(del.status, 204);
        assert_eq!(app.download(&sent, &[]).await.status, 404, "{store:?}");
        let loose_url = app.url(
            loose,
            "loose.txt",
            microchat::security::file_urls::Variant::File,
        );
        assert_eq!(app.download(&loose_url, &[]).await.status, 404);
        settles_at(&app, base, "the user's files deleted").await;
        // Bob's message survives in the chat Ann passed on, with its file.
        assert_eq!(app.download(&bobs, &[]).await.status, 200, "{store:?}");
        let history = app
            .get(
                &format!("/api/v1/chats/{}/messages", p.chat),
                Some(&p.bob.token),
            )
            .await;
        assert_eq!(
            history.body.as_array().unwrap().len(),
            1,
            "{}",
            history.body
        );
    }
}

/// What deleting one message does to its files (issue 14 calls
/// `db::attachments::release` for messages it blanks rather than deletes):
/// the file is 404 at once and the sweep takes its bytes.
#[actix_web::test]
async fn released_attachments_stop_being_served_and_are_swept() {
    for store in stores() {
        let app = spawn_on(store, |s| s.upload_sweep_interval = 1).await;
        let ann = app.signup("ann").await;
        let chat = app.create_chat(&ann.token, "c", &[], false).await;
        let base = app.stored_objects().await;
        let id = app.upload_id(&ann.token, "a.txt", b"a").await;
        let sent = app
            .send_files(&ann.token, chat, "", None, json!([id]))
            .await;
        let url = sent.body["attachments"][0]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        let message = microchat::domain::MessageId(sent.body["id"].as_i64().unwrap());
        let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
        assert_eq!(
            microchat::db::attachments::release(&mut conn, &[message]).unwrap(),
            1
        );
        assert_eq!(app.download(&url, &[]).await.status, 404, "{store:?}");
        let history = app
            .get(&format!("/api/v1/chats/{chat}/messages"), Some(&ann.token))
            .await;
        assert_eq!(
            history.body[0]["attachments"],
            json!([]),
            "the message lists it no more"
        );
        settles_at(&app, base, "released bytes swept").await;
    }
}

/// The orphan sweep takes only uploads never sent: one sent with a message
/// outlives the orphan TTL, and the one left in the tray does not.
#[actix_web::test]
async fn sent_files_outlive_the_orphan_ttl() {
    for store in stores() {
        let app = spawn_on(store, |s| {
            s.upload_orphan_ttl = 1;
            s.upload_sweep_interval = 1;
        })
        .await;
        let ann = app.signup("ann").await;
        let chat = app.create_chat(&ann.token, "c", &[], false).await;
        let base = app.stored_objects().await;
        let sent = send_file(&app, &ann.token, chat, "kept.txt", b"kept").await;
        let orphan = app.upload_id(&ann.token, "orphan.txt", b"orphan").await;
        let orphan_url = app.url(
            orphan,
            "orphan.txt",
            microchat::security::file_urls::Variant::File,
        );
        tokio::time::sleep(Duration::from_millis(2500)).await;
        settles_at(&app, base + 1, "only the sent file left").await;
        assert_eq!(app.download(&sent, &[]).await.status, 200, "{store:?}");
        assert_eq!(
            app.download(&orphan_url, &[]).await.status,
            404,
            "{store:?}"
        );
    }
}
