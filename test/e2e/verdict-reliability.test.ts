import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Verdict } from "../../src/verify/verdict.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * How often the verifier gets a test patch wrong: each patch verified RUNS times against one live
 * demo world, each time with another request sequence (--seed). Opt-in because it takes minutes:
 * FIXLOOP_RELIABILITY_RUNS=20 npx vitest run test/e2e/verdict-reliability.test.ts
 */
const runs = Number(process.env.FIXLOOP_RELIABILITY_RUNS ?? 0);
const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const bundleAwareCatalog = readFileSync(
  path.join(repoRoot, "examples/checkout/checkout_history/09-shapes-with-bundle/catalog.py"),
  "utf8",
);
const tmp = tempDir("fixloop-reliability-");
const stateDir = path.join(tmp.dir, "state");
const world = ["-f", manifest, "--state-dir", stateDir];

function makePatch(name: string, transform: (catalog: string) => string): string {
  const dir = path.join(tmp.dir, `edit-${name}`);
  execFileSync("git", ["clone", "-q", path.join(stateDir, "repos/checkout"), dir]);
  writeFileSync(path.join(dir, "catalog.py"), transform(bundleAwareCatalog));
  const file = path.join(tmp.dir, `${name}.diff`);
  writeFileSync(file, execFileSync("git", ["diff"], { cwd: dir, encoding: "utf8" }));
  return file;
}

describe.skipIf(runs === 0)(`verdicts over ${runs} seeds per test patch on the live demo world`, () => {
  beforeAll(async () => {
    const up = await runCli(["up", ...world, "--scenario", "catalog-shape"]);
    expect(up.code, up.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await runCli(["down", ...world]);
    tmp.cleanup();
  });

  const cases: [string, (s: string) => string, Verdict["outcome"]][] = [
    ["fix", (s) => s, "PASS"],
    ["empty", () => "", "REJECT"],
    ["breaks-weighted", (s) => s.replace('raw["weight_g"]', 'raw["weight_grams"]'), "REJECT"],
    [
      "slow",
      (s) =>
        s.replace(
          "def line_total(quote, quantity):\n",
          "def line_total(quote, quantity):\n    __import__('time').sleep(0.3)\n",
        ),
      "REJECT",
    ],
  ];
  for (const [name, transform, designed] of cases) {
    it(
      `${name}: ${designed} every time`,
      async () => {
        const patch = name === "empty" ? path.join(tmp.dir, "empty.diff") : makePatch(name, transform);
        if (name === "empty") writeFileSync(patch, "");
        const outcomes: string[] = [];
        for (let seed = 1; seed <= runs; seed++) {
          const res = await runCli(
            [
              "verify",
              ...world,
              "--alert",
              "CheckoutErrorRateHigh",
              "--patch",
              patch,
              "--seed",
              String(seed),
              "--json",
            ],
            {
              timeoutMs: 180_000,
            },
          );
          outcomes.push((JSON.parse(res.stdout) as Verdict).outcome);
        }
        const wrong = outcomes.filter((o) => o !== designed).length;
        process.stderr.write(
          `[measure] ${name}: ${runs - wrong}/${runs} ${designed} (${outcomes.join(" ")})\n`,
        );
        expect(wrong).toBe(0);
      },
      60_000 + runs * 60_000,
    );
  }
});
