use actix_web::http::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn creating_a_chat_returns_it_with_the_creator_as_owner() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    app.signup("bob").await;
    app.signup("cat").await;
    let res = app
        .post(
            "/api/v1/chats",
            Some(&ann.token),
            json!({"name": "  Team  ", "members": ["BOB", "cat", "bob"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let chat = &res.body;
    assert_eq!(chat["name"], "Team");
    assert_eq!(chat["kind"], "group");
    assert_eq!(chat["public"], false);
    assert_eq!(chat["owner_id"], ann.id);
    assert_eq!(chat["members_count"], 3);
    assert_eq!(chat["my_role"], "owner");
    assert!(chat["last_message"].is_null());
    assert_eq!(chat["unread"], 0);
    assert!(chat["created_at"].as_str().unwrap().ends_with('Z'));

    let full = app
        .get(&format!("/api/v1/chats/{}", chat["id"]), Some(&ann.token))
        .await;
    let names: Vec<_> = full.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["ann", "bob", "cat"]);
    assert!(full.body["members"][0].get("email").is_none());
}

#[actix_web::test]
async fn unknown_member_names_are_refused_and_nothing_is_created() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    app.signup("bob").await;
    let res = app
        .post(
            "/api/v1/chats",
            Some(&ann.token),
            json!({"name": "x", "members": ["bob", "ghost", "Phantom"]}),
        )
        .await;
    res.assert_error(422, "unknown_users");
    let mut names: Vec<_> = res.body["error"]["details"]["usernames"]
        .as_array()
        .unwrap()
        .clone();
    names.sort_by_key(|v| v.as_str().unwrap().to_lowercase());
    assert_eq!(names, vec![json!("ghost"), json!("Phantom")]);
    assert_eq!(
        app.get("/api/v1/chats", Some(&ann.token)).await.body,
        json!([])
    );
}

#[actix_web::test]
async fn chat_input_is_validated() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let post = |body| app.post("/api/v1/chats", Some(&ann.token), body);
    post(json!({"name": "   ", "members": []}))
        .await
        .assert_error(422, "validation_failed");
    post(json!({"name": "x".repeat(101), "members": []}))
        .await
        .assert_error(422, "validation_failed");
    post(json!({"members": []}))
        .await
        .assert_error(400, "bad_request");
    post(json!({"name": "x", "members": "bob"}))
        .await
        .assert_error(400, "bad_request");
    let many: Vec<String> = (0..1001).map(|i| format!("user{i}")).collect();
    let res = post(json!({"name": "x", "members": many})).await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["error"]["details"]["fields"]["members"].is_string());
    assert_eq!(
        post(json!({"name": "solo", "members": []})).await.status,
        201
    );
}

#[actix_web::test]
async fn a_direct_chat_is_created_once_per_pair() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let first = app
        .post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "Bob"}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["kind"], "direct");
    assert_eq!(first.body["members_count"], 2);
    let again = app
        .post(
            "/api/v1/chats/direct",
            Some(&bob.token),
            json!({"username": "ann"}),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    let me = app
        .post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "ann"}),
        )
        .await;
    me.assert_error(422, "validation_failed");
    let ghost = app
        .post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "ghost"}),
        )
        .await;
    ghost.assert_error(422, "unknown_users");
    let add = app
        .post(
            &format!("/api/v1/chats/{}/members", first.body["id"]),
            Some(&ann.token),
            json!({"username": "x"}),
        )
        .await;
    add.assert_error(403, "forbidden");
}

#[actix_web::test]
async fn my_chats_come_most_recent_first_with_unread_counts() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let old = app.create_chat(&ann.token, "old", &["bob"], false).await;
    let new = app.create_chat(&ann.token, "new", &["bob"], false).await;
    let list = app.get("/api/v1/chats", Some(&bob.token)).await;
    let ids: Vec<_> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![new, old], "newest creation first");

    app.send_rest(&ann.token, old, "one", None).await;
    let last = app.send_rest(&ann.token, old, "two", None).await;
    app.send_rest(&bob.token, old, "mine", None).await;
    let list = app.get("/api/v1/chats", Some(&bob.token)).await;
    let first = &list.body[0];
    assert_eq!(first["id"], old, "activity moves a chat up");
    assert_eq!(first["unread"], 2, "own messages are never unread");
    assert_eq!(first["last_message"]["body"], "mine");
    assert_eq!(first["my_role"], "member");

    let read_path = format!("/api/v1/chats/{old}/read");
    let read =
        |id: serde_json::Value| app.post(&read_path, Some(&bob.token), json!({"message_id": id}));
    assert_eq!(read(last.body["id"].clone()).await.status, 204);
    let list = app.get("/api/v1/chats", Some(&bob.token)).await;
    assert_eq!(list.body[0]["unread"], 0);
    // Never backwards.
    assert_eq!(read(json!(1)).await.status, 204);
    assert_eq!(
        app.get("/api/v1/chats", Some(&bob.token)).await.body[0]["unread"],
        0
    );
    let owner_view = app.get("/api/v1/chats", Some(&ann.token)).await;
    assert_eq!(
        owner_view.body[0]["unread"], 1,
        "bob's message is unread for ann"
    );
}

