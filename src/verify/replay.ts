import { performance } from "node:perf_hooks";
import { Client } from "undici";

/** What a candidate did with one request. */
export interface Outcome {
  /** HTTP status when the candidate answered. */
  status?: number;
  /** Transport failure: no answer within the timeout, refused/reset connection, or a broken response. */
  failure?: "timeout" | "connection" | "protocol";
  /** Send to last body byte (or failure), monotonic clock. */
  latencyMs: number;
  /** Start of the response body for server errors, for the proof bundle. */
  sample?: string;
}

export interface ReplayRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ReplayOptions {
  /** Requests in flight at once, both sides together. */
  concurrency: number;
  /** A request not answered in full within this is a timeout (an error). */
  timeoutMs: number;
}

const sampleChars = 300;

/** A request failed (HTTP ≥ 500 or no valid answer): the error-rate definition used throughout. */
export function isError(o: Outcome): boolean {
  return o.failure !== undefined || (o.status ?? 0) >= 500;
}

/**
 * Paired, interleaved replay: each request of the sequence goes to both origins, one right after
 * the other, the first side alternating with the index, from `concurrency` workers. Drift in shared
 * downstreams therefore hits both sides alike, and every request has an outcome on each side.
 *
 * Built for low overhead per request, so the generator is never what a measurement measures: each
 * worker owns one keep-alive undici Client (one connection) per distinct origin, so no pool is
 * searched per request; requests go through the dispatcher's handler interface (no response
 * stream or promise per request); workers are callback-driven.
 */
export class PairedReplayer {
  /** clients[worker][side]; both sides share a client when they are the same origin. */
  private readonly clients: (readonly [Client, Client])[];
  private stopped = false;

  constructor(
    origins: readonly [string, string],
    private readonly options: ReplayOptions,
  ) {
    const connect = (origin: string) =>
      new Client(origin, {
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 10_000,
      });
    this.clients = Array.from({ length: options.concurrency }, () => {
      const first = connect(origins[0]);
      return [first, origins[1] === origins[0] ? first : connect(origins[1])] as const;
    });
  }

  /**
   * Replays requests[from, to); `onPair` gets both outcomes ([origin 0, origin 1]) of each request
   * as it completes. Resolves with how many pairs completed (fewer after `stop()`).
   */
  run(
    requests: readonly ReplayRequest[],
    from: number,
    to: number,
    onPair: (index: number, outcomes: [Outcome, Outcome]) => void,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      let next = from;
      let completed = 0;
      let active = Math.max(0, Math.min(this.options.concurrency, to - from));
      let failed = false;
      if (active === 0) {
        resolve(0);
        return;
      }
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        this.stop();
        reject(err);
      };
      const work = (worker: number): void => {
        if (failed) return;
        if (this.stopped || next >= to) {
          if (--active === 0) resolve(completed);
          return;
        }
        const index = next++;
        const req = requests[index] as ReplayRequest;
        const first = index % 2;
        const clients = this.clients[worker] as readonly [Client, Client];
        this.send(clients[first] as Client, req, fail, (a) =>
          this.send(clients[1 - first] as Client, req, fail, (b) => {
            if (!this.stopped) {
              completed++;
              try {
                onPair(index, first === 0 ? [a, b] : [b, a]);
              } catch (err) {
                fail(err);
                return;
              }
            }
            work(worker);
          }),
        );
      };
      for (let w = 0; w < active; w++) work(w);
    });
  }

  /** Ends the replay now: in-flight requests are torn down and their pairs dropped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    void this.destroyClients();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.destroyClients();
  }

  private async destroyClients(): Promise<void> {
    const all = new Set(this.clients.flat());
    await Promise.all([...all].map((c) => c.destroy().catch(() => {})));
  }

  /** Sends one request; `done` gets its outcome (see {@link OutcomeHandler}). */
  private send(
    client: Client,
    req: ReplayRequest,
    bug: (err: unknown) => void,
    done: (o: Outcome) => void,
  ): void {
    const handler = new OutcomeHandler(this.options.timeoutMs, done, bug);
    try {
      client.dispatch(
        { path: req.path, method: req.method as "GET", headers: req.headers, body: req.body },
        handler,
      );
    } catch (err) {
      handler.onResponseError(undefined, err as Error);
    }
  }
}

/**
 * Turns one request's dispatcher events into an Outcome. One object per request, methods on the
 * prototype: the cheapest shape for the hot path. A failure is reported in a microtask, never
 * inside undici's error callback, so the worker's next request does not re-enter a client that is
 * still failing its queue (undici asserts on that when a connection is refused); re-dispatching
 * from the completion callback is safe (undici's own redirect handler does it).
 */
class OutcomeHandler {
  private readonly start = performance.now();
  private status = 0;
  private sample: string | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly done: (o: Outcome) => void,
    private readonly bug: (err: unknown) => void,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: unknown, statusCode: number): void {
    this.status = statusCode;
    if (statusCode >= 500) this.sample = "";
  }

  onResponseData(_controller: unknown, chunk: Buffer): void {
    if (this.sample !== undefined && this.sample.length < sampleChars) this.sample += String(chunk);
  }

  onResponseEnd(): void {
    const latencyMs = performance.now() - this.start;
    if (latencyMs >= this.timeoutMs) this.done({ failure: "timeout", latencyMs });
    else if (this.sample === undefined) this.done({ status: this.status, latencyMs });
    else this.done({ status: this.status, latencyMs, sample: this.sample.slice(0, sampleChars) });
  }

  onResponseError(_controller: unknown, err: Error): void {
    // A request undici refuses to build is our bug, not the candidate's answer.
    if ((err as { code?: string }).code === "UND_ERR_INVALID_ARG") {
      this.bug(err);
      return;
    }
    const outcome: Outcome = { failure: failureKind(err), latencyMs: performance.now() - this.start };
    queueMicrotask(() => this.done(outcome));
  }
}

function failureKind(err: unknown): "timeout" | "connection" | "protocol" {
  const code = (err as { code?: string }).code ?? "";
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  )
    return "timeout";
  if (
    code.startsWith("E") ||
    code === "UND_ERR_SOCKET" ||
    code === "UND_ERR_CLOSED" ||
    code === "UND_ERR_DESTROYED"
  )
    return "connection";
  return "protocol";
}
