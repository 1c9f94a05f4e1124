DROP INDEX chats_public;
CREATE INDEX chats_public ON chats (is_public, activity_at);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
