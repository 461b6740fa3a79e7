import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BridgeResult, bridge } from "../../src/bridge/bridge.js";
import type { Patch } from "../../src/bridge/patch.js";
import type { Report } from "../../src/investigate/report.js";
import { tempDir } from "../helpers/tmp.js";
import { expectUntouched, makeRepo, makeReport, runPatched, snapshot, type TestRepo } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function scratch(): string {
  const t = tempDir("fixloop-bridge-");
  cleanups.push(t.cleanup);
  return t.dir;
}

const check = { argv: ["python3", "-m", "py_compile", "app.py", "catalog.py"], cwd: "", timeoutMs: 20_000 };

/** Runs the bridge and asserts the service repo is left exactly as it was. */
async function bridgeUntouched(repo: TestRepo, report: Report): Promise<BridgeResult> {
  const head = repo.git("rev-parse", "HEAD").trim();
  const before = snapshot(repo.dir);
  const result = await bridge({
    report,
    target: { service: "shop", repo: repo.dir, check },
    strategy: "revert",
  });
  expectUntouched(repo, before, head);
  return result;
}

function patchOf(result: BridgeResult): Patch {
  if ("reasons" in result) throw new Error(`expected a patch, got: ${result.reasons.join("; ")}`);
  return result.patch;
}

const app = `import catalog


def handle(order, quote):
    return {"total": catalog.line_total(quote, order["quantity"])}
`;

const catalogBefore = `"""Price quotes."""

CURRENCY = "EUR"


def line_total(quote, quantity):
    """Line price in cents."""
    shape = quote.get("shape", "unit")
    if shape == "bundle":
        unit = sum(c["unit_price_cents"] * c["count"] for c in quote["components"])
    elif shape == "weighted":
        unit = round(quote["price_per_kg_cents"] * quote["weight_g"] / 1000)
    else:
        unit = quote["unit_price_cents"]
    return unit * quantity


def max_quantity():
    """The most of one item a cart line may hold.

    Kept in one place so the API and the UI agree.
    """
    return 10


def describe(cents):
    return f"{cents / 100:.2f} {CURRENCY}"
`;

/** The suspect refactor: explicit parsers, and the bundle shape is dropped. Also edits describe(). */
const catalogRefactored = catalogBefore
  .replace(
    `def line_total(quote, quantity):
    """Line price in cents."""
    shape = quote.get("shape", "unit")
    if shape == "bundle":
        unit = sum(c["unit_price_cents"] * c["count"] for c in quote["components"])
    elif shape == "weighted":
        unit = round(quote["price_per_kg_cents"] * quote["weight_g"] / 1000)
    else:
        unit = quote["unit_price_cents"]
    return unit * quantity`,
    `def _unit(raw):
    return raw["unit_price_cents"]


def _weighted(raw):
    return round(raw["price_per_kg_cents"] * raw["weight_g"] / 1000)


PARSERS = {"unit": _unit, "weighted": _weighted}


def line_total(quote, quantity):
    """Line price in cents."""
    parser = PARSERS.get(quote.get("shape", "unit"))
    if parser is None:
        raise ValueError(f"unsupported shape for item_id={quote.get('item_id')}")
    return parser(quote) * quantity`,
  )
  .replace(`{CURRENCY}"`, `{CURRENCY} incl. VAT"`);

const raiseCode = `raise ValueError(f"unsupported shape for item_id={quote.get('item_id')}")`;
const bundle = `{"item_id": "item-1-3", "shape": "bundle", "components": [{"unit_price_cents": 250, "count": 2}, {"unit_price_cents": 100, "count": 1}]}`;
const priceBundle = `import catalog; print(catalog.line_total(${bundle}, 2), catalog.describe(1234))`;

function lineOf(content: string, code: string): number {
  return content.split("\n").findIndex((l) => l.trim() === code) + 1;
}

/** initial → suspect (catalog refactor + README + config) → a later unrelated edit to catalog and app. */
function shopRepo(dir: string) {
  const repo = makeRepo(dir);
  repo.commit("initial", {
    "app.py": app,
    "catalog.py": catalogBefore,
    "README.md": "# shop\n\nPrices cart lines.\n",
    "config.json": '{"timeout_s": 2}\n',
  });
  const suspect = repo.commit("catalog: explicit parsers per shape", {
    "catalog.py": catalogRefactored,
    "README.md": "# shop\n\nPrices cart lines.\n\nRun it with `python3 app.py`.\n",
    "config.json": '{"timeout_s": 1}\n',
  });
  const catalogAtHead = catalogRefactored.replace('"""Price quotes."""', '"""Price quotes for checkout."""');
  repo.commit("later: wording", { "catalog.py": catalogAtHead, "app.py": `${app}\n\nVERSION = 2\n` });
  return { repo, suspect, catalogAtHead };
}

