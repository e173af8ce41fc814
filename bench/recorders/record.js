// Records a Node ORM's migrations, run on an empty PostgreSQL database, as a sqlx history: one file
// per migration, its statements as the server got them (parameters written in as literals).
//
//   node record.js knex    DIR OUT [DB]   a knex migrations folder (Backstage's plugins)
//   node record.js typeorm DIR OUT [DB]   a folder of compiled TypeORM migrations (Medusa 1.x)
//   node record.js n8n     -   OUT [DB]   @n8n/db's postgres migrations, wrapped as n8n runs them
//   node record.js kysely  DIR OUT [DB]   compiled Kysely migrations that DIR/index.js exports (Bluesky's AppView)
//   node record.js dbmigrate DIR OUT [DB]  db-migrate's migrations in DIR/migrations, one by one (Unleash's dist/)
//   node record.js evershop DIR OUT [DB]  EverShop's install (DIR: the unpacked @evershop/evershop package): its
//                                          admin_user table, then each core module's Version-X.Y.Z.js in
//                                          the installer's module order and version order
//   node record.js mikroorm DIR OUT [DB] MODULE...   Medusa 2's modules' MikroORM migrations, module after
//                                          module (DIR holds each unpacked `@medusajs/<module>` as
//                                          medusajs-<module>-<version>/package): the Migration class
//                                          is a stand-in whose addSql queues and execute runs at once
//
// Needs `npm install knex pg` or `typeorm pg` (n8n: `@n8n/db pg`; `kysely@0.22 pg`; `ulid pg`; `db-migrate@0.11 db-migrate-pg@1.5 async pg`;
// `@evershop/postgres-query-builder@2 pg`) where Node finds them, and a
// server at PGHOST/PGPORT (default /tmp, 5432) where user PGUSER (default postgres) creates databases.
'use strict';
const fs = require('fs');
const path = require('path');
const pg = require('pg');

const [kind, dir, out, db = `rec_${kind}`, ...modules] = process.argv.slice(2);
const conn = {host: process.env.PGHOST || '/tmp', port: Number(process.env.PGPORT || 5432), user: process.env.PGUSER || 'postgres'};

