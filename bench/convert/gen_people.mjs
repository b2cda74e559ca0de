// Writes N people exactly in the randomuser.me API's nested shape (one
// element of its "results" array per line) as JSON Lines:
//   node gen_people.mjs N [OUT] [SEED]
// Deterministic for a seed. Coordinates, postcodes and timezone offsets are
// strings and dates ISO 8601 text, as the API sends them; login hashes are
// the MD5, SHA-1 and SHA-256 of password + salt. people.avsc is the schema
// of these lines (people_columns.sql the same as DuckDB's read_json columns).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';

import { seededRandom } from './seeded_random.mjs';

const n = Number(process.argv[2] ?? 1000);
const out = process.argv[3] ? createWriteStream(process.argv[3]) : process.stdout;
const { rand, pick, digits, hex, uuid4 } = seededRandom(Number(process.argv[4] ?? 42));
const alnum = (k) => Array.from({ length: k }, () => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')).join('');
const hash = (algo, text) => createHash(algo).update(text).digest('hex');

const nations = [
  { nat: 'GB', country: 'United Kingdom', states: ['Kent', 'Devon', 'Essex', 'Cumbria'], cities: ['Bristol', 'Leeds', 'York', 'Bath'],
    first: { male: ['Oliver', 'Harry', 'Jack'], female: ['Amelia', 'Isla', 'Emily'] }, last: ['Smith', 'Jones', 'Taylor', 'Brown'],
    post: () => `${pick(['SW', 'N', 'LS', 'BA'])}${digits(1)} ${digits(1)}${pick(['AB', 'XY', 'QT'])}`, phone: () => `0${digits(3)}-${digits(3)}-${digits(4)}`,
    id: () => ({ name: 'NINO', value: `${pick(['JA', 'KL', 'NP'])} ${digits(2)} ${digits(2)} ${digits(2)} ${pick(['A', 'B', 'C'])}` }) },
  { nat: 'US', country: 'United States', states: ['Ohio', 'Texas', 'Oregon', 'Maine'], cities: ['Dayton', 'Austin', 'Salem', 'Portland'],
    first: { male: ['James', 'Noah', 'Liam'], female: ['Olivia', 'Emma', 'Ava'] }, last: ['Miller', 'Davis', 'Garcia', 'Wilson'],
    post: () => digits(5), phone: () => `(${digits(3)}) ${digits(3)}-${digits(4)}`,
    id: () => ({ name: 'SSN', value: `${digits(3)}-${digits(2)}-${digits(4)}` }) },
  { nat: 'DE', country: 'Germany', states: ['Bayern', 'Sachsen', 'Hessen', 'Bremen'], cities: ['München', 'Leipzig', 'Köln', 'Düsseldorf'],
    first: { male: ['Lukas', 'Jürgen', 'Felix'], female: ['Jördis', 'Mia', 'Sophie'] }, last: ['Müller', 'Schäfer', 'Weiß', 'Köhler'],
    post: () => digits(5), phone: () => `0${digits(3)}-${digits(7)}`,
    id: () => ({ name: 'SVNR', value: `${digits(2)} ${digits(6)} ${pick(['M', 'S', 'K'])} ${digits(3)}` }) },
  { nat: 'FR', country: 'France', states: ['Gironde', 'Savoie', 'Vendée', 'Aisne'], cities: ['Nîmes', 'Orléans', 'Besançon', 'Créteil'],
    first: { male: ['Théo', 'Noé', 'Hugo'], female: ['Léa', 'Chloé', 'Inès'] }, last: ['Lefèvre', 'Girard', 'Mercier', 'Bonnet'],
    post: () => digits(5), phone: () => `0${digits(1)}-${digits(2)}-${digits(2)}-${digits(2)}-${digits(2)}`,
    id: () => ({ name: 'INSEE', value: `${digits(1)}${digits(12)} ${digits(2)}` }) },
  { nat: 'NL', country: 'Netherlands', states: ['Utrecht', 'Drenthe', 'Zeeland', 'Limburg'], cities: ['Utrecht', 'Assen', 'Goes', 'Venlo'],
    first: { male: ['Daan', 'Sem', 'Bram'], female: ['Fenna', 'Tess', 'Sanne'] }, last: ['de Vries', 'Bakker', 'Visser', 'Smit'],
    post: () => `${digits(4)} ${pick(['AB', 'KL', 'ZX'])}`, phone: () => `(0${digits(3)})-${digits(6)}`,
    id: () => ({ name: 'BSN', value: digits(8) }) },
  { nat: 'IR', country: 'Iran', states: ['Tehran', 'Fars', 'Gilan', 'Qom'], cities: ['تهران', 'شیراز', 'رشت', 'قم'],
    first: { male: ['آرش', 'محمد', 'علی'], female: ['نرگس', 'زهرا', 'مریم'] }, last: ['احمدی', 'کریمی', 'رضایی', 'موسوی'],
    post: () => digits(5), phone: () => `0${digits(2)}-${digits(8)}`,
    id: () => ({ name: '', value: null }) },
  { nat: 'CA', country: 'Canada', states: ['Ontario', 'Quebec', 'Manitoba', 'Yukon'], cities: ['Ottawa', 'Laval', 'Brandon', 'Whitehorse'],
    first: { male: ['Liam', 'Félix', 'Owen'], female: ['Charlotte', 'Zoé', 'Maya'] }, last: ['Roy', 'Gagnon', 'Wong', 'Martin'],
    post: () => `${pick(['K', 'H', 'R'])}${digits(1)}${pick(['A', 'B', 'C'])} ${digits(1)}${pick(['X', 'Y'])}${digits(1)}`, phone: () => `${digits(3)}-${digits(3)}-${digits(4)}`,
    id: () => ({ name: 'SIN', value: digits(9) }) },
];
const streets = ['Main Street', 'Church Road', 'Station Road', 'Mill Lane', 'High Street', 'Park Avenue', 'Lakeview Drive'];
const timezones = [
  { offset: '-5:00', description: 'Eastern Time (US & Canada), Bogota, Lima' },
  { offset: '0:00', description: 'Western Europe Time, London, Lisbon, Casablanca' },
  { offset: '+1:00', description: 'Brussels, Copenhagen, Madrid, Paris' },
  { offset: '+3:30', description: 'Tehran' },
  { offset: '+9:30', description: 'Adelaide, Darwin' },
  { offset: '-8:00', description: 'Pacific Time (US & Canada)' },
];
const titles = { male: ['Mr', 'Monsieur', 'Herr'], female: ['Ms', 'Mrs', 'Miss', 'Madame'] };
const words = ['silver', 'happy', 'tiny', 'brave', 'lazy', 'golden', 'purple', 'organic'];
const animals = ['fox', 'owl', 'cat', 'bear', 'swan', 'leopard', 'peacock', 'rabbit'];
const passwords = ['addison', 'hunter2', 'sunshine', 'dragon', 'qwerty12', 'letmein', 'corvette', 'stallion'];

const now = Date.UTC(2026, 10, 1);
const yearMs = 365.25 * 86400000;
const years = (ms) => Math.floor((now - ms) / yearMs);

function person() {
  const nat = pick(nations);
  const gender = rand() < 0.5 ? 'male' : 'female';
  const first = pick(nat.first[gender]);
  const last = pick(nat.last);
  const dob = now - Math.floor((18 + rand() * 62) * yearMs);
  const registered = now - Math.floor(rand() * 20 * yearMs);
  const password = pick(passwords);
  const salt = alnum(8);
  const portrait = `${gender === 'male' ? 'men' : 'women'}/${Math.floor(rand() * 100)}.jpg`;
  return {
    gender,
    name: { title: pick(titles[gender]), first, last },
    location: {
      street: { number: 1 + Math.floor(rand() * 9999), name: pick(streets) },
      city: pick(nat.cities),
      state: pick(nat.states),
      country: nat.country,
      postcode: nat.post(),
      coordinates: { latitude: (rand() * 180 - 90).toFixed(4), longitude: (rand() * 360 - 180).toFixed(4) },
      timezone: pick(timezones),
    },
    email: `${first}.${last}@example.com`.toLowerCase().replace(/\s+/g, ''),
    login: {
      uuid: uuid4(),
      username: `${pick(words)}${pick(animals)}${digits(3)}`,
      password,
      salt,
      md5: hash('md5', password + salt),
      sha1: hash('sha1', password + salt),
      sha256: hash('sha256', password + salt),
    },
    dob: { date: new Date(dob).toISOString(), age: years(dob) },
    registered: { date: new Date(registered).toISOString(), age: years(registered) },
    phone: nat.phone(),
    cell: nat.phone(),
    id: nat.id(),
    picture: {
      large: `https://randomuser.me/api/portraits/${portrait}`,
      medium: `https://randomuser.me/api/portraits/med/${portrait}`,
      thumbnail: `https://randomuser.me/api/portraits/thumb/${portrait}`,
    },
    nat: nat.nat,
  };
}

let buf = '';
for (let i = 0; i < n; i++) {
  buf += JSON.stringify(person()) + '\n';
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    buf = '';
  }
}
out.end(buf);
