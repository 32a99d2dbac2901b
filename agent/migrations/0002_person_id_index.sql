-- Door event searches and some pushes name the person only by HikCentral's personId.
CREATE INDEX persons_person_id ON persons (person_id);
