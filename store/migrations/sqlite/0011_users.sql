-- An admin disables a user (store/users_admin.go): a disabled user's
-- sessions are deleted and no login or session lookup finds them again
-- until an admin enables them.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

-- A user's own email address, where "Send a test to me" sends an item's
-- email ('' when not set).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
