-- Event time of a visit's latest passage: who is inside follows it, whatever order passages arrive in.
ALTER TABLE visits ADD COLUMN last_passage_at TEXT;
