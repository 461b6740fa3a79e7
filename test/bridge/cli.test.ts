import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Patch } from "../../src/bridge/patch.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { expectUntouched, makeRepo, makeReport, runPatched, snapshot, type TestRepo } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function scratch(): string {
  const t = tempDir("fixloop-patch-cli-");
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A one-service manifest whose repo is `repo`, checked with py_compile. */
function shopWorld(dir: string, repo: string): string {
  const file = path.join(dir, "fixloop.yaml");
  writeFileSync(
    file,
    stringify({
      version: 1,
      name: "shop",
      services: {
        shop: { command: ["python3", "app.py"], repo, check: ["python3", "-m", "py_compile", "app.py"] },
      },
      monitoring: {
        prometheus: { mode: "external", url: "http://127.0.0.1:9" },
        alertmanager: { mode: "external", url: "http://127.0.0.1:9" },
      },
    }),
  );
  return file;
}

function shopRepo(dir: string): { repo: TestRepo; head: string } {
  const repo = makeRepo(path.join(dir, "repo"));
  const head = repo.commit("initial", { "app.py": "def total(cents, n):\n    return cents * n\n" });
  return { repo, head };
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const demoBuilder = path.join(repoRoot, "examples/checkout/build_repo.py");

describe("fixloop patch", () => {
  it.skipIf(!existsSync(demoBuilder))(
    "reverts the demo's catalog refactor into a diff that prices bundles again, leaving the repo untouched",
    async () => {
      const dir = scratch();
      const stateDir = path.join(dir, "state");
      const repoDir = path.join(stateDir, "repos/checkout");
      execFileSync("python3", [demoBuilder, "--scenario", "catalog-shape", "--out", repoDir], {
        stdio: "ignore",
      });
      const repo = makeRepoView(repoDir);
      const head = repo.git("rev-parse", "HEAD").trim();
      const catalog = readFileSync(path.join(repoDir, "catalog.py"), "utf8").split("\n");
      const app = readFileSync(path.join(repoDir, "app.py"), "utf8").split("\n");
      const at = (lines: string[], needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
      const frame = (file: string, lines: string[], needle: string, fn: string) => ({
        file: `/tmp/fixloop-demo/state/repos/checkout/${file}`,
        line: at(lines, needle),
        function: fn,
        code: lines[at(lines, needle) - 1]?.trim(),
      });
      const report = makeReport({
        service: "checkout",
        frames: [
          frame("catalog.py", catalog, "raise ValueError", "parse_quote"),
          frame("catalog.py", catalog, "return parse_quote(quote)", "line_total"),
          frame("app.py", app, "catalog.line_total(", "_checkout"),
        ],
        suspect: {
          commit: head,
          file: "catalog.py",
          line: at(catalog, "raise ValueError"),
          subject: "catalog: parse pricing responses through explicit shapes",
        },
      });
      const reportFile = writeJson(dir, "report.json", report);
      const out = path.join(dir, "fix.diff");
      const before = snapshot(repoDir);

      const res = await runCli([
        "patch",
        "-f",
        path.join(repoRoot, "examples/checkout/fixloop.yaml"),
        "--state-dir",
        stateDir,
        "--report",
        reportFile,
        "-o",
        out,
      ]);

      expectUntouched(repo, before, head);
      expect(res.stderr).toMatch(/revert-suspect-change: Reverts .*catalog: parse pricing responses/);
      expect(res.stderr).toMatch(/1 file\(s\), \+\d+ −\d+ \(catalog.py\)/);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe("");
      const diff = readFileSync(out, "utf8");
      expect(diff).toMatch(/^diff --git a\/catalog.py b\/catalog.py\n/);
      const bundle = {
        item_id: "item-142-3",
        shape: "bundle",
        components: [
          { sku: 17, unit_price_cents: 250, count: 2 },
          { sku: 31, unit_price_cents: 120, count: 1 },
        ],
      };
      const price = `import catalog, json; print(catalog.line_total(json.loads(${JSON.stringify(JSON.stringify(bundle))}), 2))`;
      expect(() => runPatched(repoDir, "", dir, price)).toThrow(
        /ValueError: unsupported catalog shape for item_id=item-142-3/,
      );
      expect(runPatched(repoDir, diff, dir, price).trim()).toBe("1240");
    },
  );

  it("validates and accepts an external diff, printing the Patch as JSON", async () => {
    const dir = scratch();
    const { repo, head } = shopRepo(dir);
    const diffFile = path.join(dir, "proposal.diff");
    const diff =
      "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n def total(cents, n):\n-    return cents * n\n+    return int(cents) * n\n";
    writeFileSync(diffFile, diff);
    const before = snapshot(repo.dir);
    const res = await runCli([
      "patch",
      "-f",
      shopWorld(dir, repo.dir),
      "--report",
      writeJson(dir, "report.json", makeReport()),
      "--diff",
      diffFile,
      "--json",
    ]);
    expectUntouched(repo, before, head);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout) as Patch).toEqual({
      strategy: "external",
      diff,
      rationale: `External patch from ${diffFile}.`,
      baseCommit: head,
      files: ["app.py"],
      linesAdded: 1,
      linesRemoved: 1,
    });
  });

  it("takes the output of 'investigate --json' ({ reports: [one] }) and refuses several reports", async () => {
    const dir = scratch();
    const { repo } = shopRepo(dir);
    const diffFile = path.join(dir, "proposal.diff");
    writeFileSync(
      diffFile,
      "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n def total(cents, n):\n-    return cents * n\n+    return int(cents) * n\n",
    );
    const world = shopWorld(dir, repo.dir);
    const one = writeJson(dir, "one.json", { reports: [makeReport()] });
    const ok = await runCli(["patch", "-f", world, "--report", one, "--diff", diffFile, "--json"]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as Patch).files).toEqual(["app.py"]);
    const two = writeJson(dir, "two.json", { reports: [makeReport(), makeReport()] });
    const refused = await runCli(["patch", "-f", world, "--report", two, "--diff", diffFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds 2 reports; investigate one alert/);
  });

  it("exits 1 with one line when no candidate survives validation", async () => {
    const dir = scratch();
    const { repo } = shopRepo(dir);
    const world = shopWorld(dir, repo.dir);
    const report = writeJson(dir, "report.json", makeReport());
    const noSuspect = await runCli(["patch", "-f", world, "--report", report]);
    expect(noSuspect).toEqual({
      code: 1,
      stdout: "",
      stderr: "fixloop: no patch for shop: auto: the report names no suspect change to revert\n",
    });

    const broken = path.join(dir, "broken.diff");
    writeFileSync(
      broken,
      "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n def total(cents, n):\n-    return cents * n\n+    return (cents * n\n",
    );
    const res = await runCli([
      "patch",
      "-f",
      world,
      "--report",
      report,
      "--strategy",
      "external",
      "--diff",
      broken,
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(
      /^fixloop: no patch for shop: external: candidate rejected: check `python3 -m py_compile app.py` failed \(exit 1\): \| .*SyntaxError/,
    );
  });

  it("exits 2 on usage mistakes", async () => {
    const dir = scratch();
    const { repo } = shopRepo(dir);
    const world = shopWorld(dir, repo.dir);
    const report = writeJson(dir, "report.json", makeReport());
    const notJson = path.join(dir, "report.txt");
    writeFileSync(notJson, "ERROR something broke");
    const cases: [string[], RegExp][] = [
      [["--strategy", "bogus"], /argument 'bogus' is invalid/],
      [["--strategy", "revert", "--diff", notJson], /^fixloop: --diff goes with --strategy external\n$/],
      [["--strategy", "external"], /^fixloop: --strategy external needs --diff FILE\n$/],
      [["--service", "nope"], /^fixloop: .*fixloop.yaml: no service named 'nope' \(known: shop\)\n$/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(["patch", "-f", world, "--report", report, ...args]);
      expect({ args, code: res.code, stderr: res.stderr }).toEqual({
        args,
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
    const bad = await runCli(["patch", "-f", world, "--report", notJson]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`fixloop: ${notJson}: not JSON; pass the report.json that 'investigate' wrote\n`);
    const missing = await runCli(["patch", "-f", world]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--report <report.json>' not specified/);
  });
});

/** The demo repo was built by build_repo.py; read-only git access for the untouched assertion. */
function makeRepoView(dir: string): TestRepo {
  return {
    dir,
    git: (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }),
    commit: () => {
      throw new Error("read-only view");
    },
  };
}
