//! Table definitions shared by both backends. Only types the derived
//! `MultiBackend` supports appear here (no `Bool`).

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    role_permissions (role, permission) {
        role -> Text,
        permission -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        username_lower -> Text,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Text,
        created_at -> Timestamp,
        display_name -> Nullable<Text>,
        avatar_upload_id -> Nullable<BigInt>,
        disabled_at -> Nullable<Timestamp>,
        invited_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    chats (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        is_public -> Integer,
        owner_id -> Nullable<BigInt>,
        direct_key -> Nullable<Text>,
        created_at -> Timestamp,
        activity_at -> Timestamp,
        last_message_id -> Nullable<BigInt>,
        version -> BigInt,
    }
}

diesel::table! {
    chat_members (chat_id, user_id) {
        chat_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        joined_at -> Timestamp,
        last_read_id -> BigInt,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        chat_id -> BigInt,
        sender_id -> BigInt,
        body -> Text,
        client_id -> Nullable<Text>,
        created_at -> Timestamp,
        version -> BigInt,
        edited_at -> Nullable<Timestamp>,
        deleted -> Integer,
        reply_to_id -> Nullable<BigInt>,
        mentions -> Text,
        search_text -> Text,
    }
}

diesel::table! {
    reactions (id) {
        id -> BigInt,
        message_id -> BigInt,
        user_id -> BigInt,
        emoji -> Text,
    }
}

diesel::table! {
    mentions (user_id, chat_id, message_id) {
        user_id -> BigInt,
        chat_id -> BigInt,
        message_id -> BigInt,
    }
}

diesel::table! {
    uploads (id) {
        id -> BigInt,
        owner_id -> Nullable<BigInt>,
        storage_key -> Text,
        name -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        duration_ms -> Nullable<BigInt>,
        thumb_key -> Nullable<Text>,
        thumb_content_type -> Nullable<Text>,
        thumb_size -> Nullable<BigInt>,
        created_at -> Timestamp,
        attached_at -> Nullable<Timestamp>,
        message_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    invites (code) {
        code -> Text,
        created_by -> BigInt,
        max_uses -> Nullable<BigInt>,
        uses -> BigInt,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reset_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> BigInt,
        blocked_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(invites -> users (created_by));
diesel::joinable!(reset_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(chat_members -> chats (chat_id));
diesel::joinable!(chat_members -> users (user_id));
diesel::joinable!(messages -> users (sender_id));
diesel::joinable!(messages -> chats (chat_id));
diesel::joinable!(reactions -> messages (message_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    role_permissions,
    settings,
    chats,
    chat_members,
    messages,
    uploads,
    invites,
    reset_tokens,
    blocks,
    reactions,
    mentions
);
