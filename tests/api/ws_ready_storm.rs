//! Sessions that connect at once share their access checks and `ready`
//! reads (batched, `actors::batch`): each must still get its own user, its
//! own chats and nobody else's, and an account deleted meanwhile is refused
//! without failing the sessions asked about in the same batch.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{spawn_app, Account, PASSWORD};

const USERS: usize = 12;

#[actix_web::test]
async fn sessions_that_connect_together_each_get_their_own_ready_and_rooms() {
    let app = spawn_app().await;
    let mut users: Vec<(String, Account)> = Vec::new();
    for i in 0..USERS {
        let name = format!("storm{i}");
        let account = app.signup(&name).await;
        users.push((name, account));
    }
    // A ring: chat i is user i and user i+1.
    let mut chats = Vec::new();
    for i in 0..USERS {
        let next = &users[(i + 1) % USERS].0;
        let chat = app
            .create_chat(&users[i].1.token, &format!("ring{i}"), &[next], false)
            .await;
        chats.push(chat);
    }
    // One account goes while its token is still valid.
    let gone = app.signup("gone").await;
    let res = app
        .call(
            actix_web::http::Method::DELETE,
            "/api/v1/users/me",
            Some(&gone.token),
            &[],
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);

    let gone_path = format!("/api/v1/ws?access_token={}", gone.token);
    let (sessions, refused) = futures_util::join!(
        join_all(users.iter().map(|(_, a)| app.ws(&a.token))),
        app.ws_try(&gone_path)
    );
    assert_eq!(
        refused.err(),
        Some(401),
        "a deleted account's token is refused"
    );
    let mut sockets = Vec::new();
    for ((ws, ready), (name, account)) in sessions.into_iter().zip(&users) {
        assert_eq!(ready["user"]["id"], account.id, "{ready}");
        assert_eq!(ready["user"]["username"], name.as_str(), "{ready}");
        sockets.push(ws);
    }
    // Each user speaks in their own chat; the next user, and only they,
    // hear it: senders get their own message as `ack` alone.
    for (i, ws) in sockets.iter_mut().enumerate() {
        ws.send_message(chats[i], &format!("from {i}"), &format!("c{i}"))
            .await;
    }
    for (j, ws) in sockets.iter_mut().enumerate() {
        let prev = (j + USERS - 1) % USERS;
        let (mut acked, mut heard) = (false, false);
        while !(acked && heard) {
            let frame = ws.next_json().await;
            match frame["type"].as_str() {
                Some("ack") => {
                    assert_eq!(frame["client_id"], format!("c{j}"), "{frame}");
                    acked = true;
                }
                Some("message") => {
                    assert!(!heard, "user {j} heard a second message: {frame}");
                    assert_eq!(frame["message"]["chat_id"], chats[prev], "{frame}");
                    assert_eq!(frame["message"]["body"], format!("from {prev}"));
                    heard = true;
                }
                _ => {}
            }
        }
        ws.assert_quiet(Duration::from_millis(200)).await;
    }
}
