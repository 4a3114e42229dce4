// The JSON bodies of the hot routes (recommendations, similar items, the at-risk page) written as UTF-8 bytes straight
// into a buffer: byte for byte what JSON.stringify gives of the same answer built as objects with
// itemJson, as test/api/json-bodies.test.ts checks on a trained model's answers and on float32
// scores of every magnitude. Why: building the answer objects and stringifying them cost more CPU
// than finding the answer (bench/serve/README.md, 2026-12-07 evening). Plain ASCII strings (ids,
// titles like the bench's) are copied as they are and whole prices written digit by digit; a
// 7-digit score is computed without toPrecision. Two ways that measured worse are not taken: a body
// assembled as a string from pieces (flattening ~40 pieces for the socket costs what stringify
// does) and each item's encoded tail kept between requests (its lookup among 20,000 items misses
// the cache; request-fresh strings do not). Routes declared with app.openapi keep c.json and itemJson
// (their handlers must return typed JSON).
import type { RecommendedItem, Recommendations } from '../services/recommendations.ts';

const ascii = (s: string) => Buffer.from(s, 'latin1');
const CUSTOMER_ID = ascii('{"customer_id":');
const SOURCE = ascii(',"source":');
const MODEL_VERSION = ascii(',"model_version":');
const RECOMMENDATION_ID = ascii(',"recommendation_id":');
const LIST_MODEL_VERSION = ascii('{"model_version":');
const ITEM_ID = ascii('{"item_id":');
const SCORE = ascii(',"score":');
const TITLE = ascii(',"title":');
const CATEGORY = ascii(',"category":');
const PRICE = ascii(',"price":');
const ITEMS = ascii(',"items":');
const CUSTOMERS = ascii('{"customers":[');
const RECOMMENDATIONS = ascii(',"recommendations":');
const NEXT_CURSOR = ascii(',"next_cursor":');
const NULL = ascii('null');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;

export class JsonBodyWriter {
  private buffer = Buffer.allocUnsafe(16 * 1024);
  private at = 0;

  /** `{"customer_id":…,"source":…,"model_version":…,"recommendation_id":…,"items":[…]}` (RecommendationsSchema) */
  recommendations(r: Recommendations): Uint8Array<ArrayBuffer> {
    this.at = 0;
    this.bytes(CUSTOMER_ID);
    this.string(r.customerId);
    this.bytes(SOURCE);
    this.string(r.source);
    this.bytes(MODEL_VERSION);
    this.string(r.modelVersion);
    this.bytes(RECOMMENDATION_ID);
    this.string(r.recommendationId);
    this.bytes(ITEMS);
    this.items(r.items);
    this.byte(CLOSE_OBJECT);
    return this.take();
  }

  /** `{"model_version":…,"items":[…]}` (ItemList) */
  itemList(r: { modelVersion: string | null; items: readonly RecommendedItem[] }): Uint8Array<ArrayBuffer> {
    this.at = 0;
    this.bytes(LIST_MODEL_VERSION);
    if (r.modelVersion === null) this.bytes(NULL);
    else this.string(r.modelVersion);
    this.bytes(ITEMS);
    this.items(r.items);
    this.byte(CLOSE_OBJECT);
    return this.take();
  }

  /**
   * `{"customers":[…],"next_cursor":…}` (AtRiskPage): each entry's `{"customer_id", "email",
   * "scores"}` as the database wrote it (src/db/queries/customer-json.ts), with its recommendations
   * put in before the entry's closing brace.
   */
  atRiskPage(entries: readonly { json: string; recommendations?: readonly RecommendedItem[] }[], nextCursor: string | null): Uint8Array<ArrayBuffer> {
    this.at = 0;
    this.bytes(CUSTOMERS);
    for (let k = 0; k < entries.length; k++) {
      const { json, recommendations } = entries[k]!;
      if (k > 0) this.byte(COMMA);
      this.room(3 * json.length);
      this.at += this.buffer.write(json, this.at, 'utf8');
      if (!recommendations) continue;
      this.at--; // the entry's closing brace, one byte
      this.bytes(RECOMMENDATIONS);
      this.items(recommendations);
      this.byte(CLOSE_OBJECT);
    }
    this.byte(CLOSE_ARRAY);
    this.bytes(NEXT_CURSOR);
    this.nullableString(nextCursor);
    this.byte(CLOSE_OBJECT);
    return this.take();
  }

