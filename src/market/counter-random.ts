// Math through a module constant: under Jest (a vm context) every `Math.` is a slow global lookup,
// which made the hot loops here tens of times slower in tests.
const math = Math;

/**
 * Counter-based random numbers: pure functions of their inputs, so any point of the simulated market
 * can be computed directly and two runs with one seed agree.
 */
function mix(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h;
}

/** Counter-based random source: a 32-bit avalanche hash of (seed, stream, a, b, c). Fixed arity: hot path. */
export function hash(seed: number, stream: number, a: number, b: number, c: number): number {
  return mix(seed ^ mix(math.imul(stream, 0x9e3779b1) ^ mix(a ^ mix(b ^ mix(c + 0x632be5ab))))) >>> 0;
}

export function uniform(seed: number, stream: number, a: number, b: number, c: number): number {
  return (hash(seed, stream, a, b, c) + 0.5) / 4294967296;
}

/** A standard normal (Box-Muller), from two uniforms derived from one key. */
export function normal(seed: number, stream: number, a: number, b: number, c: number): number {
  const h = hash(seed, stream, a, b, c);
  const u1 = ((h >>> 0) + 0.5) / 4294967296;
  const u2 = ((mix(h ^ 0x5bd1e995) >>> 0) + 0.5) / 4294967296;
  return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.PI * u2);
}
