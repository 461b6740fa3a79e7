import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadManifest, startOrder } from "../../src/manifest/load.js";
import { UserError } from "../../src/util/errors.js";
import { repoRoot } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/tmp.js";

const demo = path.join(repoRoot, "examples/checkout/fixloop.yaml");

let cleanup = () => {};
afterEach(() => cleanup());

function manifestError(yamlText: string): string {
  const t = tempDir();
  cleanup = t.cleanup;
  writeFiles(t.dir, { "fixloop.yaml": yamlText });
  try {
    loadManifest(path.join(t.dir, "fixloop.yaml"));
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected the manifest to be rejected");
}

const minimal = `version: 1
name: shop
services:
  api:
    command: [python3, app.py]
monitoring:
  prometheus: { mode: external, url: "http://127.0.0.1:9090" }
  alertmanager: { mode: external, url: "http://127.0.0.1:9093" }
`;

describe("loadManifest", () => {
  it("loads the demo manifest with absolute paths, variables substituted and defaults filled", () => {
    const env = loadManifest(demo, { scenario: "pricing-v2" });
    const checkout = env.manifest.services.checkout;
    expect(env.scenario).toBe("pricing-v2");
    expect(checkout?.repo).toBe(path.join(repoRoot, "examples/checkout/.fixloop/repos/checkout"));
    expect(checkout?.dependsOn).toEqual({ pricing: "PRICING_URL" });
    expect(checkout?.port).toBe("auto");
    expect(env.manifest.scenarios["pricing-v2"]?.prepare[0]).toContain(
      path.join(env.stateDir, "repos/checkout"),
    );
    expect(env.manifest.runbooks).toBe(path.join(repoRoot, "examples/checkout/runbooks"));
    expect(startOrder(env.manifest)).toEqual(["pricing", "checkout"]);
  });

  it("uses the default scenario and lets --state-dir override the manifest's", () => {
    const env = loadManifest(demo, { stateDir: "/tmp/elsewhere" });
    expect(env.scenario).toBe("catalog-shape");
    expect(env.manifest.services.checkout?.repo).toBe("/tmp/elsewhere/repos/checkout");
  });

  it("accepts a minimal manifest", () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFiles(t.dir, { "fixloop.yaml": minimal });
    const env = loadManifest(path.join(t.dir, "fixloop.yaml"));
    expect(env.manifest.services.api?.health).toBe("/healthz");
    expect(env.stateDir).toBe(path.join(t.dir, ".fixloop"));
  });

  it("names the file, the path in the document and what is expected", () => {
    const msg = manifestError(
      minimal.replace("command: [python3, app.py]", "command: [python3, app.py]\n    port: eighty"),
    );
    expect(msg).toMatch(/fixloop\.yaml: services\.api\.port: /);
  });

  it("rejects unknown keys by name", () => {
    expect(manifestError(minimal.replace("name: shop", "name: shop\nservicez: {}"))).toMatch(
      /\(top level\): unknown key\(s\) servicez/,
    );
  });

  it("reports a missing required field with its path", () => {
    expect(manifestError(minimal.replace("    command: [python3, app.py]\n", "    port: 8080\n"))).toMatch(
      /services\.api\.command: required/,
    );
  });

  it("reports YAML syntax errors with line and column", () => {
    expect(manifestError("version: 1\nservices: [unclosed\n")).toMatch(/fixloop\.yaml:\d+:\d+: invalid YAML/);
  });

  it("rejects a dependency on an unknown service", () => {
    const text = minimal.replace(
      "command: [python3, app.py]",
      "command: [python3, app.py]\n    dependsOn: { db: DB_URL }",
    );
    expect(manifestError(text)).toMatch(/services\.api\.dependsOn\.db: no service named 'db' \(known: api\)/);
  });

  it("rejects a dependency cycle and shows it", () => {
    const text = minimal.replace(
      "    command: [python3, app.py]\n",
      "    command: [python3, app.py]\n    dependsOn: { db: DB_URL }\n  db:\n    command: [db]\n    dependsOn: { api: API_URL }\n",
    );
    expect(manifestError(text)).toMatch(/dependency cycle api → db → api/);
  });

  it("rejects an SLO condition it cannot evaluate", () => {
    const text = `${minimal}alerts:\n  Slow:\n    service: api\n    slo: "latency is bad"\n    traffic: { requests: [{ path: / }] }\n`;
    expect(manifestError(text)).toMatch(/alerts\.Slow\.slo: a condition like 'error_rate > 0\.05'/);
  });

  it("rejects an alert about an unknown service", () => {
    const text = `${minimal}alerts:\n  Slow:\n    service: web\n    slo: "p99_ms > 300"\n    traffic: { requests: [{ path: / }] }\n`;
    expect(manifestError(text)).toMatch(/alerts\.Slow\.service: no service named 'web'/);
  });

  it("rejects an unknown scenario and lists the known ones", () => {
    expect(() => loadManifest(demo, { scenario: "nope" })).toThrow(
      /no scenario named 'nope' \(known: catalog-shape, pricing-v2\)/,
    );
  });

  it("reports an unreadable manifest as a user error", () => {
    expect(() => loadManifest("/nonexistent/fixloop.yaml")).toThrow(UserError);
  });
});
