-- Whether a passage's copy for MQTT consumers (gatehouse/v1/passages/{site}) is still to be published: set
-- with the passage, cleared once the broker has it. A control plane that dies in between leaves it set, and the
-- instance that takes the same passage in again (the agent's or the broker's redelivery) publishes it then.
-- Passages stored before this migration count as published.
ALTER TABLE passages ADD COLUMN consumer_copy_pending INTEGER NOT NULL DEFAULT 0;
