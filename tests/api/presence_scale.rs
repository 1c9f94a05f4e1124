//! Presence at community scale (issue 12): `presence` frames and
//! `ready.online` only through direct chats and chats of at most
//! `--presence-max-members` members; `presence_query` and `online_count`
//! for the rest. The bound is set to 3 here, so a chat of 4 is "large".

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};
use crate::ws_client::{Event, Ws};

const MAX: u32 = 3;

async fn app() -> TestApp {
    spawn_app_with(|s| s.presence_max_members = MAX).await
}

/// Every `presence` frame `ws` gets within `wait`, as (user, online).
pub(crate) async fn presence_frames(ws: &mut Ws, wait: Duration) -> Vec<(i64, bool)> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut out = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.event(left).await {
            Event::Silence => return out,
            Event::Json(f) if f["type"] == "presence" => {
                out.push((f["user_id"].as_i64().unwrap(), f["online"] == true));
            }
            Event::Json(_) => {}
            Event::Closed(code) => panic!("closed ({code:?})"),
        }
    }
}

/// Every `presence` frame `ws` gets until `wanted` arrives (within a
/// generous deadline, failing past it), and then within `quiet` more.
pub(crate) async fn presence_frames_until(
    ws: &mut Ws,
    wanted: (i64, bool),
    quiet: Duration,
) -> Vec<(i64, bool)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    while !out.contains(&wanted) {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.event(left).await {
            Event::Silence => panic!("no presence {wanted:?} within 60 s, only {out:?}"),
            Event::Json(f) if f["type"] == "presence" => {
                out.push((f["user_id"].as_i64().unwrap(), f["online"] == true));
            }
            Event::Json(_) => {}
            Event::Closed(code) => panic!("closed ({code:?})"),
        }
    }
    out.extend(presence_frames(ws, quiet).await);
    out
}

/// Sends a `presence_query` and returns its `presence_state` answer.
pub(crate) async fn query(ws: &mut Ws, ids: &[i64]) -> Value {
    ws.send(json!({"type": "presence_query", "user_ids": ids, "ref": "q"}))
        .await;
    let state = ws.next_of("presence_state").await;
    assert_eq!(state["ref"], "q", "{state}");
    state["online"].clone()
}

async fn online_count(app: &TestApp, token: &str, chat: i64) -> i64 {
    let res = app.get(&format!("/api/v1/chats/{chat}"), Some(token)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["online_count"].as_i64().expect("online_count")
}

#[actix_web::test]
async fn a_large_chat_sends_no_presence_but_answers_queries() {
    let app = app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let cat = app.signup("cat").await;
    let dan = app.signup("dan").await;
    let eve = app.signup("eve").await;
    let stranger = app.signup("stranger").await;
    let pair = app.create_chat(&ann.token, "pair", &["bob"], false).await;
    let big = app
        .create_chat(&ann.token, "big", &["cat", "dan", "eve"], false)
        .await;

    let (mut ann_ws, ready) = app.ws(&ann.token).await;
    assert_eq!(ready["online"], json!([]));
    assert_eq!(ready["presence_max_members"], MAX);
    let (_stranger_ws, _) = app.ws(&stranger.token).await;
    let (mut cat_ws, ready) = app.ws(&cat.token).await;
    assert_eq!(ready["online"], json!([]), "ann shares only the large chat");
    let (bob_ws, ready) = app.ws(&bob.token).await;
    assert_eq!(ready["online"], json!([ann.id]), "the small chat as before");
    // Cat arrived before bob: had the large chat carried presence, ann
    // would have heard of cat first.
    let heard =
        presence_frames_until(&mut ann_ws, (bob.id, true), Duration::from_millis(500)).await;
    assert_eq!(heard, vec![(bob.id, true)]);
    assert!(presence_frames(&mut cat_ws, Duration::from_millis(100))
        .await
        .is_empty());

    let ids = [cat.id, dan.id, bob.id, stranger.id, ann.id, 999_999, cat.id];
    assert_eq!(
        query(&mut ann_ws, &ids).await,
        json!([cat.id, bob.id, ann.id]),
        "the online ones sharing a chat, each once; never the stranger"
    );
    assert_eq!(
        query(&mut cat_ws, &[ann.id, bob.id, eve.id]).await,
        json!([ann.id]),
        "bob shares no chat with cat"
    );
    assert_eq!(query(&mut cat_ws, &[]).await, json!([]));
    assert_eq!(online_count(&app, &ann.token, big).await, 2);
    assert_eq!(online_count(&app, &dan.token, big).await, 2);
    assert_eq!(online_count(&app, &bob.token, pair).await, 2);

    // Departures: cat's (large chat) is never announced, bob's is.
    drop(cat_ws);
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(bob_ws);
    // Bob goes offline after the 5 s grace; cat, gone first, would have
    // been announced before him (or within the quiet second after).
    let heard = presence_frames_until(&mut ann_ws, (bob.id, false), Duration::from_secs(1)).await;
    assert_eq!(heard, vec![(bob.id, false)]);
    assert_eq!(query(&mut ann_ws, &[cat.id, bob.id]).await, json!([]));
    assert_eq!(online_count(&app, &ann.token, big).await, 1);
}

#[actix_web::test]
async fn more_than_200_ids_are_refused_and_queries_spend_the_frame_budget() {
    let app = spawn_app_with(|s| {
        s.presence_max_members = MAX;
        s.ws_frame_rate = 1;
        s.ws_frame_burst = 3;
    })
    .await;
    let ann = app.signup("ann").await;
    let (mut ws, _) = app.ws(&ann.token).await;
    let ids: Vec<i64> = (1..=201).collect();
    ws.send(json!({"type": "presence_query", "user_ids": ids, "ref": 7}))
        .await;
    let error = ws.next_json().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["ref"], 7);
    let ids: Vec<i64> = (1..=200).collect();
    assert_eq!(query(&mut ws, &ids).await, json!([ann.id]), "200 is fine");
    ws.send(json!({"type": "presence_query", "user_ids": "all"}))
        .await;
    assert_eq!(ws.next_json().await["code"], "bad_request");
    // The burst of 3 is spent (one frame a second comes back at most):
    // queries sent back to back now are refused.
    for _ in 0..3 {
        ws.send(json!({"type": "presence_query", "user_ids": [ann.id]}))
            .await;
    }
    let mut refused = 0;
    for _ in 0..3 {
        let reply = ws.next_json().await;
        refused += usize::from(reply["code"] == "rate_limited");
    }
    assert!(refused >= 2, "{refused} of 3 refused");
}

