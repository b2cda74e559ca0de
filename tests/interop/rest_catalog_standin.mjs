// A stand-in for an Iceberg REST catalog, for tests. It is NOT a real
// catalog: it implements the documented endpoints of the Iceberg REST
// catalog OpenAPI spec that lakepipe uses (GET /v1/config; namespaces: list,
// create, load, exists; tables: list, create, load, exists, commit with
// requirements and updates; POST /v1/oauth/tokens) and keeps its tables in
// memory, writing each table's metadata files as
// <location>/metadata/<NNNNN>-<uuid>.metadata.json under a local warehouse.
//
// Commits check the requirements assert-create, assert-table-uuid,
// assert-ref-snapshot-id, assert-current-schema-id,
// assert-last-assigned-field-id, assert-last-assigned-partition-id,
// assert-default-spec-id and assert-default-sort-order-id (a failed one is a
// 409 CommitFailedException) and apply the updates add-snapshot,
// set-snapshot-ref, remove-snapshot-ref, set-properties, remove-properties,
// add-schema, set-current-schema, add-spec, set-default-spec,
// add-sort-order, set-default-sort-order, set-location, assign-uuid and
// upgrade-format-version; anything else is a 400, as the spec requires.
//
// Fault modes (constructor `faults` or POST /control/faults, merged):
//   conflicts: N            the next N commits answer 409 without applying;
//   unavailableAfterApply: N  the next N commits are applied, then answer 503;
//   timeoutAfterApply: N    the next N commits are applied, then the answer is
//                           held for holdMs (default 5000) before the 200;
//   holdMs: ms
// Authentication (constructor `auth`), checked on every /v1 route but the
// token endpoint:
//   { token: 'T' }                       a fixed bearer token;
//   { clientId, clientSecret, tokenTtlSeconds }  OAuth2 client credentials
//       at POST /v1/oauth/tokens (form body or Basic header) issue tokens; an
//       expired token (after its ttl, or POST /control/expire-tokens) is a 419;
//   { sigv4: { accessKeyId, secretAccessKey, region, service } }  every request
//       must carry a valid AWS SigV4 Authorization header (non-S3 rules: the
//       path is encoded again), else 403.
// `prefix` (e.g. 'catalogs/123'): /v1/config returns it as the "prefix"
// override, and the catalog routes are served under /v1/<prefix>/ only.
//
// Control routes (no auth): POST /control/faults, POST /control/expire-tokens,
// GET /control/requests (every other request seen: method, path as sent,
// decoded query, headers, body), GET /control/tables (identifier → metadata-location).
//
//   import { startRestCatalog } from './rest_catalog_standin.mjs';
//   const catalog = await startRestCatalog({ warehouse: dir, faults: { conflicts: 1 } });
//   ... catalog.url ... catalog.setFaults({ unavailableAfterApply: 1 }) ... await catalog.stop();
//
// Run as a program: node rest_catalog_standin.mjs '<options as JSON>' prints
// {"url": ...} on one line and serves until killed.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const UNIT = '\x1f';

class HttpError extends Error {
  constructor(code, type, message) {
    super(message);
    this.code = code;
    this.type = type;
  }
}
const fail = (code, type, message) => {
  throw new HttpError(code, type, message);
};

// ---------------------------------------------------------------- metadata

function maxFieldId(type) {
  if (typeof type !== 'object' || type === null) return 0;
  let max = 0;
  if (type.type === 'struct') {
    for (const f of type.fields) max = Math.max(max, f.id, maxFieldId(f.type));
  } else if (type.type === 'list') {
    max = Math.max(type['element-id'], maxFieldId(type.element));
  } else if (type.type === 'map') {
    max = Math.max(type['key-id'], type['value-id'], maxFieldId(type.key), maxFieldId(type.value));
  }
  return max;
}

function emptyMetadata(location, uuid) {
  return {
    'format-version': 2,
    'table-uuid': uuid ?? randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': Date.now(),
    'last-column-id': 0,
    schemas: [],
    'current-schema-id': -1,
    'partition-specs': [],
    'default-spec-id': -1,
    'last-partition-id': 999,
    properties: {},
    'current-snapshot-id': -1,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [],
    'default-sort-order-id': -1,
    refs: {},
  };
}

