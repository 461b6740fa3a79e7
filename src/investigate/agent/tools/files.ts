import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { redactLines } from "../../../util/redact.js";
import { insideRepo } from "./repo-path.js";
import { defineTool, repoOf, ToolRefusal } from "./tool.js";

/** A file of the alerting service's repo as it is in the working tree, with line numbers. */

const maxFileBytes = 2 * 1024 * 1024;
const maxLines = 300;

export const readRepoFile = defineTool({
  name: "read_file",
  description:
    "Read lines of a file in the alerting service's repo (working tree, what runs), numbered. Only paths inside the repo. At most 300 lines per call; defaults to the first 200.",
  input: z.strictObject({
    path: z.string().min(1).max(300),
    start_line: z.int().min(1).default(1),
    end_line: z.int().min(1).optional(),
  }),
  narrow: "Read a smaller line range (start_line/end_line).",
  async run(args, ctx) {
    const repo = repoOf(ctx);
    const { rel, full } = await insideRepo(repo, args.path);
    const info = await stat(full);
    if (!info.isFile()) throw new ToolRefusal(`${rel} is not a file`);
    if (info.size > maxFileBytes) throw new ToolRefusal(`${rel} is ${info.size} bytes, too large to read`);
    const raw = await ctx.run(
      `read ${repo}/${rel}`,
      () => readFile(full, "utf8"),
      (t) => `${t.length} characters`,
    );
    if (raw.includes("\0")) throw new ToolRefusal(`${rel} is binary`);
    const lines = redactLines(raw, ctx.redact);
    const start = Math.min(args.start_line, lines.length);
    const end = Math.min(args.end_line ?? start + 199, start + maxLines - 1, lines.length);
    const width = String(end).length;
    const shown = lines.slice(start - 1, end).map((l, i) => `${String(start + i).padStart(width)}| ${l}`);
    return `${rel}, lines ${start}–${end} of ${lines.length}:\n${shown.join("\n")}`;
  },
});
