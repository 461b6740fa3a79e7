import { setTimeout as sleep } from "node:timers/promises";

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string };
}

/** Polls Alertmanager's API v2 until `alertname` is active; returns the seconds it took, or throws. */
export async function waitForAlert(
  alertmanagerUrl: string,
  alertname: string,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(`${alertmanagerUrl}/api/v2/alerts?active=true`);
      const alerts = (await res.json()) as ApiAlert[];
      if (alerts.some((a) => a.labels.alertname === alertname && a.status.state === "active"))
        return (Date.now() - started) / 1000;
    } catch {
      // Alertmanager not answering yet
    }
    await sleep(500);
  }
  throw new Error(`${alertname} did not fire in Alertmanager within ${timeoutMs / 1000} s`);
}
