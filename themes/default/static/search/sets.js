/* Sets of incident numbers (0 … n-1), as bits: what a term, a filter
 * value or a search matches. Incidents are numbered newest first. */

export class DocSet {
  /** An empty set over `n` incidents. */
  constructor(n) {
    this.n = n;
    this.w = new Uint32Array((n + 31) >>> 5);
  }

  static of(n, list) {
    const s = new DocSet(n);
    for (const d of list) s.add(d);
    return s;
  }

  /** Every incident. */
  static all(n) {
    const s = new DocSet(n);
    s.w.fill(0xffffffff);
    if (n & 31) s.w[s.w.length - 1] = (1 << (n & 31)) - 1;
    return s;
  }

  add(d) {
    if (d < this.n) this.w[d >>> 5] |= 1 << (d & 31);
  }

  has(d) {
    return (this.w[d >>> 5] & (1 << (d & 31))) !== 0;
  }

  and(o) {
    const s = new DocSet(this.n);
    for (let i = 0; i < s.w.length; i++) s.w[i] = this.w[i] & o.w[i];
    return s;
  }

  or(o) {
    const s = new DocSet(this.n);
    for (let i = 0; i < s.w.length; i++) s.w[i] = this.w[i] | o.w[i];
    return s;
  }

  /** Adds the incidents of `o` to this set; returns it. */
  addAll(o) {
    for (let i = 0; i < this.w.length; i++) this.w[i] |= o.w[i];
    return this;
  }

  /** The incidents of this set that are not in `o`. */
  minus(o) {
    const s = new DocSet(this.n);
    for (let i = 0; i < s.w.length; i++) s.w[i] = this.w[i] & ~o.w[i];
    return s;
  }

  /** Whether some incident of this set is in `o` and not in `not`
   * (when given). */
  meets(o, not) {
    for (let i = 0; i < this.w.length; i++) {
      if ((this.w[i] & o.w[i] & (not ? ~not.w[i] : -1)) !== 0) return true;
    }
    return false;
  }

  /** The numbers of the set, ascending. */
  list() {
    const out = new Int32Array(this.count());
    let k = 0;
    for (let i = 0; i < this.w.length; i++) {
      for (let x = this.w[i]; x !== 0; x &= x - 1) out[k++] = i * 32 + 31 - Math.clz32(x & -x);
    }
    return out;
  }

  isEmpty() {
    return this.w.every((x) => x === 0);
  }

  count() {
    let c = 0;
    for (let x of this.w) {
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      c += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return c;
  }

  /** Up to `max` numbers of the set from `from` on, ascending. */
  take(from, max) {
    const out = [];
    for (let i = from >>> 5; i < this.w.length && out.length < max; i++) {
      let x = this.w[i];
      if (i === from >>> 5) x &= ~((1 << (from & 31)) - 1) | 0;
      while (x !== 0 && out.length < max) {
        const b = 31 - Math.clz32(x & -x);
        out.push(i * 32 + b);
        x &= x - 1;
      }
    }
    return out;
  }
}
