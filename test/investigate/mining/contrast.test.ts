import { describe, expect, it } from "vitest";
import {
  type AttributeFinding,
  type ContrastRecord,
  contrastAttributes,
  describeFinding,
} from "../../../src/investigate/mining/contrast.js";

/** A small deterministic generator (an LCG), so the "random" attributes are the same every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4_294_967_296;
  };
}

const METHODS = ["GET", "POST", "PUT"];
const REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"];

/**
 * 1200 checkout requests. Item ids are unique (`item-<n>-<k>`) and exactly those with k = 3 fail:
 * 120 failures, 1080 successes. Method and region are noise.
 */
function checkoutRequests(): ContrastRecord[] {
  const random = lcg(7);
  const records: ContrastRecord[] = [];
  for (let i = 0; i < 1200; i++) {
    const k = i % 10;
    records.push({
      attributes: {
        item_id: `item-${100 + Math.floor(i / 10)}-${k}`,
        method: METHODS[Math.floor(random() * 3)] as string,
        region: REGIONS[Math.floor(random() * 3)] as string,
        request_id: `req-${i.toString(16).padStart(6, "0")}`,
      },
      failed: k === 3,
    });
  }
  return records;
}

describe("contrastAttributes", () => {
  it("finds the item_id suffix that every failure and no success has", () => {
    const findings = contrastAttributes(checkoutRequests());
    expect(findings[0]).toMatchObject({
      attribute: "item_id",
      feature: "suffix",
      value: "-3",
      description: 'item_id ends with "-3"',
      failing: 120,
      failingTotal: 120,
      succeeding: 0,
      succeedingTotal: 1080,
      failureCoverage: 1,
      successShare: 0,
      score: 1,
    });
    expect(findings[0]?.pValue).toBeLessThan(1e-100);
    expect(describeFinding(findings[0] as AttributeFinding)).toBe(
      '100% of failures (120/120) have item_id ending in "-3"; 0% of successes (0/1080)',
    );
  });

  it("reports a feature once even when another feature holds for the same requests", () => {
    // Every id ending in "-3" also ends in "3" (k is one digit): same requests, one finding.
    const findings = contrastAttributes(checkoutRequests());
    expect(findings.filter((f) => f.attribute === "item_id")).toHaveLength(1);
  });

  it("does not blame noise attributes or per-request ids", () => {
    const findings = contrastAttributes(checkoutRequests());
    const blamed = new Set(findings.map((f) => f.attribute));
    expect(blamed).toEqual(new Set(["item_id"]));
  });

  it("ranks a partial separator below a perfect one", () => {
    const records = checkoutRequests();
    // All failures and half of the successes come from the iOS app.
    let successes = 0;
    for (const record of records) {
      const ios = record.failed || successes++ % 2 === 0;
      record.attributes.client = ios ? "ios" : "web";
    }
    const findings = contrastAttributes(records);
    expect(findings.map((f) => f.description).slice(0, 2)).toEqual([
      'item_id ends with "-3"',
      'client="ios"',
    ]);
    expect(findings[1]).toMatchObject({ failing: 120, succeeding: 540, successShare: 0.5, score: 0.5 });
    expect(contrastAttributes(records, { minScore: 0.6 }).map((f) => f.attribute)).toEqual(["item_id"]);
  });

  it("finds a numeric threshold", () => {
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 2000; i++) {
      const quantity = 1 + (i % 20);
      records.push({ attributes: { quantity: String(quantity) }, failed: quantity >= 15 });
    }
    const [best] = contrastAttributes(records);
    expect(best).toMatchObject({ feature: "atLeast", value: "15", description: "quantity ≥ 15", score: 1 });
    expect(best && describeFinding(best)).toBe(
      "100% of failures (600/600) have quantity ≥ 15; 0% of successes (0/1400)",
    );
  });

  it("finds a missing attribute", () => {
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 500; i++) {
      const anonymous = i % 25 === 0;
      records.push({
        attributes: anonymous ? { path: "/cart" } : { path: "/cart", tenant: `t-${i % 7}` },
        failed: anonymous,
      });
    }
    const [best] = contrastAttributes(records);
    expect(best).toMatchObject({ attribute: "tenant", feature: "missing", failing: 20, succeeding: 0 });
    expect(best && describeFinding(best)).toBe(
      "100% of failures (20/20) have no tenant; 0% of successes (0/480)",
    );
  });

  it("finds a shared prefix", () => {
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 600; i++) {
      const legacy = i % 6 === 0;
      records.push({ attributes: { sku: `${legacy ? "legacy" : "sku"}-${1000 + i}` }, failed: legacy });
    }
    const [best] = contrastAttributes(records);
    expect(best).toMatchObject({
      attribute: "sku",
      feature: "prefix",
      value: "legacy-",
      failing: 100,
      succeeding: 0,
    });
  });

  it("returns nothing when no request failed or every request failed", () => {
    const records = checkoutRequests();
    expect(contrastAttributes(records.map((r) => ({ ...r, failed: false })))).toEqual([]);
    expect(contrastAttributes(records.map((r) => ({ ...r, failed: true })))).toEqual([]);
    expect(contrastAttributes([])).toEqual([]);
  });

  it("invents no cause when failures are independent of every attribute", () => {
    const random = lcg(42);
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 5000; i++) {
      records.push({
        attributes: {
          method: METHODS[Math.floor(random() * 3)] as string,
          region: REGIONS[Math.floor(random() * 3)] as string,
          item_id: `item-${Math.floor(random() * 400)}-${Math.floor(random() * 10)}`,
          quantity: String(1 + Math.floor(random() * 5)),
        },
        failed: random() < 0.1,
      });
    }
    expect(contrastAttributes(records)).toEqual([]);
  });

  it("does not blame a coincidence among a handful of failures", () => {
    // 3 failures, all in eu-west-1, which serves a third of the traffic: a 1-in-27 coincidence.
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 300; i++) {
      records.push({
        attributes: { region: REGIONS[i % 3] as string },
        failed: i === 0 || i === 3 || i === 6,
      });
    }
    expect(contrastAttributes(records)).toEqual([]);
    // Without the significance test the same gap would be reported.
    const unguarded = contrastAttributes(records, { maxPValue: 1 });
    expect(unguarded[0]).toMatchObject({ description: 'region="eu-west-1"', failing: 3, succeeding: 97 });
  });

  it("never reports a value only one request has, even without the significance test", () => {
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 20; i++)
      records.push({ attributes: { request_id: `req-${1000 + i}` }, failed: i === 4 });
    const findings = contrastAttributes(records, { maxPValue: 1 });
    expect(findings.filter((f) => f.feature === "equals")).toEqual([]);
  });

  it("honours limit", () => {
    const records = checkoutRequests();
    expect(contrastAttributes(records, { limit: 0 })).toEqual([]);
    for (const record of records) record.attributes.client = record.failed ? "ios" : "web";
    expect(contrastAttributes(records, { limit: 1 })).toHaveLength(1);
  });

  it("handles tens of thousands of records", () => {
    const random = lcg(99);
    const records: ContrastRecord[] = [];
    for (let i = 0; i < 50_000; i++) {
      const k = Math.floor(random() * 10);
      records.push({
        attributes: {
          item_id: `item-${i}-${k}`,
          method: METHODS[i % 3] as string,
          duration_ms: (random() * 500).toFixed(1),
          request_id: `req-${i}`,
        },
        failed: k === 7,
      });
    }
    const [best] = contrastAttributes(records);
    expect(best).toMatchObject({ attribute: "item_id", value: "-7", succeeding: 0, score: 1 });
  });
});

describe("describeFinding", () => {
  const base: AttributeFinding = {
    attribute: "region",
    feature: "equals",
    value: "eu-west-1",
    description: 'region="eu-west-1"',
    failing: 1199,
    failingTotal: 1200,
    succeeding: 1,
    succeedingTotal: 1080,
    failureCoverage: 1199 / 1200,
    successShare: 1 / 1080,
    score: 1199 / 1200 - 1 / 1080,
    pValue: 1e-12,
  };

  it("never rounds a partial share to 0% or 100%", () => {
    expect(describeFinding(base)).toBe(
      '>99% of failures (1199/1200) have region="eu-west-1"; <1% of successes (1/1080)',
    );
  });

  it("rounds other shares to whole percents", () => {
    expect(describeFinding({ ...base, failing: 119, failingTotal: 120, failureCoverage: 119 / 120 })).toMatch(
      /^99% of failures \(119\/120\)/,
    );
    const finding = {
      ...base,
      failing: 500,
      failureCoverage: 500 / 1200,
      succeeding: 200,
      successShare: 200 / 1080,
    };
    expect(describeFinding(finding)).toBe(
      '42% of failures (500/1200) have region="eu-west-1"; 19% of successes (200/1080)',
    );
  });
});
