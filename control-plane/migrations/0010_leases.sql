-- One row per scheduler: the instance that holds it runs that scheduler until expires_at (ms since epoch)
-- unless it renews; another instance takes the row over only once it has expired.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  acquired_at TEXT NOT NULL
);
