import { gzipSync } from "node:zlib";
import { postDocs, request, waitCommitted } from "@evodb/example-lakehouse/dev";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_SECRETS, startApp, tenantToken, type RunningApp } from "../src/app";
import { launchChromium } from "../src/chromium";

const TENANT = "e2e-console";
const TOKEN = APP_SECRETS.EVODB_QUERY_TOKEN;

interface Order {
  id: string;
  region: string;
  amount: number;
  note?: string;
}

/** Two commits: the second adds orders and changes one, so the snapshots answer differently. */
const FIRST: Order[] = [
  { id: "o1", region: "eu", amount: 10 },
  { id: "o2", region: "us", amount: 25 },
  { id: "o3", region: "eu", amount: 7, note: "<b>not markup</b>" },
  { id: "o4", region: "apac", amount: 3 },
];
const SECOND: Order[] = [
  { id: "o2", region: "us", amount: 40 },
  { id: "o5", region: "latam", amount: 12 },
  { id: "o6", region: "eu", amount: 1 },
];

/** The table as of a list of commits: later documents replace earlier ones with the same id. */
function tableAfter(...commits: Order[][]): Order[] {
  const byId = new Map<string, Order>();
  for (const commit of commits) for (const order of commit) byId.set(order.id, order);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** What the console shows for a value (its cellText). */
const cell = (value: unknown): string => (value === null || value === undefined ? "NULL" : typeof value === "object" ? JSON.stringify(value) : String(value));

interface QueryAnswer {
  columns: string[];
  rows: Record<string, unknown>[];
  stats: { snapshotId: number; blocksTotal: number; blocksRead: number; rowsReturned: number };
}

/** The query API, called directly (no browser): the reference the page must agree with. */
async function query(url: string, sql: string): Promise<QueryAnswer> {
  const response = await request(`${url}/tenants/${TENANT}/query`, { method: "POST", body: sql, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as QueryAnswer;
}

async function currentSnapshotId(url: string): Promise<number> {
  const response = await request(`${url}/tenants/${TENANT}/tables/orders/snapshots`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await response.json()) as { currentSnapshotId: number }).currentSnapshotId;
}

/** The result grid as shown: header texts and cell texts. */
async function grid(page: Page): Promise<{ columns: string[]; rows: string[][] }> {
  const columns = await page.locator("#result-grid thead th").allTextContents();
  const lines = page.locator("#result-grid tbody tr");
  const rows: string[][] = [];
  for (let i = 0; i < (await lines.count()); i++) rows.push(await lines.nth(i).locator("td").allTextContents());
  return { columns, rows };
}

/** Waits until the console finished run number `run`, and checks that it succeeded. */
async function finishedRun(page: Page, run: number): Promise<void> {
  await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 60_000 });
  const state = await page.getAttribute("#status", "data-state");
  expect(state, (await page.textContent("#status")) ?? "").toBe("done");
}

