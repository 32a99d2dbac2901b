-- A passage's camera picture, as the agent fetched it from HikCentral. Kept for the retention period only.
CREATE TABLE passage_pictures (
  passage_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes BLOB NOT NULL,
  fetched_at TEXT NOT NULL,
  stored_at TEXT NOT NULL
);
CREATE INDEX passage_pictures_stored ON passage_pictures (stored_at);