const UPDATES = {
  'assign-uuid': (m, u) => { m['table-uuid'] = u.uuid; },
  'upgrade-format-version': (m, u) => {
    if (u['format-version'] < m['format-version']) fail(400, 'BadRequestException', 'cannot downgrade the format version');
    m['format-version'] = u['format-version'];
  },
  'set-location': (m, u) => { m.location = u.location; },
  'set-properties': (m, u) => { Object.assign(m.properties, u.updates); },
  'remove-properties': (m, u) => { for (const k of u.removals) delete m.properties[k]; },
  'add-schema': (m, u, s) => {
    const schema = { ...u.schema };
    const ids = m.schemas.map((x) => x['schema-id']);
    if (schema['schema-id'] === undefined || ids.includes(schema['schema-id'])) {
      schema['schema-id'] = ids.length ? Math.max(...ids) + 1 : 0;
    }
    m.schemas.push(schema);
    m['last-column-id'] = Math.max(m['last-column-id'], maxFieldId(schema), u['last-column-id'] ?? 0);
    s.lastSchema = schema['schema-id'];
  },
  'set-current-schema': (m, u, s) => {
    const id = u['schema-id'] === -1 ? s.lastSchema : u['schema-id'];
    if (!m.schemas.some((x) => x['schema-id'] === id)) fail(400, 'BadRequestException', `no schema ${u['schema-id']}`);
    m['current-schema-id'] = id;
  },
  'add-spec': (m, u, s) => {
    const spec = { ...u.spec, fields: u.spec.fields.map((f) => ({ ...f })) };
    const ids = m['partition-specs'].map((x) => x['spec-id']);
    if (spec['spec-id'] === undefined || ids.includes(spec['spec-id'])) {
      spec['spec-id'] = ids.length ? Math.max(...ids) + 1 : 0;
    }
    for (const f of spec.fields) {
      if (f['field-id'] === undefined) f['field-id'] = ++m['last-partition-id'];
      m['last-partition-id'] = Math.max(m['last-partition-id'], f['field-id']);
    }
    m['partition-specs'].push(spec);
    s.lastSpec = spec['spec-id'];
  },
  'set-default-spec': (m, u, s) => {
    const id = u['spec-id'] === -1 ? s.lastSpec : u['spec-id'];
    if (!m['partition-specs'].some((x) => x['spec-id'] === id)) fail(400, 'BadRequestException', `no spec ${u['spec-id']}`);
    m['default-spec-id'] = id;
  },
  'add-sort-order': (m, u, s) => {
    const order = { ...u['sort-order'] };
    const ids = m['sort-orders'].map((x) => x['order-id']);
    if (order['order-id'] === undefined || ids.includes(order['order-id'])) {
      order['order-id'] = ids.length ? Math.max(...ids) + 1 : 0;
    }
    m['sort-orders'].push(order);
    s.lastOrder = order['order-id'];
  },
  'set-default-sort-order': (m, u, s) => {
    const id = u['sort-order-id'] === -1 ? s.lastOrder : u['sort-order-id'];
    if (!m['sort-orders'].some((x) => x['order-id'] === id)) fail(400, 'BadRequestException', `no sort order ${u['sort-order-id']}`);
    m['default-sort-order-id'] = id;
  },
  'add-snapshot': (m, u) => {
    const snap = u.snapshot;
    if (m.snapshots.some((x) => x['snapshot-id'] === snap['snapshot-id'])) {
      fail(400, 'BadRequestException', `snapshot ${snap['snapshot-id']} already exists`);
    }
    const seq = snap['sequence-number'] ?? m['last-sequence-number'] + 1;
    if (seq <= m['last-sequence-number'] && m.snapshots.length) {
      fail(400, 'BadRequestException', `sequence number ${seq} is not above ${m['last-sequence-number']}`);
    }
    m.snapshots.push({ ...snap, 'sequence-number': seq });
    m['last-sequence-number'] = seq;
  },
  'set-snapshot-ref': (m, u) => {
    const id = u['snapshot-id'];
    if (!m.snapshots.some((x) => x['snapshot-id'] === id)) fail(400, 'BadRequestException', `no snapshot ${id}`);
    const { action, 'ref-name': name, ...ref } = u;
    m.refs[name] = ref;
    if (name === 'main') {
      m['current-snapshot-id'] = id;
      m['snapshot-log'].push({ 'timestamp-ms': Date.now(), 'snapshot-id': id });
    }
  },
  'remove-snapshot-ref': (m, u) => {
    delete m.refs[u['ref-name']];
    if (u['ref-name'] === 'main') m['current-snapshot-id'] = -1;
  },
};

