-- The language a site's people read: a new host's emails (unless the visit names one) and the security
-- contact's incident emails.
ALTER TABLE sites ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
-- An incident's facts as data (guest, door, reason, …), so each reader words it in their own language.
ALTER TABLE incidents ADD COLUMN params TEXT;
