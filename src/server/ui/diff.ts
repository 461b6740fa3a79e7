import { escapeHtml } from "./html.js";

/** A unified diff with added, removed, hunk and header lines coloured; every line is escaped text. */
export function renderDiff(diff: string): string {
  const lines = diff.replace(/\n$/, "").split("\n");
  const body = lines.map((line) => `<span class="${lineClass(line)}">${escapeHtml(line)}</span>`).join("\n");
  return `<pre class="diff" aria-label="unified diff">${body}</pre>`;
}

function lineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return "meta";
  if (line.startsWith("diff ") || line.startsWith("index ")) return "meta";
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  return "ctx";
}
