// A small seeded random source for the benchmark's generators
// (gen_users.mjs, gen_people.mjs): the same draws for the same seed on every
// machine and Node version (mulberry32).
export function seededRandom(seed) {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const digits = (k) => Array.from({ length: k }, () => Math.floor(rand() * 10)).join('');
  const hex = (k) => Array.from({ length: k }, () => Math.floor(rand() * 16).toString(16)).join('');
  // A version 4 UUID's text.
  const uuid4 = () => {
    const h = hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[Math.floor(rand() * 4)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  return { rand, pick, digits, hex, uuid4 };
}
