//! Clients reach two instances through nginx, as users of a deployment do,
//! and see one server: messages, membership, typing and read markers cross
//! instances both ways.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use super::{enabled, Cluster};

#[actix_web::test]
async fn clients_spread_over_two_instances_see_one_server() {
    let Some((_, redis)) = enabled() else { return };
    let cluster = Cluster::start(2, &redis, &[]).await;
    let lb = cluster.lb();
    let ann = lb.signup("ann").await;
    let bob = lb.signup("bob").await;
    let cat = lb.signup("cat").await;
    let dan = lb.signup("dan").await;
    let chat = lb
        .create_chat(&ann.token, "spread", &["bob", "cat"], false)
        .await;

    // nginx alternates: consecutive upgrades land on alternate instances.
    let (mut ann_ws, _) = lb.ws(&ann.token).await;
    let (mut bob_ws, _) = lb.ws(&bob.token).await;
    let (mut cat_ws, _) = lb.ws(&cat.token).await;
    let (mut dan_ws, _) = lb.ws(&dan.token).await;
    for i in 0..2 {
        let sessions = cluster.metric(i, "microchat_ws_sessions").await;
        assert_eq!(sessions, 2.0, "instance {i} holds two of the four sessions");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Every member sends; every other member gets each message once.
    let mut socks = [
        ("ann", &mut ann_ws),
        ("bob", &mut bob_ws),
        ("cat", &mut cat_ws),
    ];
    for s in 0..socks.len() {
        let body = format!("from {}", socks[s].0);
        socks[s].1.send_message(chat, &body, &body).await;
        let ack = socks[s].1.next_of("ack").await;
        for (r, (_, ws)) in socks.iter_mut().enumerate() {
            if r != s {
                let got = ws.next_of("message").await;
                assert_eq!(got["message"], ack["message"]);
            }
        }
    }

    bob_ws
        .send(json!({"type": "typing", "chat_id": chat}))
        .await;
    assert_eq!(ann_ws.next_of("typing").await["user"]["id"], bob.id);
    assert_eq!(cat_ws.next_of("typing").await["user"]["id"], bob.id);

    let last = lb.history_ids(&cat.token, chat, "").await;
    let last = *last.last().unwrap();
    cat_ws
        .send(json!({"type": "read", "chat_id": chat, "message_id": last}))
        .await;
    for ws in [&mut ann_ws, &mut bob_ws] {
        let read = ws.next_of("read").await;
        assert_eq!(
            (read["user_id"].as_i64(), read["message_id"].as_i64()),
            (Some(cat.id), Some(last))
        );
    }

    // Membership changes made through one instance reach sessions on both.
    let add = lb
        .post(
            &format!("/api/v1/chats/{chat}/members"),
            Some(&ann.token),
            json!({"username": "dan"}),
        )
        .await;
    assert_eq!(add.status, 200, "{}", add.body);
    assert_eq!(dan_ws.next_of("chat_added").await["chat"]["id"], chat);
    dan_ws.send_message(chat, "hi all", "dan-1").await;
    let ack = dan_ws.next_of("ack").await;
    for ws in [&mut ann_ws, &mut bob_ws, &mut cat_ws] {
        assert_eq!(ws.next_of("message").await["message"], ack["message"]);
    }
    let path = format!("/api/v1/chats/{chat}/members/cat");
    let res = lb
        .call(Method::DELETE, &path, Some(&ann.token), &[], None)
        .await;
    assert!(res.status < 300, "{}", res.body);
    assert_eq!(cat_ws.next_of("chat_removed").await["chat_id"], chat);
    ann_ws.send_message(chat, "cat is gone", "ann-2").await;
    ann_ws.next_of("ack").await;
    for ws in [&mut bob_ws, &mut dan_ws] {
        assert_eq!(
            ws.next_of("message").await["message"]["body"],
            "cat is gone"
        );
    }
    cat_ws.assert_quiet(Duration::from_millis(300)).await;
}

#[actix_web::test]
async fn rest_sends_through_either_instance_reach_sockets_on_both() {
    let Some((_, redis)) = enabled() else { return };
    let cluster = Cluster::start(2, &redis, &[]).await;
    let (a, b) = (cluster.direct(0), cluster.direct(1));
    let ann = a.signup("ann").await;
    let bob = b.signup("bob").await;
    let chat = b.create_chat(&bob.token, "rest", &["ann"], false).await;
    let (mut ann_a, _) = a.ws(&ann.token).await;
    let (mut bob_b, _) = b.ws(&bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (i, app) in [&a, &b].into_iter().enumerate() {
        let res = app
            .send_rest(&ann.token, chat, &format!("rest {i}"), None)
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        for ws in [&mut ann_a, &mut bob_b] {
            assert_eq!(ws.next_of("message").await["message"]["id"], res.body["id"]);
        }
    }
}
