// Random Prisma schema evolutions, each step's migration.sql written by Prisma's own schema
// engine (its WebAssembly build, which needs no download), as `prisma migrate dev` writes them:
// histories nobody tuned the tool to. Models, fields of eight types with native types, defaults,
// optional and required, unique fields and compound uniques, indexes (Hash, Gin, Brin), named
// keys and indexes renamed, enums with labels added and removed (Prisma's swap), relations one to
// many and one to one with their onDelete, implicit many-to-many tables, compound primary keys,
// @map and @@map changes, models in two schemas (`@@schema`) and moved between them, citext from
// an extension, `dbgenerated` defaults, descending indexes, and seed rows (and an UPDATE of them)
// written into a migration by hand now and then.
//
//   NODE_DIR=DIR PRISMA_PG=postgresql://... node --experimental-wasm-modules prisma_engine.mjs SEED STEPS OUT
//
// DIR: `npm install @prisma/schema-engine-wasm @prisma/adapter-pg @prisma/driver-adapter-utils pg`
// done there. PRISMA_PG: a PostgreSQL the engine connects to (any; it diffs schemas, writes nothing).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const nodeDir = process.env.NODE_DIR || process.cwd();
const need = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { SchemaEngine } = await import(pathToFileURL(need.resolve('@prisma/schema-engine-wasm')).href);
const { PrismaPg } = need('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = need('@prisma/driver-adapter-utils');

const [seedArg, stepsArg, out] = process.argv.slice(2);
let s = Number(seedArg) >>> 0;
const rnd = () => { s = (s + 0x6D2B79F5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;
let n = 0;
const nm = (p) => `${p}${++n}`;

const SCALARS = ['String', 'Int', 'BigInt', 'Boolean', 'DateTime', 'Float', 'Decimal', 'Json'];
const DEFAULTS = { String: '"x"', Int: '0', BigInt: '1', Boolean: 'false', DateTime: 'now()', Float: '1.5', Decimal: '0', Json: '"{}"' };
const NATIVE = { String: ['', '@db.VarChar(50)', '@db.VarChar(255)', '@db.Text'], DateTime: ['', '@db.Timestamptz(6)', '@db.Date'], Decimal: ['@db.Decimal(10, 2)', '@db.Decimal(12, 4)'], Int: ['', '@db.SmallInt'] };
const VALUES = { String: "'v'", Int: '7', BigInt: '8', Boolean: 'true', DateTime: "'2024-01-01'", Float: '2.5', Decimal: '3.25', Json: `'{"a":1}'` };

const S = { models: {}, enums: {}, rels: [], mns: [], multi: false };  // the schema
S.multi = chance(0.4);  // models in two schemas (`@@schema`), citext from an extension
const clone = (x) => JSON.parse(JSON.stringify(x));

function scalarField(model) {
  const type = chance(0.15) && Object.keys(S.enums).length ? pick(Object.keys(S.enums)) : pick(SCALARS);
  const f = { name: nm(chance(0.3) ? 'camelField' : 'f'), type, optional: chance(0.5), list: false, unique: false, def: null, db: '', map: null };
  if (S.enums[type]) { if (!f.optional || chance(0.5)) f.def = S.enums[type][0]; }
  else {
    f.db = NATIVE[type] ? pick(NATIVE[type]) : '';
    if (type === 'String' && S.multi && chance(0.2)) f.db = '@db.Citext';
    if (!f.optional || chance(0.3)) f.def = type === 'DateTime' && chance(0.3) ? `dbgenerated("(now() + '${1 + Math.floor(rnd() * 9)} days'::interval)")` : DEFAULTS[type];
    if (type === 'String' && chance(0.1)) { f.list = true; f.optional = false; f.def = chance(0.5) ? '[]' : null; f.db = ''; }
  }
  if (chance(0.15) && !f.list && type !== 'Json' && !(model.rows > 1)) { f.unique = true; }
  if (chance(0.15)) f.map = `${f.name}_col`;
  return f;
}

function addModel() {
  const name = nm(chance(0.5) ? 'Item' : 'Thing');
  const idKind = pick(['auto', 'auto', 'uuid', 'cuid', 'dbuuid']);
  const m = { name, idKind, fields: [], indexes: [], uniques: [], map: chance(0.2) ? `${name.toLowerCase()}s` : null, rows: 0, pkMap: chance(0.2) ? `pk_${++n}` : null, ixMaps: {}, ixTypes: {}, ixSort: {}, uqMaps: {}, schema: S.multi ? pick(['public', 'app']) : null };
  const k = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < k; i++) m.fields.push(scalarField(m));
  if (chance(0.2)) m.fields.push({ name: 'updatedAt', type: 'DateTime', optional: false, list: false, unique: false, def: null, db: '', map: null, updated: true });
  S.models[name] = m;
}

function relFieldsOf(model) { return S.rels.filter((r) => r.child === model).map((r) => r.fk); }
function used(model, field) {
  const m = S.models[model];
  return relFieldsOf(model).includes(field) || m.indexes.some((ix) => ix.includes(field)) || m.uniques.some((u) => u.includes(field));
}

const ops = {
  addModel,
  dropModel() {
    const names = Object.keys(S.models); if (names.length < 2) return false;
    const m = pick(names);
    S.rels = S.rels.filter((r) => r.child !== m && r.parent !== m);
    S.mns = S.mns.filter((r) => r.a !== m && r.b !== m);
    delete S.models[m];
    return true;
  },
  addField() { const m = S.models[pick(Object.keys(S.models))]; const f = scalarField(m); if (m.rows && !f.optional && f.def === null && !f.list) f.optional = true; m.fields.push(f); return true; },
  dropField() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !used(m.name, f.name)); if (!fs_.length) return false;
    const f = pick(fs_); m.fields = m.fields.filter((x) => x !== f); return true;
  },
  toggleOptional() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && !f.updated && !relFieldsOf(m.name).includes(f.name)); if (!fs_.length) return false;
    const f = pick(fs_); if (f.optional && m.rows && f.def === null) return false; f.optional = !f.optional; return true;
  },
  changeDefault() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && !f.updated && !relFieldsOf(m.name).includes(f.name)); if (!fs_.length) return false;
    const f = pick(fs_);
    if (f.def !== null && chance(0.5)) { if (!f.optional && m.rows) return false; f.def = null; return true; }
    if (S.enums[f.type]) f.def = pick(S.enums[f.type]);
    else f.def = f.type === 'String' ? `"d${n}"` : f.type === 'Int' || f.type === 'BigInt' ? String(++n) : DEFAULTS[f.type];
    return true;
  },
  changeType() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && !f.updated && !used(m.name, f.name) && ['String', 'Int', 'DateTime', 'Decimal'].includes(f.type)); if (!fs_.length) return false;
    const f = pick(fs_);
    if (f.type === 'Int' && chance(0.5)) { f.type = 'BigInt'; f.db = ''; if (f.def !== null) f.def = '1'; return true; }
    const opts = NATIVE[f.type].filter((d) => d !== f.db); if (!opts.length) return false;
    f.db = pick(opts); return true;
  },
  toggleUnique() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && f.type !== 'Json' && !relFieldsOf(m.name).includes(f.name)); if (!fs_.length) return false;
    const f = pick(fs_); if (!f.unique && m.rows > 1) return false; f.unique = !f.unique; return true;
  },
  index() {
    const m = S.models[pick(Object.keys(S.models))];
    if (m.indexes.length && chance(0.4)) { m.indexes.splice(Math.floor(rnd() * m.indexes.length), 1); return true; }
    const fs_ = m.fields.filter((f) => !f.list && f.type !== 'Json'); if (!fs_.length) return false;
    const a = pick(fs_).name; const b = chance(0.3) ? pick(fs_).name : null;
    const ix = b && b !== a ? [a, b] : [a];
    if (m.indexes.some((x) => x.join() === ix.join())) return false;
    m.indexes.push(ix); return true;
  },
  compoundUnique() {
    const m = S.models[pick(Object.keys(S.models))];
    if (m.uniques.length && chance(0.4)) { m.uniques.splice(Math.floor(rnd() * m.uniques.length), 1); return true; }
    const fs_ = m.fields.filter((f) => !f.list && f.type !== 'Json' && !f.optional); if (fs_.length < 2 || m.rows > 1) return false;
    const a = pick(fs_).name; const b = pick(fs_).name; if (a === b) return false;
    if (m.uniques.some((x) => x.join() === [a, b].join())) return false;
    m.uniques.push([a, b]); return true;
  },
  addEnum() { const e = nm('Status'); S.enums[e] = ['DRAFT', 'LIVE']; const m = S.models[pick(Object.keys(S.models))]; m.fields.push({ name: nm('state'), type: e, optional: chance(0.3), list: false, unique: false, def: 'DRAFT', db: '', map: null }); return true; },
  enumAdd() { const es = Object.keys(S.enums); if (!es.length) return false; const e = pick(es); S.enums[e].push(nm('V').toUpperCase()); return true; },
  enumRemove() {
    const es = Object.keys(S.enums).filter((e) => S.enums[e].length > 2); if (!es.length) return false;
    const e = pick(es); const v = S.enums[e][S.enums[e].length - 1];
    for (const m of Object.values(S.models)) for (const f of m.fields) if (f.type === e && f.def === v) return false;
    S.enums[e] = S.enums[e].filter((x) => x !== v); return true;
  },
  renameMap() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !used(m.name, f.name)); if (!fs_.length) return false;
    const f = pick(fs_); f.map = f.map ? null : `${f.name}_c${++n}`; return true;
  },
  addRelation() {
    const names = Object.keys(S.models); const child = pick(names); const parent = pick(names);
    const p = S.models[parent]; const c = S.models[child];
    const oneToOne = chance(0.2);
    const r = { name: nm('rel'), child, parent, fk: '', optional: chance(0.6) || c.rows > 0, onDelete: pick([null, 'Cascade', 'SetNull', 'Restrict', 'NoAction']), oneToOne };
    if (r.onDelete === 'SetNull') r.optional = true;
    r.fk = `${r.name}Id`;
    r.fkType = p.idKind === 'auto' ? 'Int' : 'String';
    r.fkDb = p.idKind === 'dbuuid' ? '@db.Uuid' : '';
    if (parent === child && oneToOne) return false;
    S.rels.push(r); return true;
  },
  dropRelation() { if (!S.rels.length) return false; S.rels.splice(Math.floor(rnd() * S.rels.length), 1); return true; },
  changeOnDelete() { if (!S.rels.length) return false; const r = pick(S.rels); r.onDelete = pick([null, 'Cascade', 'SetNull', 'Restrict']); if (r.onDelete === 'SetNull' && !r.optional) r.onDelete = 'Cascade'; return true; },
  addMN() { const names = Object.keys(S.models); const a = pick(names); const b = pick(names); if (a === b) return false; S.mns.push({ name: nm('mn'), a, b }); return true; },
  dropMN() { if (!S.mns.length) return false; S.mns.splice(Math.floor(rnd() * S.mns.length), 1); return true; },
  renameNames() {
    const m = S.models[pick(Object.keys(S.models))];
    const r = rnd();
    if (r < 0.3) { m.pkMap = chance(0.7) ? `pk_${++n}` : null; return true; }
    if (r < 0.7 && m.indexes.length) { const ix = pick(m.indexes).join(); m.ixMaps[ix] = chance(0.8) ? `ix_${++n}` : undefined; return true; }
    const rs = S.rels.filter((x) => x.child === m.name); if (!rs.length) return false;
    const rel = pick(rs); rel.map = chance(0.8) ? `fk_${++n}` : null; return true;
  },
  indexType() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && ['Json', 'String', 'Int'].includes(f.type)); if (!fs_.length) return false;
    const f = pick(fs_); const ix = [f.name].join();
    if (m.indexes.some((x) => x.join() === ix)) { m.ixTypes[ix] = f.type === 'Json' ? pick([undefined, 'Gin']) : pick([undefined, 'Hash', 'Brin']); return true; }
    m.indexes.push([f.name]); m.ixTypes[ix] = f.type === 'Json' ? 'Gin' : pick([undefined, 'Hash']); return true;
  },
  retypeIncompatible() {
    const m = S.models[pick(Object.keys(S.models))];
    const fs_ = m.fields.filter((f) => !f.list && !f.updated && !used(m.name, f.name) && ['String', 'Int', 'Boolean', 'Float'].includes(f.type)); if (!fs_.length) return false;
    const f = pick(fs_); const to = pick(['String', 'Int', 'Boolean', 'Float'].filter((t) => t !== f.type));
    f.type = to; f.db = ''; if (f.def !== null) f.def = DEFAULTS[to]; if (!f.optional && f.def === null && m.rows) f.optional = true; f.unique = false; return true;
  },
  compoundId() {
    // A join model of its own with a compound primary key (as `@@id([aId, bId])`).
    const names = Object.keys(S.models); const a = pick(names); const b = pick(names); if (a === b) return false;
    const name = nm('Link');
    const m = { name, idKind: 'compound', fields: [], indexes: [], uniques: [], map: null, rows: 0, pkMap: chance(0.3) ? `pk_${++n}` : null, ixMaps: {}, ixTypes: {}, ixSort: {}, uqMaps: {}, schema: S.multi ? pick(['public', 'app']) : null };
    if (chance(0.5)) m.fields.push({ name: nm('note'), type: 'String', optional: true, list: false, unique: false, def: null, db: '', map: null });
    S.models[name] = m;
    for (const parent of [a, b]) { const r = { name: nm('rel'), child: name, parent, optional: false, onDelete: 'Cascade', oneToOne: false, map: null }; r.fk = `${r.name}Id`; r.fkType = S.models[parent].idKind === 'auto' ? 'Int' : 'String'; r.fkDb = S.models[parent].idKind === 'dbuuid' ? '@db.Uuid' : ''; S.rels.push(r); }
    m.compound = S.rels.filter((r) => r.child === name).map((r) => r.fk);
    return true;
  },
  moveSchema() { if (!S.multi) return false; const m = S.models[pick(Object.keys(S.models))]; m.schema = m.schema === 'app' ? 'public' : 'app'; return true; },
  sortAndNames() {
    const m = S.models[pick(Object.keys(S.models))];
    if (m.uniques.length && chance(0.5)) { const k = pick(m.uniques).join(); m.uqMaps[k] = chance(0.8) ? `uq_${++n}` : undefined; return true; }
    const single = m.indexes.filter((ix) => ix.length === 1); if (!single.length) return false;
    const k = pick(single).join(); m.ixSort[k] = m.ixSort[k] ? undefined : 'Desc'; return true;
  },
  renameTable() { const m = S.models[pick(Object.keys(S.models))]; m.map = m.map ? null : `${m.name.toLowerCase()}_t${++n}`; return true; },
};
const WEIGHTS = { addModel: 3, dropModel: 1, addField: 5, dropField: 2, toggleOptional: 2, changeDefault: 2, changeType: 2, toggleUnique: 1, index: 2, compoundUnique: 1, addEnum: 1, enumAdd: 1, enumRemove: 1, renameMap: 1, addRelation: 3, dropRelation: 1, changeOnDelete: 1, addMN: 1, dropMN: 1, renameTable: 1, renameNames: 2, indexType: 1, retypeIncompatible: 1, compoundId: 1, moveSchema: 1, sortAndNames: 1 };
const BAG = Object.entries(WEIGHTS).flatMap(([k, w]) => Array(w).fill(k));

