-- Instances that announced themselves through a gateway's admin API (`discovery: { announce: true }`),
-- each live until `expires_at` unless renewed by a heartbeat. Every gateway sharing the store serves
-- the same live rows; expired rows are removed by the next announcement.
CREATE TABLE IF NOT EXISTS announced_instances (
  service text NOT NULL,
  url text NOT NULL,
  weight integer NOT NULL CHECK (weight > 0),
  announced_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (service, url)
);
CREATE INDEX IF NOT EXISTS announced_instances_by_expiry ON announced_instances (expires_at);
