/**
 * A seeded, serialisable pseudo-random number generator (xoshiro128**, 32-bit state words), with
 * 53-bit uniforms and Box–Muller standard normals. Every function in the library that draws random
 * numbers takes an `Rng` argument; nothing draws from the unseeded global generator.
 *
 * @example
 *   const rng = new Rng(40);
 *   const z = rng.normal();            // one N(0, 1) draw
 *   const saved = rng.getState();      // plain JSON
 *   const again = Rng.fromState(saved) // continues the same stream
 */
import { MAX_ARRAY_LENGTH } from "./arrays";
import { GhostError, requireFinite, requireInteger } from "./errors";

/** JSON-serialisable state of an {@link Rng}. */
export interface RngState {
  algorithm: "xoshiro128**";
  /** The four 32-bit state words, as unsigned integers. */
  s: [number, number, number, number];
  /** Seed the stream was created from (provenance only). */
  seed: number;
  /** Spare Box–Muller normal, or null. */
  spare: number | null;
}

/** splitmix32: expands an integer seed into well-mixed 32-bit words. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;
  /** The seed this stream was created from. */
  readonly seed: number;

  /** @param seed an integer in [0, 2^53); the same seed gives the same stream everywhere. */
  constructor(seed: number) {
    requireInteger("seed", seed, 0, Number.MAX_SAFE_INTEGER);
    this.seed = seed;
    // Fold the (up to 53-bit) seed into 32 bits of splitmix state, high and low halves mixed.
    const hi = Math.floor(seed / 4294967296);
    const st = { x: (seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal N(0, 1) by the polar Box–Muller method. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** A Float64Array of `n` draws from N(mean, std²); n integer in [0, 1e8], std and mean finite. */
  normalArray(n: number, std = 1, mean = 0): Float64Array {
    requireInteger("n", n, 0, MAX_ARRAY_LENGTH);
    requireFinite("std", std);
    requireFinite("mean", mean);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A Float64Array of `n` draws from U(lo, hi); n integer in [0, 1e8], lo and hi finite. */
  uniformArray(n: number, lo = 0, hi = 1): Float64Array {
    requireInteger("n", n, 0, MAX_ARRAY_LENGTH);
    requireFinite("lo", lo);
    requireFinite("hi", hi);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** The full state as plain JSON (see {@link Rng.fromState}). */
  getState(): RngState {
    return { algorithm: "xoshiro128**", s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], seed: this.seed, spare: this.spare };
  }

  /** Rebuild a generator that continues exactly where `state` was taken. */
  static fromState(state: RngState): Rng {
    if (!state || typeof state !== "object" || state.algorithm !== "xoshiro128**" || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new GhostError("state", state, "an RngState object from Rng.getState()");
    }
    state.s.forEach((w, i) => requireInteger(`state.s[${i}]`, w, 0, 4294967295));
    if (state.s.every((w) => w === 0)) throw new GhostError("state.s", state.s, "not all zero");
    if (state.spare !== null && (typeof state.spare !== "number" || !Number.isFinite(state.spare))) {
      throw new GhostError("state.spare", state.spare, "a finite number or null");
    }
    const rng = new Rng(requireInteger("state.seed", state.seed, 0));
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.s.map((w) => w | 0);
    rng.spare = state.spare;
    return rng;
  }

  /**
   * Sets THIS generator's stream to `state` (validated as {@link Rng.fromState}); the seed kept for provenance is
   * not changed. Used by the WebAssembly kernels, which draw with a bit-identical copy of this generator and hand
   * the advanced state back.
   */
  setState(state: RngState): void {
    const r = Rng.fromState(state);
    this.s0 = r.s0; this.s1 = r.s1; this.s2 = r.s2; this.s3 = r.s3;
    this.spare = r.spare;
  }

  /** An independent copy with the same state. */
  clone(): Rng {
    return Rng.fromState(this.getState());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
