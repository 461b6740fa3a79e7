import { describe, expect, it } from "vitest";
import { checkTraffic, planTraffic, type TrafficProfile } from "../../src/verify/traffic.js";

const profile: TrafficProfile = {
  requests: [
    {
      method: "POST",
      path: "/checkout",
      headers: { "content-type": "application/json", "x-sku": "{{sku}}" },
      body: '{"item_id": "item-{{sku}}-{{shape}}", "quantity": {{quantity}}}',
      weight: 3,
    },
    { method: "GET", path: "/items/{{sku}}", headers: {}, weight: 1 },
  ],
  vars: {
    sku: { range: [100, 199] },
    shape: { "0": 8, "3": 1, "8": 1 },
    quantity: ["1", "2", "3"],
  },
};

describe("traffic plan", () => {
  it("is the same sequence for the same seed, and a longer plan extends a shorter one", () => {
    const a = planTraffic(profile, 200, 7);
    expect(planTraffic(profile, 200, 7)).toEqual(a);
    expect(planTraffic(profile, 500, 7).slice(0, 200)).toEqual(a);
    expect(planTraffic(profile, 200, 8)).not.toEqual(a);
  });

  it("fills every placeholder with one value per variable per request", () => {
    for (const r of planTraffic(profile, 300, 1)) {
      const sku = Number(r.vars.sku);
      expect(sku).toBeGreaterThanOrEqual(100);
      expect(sku).toBeLessThanOrEqual(199);
      if (r.template === 0) {
        expect(r.body).toBe(
          `{"item_id": "item-${r.vars.sku}-${r.vars.shape}", "quantity": ${r.vars.quantity}}`,
        );
        expect(r.headers["x-sku"]).toBe(r.vars.sku);
        expect(r.description).toBe(`POST /checkout ${r.body}`);
      } else {
        expect(r).toMatchObject({ method: "GET", path: `/items/${r.vars.sku}`, body: undefined });
        expect(Object.keys(r.vars)).toEqual(["sku"]);
      }
    }
  });

  it("draws templates and weighted values in proportion, ranges inclusively", () => {
    const plan = planTraffic(profile, 20_000, 3);
    const share = (f: (r: (typeof plan)[number]) => boolean, of = plan) => of.filter(f).length / of.length;
    expect(share((r) => r.template === 0)).toBeCloseTo(0.75, 1);
    const posts = plan.filter((r) => r.template === 0);
    expect(share((r) => r.vars.shape === "0", posts)).toBeCloseTo(0.8, 1);
    expect(share((r) => r.vars.shape === "3", posts)).toBeCloseTo(0.1, 1);
    const skus = new Set(plan.map((r) => r.vars.sku));
    expect(skus.size).toBe(100);
    expect(skus.has("100") && skus.has("199")).toBe(true);
  });

  it("rejects a template naming an undefined variable, and an empty range", () => {
    const bad = {
      ...profile,
      requests: [{ method: "GET" as const, path: "/x/{{nope}}", headers: {}, weight: 1 }],
    };
    expect(() => checkTraffic(bad, "alerts.A.traffic")).toThrow(
      "alerts.A.traffic.requests.0: '{{nope}}' names no variable in alerts.A.traffic.vars",
    );
    const empty = { ...profile, vars: { ...profile.vars, sku: { range: [5, 1] as [number, number] } } };
    expect(() => checkTraffic(empty, "t")).toThrow("t.vars.sku: empty range [5, 1]");
    expect(() => checkTraffic(profile, "t")).not.toThrow();
  });
});