describe("query console in headless Chromium", () => {
  let app: RunningApp;
  let browser: Browser;
  let snapshotA = 0;
  let snapshotB = 0;

  beforeAll(async () => {
    // Chromium first: on a fresh machine this installs it (bounded in ensureChromium).
    browser = await launchChromium();
    app = await startApp();
    await waitCommitted(app.url, TENANT, "orders", await postDocs(app.url, TENANT, "orders", FIRST));
    snapshotA = await currentSnapshotId(app.url);
    await waitCommitted(app.url, TENANT, "orders", await postDocs(app.url, TENANT, "orders", SECOND));
    snapshotB = await currentSnapshotId(app.url);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Opens the console and connects as the test tenant; resolves once the table's schema is shown. */
  async function connect(page: Page): Promise<void> {
    await page.goto(`${app.url}/`);
    await page.fill("#tenant", TENANT);
    await page.fill("#token", TOKEN);
    await page.click("#connect button[type=submit]");
    await page.waitForSelector('#tables button[data-table="orders"]');
    await page.waitForSelector("#schema tr");
  }

  it("serves a small page, with its own script and style only", async () => {
    let gzipped = 0;
    for (const path of ["/", "/console/app.js", "/console/app.css"]) {
      const response = await request(`${app.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
      gzipped += gzipSync(await response.text()).length;
    }
    // "Keep it light": page, script and stylesheet together stay under 16 KiB on the wire.
    expect(gzipped).toBeLessThan(16 * 1024);
    expect((await request(`${app.url}/console`)).headers.get("content-type")).toContain("text/html");
    expect((await request(`${app.url}/`, { method: "POST", body: "x" })).status).toBe(405);
  });

  it("runs a query, shows the API's rows, switches snapshot, and charts a group-by", async () => {
    expect(snapshotB).toBeGreaterThan(snapshotA);
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    await connect(page);
    // Connecting picks the first table: its schema and a starter query appear.
    expect(await page.inputValue("#sql")).toBe("SELECT * FROM orders LIMIT 100");
    expect(await page.locator("#schema tr td:first-child").allTextContents()).toEqual(expect.arrayContaining(["id", "region", "amount", "note"]));
    expect(await page.evaluate("sessionStorage.getItem('evodb.token')")).toBe(TOKEN);

    // Run a query with Ctrl+Enter: the grid equals the API's answer and the documents written.
    const sql = "SELECT id, region, amount, note FROM orders ORDER BY id";
    await page.fill("#sql", sql);
    await page.press("#sql", "Control+Enter");
    await finishedRun(page, 1);
    const latest = await query(app.url, sql);
    const shown = await grid(page);
    expect(shown.columns).toEqual(latest.columns);
    expect(shown.rows).toEqual(latest.rows.map((row) => latest.columns.map((c) => cell(row[c]))));
    expect(shown.rows).toEqual(tableAfter(FIRST, SECOND).map((o) => [o.id, o.region, String(o.amount), o.note ?? "NULL"]));
    // A value holding markup is shown as text, not parsed.
    expect(await page.locator("#result-grid b").count()).toBe(0);

    // The picker lists both snapshots; picking the older one rewrites the SQL and reruns it.
    const options = await page.locator("#snapshot option").evaluateAll((list) => list.map((o) => o.getAttribute("value")));
    expect(options).toEqual(expect.arrayContaining(["", String(snapshotA), String(snapshotB)]));
    await page.selectOption("#snapshot", String(snapshotA));
    await finishedRun(page, 2);
    const olderSql = `SELECT id, region, amount, note FROM orders FOR SNAPSHOT AS OF ${snapshotA} ORDER BY id`;
    expect(await page.inputValue("#sql")).toBe(olderSql);
    const older = await query(app.url, olderSql);
    const shownOlder = await grid(page);
    expect(shownOlder.rows).toEqual(older.rows.map((row) => older.columns.map((c) => cell(row[c]))));
    expect(shownOlder.rows).toEqual(tableAfter(FIRST).map((o) => [o.id, o.region, String(o.amount), o.note ?? "NULL"]));
    expect(shownOlder.rows).not.toEqual(shown.rows);
    expect(await page.textContent('[data-stat="snapshot"]')).toBe(`#${snapshotA}`);

    // Back to the latest snapshot through the picker: the clause goes away.
    await page.selectOption("#snapshot", "");
    await finishedRun(page, 3);
    expect(await page.inputValue("#sql")).toBe(sql);
    expect((await grid(page)).rows).toEqual(shown.rows);

    // A group-by: rows, the EXPLAIN panel and a bar chart with one bar per group.
    const groupSql = "SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region ORDER BY region";
    await page.fill("#sql", groupSql);
    await page.click("#run");
    await finishedRun(page, 4);
    const groups = await query(app.url, groupSql);
    expect((await grid(page)).rows).toEqual(groups.rows.map((row) => groups.columns.map((c) => cell(row[c]))));
    expect(await page.isVisible("#explain-panel")).toBe(true);
    expect(await page.textContent('[data-stat="blocks"]')).toBe(`${groups.stats.blocksRead} read of ${groups.stats.blocksTotal}`);
    expect(await page.textContent('[data-stat="rows"]')).toMatch(new RegExp(`^${groups.stats.rowsReturned} returned, \\d+ scanned$`));
    expect(await page.textContent('[data-stat="cache"]')).toMatch(/^\d+ hits, \d+ misses, \d+ storage requests$/);
    expect(await page.textContent("#plan")).toContain(`AGGREGATE orders @ snapshot ${snapshotB}`);
    expect(await page.isVisible("#chart-panel")).toBe(true);
    const barTips = await page.locator('#chart svg[data-kind="bar"] rect.bar title').allTextContents();
    expect(barTips).toEqual(groups.rows.map((row) => `${cell(row.region)}: ${cell(row.n)}`));

    // Another measure as a line: one point per group.
    await page.selectOption("#measure", "total");
    await page.selectOption("#chart-kind", "line");
    const lineTips = await page.locator('#chart svg[data-kind="line"] circle title').allTextContents();
    expect(lineTips).toEqual(groups.rows.map((row) => `${cell(row.region)}: ${cell(row.total)}`));

    // A result that is not a group-by hides the chart; an error is shown, not thrown.
    await page.fill("#sql", "SELECT id FROM orders WHERE amount > 100");
    await page.click("#run");
    await finishedRun(page, 5);
    expect(await page.isVisible("#chart-panel")).toBe(false);
    await page.fill("#sql", "SELECT FROM orders");
    await page.click("#run");
    await page.waitForSelector('#status[data-run="6"][data-state="error"]');
    expect(await page.textContent("#status")).toContain("QUERY_PARSE");

    // The 400 of the bad statement is logged by Chromium as a failed resource load; anything else is a bug.
    expect(pageErrors.filter((e) => !e.startsWith("Failed to load resource"))).toEqual([]);
    await page.close();
  });

  it("rewrites only the FROM clause's snapshot: strings, comments and an existing clause are handled", async () => {
    const page = await browser.newPage();
    await connect(page);
    const sql = (clause: string) => `SELECT id, 'from x' AS "from" FROM orders${clause} /* FROM y */ WHERE id = 'o2'`;
    await page.fill("#sql", sql(" FOR TIMESTAMP AS OF '2020-01-01T00:00:00Z'"));
    await page.selectOption("#snapshot", String(snapshotA));
    await finishedRun(page, 1);
    expect(await page.inputValue("#sql")).toBe(sql(` FOR SNAPSHOT AS OF ${snapshotA}`));
    expect((await grid(page)).rows).toEqual([["o2", "from x"]]);
    await page.selectOption("#snapshot", String(snapshotB));
    await finishedRun(page, 2);
    expect(await page.inputValue("#sql")).toBe(sql(` FOR SNAPSHOT AS OF ${snapshotB}`));
    // Typing a clause by hand moves the picker to it on the next run.
    await page.fill("#sql", sql(` for snapshot as of ${snapshotA}`));
    await page.press("#sql", "Control+Enter");
    await finishedRun(page, 3);
    expect(await page.inputValue("#snapshot")).toBe(String(snapshotA));
    await page.close();
  });

  it("signs in with a tenant's own token (the tenant fills itself) and shows another tenant's refusal", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    await page.fill("#token", await tenantToken(TENANT));
    expect(await page.inputValue("#tenant")).toBe(TENANT);
    await page.click("#connect button[type=submit]");
    await page.waitForSelector('#tables button[data-table="orders"]');
    await page.fill("#sql", "SELECT count(*) AS n FROM orders");
    await page.press("#sql", "Control+Enter");
    await finishedRun(page, 1);
    expect((await grid(page)).rows).toEqual([[String(tableAfter(FIRST, SECOND).length)]]);
    // The same token on another tenant: the API's 403 is what the page says.
    await page.fill("#tenant", "e2e-console-other");
    await page.click("#connect button[type=submit]");
    await page.waitForSelector('#status[data-state="error"]');
    expect(await page.textContent("#status")).toContain("FORBIDDEN");
    expect(await page.locator("#tables button").count()).toBe(0);
    expect(await page.locator("#result-grid").count()).toBe(0);
    await page.close();
  });
});
