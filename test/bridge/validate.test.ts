import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeResult, bridge } from "../../src/bridge/bridge.js";
import type { PatchLimits } from "../../src/bridge/validate.js";
import { tempDir } from "../helpers/tmp.js";
import { expectUntouched, makeRepo, makeReport, snapshot, type TestRepo } from "./helpers.js";

const catalog = `def line_total(quote, quantity):
    return quote["unit_price_cents"] * quantity
`;

let scratch: { dir: string; cleanup: () => void };
let repo: TestRepo;
let outside: string;
let head: string;

beforeAll(() => {
  scratch = tempDir("fixloop-validate-");
  outside = path.join(scratch.dir, "outside");
  mkdirSync(outside);
  writeFileSync(path.join(outside, "settings.py"), "DEBUG = False\n");
  repo = makeRepo(path.join(scratch.dir, "repo"));
  head = repo.commit("initial", {
    "app.py": "import catalog\n",
    "catalog.py": catalog,
    vendor: { symlink: outside },
    "settings.py": { symlink: path.join(outside, "settings.py") },
  });
});
afterAll(() => scratch.cleanup());

async function validateExternal(diff: string, limits?: PatchLimits): Promise<BridgeResult> {
  const before = snapshot(repo.dir);
  const outsideBefore = snapshot(outside);
  const result = await bridge({
    report: makeReport(),
    target: {
      service: "shop",
      repo: repo.dir,
      check: { argv: ["python3", "-m", "py_compile", "app.py", "catalog.py"], cwd: "", timeoutMs: 20_000 },
    },
    strategy: "external",
    external: { diff, source: "proposal.diff" },
    limits,
  });
  expectUntouched(repo, before, head);
  expect(snapshot(outside)).toEqual(outsideBefore);
  return result;
}

const newFile = (header: string, target: string, body = '+print("pwned")') =>
  `${header}--- /dev/null\n+++ ${target}\n@@ -0,0 +1 @@\n${body}\n`;

