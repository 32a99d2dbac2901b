-- What each terminal (ISAPI mode) is known to hold for each person, and what is still to be written to it.
CREATE TABLE terminal_persons (
  terminal TEXT NOT NULL,
  person_code TEXT NOT NULL,
  -- The state last written to the terminal (JSON), or NULL when nothing has been.
  applied TEXT,
  applied_at TEXT,
  -- The state still to be written (the terminal was away), or NULL when the terminal is in line.
  pending TEXT,
  last_error TEXT,
  -- A prepared face JPEG waiting for this terminal; dropped once it has it.
  pending_face BLOB,
  PRIMARY KEY (terminal, person_code)
);
CREATE INDEX terminal_persons_pending ON terminal_persons (terminal) WHERE pending IS NOT NULL;
