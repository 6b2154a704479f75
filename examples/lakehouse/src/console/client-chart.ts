/**
 * Browser-side chart of the console (plain JavaScript, served inside app.js): a bar or line chart
 * in plain SVG for results shaped like a GROUP BY, one column of strings (the groups) and the
 * others numbers. Labels are set with textContent. No template literals or `${` in here.
 */
export const CLIENT_CHART = String.raw`
const SVG_NS = "http://www.w3.org/2000/svg";
/** More groups than this make bars too thin to read; the table still shows them all. */
const MAX_CHART_ROWS = 100;

function svgElement(tag, attributes, text) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const name of Object.keys(attributes)) element.setAttribute(name, String(attributes[name]));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** { label, measures } when the result can be charted, else null. */
function chartShape(columns, rows) {
  if (rows.length === 0 || rows.length > MAX_CHART_ROWS || columns.length < 2) return null;
  const only = (column, kind) => rows.every((row) => row[column] === null || row[column] === undefined || typeof row[column] === kind) && rows.some((row) => typeof row[column] === kind);
  const labels = columns.filter((column) => only(column, "string"));
  const measures = columns.filter((column) => only(column, "number"));
  if (labels.length !== 1 || measures.length !== columns.length - 1) return null;
  return { label: labels[0], measures };
}

function formatNumber(value) {
  return Number.isInteger(value) ? value.toLocaleString("en") : Number(value.toPrecision(4)).toLocaleString("en");
}

/** An SVG chart of measure by label, kind "bar" or "line"; a NULL measure draws as 0. */
function drawChart(rows, label, measure, kind) {
  const width = 720, height = 300, left = 64, right = 12, top = 12, bottom = 80;
  const values = rows.map((row) => (typeof row[measure] === "number" ? row[measure] : 0));
  const max = Math.max(0, ...values), min = Math.min(0, ...values);
  const plotHeight = height - top - bottom;
  const y = (value) => top + ((max - value) / (max - min || 1)) * plotHeight;
  const step = (width - left - right) / rows.length;
  const center = (index) => left + index * step + step / 2;
  const chart = svgElement("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img", "data-kind": kind });
  chart.append(svgElement("title", {}, measure + " by " + label));
  for (const tick of new Set([max, min, 0])) {
    chart.append(svgElement("line", { x1: left - 4, x2: width - right, y1: y(tick), y2: y(tick), class: "axis" }));
    chart.append(svgElement("text", { x: left - 8, y: y(tick) + 4, "text-anchor": "end" }, formatNumber(tick)));
  }
  const tip = (index) => svgElement("title", {}, (rows[index][label] ?? "NULL") + ": " + (rows[index][measure] ?? "NULL"));
  if (kind === "line") {
    chart.append(svgElement("polyline", { class: "line", points: values.map((value, index) => center(index) + "," + y(value)).join(" ") }));
  }
  values.forEach((value, index) => {
    const mark = kind === "line"
      ? svgElement("circle", { class: "dot", cx: center(index), cy: y(value), r: 3 })
      : svgElement("rect", { class: "bar", x: left + index * step + step * 0.1, width: step * 0.8, y: Math.min(y(value), y(0)), height: Math.abs(y(value) - y(0)) });
    mark.append(tip(index));
    chart.append(mark);
    const text = String(rows[index][label] ?? "NULL");
    const x = center(index), labelY = height - bottom + 14;
    chart.append(svgElement("text", { x, y: labelY, "text-anchor": "end", transform: "rotate(-35 " + x + " " + labelY + ")" }, text.length > 18 ? text.slice(0, 17) + "…" : text));
  });
  return chart;
}
`;