function framesAt(catalog: string) {
  return [
    {
      file: "/srv/shop/releases/7/catalog.py",
      line: lineOf(catalog, raiseCode),
      function: "line_total",
      code: raiseCode,
    },
    {
      file: "/srv/shop/releases/7/app.py",
      line: 5,
      function: "handle",
      code: 'return {"total": catalog.line_total(quote, order["quantity"])}',
    },
  ];
}

describe("revert-suspect-change", () => {
  it("reverts only the hunk that wrote the failing line when the commit's other changes are independent", async () => {
    const dir = scratch();
    const { repo, suspect, catalogAtHead } = shopRepo(path.join(dir, "repo"));
    // Precondition: the suspect commit touched three files and catalog.py in two separate hunks.
    expect(repo.git("show", "--format=", "--name-only", suspect).trim().split("\n")).toEqual([
      "README.md",
      "catalog.py",
      "config.json",
    ]);
    expect(repo.git("show", "--format=", suspect, "--", "catalog.py").match(/^@@/gm)).toHaveLength(2);
    const unpatched = runPatched(
      repo.dir,
      "",
      dir,
      `import catalog\ntry:\n  ${priceBundle}\nexcept ValueError as e: print(e)`,
    );
    expect(unpatched).toMatch(/unsupported shape for item_id=item-1-3/);

    const report = makeReport({
      frames: framesAt(catalogAtHead),
      suspect: { commit: suspect, file: "catalog.py", line: lineOf(catalogAtHead, raiseCode) },
    });
    const patch = patchOf(await bridgeUntouched(repo, report));

    expect(patch.strategy).toBe("revert-suspect-change");
    expect(patch.baseCommit).toBe(repo.git("rev-parse", "HEAD").trim());
    expect(patch.files).toEqual(["catalog.py"]);
    expect(patch.diff).not.toMatch(/VAT|timeout_s|Run it with/);
    expect(patch.rationale).toMatch(
      new RegExp(
        `^Reverts the hunk \\(catalog.py lines [0-9–]+\\) of ${suspect.slice(0, 12)} "refactor", the change that wrote the failing line catalog.py:${lineOf(catalogAtHead, raiseCode)}`,
      ),
    );
    expect(patch.rationale).toMatch(
      /Keeps the commit's other hunks \(README.md, catalog.py, config.json\): they share no name/,
    );
    expect(patch.linesRemoved).toBeGreaterThan(5);
    expect(patch.linesAdded).toBeLessThan(12);
    // Patched: bundles price again, describe() keeps the commit's wording, the later docstring edit stays.
    expect(runPatched(repo.dir, patch.diff, dir, priceBundle).trim()).toBe("1200 12.34 EUR incl. VAT");
    expect(runPatched(repo.dir, patch.diff, dir, "import catalog; print(catalog.__doc__)").trim()).toBe(
      "Price quotes for checkout.",
    );
  });

  it("reverts the whole commit when the failing lines cannot be traced to its hunks", async () => {
    const dir = scratch();
    const { repo, suspect } = shopRepo(path.join(dir, "repo"));
    const report = makeReport({ suspect: { commit: suspect } });
    const patch = patchOf(await bridgeUntouched(repo, report));

    expect(patch.files).toEqual(["README.md", "catalog.py", "config.json"]);
    expect(patch.rationale).toMatch(/in full \(README.md, catalog.py, config.json\).*cannot be isolated/);
    expect(runPatched(repo.dir, patch.diff, dir, priceBundle).trim()).toBe("1200 12.34 EUR");
  });

  it("reverts the whole commit when every hunk shares names with the failing one", async () => {
    const dir = scratch();
    const repo = makeRepo(path.join(dir, "repo"));
    repo.commit("initial", { "app.py": app, "catalog.py": catalogBefore });
    const shapes = `KNOWN = ("unit", "weighted")


def parse(raw):
    if raw.get("shape", "unit") not in KNOWN:
        raise ValueError("unsupported shape")
    return raw
`;
    const suspect = repo.commit("move shape parsing into shapes.py", {
      "shapes.py": shapes,
      "catalog.py": catalogBefore.replace(
        '"""Price quotes."""',
        '"""Price quotes."""\n\nfrom shapes import parse',
      ),
      "app.py": app
        .replace(
          "    return {",
          '    if quote.get("shape", "unit") not in KNOWN:\n        return {"error": "unknown shape"}\n    return {',
        )
        .replace("import catalog", "import catalog\nfrom shapes import KNOWN"),
    });
    const report = makeReport({
      frames: [
        { file: "shapes.py", line: 6, function: "parse", code: 'raise ValueError("unsupported shape")' },
      ],
      suspect: { commit: suspect },
    });
    const patch = patchOf(await bridgeUntouched(repo, report));

    expect(patch.files).toEqual(["app.py", "catalog.py", "shapes.py"]);
    expect(patch.diff).toMatch(/deleted file mode 100644\n[^\n]*\n--- a\/shapes.py\n\+\+\+ \/dev\/null/);
    expect(patch.rationale).toMatch(
      /in full \(app.py, catalog.py, shapes.py\).*all 3 of its hunks wrote or share names with the failing line shapes.py:6/,
    );
  });

  it("falls back to the whole commit when the isolated hunk fails the check", async () => {
    const dir = scratch();
    const repo = makeRepo(path.join(dir, "repo"));
    const items = Array.from({ length: 8 }, (_, i) => `    "shape-${i}",`).join("\n");
    const catalog = (open: string, close: string, body: string) =>
      `def parse(raw):\n    if raw.get("shape") not in SHAPES:\n        ${body}\n    return raw\n\n\nSHAPES = ${open}\n${items}\n${close}\n`;
    repo.commit("initial", { "app.py": app, "catalog.py": catalog("[", "]", "return None") });
    // One change in two hunks far apart: the raise near `SHAPES = (`, and the closing `)`.
    const suspect = repo.commit("shapes as a tuple, reject unknown", {
      "catalog.py": catalog("(", ")", 'raise ValueError("unsupported")'),
    });
    const report = makeReport({
      frames: [{ file: "catalog.py", line: 3, code: 'raise ValueError("unsupported")' }],
      suspect: { commit: suspect },
    });
    const patch = patchOf(await bridgeUntouched(repo, report));

    expect(patch.rationale).toMatch(
      /in full \(catalog.py\).*reverting only the hunks that wrote the failing line catalog.py:3 was rejected \(check `python3 -m py_compile app.py catalog.py` failed \(exit 1\):.*SyntaxError/s,
    );
    expect(patch.diff.match(/^@@/gm)).toHaveLength(2);
    expect(
      runPatched(
        repo.dir,
        patch.diff,
        dir,
        "import catalog; print(catalog.SHAPES[0], catalog.parse({}))",
      ).trim(),
    ).toBe("shape-0 None");
  });

  it("offers no candidate when later commits changed the reverted lines", async () => {
    const dir = scratch();
    const repo = makeRepo(path.join(dir, "repo"));
    repo.commit("initial", { "app.py": app, "catalog.py": catalogBefore });
    const suspect = repo.commit("refactor", { "catalog.py": catalogRefactored });
    const later = catalogRefactored.replace("unsupported shape for", "catalog shape not supported for");
    repo.commit("reword the error", { "catalog.py": later });
    const code = raiseCode.replace("unsupported shape for", "catalog shape not supported for");
    const report = makeReport({
      frames: [{ file: "catalog.py", line: lineOf(later, code), code }],
      suspect: { commit: suspect, file: "catalog.py", line: lineOf(later, code) },
    });
    const result = await bridgeUntouched(repo, report);

    expect(result).toEqual({
      reasons: [
        expect.stringMatching(
          new RegExp(
            `^revert-suspect-change: reverting catalog.py \\(lines [0-9–, ]+ of ${suspect.slice(0, 12)}\\) conflicts with later commits that changed the same lines$`,
          ),
        ),
      ],
    });
  });

  it("offers no candidate for a suspect commit that is not in HEAD's history", async () => {
    const dir = scratch();
    const repo = makeRepo(path.join(dir, "repo"));
    repo.commit("initial", { "app.py": app, "catalog.py": catalogBefore });
    repo.git("checkout", "-q", "-b", "side");
    const side = repo.commit("side work", { "catalog.py": catalogRefactored });
    repo.git("checkout", "-q", "main");
    const result = await bridgeUntouched(repo, makeReport({ suspect: { commit: side } }));
    expect(result).toEqual({
      reasons: [
        `revert-suspect-change: ${side.slice(0, 12)} "refactor" is not in the history of HEAD ${repo.git("rev-parse", "HEAD").trim().slice(0, 12)}`,
      ],
    });
  });
});
