-- Edits, deletions, replies, reactions, mentions and search (issue 14).

-- Each chat's change counter: every creation, edit, deletion or reaction
-- change takes the next value(s) in the same transaction, so versions grow
-- strictly within a chat (the row lock orders concurrent writers).
ALTER TABLE chats ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE messages ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edited_at TIMESTAMP;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0; -- 0 | 1
-- No foreign key: a replied-to message is only ever soft-deleted, and a
-- reply whose original went with its sender's account shows no quote.
ALTER TABLE messages ADD COLUMN reply_to_id BIGINT;
-- Ids of the members the body mentions, comma-separated, as the message
-- object shows them; `mentions` below is the same for counting.
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
-- The body's words case- and accent-folded, space-separated: what the
-- search index holds ('' for a deleted message).
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE messages SET version = id, search_text = lower(body);
UPDATE chats SET version = COALESCE((SELECT MAX(id) FROM messages WHERE chat_id = chats.id), 0);

-- sync after_version: a range scan per chat.
CREATE INDEX messages_chat_version ON messages (chat_id, version);

CREATE TABLE reactions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, -- first use order
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL
);
CREATE UNIQUE INDEX reactions_one_per_user ON reactions (message_id, emoji, user_id);
CREATE INDEX reactions_user ON reactions (user_id);

-- Who a message mentions: the chat object's `mentions` count is a range
-- scan from the read marker here.
CREATE TABLE mentions (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    chat_id    BIGINT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, chat_id, message_id)
);
CREATE INDEX mentions_message ON mentions (message_id);

-- Full-text search over search_text, kept in step by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    search_text, content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
