import { describe, expect, it } from "vitest";
import { REDACTED, redactDeep, redactEnv, redactLines, redactText } from "../../src/util/redact.js";

// A syntactically plausible PEM body line (64 base64 characters), made up for the test.
const keyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";

describe("redaction", () => {
  it("hides declared and secret-looking env values, keeps the others", () => {
    expect(redactEnv({ PAYMENTS_API_KEY: "k-123456", DB_PASSWORD: "pw", LOG_LEVEL: "info" }, [])).toEqual({
      PAYMENTS_API_KEY: REDACTED,
      DB_PASSWORD: REDACTED,
      LOG_LEVEL: "info",
    });
  });

  it("hides known values and credential shapes in free text, keeping the key names", () => {
    const text =
      "retry with password=hunter2 and Bearer abcdefgh12345678 for sk_live_4f9a8c2e7b1d6035 (tok-7f3a)";
    expect(redactText(text, ["tok-7f3a"])).toBe(
      `retry with password=${REDACTED} and Bearer ${REDACTED} for ${REDACTED} (${REDACTED})`,
    );
  });

  it("hides the body of a key block shown without its BEGIN and END lines, as in a diff hunk", () => {
    const hunk = [
      "@@ -3,3 +3,3 @@",
      ` ${keyLine}`,
      `-${keyLine}`,
      `+${keyLine.slice(0, 63)}A`,
      " return total",
    ].join("\n");
    const out = redactText(hunk);
    expect(out).not.toContain(keyLine.slice(0, 40));
    expect(out.split("\n")).toEqual([
      "@@ -3,3 +3,3 @@",
      ` ${REDACTED}`,
      `-${REDACTED}`,
      `+${REDACTED}`,
      " return total",
    ]);
  });

  it("hides every line of a key block when lines are redacted one by one", () => {
    const file = ["x = 1", "-----BEGIN PRIVATE KEY-----", "short", "-----END PRIVATE KEY-----", "y = 2"].join(
      "\n",
    );
    expect(redactLines(file, (l) => l)).toEqual(["x = 1", REDACTED, REDACTED, REDACTED, "y = 2"]);
  });

  it("redacts every string inside a report-like value", () => {
    const value = { steps: ["use password=hunter2"], nested: { n: 3, note: "token tok-7f3a" } };
    expect(redactDeep(value, ["tok-7f3a"])).toEqual({
      steps: [`use password=${REDACTED}`],
      nested: { n: 3, note: `token ${REDACTED}` },
    });
  });
});
