/**
 * Log-message preprocessing for template mining: split a message into whitespace-separated tokens
 * and replace the variable ones (numbers, ids, addresses, quoted strings, ...) with {@link WILDCARD}.
 *
 * Everything here is a hand-written char scan rather than a regex per token: the miner calls it on
 * every log line, and regexes per token cost several times more.
 */

/** The placeholder for a variable part of a message or template. */
export const WILDCARD = "<*>";

const SPACE = 32;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;
const EQUALS = 61;
const SLASH = 47;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const UNDERSCORE = 95;

/**
 * The masked tokens of a message. Quoted strings (`"a b"`, `'x'`, `msg="a b"`) stay one token even
 * when they contain spaces, so a message's token count doesn't depend on what was quoted.
 */
export function maskedTokens(message: string): string[] {
  const tokens: string[] = [];
  const n = message.length;
  let i = 0;
  while (i < n) {
    while (i < n && message.charCodeAt(i) <= SPACE) i++;
    if (i >= n) break;
    const start = i;
    const first = message.charCodeAt(i);
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = closingQuote(message, i + 1, first);
      if (close > 0) {
        const end = tokenEnd(message, close + 1);
        tokens.push(WILDCARD + maskTrailing(message.slice(close + 1, end)));
        i = end;
        continue;
      }
    }
    let valueClose = -1;
    let eq = -1;
    let hasDigit = false;
    while (i < n) {
      const c = message.charCodeAt(i);
      if (c <= SPACE) break;
      if (isDigit(c)) hasDigit = true;
      else if (c === EQUALS && eq < 0) {
        eq = i;
        const q = message.charCodeAt(i + 1);
        if (q === DOUBLE_QUOTE || q === SINGLE_QUOTE) {
          valueClose = closingQuote(message, i + 2, q);
          if (valueClose > 0) {
            i = tokenEnd(message, valueClose + 1);
            break;
          }
        }
      }
      i++;
    }
    if (valueClose > 0) {
      // key="any text" → key=<*>; the key stays, it is what makes the template readable.
      tokens.push(message.slice(start, eq + 1) + WILDCARD + maskTrailing(message.slice(valueClose + 1, i)));
    } else {
      // Most tokens are plain words; only tokens with digits can be masked.
      const token = message.slice(start, i);
      tokens.push(hasDigit ? maskToken(token) : token);
    }
  }
  return tokens;
}

/**
 * One whitespace-free token, masked. `key=value` keeps its key (`status=500` → `status=<*>`);
 * URL paths are masked per segment (`/users/42/orders` → `/users/<*>/orders`); any other token
 * becomes {@link WILDCARD} when it looks variable (see {@link isVariableWord}).
 */
export function maskToken(token: string): string {
  const eq = token.indexOf("=");
  if (eq > 0 && eq < token.length - 1 && isKey(token, eq)) {
    const value = token.slice(eq + 1);
    const masked = maskValue(value);
    return masked === value ? token : token.slice(0, eq + 1) + masked;
  }
  return maskValue(token);
}

/** `status`, `item_id`, `http.status_code`: a name, not a URL with a query string. */
function isKey(token: string, end: number): boolean {
  if (!isLetter(token.charCodeAt(0)) && token.charCodeAt(0) !== UNDERSCORE) return false;
  for (let i = 1; i < end; i++) {
    const c = token.charCodeAt(i);
    if (!isLetter(c) && !isDigit(c) && c !== UNDERSCORE && c !== MINUS && c !== DOT) return false;
  }
  return true;
}

/** Masks a value, keeping surrounding brackets and punctuation: `(42),` → `(<*>),`. */
function maskValue(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOpening(value.charCodeAt(start))) start++;
  while (end > start && isClosing(value.charCodeAt(end - 1))) end--;
  if (start === end) return value;
  let hasDigit = false;
  let hasSlash = false;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) hasDigit = true;
    else if (c === SLASH) hasSlash = true;
  }
  if (!hasDigit) return value;
  let core: string;
  if (hasSlash && !startsNumeric(value, start, end)) core = maskPath(value, start, end);
  else if (isVariableWord(value, start, end)) core = WILDCARD;
  else return value;
  return value.slice(0, start) + core + value.slice(end);
}

/** `/api/v2/items/42` → `/api/v2/items/<*>`: the route stays, the ids go. */
function maskPath(value: string, start: number, end: number): string {
  let out = "";
  let segmentStart = start;
  for (let i = start; i <= end; i++) {
    if (i === end || value.charCodeAt(i) === SLASH) {
      if (i > segmentStart && isVariableWord(value, segmentStart, i)) out += WILDCARD;
      else out += value.slice(segmentStart, i);
      if (i < end) out += "/";
      segmentStart = i + 1;
    }
  }
  return out;
}

/**
 * Whether `value[start, end)` is a variable: anything starting with a number (counts, durations
 * like `12.3ms`, IPs, timestamps, UUIDs, hex `0x1f`) or containing a digit alongside separators or
 * several digit runs (`item-142-3`, `u-9f3a`, `req_8f2a9c`). Short names with one short digit run
 * near the end (`v2`, `sha256`, `log4j`, `k8s`, `http2`) are kept: they name things rather than
 * vary. (So is `user42`; if it varies, the miner still turns it into `<*>` when templates merge.)
 */
export function isVariableWord(value: string, start = 0, end = value.length): boolean {
  if (startsNumeric(value, start, end)) return true;
  let digitRuns = 0;
  let run = 0;
  let longestRun = 0;
  let lettersAfterDigits = 0;
  let alphanumeric = true;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) {
      run++;
      if (run === 1) digitRuns++;
      if (run > longestRun) longestRun = run;
    } else {
      run = 0;
      if (!isLetter(c)) alphanumeric = false;
      else if (digitRuns > 0) lettersAfterDigits++;
    }
  }
  if (digitRuns === 0) return false;
  const shortName =
    alphanumeric && digitRuns === 1 && longestRun <= 3 && lettersAfterDigits <= 1 && end - start <= 10;
  return !shortName;
}

function startsNumeric(value: string, start: number, end: number): boolean {
  const c = value.charCodeAt(start);
  if (isDigit(c)) return true;
  return (c === MINUS || c === PLUS || c === DOT) && start + 1 < end && isDigit(value.charCodeAt(start + 1));
}

/** What follows a closing quote, up to whitespace: punctuation is kept, anything else masked. */
function maskTrailing(rest: string): string {
  if (rest === "") return rest;
  for (let i = 0; i < rest.length; i++) {
    if (!isClosing(rest.charCodeAt(i))) return WILDCARD;
  }
  return rest;
}

/** Index of the unescaped closing quote at or after `from`, or -1. */
function closingQuote(text: string, from: number, quote: number): number {
  const quoteChar = quote === DOUBLE_QUOTE ? '"' : "'";
  let at = text.indexOf(quoteChar, from);
  while (at >= 0) {
    let backslashes = 0;
    for (let j = at - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf(quoteChar, at + 1);
  }
  return -1;
}

function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) > SPACE) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** `( [ { < " '` */
function isOpening(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === DOUBLE_QUOTE || c === SINGLE_QUOTE;
}

/** `) ] } > " ' , ; : . ! ?` */
function isClosing(c: number): boolean {
  return (
    c === 41 ||
    c === 93 ||
    c === 125 ||
    c === 62 ||
    c === DOUBLE_QUOTE ||
    c === SINGLE_QUOTE ||
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === DOT ||
    c === 33 ||
    c === 63
  );
}
