import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Alert } from "../alerts/alert.js";
import type { Patch } from "../bridge/patch.js";
import type { Report } from "../investigate/report.js";
import { isRunning, processStartTicks } from "../runtime/process.js";
import { UserError } from "../util/errors.js";
import {
  type Incident,
  type IncidentOutcome,
  type IncidentStage,
  type IncidentSummary,
  runningStage,
  type StageAttempt,
  type StageName,
  type VerdictLike,
} from "./incident.js";
import { migrations } from "./migrations.js";

/** What one webhook notification did to the store. */
export interface IntakeResult {
  /** Incidents the notification created. */
  created: number[];
  /** Incidents it repeated (same fingerprint and start): deduplicated. */
  repeated: number[];
  /** Incidents it marked resolved. */
  resolved: number[];
  /** Resolved alerts with no incident (their firing notification never reached fixloop). */
  ignored: number;
}

interface IncidentRow {
  id: number;
  fingerprint: string;
  starts_at: string;
  alert_name: string;
  service: string | null;
  alert_json: string;
  stage: IncidentStage;
  attempts: number;
  outcome: IncidentOutcome | null;
  headline: string | null;
  error: string | null;
  failed_stage: StageName | null;
  received_at: string;
  updated_at: string;
  resolved_at: string | null;
  notifications: number;
  report_json: string | null;
  report_md: string | null;
  patch_json: string | null;
  no_patch_reasons_json: string | null;
  verdict_json: string | null;
  bundle_md: string | null;
}

interface AttemptRow {
  stage: StageName;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  result: StageAttempt["result"];
  error: string | null;
}

const summaryColumns =
  "id, fingerprint, starts_at, alert_name, service, stage, attempts, outcome, headline, error, failed_stage, received_at, updated_at, resolved_at, notifications";

const unfinished: Record<StageName, IncidentStage[]> = {
  investigate: ["received", "investigating"],
  patch: ["patching"],
  verify: ["verifying"],
};

/** Outputs a stage and every later stage produce: cleared when the stage runs again. */
const outputsFrom: Record<StageName, string> = {
  investigate:
    "report_json = NULL, report_md = NULL, patch_json = NULL, no_patch_reasons_json = NULL, verdict_json = NULL, bundle_md = NULL",
  patch: "patch_json = NULL, no_patch_reasons_json = NULL, verdict_json = NULL, bundle_md = NULL",
  verify: "verdict_json = NULL, bundle_md = NULL",
};

/**
 * The pipeline's durable state: one SQLite file (WAL). Every write is one synchronous transaction,
 * so an acknowledged webhook or a finished stage survives a crash of the process right after it.
 */
