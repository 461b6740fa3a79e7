import { describe, expect, it } from "vitest";
import { isVariableWord, maskedTokens, maskToken } from "../../../src/investigate/mining/mask.js";

describe("maskedTokens", () => {
  it("keeps the shape of an access-log line and masks its values", () => {
    const line =
      "2026-11-25T20:01:02.345Z INFO checkout access method=POST path=/checkout item_id=item-142-3 quantity=2 status=500 duration_ms=3.1";
    expect(maskedTokens(line)).toEqual([
      "<*>",
      "INFO",
      "checkout",
      "access",
      "method=POST",
      "path=/checkout",
      "item_id=<*>",
      "quantity=<*>",
      "status=<*>",
      "duration_ms=<*>",
    ]);
  });

  it("masks numbers, hex, UUIDs, IPs and durations", () => {
    expect(
      maskedTokens(
        "took 12.3ms at 0x7ffd1a2b job f47ac10b-58cc-4372-a567-0e02b2c3d479 from 10.0.0.12:5432 and fe80::1ff:fe23:4567:890a size -42",
      ),
    ).toEqual(["took", "<*>", "at", "<*>", "job", "<*>", "from", "<*>", "and", "<*>", "size", "<*>"]);
  });

  it("masks id-like tokens but keeps short names that merely contain a digit", () => {
    expect(maskedTokens("user u-9f3a sent req_8f2a9c for item-142-3 via v2 sha256 log4j k8s http2")).toEqual([
      "user",
      "<*>",
      "sent",
      "<*>",
      "for",
      "<*>",
      "via",
      "v2",
      "sha256",
      "log4j",
      "k8s",
      "http2",
    ]);
  });

  it("treats a quoted string as one variable token, spaces and all", () => {
    expect(maskedTokens('user said "hello there, world" twice')).toEqual(["user", "said", "<*>", "twice"]);
    expect(maskedTokens("lookup 'bundle pack' failed")).toEqual(["lookup", "<*>", "failed"]);
    expect(maskedTokens('error msg="connection refused by upstream" retry=3')).toEqual([
      "error",
      "msg=<*>",
      "retry=<*>",
    ]);
  });

  it("keeps punctuation around a quoted string and ignores escaped quotes inside it", () => {
    expect(maskedTokens('got "a \\"quoted\\" word", then stopped')).toEqual([
      "got",
      "<*>,",
      "then",
      "stopped",
    ]);
  });

  it("leaves apostrophes and unclosed quotes alone", () => {
    expect(maskedTokens("don't retry 'later")).toEqual(["don't", "retry", "'later"]);
  });

  it("gives the same token count whatever the quoted text", () => {
    const a = maskedTokens('ERROR reason="disk full" path=/var/data');
    const b = maskedTokens('ERROR reason="permission denied for user bob" path=/var/data');
    expect(a).toEqual(b);
  });

  it("returns nothing for empty or blank messages", () => {
    expect(maskedTokens("")).toEqual([]);
    expect(maskedTokens(" \t ")).toEqual([]);
  });
});

describe("maskToken", () => {
  it("masks path segments, not whole routes", () => {
    expect(maskToken("/api/v2/users/77/orders")).toBe("/api/v2/users/<*>/orders");
    expect(maskToken("path=/api/v2/orders/1842")).toBe("path=/api/v2/orders/<*>");
    expect(maskToken("path=/checkout")).toBe("path=/checkout");
  });

  it("masks ids inside URLs without mistaking the query string for key=value", () => {
    expect(maskToken("https://shop.example.com/items/42?ref=mail")).toBe(
      "https://shop.example.com/items/<*>",
    );
  });

  it("keeps brackets and trailing punctuation around a masked value", () => {
    expect(maskToken("[pid:4242]")).toBe("[<*>]");
    expect(maskToken("(42),")).toBe("(<*>),");
    expect(maskToken("3/3).")).toBe("<*>).");
  });

  it("keeps keys and constant values", () => {
    expect(maskToken("method=POST")).toBe("method=POST");
    expect(maskToken("status=500")).toBe("status=<*>");
    expect(maskToken("ERROR:")).toBe("ERROR:");
  });
});

describe("isVariableWord", () => {
  it.each([
    ["42", true],
    ["12.3ms", true],
    ["2026-11-25", true],
    ["item-142-3", true],
    ["u-9f3a", true],
    ["abc123def", true],
    ["a1b2", true],
    ["sha256", false],
    ["v2", false],
    ["checkout", false],
    ["", false],
  ])("%s → %s", (word, expected) => {
    expect(isVariableWord(word)).toBe(expected);
  });
});
