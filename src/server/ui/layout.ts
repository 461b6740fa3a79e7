import { escapeHtml } from "./html.js";

/** Seconds between reloads of a page while the pipeline is still working on something it shows. */
export const refreshSeconds = 3;

export interface PageOptions {
  title: string;
  body: string;
  /** Reload the page every this many seconds (a meta refresh: works without JavaScript). */
  refreshSeconds?: number;
}

/** The HTML document around every page: one inline stylesheet, no scripts, no external requests. */
export function renderPage({ title, body, refreshSeconds }: PageOptions): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(title)}</title><style>${stylesheet}</style></head>
<body><header class="top"><a class="brand" href="/">fixloop</a><span class="tagline">alert → investigation → patch → verified verdict</span></header>
<main>${body}</main>
<footer>fixloop never deploys. A verdict is evidence for the people who own the service.</footer>
</body></html>
`;
}

const stylesheet = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d8dee4;--soft:#eef1f4;--bg:#f6f8fa;--pass:#1a7f37;--reject:#cf222e;--amber:#d4a72c;--accent:#364fc7}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;align-items:baseline;gap:16px;padding:12px 28px;background:#1f2328;color:#d0d7de}
header.top .brand{color:#fff;font-weight:700;font-size:17px;letter-spacing:.02em}
header.top .tagline{font-size:13px}
main{max-width:1180px;margin:0 auto;padding:24px 24px 48px}
footer{max-width:1180px;margin:0 auto;padding:0 24px 32px;color:var(--muted);font-size:13px}
h1{font-size:26px;line-height:1.25;margin:0}
h2{font-size:18px;margin:0 0 14px;padding-bottom:8px;border-bottom:1px solid var(--soft)}
h3{font-size:15px;margin:18px 0 8px}
p{margin:0 0 12px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:0 0 20px}
.muted{color:var(--muted)}
.small{font-size:13px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
code{background:var(--soft);border-radius:4px;padding:1px 5px;overflow-wrap:anywhere}
pre{background:#f6f8fa;border:1px solid var(--soft);border-radius:6px;padding:12px 14px;overflow:auto;line-height:1.45}
pre code{background:none;padding:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--soft);vertical-align:top}
th{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.sub td:first-child{padding-left:28px}
tbody tr:hover{background:#fafbfc}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:700;letter-spacing:.04em;color:#fff;white-space:nowrap;vertical-align:middle}
.badge.pass{background:var(--pass)}.badge.reject{background:var(--reject)}
.badge.inconclusive{background:var(--amber);color:#3b2300}
.badge.progress{background:#e1e4e8;color:#424a53;font-weight:600}
.badge.neutral{background:#6e7781}
.badge.failed{background:#fff;color:var(--reject);box-shadow:inset 0 0 0 1.5px var(--reject)}
.badge.big{font-size:15px;padding:4px 14px}
.stage{display:inline-block;padding:1px 8px;border-radius:6px;background:var(--soft);color:#424a53;font-size:12px;font-weight:600}
.chip{display:inline-block;padding:0 7px;border-radius:4px;font-size:12px;font-weight:600;white-space:nowrap}
.chip.good{background:#dafbe1;color:#116329}.chip.bad{background:#ffebe9;color:#a40e26}
.chip.unsure{background:#fff8c5;color:#7d4e00}.chip.info{background:#ddf4ff;color:#0550ae}
.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
table.signals{width:auto;min-width:min(100%,640px)}
table.signals td:first-child{padding-right:40px}
table.changed td{padding-top:5px;padding-bottom:5px}
.incidents td{vertical-align:middle}
.incidents .alert{font-weight:600}
.incidents .summary{color:var(--muted);font-size:13px;margin-top:2px;max-width:70ch;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}
.list-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:8px 20px;margin-bottom:16px}
.crumbs{font-size:13px;color:var(--muted);margin-bottom:8px}
.title-row{display:flex;flex-wrap:wrap;align-items:center;gap:10px 14px;margin-bottom:8px}
.subtitle{display:flex;flex-wrap:wrap;gap:4px 20px;color:var(--muted);font-size:14px;margin:0 0 10px}
.subtitle b{color:var(--fg);font-weight:600}
ol.stages{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:12px 0 0}
ol.stages li{display:flex;gap:6px;align-items:baseline;font-size:13px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:#fbfcfd}
ol.stages li.running{border-style:dashed}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;margin-top:14px;padding-top:12px;border-top:1px solid var(--soft)}
.verdict{border-left-width:6px}
.verdict.pass{border-left-color:var(--pass)}.verdict.reject{border-left-color:var(--reject)}.verdict.inconclusive{border-left-color:var(--amber)}
.verdict-head{display:flex;align-items:center;gap:14px;margin-bottom:12px}
.headline{font-size:17px;font-weight:600;margin:0;overflow-wrap:anywhere}
.rationale{max-width:85ch}
ul.reasons{padding-left:0;list-style:none;margin:0 0 8px}
ul.reasons li{padding:6px 0;border-bottom:1px dashed var(--soft)}
ul.reasons code{font-weight:600;margin-right:6px}
details.run summary,details.fold summary{cursor:pointer;color:var(--accent);font-size:14px;margin-top:10px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;font-size:14px;margin:10px 0 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:20px;margin-bottom:8px}
figure.chart{margin:0;border:1px solid var(--soft);border-radius:8px;padding:12px 14px;min-width:0}
figure.chart h3{margin:0 0 6px}
.chart-svg{display:block;width:100%;height:auto}
figcaption{font-size:12.5px;color:var(--muted);margin-top:6px}
.nodata{display:flex;align-items:center;justify-content:center;min-height:180px;border:1px dashed var(--line);border-radius:6px;color:var(--muted);background:#fbfcfd;text-align:center;padding:16px}
.error-box{border-left:6px solid var(--reject)}
.error-box pre{background:#fff5f5;border-color:#ffd8d8;white-space:pre-wrap}
pre.diff{padding:0;line-height:1.5}
pre.diff span{display:inline-block;min-width:100%;padding:0 14px}
pre.diff .add{background:#e6ffec;color:#116329}
pre.diff .del{background:#ffebe9;color:#82071e}
pre.diff .hunk{background:#f3f0ff;color:#6639ba}
pre.diff .meta{color:var(--muted);font-weight:600}
.signature pre{margin:6px 0 14px;white-space:pre-wrap}
.markdown{max-width:100%;overflow-wrap:break-word}
.markdown h1{font-size:20px;margin:0 0 10px}.markdown h2{font-size:17px;margin-top:22px}
.markdown table{margin:8px 0 14px}
.empty{color:var(--muted);font-style:italic}
@media (max-width:720px){main{padding:14px 10px 32px}.card{padding:14px 14px}figure.chart{padding:8px 4px}.verdict-head{flex-direction:column;align-items:flex-start;gap:8px}header.top .tagline{display:none}header.top{padding:10px 14px}.charts{grid-template-columns:1fr}h1{font-size:21px}}
`;
