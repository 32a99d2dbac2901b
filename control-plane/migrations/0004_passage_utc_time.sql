-- Event time in UTC, so passages order correctly across offsets and DST changes.
ALTER TABLE passages ADD COLUMN occurred_utc TEXT;
CREATE INDEX passages_site_utc ON passages (site_id, occurred_utc);
CREATE INDEX passages_visit_utc ON passages (visit_id, occurred_utc);
