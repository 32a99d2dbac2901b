-- Idempotency-Key of writes: recorded in the same transaction as what the write created.
CREATE TABLE idempotency_keys (
  token_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
);
