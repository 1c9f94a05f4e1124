//! What open sessions hear when an account is deleted: the same as if the
//! user had left each of their chats, then closed with 4003.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::Pair;
use crate::helpers::{spawn_app, TestApp, PASSWORD};
use crate::ws_client::Event;

async fn delete_me(app: &TestApp, token: &str) {
    let body = json!({ "password": PASSWORD });
    let res = app
        .call(
            Method::DELETE,
            "/api/v1/users/me",
            Some(token),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
}

#[actix_web::test]
async fn followers_hear_that_a_chat_went_with_the_account_that_was_its_only_member() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_chat(&ann.token, "lobby", &[], true).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    bob_ws
        .send(json!({"type": "subscribe", "chat_id": lobby}))
        .await;
    assert_eq!(bob_ws.next_json().await["type"], "subscribed");

    delete_me(&app, &ann.token).await;
    assert_eq!(
        bob_ws.next_of("chat_removed").await,
        json!({"type": "chat_removed", "chat_id": lobby})
    );
    app.get(&format!("/api/v1/chats/{lobby}"), Some(&bob.token))
        .await
        .assert_error(404, "not_found");
}

/// A leave tells the leaver's sessions and takes the leaver out of the
/// chat's presence: once two users share no chat, neither hears of the
/// other's departure. A deleted owner is no different: the chat passes on,
/// and the member who is left does not hear the deleted user go offline.
#[actix_web::test]
async fn an_owner_deleted_with_the_account_passes_the_chat_on_as_a_leave_would() {
    let app = spawn_app().await;
    let Pair {
        ann,
        bob,
        chat: team,
    } = app.pair().await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let (mut ann_ws, _) = app.ws(&ann.token).await;
    assert_eq!(
        bob_ws.next_of("presence").await,
        json!({"type": "presence", "user_id": ann.id, "online": true})
    );

    delete_me(&app, &ann.token).await;
    assert_eq!(ann_ws.closed(Duration::from_secs(5)).await, Some(4003));
    let chat = app
        .get(&format!("/api/v1/chats/{team}"), Some(&bob.token))
        .await;
    assert_eq!(chat.body["owner_id"], bob.id);
    assert_eq!(chat.body["my_role"], "owner");
    // As after a leave: the chat's new size and owner...
    let changed = bob_ws.next_json().await;
    assert_eq!(changed["type"], "members_changed", "{changed}");
    assert_eq!(changed["owner_id"], bob.id);
    // ...and past the 5 s offline grace, nothing more.
    match bob_ws.event(Duration::from_secs(7)).await {
        Event::Silence => {}
        other => panic!("bob heard {other:?}"),
    }
    bob_ws.send_message(team, "still mine", "b1").await;
    assert_eq!(bob_ws.next_of("ack").await["message"]["body"], "still mine");
}

#[actix_web::test]
async fn the_remaining_members_hear_that_a_deleted_account_left_their_chats() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let cat = app.signup("cat").await;
    let owned = app
        .create_chat(&ann.token, "ann's", &["bob", "cat"], false)
        .await;
    let other = app.create_chat(&bob.token, "bob's", &["ann"], false).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let (mut cat_ws, _) = app.ws(&cat.token).await;

    delete_me(&app, &ann.token).await;
    let mut heard = Vec::new();
    for _ in 0..2 {
        heard.push(bob_ws.next_of("members_changed").await);
    }
    heard.sort_by_key(|f| f["chat_id"].as_i64());
    let expected = |chat: i64, count: i64, owner: i64| {
        json!({"type": "members_changed", "chat_id": chat, "members_count": count,
               "owner_id": owner, "added": [], "removed": [ann.id]})
    };
    let mut want = vec![expected(owned, 2, bob.id), expected(other, 1, bob.id)];
    want.sort_by_key(|f| f["chat_id"].as_i64());
    assert_eq!(heard, want, "ownership of ann's chat passed to bob");
    assert_eq!(
        cat_ws.next_of("members_changed").await,
        expected(owned, 2, bob.id)
    );
}