#[actix_web::test]
async fn public_chats_can_be_listed_joined_and_left() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let open = app.create_chat(&ann.token, "lobby", &[], true).await;
    let _closed = app.create_chat(&ann.token, "secret", &[], false).await;
    let list = app.get("/api/v1/chats/public", Some(&bob.token)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["id"], open);
    assert!(list.body[0]["my_role"].is_null());
    app.get("/api/v1/chats/public?limit=0", Some(&bob.token))
        .await
        .assert_error(422, "validation_failed");

    let join = app
        .post(
            &format!("/api/v1/chats/{open}/join"),
            Some(&bob.token),
            json!(null),
        )
        .await;
    assert_eq!(join.status, 200, "{}", join.body);
    assert_eq!(join.body["my_role"], "member");
    assert_eq!(join.body["members_count"], 2);
    let again = app
        .post(
            &format!("/api/v1/chats/{open}/join"),
            Some(&bob.token),
            json!(null),
        )
        .await;
    assert_eq!(again.status, 200);

    // The owner leaves: ownership passes to the longest-standing member.
    let leave = app
        .post(
            &format!("/api/v1/chats/{open}/leave"),
            Some(&ann.token),
            json!(null),
        )
        .await;
    assert_eq!(leave.status, 204);
    let chat = app
        .get(&format!("/api/v1/chats/{open}"), Some(&bob.token))
        .await;
    assert_eq!(chat.body["owner_id"], bob.id);
    assert_eq!(chat.body["my_role"], "owner");
    // The last member leaves: the chat is gone.
    app.post(
        &format!("/api/v1/chats/{open}/leave"),
        Some(&bob.token),
        json!(null),
    )
    .await;
    app.get(&format!("/api/v1/chats/{open}"), Some(&bob.token))
        .await
        .assert_error(404, "not_found");
    app.post(
        &format!("/api/v1/chats/{open}/leave"),
        Some(&bob.token),
        json!(null),
    )
    .await
    .assert_error(404, "not_found");
}

