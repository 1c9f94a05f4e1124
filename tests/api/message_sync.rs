//! `around=` history and `sync` by version (issue 14).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::fixtures::Pair;
use crate::helpers::spawn_app;

#[actix_web::test]
async fn around_centres_on_the_message_and_includes_it() {
    let app = spawn_app().await;
    let Pair { ann, chat, .. } = app.pair().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let m = app
            .sent(&ann.token, chat, json!({"body": format!("m{i}")}))
            .await;
        ids.push(m["id"].as_i64().unwrap());
    }
    let got = app
        .history_ids(&ann.token, chat, &format!("?around={}&limit=5", ids[10]))
        .await;
    assert_eq!(got, ids[8..13]);
    // Near either end the other side fills the page.
    let got = app
        .history_ids(&ann.token, chat, &format!("?around={}&limit=5", ids[1]))
        .await;
    assert_eq!(got, ids[0..5]);
    let got = app
        .history_ids(&ann.token, chat, &format!("?around={}&limit=4", ids[19]))
        .await;
    assert_eq!(got, ids[16..20]);
    let got = app
        .history_ids(&ann.token, chat, &format!("?around={}&limit=1", ids[3]))
        .await;
    assert_eq!(got, [ids[3]]);
    // A message of another chat is not found here.
    let other = app.create_chat(&ann.token, "other", &[], false).await;
    let res = app
        .get(
            &format!("/api/v1/chats/{other}/messages?around={}", ids[3]),
            Some(&ann.token),
        )
        .await;
    res.assert_error(404, "not_found");
}

/// Replays `sync` with `after_version` until done, upserting by id.
async fn catch_up(
    ws: &mut crate::ws_client::Ws,
    chat: i64,
    mut version: i64,
    state: &mut BTreeMap<i64, Value>,
) -> i64 {
    loop {
        ws.send(json!({"type": "sync", "chat_id": chat, "after_version": version, "limit": 3}))
            .await;
        let mut last = version;
        loop {
            let frame = ws.next_json().await;
            match frame["type"].as_str().unwrap() {
                "message" => {
                    let v = frame["message"]["version"].as_i64().unwrap();
                    assert!(v > last, "versions replay in order");
                    last = v;
                    let id = frame["message"]["id"].as_i64().unwrap();
                    state.insert(id, frame["message"].clone());
                }
                "sync_done" => {
                    version = frame["version"].as_i64().unwrap();
                    if frame["has_more"] == false {
                        return version;
                    }
                    break;
                }
                "presence" => {}
                other => panic!("unexpected {other}: {frame}"),
            }
        }
    }
}

#[actix_web::test]
async fn an_offline_session_ends_with_the_servers_state_after_sync_by_version() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let mut state = BTreeMap::new();
    let start = catch_up(&mut bob_ws, chat, 0, &mut state).await;
    assert!(state.is_empty());
    drop(bob_ws);

    // While Bob is away: sends, edits, a deletion, reactions.
    let mut ids = Vec::new();
    for i in 0..6 {
        let m = app
            .sent(&ann.token, chat, json!({"body": format!("m{i}")}))
            .await;
        ids.push(m["id"].as_i64().unwrap());
    }
    assert_eq!(
        app.edit(&ann.token, chat, ids[0], "m0 edited").await.status,
        200
    );
    assert_eq!(
        app.delete_message(&ann.token, chat, ids[2]).await.status,
        204
    );
    assert_eq!(
        app.react(&bob.token, chat, ids[1], "👍", true).await.status,
        204
    );
    assert_eq!(
        app.react(&ann.token, chat, ids[4], "🎉", true).await.status,
        204
    );
    assert_eq!(
        app.react(&ann.token, chat, ids[4], "🎉", false)
            .await
            .status,
        204
    );

    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let version = catch_up(&mut bob_ws, chat, start, &mut state).await;
    let server: BTreeMap<i64, Value> = app
        .history(&bob.token, chat, "")
        .await
        .into_iter()
        .map(|m| (m["id"].as_i64().unwrap(), m))
        .collect();
    assert_eq!(state, server);
    assert_eq!(
        version,
        server
            .values()
            .map(|m| m["version"].as_i64().unwrap())
            .max()
            .unwrap()
    );

    // Nothing newer: the chat's current version, and nothing replayed.
    bob_ws
        .send(json!({"type": "sync", "chat_id": chat, "after_version": version}))
        .await;
    let done = bob_ws.next_of("sync_done").await;
    assert_eq!(done["version"], version);
    assert_eq!(done["has_more"], false);
}
