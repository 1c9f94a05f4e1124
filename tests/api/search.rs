//! `GET /api/v1/search/messages` (issue 14).

use serde_json::json;

use crate::fixtures::Pair;
use crate::helpers::{spawn_app, Resp, TestApp};

impl TestApp {
    pub async fn search(&self, token: &str, query: &str) -> Resp {
        self.get(&format!("/api/v1/search/messages?{query}"), Some(token))
            .await
    }

    /// Bodies of the hits, in order; asserts 200.
    pub async fn found(&self, token: &str, query: &str) -> Vec<String> {
        let res = self.search(token, query).await;
        assert_eq!(res.status, 200, "{query}: {}", res.body);
        res.body
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["message"]["body"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn q(s: &str) -> String {
    format!(
        "q={}",
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
    )
}

#[actix_web::test]
async fn words_match_folded_and_the_last_as_a_prefix() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    for body in [
        "Café au LAIT",
        "😀 héllo wörld",
        "cafeteria",
        "another café",
    ] {
        app.sent(&ann.token, chat, json!({ "body": body })).await;
    }
    let res = app.search(&bob.token, &q("cafe la")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let hits = res.body.as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["message"]["body"], "Café au LAIT");
    assert_eq!(hits[0]["matches"], json!([[0, 4], [8, 12]]));
    assert_eq!(hits[0]["message"]["chat_id"], chat);

    // Offsets count Unicode scalar values.
    let res = app.search(&bob.token, &q("HELLO")).await;
    assert_eq!(res.body[0]["matches"], json!([[2, 7]]));
    // Newest first; only the last word is a prefix.
    assert_eq!(
        app.found(&bob.token, &q("caf")).await,
        ["another café", "cafeteria", "Café au LAIT"]
    );
    assert!(app.found(&bob.token, &q("caf lait")).await.is_empty());
    assert_eq!(
        app.found(&bob.token, &format!("{}&limit=1", q("café")))
            .await,
        ["another café"]
    );
    let all = app.search(&bob.token, &q("café")).await;
    let newest = all.body[0]["message"]["id"].as_i64().unwrap();
    assert_eq!(
        app.found(&bob.token, &format!("{}&before={newest}", q("café")))
            .await,
        ["cafeteria", "Café au LAIT"]
    );

    for bad in ["q=", &q(&"a".repeat(201)), "limit=5"] {
        let res = app.search(&bob.token, bad).await;
        res.assert_error(422, "validation_failed");
        assert!(
            res.body["error"]["details"]["fields"]["q"].is_string(),
            "{bad}"
        );
    }
}

#[actix_web::test]
async fn edits_and_deletions_are_searched_by_current_state() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let m = app
        .sent(&ann.token, chat, json!({"body": "first draft"}))
        .await;
    let id = m["id"].as_i64().unwrap();
    assert_eq!(
        app.edit(&ann.token, chat, id, "final text").await.status,
        200
    );
    assert!(app.found(&bob.token, &q("draft")).await.is_empty());
    assert_eq!(app.found(&bob.token, &q("final")).await, ["final text"]);
    assert_eq!(app.delete_message(&ann.token, chat, id).await.status, 204);
    assert!(app.found(&bob.token, &q("final")).await.is_empty());
}

#[actix_web::test]
async fn search_never_returns_a_message_the_caller_cannot_read() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let carl = app.signup("carl").await;
    let secret = app.create_chat(&carl.token, "secret", &[], false).await;
    app.sent(&carl.token, secret, json!({"body": "secret plans"}))
        .await;
    let open = app.create_chat(&carl.token, "open", &[], true).await;
    app.sent(&carl.token, open, json!({"body": "public plans"}))
        .await;
    app.sent(&ann.token, chat, json!({"body": "our plans"}))
        .await;

    assert_eq!(app.found(&bob.token, &q("plans")).await, ["our plans"]);
    let res = app
        .search(&bob.token, &format!("{}&chat_id={secret}", q("plans")))
        .await;
    res.assert_error(404, "not_found");
    // A public chat named by chat_id is searched; only it.
    assert_eq!(
        app.found(&bob.token, &format!("{}&chat_id={open}", q("plans")))
            .await,
        ["public plans"]
    );
    // Someone who leaves no longer finds the chat's messages.
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/leave"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    assert!(app.found(&bob.token, &q("plans")).await.is_empty());
}
