import { describe, expect, it } from "vitest";
import { TemplateMiner } from "../../../src/investigate/mining/drain.js";

function accessLine(
  second: number,
  method: string,
  item: string,
  quantity: number,
  status: number,
  ms: string,
) {
  return `2026-11-25T20:01:${String(second).padStart(2, "0")}.345Z INFO checkout access method=${method} path=/checkout item_id=${item} quantity=${quantity} status=${status} duration_ms=${ms}`;
}

describe("TemplateMiner", () => {
  it("mines one template from access lines that differ only in their values", () => {
    const miner = new TemplateMiner();
    const first = miner.add(accessLine(1, "POST", "item-142-3", 2, 500, "3.1"));
    const second = miner.add(accessLine(2, "POST", "item-7-1", 1, 200, "48.0"));
    const third = miner.add(accessLine(3, "POST", "item-90-8", 5, 200, "12.9"));

    const expected =
      "<*> INFO checkout access method=POST path=/checkout item_id=<*> quantity=<*> status=<*> duration_ms=<*>";
    expect(first).toEqual({ templateId: 1, template: expected, isNew: true });
    expect(second).toEqual({ templateId: 1, template: expected, isNew: false });
    expect(third.isNew).toBe(false);
    expect(miner.templates()).toHaveLength(1);
    expect(miner.templates()[0]?.count).toBe(3);
  });

  it("generalizes a key=value token to key=<*> when the values differ", () => {
    const miner = new TemplateMiner();
    miner.add(accessLine(1, "POST", "item-1-1", 1, 200, "1.0"));
    const result = miner.add(accessLine(2, "GET", "item-2-2", 1, 200, "1.0"));
    expect(result.isNew).toBe(false);
    expect(result.template).toBe(
      "<*> INFO checkout access method=<*> path=/checkout item_id=<*> quantity=<*> status=<*> duration_ms=<*>",
    );
  });

  it("keeps different messages apart", () => {
    const miner = new TemplateMiner();
    const connected = miner.add("2026-11-25T20:01:02Z INFO db Connected to 10.0.0.12:5432");
    const disconnected = miner.add("2026-11-25T20:01:03Z INFO db Disconnected from 10.0.0.13:5432");
    const connectedAgain = miner.add("2026-11-25T20:01:04Z INFO db Connected to 10.0.0.14:5433");
    expect(disconnected.isNew).toBe(true);
    expect(disconnected.templateId).not.toBe(connected.templateId);
    expect(connectedAgain.templateId).toBe(connected.templateId);
    expect(miner.templates().map((t) => t.template)).toEqual([
      "<*> INFO db Connected to <*>",
      "<*> INFO db Disconnected from <*>",
    ]);
  });

  it("turns a position where words differ into <*>", () => {
    const miner = new TemplateMiner();
    miner.add("2026-11-25T20:01:02Z INFO auth user alice logged in");
    const bob = miner.add("2026-11-25T20:01:03Z INFO auth user bob logged in");
    expect(bob).toEqual({ templateId: 1, template: "<*> INFO auth user <*> logged in", isNew: false });
  });

  it("does not join a template below the similarity threshold", () => {
    const strict = new TemplateMiner({ similarityThreshold: 0.9 });
    strict.add("2026-11-25T20:01:02Z INFO auth user alice logged in");
    expect(strict.add("2026-11-25T20:01:03Z INFO auth user bob logged in").isNew).toBe(true);
    expect(strict.size).toBe(2);
  });

  it("never merges messages with different token counts", () => {
    const miner = new TemplateMiner();
    miner.add("2026-11-25T20:01:02Z WARN cache miss key=sku:1");
    const longer = miner.add("2026-11-25T20:01:02Z WARN cache miss key=sku:1 after retry");
    expect(longer.isNew).toBe(true);
  });

  it("routes tokens with digits to the wildcard child, so they can merge", () => {
    const miner = new TemplateMiner();
    // node1/node2 survive masking (short names) but still contain digits.
    miner.add("node1 joined cluster");
    const second = miner.add("node2 joined cluster");
    expect(second).toEqual({ templateId: 1, template: "<*> joined cluster", isNew: false });
  });

  it("sends tokens past maxChildren to a shared wildcard child", () => {
    const lines = ["alpha x y z", "beta x y z", "gamma x y z", "delta x y z"];
    const capped = new TemplateMiner({ maxChildren: 2 });
    for (const line of lines) capped.add(line);
    expect(capped.templates().map((t) => t.template)).toEqual(["<*> x y z", "alpha x y z", "beta x y z"]);

    const uncapped = new TemplateMiner();
    for (const line of lines) uncapped.add(line);
    expect(uncapped.size).toBe(4);
  });

  it("breaks similarity ties in favour of the more general template, as Drain does", () => {
    const miner = new TemplateMiner({ depth: 2, similarityThreshold: 0.75 });
    const specific = miner.add("a b c x");
    const general = miner.add("a b q d");
    miner.add("a b r d");
    // "a b c d" matches 3 of 4 tokens of both "a b c x" and "a b <*> d".
    const tied = miner.add("a b c d");
    expect(specific.templateId).not.toBe(general.templateId);
    expect(tied).toEqual({ templateId: general.templateId, template: "a b <*> d", isNew: false });
  });

  it("keeps the first few raw messages as samples", () => {
    const miner = new TemplateMiner({ maxSamples: 2 });
    const lines = [1, 2, 3, 4].map((n) => accessLine(n, "POST", `item-${n}-3`, n, 200, `${n}.0`));
    for (const line of lines) miner.add(line);
    const [template] = miner.templates();
    expect(template?.count).toBe(4);
    expect(template?.samples).toEqual([lines[0], lines[1]]);
  });

  it("lists templates most frequent first, with stable ids", () => {
    const miner = new TemplateMiner();
    miner.add("2026-11-25T20:01:02Z ERROR payments card declined code=51");
    for (let n = 0; n < 3; n++) miner.add(`2026-11-25T20:01:0${n}Z INFO payments charged order ${n}`);
    const templates = miner.templates();
    expect(templates.map((t) => [t.id, t.count])).toEqual([
      [2, 3],
      [1, 1],
    ]);
  });

  it("matches a message to a known template without learning from it", () => {
    const miner = new TemplateMiner();
    miner.add(accessLine(1, "POST", "item-142-3", 2, 500, "3.1"));
    const match = miner.match(accessLine(9, "POST", "item-555-0", 4, 200, "80.2"));
    expect(match?.id).toBe(1);
    expect(match?.count).toBe(1);
    expect(miner.match("2026-11-25T20:01:02Z INFO something else entirely")).toBeUndefined();
    expect(miner.size).toBe(1);
  });

  it("returns copies, so callers cannot corrupt its state", () => {
    const miner = new TemplateMiner();
    miner.add("hello world");
    const [first] = miner.templates();
    first?.samples.push("tampered");
    expect(miner.templates()[0]?.samples).toEqual(["hello world"]);
  });

  it("handles empty messages", () => {
    const miner = new TemplateMiner();
    expect(miner.add("").isNew).toBe(true);
    expect(miner.add("   ")).toEqual({ templateId: 1, template: "", isNew: false });
  });

  it("rejects a threshold outside (0, 1]", () => {
    expect(() => new TemplateMiner({ similarityThreshold: 0 })).toThrow(RangeError);
    expect(() => new TemplateMiner({ similarityThreshold: 1.5 })).toThrow(RangeError);
  });
});
