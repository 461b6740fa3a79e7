import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Alert } from "../../src/alerts/alert.js";
import { writeTinyWorld } from "../helpers/world.js";

/**
 * Small worlds for investigation tests, made on disk: a service git repo with dated commits, the
 * service's captured log in the state dir (nothing needs to run: the runtime reads the log file),
 * a manifest with external monitoring on a closed port (Prometheus down), and runbooks.
 */

export interface CommitSpec {
  files: Record<string, string>;
  message: string;
  /** Seconds before now. */
  ageSeconds: number;
  author?: string;
}

/** A git repo with one commit per spec, oldest first; returns the commits' shas. */
export function makeRepo(dir: string, commits: CommitSpec[]): string[] {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[], env: Record<string, string> = {}) =>
    execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args], {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", ...env },
      encoding: "utf8",
    }).trim();
  run(["init", "-q", "-b", "main"]);
  const now = Math.floor(Date.now() / 1000);
  return commits.map((c) => {
    for (const [file, content] of Object.entries(c.files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const date = `${now - c.ageSeconds} +0000`;
    const author = c.author ?? "Ada Lovelace";
    run(["add", "-A"]);
    run(["commit", "-q", "--no-verify", "-m", c.message], {
      GIT_AUTHOR_NAME: author,
      GIT_AUTHOR_EMAIL: "ada@example.test",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: author,
      GIT_COMMITTER_EMAIL: "ada@example.test",
      GIT_COMMITTER_DATE: date,
    });
    return run(["rev-parse", "HEAD"]);
  });
}

export const shopV1 = {
  "shop/app.py": ["import pricing", "", "", "def handle(order):", "    return pricing.total(order)", ""].join(
    "\n",
  ),
  "shop/pricing.py": ["def total(order):", '    return order["price"] * order["quantity"]', ""].join("\n"),
  "README.md": "# shop\n",
};

/** The planted change: coupons ending in "-x" are rejected. Line 4 raises. */
export const shopV2Pricing = [
  "def total(order):",
  '    coupon = order.get("coupon", "")',
  '    if coupon.endswith("-x"):',
  '        raise ValueError(f"unknown coupon kind for coupon={coupon}")',
  '    return order["price"] * order["quantity"]',
  "",
].join("\n");

export function iso(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString();
}

export function accessLine(msAgo: number, coupon: string, status: number): string {
  return `${iso(msAgo)} INFO web access method=POST path=/order coupon=${coupon} quantity=1 status=${status} duration_ms=2.5`;
}

/** A Python traceback as a service in /srv/app would log it (the repo lives elsewhere). */
export function shopTraceback(msAgo: number, coupon: string, root = "/srv/app"): string {
  return [
    `${iso(msAgo)} ERROR web unhandled error in POST /order`,
    "Traceback (most recent call last):",
    `  File "${root}/shop/app.py", line 5, in handle`,
    "    return pricing.total(order)",
    "           ^^^^^^^^^^^^^^^^^^^^",
    `  File "${root}/shop/pricing.py", line 4, in total`,
    '    raise ValueError(f"unknown coupon kind for coupon={coupon}")',
    `ValueError: unknown coupon kind for coupon=${coupon}`,
  ].join("\n");
}

/** Traffic over `spanMs` ending now: every 10th request uses an "-x" coupon and fails with a traceback. */
export function incidentLog(spanMs: number, count: number, options: { traceback?: boolean } = {}): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const msAgo = spanMs - (i * spanMs) / count;
    const failing = i % 10 === 3;
    const coupon = failing ? `c${100 + i}-x` : `c${100 + i}-${"abcdefg"[i % 7]}`;
    if (failing && options.traceback !== false) lines.push(shopTraceback(msAgo, coupon));
    lines.push(accessLine(msAgo, coupon, failing ? 500 : 200));
  }
  return `${lines.join("\n")}\n`;
}

export interface ShopWorld {
  dir: string;
  file: string;
  stateDir: string;
  repo: string;
  shas: string[];
}

/** A one-service world ("web", repo `repo/`) whose log is `log`; more manifest keys via `extra`. */
export function shopWorld(
  dir: string,
  log: string,
  commits: CommitSpec[],
  extra: Record<string, unknown> = {},
  service: Record<string, unknown> = {},
): ShopWorld {
  const repo = path.join(dir, "repo");
  const shas = makeRepo(repo, commits);
  const file = writeTinyWorld(
    dir,
    {
      web: {
        repo,
        cwd: dir,
        env: { SHOP_API_TOKEN: "tok-7f3a9c1e55" },
        secretEnv: ["SHOP_API_TOKEN"],
        logs: {
          access: { format: "logfmt", marker: " access ", attributes: ["path", "coupon", "quantity"] },
        },
        ...service,
      },
    },
    {
      alerts: {
        WebErrorRateHigh: {
          service: "web",
          slo: "error_rate > 0.05",
          traffic: { requests: [{ path: "/order" }] },
        },
      },
      ...extra,
    },
  );
  const stateDir = path.join(dir, "state");
  mkdirSync(path.join(stateDir, "logs"), { recursive: true });
  writeFileSync(path.join(stateDir, "logs", "web.log"), log);
  return { dir, file, stateDir, repo, shas };
}

export const errorRateExpr =
  'sum(rate(http_requests_total{job="web",status=~"5.."}[1m])) / sum(rate(http_requests_total{job="web"}[1m])) > 0.05';

export function shopAlert(startedMsAgo: number, overrides: Partial<Alert> = {}): Alert {
  return {
    name: "WebErrorRateHigh",
    status: "firing",
    labels: { alertname: "WebErrorRateHigh", service: "web", severity: "page" },
    annotations: { summary: "web is failing" },
    startsAt: iso(startedMsAgo),
    generatorURL: `http://prometheus.invalid/graph?g0.expr=${encodeURIComponent(errorRateExpr)}&g0.tab=1`,
    fingerprint: "0123456789abcdef",
    ...overrides,
  };
}

/** The shop's history: two old commits, then the planted one `plantedAgeSeconds` ago. */
export function shopHistory(plantedAgeSeconds = 1800): CommitSpec[] {
  return [
    { files: shopV1, message: "Initial shop", ageSeconds: 20 * 86_400, author: "Grace Hopper" },
    {
      files: { "README.md": "# shop\n\nOrders and pricing.\n" },
      message: "README: describe the shop",
      ageSeconds: 3 * 86_400,
    },
    {
      files: { "shop/pricing.py": shopV2Pricing },
      message: "pricing: validate coupon kinds",
      ageSeconds: plantedAgeSeconds,
      author: "Alan Turing",
    },
  ];
}
