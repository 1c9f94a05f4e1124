use std::time::Duration;

use serde_json::json;

use crate::fixtures::{ConnectedPair, Pair};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn ready_lists_the_user_and_online_contacts() {
    let app = spawn_app().await;
    let Pair { ann, bob, .. } = app.pair().await;
    let (_bob_ws, ready) = app.ws(&bob.token).await;
    assert_eq!(ready["user"]["username"], "bob");
    assert_eq!(ready["user"]["email"], "bob@example.com");
    assert!(ready["session_id"].is_string());
    assert_eq!(ready["online"], json!([]));
    let (_ann_ws, ready) = app.ws(&ann.token).await;
    assert_eq!(ready["online"], json!([bob.id]));
}

#[actix_web::test]
async fn a_sender_gets_ack_and_every_other_session_the_message_exactly_once() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let (mut ann1, _) = app.ws(&ann.token).await;
    let (mut ann2, _) = app.ws(&ann.token).await;
    let (mut bob1, _) = app.ws(&bob.token).await;

    ann1.send(
        json!({"type": "send", "chat_id": chat, "body": "  hello  ", "client_id": "c1", "ref": 7}),
    )
    .await;
    let ack = ann1.next_of("ack").await;
    assert_eq!(ack["client_id"], "c1");
    assert_eq!(ack["ref"], 7);
    let message = &ack["message"];
    assert_eq!(message["body"], "hello");
    assert_eq!(message["chat_id"], chat);
    assert_eq!(message["sender"], json!({"id": ann.id, "username": "ann"}));
    assert_eq!(message["client_id"], "c1");
    assert!(message["created_at"].as_str().unwrap().ends_with('Z'));

    for ws in [&mut ann2, &mut bob1] {
        let got = ws.next_of("message").await;
        assert_eq!(&got["message"], message);
        ws.assert_quiet(Duration::from_millis(300)).await;
    }
    ann1.assert_quiet(Duration::from_millis(300)).await;

    // A REST send reaches every session of the sender as `message`.
    let res = app.send_rest(&ann.token, chat, "from rest", None).await;
    assert_eq!(res.status, 201, "{}", res.body);
    for ws in [&mut ann1, &mut ann2, &mut bob1] {
        assert_eq!(ws.next_of("message").await["message"]["id"], res.body["id"]);
    }
    let history = app.history_ids(&bob.token, chat, "").await;
    assert_eq!(
        history,
        vec![
            message["id"].as_i64().unwrap(),
            res.body["id"].as_i64().unwrap()
        ]
    );
}

#[actix_web::test]
async fn a_retried_send_is_acked_again_and_stored_once() {
    let app = spawn_app().await;
    let ConnectedPair {
        ann,
        chat,
        mut ann_ws,
        mut bob_ws,
        ..
    } = app.connected_pair().await;
    ann_ws.send_message(chat, "once", "same").await;
    let first = ann_ws.next_of("ack").await;
    ann_ws.send_message(chat, "once", "same").await;
    let second = ann_ws.next_of("ack").await;
    assert_eq!(first["message"], second["message"]);
    bob_ws.next_of("message").await;
    bob_ws.assert_quiet(Duration::from_millis(300)).await;

    let rest = app.send_rest(&ann.token, chat, "once", Some("same")).await;
    assert_eq!(rest.status, 200, "a retry over REST is 200: {}", rest.body);
    assert_eq!(rest.body, first["message"]);
    let again = app.send_rest(&ann.token, chat, "rest", Some("r1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(
        app.send_rest(&ann.token, chat, "rest", Some("r1"))
            .await
            .status,
        200
    );
    assert_eq!(app.history_ids(&ann.token, chat, "").await.len(), 2);
}
