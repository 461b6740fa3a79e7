import { describe, expect, it } from "vitest";
import { derivedFeatures, isNumeric, lengthClass } from "../../../src/investigate/mining/value-features.js";

describe("derivedFeatures", () => {
  it("derives prefix, suffix, last character and length class from an id", () => {
    expect(derivedFeatures("item-142-3", false)).toEqual([
      { kind: "prefix", value: "item-" },
      { kind: "suffix", value: "-3" },
      { kind: "lastChar", value: "3" },
      { kind: "length", value: "9-16" },
    ]);
  });

  it("splits on underscores and dots too", () => {
    expect(derivedFeatures("eu_west.primary", false).slice(0, 2)).toEqual([
      { kind: "prefix", value: "eu_" },
      { kind: "suffix", value: ".primary" },
    ]);
  });

  it("has no prefix or suffix without an inner separator", () => {
    expect(derivedFeatures("checkout", false).map((f) => f.kind)).toEqual(["lastChar", "length"]);
    expect(derivedFeatures("-rc", false).map((f) => f.kind)).toEqual(["lastChar", "length"]);
  });

  it("keeps only the last character of numbers", () => {
    expect(derivedFeatures("3.1", true)).toEqual([{ kind: "lastChar", value: "1" }]);
  });

  it("derives nothing from an empty value", () => {
    expect(derivedFeatures("", false)).toEqual([]);
  });
});

describe("lengthClass", () => {
  it.each([
    [0, "0"],
    [1, "1"],
    [2, "2"],
    [3, "3-4"],
    [4, "3-4"],
    [5, "5-8"],
    [10, "9-16"],
    [16, "9-16"],
    [17, "17-32"],
    [300, "257-512"],
  ])("%i → %s", (length, expected) => {
    expect(lengthClass(length)).toBe(expected);
  });
});

describe("isNumeric", () => {
  it.each([
    ["42", true],
    ["-3.5", true],
    ["0.25", true],
    [".5", true],
    ["1e3", true],
    ["", false],
    ["0x1f", false],
    ["Infinity", false],
    [" 7", false],
    ["12ms", false],
    ["item-3", false],
  ])("%s → %s", (value, expected) => {
    expect(isNumeric(value)).toBe(expected);
  });
});
