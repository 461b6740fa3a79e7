/**
 * The store's schema, as an append-only list: a released migration is never edited, a change is a
 * new entry. `PRAGMA user_version` holds the applied version; `schema_migrations` says when each ran.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "incidents, stage attempts, serve lease",
    sql: `
      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        alert_name TEXT NOT NULL,
        service TEXT,
        alert_json TEXT NOT NULL,
        stage TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        outcome TEXT,
        headline TEXT,
        error TEXT,
        failed_stage TEXT,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        resolved_at TEXT,
        notifications INTEGER NOT NULL DEFAULT 1,
        report_json TEXT,
        report_md TEXT,
        patch_json TEXT,
        no_patch_reasons_json TEXT,
        verdict_json TEXT,
        bundle_md TEXT,
        UNIQUE (fingerprint, starts_at)
      );
      CREATE INDEX incidents_by_stage ON incidents (stage, id);
      CREATE TABLE stage_attempts (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        stage TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms INTEGER,
        result TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX stage_attempts_by_incident ON stage_attempts (incident_id, id);
      CREATE INDEX stage_attempts_running ON stage_attempts (result) WHERE result = 'running';
      CREATE TABLE serve_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        start_ticks INTEGER NOT NULL,
        acquired_at TEXT NOT NULL
      );
    `,
  },
];
