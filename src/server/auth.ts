import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/** The credentials the server asks for: what Alertmanager's `http_config` can send. */
export type ServerAuth = { bearerToken: string } | { basic: { username: string; password: string } };

/**
 * Checks the Authorization header against the configured credentials (constant-time); anything
 * else, malformed headers included, is a 401 with the challenge.
 */
export function requireAuth(auth: ServerAuth): MiddlewareHandler {
  const scheme = "bearerToken" in auth ? "Bearer" : "Basic";
  const expected = digest(
    "bearerToken" in auth ? auth.bearerToken : `${auth.basic.username}:${auth.basic.password}`,
  );
  const challenge = scheme === "Bearer" ? 'Bearer realm="fixloop"' : 'Basic realm="fixloop", charset="UTF-8"';
  return async (c, next) => {
    const presented = credentials(c.req.header("authorization"), scheme);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header("WWW-Authenticate", challenge);
      return c.json({ error: "unauthorized: missing or wrong credentials" }, 401);
    }
    await next();
  };
}

function credentials(header: string | undefined, scheme: "Bearer" | "Basic"): string | undefined {
  const match = header?.match(/^(\S+)\s+(\S+)\s*$/);
  if (!match || match[1]?.toLowerCase() !== scheme.toLowerCase()) return undefined;
  const value = match[2] as string;
  return scheme === "Bearer" ? value : Buffer.from(value, "base64").toString("utf8");
}

/** Fixed-length digests, so the comparison neither fails on length nor leaks it. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
