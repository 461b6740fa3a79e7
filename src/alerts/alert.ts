import { createHash } from "node:crypto";
import { z } from "zod";

/** One alert as fixloop sees it, whether pushed by webhook, pulled from the API or read from a file. */
export interface Alert {
  name: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint: string;
}

const labels = z.record(z.string(), z.string());
/** What Alertmanager sends; Date.parse alone would accept "yesterday 5", and the start is half an incident's identity. */
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const timestamp = z
  .string()
  .refine((s) => rfc3339.test(s) && !Number.isNaN(Date.parse(s)), "an RFC 3339 timestamp");

/** An alert inside an Alertmanager webhook payload (version 4). */
export const webhookAlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labels.refine((l) => typeof l.alertname === "string", "labels.alertname is required"),
  annotations: labels.default({}),
  startsAt: timestamp,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookPayloadSchema = z.object({
  version: z.literal("4", { error: 'version: Alertmanager webhook payload version "4" expected' }),
  groupKey: z.string().optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().optional(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(webhookAlertSchema).min(1),
});

/** An alert from Alertmanager's API v2 (`GET /api/v2/alerts`). */
export const apiAlertSchema = z.object({
  labels: labels.refine((l) => typeof l.alertname === "string", "labels.alertname is required"),
  annotations: labels.default({}),
  startsAt: timestamp,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string(),
  status: z.object({ state: z.enum(["active", "suppressed", "unprocessed"]) }),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** Alertmanager's fingerprint is a hash of the label set; recomputed the same way when absent. */
export function labelFingerprint(l: Record<string, string>): string {
  const canonical = Object.keys(l)
    .sort()
    .map((k) => `${k}\u00ff${l[k]}`)
    .join("\u00ff");
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

export function fromWebhookAlert(a: z.infer<typeof webhookAlertSchema>): Alert {
  return {
    name: a.labels.alertname as string,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint || labelFingerprint(a.labels),
  };
}

export function fromApiAlert(a: z.infer<typeof apiAlertSchema>): Alert {
  return {
    name: a.labels.alertname as string,
    status: "firing",
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

/**
 * Reads a saved alert: a webhook payload (v4), one webhook/API alert object, or an API list.
 * Returns the alerts it holds, or the first schema problem as a message.
 */
export function parseAlertDocument(doc: unknown): { alerts: Alert[] } | { error: string } {
  const asPayload = webhookPayloadSchema.safeParse(doc);
  if (asPayload.success) return { alerts: asPayload.data.alerts.map(fromWebhookAlert) };
  const asList = z.array(apiAlertSchema).min(1).safeParse(doc);
  if (asList.success) return { alerts: asList.data.map(fromApiAlert) };
  const asApi = apiAlertSchema.safeParse(doc);
  if (asApi.success) return { alerts: [fromApiAlert(asApi.data)] };
  const asWebhookAlert = webhookAlertSchema.safeParse(doc);
  if (asWebhookAlert.success) return { alerts: [fromWebhookAlert(asWebhookAlert.data)] };
  const issue = (isObject(doc) && "version" in doc ? asPayload : asWebhookAlert).error?.issues[0];
  return {
    error: issue
      ? `${issue.path.join(".") || "(top level)"}: ${issue.message}`
      : "not an Alertmanager alert or webhook payload",
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}