#[actix_web::test]
async fn private_chats_do_not_exist_for_outsiders() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let eve = app.signup("eve").await;
    let chat = app.create_chat(&ann.token, "secret", &[], false).await;
    app.get(&format!("/api/v1/chats/{chat}"), Some(&eve.token))
        .await
        .assert_error(404, "not_found");
    app.get(&format!("/api/v1/chats/{chat}/messages"), Some(&eve.token))
        .await
        .assert_error(404, "not_found");
    app.send_rest(&eve.token, chat, "hi", None)
        .await
        .assert_error(404, "not_found");
    app.post(
        &format!("/api/v1/chats/{chat}/join"),
        Some(&eve.token),
        json!(null),
    )
    .await
    .assert_error(404, "not_found");
    app.post(
        &format!("/api/v1/chats/{chat}/read"),
        Some(&eve.token),
        json!({"message_id": 1}),
    )
    .await
    .assert_error(404, "not_found");
    app.get("/api/v1/chats/999999", Some(&eve.token))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn owners_and_admins_manage_members_and_delete_chats() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    app.signup("cat").await;
    let root = app.signup("root").await;
    app.make_admin("root");
    let chat = app.create_chat(&ann.token, "team", &["bob"], false).await;
    let members = format!("/api/v1/chats/{chat}/members");

    let res = app
        .post(&members, Some(&bob.token), json!({"username": "cat"}))
        .await;
    res.assert_error(403, "forbidden");
    let res = app
        .post(&members, Some(&ann.token), json!({"username": "cat"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["members_count"], 3);
    assert_eq!(
        app.post(&members, Some(&ann.token), json!({"username": "cat"}))
            .await
            .status,
        200
    );
    app.post(&members, Some(&ann.token), json!({"username": "nobody"}))
        .await
        .assert_error(422, "unknown_users");

    let (cat_path, big_cat, bob_path) = (
        format!("{members}/cat"),
        format!("{members}/CAT"),
        format!("{members}/bob"),
    );
    let del = |path: &str, token: &str| {
        let (path, token) = (path.to_owned(), token.to_owned());
        let app = &app;
        async move {
            app.call(Method::DELETE, &path, Some(&token), &[], None)
                .await
        }
    };
    del(&cat_path, &bob.token)
        .await
        .assert_error(403, "forbidden");
    assert_eq!(del(&big_cat, &ann.token).await.status, 204);
    del(&cat_path, &ann.token)
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        del(&bob_path, &root.token).await.status,
        204,
        "admins manage any chat"
    );

    let path = format!("/api/v1/chats/{chat}");
    app.call(Method::DELETE, &path, Some(&bob.token), &[], None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&root.token), &[], None)
            .await
            .status,
        204
    );
    app.get(&path, Some(&ann.token))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn history_pages_over_250_messages_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "log", &[], false).await;
    let mut sent = Vec::new();
    for i in 0..250 {
        let res = app
            .send_rest(&ann.token, chat, &format!("m{i}"), None)
            .await;
        assert_eq!(res.status, 201);
        sent.push(res.body["id"].as_i64().unwrap());
    }
    assert!(sent.windows(2).all(|w| w[0] < w[1]), "ids grow");
    let newest = app.history_ids(&ann.token, chat, "").await;
    assert_eq!(newest, sent[200..], "default: the newest 50, oldest first");

    let mut pages = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let query = match before {
            Some(b) => format!("?before={b}&limit=70"),
            None => "?limit=70".into(),
        };
        let page = app.history_ids(&ann.token, chat, &query).await;
        if page.is_empty() {
            break;
        }
        before = Some(page[0]);
        pages.splice(0..0, page);
    }
    assert_eq!(pages, sent);
    assert_eq!(
        app.history_ids(&ann.token, chat, "?limit=1000").await.len(),
        100,
        "clamped"
    );
    let res = app
        .get(
            &format!("/api/v1/chats/{chat}/messages?limit=0"),
            Some(&ann.token),
        )
        .await;
    res.assert_error(422, "validation_failed");
}

#[actix_web::test]
async fn rest_sends_validate_body_and_client_id() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "x", &[], false).await;
    app.send_rest(&ann.token, chat, "   ", None)
        .await
        .assert_error(422, "validation_failed");
    let long = "é".repeat(4001);
    app.send_rest(&ann.token, chat, &long, None)
        .await
        .assert_error(422, "validation_failed");
    assert_eq!(
        app.send_rest(&ann.token, chat, &"é".repeat(4000), None)
            .await
            .status,
        201
    );
    let id = "x".repeat(65);
    app.send_rest(&ann.token, chat, "hi", Some(&id))
        .await
        .assert_error(422, "validation_failed");
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/messages"),
            Some(&ann.token),
            json!({}),
        )
        .await;
    res.assert_error(400, "bad_request");
}

#[actix_web::test]
async fn guests_read_public_chats_but_cannot_write() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "lobby", &[], true).await;
    app.send_rest(&ann.token, chat, "welcome", None).await;
    let guest = app
        .call(Method::POST, "/api/v1/auth/guest", None, &[], None)
        .await;
    let token = guest.body["access_token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/chats/public", Some(token)).await.body[0]["id"],
        chat
    );
    assert_eq!(app.history_ids(token, chat, "").await.len(), 1);
    app.send_rest(token, chat, "hi", None)
        .await
        .assert_error(403, "forbidden");
    app.post(
        &format!("/api/v1/chats/{chat}/join"),
        Some(token),
        json!(null),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(
        "/api/v1/chats",
        Some(token),
        json!({"name": "x", "members": []}),
    )
    .await
    .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn deleting_a_user_removes_their_messages_and_passes_their_chats_on() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "team", &["bob"], false).await;
    let solo = app.create_chat(&ann.token, "solo", &[], false).await;
    app.send_rest(&ann.token, chat, "from ann", None).await;
    let kept = app.send_rest(&bob.token, chat, "from bob", None).await;
    let res = app
        .call(
            Method::DELETE,
            "/api/v1/users/me",
            Some(&ann.token),
            &[],
            Some(json!({"password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 204);
    let chat_view = app
        .get(&format!("/api/v1/chats/{chat}"), Some(&bob.token))
        .await;
    assert_eq!(chat_view.body["owner_id"], bob.id);
    assert_eq!(chat_view.body["members_count"], 1);
    assert_eq!(
        app.history_ids(&bob.token, chat, "").await,
        vec![kept.body["id"].as_i64().unwrap()]
    );
    let _ = solo;
    let list = app.get("/api/v1/chats", Some(&bob.token)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}
