import { seededRandom } from "../../util/prng.js";
import { TemplateMiner } from "./drain.js";

/**
 * Throughput of template mining on a synthetic service log: access lines (most of the volume),
 * database, cache, worker, connection and error lines with ids, IPs, durations and quoted text.
 * The log is generated from a fixed seed, in chunks so a million lines don't sit in memory at once;
 * only mining is timed.
 */
export interface TemplateMiningBench {
  lines: number;
  seconds: number;
  linesPerSecond: number;
  templates: number;
}

const CHUNK = 50_000;

export async function benchTemplateMining(lines = 1_000_000): Promise<TemplateMiningBench> {
  const miner = new TemplateMiner();
  const log = new SyntheticServiceLog(0x5eed);
  let elapsedMs = 0;
  for (let done = 0; done < lines; ) {
    const chunk = log.lines(Math.min(CHUNK, lines - done));
    const started = performance.now();
    for (const line of chunk) miner.add(line);
    elapsedMs += performance.now() - started;
    done += chunk.length;
    // Let timers and I/O run between chunks when this runs inside a larger process.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const seconds = elapsedMs / 1000;
  return { lines, seconds, linesPerSecond: Math.round(lines / seconds), templates: miner.size };
}

const SERVICES = ["checkout", "catalog", "payments", "inventory"];
const PATHS = ["/checkout", "/cart", "/items", "/health", "/api/v2/orders/1842", "/api/v2/users/77/orders"];
const METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const TABLES = ["orders", "items", "users", "payments"];
const USERS = ["alice", "bob", "carol", "dave", "erin"];
const CAUSES = ["connection reset by peer", "context deadline exceeded", "no route to host"];

/** A deterministic service log: the same seed yields the same lines. */
export class SyntheticServiceLog {
  private readonly random: () => number;
  private clock = Date.UTC(2026, 10, 25, 20, 0, 0);

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  lines(count: number): string[] {
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.line();
    // Lines read from a file are flat slices of one buffer; template-built strings are ropes that
    // the first char access would flatten. Make them look like what the miner really gets.
    return out.join("\n").split("\n");
  }

  private line(): string {
    this.clock += this.int(3);
    const head = `${new Date(this.clock).toISOString()} ${this.pick(SERVICES)}`;
    const roll = this.random();
    if (roll < 0.55) {
      const status = this.random() < 0.95 ? 200 : 500;
      return `${head} INFO access method=${this.pick(METHODS)} path=${this.pick(PATHS)} item_id=item-${this.int(500)}-${this.int(9)} quantity=${1 + this.int(5)} status=${status} duration_ms=${this.ms()}`;
    }
    if (roll < 0.65) {
      return `${head} DEBUG db query table=${this.pick(TABLES)} rows=${this.int(200)} took ${this.ms()}ms`;
    }
    if (roll < 0.75) {
      const outcome = this.random() < 0.8 ? "hit" : "miss";
      return `${head} DEBUG cache ${outcome} key=sku:${this.int(99999)} ttl=${this.int(600)}s`;
    }
    if (roll < 0.83) {
      return `${head} INFO worker job ${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)} finished in ${this.ms()}ms`;
    }
    if (roll < 0.9) {
      const verb = this.random() < 0.5 ? "Connected to" : "Disconnected from";
      return `${head} INFO ${verb} 10.0.${this.int(255)}.${this.int(255)}:${5432 + this.int(3)}`;
    }
    if (roll < 0.95) {
      return `${head} INFO user ${this.pick(USERS)} logged in from "${this.pick(["Mozilla/5.0 (X11; Linux)", "curl/8.5.0"])}"`;
    }
    if (roll < 0.98) {
      return `${head} WARN slow request path=${this.pick(PATHS)} duration=${this.ms()}ms threshold=250ms`;
    }
    return `${head} ERROR upstream call failed: ${this.pick(CAUSES)} (attempt ${1 + this.int(3)}/3) request_id=req_${this.hex(10)}`;
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  private ms(): string {
    return (this.random() * 400).toFixed(1);
  }

  private hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += "0123456789abcdef"[this.int(16)];
    return out;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}
