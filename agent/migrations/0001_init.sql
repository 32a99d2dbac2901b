-- The agent's local state: the inbox of commands, the outbox of acks and passages, the replica of persons.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE inbox (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  received_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX inbox_pending ON inbox (status, seq);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE persons (
  person_code TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  person_id TEXT,
  desired TEXT NOT NULL,
  applied_seq INTEGER,
  applied_at TEXT,
  last_error TEXT
);

CREATE TABLE seen_passages (
  id TEXT PRIMARY KEY,
  occurred_at TEXT NOT NULL
);
