ALTER TABLE chats RESET (fillfactor);
DROP INDEX chats_public;
CREATE INDEX chats_public ON chats (is_public, activity_at);