export class IncidentStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** A prepared statement, compiled once per store: intake runs the same few statements all day. */
  private sql<P extends unknown[] = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  /** Opens (creating it and its folder when missing) and migrates the store. */
  static open(file: string): IncidentStore {
    let db: Database.Database;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file);
      db.pragma("journal_mode = WAL");
    } catch (err) {
      throw new UserError(`${file}: cannot open the incident store: ${(err as Error).message}`);
    }
    // FULL: a commit is on disk (not only in the OS cache) before the webhook is acknowledged.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    migrate(db, file);
    return new IncidentStore(db, file);
  }

  static fileIn(stateDir: string): string {
    return path.join(stateDir, "fixloop.db");
  }

  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Makes this process the store's only worker; fails when another live `serve` holds it. A holder
   * that died (even by kill -9) is recognised by its pid and start time, and replaced.
   */
  claim(): void {
    const pid = process.pid;
    this.db
      .transaction(() => {
        const holder = this.sql("SELECT pid, start_ticks FROM serve_lease WHERE id = 1").get() as
          | { pid: number; start_ticks: number }
          | undefined;
        if (holder && holder.pid !== pid && isRunning({ pid: holder.pid, startTicks: holder.start_ticks }))
          throw new UserError(
            `${this.file} is in use by another fixloop serve (pid ${holder.pid}); stop it or pass another --state-dir`,
          );
        this.sql(
          "INSERT OR REPLACE INTO serve_lease (id, pid, start_ticks, acquired_at) VALUES (1, ?, ?, ?)",
        ).run(pid, processStartTicks(pid) ?? 0, iso());
      })
      .immediate();
  }

  release(): void {
    this.sql("DELETE FROM serve_lease WHERE pid = ?").run(process.pid);
  }

  /**
   * Records notifications (each a list of alerts) in one transaction: new incidents, repeats,
   * resolutions. One result per notification, in order.
   */
  recordNotifications(notifications: readonly (readonly Alert[])[]): IntakeResult[] {
    const find = this.sql<[string, string], { id: number }>(
      "SELECT id FROM incidents WHERE fingerprint = ? AND starts_at = ?",
    );
    const insert = this.sql(
      `INSERT INTO incidents (fingerprint, starts_at, alert_name, alert_json, stage, received_at, updated_at)
       VALUES (?, ?, ?, ?, 'received', ?, ?)`,
    );
    const repeat = this.sql(
      "UPDATE incidents SET notifications = notifications + 1, updated_at = ? WHERE id = ?",
    );
    const resolve = this.sql(
      `UPDATE incidents SET notifications = notifications + 1, resolved_at = COALESCE(resolved_at, ?),
       updated_at = ? WHERE id = ?`,
    );
    return this.db.transaction(() => {
      const now = iso();
      return notifications.map((alerts) => {
        const result: IntakeResult = { created: [], repeated: [], resolved: [], ignored: 0 };
        for (const alert of alerts) {
          const startsAt = normalizeTime(alert.startsAt);
          const existing = find.get(alert.fingerprint, startsAt);
          if (alert.status === "resolved") {
            if (!existing) {
              result.ignored++;
              continue;
            }
            const endsAt = alert.endsAt && !Number.isNaN(Date.parse(alert.endsAt)) ? alert.endsAt : now;
            resolve.run(normalizeTime(endsAt), now, existing.id);
            result.resolved.push(existing.id);
          } else if (existing) {
            repeat.run(now, existing.id);
            result.repeated.push(existing.id);
          } else {
            const info = insert.run(alert.fingerprint, startsAt, alert.name, JSON.stringify(alert), now, now);
            result.created.push(Number(info.lastInsertRowid));
          }
        }
        return result;
      });
    })();
  }

  /** Newest first; `before` pages on by id. */
  list(options: { limit?: number; before?: number } = {}): IncidentSummary[] {
    const rows = this.sql<[number, number], IncidentRow>(
      `SELECT ${summaryColumns} FROM incidents WHERE id < ? ORDER BY id DESC LIMIT ?`,
    ).all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100);
    return rows.map(toSummary);
  }

  get(id: number): Incident | undefined {
    const row = this.sql<[number], IncidentRow>("SELECT * FROM incidents WHERE id = ?").get(id);
    if (!row) return undefined;
    const attempts = this.sql<[number], AttemptRow>(
      "SELECT stage, attempt, started_at, finished_at, duration_ms, result, error FROM stage_attempts WHERE incident_id = ? ORDER BY id",
    ).all(id);
    return {
      ...toSummary(row),
      alert: JSON.parse(row.alert_json) as Alert,
      report: parse<Report>(row.report_json),
      reportMarkdown: row.report_md ?? undefined,
      patch: parse<Patch>(row.patch_json),
      noPatchReasons: parse<string[]>(row.no_patch_reasons_json),
      verdict: parse<VerdictLike>(row.verdict_json),
      bundleMarkdown: row.bundle_md ?? undefined,
      history: attempts.map(toAttempt),
    };
  }

  /** Incidents per stage and outcome, for the metrics. */
  countByStage(): { stage: IncidentStage; outcome: IncidentOutcome | null; count: number }[] {
    return this.sql<[], { stage: IncidentStage; outcome: IncidentOutcome | null; count: number }>(
      "SELECT stage, outcome, COUNT(*) AS count FROM incidents GROUP BY stage, outcome",
    ).all();
  }

  /** Incidents waiting for `stage` whose retry time has come, oldest first. */
  due(stage: StageName, nowMs: number, limit: number, skip: ReadonlySet<number>): number[] {
    const stages = unfinished[stage];
    const rows = this.sql<unknown[], { id: number }>(
      `SELECT id FROM incidents WHERE stage IN (${stages.map(() => "?").join(", ")})
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?`,
    ).all(...stages, nowMs, limit + skip.size);
    return rows
      .map((r) => r.id)
      .filter((id) => !skip.has(id))
      .slice(0, limit);
  }

  /** When the next retry that is not yet due becomes due (epoch ms), if any. */
  nextRetryAt(afterMs: number): number | undefined {
    const row = this.sql<[number], { at: number | null }>(
      "SELECT MIN(next_attempt_at) AS at FROM incidents WHERE stage NOT IN ('concluded', 'failed') AND next_attempt_at > ?",
    ).get(afterMs);
    return row?.at ?? undefined;
  }

  /** Counts and records the start of an attempt; returns its number. */
  beginStage(id: number, stage: StageName): number {
    return this.db.transaction(() => {
      const now = iso();
      const row = this.sql<[IncidentStage, string, number], { attempts: number }>(
        `UPDATE incidents SET stage = ?, attempts = attempts + 1, next_attempt_at = NULL, updated_at = ?
           WHERE id = ? RETURNING attempts`,
      ).get(runningStage[stage], now, id);
      if (!row) throw new Error(`incident ${id} vanished from the store`);
      this.sql(
        "INSERT INTO stage_attempts (incident_id, stage, attempt, started_at, result) VALUES (?, ?, ?, ?, 'running')",
      ).run(id, stage, row.attempts, now);
      return row.attempts;
    })();
  }

  completeInvestigation(id: number, report: Report, markdown: string, durationMs: number): void {
    this.finish(id, "investigate", durationMs, "ok", undefined, () =>
      this.sql(
        `UPDATE incidents SET stage = 'patching', attempts = 0, error = NULL, service = ?, report_json = ?,
         report_md = ?, updated_at = ? WHERE id = ?`,
      ).run(report.service, JSON.stringify(report), markdown, iso(), id),
    );
  }

  completePatch(id: number, result: { patch: Patch } | { reasons: string[] }, durationMs: number): void {
    this.finish(id, "patch", durationMs, "ok", undefined, () => {
      if ("patch" in result)
        this.sql(
          "UPDATE incidents SET stage = 'verifying', attempts = 0, error = NULL, patch_json = ?, updated_at = ? WHERE id = ?",
        ).run(JSON.stringify(result.patch), iso(), id);
      else
        this.sql(
          `UPDATE incidents SET stage = 'concluded', attempts = 0, error = NULL, outcome = 'no-patch',
             headline = ?, no_patch_reasons_json = ?, updated_at = ? WHERE id = ?`,
        ).run(`no patch: ${result.reasons.join("; ")}`, JSON.stringify(result.reasons), iso(), id);
    });
  }

  completeVerification(id: number, verdict: VerdictLike, markdown: string, durationMs: number): void {
    this.finish(id, "verify", durationMs, "ok", undefined, () =>
      this.sql(
        `UPDATE incidents SET stage = 'concluded', attempts = 0, error = NULL, outcome = ?, headline = ?,
           verdict_json = ?, bundle_md = ?, updated_at = ? WHERE id = ?`,
      ).run(
        verdict.outcome,
        verdict.headline ?? verdict.outcome,
        JSON.stringify(verdict),
        markdown,
        iso(),
        id,
      ),
    );
  }

  /** A failed attempt with attempts left: the stage runs again at `retryAt` (epoch ms). */
  retryLater(
    id: number,
    stage: StageName,
    result: "error" | "timeout",
    error: string,
    durationMs: number,
    retryAt: number,
  ): void {
    this.finish(id, stage, durationMs, result, error, () =>
      this.sql("UPDATE incidents SET error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?").run(
        error,
        retryAt,
        iso(),
        id,
      ),
    );
  }

  /** The stage failed for good; `durationMs` undefined when no attempt was running (gave up before one). */
  fail(
    id: number,
    stage: StageName,
    result: "error" | "timeout",
    error: string,
    durationMs: number | undefined,
  ): void {
    const markFailed = () =>
      this.sql(
        `UPDATE incidents SET stage = 'failed', failed_stage = ?, error = ?, next_attempt_at = NULL,
           updated_at = ? WHERE id = ?`,
      ).run(stage, error, iso(), id);
    if (durationMs === undefined) markFailed();
    else this.finish(id, stage, durationMs, result, error, markFailed);
  }

  /** Stopped by a graceful shutdown: the attempt does not count, the stage runs again on start-up. */
  interrupt(id: number, stage: StageName, durationMs: number): void {
    this.finish(id, stage, durationMs, "interrupted", "fixloop was stopped during the stage", () =>
      this.sql("UPDATE incidents SET attempts = MAX(0, attempts - 1), updated_at = ? WHERE id = ?").run(
        iso(),
        id,
      ),
    );
  }

  /**
   * At start-up: attempts still `running` belonged to a process that died mid-stage. They stay
   * counted (a stage that kills its process every time must give up), and the stage runs again.
   */
  recoverInterrupted(): number {
    return this.sql(
      `UPDATE stage_attempts SET result = 'interrupted', finished_at = ?,
         error = 'the fixloop process stopped during the stage (crash or kill)' WHERE result = 'running'`,
    ).run(iso()).changes;
  }

  /**
   * Queues an incident to run again from `stage`, clearing that stage's and later stages' outputs.
   * Returns why it cannot, when a prerequisite is missing.
   */
  rerun(id: number, stage: StageName): { ok: true } | { ok: false; reason: string } {
    return this.db
      .transaction((): { ok: true } | { ok: false; reason: string } => {
        const row = this.sql<[number], { report_json: string | null; patch_json: string | null }>(
          "SELECT report_json, patch_json FROM incidents WHERE id = ?",
        ).get(id);
        if (!row) return { ok: false, reason: `no incident ${id}` };
        if (stage !== "investigate" && !row.report_json)
          return { ok: false, reason: `incident ${id} has no report yet: rerun from investigate` };
        if (stage === "verify" && !row.patch_json)
          return { ok: false, reason: `incident ${id} has no patch to verify: rerun from patch` };
        this.sql(
          `UPDATE incidents SET stage = ?, attempts = 0, next_attempt_at = NULL, outcome = NULL, headline = NULL,
             error = NULL, failed_stage = NULL, ${outputsFrom[stage]}, updated_at = ? WHERE id = ?`,
        ).run(runningStage[stage], iso(), id);
        return { ok: true };
      })
      .immediate();
  }

  /** Closes the attempt's record and applies the incident update in the same transaction. */
  private finish(
    id: number,
    stage: StageName,
    durationMs: number,
    result: StageAttempt["result"],
    error: string | undefined,
    update: () => void,
  ): void {
    this.db.transaction(() => {
      this.sql(
        `UPDATE stage_attempts SET finished_at = ?, duration_ms = ?, result = ?, error = ?
           WHERE incident_id = ? AND stage = ? AND result = 'running'`,
      ).run(iso(), Math.round(durationMs), result, error ?? null, id, stage);
      update();
    })();
  }
}

function migrate(db: Database.Database, file: string): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest)
    throw new UserError(
      `${file}: the incident store has schema version ${current}, newer than this fixloop knows (${latest}); upgrade fixloop`,
    );
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        iso(),
      );
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function toSummary(row: IncidentRow): IncidentSummary {
  return {
    id: row.id,
    alertName: row.alert_name,
    service: row.service ?? undefined,
    fingerprint: row.fingerprint,
    startsAt: row.starts_at,
    stage: row.stage,
    attempts: row.attempts,
    outcome: row.outcome ?? undefined,
    headline: row.headline ?? undefined,
    error: row.error ?? undefined,
    failedStage: row.failed_stage ?? undefined,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at ?? undefined,
    notifications: row.notifications,
  };
}

function toAttempt(row: AttemptRow): StageAttempt {
  return {
    stage: row.stage,
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? undefined,
    durationMs: row.duration_ms ?? undefined,
    result: row.result,
    error: row.error ?? undefined,
  };
}

function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T);
}

function iso(): string {
  return new Date().toISOString();
}

/** One spelling per instant, so the same alert start always maps to the same incident. */
function normalizeTime(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
