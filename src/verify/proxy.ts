import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { Agent } from "undici";

/** One call a candidate made to a downstream, as the proxy saw it. */
export interface DownstreamCall {
  status?: number;
  /** `connection`: the downstream refused, reset or broke the response; `abandoned`: the candidate hung up first (its own timeout). */
  failure?: "connection" | "abandoned";
  latencyMs: number;
}

/**
 * A pass-through HTTP proxy on 127.0.0.1 in front of one real downstream, for one candidate: the
 * candidate's env var for the downstream points here, so calls per request, errors and latency are
 * measured without instrumenting the app. A downstream connection failure is passed on as a
 * dropped connection, never as an invented HTTP answer, so the app sees what it would see live.
 */
export interface RecordingProxy {
  name: string;
  /** The real downstream. */
  target: string;
  /** Where the candidate sends its calls. */
  url: string;
  calls(): readonly DownstreamCall[];
  /** Forgets the calls so far (start-up and health checks are not part of the run). */
  reset(): void;
  close(): Promise<void>;
}

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** Generous: the candidate's own timeout decides when a slow downstream call fails. */
const upstreamTimeoutMs = 120_000;

export async function startRecordingProxy(name: string, target: string): Promise<RecordingProxy> {
  const base = new URL(target);
  const basePath = base.pathname.replace(/\/$/, "");
  const agent = new Agent({ headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs });
  let calls: DownstreamCall[] = [];

  const server = http.createServer((req, res) => {
    const start = performance.now();
    let recorded = false;
    const record = (call: Omit<DownstreamCall, "latencyMs">) => {
      if (recorded) return;
      recorded = true;
      calls.push({ ...call, latencyMs: performance.now() - start });
    };
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) {
        record({ failure: "abandoned" });
        abort.abort();
      }
    });
    const hasBody =
      (req.headers["content-length"] ?? "0") !== "0" || req.headers["transfer-encoding"] !== undefined;
    agent
      .request({
        origin: base.origin,
        path: `${basePath}${req.url ?? "/"}`,
        method: (req.method ?? "GET") as "GET",
        headers: forwardHeaders(req.headers),
        body: hasBody ? req : undefined,
        signal: abort.signal,
      })
      .then(async (up) => {
        res.writeHead(up.statusCode, forwardHeaders(up.headers));
        try {
          await pipeline(up.body, res);
          record({ status: up.statusCode });
        } catch {
          record({ failure: "connection" });
          res.destroy();
        }
      })
      .catch(() => {
        record({ failure: "connection" });
        req.socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    target,
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    reset: () => {
      calls = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.destroy().catch(() => {});
    },
  };
}

function forwardHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(key.toLowerCase())) out[key] = value;
  }
  return out;
}