#[actix_web::test]
async fn the_rules_hold_across_instances() {
    let Some(redis) = crate::scaleout::redis_url() else {
        return;
    };
    let (a, b) = crate::scaleout::pair_with(&redis, |s| s.presence_max_members = MAX).await;
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let cat = a.signup("cat").await;
    let stranger = a.signup("stranger").await;
    a.signup("dan").await;
    a.signup("eve").await;
    let big = a
        .create_chat(&ann.token, "big", &["cat", "dan", "eve"], false)
        .await;
    a.create_chat(&ann.token, "pair", &["bob"], false).await;
    let (mut ann_a, _) = a.ws(&ann.token).await;
    // Wait until b has heard through Redis that ann is online.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while online_count(&b, &ann.token, big).await < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "b never heard that ann is online"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_cat_b, ready) = b.ws(&cat.token).await;
    assert_eq!(ready["online"], json!([]), "only the large chat is shared");
    let (_stranger_b, _) = b.ws(&stranger.token).await;
    let (_bob_b, ready) = b.ws(&bob.token).await;
    assert_eq!(ready["online"], json!([ann.id]));
    let heard = presence_frames_until(&mut ann_a, (bob.id, true), Duration::from_millis(500)).await;
    assert_eq!(heard, vec![(bob.id, true)]);
    assert_eq!(
        query(&mut ann_a, &[cat.id, stranger.id, bob.id]).await,
        json!([cat.id, bob.id])
    );
    assert_eq!(online_count(&a, &ann.token, big).await, 2);
    assert_eq!(online_count(&b, &ann.token, big).await, 2);
}

#[actix_web::test]
async fn a_blocked_user_is_never_reported_online() {
    let app = app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    app.signup("cat").await;
    app.signup("dan").await;
    app.create_chat(&ann.token, "big", &["bob", "cat", "dan"], false)
        .await;
    let res = app
        .call(
            actix_web::http::Method::PUT,
            &format!("/api/v1/users/me/blocks/{}", bob.id),
            Some(&ann.token),
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    assert_eq!(query(&mut ann_ws, &[bob.id]).await, json!([]));
    assert_eq!(query(&mut bob_ws, &[ann.id]).await, json!([ann.id]));
}

#[actix_web::test]
async fn crossing_the_bound_starts_or_stops_presence_from_then_on() {
    let app = app().await;
    let ann = app.signup("ann").await;
    let cat = app.signup("cat").await;
    let dan = app.signup("dan").await;
    let eve = app.signup("eve").await;
    let big = app
        .create_chat(&ann.token, "big", &["cat", "dan", "eve"], false)
        .await;
    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let (mut cat_ws, ready) = app.ws(&cat.token).await;
    assert_eq!(ready["online"], json!([]));

    // Down to 3 members: the chat carries presence, and the online members
    // are introduced to each other.
    let path = format!("/api/v1/chats/{big}/members/eve");
    let res = app
        .call(
            actix_web::http::Method::DELETE,
            &path,
            Some(&ann.token),
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let wait = Duration::from_millis(700);
    assert_eq!(presence_frames(&mut ann_ws, wait).await, [(cat.id, true)]);
    assert_eq!(presence_frames(&mut cat_ws, wait).await, [(ann.id, true)]);
    let (dan_ws, ready) = app.ws(&dan.token).await;
    let mut online: Vec<i64> = serde_json::from_value(ready["online"].clone()).unwrap();
    online.sort_unstable();
    assert_eq!(online, [ann.id.min(cat.id), ann.id.max(cat.id)]);
    assert_eq!(presence_frames(&mut ann_ws, wait).await, [(dan.id, true)]);

    // Back to 4: eve, online, is introduced to nobody, and dan's departure
    // goes unannounced.
    let (mut eve_ws, _) = app.ws(&eve.token).await;
    let res = app
        .post(
            &format!("/api/v1/chats/{big}/members"),
            Some(&ann.token),
            json!({"username": "eve"}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(presence_frames(&mut eve_ws, wait).await.is_empty());
    drop(dan_ws);
    assert!(presence_frames(&mut ann_ws, Duration::from_secs(7))
        .await
        .is_empty());
    assert_eq!(
        query(&mut ann_ws, &[cat.id, dan.id, eve.id]).await,
        json!([cat.id, eve.id])
    );
}
