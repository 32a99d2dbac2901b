-- The reconciliation that last found the person in HikCentral's listing: the persons HikCentral does not hold are
-- those a run did not mark, found by a scan of the replica instead of a set of 100,000 codes in memory.
ALTER TABLE persons ADD COLUMN seen_run TEXT;
