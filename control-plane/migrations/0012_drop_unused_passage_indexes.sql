-- Passages are listed by their UTC time (passages_site_utc, passages_visit_utc); these two on the offset time
-- are read by no query and cost every insert two more B-tree writes.
DROP INDEX IF EXISTS passages_visit;
DROP INDEX IF EXISTS passages_site;