function fieldLine(f) {
  let t = f.type + (f.list ? '[]' : f.optional ? '?' : '');
  const at = [];
  if (f.unique) at.push('@unique');
  if (f.updated) at.push('@updatedAt');
  if (f.def !== null) at.push(S.enums[f.type] ? `@default(${f.def})` : `@default(${f.def})`);
  if (f.map) at.push(`@map("${f.map}")`);
  if (f.db) at.push(f.db);
  return `  ${f.name} ${t} ${at.join(' ')}`;
}
function render() {
  let out = S.multi ? 'datasource db {\n  provider = "postgresql"\n  schemas = ["public", "app"]\n  extensions = [citext]\n}\n\ngenerator c {\n  provider = "prisma-client-js"\n  previewFeatures = ["postgresqlExtensions"]\n}\n\n'
    : 'datasource db {\n  provider = "postgresql"\n}\n\n';
  for (const [e, vals] of Object.entries(S.enums)) out += `enum ${e} {\n${vals.map((v) => '  ' + v).join('\n')}\n${S.multi ? '  @@schema("public")\n' : ''}}\n\n`;
  for (const m of Object.values(S.models)) {
    out += `model ${m.name} {\n`;
    const pk = m.pkMap ? `(map: "${m.pkMap}")` : '';
    if (m.idKind !== 'compound') out += { auto: `  id Int @id${pk} @default(autoincrement())`, uuid: `  id String @id${pk} @default(uuid())`, cuid: `  id String @id${pk} @default(cuid())`, dbuuid: `  id String @id${pk} @default(dbgenerated("gen_random_uuid()")) @db.Uuid` }[m.idKind] + '\n';
    for (const f of m.fields) out += fieldLine(f) + '\n';
    for (const r of S.rels.filter((r) => r.child === m.name)) {
      const od = r.onDelete ? `, onDelete: ${r.onDelete}` : '';
      const fkm = r.map ? `, map: "${r.map}"` : '';
      out += `  ${r.name} ${r.parent}${r.optional ? '?' : ''} @relation("${r.name}", fields: [${r.fk}], references: [id]${od}${fkm})\n`;
      out += `  ${r.fk} ${r.fkType}${r.optional ? '?' : ''}${r.oneToOne ? ' @unique' : ''} ${r.fkDb}\n`;
    }
    for (const r of S.rels.filter((r) => r.parent === m.name)) out += `  ${r.name}Back ${r.child}${r.oneToOne ? '?' : '[]'} @relation("${r.name}")\n`;
    for (const r of S.mns.filter((r) => r.a === m.name)) out += `  ${r.name}A ${r.b}[] @relation("${r.name}")\n`;
    for (const r of S.mns.filter((r) => r.b === m.name)) out += `  ${r.name}B ${r.a}[] @relation("${r.name}")\n`;
    for (const ix of m.indexes) { const k = ix.join(); const mp = m.ixMaps[k] ? `, map: "${m.ixMaps[k]}"` : ''; const ty = m.ixTypes[k] ? `, type: ${m.ixTypes[k]}` : ''; const cols = m.ixSort[k] && !m.ixTypes[k] ? `${ix[0]}(sort: Desc)` : ix.join(', '); out += `  @@index([${cols}]${mp}${ty})\n`; }
    if (m.idKind === 'compound' && m.compound.every((f) => S.rels.some((r) => r.child === m.name && r.fk === f))) out += `  @@id([${m.compound.join(', ')}]${m.pkMap ? `, map: "${m.pkMap}"` : ''})\n`;
    else if (m.idKind === 'compound') { m.idKind = 'auto'; out = null; }
    for (const u of m.uniques) out += `  @@unique([${u.join(', ')}]${m.uqMaps[u.join()] ? `, map: "${m.uqMaps[u.join()]}"` : ''})\n`;
    if (m.schema) out += `  @@schema("${m.schema}")\n`;
    if (out === null) return render();
    if (m.map) out += `  @@map("${m.map}")\n`;
    out += '}\n\n';
  }
  return out;
}

