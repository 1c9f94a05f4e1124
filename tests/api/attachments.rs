//! Sending with `attachments` (REST and WebSocket): the rules, the message
//! object's `attachments` wherever a message appears, and idempotent
//! retries, on every configured storage.

use serde_json::{json, Value};

use crate::file_harness::{spawn_on, stores, FileApp};
use crate::helpers::Resp;
use crate::uploads::png;

impl FileApp {
    /// Uploads `data` as `name`; returns the new upload's id.
    pub async fn upload_id(&self, token: &str, name: &str, data: &[u8]) -> i64 {
        let res = self.upload(token, name, data).await;
        assert_eq!(res.status, 201, "upload: {}", res.body);
        res.body["id"].as_i64().unwrap()
    }

    /// `POST /chats/{id}/messages` with attachments.
    pub async fn send_files(
        &self,
        token: &str,
        chat: i64,
        body: &str,
        client_id: Option<&str>,
        attachments: Value,
    ) -> Resp {
        let body = json!({"body": body, "client_id": client_id, "attachments": attachments});
        self.post(&format!("/api/v1/chats/{chat}/messages"), Some(token), body)
            .await
    }
}

/// The attachments' ids of a message object.
pub fn attachment_ids(message: &Value) -> Vec<i64> {
    message["attachments"]
        .as_array()
        .unwrap_or_else(|| panic!("no attachments array: {message}"))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn a_message_carries_its_attachments_with_working_signed_urls() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let p = app.pair().await;
        let img = app.upload_id(&p.ann.token, "cat.png", &png(800, 400)).await;
        let txt = app.upload_id(&p.ann.token, "notes.txt", b"hello").await;
        let sent = app
            .send_files(&p.ann.token, p.chat, "  ", None, json!([txt, img]))
            .await;
        assert_eq!(sent.status, 201, "{store:?}: {}", sent.body);
        let m = &sent.body;
        assert_eq!(m["body"], "", "a message with attachments may be empty");
        assert_eq!(attachment_ids(m), vec![txt, img], "in the order listed");
        let image = &m["attachments"][1];
        let keys: Vec<&String> = image.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 9, "the contract's fields: {keys:?}");
        assert_eq!(image["name"], "cat.png");
        assert_eq!(image["content_type"], "image/png");
        assert_eq!(
            (image["width"].as_i64(), image["height"].as_i64()),
            (Some(800), Some(400))
        );
        assert_eq!(image["duration_ms"], Value::Null);
        let text = &m["attachments"][0];
        assert_eq!(text["content_type"], "text/plain; charset=utf-8");
        assert_eq!(text["size"], 5);
        assert_eq!(text["width"], Value::Null);
        assert_eq!(text["thumbnail_url"], Value::Null, "only images have one");

        // The URLs work for anyone holding them, without a token.
        let file = app.download(text["url"].as_str().unwrap(), &[]).await;
        assert_eq!(
            (file.status, file.body.as_slice()),
            (200, &b"hello"[..]),
            "{store:?}"
        );
        let thumb = app
            .download(image["thumbnail_url"].as_str().unwrap(), &[])
            .await;
        assert_eq!(thumb.status, 200, "{store:?}");
        let full = app.download(image["url"].as_str().unwrap(), &[]).await;
        assert_eq!(full.body.len() as i64, image["size"].as_i64().unwrap());

        // Bob sees the same attachments in history.
        let history = app
            .get(
                &format!("/api/v1/chats/{}/messages", p.chat),
                Some(&p.bob.token),
            )
            .await;
        assert_eq!(
            history.body[0]["attachments"], m["attachments"],
            "{store:?}"
        );
    }
}

#[actix_web::test]
async fn attachments_are_the_senders_own_at_most_ten_each_once() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let p = app.pair().await;
    let mine = app.upload_id(&p.ann.token, "a.txt", b"a").await;
    let bobs = app.upload_id(&p.bob.token, "b.txt", b"b").await;
    let refused = |res: &Resp, why: &str| {
        res.assert_error(422, "validation_failed");
        assert!(
            res.body["error"]["details"]["fields"]["attachments"].is_string(),
            "{why}: {}",
            res.body
        );
    };
    let mut eleven = Vec::new();
    for i in 0..11 {
        eleven.push(app.upload_id(&p.ann.token, &format!("{i}.txt"), b"x").await);
    }
    let send = |ids: Value| app.send_files(&p.ann.token, p.chat, "hi", None, ids);
    refused(&send(json!(eleven)).await, "eleven");
    refused(&send(json!([mine, mine])).await, "listed twice");
    refused(&send(json!([bobs])).await, "someone else's");
    refused(
        &send(json!([mine, bobs])).await,
        "one of them someone else's",
    );
    refused(&send(json!([987_654])).await, "no such upload");
    // Nothing was stored by the refusals, and `mine` is still free.
    let none = app
        .get(
            &format!("/api/v1/chats/{}/messages", p.chat),
            Some(&p.ann.token),
        )
        .await;
    assert_eq!(none.body, json!([]));
    // Listed newest first: they come back in that order, not by id.
    let ten: Vec<i64> = eleven[..10].iter().rev().copied().collect();
    let sent = send(json!(ten)).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(attachment_ids(&sent.body), ten);
    let history = app
        .get(
            &format!("/api/v1/chats/{}/messages", p.chat),
            Some(&p.bob.token),
        )
        .await;
    assert_eq!(attachment_ids(&history.body[0]), ten, "and so in history");
    let first = send(json!([mine])).await;
    assert_eq!(first.status, 201, "{}", first.body);
    refused(&send(json!([mine])).await, "already attached");
    refused(
        &send(json!([eleven[10], ten[0]])).await,
        "one already attached",
    );

    // An empty body needs attachments; `[]` and `null` are none.
    for none in [json!([]), Value::Null] {
        let res = send(none).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["attachments"], json!([]));
        let empty = app
            .send_files(&p.ann.token, p.chat, " ", None, json!([]))
            .await;
        empty.assert_error(422, "validation_failed");
        assert!(empty.body["error"]["details"]["fields"]["body"].is_string());
    }
    app.send_files(&p.ann.token, p.chat, "x", None, json!(["1"]))
        .await
        .assert_error(400, "bad_request");
    app.send_files(&p.ann.token, p.chat, "x", None, json!(mine))
        .await
        .assert_error(400, "bad_request");
}

