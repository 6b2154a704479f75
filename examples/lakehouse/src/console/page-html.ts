/**
 * The console's HTML. Static: every value from the API is inserted by the script with textContent,
 * and the Content-Security-Policy (route.ts) allows only this origin's script and style.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EvoDB console</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body>
<header>
<h1>EvoDB console</h1>
<form id="connect">
<label>Tenant <input id="tenant" required pattern="[A-Za-z0-9_][A-Za-z0-9_\\-]{0,127}" autocomplete="off" spellcheck="false"></label>
<label>Token <input id="token" type="password" required autocomplete="off"></label>
<button type="submit">Connect</button>
</form>
</header>
<main>
<aside>
<h2>Tables</h2>
<ul id="tables"></ul>
<h2 id="schema-title">Schema</h2>
<table id="schema" class="grid"></table>
</aside>
<section id="work">
<div class="toolbar">
<label>Snapshot <select id="snapshot" disabled><option value="">latest</option></select></label>
<button id="run" type="button">Run</button>
<span class="hint">Ctrl+Enter runs</span>
</div>
<textarea id="sql" spellcheck="false" rows="6" aria-label="SQL"></textarea>
<p id="status" role="status" data-run="0"></p>
<div id="results"></div>
<section id="chart-panel" hidden>
<h2>Chart</h2>
<div class="toolbar">
<label>Measure <select id="measure"></select></label>
<label>Kind <select id="chart-kind"><option value="bar">bar</option><option value="line">line</option></select></label>
</div>
<div id="chart"></div>
</section>
<section id="explain-panel" hidden>
<h2>Explain</h2>
<dl id="stats"></dl>
<pre id="plan"></pre>
</section>
</section>
</main>
</body>
</html>
`;
