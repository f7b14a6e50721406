/** The report's stylesheet, inlined into the page (no external fonts or files: the page works offline). */
export const REPORT_CSS = `
:root {
  --ink: #1d2330; --ink-2: #4a5263; --muted: #7a8294; --line: #e3e6ec; --bg: #f5f6f8; --card: #fff;
  --accent: #2f5d9e; --ok: #2e9e5b; --tight: #e0a100; --over: #d64541; --info: #5b7fb8;
  --input: #59a14f; --act: #4e79a7; --output: #8e6bbf; --scratch: #d37295;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif;
}
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header.top { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 24px;
  padding-bottom: 16px; border-bottom: 1px solid var(--line); margin-bottom: 20px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; word-break: break-all; }
header.top .sub { color: var(--ink-2); margin-top: 4px; }
header.top .meta { color: var(--muted); font-size: 12.5px; text-align: right; }
header.top .meta div { white-space: nowrap; }
.brand { font-weight: 700; color: var(--accent); letter-spacing: 0.02em; }
code, .mono { font-family: var(--mono); font-size: 0.92em; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px 20px; margin: 0 0 20px;
  box-shadow: 0 1px 2px rgba(20, 30, 50, 0.04); }
section > h2 { margin: 0 0 4px; font-size: 15px; font-weight: 650; }
section > p.note { margin: 0 0 14px; color: var(--muted); font-size: 12.5px; }
.muted { color: var(--muted); }
.verdict { display: inline-block; font-weight: 650; padding: 3px 10px; border-radius: 999px; font-size: 12.5px; }
.verdict.ok { background: #e5f5ec; color: #1f7a44; } .verdict.over { background: #fbe7e6; color: #a8302c; }
.gauges { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 14px; margin-bottom: 16px; }
.gauge { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; border-top: 3px solid var(--info); }
.gauge.ok { border-top-color: var(--ok); } .gauge.tight { border-top-color: var(--tight); } .gauge.over { border-top-color: var(--over); }
.gauge-head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 6px; }
.gauge-name { font-weight: 600; color: var(--ink-2); font-size: 12.5px; text-transform: uppercase; letter-spacing: 0.05em; }
.badge { font-size: 11.5px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: #eef1f6; color: var(--ink-2); }
.badge.ok { background: #e5f5ec; color: #1f7a44; } .badge.tight { background: #fdf3d8; color: #8a6300; } .badge.over { background: #fbe7e6; color: #a8302c; }
.gauge-value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.gauge-value .of { font-size: 12.5px; font-weight: 400; color: var(--muted); }
.gauge-foot { color: var(--muted); font-size: 12px; margin-top: 6px; font-variant-numeric: tabular-nums; }
.meter { height: 10px; background: #edf0f4; border-radius: 5px; overflow: hidden; margin-top: 8px; }
.meter .fill { height: 100%; border-radius: 5px 0 0 5px; background: var(--info); }
.meter .fill.ok { background: var(--ok); } .meter .fill.tight { background: var(--tight); } .meter .fill.over { background: var(--over); }
.meter.split { background: #c9d6ea; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 14px; }
.stat { padding: 10px 12px; background: #f8f9fb; border-radius: 8px; }
.stat-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; font-weight: 600; }
.stat-value { font-size: 19px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; }
.stat-sub { color: var(--ink-2); font-size: 12px; font-variant-numeric: tabular-nums; }
.flash-split { margin-top: 14px; }
.stack { display: flex; height: 12px; border-radius: 6px; overflow: hidden; margin: 6px 0; background: #edf0f4; }
.seg0 { background: #4e79a7; } .seg1 { background: #76b7b2; } .seg2 { background: #edc948; } .seg3 { background: #bab0ac; } .seg4 { background: #e15759; }
.stack-key { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--ink-2); font-variant-numeric: tabular-nums; }
.stack-key i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.target-line { color: var(--ink-2); margin: 0 0 14px; }
.plot-wrap { position: relative; }
svg.arena-plot { display: block; max-width: 100%; height: auto; font-family: inherit; }
svg text { fill: var(--ink-2); font-variant-numeric: tabular-nums; }
.axis-title { fill: var(--ink); font-weight: 600; font-size: 12px; }
.grid { stroke: #eceef2; stroke-width: 1; }
.axis-line, .tick { stroke: #9aa1ae; stroke-width: 1; }
.frame { fill: none; stroke: #d5d9e0; stroke-width: 1; pointer-events: none; }
.col { fill: transparent; }
.col:hover, .col.hl { fill: rgba(47, 93, 158, 0.07); }
.peak-band { fill: rgba(224, 161, 0, 0.16); pointer-events: none; }
rect.buf { stroke: #fff; stroke-width: 0.75; cursor: crosshair; }
rect.buf:hover { stroke: var(--ink); stroke-width: 1.5; }
.buf-input { fill: var(--input); } .buf-intermediate { fill: var(--act); } .buf-intermediate.alt { fill: #6f97c4; } .buf-output { fill: var(--output); } .buf-scratch { fill: var(--scratch); }
.live-line { fill: none; stroke: #c77800; stroke-width: 1.75; stroke-linejoin: round; pointer-events: none; }
.arena-line { stroke: var(--over); stroke-width: 1.5; pointer-events: none; }
.bound-line { stroke: var(--ink-2); stroke-width: 1; stroke-dasharray: 5 4; pointer-events: none; }
.arena-label { fill: var(--over); font-weight: 600; pointer-events: none; }
.bound-label, .peak-label { font-weight: 600; pointer-events: none; }
.peak-label { fill: #8a6300; }
.peak-dot { fill: var(--tight); stroke: #fff; stroke-width: 1.5; pointer-events: none; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 10px 0 0 66px; font-size: 12.5px; color: var(--ink-2); }
ul.legend li { display: flex; align-items: center; gap: 6px; }
#tip { position: fixed; z-index: 10; pointer-events: none; max-width: 440px; white-space: pre-line; word-break: break-all;
  background: rgba(29, 35, 48, 0.96); color: #fff; font-size: 12px; line-height: 1.5; padding: 7px 10px; border-radius: 6px;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); font-variant-numeric: tabular-nums; }
#tip::first-line { font-weight: 650; }
.table-wrap { overflow-x: auto; }
table.layers { width: 100%; border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
table.layers th { text-align: left; font-weight: 600; color: var(--ink-2); font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.04em;
  border-bottom: 2px solid var(--line); padding: 6px 7px; white-space: nowrap; position: sticky; top: 0; background: var(--card); }
table.layers td { border-bottom: 1px solid #eef0f3; padding: 5px 7px; vertical-align: top; }
table.layers tbody tr:hover { background: #f3f6fb; }
table.layers tfoot td { border-top: 2px solid var(--line); border-bottom: none; font-weight: 600; }
table.layers .r { text-align: right; }
table.layers .idx { color: var(--muted); }
table.layers .op { font-weight: 600; }
table.layers .kernel { color: var(--muted); font-family: var(--mono); font-size: 11px; }
table.layers .shape { font-family: var(--mono); font-size: 11.5px; white-space: nowrap; }
table.layers .tname { color: var(--muted); font-family: inherit; font-size: 11px; max-width: 230px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.bar-cell { white-space: nowrap; }
td.bar-cell .track { display: inline-block; width: 44px; height: 8px; margin-left: 8px; background: #edf0f4; border-radius: 4px; overflow: hidden; vertical-align: 0; }
td.bar-cell .bar { display: block; height: 100%; border-radius: 4px; }
td.bar-cell .bar.macs { background: var(--act); } td.bar-cell .bar.flash { background: #e15759; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 8px; }
@media print { body { background: #fff; } section { box-shadow: none; break-inside: avoid; } #tip { display: none; } }
`;
