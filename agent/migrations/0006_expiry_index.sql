-- The expiry watch asks for granted persons by validUntil after every grant: an index, not a scan of the replica.
CREATE INDEX persons_granted_until ON persons (json_extract(desired, '$.state'), json_extract(desired, '$.validUntil'));
