-- The registry's tables. Plain SQL that PGlite and PostgreSQL both run; idempotent on its own
-- (IF NOT EXISTS) besides being recorded in schema_migrations.

-- The composed public schema of each graph version, numbered across all services.
CREATE TABLE IF NOT EXISTS graph_versions (
  version integer PRIMARY KEY CHECK (version > 0),
  sdl text NOT NULL,
  author text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Every version of every service, never updated: a publish, a rollback (a copy of an earlier
-- version) and a deletion (a copy of the last version, marking the service gone) each add one,
-- with the graph version it made.
CREATE TABLE IF NOT EXISTS service_versions (
  service text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  action text NOT NULL CHECK (action IN ('import', 'publish', 'rollback', 'delete')),
  kind text NOT NULL CHECK (kind IN ('graphql', 'rest', 'federation')),
  urls jsonb NOT NULL,
  sdl text NOT NULL,
  options jsonb NOT NULL,
  author text NOT NULL,
  forced boolean NOT NULL DEFAULT false,
  restored_from integer,
  published_at timestamptz NOT NULL,
  graph_version integer NOT NULL REFERENCES graph_versions (version),
  PRIMARY KEY (service, version)
);
CREATE INDEX IF NOT EXISTS service_versions_by_graph ON service_versions (graph_version);

-- Which version of each service a graph version consists of, in composition order (position).
CREATE TABLE IF NOT EXISTS graph_services (
  graph_version integer NOT NULL REFERENCES graph_versions (version),
  service text NOT NULL,
  service_version integer NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY (graph_version, service),
  FOREIGN KEY (service, service_version) REFERENCES service_versions (service, version)
);

-- Every check that ran (a publish's included), passed or not, with its report.
CREATE TABLE IF NOT EXISTS checks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service text NOT NULL,
  action text NOT NULL CHECK (action IN ('check', 'publish', 'rollback', 'delete')),
  base_graph_version integer REFERENCES graph_versions (version),
  passed boolean NOT NULL,
  forced boolean NOT NULL DEFAULT false,
  author text NOT NULL,
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_service ON checks (service, id);

-- Operations' use of schema coordinates (Type.field, Type.field(arg:), Input.field, Enum.VALUE,
-- Type for a type condition), counted per hour, document and client.
CREATE TABLE IF NOT EXISTS usage (
  hour timestamptz NOT NULL,
  coordinate text NOT NULL,
  document_hash text NOT NULL,
  client text NOT NULL,
  count bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (hour, coordinate, document_hash, client)
);
CREATE INDEX IF NOT EXISTS usage_by_coordinate ON usage (coordinate, hour);