function refSnapshot(m, ref) {
  return m.refs[ref]?.['snapshot-id'] ?? null;
}

const REQUIREMENTS = {
  'assert-create': (m) => m === null || 'the table already exists',
  'assert-table-uuid': (m, r) => m['table-uuid'] === r.uuid || `table uuid is ${m['table-uuid']}, not ${r.uuid}`,
  'assert-ref-snapshot-id': (m, r) => {
    const have = refSnapshot(m, r.ref);
    const want = r['snapshot-id'] ?? null;
    if (have === want) return true;
    return want === null ? `ref ${r.ref} exists (snapshot ${have})` : `ref ${r.ref} is at snapshot ${have}, not ${want}`;
  },
  'assert-current-schema-id': (m, r) => m['current-schema-id'] === r['current-schema-id'] ||
    `current schema id is ${m['current-schema-id']}, not ${r['current-schema-id']}`,
  'assert-last-assigned-field-id': (m, r) => m['last-column-id'] === r['last-assigned-field-id'] ||
    `last assigned field id is ${m['last-column-id']}, not ${r['last-assigned-field-id']}`,
  'assert-last-assigned-partition-id': (m, r) => m['last-partition-id'] === r['last-assigned-partition-id'] ||
    `last assigned partition id is ${m['last-partition-id']}, not ${r['last-assigned-partition-id']}`,
  'assert-default-spec-id': (m, r) => m['default-spec-id'] === r['default-spec-id'] ||
    `default spec id is ${m['default-spec-id']}, not ${r['default-spec-id']}`,
  'assert-default-sort-order-id': (m, r) => m['default-sort-order-id'] === r['default-sort-order-id'] ||
    `default sort order id is ${m['default-sort-order-id']}, not ${r['default-sort-order-id']}`,
};

// Checks every requirement against `base` (null: no table), then applies the
// updates to a copy; throws 400 for unknown types, 409 for a failed requirement.
function applyCommit(base, requirements, updates, location) {
  for (const r of requirements) {
    const check = REQUIREMENTS[r.type];
    if (!check) fail(400, 'BadRequestException', `unknown requirement type ${JSON.stringify(r.type)}`);
    if (base === null && r.type !== 'assert-create') fail(404, 'NoSuchTableException', 'the table does not exist');
    const ok = check(base, r);
    if (ok !== true) fail(409, 'CommitFailedException', `Requirement failed: ${r.type}: ${ok}`);
  }
  for (const u of updates) {
    if (!UPDATES[u.action]) fail(400, 'BadRequestException', `unknown update action ${JSON.stringify(u.action)}`);
  }
  const next = base === null ? emptyMetadata(location) : structuredClone(base);
  const state = {};
  for (const u of updates) UPDATES[u.action](next, u, state);
  next['last-updated-ms'] = Date.now();
  return next;
}

// ------------------------------------------------------------------ SigV4