#[actix_web::test]
async fn a_retry_with_the_same_client_id_returns_the_message_and_its_files() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let p = app.pair().await;
    let id = app.upload_id(&p.ann.token, "a.png", &png(20, 10)).await;
    let first = app
        .send_files(&p.ann.token, p.chat, "pic", Some("c-1"), json!([id]))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = app
        .send_files(&p.ann.token, p.chat, "pic", Some("c-1"), json!([id]))
        .await;
    assert_eq!(
        retry.status, 200,
        "a retry, not 'already attached': {}",
        retry.body
    );
    assert_eq!(retry.body, first.body);

    // Over the socket too: the ack carries the stored message.
    let (mut ws, _) = app.ws(&p.ann.token).await;
    ws.send(
        json!({"type": "send", "chat_id": p.chat, "body": "pic", "client_id": "c-1",
                   "attachments": [id], "ref": 1}),
    )
    .await;
    let ack = ws.next_of("ack").await;
    assert_eq!(ack["message"], first.body);
    // Another client_id may not take it.
    let other = app
        .send_files(&p.ann.token, p.chat, "pic", Some("c-2"), json!([id]))
        .await;
    other.assert_error(422, "validation_failed");
}

#[actix_web::test]
async fn websocket_sends_attach_ack_fan_out_and_refuse_with_an_error_frame() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let mut p = app.connected_pair().await;
        let id = app.upload_id(&p.ann.token, "v.txt", b"voice?").await;
        p.ann_ws
            .send(
                json!({"type": "send", "chat_id": p.chat, "body": "", "client_id": "w1",
                         "attachments": [id]}),
            )
            .await;
        let ack = p.ann_ws.next_of("ack").await;
        assert_eq!(
            attachment_ids(&ack["message"]),
            vec![id],
            "{store:?}: {ack}"
        );
        let live = p.bob_ws.next_of("message").await;
        assert_eq!(live["message"], ack["message"], "one serialization for all");
        let url = live["message"]["attachments"][0]["url"].as_str().unwrap();
        assert_eq!(app.download(url, &[]).await.body, b"voice?");

        for (attachments, why) in [
            (json!([id]), "already attached"),
            (json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), "eleven"),
            (json!([id + 1000]), "unknown"),
        ] {
            p.ann_ws
                .send(json!({"type": "send", "chat_id": p.chat, "body": "x",
                             "attachments": attachments, "ref": why}))
                .await;
            let error = p.ann_ws.next_of("error").await;
            assert_eq!(error["code"], "validation_failed", "{why}: {error}");
            assert_eq!(error["ref"], why);
        }
        p.ann_ws
            .send(json!({"type": "send", "chat_id": p.chat, "body": "", "ref": "e"}))
            .await;
        assert_eq!(p.ann_ws.next_of("error").await["code"], "validation_failed");
        p.bob_ws
            .assert_quiet(std::time::Duration::from_millis(300))
            .await;
    }
}

#[actix_web::test]
async fn sync_and_the_chat_list_show_attachments() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let p = app.pair().await;
    let id = app.upload_id(&p.ann.token, "a.png", &png(30, 30)).await;
    let sent = app
        .send_files(&p.ann.token, p.chat, "look", None, json!([id]))
        .await;
    let message = &sent.body;

    let (mut ws, _) = app.ws(&p.bob.token).await;
    ws.send(json!({"type": "sync", "chat_id": p.chat, "after_id": 0}))
        .await;
    assert_eq!(&ws.next_of("message").await["message"], message);
    ws.next_of("sync_done").await;

    let chats = app.get("/api/v1/chats", Some(&p.bob.token)).await;
    assert_eq!(&chats.body[0]["last_message"], message);
    let chat = app
        .get(&format!("/api/v1/chats/{}", p.chat), Some(&p.bob.token))
        .await;
    assert_eq!(&chat.body["last_message"], message);
    let before = app
        .get(
            &format!("/api/v1/chats/{}/messages?before={}", p.chat, i64::MAX),
            Some(&p.bob.token),
        )
        .await;
    assert_eq!(&before.body[0], message);
}

#[actix_web::test]
async fn concurrent_sends_of_one_upload_attach_it_once() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let p = app.pair().await;
    let id = app.upload_id(&p.ann.token, "a.txt", b"a").await;
    let bodies: Vec<String> = (0..8).map(|i| format!("m{i}")).collect();
    let sends = bodies
        .iter()
        .map(|b| app.send_files(&p.ann.token, p.chat, b, None, json!([id])));
    let results = futures_util::future::join_all(sends).await;
    let ok: Vec<&Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(ok.len(), 1, "exactly one send takes the upload");
    for r in results.iter().filter(|r| r.status != 201) {
        r.assert_error(422, "validation_failed");
    }
    let history = app
        .get(
            &format!("/api/v1/chats/{}/messages", p.chat),
            Some(&p.ann.token),
        )
        .await;
    assert_eq!(
        history.body.as_array().unwrap().len(),
        1,
        "refused sends stored nothing"
    );
}
