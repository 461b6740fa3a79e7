import { Marked } from "marked";
import { renderDiff } from "./diff.js";
import { escapeHtml } from "./html.js";

/** The only raw tags kept: the collapsible sections the investigation report writes, without attributes. */
const allowedTag = /<\/?(?:details|summary)>/gi;

/**
 * Markdown rendered to HTML where any raw HTML in the source is shown as text (log lines quoted in a
 * report are data), and links only go to http(s), mail or relative addresses.
 */
const marked = new Marked({
  gfm: true,
  renderer: {
    // Diffs quoted in a report (the suspect change's hunk) read like the patch's.
    code({ text, lang }) {
      return lang === "diff" ? renderDiff(text) : false;
    },
    html({ text }) {
      return keepAllowedTags(text);
    },
    link({ href, title, tokens }) {
      const text = this.parser.parseInline(tokens);
      if (!safeHref(href)) return text;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ""}>${text}</a>`;
    },
    // Images are not fetched: a self-hosted page should not call out; the alt text stays, as a link.
    image({ href, text }) {
      return safeHref(href) ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
    },
  },
});

export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

function keepAllowedTags(raw: string): string {
  let out = "";
  let last = 0;
  for (const m of raw.matchAll(allowedTag)) {
    out += escapeHtml(raw.slice(last, m.index)) + m[0].toLowerCase();
    last = m.index + m[0].length;
  }
  return out + escapeHtml(raw.slice(last));
}

function safeHref(href: string): boolean {
  // Browsers decode character references and drop whitespace and control characters inside a
  // scheme (`java&#09;script:`), so judge the address as the browser will read it.
  const decoded = href.replace(/&#(x[0-9a-f]+|\d+);?/gi, (_, n: string) => {
    const code = n[0] === "x" || n[0] === "X" ? Number.parseInt(n.slice(1), 16) : Number(n);
    return code > 0x10ffff ? "" : String.fromCodePoint(code);
  });
  const compact = [...decoded].filter((c) => !isControlOrSpace(c.charCodeAt(0))).join("");
  // A named reference before the path (`javascript&colon;`) could spell the scheme's colon.
  if ((compact.split(/[/?#]/, 1)[0] ?? "").includes("&")) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "mailto";
}

function isControlOrSpace(code: number): boolean {
  return code <= 0x20 || (code >= 0x7f && code <= 0x9f);
}
