-- An agent's broker login can be rotated: the new login (a new username and password) is the site's at once;
-- the one before stays good until the agent has logged in with the new one, or until its grace period ends.
ALTER TABLE sites ADD COLUMN agent_generation INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN previous_agent_username TEXT;
ALTER TABLE sites ADD COLUMN previous_agent_password_hash TEXT;
ALTER TABLE sites ADD COLUMN previous_agent_valid_until TEXT;