function colName(f) { return f.map || f.name; }
function rowsFor(m) {
  // A hand-written seed row, as teams add to a migration: only where every required column has a value.
  if (m.idKind === 'compound') return null;
  const cols = [], vals = [];
  if (m.idKind !== 'auto') { cols.push('"id"'); vals.push(m.idKind === 'dbuuid' ? 'gen_random_uuid()' : `'id${++n}'`); }
  for (const f of m.fields) {
    if (f.list) continue;
    if (f.unique) {
      if (['Boolean'].includes(f.type) || S.enums[f.type]) { if (m.rows >= 1) return null; }
      else { cols.push(`"${colName(f)}"`); vals.push({ String: `'u${++n}'`, Int: String(++n), BigInt: String(++n), Float: String(++n), Decimal: String(++n), DateTime: `'2024-01-01'::timestamp + interval '${++n} days'` }[f.type]); continue; }
    }
    if (f.updated) { cols.push(`"${colName(f)}"`); vals.push('now()'); continue; }
    if (S.enums[f.type]) { cols.push(`"${colName(f)}"`); vals.push(`'${S.enums[f.type][0]}'`); continue; }
    cols.push(`"${colName(f)}"`); vals.push(VALUES[f.type]);
  }
  for (const r of S.rels.filter((r) => r.child === m.name)) if (!r.optional) return null;
  if (m.uniques.length) return null;
  const table = (m.schema && m.schema !== 'public' ? `${m.schema}"."` : '') + (m.map || m.name);
  return cols.length ? `INSERT INTO "${table}" (${cols.join(', ')}) VALUES (${vals.join(', ')});` : `INSERT INTO "${table}" DEFAULT VALUES;`;
}

