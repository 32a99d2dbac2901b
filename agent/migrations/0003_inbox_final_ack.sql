-- The final ack of each finished command, repeated as it was when the control plane sends the command again.
ALTER TABLE inbox ADD COLUMN final_ack TEXT;
