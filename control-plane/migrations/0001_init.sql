-- Sites, their agents' credentials, API tokens, visits, commands, passages and the email outbox.
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  kinds TEXT NOT NULL,
  fallback_email TEXT,
  agent_username TEXT NOT NULL UNIQUE,
  agent_password_hash TEXT NOT NULL,
  next_seq INTEGER NOT NULL DEFAULT 1,
  agent_state TEXT NOT NULL DEFAULT 'unknown',
  agent_status TEXT,
  agent_seen_at TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  kind TEXT NOT NULL,
  person_code TEXT NOT NULL UNIQUE,
  guest_name TEXT NOT NULL,
  guest_email TEXT,
  guest_phone TEXT,
  host_name TEXT NOT NULL,
  host_email TEXT,
  host_language TEXT NOT NULL DEFAULT 'en',
  valid_from TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  revoke_on_exit INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  status TEXT NOT NULL,
  access TEXT NOT NULL DEFAULT 'pending',
  access_error TEXT,
  first_entry_at TEXT,
  first_exit_at TEXT,
  entry_count INTEGER NOT NULL DEFAULT 0,
  exit_count INTEGER NOT NULL DEFAULT 0,
  inside INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX visits_site_created ON visits (site_id, created_at);

CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  visit_id TEXT REFERENCES visits (id),
  envelope TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  error_code TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  send_count INTEGER NOT NULL DEFAULT 0,
  acked_at TEXT,
  UNIQUE (site_id, seq)
);
CREATE INDEX commands_unacked ON commands (status, site_id, seq);
CREATE INDEX commands_visit ON commands (visit_id);

CREATE TABLE passages (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  visit_id TEXT,
  person_code TEXT,
  door_id TEXT NOT NULL,
  door_name TEXT,
  direction TEXT NOT NULL,
  result TEXT NOT NULL,
  reason_code TEXT,
  event_type INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX passages_visit ON passages (visit_id, occurred_at);
CREATE INDEX passages_site ON passages (site_id, occurred_at);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL REFERENCES visits (id),
  kind TEXT NOT NULL,
  recipient TEXT,
  passage_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  sent_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (visit_id, kind)
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
