import { z } from "zod";
import { splitEntries } from "../../evidence/logs.js";
import { defineTool, knownService, ToolRefusal } from "./tool.js";

/** A service's captured log, split into entries (tracebacks stay whole) and filtered. */

const maxBytes = 8 * 1024 * 1024;
const maxEntryChars = 1500;

export const searchLogs = defineTool({
  name: "search_logs",
  description:
    "Search a service's captured log. Entries (a line plus its continuation lines, e.g. a traceback) must contain every `contains` term and none of the `exclude` terms (case-insensitive, literal text). `since`/`until` default to the baseline before the alert window and the window's end. Returns the match count and the newest `limit` matching entries.",
  input: z.strictObject({
    service: z.string().optional().describe("default: the alerting service"),
    contains: z.array(z.string().min(1).max(200)).max(5).default([]),
    exclude: z.array(z.string().min(1).max(200)).max(5).default([]),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    limit: z.int().min(1).max(50).default(10),
  }),
  narrow: "Add `contains` terms, an `exclude` term, a shorter since/until span, or a smaller limit.",
  async run(args, ctx) {
    const service = knownService(ctx, args.service);
    const spec = ctx.envm.manifest.services[service];
    let entryStart: RegExp;
    try {
      entryStart = new RegExp(spec?.logs.entryStart ?? "^\\S");
    } catch {
      throw new ToolRefusal(`services.${service}.logs.entryStart is not a valid regex`);
    }
    const raw = await ctx.run(
      `runtime.readLogs(${service}, ${maxBytes} bytes)`,
      () => ctx.runtime.readLogs(service, maxBytes),
      (t) => `${t.length} characters`,
    );
    const text = ctx.redact(raw);
    const since = args.since ? Date.parse(args.since) : ctx.window.beforeStart.getTime();
    const until = args.until ? Date.parse(args.until) : ctx.window.end.getTime();
    const wanted = args.contains.map((t) => t.toLowerCase());
    const unwanted = args.exclude.map((t) => t.toLowerCase());
    const matches = splitEntries(text, entryStart).filter((e) => {
      if (e.time !== undefined && (e.time < since || e.time > until)) return false;
      const lower = e.text.toLowerCase();
      return wanted.every((t) => lower.includes(t)) && !unwanted.some((t) => lower.includes(t));
    });
    const span = `${new Date(since).toISOString()} .. ${new Date(until).toISOString()}`;
    if (matches.length === 0) return `No ${service} log entries match in ${span}.`;
    const shown = matches
      .slice(-args.limit)
      .map((e) =>
        e.text.length > maxEntryChars ? `${e.text.slice(0, maxEntryChars)} …[entry cut]` : e.text,
      );
    return `${matches.length} ${service} log entries match in ${span}; the newest ${shown.length}:\n${shown.join("\n")}`;
  },
});
