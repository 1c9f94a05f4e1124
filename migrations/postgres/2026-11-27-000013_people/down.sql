DROP TABLE blocks;
DROP TABLE reset_tokens;
DROP TABLE invites;
DROP INDEX users_avatar;
ALTER TABLE users DROP COLUMN invited_by;
ALTER TABLE users DROP COLUMN disabled_at;
ALTER TABLE users DROP COLUMN avatar_upload_id;
ALTER TABLE users DROP COLUMN display_name;
