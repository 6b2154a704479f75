/**
 * Browser-side rendering of the console (plain JavaScript, served inside app.js): tables list,
 * schema, snapshot picker, results grid, EXPLAIN/stats panel and chart panel. Every value from the
 * API goes into the DOM through textContent or an attribute, never as markup.
 * No template literals or `${` in here.
 */
export const CLIENT_RENDER = String.raw`
/** Rows drawn in the grid; the API returns up to its maxRows, the status line says how many. */
const MAX_GRID_ROWS = 1000;

const $ = (id) => document.getElementById(id);

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const name of Object.keys(attributes || {})) node.setAttribute(name, attributes[name]);
  if (text !== undefined) node.textContent = text;
  return node;
}

function cellText(value) {
  if (value === null || value === undefined) return "NULL";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function formatBytes(bytes) {
  if (bytes < 1024) return bytes + " B";
  return bytes < 1048576 ? (bytes / 1024).toFixed(1) + " KiB" : (bytes / 1048576).toFixed(1) + " MiB";
}

const formatMs = (ms) => (ms < 10 ? ms.toFixed(2) : Math.round(ms)) + " ms";

function renderTables(names, current, onPick) {
  const list = $("tables");
  list.replaceChildren();
  if (names.length === 0) list.append(element("li", { class: "hint" }, "No tables yet: write documents first."));
  for (const name of names) {
    const button = element("button", { type: "button", "data-table": name, "aria-current": String(name === current) }, name);
    button.addEventListener("click", () => onPick(name));
    const item = element("li");
    item.append(button);
    list.append(item);
  }
}

function renderSchema(table, schema) {
  $("schema-title").textContent = "Schema of " + table + " (v" + schema.version + (schema.locked ? ", locked" : "") + ")";
  const grid = $("schema");
  grid.replaceChildren();
  for (const field of schema.fields) {
    // The root field (path []) is the document itself: always an object, nothing to show.
    if (field.path.length === 0) continue;
    const row = grid.insertRow();
    row.insertCell().textContent = field.path.join(".");
    const type = field.type === "variant" && field.variantTypes ? field.variantTypes.join(" | ") : field.type;
    row.insertCell().textContent = type + (field.nullable ? "?" : "");
  }
}

/** Snapshot picker: "latest", then the table's retained snapshots, newest first. */
function renderSnapshots(history, selectedId) {
  const picker = $("snapshot");
  picker.replaceChildren(element("option", { value: "" }, "latest"));
  for (const snapshot of history.snapshots.slice().reverse()) {
    const when = new Date(snapshot.timestampMs).toISOString().replace("T", " ").slice(0, 19);
    const text = "#" + snapshot.snapshotId + " · " + when + " · " + snapshot.operation + " · " + snapshot.summary.totalRows + " rows";
    picker.append(element("option", { value: String(snapshot.snapshotId) }, text));
  }
  picker.disabled = false;
  picker.value = selectedId ?? "";
}

/** Output columns, with "*" replaced by the document members the rows hold, in first-seen order. */
function displayColumns(columns, rows) {
  if (!columns.includes("*")) return columns;
  const named = new Set(columns);
  const members = [];
  const seen = new Set();
  for (const row of rows) for (const key of Object.keys(row)) if (!named.has(key) && !seen.has(key)) { seen.add(key); members.push(key); }
  return columns.flatMap((column) => (column === "*" ? members : [column]));
}

function renderResults(result) {
  const rows = result.rows.slice(0, MAX_GRID_ROWS);
  const columns = displayColumns(result.columns, rows);
  const grid = element("table", { class: "grid", id: "result-grid" });
  const head = grid.createTHead().insertRow();
  for (const column of columns) head.append(element("th", { scope: "col" }, column));
  const body = grid.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    for (const column of columns) {
      const value = row[column];
      const cell = line.insertCell();
      cell.textContent = cellText(value);
      if (value === null || value === undefined) cell.className = "null";
      else if (typeof value === "number") cell.className = "num";
    }
  }
  $("results").replaceChildren(grid);
  return columns;
}

/** The EXPLAIN panel: what the run did (stats), then the plan EXPLAIN gives for the statement. */
function renderExplain(stats, plan, roundTripMs) {
  const lines = [
    ["snapshot", "Snapshot", stats.snapshotId === null ? "none (empty table)" : "#" + stats.snapshotId],
    ["rows", "Rows", stats.rowsReturned + " returned, " + stats.rowsScanned + " scanned"],
    ["blocks", "Blocks", stats.blocksRead + " read of " + stats.blocksTotal],
    ["pruned", "Pruned", stats.blocksPrunedByPartition + " by partition, " + stats.blocksPrunedByZoneMap + " by zone map, " + stats.blocksPrunedByBloom + " by bloom filter, " + stats.blocksWithoutMatch + " without a match"],
    ["bytes", "Bytes", formatBytes(stats.bytesRead) + " read, " + formatBytes(stats.bytesFetched) + " from storage, of " + formatBytes(stats.tableBytes)],
    ["cache", "Cache", stats.cacheHits + " hits, " + stats.cacheMisses + " misses, " + stats.requests + " storage requests"],
    ["time", "Time", formatMs(stats.elapsedMs.total) + " in the Worker, " + formatMs(roundTripMs) + " round trip"],
  ];
  const list = $("stats");
  list.replaceChildren();
  for (const [key, label, text] of lines) list.append(element("dt", {}, label), element("dd", { "data-stat": key }, text));
  $("plan").textContent = plan.text;
  $("explain-panel").hidden = false;
}

/** Shows the chart panel for a GROUP BY-shaped result, with a measure and kind picker. */
function renderChart(columns, rows) {
  const panel = $("chart-panel");
  const shape = chartShape(columns, rows);
  panel.hidden = shape === null;
  if (shape === null) return;
  const measure = $("measure");
  const previous = measure.value;
  measure.replaceChildren(...shape.measures.map((name) => element("option", { value: name }, name)));
  if (shape.measures.includes(previous)) measure.value = previous;
  const draw = () => $("chart").replaceChildren(drawChart(rows, shape.label, measure.value, $("chart-kind").value));
  measure.onchange = draw;
  $("chart-kind").onchange = draw;
  draw();
}

function clearOutput() {
  $("results").replaceChildren();
  $("chart-panel").hidden = true;
  $("explain-panel").hidden = true;
}

/** Forgets everything shown for the previous connection (another tenant's tables stay hidden). */
function clearConnection() {
  clearOutput();
  $("tables").replaceChildren();
  $("schema").replaceChildren();
  $("schema-title").textContent = "Schema";
  $("snapshot").replaceChildren(element("option", { value: "" }, "latest"));
  $("snapshot").disabled = true;
}
`;
