import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/util/prng.js";

describe("seededRandom", () => {
  it("yields uniform-looking numbers in [0, 1)", () => {
    const random = seededRandom(123);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)]++;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(900);
  });
});