describe("validation of candidate diffs", () => {
  const malicious: [string, () => string, () => RegExp][] = [
    [
      "path traversal",
      () =>
        newFile(
          "diff --git a/../outside/evil.py b/../outside/evil.py\nnew file mode 100644\n",
          "b/../outside/evil.py",
        ),
      () => /^\.\.\/outside\/evil\.py: path leaves the repo \('\.\.'\)$/,
    ],
    [
      "traversal hidden in the middle of a path",
      () => newFile("", "b/lib/../../outside/evil.py"),
      () => /^lib\/\.\.\/\.\.\/outside\/evil\.py: path leaves the repo/,
    ],
    [
      "absolute path",
      () => newFile("", path.join(outside, "evil.py")),
      () => new RegExp(`^${outside}/evil.py: absolute path$`),
    ],
    [
      "a new file through a symlinked folder pointing out of the repo",
      () =>
        newFile("diff --git a/vendor/evil.py b/vendor/evil.py\nnew file mode 100644\n", "b/vendor/evil.py"),
      () => new RegExp(`^vendor/evil.py: goes through symlink vendor → ${outside} \\(outside the repo\\)$`),
    ],
    [
      "an edit written through an existing symlink",
      () =>
        "diff --git a/settings.py b/settings.py\n--- a/settings.py\n+++ b/settings.py\n@@ -1 +1 @@\n-DEBUG = False\n+DEBUG = True\n",
      () => new RegExp(`^settings.py: is a symlink → ${outside}/settings.py \\(outside the repo\\)$`),
    ],
    [
      "a new symlink",
      () =>
        "diff --git a/link b/link\nnew file mode 120000\nindex 0000000..6a5f1b5\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n",
      () => /^link: creates a symlink \(mode 120000\)$/,
    ],
    [
      "a binary patch",
      () =>
        "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..1d7fd2e\nGIT binary patch\nliteral 4\nLcmZ?wbN~PV\n\nliteral 0\nHcmV?d00001\n\n",
      () => /^logo.png: binary patch$/,
    ],
    [
      "a traversal in the git header hidden behind harmless ---/+++ names",
      () =>
        "diff --git a/../evil.py b/../evil.py\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-import catalog\n+import os\n",
      () => /^\.\.\/evil\.py: path leaves the repo/,
    ],
    [
      "a write into .git",
      () => newFile("", "b/.git/hooks/post-checkout", "+#!/bin/sh"),
      () => /^\.git\/hooks\/post-checkout: writes inside \.git$/,
    ],
  ];

  it.each(malicious)("rejects %s with a reason naming the file", async (_what, diff, reason) => {
    const result = await validateExternal(diff());
    expect("reasons" in result && result.reasons).toEqual([
      expect.stringMatching(/^external: candidate rejected: /),
    ]);
    const reasons =
      "reasons" in result ? (result.reasons[0] ?? "").replace("external: candidate rejected: ", "") : "";
    expect(reasons).toMatch(reason());
  });

  it("rejects a patch that does not compile, with the checker's output", async () => {
    const diff =
      '--- a/catalog.py\n+++ b/catalog.py\n@@ -1,2 +1,2 @@\n def line_total(quote, quantity):\n-    return quote["unit_price_cents"] * quantity\n+    return quote["unit_price_cents" * quantity\n';
    const result = await validateExternal(diff);
    expect("reasons" in result).toBe(true);
    const reason = "reasons" in result ? result.reasons.join("\n") : "";
    expect(reason).toMatch(
      /^external: candidate rejected: check `python3 -m py_compile app.py catalog.py` failed \(exit 1\):\n/,
    );
    expect(reason).toMatch(/File "catalog.py", line 2[\s\S]*SyntaxError/);
  });

  it("rejects a diff that does not apply to HEAD, with git's complaint", async () => {
    const diff =
      "--- a/catalog.py\n+++ b/catalog.py\n@@ -1,2 +1,2 @@\n def line_total(item, n):\n-    return 1\n+    return 2\n";
    expect(await validateExternal(diff)).toEqual({
      reasons: [
        `external: candidate rejected: does not apply cleanly to HEAD ${head.slice(0, 12)}: patch failed: catalog.py:1; catalog.py: patch does not apply`,
      ],
    });
  });

  it("rejects diffs over the size limit and input that is not a diff", async () => {
    const diff = newFile(
      "",
      "b/notes.txt",
      Array.from({ length: 5 }, (_, i) => `+line ${i}`).join("\n"),
    ).replace("+1 @@", "+1,5 @@");
    expect(await validateExternal(diff, { maxBytes: 1000, maxChangedLines: 3 })).toEqual({
      reasons: ["external: candidate rejected: the diff changes 5 lines, over the 3-line limit"],
    });
    expect(await validateExternal(diff, { maxBytes: 50, maxChangedLines: 100 })).toEqual({
      reasons: [
        `external: candidate rejected: the diff is ${Buffer.byteLength(diff)} bytes, over the 50-byte limit`,
      ],
    });
    expect(await validateExternal("please fix the bug\n")).toEqual({
      reasons: [
        "external: candidate rejected: not a unified diff: no file headers (---/+++ or diff --git) found",
      ],
    });
  });

  it("accepts a valid external diff, with its stats and the proposer's note as rationale", async () => {
    const diff =
      'Subject: use integer cents\n\n--- a/catalog.py\t2024-03-01 10:00:00\n+++ b/catalog.py\t2024-03-01 10:05:00\n@@ -1,2 +1,3 @@\n def line_total(quote, quantity):\n-    return quote["unit_price_cents"] * quantity\n+    cents = int(quote["unit_price_cents"])\n+    return cents * quantity\n';
    expect(await validateExternal(diff)).toEqual({
      patch: {
        strategy: "external",
        diff,
        rationale: "External patch from proposal.diff: Subject: use integer cents",
        baseCommit: head,
        files: ["catalog.py"],
        linesAdded: 2,
        linesRemoved: 1,
      },
    });
  });
});
