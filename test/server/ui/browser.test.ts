import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderIncidentList } from "../../../src/server/ui/incident-list.js";
import { renderIncident } from "../../../src/server/ui/incident-page.js";
import type { IncidentView } from "../../../src/server/ui/view.js";
import { incidentView, listRows, runningView } from "./fixtures.js";

const chromiumPath = "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(`skipping the UI browser tests: ${chromiumPath} is missing (apt-get install chromium)`);

const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

function hostileView(): IncidentView {
  const view = incidentView("reject-latency", "inc-hostile");
  const verdict = view.verdict;
  if (!verdict) throw new Error("fixture without verdict");
  verdict.errorSignatures.new.unshift({ template: `TemplateError ${hostile}`, count: 2, sample: hostile });
  return {
    ...view,
    row: { ...view.row, alertName: `Cart${hostile}` },
    reportMarkdown: `# Report\n\n${hostile}\n\ninline ${hostile} and [click](javascript:window.__pwned=3)\n`,
    patch: view.patch && { ...view.patch, diff: `${view.patch.diff}+${hostile}\n` },
  };
}

const pages: Record<string, string> = {
  "/": renderIncidentList(listRows),
  "/incidents/inc-pass": renderIncident(incidentView("pass")),
  "/incidents/inc-reject": renderIncident(incidentView("reject-latency")),
  "/incidents/inc-start-failed": renderIncident(incidentView("inconclusive-start-failed")),
  "/incidents/inc-downstream": renderIncident(incidentView("inconclusive-downstream")),
  "/incidents/inc-running": renderIncident(runningView()),
  "/incidents/inc-hostile": renderIncident(hostileView()),
};

