/**
 * Secret redaction, applied where evidence is collected so that no report, log excerpt or prompt
 * carries a secret: values of env vars that are declared or look secret, known secret values
 * wherever they appear, and common credential shapes.
 */

export const REDACTED = "[REDACTED]";

const secretName =
  /(SECRET|TOKEN|PASSW(OR)?D|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|SESSION|COOKIE|DSN)/i;

const credentialShapes: RegExp[] = [
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g, // Stripe-style keys
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}\b/g, // OpenAI / Anthropic keys
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bxox[abpr]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `Authorization: Bearer x`, `password=x`, `"api_key": "x"`, `//user:pass@host`: keep the key, hide the value. */
const keyedSecrets: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [
    /\b([A-Za-z_]*(?:password|passwd|secret|token|api_?key|apikey)[A-Za-z_]*)(["']?\s*[:=]\s*["']?)[^\s"',&;]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${REDACTED}@`],
  // A line that is one long base64 run (a diff line's +/-/space prefix kept): the body of a key
  // block, which a hunk or excerpt can show without its BEGIN and END lines.
  // Digits, upper and lower case all present, as in encoded key material (not "xxxx…" or a hash).
  [
    /^([+\- ]?)(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{60,}={0,2}$/gm,
    `$1${REDACTED}`,
  ],
];

export function isSecretName(name: string, declared: readonly string[] = []): boolean {
  return declared.includes(name) || secretName.test(name);
}

export function redactEnv(
  env: Record<string, string>,
  declared: readonly string[] = [],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, isSecretName(k, declared) && v ? REDACTED : redactText(v)]),
  );
}

/** Secret values worth hiding verbatim wherever they appear (declared or secret-looking env values). */
export function secretValues(env: Record<string, string>, declared: readonly string[] = []): string[] {
  return Object.entries(env)
    .filter(([k, v]) => isSecretName(k, declared) && v.length >= 4)
    .map(([, v]) => v);
}

export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join(REDACTED);
  for (const shape of credentialShapes) out = out.replace(shape, REDACTED);
  for (const [pattern, replacement] of keyedSecrets) out = out.replace(pattern, replacement);
  return out;
}

/** `redactText` applied to every string inside a JSON-like value (keys are left alone). */
export function redactDeep<T>(value: T, knownSecrets: readonly string[] = []): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactText(v, knownSecrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

const blockStart = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const blockEnd = /-----END [A-Z ]*PRIVATE KEY-----/;

/**
 * A file's lines, redacted one by one so line numbers stay true, with every line of a private key
 * block hidden: a view of some lines of a file (blame of a range, a grep hit, a line range) would
 * otherwise show key material that only the whole block is recognized by.
 */
export function redactLines(text: string, redact: (line: string) => string): string[] {
  let inBlock = false;
  return text.split("\n").map((line) => {
    if (blockStart.test(line)) inBlock = true;
    const out = inBlock ? REDACTED : redact(line);
    if (blockEnd.test(line)) inBlock = false;
    return out;
  });
}
