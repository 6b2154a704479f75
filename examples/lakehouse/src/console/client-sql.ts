/**
 * Browser-side SQL helpers of the console (plain JavaScript, served inside app.js): finding the
 * FROM clause so the snapshot picker can rewrite `FOR SNAPSHOT AS OF`, and quoting a table name.
 * The tokenizer skips strings, quoted names and comments as query/src/sql/tokenize.ts does
 * (docs/sql.md), so a `from` inside a string literal is never taken for the clause.
 * Written without template literals or `${`, since it lives inside one.
 */
export const CLIENT_SQL = String.raw`
const WORD = /[A-Za-z_][A-Za-z0-9_]*|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?/y;
const RESERVED = new Set("select from where group by having order limit offset and or not in is null between like as asc desc nulls true false distinct for explain all".split(" "));

/** Tokens of a statement: { kind: word | number | string | quoted | op, text, end }. */
function sqlTokens(sql) {
  const tokens = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
    if (sql.startsWith("--", i)) { const end = sql.indexOf("\n", i); i = end < 0 ? sql.length : end + 1; continue; }
    if (sql.startsWith("/*", i)) { const end = sql.indexOf("*/", i + 2); i = end < 0 ? sql.length : end + 2; continue; }
    if (c === "'" || c === '"') {
      let text = "";
      i++;
      for (;;) {
        const end = sql.indexOf(c, i);
        if (end < 0) { text += sql.slice(i); i = sql.length; break; }
        text += sql.slice(i, end);
        i = end + 1;
        if (sql[i] !== c) break;
        text += c;
        i++;
      }
      tokens.push({ kind: c === "'" ? "string" : "quoted", text, end: i });
      continue;
    }
    WORD.lastIndex = i;
    const match = WORD.exec(sql);
    if (match !== null) {
      i += match[0].length;
      tokens.push({ kind: /^[0-9.]/.test(match[0]) ? "number" : "word", text: match[0], end: i });
      continue;
    }
    i++;
    tokens.push({ kind: "op", text: c, end: i });
  }
  return tokens;
}

/**
 * The FROM clause of a statement: the table name, where the name ends, where its snapshot clause
 * (if any) ends, and the snapshot id it names (null for none or FOR TIMESTAMP); null without FROM.
 */
function findFrom(sql) {
  const tokens = sqlTokens(sql);
  const word = (k) => (tokens[k] !== undefined && tokens[k].kind === "word" ? tokens[k].text.toLowerCase() : "");
  const k = tokens.findIndex((token, index) => word(index) === "from");
  if (k < 0) return null;
  const name = tokens[k + 1];
  if (name === undefined || (name.kind !== "word" && name.kind !== "quoted")) return null;
  const from = { table: name.text, nameEnd: name.end, clauseEnd: name.end, snapshotId: null };
  const kind = word(k + 3);
  if (word(k + 2) === "for" && (kind === "snapshot" || kind === "timestamp") && word(k + 4) === "as" && word(k + 5) === "of" && tokens[k + 6] !== undefined) {
    from.clauseEnd = tokens[k + 6].end;
    if (kind === "snapshot") from.snapshotId = tokens[k + 6].text;
  }
  return from;
}

/** The statement reading snapshot snapshotId (null: the latest), replacing any snapshot clause. */
function withSnapshot(sql, snapshotId) {
  const from = findFrom(sql);
  if (from === null) return sql;
  const clause = snapshotId === null ? "" : " FOR SNAPSHOT AS OF " + snapshotId;
  return sql.slice(0, from.nameEnd) + clause + sql.slice(from.clauseEnd);
}

/** A table name as SQL: bare when it is a plain identifier and not reserved, else "quoted". */
function quoteName(name) {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return '"' + name.split('"').join('""') + '"';
}
`;
