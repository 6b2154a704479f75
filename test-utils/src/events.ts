import { Random } from "./random";

/**
 * A seeded generator of realistic product-analytics events: the kind of nested, evolving JSON that
 * EvoDB is built to shred. Benchmarks and large round-trip tests use it so that their data looks like
 * a real event stream, not uniform noise:
 *
 * - events come from sessions (a user on a device in a place), so user/device/geo repeat within a
 *   session and a session's events arrive interleaved with others, as on a real ingest path;
 * - enums (event type, country, OS, plan, ...) follow Zipf-like distributions, durations are
 *   log-normal, and timestamps increase with exponential inter-arrival gaps;
 * - fields go missing (older client versions never send `consent`; only some events carry `items`,
 *   `query`, `error`), are null (`user.age`, `page.referrer`), and one field, `value`, changes type
 *   the way a value does when SDK versions disagree (number, numeric string, boolean, null).
 *
 * The documents are plain JSON (no bigint), so `JSON.stringify` / `JSON.parse` baselines apply.
 */

/** One generated event; fields marked optional are absent (not null) in some documents. */
export interface EventDoc {
  event_id: string;
  trace_id?: string;
  session_id: string;
  type: string;
  ts: string;
  received_at: number;
  seq: number;
  user: { id?: number; anon: boolean; plan?: string; age?: number | null; email_verified?: boolean };
  device: { os: string; browser: string; browser_version: string; mobile: boolean; screen: { w: number; h: number } };
  geo?: { country: string; city: string; lat: number; lon: number } | null;
  page: { path: string; title: string; referrer: string | null };
  duration_ms?: number;
  scroll_depth?: number;
  query?: string;
  items?: { sku: string; qty: number; price: number; category: string }[];
  revenue?: number;
  currency?: string;
  tags: string[];
  value?: number | string | boolean | null;
  error?: { code: number; message: string; stack?: string };
  latency_ms: number;
  sampled: boolean;
  app_version: string;
  experiment: string | null;
  consent?: boolean;
}

/** Options for {@link generateEvents}. */
export interface GenerateEventsOptions {
  /** Number of documents to produce. */
  count: number;
  /** Seed for {@link Random}; the same seed always yields the same documents. Default 42. */
  seed?: number;
  /** Epoch milliseconds of the first event. Default 2026-01-05T08:00:00Z. */
  startMs?: number;
}

/** Picks from a fixed list with Zipf-like weights `1 / rank^exponent` via a precomputed CDF. */
class ZipfPicker<T> {
  private readonly cdf: Float64Array;

  constructor(
    private readonly items: readonly T[],
    exponent = 1.1,
  ) {
    this.cdf = new Float64Array(items.length);
    let sum = 0;
    for (let rank = 0; rank < items.length; rank++) {
      sum += 1 / Math.pow(rank + 1, exponent);
      this.cdf[rank] = sum;
    }
    for (let rank = 0; rank < items.length; rank++) this.cdf[rank]! /= sum;
  }

