//! `members_changed` reaches every member's sessions and a public chat's
//! followers on add, remove, join, leave and ownership passing (issue 14).

use std::time::Duration;

use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn every_member_and_follower_hears_of_membership_changes() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let carl = app.signup("carl").await;
    let dave = app.signup("dave").await;
    let chat = app.create_chat(&ann.token, "open", &["bob"], true).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let (mut dave_ws, _) = app.ws(&dave.token).await;
    dave_ws
        .send(json!({"type": "subscribe", "chat_id": chat}))
        .await;
    dave_ws.next_of("subscribed").await;

    // Add.
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/members"),
            Some(&ann.token),
            json!({"username": "carl"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    for ws in [&mut bob_ws, &mut dave_ws] {
        let frame = ws.next_of("members_changed").await;
        assert_eq!(frame["chat_id"], chat);
        assert_eq!(frame["members_count"], 3);
        assert_eq!(frame["owner_id"], ann.id);
        assert_eq!(frame["added"][0]["id"], carl.id);
        assert_eq!(frame["added"][0]["username"], "carl");
        assert_eq!(frame["removed"], json!([]));
    }
    // The owner leaves: ownership passes to the longest-standing member.
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/leave"),
            Some(&ann.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 204);
    for ws in [&mut bob_ws, &mut dave_ws] {
        let frame = ws.next_of("members_changed").await;
        assert_eq!(frame["members_count"], 2);
        assert_eq!(frame["owner_id"], bob.id);
        assert_eq!(frame["removed"], json!([ann.id]));
    }
    // Join, then removal by the new owner.
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/join"),
            Some(&dave.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200);
    let frame = bob_ws.next_of("members_changed").await;
    assert_eq!(frame["added"][0]["id"], dave.id);
    let path = format!("/api/v1/chats/{chat}/members/carl");
    let res = app
        .call(
            awc::http::Method::DELETE,
            &path,
            Some(&bob.token),
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let frame = bob_ws.next_of("members_changed").await;
    assert_eq!(frame["removed"], json!([carl.id]));
    assert_eq!(frame["members_count"], 2);
    bob_ws.assert_quiet(Duration::from_millis(300)).await;
}
