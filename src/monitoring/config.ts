import { stringify } from "yaml";

export interface ScrapeTarget {
  job: string;
  address: string;
  metricsPath: string;
}

export interface PrometheusConfigInput {
  scrapeInterval: string;
  evaluationInterval: string;
  ruleFiles: string[];
  alertmanagerAddress?: string;
  targets: ScrapeTarget[];
}

/** Prometheus config for a managed local instance: one job per service, named after it. */
export function prometheusConfig(input: PrometheusConfigInput): string {
  return stringify({
    global: {
      scrape_interval: input.scrapeInterval,
      evaluation_interval: input.evaluationInterval,
      scrape_timeout: input.scrapeInterval,
    },
    rule_files: input.ruleFiles,
    ...(input.alertmanagerAddress
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanagerAddress] }] }] } }
      : {}),
    scrape_configs: input.targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath,
      static_configs: [{ targets: [t.address], labels: { service: t.job } }],
    })),
  });
}

export interface AlertmanagerConfigInput {
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  /** fixloop's webhook receiver; without one, alerts are only visible through the API. */
  webhookUrl?: string;
}

export function alertmanagerConfig(input: AlertmanagerConfigInput): string {
  return stringify({
    route: {
      receiver: "fixloop",
      group_by: ["alertname", "service"],
      group_wait: input.groupWait,
      group_interval: input.groupInterval,
      repeat_interval: input.repeatInterval,
    },
    receivers: [
      input.webhookUrl
        ? {
            name: "fixloop",
            webhook_configs: [{ url: input.webhookUrl, send_resolved: true, max_alerts: 0 }],
          }
        : { name: "fixloop" },
    ],
  });
}