  /** Index of the chosen item (binary search over the CDF). */
  index(random: Random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  pick(random: Random): T {
    return this.items[this.index(random)]!;
  }
}

const EVENT_TYPES = new ZipfPicker(
  ["page_view", "click", "scroll", "view_item", "search", "add_to_cart", "login", "begin_checkout",
    "remove_from_cart", "purchase", "share", "error", "signup", "logout"],
  1.2,
);
const COUNTRIES: readonly (readonly [string, readonly string[], number, number])[] = [
  ["US", ["New York", "Los Angeles", "Chicago", "Houston", "Seattle"], 39.8, -98.6],
  ["DE", ["Berlin", "Munich", "Hamburg", "Cologne"], 51.2, 10.4],
  ["GB", ["London", "Manchester", "Bristol"], 54.0, -2.0],
  ["IN", ["Bengaluru", "Mumbai", "Delhi", "Pune"], 21.0, 78.0],
  ["BR", ["São Paulo", "Rio de Janeiro", "Curitiba"], -14.2, -51.9],
  ["FR", ["Paris", "Lyon", "Toulouse"], 46.6, 2.2],
  ["JP", ["Tokyo", "Osaka", "Nagoya"], 36.2, 138.3],
  ["CA", ["Toronto", "Vancouver", "Montréal"], 56.1, -106.3],
  ["NL", ["Amsterdam", "Rotterdam", "Utrecht"], 52.1, 5.3],
  ["AU", ["Sydney", "Melbourne", "Brisbane"], -25.3, 133.8],
  ["ES", ["Madrid", "Barcelona", "Valencia"], 40.5, -3.7],
  ["PL", ["Warsaw", "Kraków", "Wrocław"], 51.9, 19.1],
  ["SE", ["Stockholm", "Göteborg"], 60.1, 18.6],
  ["MX", ["Ciudad de México", "Guadalajara", "Monterrey"], 23.6, -102.6],
  ["KR", ["Seoul", "Busan"], 35.9, 127.8],
  ["IT", ["Milano", "Roma", "Torino"], 41.9, 12.6],
  ["NG", ["Lagos", "Abuja"], 9.1, 8.7],
  ["ZA", ["Johannesburg", "Cape Town"], -30.6, 22.9],
  ["AR", ["Buenos Aires", "Córdoba"], -38.4, -63.6],
  ["CH", ["Zürich", "Genève", "Basel"], 46.8, 8.2],
  ["IE", ["Dublin", "Cork"], 53.4, -8.2],
  ["SG", ["Singapore"], 1.35, 103.8],
  ["TR", ["İstanbul", "Ankara"], 38.9, 35.2],
  ["ID", ["Jakarta", "Surabaya"], -0.8, 113.9],
  ["UA", ["Kyiv", "Lviv"], 48.4, 31.2],
];
const COUNTRY_PICKER = new ZipfPicker(COUNTRIES, 1.0);
const OSES = new ZipfPicker(["Android", "iOS", "Windows", "macOS", "Linux", "ChromeOS"], 1.0);
const BROWSERS = new ZipfPicker(["Chrome", "Safari", "Edge", "Firefox", "Samsung Internet", "Opera"], 1.4);
const SCREENS: readonly (readonly [number, number])[] = [
  [390, 844], [1920, 1080], [412, 915], [1366, 768], [1536, 864], [375, 667], [2560, 1440], [414, 896], [1440, 900], [360, 800],
];
const SCREEN_PICKER = new ZipfPicker(SCREENS, 0.9);
const PLANS = new ZipfPicker(["free", "pro", "team", "enterprise"], 1.6);
const APP_VERSIONS = new ZipfPicker(["4.12.1", "4.12.0", "4.11.3", "4.11.2", "4.10.0", "3.9.8", "3.9.7", "3.8.0"], 1.3);
const TAGS = new ZipfPicker(
  ["beta", "returning", "mobile_web", "ab:checkout_v2", "ab:search_rank_b", "promo:spring", "vip", "trial",
    "newsletter", "ab:onboarding_c", "partner:acme", "referral", "dark_mode", "low_bandwidth", "pwa"],
  1.0,
);
const CATEGORIES = new ZipfPicker(["shoes", "outerwear", "accessories", "tops", "bottoms", "bags", "kids", "home"], 0.9);
const CURRENCIES = new ZipfPicker(["USD", "EUR", "GBP", "INR", "BRL", "JPY", "CAD"], 1.2);
const EXPERIMENTS = new ZipfPicker(["checkout_v2", "search_rank_b", "onboarding_c", "price_anchor", "free_shipping_banner"], 1.0);
const PAGES = new ZipfPicker(["/", "/products", "/product", "/search", "/cart", "/checkout", "/account", "/help", "/blog"], 1.1);
const PAGE_TITLES: Record<string, string> = {
  "/": "Home | Evo Outfitters", "/products": "All products | Evo Outfitters", "/product": "Product | Evo Outfitters",
  "/search": "Search results | Evo Outfitters", "/cart": "Your cart", "/checkout": "Checkout", "/account": "My account",
  "/help": "Help center", "/blog": "Journal | Evo Outfitters",
};
const REFERRERS = new ZipfPicker(
  ["https://www.google.com/", "https://duckduckgo.com/", "https://t.co/", "https://www.facebook.com/", "https://news.ycombinator.com/",
    "https://www.bing.com/", "https://www.reddit.com/r/malefashionadvice/"],
  1.3,
);
const SEARCH_WORDS = new ZipfPicker(
  ["black", "boots", "rain", "jacket", "wool", "linen", "shirt", "sneakers", "waterproof", "kids", "sale", "leather", "bag",
    "summer", "dress", "running", "socks", "hoodie", "vintage", "slim", "wide", "organic", "cotton", "gift"],
  0.9,
);
const ERRORS = new ZipfPicker(
  [[500, "Internal Server Error"], [404, "Not Found"], [503, "Service Unavailable"], [400, "Bad Request: invalid cart item"],
    [502, "Bad Gateway"], [429, "Too Many Requests"]] as const,
  1.1,
);
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";
const USER_COUNT = 200_000;
const ACTIVE_SESSIONS = 400;
const USER_PICKER = new ZipfPicker(Array.from({ length: USER_COUNT }, (_, i) => i + 1), 0.8);
const DAY_MS = 86_400_000;

interface Session {
  id: string;
  user: EventDoc["user"];
  device: EventDoc["device"];
  geo: EventDoc["geo"] | undefined;
  appVersion: string;
  experiment: string | null;
  tags: string[];
  seq: number;
  remaining: number;
  path: string;
}

function randomString(random: Random, alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[random.nextUint32() % alphabet.length];
  return out;
}

function uuidV4(random: Random): string {
  const h = randomString(random, HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[random.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Standard normal by Box-Muller (one value per call; the benchmark does not need the pair). */
function normal(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function newSession(random: Random): Session {
  const anon = random.chance(0.22);
  const plan = PLANS.pick(random);
  const user: EventDoc["user"] = anon
    ? { anon: true }
    : { id: USER_PICKER.pick(random), anon: false, plan, age: random.chance(0.35) ? null : random.int(16, 80), email_verified: random.chance(0.8) };
  const os = OSES.pick(random);
  const mobile = os === "Android" || os === "iOS" ? !random.chance(0.08) : random.chance(0.03);
  const [w, h] = SCREEN_PICKER.pick(random);
  const apple = os === "iOS" || os === "macOS";
  const picked = BROWSERS.pick(random);
  // Safari ships only on Apple systems; iOS users mostly keep it.
  const browser = os === "iOS" && random.chance(0.85) ? "Safari" : picked === "Safari" && !apple ? "Chrome" : picked;
  const major = browser === "Safari" ? random.int(16, 18) : random.int(118, 126);
  const device = {
    os, browser, browser_version: `${major}.0.${random.int(1000, 6500)}.${random.int(0, 200)}`, mobile, screen: { w, h },
  };
  let geo: EventDoc["geo"] | undefined;
  const geoRoll = random.next();
  if (geoRoll < 0.08) geo = undefined;
  else if (geoRoll < 0.1) geo = null;
  else {
    const [country, cities, lat, lon] = COUNTRY_PICKER.pick(random);
    geo = { country, city: random.pick(cities), lat: round(lat + normal(random) * 3, 4), lon: round(lon + normal(random) * 4, 4) };
  }
  const tags: string[] = [];
  const tagCount = random.chance(0.45) ? 0 : random.int(1, 3);
  for (let i = 0; i < tagCount; i++) {
    const tag = TAGS.pick(random);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return {
    id: `s_${randomString(random, BASE62, 20)}`, user, device, geo, appVersion: APP_VERSIONS.pick(random),
    experiment: random.chance(0.6) ? null : EXPERIMENTS.pick(random), tags, seq: 0,
    remaining: Math.max(1, Math.round(Math.exp(2.6 + normal(random) * 0.9))), path: "/",
  };
}

function makeItems(random: Random): NonNullable<EventDoc["items"]> {
  const items: NonNullable<EventDoc["items"]> = [];
  const n = random.chance(0.6) ? 1 : random.int(2, 5);
  for (let i = 0; i < n; i++) {
    items.push({
      sku: `SKU-${random.int(10000, 12999)}`,
      qty: random.chance(0.8) ? 1 : random.int(2, 4),
      price: round(Math.exp(3.3 + normal(random) * 0.7), 2),
      category: CATEGORIES.pick(random),
    });
  }
  return items;
}

/** The field whose type varies: most SDK versions send a number, some a numeric string, a few a boolean or null. */
function makeValue(random: Random): EventDoc["value"] {
  const roll = random.next();
  if (roll < 0.7) return random.chance(0.6) ? random.int(0, 500) : round(random.next() * 100, 2);
  if (roll < 0.88) return String(random.int(0, 500));
  if (roll < 0.94) return random.chance(0.5);
  return null;
}

function makeEvent(random: Random, session: Session, eventId: string, nowMs: number): EventDoc {
  const type = EVENT_TYPES.pick(random);
  if (type === "page_view" || random.chance(0.1)) session.path = PAGES.pick(random);
  const path = session.path === "/product" ? `/product/${random.int(10000, 12999)}` : session.path;
  // Client clocks lag the server a little and sometimes a lot (offline queues).
  const clientMs = nowMs - (random.chance(0.97) ? random.int(5, 900) : random.int(60_000, DAY_MS));
  const doc: EventDoc = {
    event_id: eventId,
    ...(random.chance(0.7) ? { trace_id: randomString(random, HEX, 32) } : {}),
    session_id: session.id,
    type,
    ts: new Date(clientMs).toISOString(),
    received_at: nowMs,
    seq: session.seq++,
    // Fresh objects per event (as JSON.parse would give), never shared between documents.
    user: { ...session.user },
    device: { ...session.device, screen: { ...session.device.screen } },
    ...(session.geo === undefined ? {} : { geo: session.geo === null ? null : { ...session.geo } }),
    page: {
      path,
      title: PAGE_TITLES[session.path] ?? "Evo Outfitters",
      referrer: session.seq === 1 && random.chance(0.6) ? REFERRERS.pick(random) : null,
    },
    tags: session.tags.slice(),
    latency_ms: round(Math.exp(3.2 + normal(random) * 0.6), 3),
    sampled: random.chance(0.9),
    app_version: session.appVersion,
    experiment: session.experiment,
  };
  if (type !== "logout" && type !== "error") doc.duration_ms = Math.min(3_600_000, Math.round(Math.exp(6.5 + normal(random) * 1.3)));
  if (type === "scroll") doc.scroll_depth = round(random.next(), 3);
  if (type === "search") {
    const words = random.int(1, 3);
    const parts: string[] = [];
    for (let i = 0; i < words; i++) parts.push(SEARCH_WORDS.pick(random));
    doc.query = parts.join(" ");
  }
  if (type === "add_to_cart" || type === "view_item" || type === "begin_checkout" || type === "purchase" || type === "remove_from_cart") {
    doc.items = makeItems(random);
  }
  if (type === "purchase" && doc.items) {
    doc.revenue = round(doc.items.reduce((sum, item) => sum + item.price * item.qty, 0), 2);
    doc.currency = CURRENCIES.pick(random);
  }
  if (type === "click" || type === "share" || type === "search" || random.chance(0.15)) doc.value = makeValue(random);
  if (type === "error") {
    const [code, message] = ERRORS.pick(random);
    doc.error = random.chance(0.3)
      ? { code, message, stack: `Error: ${message}\n    at fetchCart (app.js:${random.int(100, 9000)}:${random.int(1, 80)})\n    at async handle (app.js:${random.int(100, 9000)}:${random.int(1, 80)})` }
      : { code, message };
  }
  // Consent tracking arrived in 4.x clients; 3.x never sends the field.
  if (session.appVersion.startsWith("4.")) doc.consent = random.chance(0.85);
  return doc;
}

/**
 * Generates `count` realistic event documents, deterministic for a given seed.
 * About 100,000 documents per 1-2 s; each serialises to about 700 bytes of JSON on average.
 */
export function generateEvents(options: GenerateEventsOptions): EventDoc[] {
  const random = new Random(options.seed ?? 42);
  let nowMs = options.startMs ?? Date.UTC(2026, 0, 5, 8, 0, 0);
  const sessions: Session[] = [];
  for (let i = 0; i < ACTIVE_SESSIONS; i++) sessions.push(newSession(random));
  const docs: EventDoc[] = new Array(options.count);
  for (let i = 0; i < options.count; i++) {
    // Exponential inter-arrival, mean ~120 ms: about 30 events/s across the active sessions.
    nowMs += Math.round(-Math.log(1 - random.next()) * 120);
    const slot = random.int(0, ACTIVE_SESSIONS - 1);
    const session = sessions[slot]!;
    docs[i] = makeEvent(random, session, uuidV4(random), nowMs);
    if (--session.remaining <= 0) sessions[slot] = newSession(random);
  }
  return docs;
}
