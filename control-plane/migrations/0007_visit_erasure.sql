-- Guests' personal data is erased a retention period after their visit closed; the visit itself stays
-- (counts, passages, audit), under its personCode.
ALTER TABLE visits ADD COLUMN erased_at TEXT;
CREATE INDEX visits_retention ON visits (erased_at, status, updated_at);
