-- Passages of every site, latest first (the console's dashboard, GET /v1/passages without a site, the CSV
-- export): an index range instead of sorting the whole table on every page.
CREATE INDEX passages_utc ON passages (occurred_utc, id);
