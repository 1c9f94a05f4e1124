-- SQLite cannot drop columns used by a foreign key, so the new users
-- columns stay (unused and NULL) after a rollback; the tables go.
DROP TABLE blocks;
DROP TABLE reset_tokens;
DROP TABLE invites;
DROP INDEX users_avatar;
UPDATE users SET display_name = NULL, avatar_upload_id = NULL, disabled_at = NULL, invited_by = NULL;