describe.skipIf(!hasChromium)("the UI in a real browser (Debian's Chromium)", () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = pages[req.url ?? ""];
      res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(body ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Opens a page and records every request it makes, so a page that calls out is caught. */
  async function open(path: string, width = 1280): Promise<{ page: Page; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const res = await page.goto(`${base}${path}`);
    expect(res?.status()).toBe(200);
    return { page, requests };
  }

  /** Checks the chart's SVG is shown at a useful size, and measures a screenshot of it. */
  async function chartInk(page: Page, id: string) {
    const svg = page.locator(`#chart-${id} svg`);
    expect(await svg.isVisible()).toBe(true);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(150);
    return inkOf(await svg.screenshot());
  }

  /** Distinct colours, and the shares of non-white and of blue (the patched series) pixels in a PNG. */
  function inkOf(png: Buffer): { colors: number; ink: number; blue: number } {
    const img = PNG.sync.read(png);
    const colors = new Set<number>();
    let ink = 0;
    let blue = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const [r = 0, g = 0, b = 0] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      colors.add((r << 16) | (g << 8) | b);
      if (r < 235 || g < 235 || b < 235) ink++;
      if (b > r + 40 && b > g + 40) blue++;
    }
    const pixels = img.width * img.height;
    return { colors: colors.size, ink: ink / pixels, blue: blue / pixels };
  }

  it("draws both charts with real content and shows the verdict badge (PASS)", async () => {
    const { page, requests } = await open("/incidents/inc-pass");
    const latency = await chartInk(page, "latency");
    const errors = await chartInk(page, "errors");
    // A blank or frame-only chart has a handful of colours and little ink; axes and text are grey, so
    // blue pixels are the patched series (in PASS its error bar is 0%, so only latency is blue).
    for (const chart of [latency, errors]) expect(chart.colors).toBeGreaterThan(20);
    expect(latency.ink).toBeGreaterThan(0.1);
    expect(latency.blue).toBeGreaterThan(0.01);
    expect(errors.ink).toBeGreaterThan(0.05);
    const badge = page.locator(".verdict-head .badge");
    expect(await badge.textContent()).toBe("PASS");
    expect(await badge.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe("rgb(26, 127, 55)");
    expect(await page.locator("pre.diff .add").count()).toBeGreaterThan(0);
    expect(await page.locator("#report article h1").textContent()).toContain("CartHighErrorRate");
    writeFileSync("/tmp/fixloop-ui-pass.png", await page.screenshot({ fullPage: true }));
    expect(requests).toEqual([`${base}/incidents/inc-pass`]);
    await page.close();
  });

  it("shows REJECT and INCONCLUSIVE pages, with a no-data note where nothing was measured", async () => {
    const reject = await open("/incidents/inc-reject");
    expect(await reject.page.locator(".verdict-head .badge.reject").textContent()).toBe("REJECT");
    expect(await reject.page.locator("#checks .chip.bad").count()).toBeGreaterThan(0);
    writeFileSync("/tmp/fixloop-ui-reject.png", await reject.page.screenshot({ fullPage: true }));
    await reject.page.close();

    const downstream = await open("/incidents/inc-downstream");
    expect(await downstream.page.locator(".verdict-head .badge.inconclusive").isVisible()).toBe(true);
    // Both sides fail ~60% here, so the patched error bars are tall and blue.
    expect((await chartInk(downstream.page, "errors")).blue).toBeGreaterThan(0.02);
    writeFileSync("/tmp/fixloop-ui-downstream.png", await downstream.page.screenshot({ fullPage: true }));
    await downstream.page.close();

    const { page } = await open("/incidents/inc-start-failed");
    expect(await page.locator(".verdict-head .badge.inconclusive").textContent()).toBe("INCONCLUSIVE");
    expect(await page.locator("#chart-latency .nodata").isVisible()).toBe(true);
    expect(await page.locator("#chart-errors .nodata").isVisible()).toBe(true);
    expect(await page.locator("svg").count()).toBe(0);
    writeFileSync("/tmp/fixloop-ui-inconclusive.png", await page.screenshot({ fullPage: true }));
    await page.close();
  });

  it("lists incidents with coloured badges and reloads while one is in progress", async () => {
    const { page } = await open("/");
    const colour = (sel: string) =>
      page
        .locator(sel)
        .first()
        .evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await colour(".badge.pass")).toBe("rgb(26, 127, 55)");
    expect(await colour(".badge.reject")).toBe("rgb(207, 34, 46)");
    expect(await colour(".badge.inconclusive")).toBe("rgb(212, 167, 44)");
    expect(await colour(".badge.progress")).toBe("rgb(225, 228, 232)");
    const alerts = await page
      .locator("table.incidents a.alert")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(alerts).toEqual([
      "/incidents/inc-0004",
      "/incidents/inc-0003",
      "/incidents/inc-0002",
      "/incidents/inc-0001",
      "/incidents/inc-0000",
    ]);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute("content")).toBe("3");
    writeFileSync("/tmp/fixloop-ui-list.png", await page.screenshot({ fullPage: true }));
    await page.close();

    const running = await open("/incidents/inc-running");
    expect(await running.page.locator(".title-row .badge.progress").textContent()).toBe("verifying…");
    expect(await running.page.locator('meta[http-equiv="refresh"]').count()).toBe(1);
    await running.page.close();
  });

  it("never runs markup from logs, reports or diffs: it shows it as text", async () => {
    const { page, requests } = await open("/incidents/inc-hostile");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("h1").first().textContent()).toContain("<script>window.__pwned = 1</script>");
    expect(await page.locator("#patch pre.diff .add").last().textContent()).toContain("<img src=x onerror=");
    const link = page.locator("#report a", { hasText: "click" });
    expect(await link.count()).toBe(0);
    expect(requests).toEqual([`${base}/incidents/inc-hostile`]);
    await page.close();
  });

  it("fits a phone-sized screen without sideways scrolling of the page", async () => {
    const { page } = await open("/incidents/inc-reject", 390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await page.locator("#chart-latency svg").boundingBox();
    expect(box?.width).toBeGreaterThan(250);
    expect(box?.width).toBeLessThanOrEqual(390);
    writeFileSync("/tmp/fixloop-ui-phone.png", await page.screenshot({ fullPage: true }));
    await page.close();
  });
});
