import { Hono } from "hono";
import { fromWebhookAlert, webhookPayloadSchema } from "../alerts/alert.js";
import type { Intake } from "../pipeline/intake.js";

/**
 * Alertmanager's webhook receiver (payload version 4). The alerts are in the store, in one
 * synchronous transaction, before the 200 goes out; a malformed payload is a 400 saying why.
 */
export function webhookRoutes(intake: Intake): Hono {
  return new Hono().post("/alertmanager", async (c) => {
    const text = await c.req.text();
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return c.json({ error: `malformed JSON: ${oneLine((err as Error).message)}` }, 400);
    }
    const parsed = webhookPayloadSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "(top level)";
      return c.json(
        {
          error: `not an Alertmanager webhook payload (version 4): ${where}: ${oneLine(issue?.message ?? "invalid")}`,
        },
        400,
      );
    }
    return c.json(await intake.record(parsed.data.alerts.map(fromWebhookAlert)), 200);
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 300);
}
