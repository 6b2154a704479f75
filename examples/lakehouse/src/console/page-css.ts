/** The console's stylesheet: system fonts, one accent colour, light and dark schemes. */
export const CONSOLE_CSS = `:root{color-scheme:light dark;--fg:#1d2330;--bg:#fff;--muted:#6b7280;--line:#d8dce3;--accent:#2563eb;--error:#b91c1c;--panel:#f5f7fa}
@media (prefers-color-scheme:dark){:root{--fg:#e5e7eb;--bg:#14171c;--muted:#9ca3af;--line:#333a45;--accent:#60a5fa;--error:#f87171;--panel:#1c2028}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.5rem 1rem;border-bottom:1px solid var(--line)}
h1{font-size:1.1rem;margin:0}
h2{font-size:.95rem;margin:1rem 0 .4rem}
form,.toolbar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}
input,select,button,textarea{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:.25rem .45rem}
button{cursor:pointer;background:var(--accent);color:#fff;border-color:var(--accent)}
main{display:grid;grid-template-columns:minmax(12rem,18rem) 1fr;min-height:calc(100vh - 3rem)}
aside{padding:0 1rem;border-right:1px solid var(--line);background:var(--panel);overflow:auto}
#tables{list-style:none;margin:0;padding:0}
#tables button{width:100%;text-align:left;margin:1px 0;background:none;color:var(--fg);border-color:transparent}
#tables button[aria-current=true]{border-color:var(--accent);font-weight:600}
#work{padding:.75rem 1rem;min-width:0}
textarea{display:block;width:100%;margin:.5rem 0;font-family:ui-monospace,monospace;resize:vertical}
.hint,#status{color:var(--muted)}
#status.error{color:var(--error);white-space:pre-wrap}
#results{overflow:auto;max-height:55vh}
.grid{border-collapse:collapse;font-size:13px}
.grid th,.grid td{border:1px solid var(--line);padding:.2rem .45rem;text-align:left;vertical-align:top;white-space:pre-wrap;max-width:40rem}
.grid th{position:sticky;top:0;background:var(--panel)}
.grid td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid td.null{color:var(--muted);font-style:italic}
#schema{width:100%;font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0}
pre{background:var(--panel);padding:.5rem;overflow:auto}
svg.chart{width:100%;max-width:60rem;height:auto}
svg .bar{fill:var(--accent)}
svg .line{fill:none;stroke:var(--accent);stroke-width:2}
svg .dot{fill:var(--accent)}
svg .axis{stroke:var(--muted)}
svg text{fill:var(--fg);font-size:11px}
`;
