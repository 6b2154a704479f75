/**
 * Browser-side state and events of the console (plain JavaScript, served inside app.js): connects
 * with a tenant and token (kept in sessionStorage, so they leave with the tab), loads tables,
 * schemas and snapshots, and runs statements against the query API (docs/query.md, query/src/http-api.ts).
 * No template literals or `${` in here.
 */
export const CLIENT_APP = String.raw`
const session = window.sessionStorage;
const state = { tenant: session.getItem("evodb.tenant") || "", token: session.getItem("evodb.token") || "", table: null, runs: 0, connection: 0 };

/** A query API call for the connected tenant; throws Error("CODE: message") on an error answer. */
async function api(method, path, body) {
  const headers = { authorization: "Bearer " + state.token };
  if (body !== undefined) headers["content-type"] = "text/plain; charset=utf-8";
  const response = await fetch("/tenants/" + encodeURIComponent(state.tenant) + path, { method, headers, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("HTTP " + response.status + ": " + text.slice(0, 300));
  }
  if (!response.ok) {
    // The query API answers { code, message }; the app's own routes { error: { code, message } }.
    const error = json.error || json;
    throw new Error((error.code || "HTTP " + response.status) + ": " + (error.message || text.slice(0, 300)));
  }
  return json;
}

function setStatus(text, kind, runId) {
  const status = $("status");
  status.textContent = text;
  status.className = kind === "error" ? "error" : "";
  status.dataset.state = kind;
  if (runId !== undefined) status.dataset.run = String(runId);
}

const tablePath = (name) => "/tables/" + encodeURIComponent(name);

/** Shows a table's schema and snapshots; with writeQuery, also puts a starter query in the editor. */
async function pickTable(name, writeQuery) {
  const connection = state.connection;
  state.table = name;
  for (const button of document.querySelectorAll("#tables button")) button.setAttribute("aria-current", String(button.dataset.table === name));
  if (writeQuery) $("sql").value = "SELECT * FROM " + quoteName(name) + " LIMIT 100";
  const from = findFrom($("sql").value);
  const [schema, history] = await Promise.all([api("GET", tablePath(name) + "/schema"), api("GET", tablePath(name) + "/snapshots")]);
  if (state.table !== name || connection !== state.connection) return;
  renderSchema(name, schema.schema);
  renderSnapshots(history, from !== null && from.table === name ? from.snapshotId : null);
}

async function loadTables() {
  const connection = state.connection;
  setStatus("Loading tables…", "busy");
  const names = (await api("GET", "/tables")).tables.slice().sort();
  if (connection !== state.connection) return;
  renderTables(names, state.table, (name) => pickTable(name, true).catch((error) => setStatus(error.message, "error")));
  setStatus(names.length + (names.length === 1 ? " table" : " tables") + " in " + state.tenant, "ready");
  if (names.length > 0 && (state.table === null || !names.includes(state.table))) await pickTable(names[0], $("sql").value.trim() === "");
}

/** Runs the editor's statement, then EXPLAINs it; a newer run or connection supersedes its output. */
async function run() {
  const sql = $("sql").value;
  if (sql.trim() === "") return;
  if (state.token === "" || state.tenant === "") {
    setStatus("Enter a tenant and its token, then Connect.", "error");
    return;
  }
  const runId = ++state.runs;
  const connection = state.connection;
  const superseded = () => runId !== state.runs || connection !== state.connection;
  setStatus("Running…", "busy");
  const from = findFrom(sql);
  try {
    if (from !== null && from.table !== state.table) await pickTable(from.table, false);
    else if (from !== null) $("snapshot").value = from.snapshotId ?? "";
    const started = performance.now();
    const result = await api("POST", "/query", sql);
    const roundTripMs = performance.now() - started;
    const plan = await api("POST", "/explain", sql).catch((error) => ({ text: "EXPLAIN failed: " + error.message }));
    if (superseded()) return;
    const columns = renderResults(result);
    renderChart(columns, result.rows);
    renderExplain(result.stats, plan, roundTripMs);
    const shown = result.rows.length > MAX_GRID_ROWS ? " (first " + MAX_GRID_ROWS + " shown)" : "";
    setStatus(result.rows.length + (result.rows.length === 1 ? " row" : " rows") + shown + " in " + formatMs(roundTripMs), "done", runId);
  } catch (error) {
    if (superseded()) return;
    clearOutput();
    setStatus(error.message, "error", runId);
  }
}

$("tenant").value = state.tenant;
$("token").value = state.token;
$("connect").addEventListener("submit", (event) => {
  event.preventDefault();
  state.tenant = $("tenant").value.trim();
  state.token = $("token").value.trim();
  state.table = null;
  state.connection++;
  clearConnection();
  session.setItem("evodb.tenant", state.tenant);
  session.setItem("evodb.token", state.token);
  const connection = state.connection;
  loadTables().catch((error) => {
    if (connection === state.connection) setStatus(error.message, "error");
  });
});
// A tenant token is "<tenant>.<43-character MAC>" (src/tenant-token.ts): it names its tenant, so
// the tenant field fills itself when it is still empty. The operator token has no such form.
$("token").addEventListener("input", () => {
  const named = /^([A-Za-z0-9_][A-Za-z0-9_-]{0,127})\.[A-Za-z0-9_-]{43}$/.exec($("token").value.trim());
  if (named !== null && $("tenant").value.trim() === "") $("tenant").value = named[1];
});
$("run").addEventListener("click", run);
$("sql").addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    run();
  }
});
$("snapshot").addEventListener("change", () => {
  const value = $("snapshot").value;
  $("sql").value = withSnapshot($("sql").value, value === "" ? null : value);
  run();
});
if (state.tenant !== "" && state.token !== "") loadTables().catch((error) => setStatus(error.message, "error"));
`;