const raw = new PrismaPg({ connectionString: process.env.PRISMA_PG });
const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', 'datasource db {\n  provider = "postgresql"\n}\n']] }, () => {}, bindMigrationAwareSqlAdapterFactory(raw));
const target = (c) => ({ tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: c }] });
const filters = { externalTables: [], externalEnums: [] };

fs.mkdirSync(path.join(out, 'migrations'), { recursive: true });
fs.writeFileSync(path.join(out, 'migrations', 'migration_lock.toml'), '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
let prev = null;
let written = 0;
const steps = Number(stepsArg);
for (let step = 0; written < steps && step < steps * 4; step++) {
  const saved = clone(S);
  const savedN = n;
  if (prev === null) { addModel(); addModel(); }
  else { const k = 1 + Math.floor(rnd() * 3); let did = 0; for (let i = 0; i < k * 3 && did < k; i++) if (ops[pick(BAG)]()) did++; }
  const schema = render();
  let sql;
  try {
    const r = await engine.diff({ from: prev === null ? { tag: 'empty' } : target(prev), to: target(schema), script: true, exitCode: null, filters });
    sql = r.stdout || '';
  } catch (e) {
    Object.assign(S, saved); n = savedN + 100;  // a schema Prisma refuses: the step is not taken
    continue;
  }
  sql = sql.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n?/, '');
  // (Its diff from the empty schema makes only the schemas used then; `migrate dev` makes both.)
  if (prev === null && S.multi && !sql.includes('CREATE SCHEMA IF NOT EXISTS "app"')) sql = '-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "app";\n\n' + sql;
  if (!sql.trim() || sql.includes('This is an empty migration')) { prev = schema; continue; }
  // Seed rows now and then, as teams write them into a migration by hand.
  const seeds = [];
  for (const m of Object.values(S.models)) if (chance(0.15)) { const row = rowsFor(m); if (row) { seeds.push(row); m.rows++; } }
  for (const m of Object.values(S.models)) {
    const f = m.rows && chance(0.1) ? m.fields.find((x) => !x.list && !x.unique && !x.updated && VALUES[x.type]) : null;
    const table = (m.schema && m.schema !== 'public' ? `${m.schema}"."` : '') + (m.map || m.name);
    if (f) seeds.push(`UPDATE "${table}" SET "${colName(f)}" = ${VALUES[f.type]} WHERE "${colName(f)}" IS NULL OR "${colName(f)}" IS NOT NULL;`);
  }
  if (seeds.length) sql += '\n-- seed\n' + seeds.join('\n') + '\n';
  written++;
  const stamp = `2024${String(written).padStart(4, '0')}120000`;
  const dir = path.join(out, 'migrations', `${stamp}_step_${written}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
  prev = schema;
}
fs.writeFileSync(path.join(out, 'schema.prisma'), prev || '');
process.exit(0);
