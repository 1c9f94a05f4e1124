-- Chats, memberships (with each member's read marker) and messages.

CREATE TABLE chats (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,              -- 'group' | 'direct'
    is_public       INTEGER NOT NULL DEFAULT 0, -- 0 | 1
    owner_id        BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- "<low id>:<high id>" for direct chats, so there is only one per pair.
    direct_key      TEXT,
    created_at      TIMESTAMP NOT NULL,
    -- Last message time, else creation: the "my chats" order, kept by the writer.
    activity_at     TIMESTAMP NOT NULL,
    last_message_id BIGINT
);
CREATE UNIQUE INDEX chats_direct_key ON chats (direct_key);
CREATE INDEX chats_public ON chats (is_public, activity_at);

CREATE TABLE chat_members (
    chat_id      BIGINT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,              -- 'owner' | 'member'
    joined_at    TIMESTAMP NOT NULL,
    -- Read marker: the newest message id this member has read.
    last_read_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id)
);
-- "My chats", presence contacts, the cascade on user deletion.
CREATE INDEX chat_members_user ON chat_members (user_id, chat_id);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    chat_id    BIGINT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    sender_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    client_id  TEXT,
    created_at TIMESTAMP NOT NULL
);
-- History pages, sync, last message and unread counts are all range scans here.
CREATE INDEX messages_chat_id ON messages (chat_id, id);
-- Idempotent sends: one message per (sender, client_id).
CREATE UNIQUE INDEX messages_sender_client_id ON messages (sender_id, client_id);
