-- Commands of one person run one at a time, different persons side by side: the lane is the person.
ALTER TABLE inbox ADD COLUMN lane TEXT;
-- A command that failed for now waits until then; kept on disk, so a restart resumes the backoff.
ALTER TABLE inbox ADD COLUMN next_attempt_at TEXT;
-- When the person's access ended (revoked, or expired by the agent itself); the retention clock starts here.
ALTER TABLE persons ADD COLUMN ended_at TEXT;
-- When reconciliation last found HikCentral in line with this row.
ALTER TABLE persons ADD COLUMN checked_at TEXT;
CREATE INDEX persons_ended ON persons (ended_at);
CREATE INDEX seen_passages_occurred ON seen_passages (occurred_at);
