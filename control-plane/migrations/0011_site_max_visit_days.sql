-- The longest a visit of the site may last (validFrom to validUntil), in days: a typo in a year cannot grant
-- a guest a decade.
ALTER TABLE sites ADD COLUMN max_visit_days INTEGER NOT NULL DEFAULT 366;
