import { request } from "undici";
import { z } from "zod";
import { UserError } from "../util/errors.js";
import { type Alert, apiAlertSchema, fromApiAlert } from "./alert.js";

export interface AlertQuery {
  alertname?: string;
  /** Exact label matches, e.g. { service: "checkout" }. */
  labels?: Record<string, string>;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** Active (not silenced, not inhibited) alerts from Alertmanager's API v2, filtered by name and labels. */
export async function fetchActiveAlerts(baseUrl: string, query: AlertQuery = {}): Promise<Alert[]> {
  const url = new URL("/api/v2/alerts", baseUrl);
  url.searchParams.set("active", "true");
  url.searchParams.set("silenced", "false");
  url.searchParams.set("inhibited", "false");
  const matchers = { ...(query.alertname ? { alertname: query.alertname } : {}), ...query.labels };
  for (const [k, v] of Object.entries(matchers))
    url.searchParams.append("filter", `${k}=${JSON.stringify(v)}`);
  const headers: Record<string, string> = { accept: "application/json" };
  if (query.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${query.username}:${query.password ?? ""}`).toString("base64")}`;
  }
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      headers,
      headersTimeout: query.timeoutMs ?? 10_000,
      bodyTimeout: query.timeoutMs ?? 10_000,
    });
  } catch (err) {
    throw new UserError(
      `cannot reach Alertmanager at ${baseUrl}: ${(err as Error).message}; check --alertmanager-url`,
      1,
    );
  }
  if (res.statusCode === 401 || res.statusCode === 403) {
    await res.body.dump();
    throw new UserError(
      `Alertmanager at ${baseUrl} refused the credentials (HTTP ${res.statusCode}); check --alertmanager-username/--alertmanager-password`,
      1,
    );
  }
  if (res.statusCode !== 200) {
    const text = (await res.body.text()).slice(0, 200);
    throw new UserError(`Alertmanager at ${baseUrl} answered HTTP ${res.statusCode}: ${text}`, 1);
  }
  const parsed = z.array(apiAlertSchema).safeParse(await res.body.json());
  if (!parsed.success)
    throw new UserError(
      `Alertmanager at ${baseUrl} returned alerts fixloop cannot read: ${parsed.error.issues[0]?.message}`,
      1,
    );
  return parsed.data.map(fromApiAlert);
}
