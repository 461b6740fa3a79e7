/**
 * A unified diff read the way `git apply -p1` reads it: file sections (git's `diff --git` or
 * traditional `---`/`+++` headers), their extended headers (modes, renames, binary) and hunks.
 * Both validation (paths, modes, size) and the revert strategy (hunk selection) use it.
 */

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The hunk body as written: lines starting with ' ', '+', '-' or '\' (no newline at end of file). */
  lines: string[];
}

export interface FileDiff {
  /** Every path any header of the section names (after unquoting), before `a/`/`b/` is stripped. */
  headerPaths: string[];
  /** Repo-relative paths after stripping one leading component (`a/`, `b/`); absent for /dev/null. */
  oldPath?: string;
  newPath?: string;
  oldMode?: string;
  newMode?: string;
  binary: boolean;
  hunks: Hunk[];
}

export interface DiffStats {
  files: string[];
  linesAdded: number;
  linesRemoved: number;
}

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parseDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  const lines = text.split("\n");
  let current: FileDiff | undefined;
  // A `diff --git` line whose ---/+++ pair has not been read yet: that pair belongs to it.
  let awaitingMarkers = false;
  let i = 0;
  const startFile = (): FileDiff => {
    current = { headerPaths: [], binary: false, hunks: [] };
    files.push(current);
    return current;
  };
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (line.startsWith("diff --git ")) {
      const file = startFile();
      const [oldRaw, newRaw] = gitHeaderPaths(line.slice("diff --git ".length));
      setOld(file, oldRaw);
      setNew(file, newRaw);
      awaitingMarkers = true;
      i++;
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (line.startsWith("--- ") && next.startsWith("+++ ")) {
      // In a git section the ---/+++ pair refines the paths; otherwise it starts a traditional section.
      const file = awaitingMarkers && current ? current : startFile();
      setOld(file, markerPath(line.slice(4)));
      setNew(file, markerPath(next.slice(4)));
      awaitingMarkers = false;
      i += 2;
      continue;
    }
    const hunk = hunkHeader.exec(line);
    if (hunk && current) {
      awaitingMarkers = false;
      const parsed: Hunk = {
        oldStart: Number(hunk[1]),
        oldLines: hunk[2] === undefined ? 1 : Number(hunk[2]),
        newStart: Number(hunk[3]),
        newLines: hunk[4] === undefined ? 1 : Number(hunk[4]),
        lines: [],
      };
      i++;
      let oldLeft = parsed.oldLines;
      let newLeft = parsed.newLines;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || (lines[i] ?? "").startsWith("\\"))) {
        const body = lines[i] ?? "";
        const kind = body[0];
        if (kind === " " || body === "") {
          oldLeft--;
          newLeft--;
        } else if (kind === "-") oldLeft--;
        else if (kind === "+") newLeft--;
        else if (kind !== "\\") break;
        parsed.lines.push(body === "" ? " " : body);
        i++;
      }
      current.hunks.push(parsed);
      continue;
    }
    if (current) readExtendedHeader(current, line);
    i++;
  }
  return files;
}

function readExtendedHeader(file: FileDiff, line: string): void {
  const field = (prefix: string) => (line.startsWith(prefix) ? line.slice(prefix.length).trim() : undefined);
  const value = (v: string | undefined, apply: (v: string) => void) => {
    if (v !== undefined) apply(v);
  };
  value(field("old mode "), (v) => (file.oldMode = v));
  value(field("new mode "), (v) => (file.newMode = v));
  value(field("deleted file mode "), (v) => (file.oldMode = v));
  value(field("new file mode "), (v) => (file.newMode = v));
  value(field("rename from "), (v) => setOld(file, `a/${unquote(v)}`));
  value(field("rename to "), (v) => setNew(file, `b/${unquote(v)}`));
  value(field("copy from "), (v) => setOld(file, `a/${unquote(v)}`));
  value(field("copy to "), (v) => setNew(file, `b/${unquote(v)}`));
  const index = field("index ");
  if (index) {
    const mode = index.split(" ")[1];
    if (mode) {
      file.oldMode ??= mode;
      file.newMode ??= mode;
    }
  }
  if (line === "GIT binary patch" || (line.startsWith("Binary files ") && line.endsWith(" differ")))
    file.binary = true;
}

function setOld(file: FileDiff, raw: string | undefined): void {
  if (raw === undefined) return;
  file.headerPaths.push(raw);
  file.oldPath = raw === "/dev/null" ? undefined : stripComponent(raw);
}

function setNew(file: FileDiff, raw: string | undefined): void {
  if (raw === undefined) return;
  file.headerPaths.push(raw);
  file.newPath = raw === "/dev/null" ? undefined : stripComponent(raw);
}

/** `-p1`: drop everything up to and including the first slash, as `git apply` does. */
export function stripComponent(raw: string): string {
  const slash = raw.indexOf("/");
  return slash < 0 ? raw : raw.slice(slash + 1);
}

/** `--- a/file.py\t2024-01-01 …`: the path, without the timestamp traditional diffs append. */
function markerPath(rest: string): string {
  const trimmed = rest.startsWith('"') ? rest : (rest.split("\t")[0] ?? rest);
  return unquote(trimmed.trimEnd());
}

/** `a/x b/x`, or quoted forms: the two paths of a `diff --git` line. */
function gitHeaderPaths(rest: string): [string | undefined, string | undefined] {
  if (rest.startsWith('"')) {
    const end = quotedEnd(rest);
    const second = rest.slice(end + 1).trimStart();
    return [unquote(rest.slice(0, end + 1)), unquote(second)];
  }
  if (rest.endsWith('"')) {
    const start = rest.lastIndexOf(' "');
    return [rest.slice(0, start), unquote(rest.slice(start + 1))];
  }
  // Unquoted and identical halves (the common case, spaces allowed): `a/P b/P`.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === " " && rest.slice(2, half) === rest.slice(half + 3))
    return [rest.slice(0, half), rest.slice(half + 1)];
  const split = rest.indexOf(" b/");
  return split < 0 ? [undefined, undefined] : [rest.slice(0, split), rest.slice(split + 1)];
}

function quotedEnd(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

/** Git's C-style quoting of unusual paths: `"dir/na\303\257ve \"x\".py"`. */
function unquote(s: string): string {
  if (!(s.startsWith('"') && s.endsWith('"') && s.length >= 2)) return s;
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92, a: 7, b: 8, f: 12, v: 11 };
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const n = body[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
      i++;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

export function diffStats(files: FileDiff[]): DiffStats {
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const f of files)
    for (const h of f.hunks)
      for (const l of h.lines) {
        if (l[0] === "+") linesAdded++;
        else if (l[0] === "-") linesRemoved++;
      }
  const paths = files.map((f) => f.newPath ?? f.oldPath).filter((p): p is string => p !== undefined);
  return { files: [...new Set(paths)], linesAdded, linesRemoved };
}