const encode = (s, keepSlash) =>
  [...Buffer.from(s, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
    return '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }).join('');
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

// Checks an AWS SigV4 Authorization header the way AWS does for services
// other than S3: the canonical URI is the request path (as sent, already
// encoded) encoded once more. Returns null when valid, else why not.
function checkSigV4(req, rawPath, rawQuery, body, cfg) {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return `not a SigV4 Authorization header: ${JSON.stringify(auth)}`;
  const [, akid, date, region, service, signedHeaders, signature] = m;
  if (akid !== cfg.accessKeyId) return `unknown access key ${akid}`;
  if (region !== cfg.region || service !== cfg.service) return `scope ${region}/${service}, expected ${cfg.region}/${cfg.service}`;
  const amzDate = req.headers['x-amz-date'] ?? '';
  if (!amzDate.startsWith(date)) return `x-amz-date ${amzDate} does not match the scope date ${date}`;
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date']) if (!names.includes(required)) return `${required} is not signed`;
  if (cfg.sessionToken && req.headers['x-amz-security-token'] !== cfg.sessionToken) return 'x-amz-security-token is missing or wrong';
  const query = rawQuery === '' ? [] : rawQuery.split('&').map((kv) => {
    const [k, v = ''] = kv.split('=');
    return [encode(decodeURIComponent(k), false), encode(decodeURIComponent(v), false)];
  });
  query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const canonical = [
    req.method,
    encode(rawPath, true),
    query.map(([k, v]) => `${k}=${v}`).join('&'),
    names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
    signedHeaders,
    sha256(body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac('AWS4' + cfg.secretAccessKey, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return expected === signature ? null : `signature mismatch; canonical request was:\n${canonical}`;
}

// ------------------------------------------------------------------ server

const readBody = (req) =>
  new Promise((ok, bad) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', bad);
  });

const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(400, 'BadRequestException', `the body is not JSON: ${e.message}`);
  }
};

export async function startRestCatalog({
  warehouse,
  faults = {},
  auth = {},
  prefix = '',
  port = 0,
  defaults = {},
  overrides = {},
} = {}) {
  if (!warehouse) throw new Error('startRestCatalog needs a warehouse directory');
  // Locations keep the form the warehouse was given in (a path or file:// URI).
  const warehouseDir = warehouse.startsWith('file://') ? fileURLToPath(warehouse) : resolve(warehouse);
  const warehouseRoot = warehouse.replace(/\/+$/, '');
  mkdirSync(warehouseDir, { recursive: true });
  const statePath = join(warehouseDir, '.rest-catalog-standin.json');
  const state = existsSync(statePath)
    ? JSON.parse(readFileSync(statePath, 'utf8'))
    : { namespaces: {}, tables: {} };  // ns key → properties; ns key + '.' + name → { location, version }
  const save = () => writeFileSync(statePath, JSON.stringify(state));
  let pending = { conflicts: 0, unavailableAfterApply: 0, timeoutAfterApply: 0, holdMs: 5000 };
  const setFaults = (f = {}) => {
    pending = { ...pending, ...f };
  };
  setFaults(faults);
  const tokens = new Map();  // token → expiry (ms since epoch)
  const requests = [];

  const tableKey = (ns, name) => `${ns.join(UNIT)}\x00${name}`;
  const localPath = (uri) => {
    if (uri.startsWith('file://')) return fileURLToPath(uri);
    if (isAbsolute(uri)) return uri;
    return null;
  };
  const loadTable = (ns, name) => {
    const t = state.tables[tableKey(ns, name)];
    if (!t) return null;
    return { ...t, metadata: JSON.parse(readFileSync(localPath(t.metadataLocation), 'utf8')) };
  };
  const writeTable = (ns, name, metadata, previous) => {
    const version = previous ? previous.version + 1 : 0;
    let dir = `${metadata.location}/metadata`;
    if (localPath(dir) === null) dir = `${warehouseRoot}/${[...ns, name].join('/')}/metadata`;
    const metadataLocation = `${dir}/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
    if (previous) {
      metadata['metadata-log'] = [
        ...metadata['metadata-log'],
        { 'timestamp-ms': previous.metadata['last-updated-ms'], 'metadata-file': previous.metadataLocation },
      ];
    }
    const path = localPath(metadataLocation);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(metadata, null, 2), { flag: 'wx' });
    state.tables[tableKey(ns, name)] = { namespace: ns, name, metadataLocation, version };
    save();
    return { 'metadata-location': metadataLocation, metadata, config: {} };
  };

  const checkAuth = (req, rawPath, rawQuery, body) => {
    if (auth.sigv4) {
      const why = checkSigV4(req, rawPath, rawQuery, body, auth.sigv4);
      if (why) fail(403, 'NotAuthorizedException', `SigV4: ${why}`);
      return;
    }
    if (!auth.token && !auth.clientId) return;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) fail(401, 'NotAuthorizedException', 'a bearer token is required');
    if (auth.token && m[1] === auth.token) return;
    const expiry = tokens.get(m[1]);
    if (expiry === undefined) fail(401, 'NotAuthorizedException', 'unknown bearer token');
    if (Date.now() >= expiry) fail(419, 'AuthenticationTimeoutException', 'the token has expired');
  };

  const issueToken = (req, body) => {
    const form = new URLSearchParams(body);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    const oauthError = (code, error, description) => ({ status: code, json: { error, error_description: description } });
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `grant_type ${form.get('grant_type')}`);
    if (!auth.clientId || id !== auth.clientId || secret !== auth.clientSecret) return oauthError(401, 'invalid_client', 'bad client credentials');
    const token = `standin-${randomUUID()}`;
    const ttl = auth.tokenTtlSeconds ?? 3600;
    tokens.set(token, Date.now() + ttl * 1000);
    return {
      status: 200,
      json: { access_token: token, token_type: 'bearer', expires_in: ttl, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
    };
  };

  const namespaceOf = (segment) => decodeURIComponent(segment).split(UNIT);
  const requireNamespace = (ns) => {
    if (!(ns.join(UNIT) in state.namespaces)) fail(404, 'NoSuchNamespaceException', `namespace ${ns.join('.')} does not exist`);
  };

  // Routes under /v1/<prefix>/; `rest` is the path split on '/' (still encoded).
  const catalogRoute = async (method, rest, query, body) => {
    if (rest[0] !== 'namespaces') fail(404, 'NoSuchResourceException', `no route ${rest.join('/')}`);
    if (rest.length === 1) {
      if (method === 'GET') {
        const parent = query.get('parent');
        const levels = parent ? parent.split(UNIT) : [];
        const all = Object.keys(state.namespaces).map((k) => k.split(UNIT));
        const children = all.filter((n) => n.length === levels.length + 1 && levels.every((l, i) => n[i] === l));
        return { status: 200, json: { namespaces: children, 'next-page-token': null } };
      }
      if (method === 'POST') {
        const req = parseJson(body);
        if (!Array.isArray(req.namespace) || req.namespace.length === 0) fail(400, 'BadRequestException', 'namespace must be a non-empty array');
        const key = req.namespace.join(UNIT);
        if (key in state.namespaces) fail(409, 'AlreadyExistsException', `namespace ${req.namespace.join('.')} already exists`);
        state.namespaces[key] = req.properties ?? {};
        save();
        return { status: 200, json: { namespace: req.namespace, properties: state.namespaces[key] } };
      }
    }
    const ns = namespaceOf(rest[1]);
    if (rest.length === 2) {
      requireNamespace(ns);
      if (method === 'HEAD') return { status: 204 };
      if (method === 'GET') return { status: 200, json: { namespace: ns, properties: state.namespaces[ns.join(UNIT)] } };
    }
    if (rest[2] !== 'tables') fail(404, 'NoSuchResourceException', `no route ${rest.join('/')}`);
    requireNamespace(ns);
    if (rest.length === 3) {
      if (method === 'GET') {
        const identifiers = Object.values(state.tables)
          .filter((t) => t.namespace.join(UNIT) === ns.join(UNIT))
          .map((t) => ({ namespace: t.namespace, name: t.name }));
        return { status: 200, json: { identifiers, 'next-page-token': null } };
      }
      if (method === 'POST') return createTable(ns, parseJson(body));
    }
    if (rest.length !== 4) fail(404, 'NoSuchResourceException', `no route ${rest.join('/')}`);
    const name = decodeURIComponent(rest[3]);
    if (method === 'POST') return commitTable(ns, name, parseJson(body));
    const table = loadTable(ns, name);
    if (!table) fail(404, 'NoSuchTableException', `table ${[...ns, name].join('.')} does not exist`);
    if (method === 'HEAD') return { status: 204 };
    if (method === 'GET') return { status: 200, json: { 'metadata-location': table.metadataLocation, metadata: table.metadata, config: {} } };
    fail(405, 'BadRequestException', `${method} is not supported here`);
  };

  const createTable = (ns, req) => {
    if (typeof req.name !== 'string' || !req.schema) fail(400, 'BadRequestException', 'name and schema are required');
    if (req['stage-create']) fail(400, 'BadRequestException', 'this stand-in does not stage creates');
    if (loadTable(ns, req.name)) fail(409, 'AlreadyExistsException', `table ${[...ns, req.name].join('.')} already exists`);
    const location = (req.location ?? `${warehouseRoot}/${[...ns, req.name].join('/')}`).replace(/\/+$/, '');
    const spec = req['partition-spec'] ?? { 'spec-id': 0, fields: [] };
    const order = req['write-order'] ?? { 'order-id': 0, fields: [] };
    const updates = [
      { action: 'add-schema', schema: req.schema },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': order },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-properties', updates: req.properties ?? {} },
    ];
    const metadata = applyCommit(null, [], updates, location);
    return { status: 200, json: writeTable(ns, req.name, metadata, null) };
  };

  const commitTable = async (ns, name, req) => {
    if (!Array.isArray(req.requirements) || !Array.isArray(req.updates)) {
      fail(400, 'BadRequestException', 'requirements and updates are required arrays');
    }
    if (pending.conflicts > 0) {
      pending.conflicts--;
      fail(409, 'CommitFailedException', 'injected conflict: another commit went first');
    }
    const base = loadTable(ns, name);
    if (!base && !req.requirements.some((r) => r.type === 'assert-create')) {
      fail(404, 'NoSuchTableException', `table ${[...ns, name].join('.')} does not exist`);
    }
    const location = `${warehouseRoot}/${[...ns, name].join('/')}`;
    const metadata = applyCommit(base?.metadata ?? null, req.requirements, req.updates, location);
    const result = writeTable(ns, name, metadata, base);
    if (pending.unavailableAfterApply > 0) {
      pending.unavailableAfterApply--;
      fail(503, 'ServiceUnavailableException', 'injected: the commit was applied, then the service failed');
    }
    if (pending.timeoutAfterApply > 0) {
      pending.timeoutAfterApply--;
      return { status: 200, json: result, holdMs: pending.holdMs };
    }
    return { status: 200, json: result };
  };

  const route = async (req, url, body) => {
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (parts[0] === 'control') {
      if (req.method === 'POST' && parts[1] === 'faults') {
        setFaults(parseJson(body || '{}'));
        return { status: 200, json: pending };
      }
      if (req.method === 'POST' && parts[1] === 'expire-tokens') {
        for (const t of tokens.keys()) tokens.set(t, 0);
        return { status: 200, json: { expired: tokens.size } };
      }
      if (req.method === 'GET' && parts[1] === 'requests') return { status: 200, json: requests };
      if (req.method === 'GET' && parts[1] === 'tables') {
        return { status: 200, json: Object.fromEntries(Object.values(state.tables).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation])) };
      }
      fail(404, 'NoSuchResourceException', `no control route ${url.pathname}`);
    }
    if (parts[0] !== 'v1') fail(404, 'NoSuchResourceException', `no route ${url.pathname}`);
    if (req.method === 'POST' && parts[1] === 'oauth' && parts[2] === 'tokens') return issueToken(req, body);
    const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    checkAuth(req, req.url.split('?')[0], rawQuery, body);
    if (req.method === 'GET' && parts[1] === 'config' && parts.length === 2) {
      const o = { ...overrides };
      if (prefix) o.prefix = prefix;
      return { status: 200, json: { defaults, overrides: o } };
    }
    let rest = parts.slice(1);
    if (prefix) {
      const want = prefix.split('/').filter((p) => p !== '');
      if (!want.every((p, i) => decodeURIComponent(rest[i] ?? '') === p)) {
        fail(404, 'NoSuchResourceException', `no route ${url.pathname} (the prefix is ${prefix})`);
      }
      rest = rest.slice(want.length);
    }
    return catalogRoute(req.method, rest, url.searchParams, body);
  };

  const server = createServer(async (req, res) => {
    let out;
    let body = '';
    try {
      body = await readBody(req);
      const url = new URL(req.url, 'http://localhost');
      if (!url.pathname.startsWith('/control/')) {
        requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      }
      out = await route(req, url, body);
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      const type = e instanceof HttpError ? e.type : 'InternalServerError';
      out = { status: code, json: { error: { message: e.message, type, code } } };
    }
    const send = () => {
      if (out.json === undefined) {
        res.writeHead(out.status).end();
      } else {
        const text = JSON.stringify(out.json);
        res.writeHead(out.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
      }
    };
    if (out.holdMs) setTimeout(send, out.holdMs).unref();
    else send();
  });
  await new Promise((ok, bad) => {
    server.once('error', bad);
    server.listen(port, '127.0.0.1', ok);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    setFaults,
    stop: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const catalog = await startRestCatalog(JSON.parse(process.argv[2] ?? '{}'));
  process.stdout.write(JSON.stringify({ url: catalog.url }) + '\n');
  // The state is written synchronously, so there is nothing to wait for.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
