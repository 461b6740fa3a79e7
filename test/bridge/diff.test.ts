import { describe, expect, it } from "vitest";
import { diffStats, parseDiff } from "../../src/bridge/diff.js";
import { undoHunks } from "../../src/bridge/rebase-revert.js";
import { repoPathOf } from "../../src/bridge/sources.js";

describe("parseDiff", () => {
  it("reads git sections: quoted paths, renames, modes, hunks and the no-newline marker", () => {
    const diff = [
      'diff --git "a/docs/na\\303\\257ve \\"notes\\".md" "b/docs/na\\303\\257ve \\"notes\\".md"',
      "index 1111111..2222222 100644",
      '--- "a/docs/na\\303\\257ve \\"notes\\".md"',
      '+++ "b/docs/na\\303\\257ve \\"notes\\".md"',
      "@@ -1,2 +1,2 @@",
      " title",
      "-old",
      "\\ No newline at end of file",
      "+new",
      "diff --git a/old name.py b/new name.py",
      "similarity index 90%",
      "rename from old name.py",
      "rename to new name.py",
      "diff --git a/run.sh b/run.sh",
      "old mode 100644",
      "new mode 100755",
      "",
    ].join("\n");
    const files = parseDiff(diff);
    expect(files.map((f) => [f.oldPath, f.newPath, f.oldMode, f.newMode, f.hunks.length])).toEqual([
      ['docs/naïve "notes".md', 'docs/naïve "notes".md', "100644", "100644", 1],
      ["old name.py", "new name.py", undefined, undefined, 0],
      ["run.sh", "run.sh", "100644", "100755", 0],
    ]);
    expect(files[0]?.hunks[0]?.lines).toEqual([" title", "-old", "\\ No newline at end of file", "+new"]);
    expect(diffStats(files)).toEqual({
      files: ['docs/naïve "notes".md', "new name.py", "run.sh"],
      linesAdded: 1,
      linesRemoved: 1,
    });
  });

  it("reads traditional diffs with timestamps, and a removed line that looks like a header", () => {
    const diff =
      "--- a/notes.txt\t2024-03-01 10:00:00\n+++ b/notes.txt\t2024-03-01 10:05:00\n@@ -1,2 +1 @@\n--- not a header\n keep\n--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1 @@\n+hello\n";
    const files = parseDiff(diff);
    expect(files.map((f) => [f.headerPaths, f.oldPath, f.newPath])).toEqual([
      [["a/notes.txt", "b/notes.txt"], "notes.txt", "notes.txt"],
      [["/dev/null", "b/added.txt"], undefined, "added.txt"],
    ]);
    expect(diffStats(files)).toEqual({ files: ["notes.txt", "added.txt"], linesAdded: 1, linesRemoved: 1 });
  });
});

describe("undoHunks", () => {
  it("puts a commit's hunks back, including a file that lost its final newline", () => {
    const [file] = parseDiff(
      "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n+B2\n c\n@@ -8,2 +9,2 @@\n h\n-i\n+I\n\\ No newline at end of file\n",
    );
    const before = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
    const after = "a\nB\nB2\nc\nd\ne\nf\ng\nh\nI";
    expect(undoHunks(after, file?.hunks ?? [])).toBe(before);
    expect(undoHunks(after, file?.hunks.slice(1) ?? [])).toBe("a\nB\nB2\nc\nd\ne\nf\ng\nh\ni\n");
    expect(undoHunks("something else\n", file?.hunks ?? [])).toBeUndefined();
  });
});

describe("repoPathOf", () => {
  it("maps a running service's file names onto tracked paths by the longest suffix", () => {
    const tracked = ["catalog.py", "lib/catalog.py", "app.py"];
    expect(repoPathOf("/srv/shop/releases/7/lib/catalog.py", tracked)).toBe("lib/catalog.py");
    expect(repoPathOf("/srv/shop/releases/7/catalog.py", tracked)).toBe("catalog.py");
    expect(repoPathOf("./app.py", tracked)).toBe("app.py");
    expect(repoPathOf("/usr/lib/python3.11/http/server.py", tracked)).toBeUndefined();
    expect(repoPathOf("/srv/shop/myapp.py", tracked)).toBeUndefined();
  });
});
