import http from "node:http";

export interface HttpResult {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * A POST with node:http: unlike fetch, it reports the server's answer even when the server answers
 * before reading the whole body (a 413 or 401 to an oversized upload) and then closes.
 */
export function post(
  url: string,
  body: string | Buffer,
  options: { headers?: Record<string, string>; chunked?: boolean; agent?: http.Agent } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (!options.chunked) headers["content-length"] = String(Buffer.byteLength(body));
    let answered = false;
    const req = http.request(url, { method: "POST", headers, agent: options.agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
      res.on("error", reject);
    });
    // Writing the rest of a refused body fails once the server closes; the answer is what counts.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    if (options.chunked) {
      const chunk = 64 * 1024;
      for (let i = 0; i < body.length; i += chunk) req.write(body.slice(i, i + chunk));
      req.end();
    } else req.end(body);
  });
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Runs `tasks` with at most `limit` in flight. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}
