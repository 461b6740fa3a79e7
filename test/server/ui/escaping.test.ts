import { describe, expect, it } from "vitest";
import { renderDiff } from "../../../src/server/ui/diff.js";
import { renderIncident } from "../../../src/server/ui/incident-page.js";
import { markdownToHtml } from "../../../src/server/ui/markdown.js";
import { incidentView } from "./fixtures.js";

const script = "<script>alert(document.cookie)</script>";

describe("markdownToHtml", () => {
  it("renders markdown, and raw HTML in it (blocks or inline) only as text", () => {
    const html = markdownToHtml(
      `# Title\n\n${script}\n\nA log line: ${script} and <img src=x onerror=alert(1)> **bold**\n\n<div onclick="x()">block</div>\n`,
    );
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).not.toMatch(/<script|<img|<div/i);
    expect(html).toContain("&lt;script&gt;alert(document.cookie)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;");
  });

  it("escapes markup in code, tables and link text", () => {
    const html = markdownToHtml(
      `\`${script}\`\n\n\`\`\`\n${script}\n\`\`\`\n\n| a |\n|---|\n| ${script} |\n\n[${script}](https://example.test/a)\n`,
    );
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/&lt;script&gt;/g)?.length).toBe(4);
    expect(html).toContain('<a href="https://example.test/a">');
  });

  it("keeps the report's own collapsible sections but no attributes on them", () => {
    const html = markdownToHtml(
      "<details><summary>Finding <b>x</b></summary>\n\n| a |\n|---|\n| 1 |\n\n</details>\n\n<details open ontoggle=alert(1)>y</details>\n",
    );
    expect(html).toContain("<details><summary>Finding &lt;b&gt;x&lt;/b&gt;</summary>");
    expect(html).toContain("</details>");
    expect(html).toContain("<table>");
    expect(html).toContain("&lt;details open ontoggle=alert(1)&gt;");
    expect(html).not.toMatch(/<details open|<b>/);
  });

  it("links only to http(s), mail and relative addresses; images become links, never fetched", () => {
    const html = markdownToHtml(
      [
        "[a](javascript:alert(1))",
        "[b](java&#09;script:alert(1))",
        "[b2](<java\tscript:alert(1)>)",
        "[b3](JaVaScRiPt:alert(1))",
        "[b4](javascript&colon;alert(1))",
        "[c](data:text/html,<script>x</script>)",
        "[d](vbscript:x)",
        "[ok1](https://example.test/r)",
        "[ok2](runbooks/cart.md?a=1&b=2)",
        "[ok3](mailto:oncall@example.test)",
        "![chart](https://tracker.example.test/pixel.png)",
        "![bad](javascript:alert(1))",
      ].join("\n\n"),
    );
    expect(html).not.toMatch(/<a href="(java|data|vbscript)|<img/i);
    expect(html).toContain('<a href="https://example.test/r">ok1</a>');
    expect(html).toContain('<a href="runbooks/cart.md?a=1&amp;b=2">ok2</a>');
    expect(html).toContain('<a href="mailto:oncall@example.test">ok3</a>');
    expect(html).toContain('<a href="https://tracker.example.test/pixel.png">chart</a>');
    for (const text of [
      "<p>a</p>",
      "<p>b</p>",
      "<p>b2</p>",
      "<p>b3</p>",
      "<p>c</p>",
      "<p>d</p>",
      "<p>bad</p>",
    ])
      expect(html).toContain(text);
  });

  it("colours a diff code block like the patch", () => {
    expect(markdownToHtml("```diff\n-old\n+new <b>\n```\n")).toContain(
      '<pre class="diff" aria-label="unified diff"><span class="del">-old</span>\n<span class="add">+new &lt;b&gt;</span></pre>',
    );
  });
});

describe("renderDiff", () => {
  it("classifies lines and escapes each one", () => {
    const html = renderDiff(`--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${script}\n+ok\n ctx\n`);
    expect(html).toBe(
      '<pre class="diff" aria-label="unified diff"><span class="meta">--- a/x</span>\n<span class="meta">+++ b/x</span>\n' +
        '<span class="hunk">@@ -1 +1 @@</span>\n<span class="del">-&lt;script&gt;alert(document.cookie)&lt;/script&gt;</span>\n' +
        '<span class="add">+ok</span>\n<span class="ctx"> ctx</span></pre>',
    );
  });
});

describe("the incident page", () => {
  it("has no markup from the verdict, patch, report, error or alert: every place escapes", () => {
    const view = incidentView("reject-latency");
    const v = view.verdict;
    if (!v || !view.patch) throw new Error("fixture without verdict or patch");
    v.headline = `REJECT: ${script}`;
    v.rationale = script;
    v.reasons.unshift({ code: "regression", message: script });
    v.errorSignatures.new.unshift({ template: script, count: 1, sample: script });
    v.newlyFailing.groups.unshift({
      description: script,
      count: 1,
      baseline: "200",
      patched: script,
      firstIndex: 3,
    });
    v.newlyFailing.total += 1;
    v.newlyFailing.sharedValues.unshift({ variable: script, value: script, changed: 1, total: 1 });
    v.watch[0] = { ...(v.watch[0] as (typeof v.watch)[number]), spec: script, summary: script };
    v.run.identity.command = [script];
    const html = renderIncident({
      ...view,
      row: { ...view.row, alertName: script, service: script, stage: script, id: script },
      reportMarkdown: `${script}\n\n${script}`,
      bundleMarkdown: script,
      patch: { ...view.patch, diff: `+${script}\n`, rationale: script, files: [script], strategy: script },
      error: script,
      stageTimes: [{ stage: script, startedAt: view.row.receivedAt }],
    });
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/&lt;script&gt;alert\(document.cookie\)&lt;\/script&gt;/g)?.length).toBeGreaterThan(20);
  });
});
