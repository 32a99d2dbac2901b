-- Per-terminal results of a command, as the agent read them from HikCentral's download status.
ALTER TABLE commands ADD COLUMN devices TEXT;
