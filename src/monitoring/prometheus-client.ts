import { request } from "undici";

/**
 * A small read-only client for the Prometheus HTTP API (instant and range queries, series, label
 * values, rules). Every call is bounded in time (a per-request timeout, and an optional deadline
 * shared by all calls) and in size; any failure is a PrometheusError with a one-line reason.
 */

export interface PrometheusClientOptions {
  /** Per-request timeout. Default 5 s. */
  timeoutMs?: number;
  /** Epoch ms after which no request starts and running ones are cut short. */
  deadline?: number;
  /** Largest response body read. Default 4 MiB. */
  maxBytes?: number;
}

export class PrometheusError extends Error {
  override readonly name = "PrometheusError";
}

export type Labels = Record<string, string>;

export interface Sample {
  metric: Labels;
  /** Unix seconds. */
  time: number;
  value: number;
}

export interface Series {
  metric: Labels;
  points: { time: number; value: number }[];
}

export interface AlertingRule {
  name: string;
  query: string;
  /** The rule's `for`, in seconds. */
  forSeconds: number;
  labels: Labels;
  annotations: Labels;
}

export class PrometheusClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly deadline: number | undefined;
  private readonly maxBytes: number;

  constructor(baseUrl: string, options: PrometheusClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.deadline = options.deadline;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  }

  /** An instant query; scalar results come back as one sample without labels. */
  async query(expr: string, at?: Date): Promise<Sample[]> {
    const data = await this.get("/api/v1/query", { query: expr, ...(at ? { time: unix(at) } : {}) });
    const { resultType, result } = data as { resultType: string; result: unknown };
    if (resultType === "scalar") {
      const [time, value] = result as [number, string];
      return [{ metric: {}, time, value: Number(value) }];
    }
    if (resultType !== "vector")
      throw new PrometheusError(`expected a vector for ${expr}, got ${resultType}`);
    return (result as { metric: Labels; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      time: r.value[0],
      value: Number(r.value[1]),
    }));
  }

  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<Series[]> {
    const data = await this.get("/api/v1/query_range", {
      query: expr,
      start: unix(start),
      end: unix(end),
      step: String(Math.max(1, Math.round(stepSeconds))),
    });
    const { resultType, result } = data as { resultType: string; result: unknown };
    if (resultType !== "matrix")
      throw new PrometheusError(`expected a matrix for ${expr}, got ${resultType}`);
    return (result as { metric: Labels; values: [number, string][] }[]).map((r) => ({
      metric: r.metric,
      points: r.values.map(([time, value]) => ({ time, value: Number(value) })),
    }));
  }

  /** Label sets of the series matching a selector in a time range. */
  async series(match: string, start: Date, end: Date): Promise<Labels[]> {
    return (await this.get("/api/v1/series", {
      "match[]": match,
      start: unix(start),
      end: unix(end),
    })) as Labels[];
  }

  async labelValues(label: string, match: string, start: Date, end: Date): Promise<string[]> {
    return (await this.get(`/api/v1/label/${encodeURIComponent(label)}/values`, {
      "match[]": match,
      start: unix(start),
      end: unix(end),
    })) as string[];
  }

  async alertingRules(): Promise<AlertingRule[]> {
    const data = (await this.get("/api/v1/rules", { type: "alert" })) as {
      groups: {
        rules: {
          type: string;
          name: string;
          query: string;
          duration?: number;
          labels?: Labels;
          annotations?: Labels;
        }[];
      }[];
    };
    return data.groups.flatMap((g) =>
      g.rules
        .filter((r) => r.type === "alerting")
        .map((r) => ({
          name: r.name,
          query: r.query,
          forSeconds: r.duration ?? 0,
          labels: r.labels ?? {},
          annotations: r.annotations ?? {},
        })),
    );
  }

  private async get(endpoint: string, params: Record<string, string>): Promise<unknown> {
    const timeout = Math.min(
      this.timeoutMs,
      this.deadline === undefined ? Infinity : this.deadline - Date.now(),
    );
    if (timeout <= 0) throw new PrometheusError("time budget spent before the request");
    const url = new URL(`${this.baseUrl}${endpoint}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(timeout),
      });
    } catch (err) {
      throw new PrometheusError(
        `cannot reach Prometheus at ${this.baseUrl}: ${describeFailure(err, timeout)}`,
      );
    }
    let text: string;
    try {
      text = await readCapped(res.body, this.maxBytes);
    } catch (err) {
      throw new PrometheusError(
        `reading the answer from ${this.baseUrl}${endpoint}: ${describeFailure(err, timeout)}`,
      );
    }
    let body: { status?: string; data?: unknown; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new PrometheusError(`${this.baseUrl}${endpoint} answered HTTP ${res.statusCode} with no JSON`);
    }
    if (res.statusCode !== 200 || body.status !== "success") {
      throw new PrometheusError(
        `${endpoint} answered HTTP ${res.statusCode}: ${body.error ?? "no error message"}`,
      );
    }
    return body.data;
  }
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new Error(`answer larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { code?: string };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  return e.code ? `${e.code} ${e.message}` : e.message;
}

function unix(d: Date): string {
  return (d.getTime() / 1000).toFixed(3);
}
