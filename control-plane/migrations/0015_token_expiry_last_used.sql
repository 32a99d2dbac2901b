-- API tokens may end by themselves (an expiry set when they are made), and say when they were last used, so an
-- admin can see which are idle before revoking them.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
