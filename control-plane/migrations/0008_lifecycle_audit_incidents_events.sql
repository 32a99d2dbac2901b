-- Site rules, held visits, group events, security incidents, the audit log and a general email outbox.
ALTER TABLE sites ADD COLUMN security_email TEXT;
ALTER TABLE sites ADD COLUMN max_stay_minutes INTEGER NOT NULL DEFAULT 480;
ALTER TABLE sites ADD COLUMN opening_hours TEXT;
ALTER TABLE sites ADD COLUMN early_arrival_minutes INTEGER NOT NULL DEFAULT 0;

ALTER TABLE visits ADD COLUMN event_id TEXT;
ALTER TABLE visits ADD COLUMN guest_document TEXT;
ALTER TABLE visits ADD COLUMN held_reason TEXT;
-- A held visit's photo waits here for the admin's decision (no grant command carries it yet).
ALTER TABLE visits ADD COLUMN held_photo TEXT;
-- When the visit closed or its access was taken away: a later entry is an incident.
ALTER TABLE visits ADD COLUMN ended_at TEXT;
CREATE INDEX visits_event ON visits (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX visits_status_until ON visits (status, valid_until);

CREATE TABLE audit (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_token_id TEXT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  site_id TEXT,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_at ON audit (at, id);
CREATE INDEX audit_entity ON audit (entity, entity_id, at);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  dedup_key TEXT NOT NULL UNIQUE,
  site_id TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  visit_id TEXT,
  passage_id TEXT,
  guest_name TEXT,
  door_name TEXT,
  occurred_at TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX incidents_site ON incidents (site_id, detected_at);

-- Emails that are not host passage emails (incidents, event organisers): rendered when queued,
-- unique per dedup key so that a fact is mailed once.
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  dedup_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  recipient TEXT,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  sent_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

CREATE TABLE deny_list (
  id TEXT PRIMARY KEY,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  normalized TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (field, normalized)
);

CREATE TABLE group_events (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  organizer_name TEXT NOT NULL,
  organizer_email TEXT,
  organizer_language TEXT NOT NULL DEFAULT 'en',
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  capacity INTEGER NOT NULL,
  registration_deadline TEXT NOT NULL,
  registered INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'open',
  closed_reason TEXT,
  closed_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX group_events_open ON group_events (state, registration_deadline);
