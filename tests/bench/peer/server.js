'use strict';
// The usual Node stack, serving tdkt's two hottest reads over the same table (issue 15): Fastify,
// node-postgres with prepared statements, @fastify/jwt, node:cluster workers. Same answers as
// tdkt, byte for byte in the body (ids as numbers, times to the second, the same HMAC cursor),
// the same token checks (HS256, iss and aud "tdkt", exp/nbf with 60 s of leeway, sub, role,
// unit_id), the same session settings, and an access log line per request with "ms" and "peer"
// as tdkt's, so tests/bench/peer.sh reads both the same way.
//   PEER_LISTEN=127.0.0.1:PORT DATABASE_URL=... TDKT_JWT_SECRET=... PEER_WORKERS=2 PEER_POOL=2 node server.js
// PEER_POOL is per worker. Run by tests/bench/peer.sh only.
const cluster = require('node:cluster');
const crypto = require('node:crypto');

const workers = Number(process.env.PEER_WORKERS || 2);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (w, code, signal) => {
    if (!stopping) {
      console.error(`worker ${w.process.pid} died (${signal || code})`);
      process.exit(1);
    }
    if (Object.keys(cluster.workers).length === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
  });
  return;
}

const fastify = require('fastify');
const pg = require('pg');

const secret = process.env.TDKT_JWT_SECRET;
const [host, port] = (process.env.PEER_LISTEN || '127.0.0.1:8090').split(':');

// bigint as a JSON number (tdkt's ids), timestamptz as RFC 3339 to the second in UTC
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1184, (v) => v.slice(0, 10) + 'T' + v.slice(11, 19) + 'Z');
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.PEER_POOL || 2),
  options: '-c statement_timeout=5000 -c timezone=UTC -c datestyle=ISO',
  application_name: 'tdkt-bench-peer',
});

const COLS = 't.id, t.code, t.name, t.short_name, t.kind, t.parent_id, t.province_code, t.active, t.version, t.created_at, t.updated_at';
// peer.sh hands over the SQL the tdkt binary runs (`tdkt sql`: units_get, units_list)
const GET = process.env.PEER_GET_SQL || `SELECT ${COLS} FROM units t WHERE t.id = $1`;
const LIST = process.env.PEER_LIST_SQL || `SELECT ${COLS} FROM units t WHERE t.id > $1 ORDER BY t.id LIMIT $2`;

// the cursor: base64url(last id) "." base64url(12 bytes of HMAC-SHA256 under a key derived from
// the secret, over "units\0" + last id), as lib/cursor.c
const cursorKey = crypto.createHmac('sha256', secret).update('tdkt cursor v1').digest();
const mac = (payload) => crypto.createHmac('sha256', cursorKey).update('units\0' + payload).digest().subarray(0, 12);
const cursorEncode = (payload) => Buffer.from(payload).toString('base64url') + '.' + mac(payload).toString('base64url');
function cursorDecode(c) {
  const dot = c.indexOf('.');
  if (dot < 1) return null;
  const payload = Buffer.from(c.slice(0, dot), 'base64url').toString();
  const given = Buffer.from(c.slice(dot + 1), 'base64url');
  return given.length === 12 && crypto.timingSafeEqual(given, mac(payload)) && /^[1-9][0-9]{0,17}$/.test(payload) ? payload : null;
}

const nullable = (type) => ({ type: [type, 'null'] });
const unit = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, short_name: nullable('string'),
    kind: { type: 'string' }, parent_id: nullable('integer'), province_code: nullable('string'),
    active: { type: 'boolean' }, version: { type: 'integer' }, created_at: { type: 'string' }, updated_at: { type: 'string' },
  },
};
const problem = (reply, status, title, detail) =>
  reply.code(status).type('application/problem+json').send({ type: 'about:blank', title, status, detail });

// pino (Fastify's logger) to stdout, one line per request as tdkt's access log
const app = fastify({
  logger: { base: null, timestamp: () => `,"time":"${new Date().toISOString()}"` },
  disableRequestLogging: true,
});
app.register(require('@fastify/jwt'), {
  secret,
  verify: { algorithms: ['HS256'], allowedIss: 'tdkt', allowedAud: 'tdkt', clockTolerance: 60 },
});

const ROLES = new Set(['admin', 'authority', 'officer', 'viewer', 'integration']); // lib/auth.c
app.addHook('onRequest', async (request, reply) => {
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  let claims;
  try {
    claims = await request.jwtVerify();
  } catch {
    reply.header('www-authenticate', 'Bearer realm="tdkt"');
    return problem(reply, 401, 'Unauthorized', 'A valid bearer token is required.');
  }
  if (typeof claims.sub !== 'string' || !/^[1-9][0-9]{0,17}$/.test(claims.sub) || !ROLES.has(claims.role) ||
      !Number.isInteger(claims.unit_id) || claims.unit_id < 1) {
    return problem(reply, 401, 'Unauthorized', 'The token lacks sub, role or unit_id.');
  }
});
app.addHook('onResponse', async (request, reply) => {
  request.log.info({
    type: 'access', method: request.method, route: request.routeOptions.url, status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 1000) / 1000, peer: `${request.socket.remoteAddress}:${request.socket.remotePort}`,
  });
});

app.get('/v1/units/:id', { schema: { response: { 200: unit } } }, async (request, reply) => {
  const id = request.params.id;
  if (!/^[1-9][0-9]{0,17}$/.test(id)) return problem(reply, 404, 'Not Found', `Unit ${id} does not exist.`);
  const { rows } = await pool.query({ name: 'units_get', text: GET, values: [id] });
  if (rows.length === 0) return problem(reply, 404, 'Not Found', `Unit ${id} does not exist.`);
  const etag = `"${rows[0].version}"`;
  reply.header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return rows[0];
});

const page = { type: 'object', properties: { items: { type: 'array', items: unit }, next_cursor: nullable('string') } };
app.get('/v1/units', { schema: { response: { 200: page } } }, async (request, reply) => {
  const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return problem(reply, 400, 'Bad Request', 'limit must be 1 to 500.');
  let after = '0';
  if (request.query.cursor !== undefined) {
    after = cursorDecode(String(request.query.cursor));
    if (!after) return problem(reply, 400, 'Bad Request', 'The cursor is not valid for this list; start again without it.');
  }
  const { rows } = await pool.query({ name: 'units_list', text: LIST, values: [after, limit + 1] });
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { items: rows, next_cursor: more ? cursorEncode(String(rows[limit - 1].id)) : null };
});

// a clean stop (node --cpu-prof writes its profile on exit)
process.on('SIGTERM', () => {
  setTimeout(() => process.exit(0), 2000).unref();
  app.close().then(() => pool.end()).then(() => process.exit(0));
});
app.listen({ host, port: Number(port) }).catch((e) => {
  console.error(e);
  process.exit(1);
});
