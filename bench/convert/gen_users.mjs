// Writes N randomuser-shaped people as JSON Lines to stdout (or a file):
//   node gen_users.mjs N [OUT] [SEED]
// Deterministic for a seed. Used for the bundled sample and the benchmark.
import { createWriteStream } from 'node:fs';

import { seededRandom } from './seeded_random.mjs';

const n = Number(process.argv[2] ?? 1000);
const out = process.argv[3] ? createWriteStream(process.argv[3]) : process.stdout;
const { rand, pick, digits, hex, uuid4 } = seededRandom(Number(process.argv[4] ?? 42));

const nations = [
  { nat: 'GB', country: 'United Kingdom', states: ['Kent', 'Devon', 'Essex', 'Cumbria'], cities: ['Bristol', 'Leeds', 'York', 'Bath'],
    first: { male: ['Oliver', 'Harry', 'Jack'], female: ['Amelia', 'Isla', 'Emily'] }, last: ['Smith', 'Jones', 'Taylor', 'Brown'],
    post: () => `${pick(['SW', 'N', 'LS', 'BA'])}${digits(1)} ${digits(1)}${pick(['AB', 'XY', 'QT'])}`, phone: () => `0${digits(3)}-${digits(3)}-${digits(4)}` },
  { nat: 'US', country: 'United States', states: ['Ohio', 'Texas', 'Oregon', 'Maine'], cities: ['Dayton', 'Austin', 'Salem', 'Portland'],
    first: { male: ['James', 'Noah', 'Liam'], female: ['Olivia', 'Emma', 'Ava'] }, last: ['Miller', 'Davis', 'Garcia', 'Wilson'],
    post: () => digits(5), phone: () => `(${digits(3)}) ${digits(3)}-${digits(4)}` },
  { nat: 'DE', country: 'Germany', states: ['Bayern', 'Sachsen', 'Hessen', 'Bremen'], cities: ['München', 'Leipzig', 'Köln', 'Düsseldorf'],
    first: { male: ['Lukas', 'Jürgen', 'Felix'], female: ['Jördis', 'Mia', 'Sophie'] }, last: ['Müller', 'Schäfer', 'Weiß', 'Köhler'],
    post: () => digits(5), phone: () => `0${digits(3)}-${digits(7)}` },
  { nat: 'FR', country: 'France', states: ['Gironde', 'Savoie', 'Vendée', 'Aisne'], cities: ['Nîmes', 'Orléans', 'Besançon', 'Créteil'],
    first: { male: ['Théo', 'Noé', 'Hugo'], female: ['Léa', 'Chloé', 'Inès'] }, last: ['Lefèvre', 'Girard', 'Mercier', 'Bonnet'],
    post: () => digits(5), phone: () => `0${digits(1)}-${digits(2)}-${digits(2)}-${digits(2)}-${digits(2)}` },
  { nat: 'NL', country: 'Netherlands', states: ['Utrecht', 'Drenthe', 'Zeeland', 'Limburg'], cities: ['Utrecht', 'Assen', 'Goes', 'Venlo'],
    first: { male: ['Daan', 'Sem', 'Bram'], female: ['Fenna', 'Tess', 'Sanne'] }, last: ['de Vries', 'Bakker', 'Visser', 'Smit'],
    post: () => `${digits(4)} ${pick(['AB', 'KL', 'ZX'])}`, phone: () => `(0${digits(3)})-${digits(6)}` },
  { nat: 'IR', country: 'Iran', states: ['Tehran', 'Fars', 'Gilan', 'Qom'], cities: ['تهران', 'شیراز', 'رشت', 'قم'],
    first: { male: ['آرش', 'محمد', 'علی'], female: ['نرگس', 'زهرا', 'مریم'] }, last: ['احمدی', 'کریمی', 'رضایی', 'موسوی'],
    post: () => digits(5), phone: () => `0${digits(2)}-${digits(8)}` },
  { nat: 'CA', country: 'Canada', states: ['Ontario', 'Quebec', 'Manitoba', 'Yukon'], cities: ['Ottawa', 'Laval', 'Brandon', 'Whitehorse'],
    first: { male: ['Liam', 'Félix', 'Owen'], female: ['Charlotte', 'Zoé', 'Maya'] }, last: ['Roy', 'Gagnon', 'Wong', 'Martin'],
    post: () => `${pick(['K', 'H', 'R'])}${digits(1)}${pick(['A', 'B', 'C'])} ${digits(1)}${pick(['X', 'Y'])}${digits(1)}`, phone: () => `${digits(3)}-${digits(3)}-${digits(4)}` },
];
const streets = ['Main Street', 'Church Road', 'Station Road', 'Mill Lane', 'High Street', 'Park Avenue', 'Lakeview Drive'];
const domains = ['example.com', 'mail.example.org', 'post.example.net'];

const now = Date.UTC(2026, 10, 1);
let buf = '';
for (let i = 0; i < n; i++) {
  const nat = pick(nations);
  const gender = rand() < 0.5 ? 'male' : 'female';
  const first = pick(nat.first[gender]);
  const last = pick(nat.last);
  const city = pick(nat.cities);
  const state = pick(nat.states);
  const dob = new Date(now - Math.floor((18 + rand() * 62) * 365.25 * 86400000)).toISOString();
  const registered = new Date(now - Math.floor(rand() * 20 * 365.25 * 86400000)).toISOString();
  const handle = `${first}.${last}`.toLowerCase().replace(/\s+/g, '');
  const rec = {
    id: uuid4(),
    first_name: first,
    last_name: last,
    gender,
    address: `${1 + Math.floor(rand() * 9999)} ${pick(streets)}, ${city}, ${state}, ${nat.country}`,
    post_code: nat.post(),
    email: `${handle}${Math.floor(rand() * 100)}@${pick(domains)}`,
    username: `${pick(['silver', 'happy', 'tiny', 'brave', 'lazy'])}${pick(['fox', 'owl', 'cat', 'bear', 'swan'])}${digits(3)}`,
    dob,
    registered_date: registered,
    phone: nat.phone(),
    picture: `https://randomuser.me/api/portraits/${gender === 'male' ? 'men' : 'women'}/${Math.floor(rand() * 100)}.jpg`,
    city,
    state,
    country: nat.country,
    nat: nat.nat,
  };
  buf += JSON.stringify(rec) + '\n';
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    buf = '';
  }
}
out.end(buf);