  private items(items: readonly RecommendedItem[]): void {
    this.byte(OPEN_ARRAY);
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (k > 0) this.byte(COMMA);
      this.bytes(ITEM_ID);
      this.string(item.itemId);
      this.bytes(SCORE);
      this.score(item.score);
      this.bytes(TITLE);
      this.nullableString(item.title);
      this.bytes(CATEGORY);
      this.nullableString(item.category);
      this.bytes(PRICE);
      this.price(item.price);
      this.byte(CLOSE_OBJECT);
    }
    this.byte(CLOSE_ARRAY);
  }

  /** A copy of the body: the socket may send it after the next request has reused the buffer. */
  private take(): Uint8Array<ArrayBuffer> {
    return Buffer.from(this.buffer.subarray(0, this.at));
  }

  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.at + n));
    grown.set(this.buffer.subarray(0, this.at));
    this.buffer = grown;
  }

  private byte(b: number): void {
    this.room(1);
    this.buffer[this.at++] = b;
  }

  private bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** A JSON string: printable ASCII without `"` or `\` as is (ids are), anything else as JSON.stringify escapes it. */
  private string(s: string): void {
    this.room(s.length + 2);
    const b = this.buffer;
    const start = this.at;
    let at = start;
    b[at++] = QUOTE;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        const json = JSON.stringify(s);
        this.room(3 * json.length);
        this.at = start + this.buffer.write(json, start, 'utf8');
        return;
      }
      b[at++] = c;
    }
    b[at++] = QUOTE;
    this.at = at;
  }

  private nullableString(s: string | null): void {
    if (s === null) this.bytes(NULL);
    else this.string(s);
  }

  /** Whole prices as their digits, others as JSON.stringify writes them. */
  private price(price: number | null): void {
    if (price === null) return this.bytes(NULL);
    this.room(32);
    if (!(Number.isInteger(price) && price >= 0 && price < 2 ** 31)) {
      this.at += this.buffer.write(JSON.stringify(price), this.at, 'latin1');
      return;
    }
    let width = 1;
    for (let p = price; p >= 10; p = (p - (p % 10)) / 10) width++;
    const b = this.buffer;
    let pos = (this.at += width);
    let p = price;
    do {
      b[--pos] = ZERO + (p % 10);
      p = (p - (p % 10)) / 10;
    } while (p > 0);
  }

  /**
   * A score as itemJson writes it: `Number(score.toPrecision(7))` (model scores are float32: further
   * digits are noise from widening to double), printed as JavaScript prints numbers. Seven
   * significant digits print as themselves without trailing zeros (no other number of at most 7
   * significant digits is as close to the double they parse to), so the digits are computed here
   * with one multiplication by an exact power of ten instead of toPrecision's exact decimal
   * conversion; magnitudes outside [1e-6, 1e7) and near-ties go the exact way.
   */
  private score(score: number): void {
    this.room(32);
    const a = score < 0 ? -score : score;
    if (!(a >= FAST_MIN && a < FAST_MAX)) return this.exactScore(score);
    // exponent e with 10^6 <= a * 10^(6 - e) < 10^7 (log10 may be off by one next to a power of ten)
    let e = Math.min(6, Math.max(-6, Math.floor(Math.log10(a))));
    let scaled = a * POW10[6 - e]!;
    if (scaled < 1e6) scaled = a * POW10[6 - --e]!;
    else if (scaled >= 1e7) scaled = a * POW10[6 - ++e]!;
    const floor = Math.floor(scaled);
    const fraction = scaled - floor;
    if (fraction > 0.5 - TIE_MARGIN && fraction < 0.5 + TIE_MARGIN) return this.exactScore(score);
    let digits = fraction > 0.5 ? floor + 1 : floor;
    if (digits === 1e7) {
      digits = 1e6;
      e++;
    }
    let count = 7;
    while (digits % 10 === 0) {
      digits /= 10;
      count--;
    }
    // Number::toString's layouts at these magnitudes: 0.000ddd, dd.ddd or ddd000
    const b = this.buffer;
    let at = this.at;
    if (score < 0) b[at++] = MINUS;
    const point = e + 1;
    if (point <= 0) {
      b[at++] = ZERO;
      b[at++] = DOT;
      for (let z = point; z < 0; z++) b[at++] = ZERO;
    }
    const inner = point > 0 && point < count;
    const width = Math.max(count, point);
    this.at = at + width + (inner ? 1 : 0);
    let pos = this.at;
    for (let k = width - 1; k >= 0; k--) {
      if (inner && k === point - 1) b[--pos] = DOT;
      if (k >= count) b[--pos] = ZERO;
      else {
        b[--pos] = ZERO + (digits % 10);
        digits = (digits - (digits % 10)) / 10;
      }
    }
  }

  private exactScore(score: number): void {
    this.at += this.buffer.write(JSON.stringify(Number(score.toPrecision(7))), this.at, 'latin1');
  }
}

const POW10 = Array.from({ length: 13 }, (_, k) => 10 ** k);
/** Scores of magnitude in [1e-6, 1e7) take the fast path (model scores and popularity counts do). */
const FAST_MIN = 1e-6;
const FAST_MAX = 1e7;
/** How near a rounding tie the scaled score may come before toPrecision decides (the scaling errs by < 1.2e-9). */
const TIE_MARGIN = 1e-8;

/** The routes' writer: requests use its buffer one at a time (a body is written synchronously and copied out). */
export const jsonBodies = new JsonBodyWriter();