function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  // Quoted, as the driver sends a parameter: untyped text the server reads as the column's type
  // (a bare 1 is an integer, which a boolean column refuses).
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `'${String(v)}'`;
  if (v instanceof Date) return `'${v.toISOString()}'`;
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'`;
  return pg.Client.prototype.escapeLiteral(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

function inline(sql, params) {
  if (!params || !params.length) return sql;
  const rest = [...params];
  return sql.replace(/\$(\d+)|\?/g, (m, n) => (n ? literal(params[Number(n) - 1]) : literal(rest.shift())));
}

// The tool's own bookkeeping and the catalog reads that only steer it are not the history.
const BOOKKEEPING = /knex_migrations|"migrations"/;
const CATALOG_READ = /^\s*(select|show)\b[\s\S]*(information_schema|pg_catalog|pg_class|pg_namespace|pg_index|current_schema\(\)|version\(\)|server_version)/i;

function write(n, name, statements, transactional) {
  const head = transactional ? '' : '-- no-transaction\n';
  fs.writeFileSync(path.join(out, `${String(n).padStart(4, '0')}_${name}.sql`), head + statements.map((s) => `${s};\n`).join('\n'));
}

async function freshDatabase() {
  const admin = new pg.Client({...conn, database: 'postgres'});
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
}

async function knex() {
  const knex = require('knex')({client: 'pg', connection: {...conn, database: db}});
  let seen = [];
  const text = (q) => inline(q.sql, q.bindings).trim().replace(/;\s*$/, '');
  knex.on('query', (q) => seen.push(text(q)));
  // A statement that failed (a migration may catch the error) did nothing: it is not the history.
  knex.on('query-error', (e, q) => { const i = seen.lastIndexOf(text(q)); if (i >= 0) seen.splice(i, 1); });
  const cfg = {directory: dir, loadExtensions: ['.js']};
  const real = (s) => !/^(BEGIN|COMMIT)$/i.test(s);
  for (let n = 1; ; n += 1) {
    const [, pending] = await knex.migrate.list(cfg);
    if (!pending.length) break;
    seen = [];
    const [, names] = await knex.migrate.up(cfg);
    const mod = require(path.join(dir, names[0]));
    const transactional = !(mod.config && mod.config.transaction === false);
    const mine = seen.filter((s) => !BOOKKEEPING.test(s) && !CATALOG_READ.test(s));
    let body = [];
    if (transactional) body = mine.filter(real);
    else {
      // Outside a transaction: its own BEGIN ... COMMIT stay, the empty ones knex's lock leaves go.
      const first = mine.findIndex(real);
      for (const s of first < 0 ? [] : mine.slice(first - (first > 0 && /^BEGIN$/i.test(mine[first - 1]) ? 1 : 0))) {
        if (/^COMMIT$/i.test(s) && body.length && /^BEGIN$/i.test(body[body.length - 1])) body.pop();
        else body.push(s);
      }
    }
    write(n, path.basename(names[0], '.js'), body, transactional);
  }
  await knex.destroy();
}

async function typeorm(migrations, options, DataSource) {
  let seen = [];
  let n = 0;
  class Logger {
    logQuery(q, params) {
      const s = inline(q, params).trim().replace(/;\s*$/, '');
      if (/^INSERT INTO "migrations"\("timestamp", "name"\)/.test(q)) {
        n += 1;
        write(n, params[1].replace(/\d+$/, ''), seen, true);
        seen = [];
      } else if (!/^(START TRANSACTION|COMMIT|ROLLBACK)$/i.test(s) && !BOOKKEEPING.test(s) && !CATALOG_READ.test(s)) {
        seen.push(s);
      }
    }
    logQueryError(e, q) { console.error(e, q); }
    logQuerySlow() {}
    logSchemaBuild() {}
    logMigration() {}
    log() {}
  }
  const ds = new DataSource({type: 'postgres', ...conn, username: conn.user, database: db, migrations, migrationsTableName: 'migrations',
    logging: true, logger: new Logger(), ...options});
  await ds.initialize();
  await ds.runMigrations({transaction: 'each'});
  await ds.destroy();
}

async function kysely() {
  const {Kysely, PostgresDialect} = require('kysely');
  let seen = [];
  const k = new Kysely({dialect: new PostgresDialect({pool: new pg.Pool({...conn, database: db, max: 1})}),
    log: (e) => { if (e.level === 'query') seen.push(inline(e.query.sql, e.query.parameters).trim().replace(/;\s*$/, '')); }});
  let n = 0;
  for (const [name, mig] of Object.entries(require(path.join(dir, 'index.js'))).sort(([a], [b]) => a.localeCompare(b))) {
    seen = [];
    await k.transaction().execute(async (tx) => { await mig.up(tx); });
    const body = seen.filter((s) => s && !/^(begin|commit|rollback)$/i.test(s));
    if (body.length) write(++n, name.replace(/[^A-Za-z0-9]/g, '_'), body, true);
  }
  await k.destroy();
}

async function mikroorm() {
  // Medusa's migrations extend MikroORM's Migration: a stand-in that queues addSql() and runs
  // execute() at once (its reads steer the migration; its writes are the history, ahead of the queue).
  class Migration {
    constructor(client) { this.client = client; this.queries = []; }
    addSql(q) { this.queries.push(q); }
    async execute(q) { this.client.executed.push(q); return (await this.client.query(q)).rows; }
  }
  const Module = require('module');
  const resolve = Module._resolveFilename;
  const stand = {Migration, generatePostgresAlterColummnIfExistStatement: alterIfExists};
  for (const name of ['@medusajs/framework/mikro-orm/migrations', '@medusajs/deps/mikro-orm/migrations', '@mikro-orm/migrations',
    '@medusajs/framework/utils']) require.cache[name] = {id: name, filename: name, loaded: true, exports: stand};
  Module._resolveFilename = function (request, ...rest) { return request in require.cache ? request : resolve.call(this, request, ...rest); };
  const c = new pg.Client({...conn, database: db});
  await c.connect();
  let n = 0;
  for (const mod of modules) {
    const pkg = fs.readdirSync(dir).find((d) => d.startsWith(`medusajs-${mod}-`));
    const folder = path.join(dir, pkg, 'package/dist/migrations');
    for (const f of fs.readdirSync(folder).filter((x) => x.endsWith('.js')).sort()) {
      const Cls = Object.values(require(path.join(folder, f))).find((v) => typeof v === 'function');
      c.executed = [];
      await c.query('BEGIN');
      const m = new Cls(c);
      await m.up();
      for (const q of m.queries) await c.query(q);
      await c.query('COMMIT');
      const body = [...c.executed.filter((q) => !/^\s*select\b/i.test(q)), ...m.queries].map((q) => q.trim().replace(/;\s*$/, '')).filter(Boolean);
      if (body.length) write(++n, `${mod.replace(/-/g, '_')}_${f.replace(/\.js$/, '')}`, body, true);
    }
  }
  await c.end();
}

async function dbmigrate() {
  // db-migrate (Unleash): DIR holds its migrations/ folder; each `up(1)` runs one. What pg's
  // client sends is noted, less db-migrate's own table and the search path it asks and sets.
  let seen = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, ...rest) {
    const text = typeof config === 'string' ? config : config.text;
    seen.push(inline(text, Array.isArray(values) ? values : config && config.values).trim().replace(/;\s*$/, ''));
    return query.call(this, config, values, ...rest);
  };
  const dbm = require('db-migrate').getInstance(true, {cwd: dir, config: {custom: {driver: 'pg', ...conn, database: db}}, env: 'custom'});
  dbm.silence(true);
  const names = fs.readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.js')).sort();
  for (const [i, name] of names.entries()) {
    seen = [];
    await dbm.up(1);
    const own = /"?migrations"?\s*(\(|where|values|order|limit|$)|FROM\s+"?migrations"?|INTO\s+"?migrations"?|pg_tables|^SHOW search_path$|^SET search_path TO "\$user","public"$/i;
    write(i + 1, name.replace(/\.js$/, ''), seen.filter((q) => q && !/^(BEGIN|COMMIT|START TRANSACTION)$/i.test(q) && !own.test(q) && !CATALOG_READ.test(q)), true);
  }
}

async function evershop() {
  // The migrations are ES modules that call the query builder on the connection they are given; the
  // two that import the application (a logger, the config, an order status helper) get stand-ins:
  // on a new install they read nothing. Copied beside the recorder, where Node finds the builder.
  const work = fs.mkdtempSync(path.join(process.cwd(), '.evershop-'));
  fs.writeFileSync(path.join(work, 'package.json'), '{"type": "module"}');
  fs.writeFileSync(path.join(work, 'stub.js'), "export const warning = () => {};\nexport const getConfig = (k, d) => d ?? null;\n" +
    "export const resolveOrderStatus = () => 'new';\n");
  const order = [...fs.readFileSync(path.join(dir, 'dist/bin/lib/loadModules.js'), 'utf8').matchAll(/name: '(\w+)'/g)].map((m) => m[1]);
  const c = new pg.Client({...conn, database: db});
  await c.connect();
  c.release = () => {};
  let seen = [];
  const query = c.query.bind(c);
  c.query = (config, values, ...rest) => {
    const text = typeof config === 'string' ? config : config.text;
    const s = inline(text, Array.isArray(values) ? values : config && config.values).trim().replace(/;\s*$/, '');
    if (!/^(BEGIN|COMMIT|ROLLBACK)$/i.test(s) && !/^\s*select\b/i.test(s)) seen.push(s);
    return query(config, values, ...rest);
  };
  const install = fs.readFileSync(path.join(dir, 'dist/bin/install/index.js'), 'utf8').match(/`(CREATE TABLE IF NOT EXISTS "admin_user"[^`]*)`/)[1];
  await c.query(install);
  let n = 0;
  write(++n, 'install', seen, true);
  const version = (f) => f.slice(8, -3).split('.').map(Number);
  for (const mod of order) {
    const folder = path.join(dir, 'dist/modules', mod, 'migration');
    if (!fs.existsSync(folder)) continue;
    const files = fs.readdirSync(folder).filter((f) => /^Version-\d+\.\d+\.\d+\.js$/.test(f))
      .sort((a, b) => { const [x, y] = [version(a), version(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    for (const f of files) {
      const copy = path.join(work, `${mod}_${f}`);
      fs.writeFileSync(copy, fs.readFileSync(path.join(folder, f), 'utf8').replace(/from '\.\.?\/[^']*'/g, "from './stub.js'"));
      seen = [];
      await c.query('BEGIN');
      await (await import(copy)).default(c);
      await c.query('COMMIT');
      write(++n, `${mod}_${f.slice(8, -3).replace(/\./g, '_')}`, seen, true);
    }
  }
  await c.end();
  fs.rmSync(work, {recursive: true});
}

// @medusajs/utils's helper, as 2.21 writes it: the column is altered only where it exists.
function alterIfExists(table, columns, expression) {
  let script = '\n    DO $$\n    DECLARE\n        current_column text;\n    BEGIN';
  for (const column of columns) {
    script += `\n        current_column := '${column}';\n        IF EXISTS (\n            SELECT 1 \n            FROM information_schema.columns \n` +
      `            WHERE table_name = '${table}' \n            AND column_name = current_column\n        ) THEN\n` +
      `            EXECUTE format('ALTER TABLE %I ALTER COLUMN %I ${expression}', '${table}', current_column);\n        ELSE\n` +
      `            RAISE NOTICE 'Column % does not exist or alteration condition not met.', current_column;\n        END IF;`;
  }
  return script + '\n    END$$;\n    ';
}

(async () => {
  fs.mkdirSync(out, {recursive: true});
  await freshDatabase();
  if (kind === 'knex') await knex();
  else if (kind === 'typeorm') {
    const classes = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort()
      .map((f) => Object.values(require(path.join(dir, f))).find((v) => typeof v === 'function' && v.prototype && v.prototype.up))
      .filter(Boolean);
    await typeorm(classes, {}, require('typeorm').DataSource);
  } else if (kind === 'n8n') {
    Object.assign(process.env, {NODE_ENV: 'test', DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: conn.host, DB_POSTGRESDB_PORT: String(conn.port),
      DB_POSTGRESDB_USER: conn.user, DB_POSTGRESDB_DATABASE: db});
    require('reflect-metadata');
    const {postgresMigrations} = require('@n8n/db/dist/migrations/postgresdb');
    const {wrapMigration} = require('@n8n/db/dist/migrations/migration-helpers');
    postgresMigrations.forEach(wrapMigration);
    const entities = Object.values(require('@n8n/db/dist/entities').entities);
    await typeorm(postgresMigrations, {entities}, require('@n8n/typeorm').DataSource);
  } else if (kind === 'kysely') await kysely();
  else if (kind === 'mikroorm') await mikroorm();
  else if (kind === 'dbmigrate') await dbmigrate();
  else if (kind === 'evershop') await evershop();
  else throw new Error(`unknown kind ${kind}: knex, typeorm, n8n, kysely, mikroorm, dbmigrate or evershop`);
})().catch((e) => { console.error(e); process.exit(1); });
