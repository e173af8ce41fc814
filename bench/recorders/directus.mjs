// Records Directus's system schema as a sqlx history: its first tables (the seeds a new install
// starts from), then each migration, as the server got them (parameters written in as literals).
//
//   node directus.mjs OUT        (run where `npm install @directus/api pg` put them)
//
// The server is PGHOST/PGPORT (default /tmp, 5432), where PGUSER (default postgres) creates
// databases. Directus runs its migrations outside a transaction; a statement that failed (a
// migration may catch the error) did nothing and is not recorded.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const out = process.argv[2];
const conn = {host: process.env.PGHOST || '/tmp', port: Number(process.env.PGPORT || 5432), user: process.env.PGUSER || 'postgres'};
const db = 'rec_directus';
Object.assign(process.env, {DB_CLIENT: 'pg', DB_HOST: conn.host, DB_PORT: String(conn.port), DB_DATABASE: db, DB_USER: conn.user,
  LOG_LEVEL: 'silent', SECRET: 'x', CACHE_ENABLED: 'false'});

const admin = new pg.Client({...conn, database: 'postgres'});
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${db}`);
await admin.query(`CREATE DATABASE ${db}`);
await admin.end();

const {getDatabase} = await import('@directus/api/database/index');
const runSeed = (await import('@directus/api/database/seeds/run')).default;
const runMigrations = (await import('@directus/api/database/migrations/run')).default;

function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  return pg.Client.prototype.escapeLiteral(typeof v === 'object' ? JSON.stringify(v) : String(v));
}
function text(q) {
  const rest = [...(q.bindings || [])];
  const sql = rest.length ? q.sql.replace(/\$(\d+)|\?/g, (m, n) => literal(n ? q.bindings[Number(n) - 1] : rest.shift())) : q.sql;
  return sql.trim().replace(/;\s*$/, '');
}
const CATALOG_READ = /^\s*(select|show)\b[\s\S]*(information_schema|pg_catalog|pg_class|pg_namespace|pg_index|current_schema\(\)|version\(\)|server_version)/i;

let seen = [];
let n = 0;
fs.mkdirSync(out, {recursive: true});
function flush(name) {
  n += 1;
  fs.writeFileSync(path.join(out, `${String(n).padStart(4, '0')}_${name}.sql`), seen.map((s) => `${s};\n`).join('\n'));
  seen = [];
}
const database = getDatabase();
database.on('query', (q) => {
  const s = text(q);
  const done = /^insert into "directus_migrations"/i.test(s) && /values \('([^']*)', '([^']*)'\)/i.exec(s);
  if (done) flush(`${done[2]}_${done[1].replace(/[^A-Za-z0-9]+/g, '_')}`);
  else if (!/directus_migrations/.test(s) && !CATALOG_READ.test(s) && !/^(BEGIN|COMMIT|ROLLBACK)$/i.test(s)) seen.push(s);
});
database.on('query-error', (e, q) => {
  const i = seen.lastIndexOf(text(q));
  if (i >= 0) seen.splice(i, 1);
});
await runSeed(database);
flush('seed');
await runMigrations(database, 'latest', false);
await database.destroy();
console.log(`${n} files`);
process.exit(0);
