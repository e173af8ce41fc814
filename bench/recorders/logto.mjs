// Records Logto's database as a sqlx history: the tables of @logto/schemas 1.0.7 as its CLI's
// `db seed` makes them (lifecycle scripts around each table, the database's name `logto`), two
// tenants and the rows later alterations look up (SEED, a file of INSERTs), then every alteration
// of a newer @logto/schemas after 1.0.7's last, each in its transaction as `db alteration deploy`
// runs it (a `beforeUp` outside one). An alteration that fails for want of a seed row is skipped.
//
//   node logto.mjs OLD_SCHEMAS_PACKAGE NEW_ALTERATIONS_JS_FOLDER OUT [SEED]
//
// (run where `npm install @logto/schemas @silverhand/slonik@31.0.0-beta.3 pg` put them). The
// server is PGHOST/PGPORT (default /tmp, 5432).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import utils from 'pg/lib/utils.js';
import { createPool, sql, createInterceptorsPreset } from '@silverhand/slonik';

const [base, alters, out, seedFile] = process.argv.slice(2);
const DB = 'logto';
const conn = { host: process.env.PGHOST || '/tmp', port: Number(process.env.PGPORT || 5432), user: process.env.PGUSER || 'postgres' };
fs.mkdirSync(out, { recursive: true });
const admin = new pg.Client({ ...conn, database: 'postgres' });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
for (const r of ['_default', '_admin', '']) await admin.query(`DROP ROLE IF EXISTS logto_tenant_${DB}${r}`);
await admin.query(`CREATE DATABASE ${DB}`);
await admin.end();

const lit = (v) => {
  if (v === null || v === undefined) return 'NULL';
  const p = utils.prepareValue(v);
  if (p === null) return 'NULL';
  return pg.Client.prototype.escapeLiteral(Buffer.isBuffer(p) ? '\\x' + p.toString('hex') : String(p));
};
const inline = (text, values) => text.replace(/\$(\d+)/g, (m, n) => lit(values[Number(n) - 1]));
let seen = [];
const pool = await createPool(`postgresql://${conn.user}@localhost:${conn.port}/${DB}?host=${conn.host}`, {
  interceptors: [...createInterceptorsPreset(), {
    beforeQueryExecution: (ctx, q) => { seen.push(inline(q.sql, q.values || [])); return null; },
    queryExecutionError: (ctx, q) => { const t = inline(q.sql, q.values || []); const i = seen.lastIndexOf(t); if (i >= 0) seen.splice(i, 1); return null; },
  }],
});
const write = (n, name, stmts, notx) => {
  const body = stmts.map((s) => s.trim().replace(/;\s*$/, '')).filter((s) => s && !/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)/i.test(s)
    && !/^SAVEPOINT|^RELEASE SAVEPOINT/i.test(s)).map((s) => s + ';\n').join('\n');
  if (!body) return;
  fs.writeFileSync(path.join(out, `${String(n).padStart(4, '0')}_${name}.sql`), (notx ? '-- no-transaction\n' : '') + body);
};

// The base, as createTables runs it.
const dir = path.join(base, 'tables');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql'));
const queries = files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
const life = ['before_all', 'after_all', 'after_each'];
const order = (q) => { const m = /\/\*\s*init_order\s*=\s*([\d.]+)\s*\*\//.exec(q)?.[1]; return m ? Number(m) : undefined; };
const tenants = fs.readFileSync(path.join(base, 'lib/models/tenants.js'), 'utf8').match(/`([\s\S]*?)`/)[1];
const all = [['tenants', tenants], ...queries.filter(([f]) => !life.includes(f.slice(1, -4)))];
all.sort(([t1, q1], [t2, q2]) => { const o1 = order(q1), o2 = order(q2); if (o1 === undefined && o2 === undefined) return t1.localeCompare(t2); if (o1 === undefined) return 1; if (o2 === undefined) return -1; return o1 - o2; });
const lc = (name, p = {}) => { const q = queries.find(([f]) => f.slice(1, -4) === name)?.[1]; return q ? q.replaceAll('${name}', p.name ?? '').replaceAll('${database}', DB).replaceAll('${password}', '') : ''; };
const baseSql = [lc('before_all')];
for (const [f, q] of all) { baseSql.push(q); if (!q.includes('/* no_after_each */')) baseSql.push(lc('after_each', { name: f.split('.')[0] })); }
baseSql.push(lc('after_all'));
// The two tenants the CLI seeds, each with its login role under the tenants' role.
for (const t of ['default', 'admin']) {
  baseSql.push(`insert into tenants (id, db_user, db_user_password) values ('${t}', 'logto_tenant_${DB}_${t}', 'pw')`);
  baseSql.push(`create role logto_tenant_${DB}_${t} with inherit login password 'pw' in role logto_tenant_${DB}`);
}
if (seedFile) baseSql.push(fs.readFileSync(seedFile, 'utf8'));
// systems holds the alteration state
baseSql.push(`insert into systems (key, value) values ('alterationState', '{"timestamp": 1679209413, "updatedAt": "2023-03-20T00:00:00.000Z"}')`);
const text = baseSql.join('\n;\n');
// (plain pg: slonik's raw would take ':admin' in '#internal:admin' for a named parameter)
const direct = new pg.Client({ ...conn, database: DB });
await direct.connect();
await direct.query(text);
await direct.end();
fs.writeFileSync(path.join(out, '0001_base_1.0.7.sql'), text + ';\n');
seen = [];

const names = fs.readdirSync(alters).filter((f) => f.endsWith('.js'));
const ts = (f) => Number(f.split('-')[1]);
names.sort((a, b) => ts(a) - ts(b));
let n = 2;
for (const f of names.filter((f) => ts(f) > 1679209413)) {
  const mod = (await import(path.join(alters, f))).default;
  const name = f.replace(/\.js$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  try {
    if (mod.beforeUp) { seen = []; await mod.beforeUp(pool); write(n++, name + '_before', seen, true); }
    seen = [];
    await pool.transaction(async (c) => { await mod.up(c); });
    write(n++, name, seen, false);
  } catch (e) {
    console.error(`SKIPPED ${f}: ${e.message}`);
  }
  seen = [];
}
await pool.end();
console.error(`recorded ${n - 1} files`);
