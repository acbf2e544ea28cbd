#!/usr/bin/env node
// auth0-deploy-cli's round trip against authmock over TLS, the pinned package unmodified.
//
//   node adapters/deploy-cli/roundtrip.js --authmock target/debug/authmock [--out DIR]
//
// Starts `authmock serve --tls` and runs deploy-cli's own export (`dump`) and import (`deploy`)
// in Node processes that trust the run's CA through NODE_EXTRA_CA_CERTS, two rounds at once:
//   1. the default seeded tenant: export it, import the export into a fresh runtime tenant,
//      export that one, and compare the two exports;
//   2. a tenant deploy-cli made itself: import fixture/tenant.yaml into a fresh tenant, export it
//      (every value the file says must be in the export), import that export into another fresh
//      tenant, export again, and compare.
// Ids and secrets differ between tenants; deploy-cli writes names instead of ids, and the one
// tenant-specific string it writes, the Management API's audience, is turned into the keyword
// ##AUTHMOCK_HOST## (deploy-cli's own keyword replacement puts each tenant's host back on import).
// Any other difference fails the run (exit 1) with a unified diff. Exports, logs and the CA are
// kept in --out (default target/deploy-cli). README.md says what the comparison leaves aside.
'use strict';

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const KEYWORD = '##AUTHMOCK_HOST##';

// The two rounds, each in its own process (below).
const ROUNDS = ['default', 'written'];

// The resource types authmock serves (README.md says which are left out and why).
const INCLUDED = ['tenant', 'clients', 'databases', 'connections', 'resourceServers', 'clientGrants', 'roles'];

// What an import adds to a resource that the tenant it came from did not print, so the copy of
// the seeded tenant has it and the seeded tenant does not. Each entry: the resource type, the path
// inside one item, the value added, and who adds it and why. Only the first round needs them:
// a tenant deploy-cli wrote already has them all.
const ADDED_ON_IMPORT = [
  {
    type: 'databases',
    path: ['options', 'disable_self_service_change_password'],
    value: false,
    why: "deploy-cli: a default of its own databases schema (lib/tools/auth0/handlers/databases.js), sent on import",
  },
  {
    type: 'databases',
    path: ['authentication'],
    value: { active: true },
    why: 'the provider: a created connection gets the connection purposes (docs/management-api.md §5); a connection that existed before, as the seeded one, prints none (obs: terraform-provider-auth0 TestAccConnectionClientsImport)',
  },
  {
    type: 'databases',
    path: ['connected_accounts'],
    value: { active: false },
    why: 'the provider: as `authentication`',
  },
];

function args() {
  const out = { authmock: path.join(ROOT, 'target', 'debug', 'authmock'), out: path.join(ROOT, 'target', 'deploy-cli') };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in out) || argv[i + 1] === undefined) {
      console.error(`usage: roundtrip.js [--authmock PATH] [--out DIR] (unknown or incomplete ${argv[i]})`);
      process.exit(2);
    }
    out[key] = path.resolve(argv[i + 1]);
  }
  return out;
}

// ---- the parent: authmock, then the child that trusts its CA --------------------------------

async function parent() {
  const { authmock, out } = args();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const ca = path.join(out, 'ca.pem');
  const server = spawn(authmock, ['serve', '--tls', '--port', '0', '--json', '--ca-file', ca], {
    stdio: ['ignore', 'pipe', fs.openSync(path.join(out, 'authmock.log'), 'w')],
  });
  const stop = () => server.exitCode === null && server.kill();
  process.on('exit', stop);
  const summary = await new Promise((resolve, reject) => {
    server.on('exit', (code) => reject(new Error(`authmock exited (${code}) before serving; see ${out}/authmock.log`)));
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      const listener = JSON.parse(line);
      if (listener.provider === 'auth0') resolve(listener);
    });
  });
  // One child per round, both at once: deploy-cli keeps its configuration in a process-wide
  // store (nconf), so two rounds cannot share a process, and most of a round is deploy-cli's own
  // CPU time or its fixed waits.
  const started = Date.now();
  const run = (round) =>
    new Promise((resolve) => {
      const log = fs.openSync(path.join(out, `deploy-cli.${round}.log`), 'w');
      spawn(process.execPath, [__filename], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: ca, AUTHMOCK_ROUNDTRIP: JSON.stringify({ summary, out, round }) },
        stdio: ['ignore', log, log],
      }).on('exit', (code) => resolve({ round, code }));
    });
  const rounds = await Promise.all(ROUNDS.map(run));
  stop();
  let failed = false;
  for (const { round, code } of rounds) {
    const report = path.join(out, `report.${round}.txt`);
    const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
    process.stdout.write(text);
    if (code !== 0) {
      failed = true;
      // A comparison that failed says why in its report; anything else is in deploy-cli's log.
      const log = path.join(out, `deploy-cli.${round}.log`);
      const tail = text.includes('FAIL ') ? '' : `; last lines of ${log}:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-40).join('\n')}`;
      console.error(`round "${round}" failed (exit ${code}); the exports and logs are in ${out}${tail}`);
    }
  }
  const version = require('auth0-deploy-cli/package.json').version;
  console.log(`deploy-cli ${version}: ${rounds.length} round trips in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exit(1);
}

// ---- the child: deploy-cli in process ---------------------------------------------------------

async function child() {
  const { summary, out, round } = JSON.parse(process.env.AUTHMOCK_ROUNDTRIP);
  const { dump, deploy } = require('auth0-deploy-cli');
  const report = [];
  const say = (line) => {
    report.push(line);
    fs.writeFileSync(path.join(out, `report.${round}.txt`), report.join('\n') + '\n');
  };

  const explorer = summary.clients.find((c) => c.name === 'API Explorer Application');
  const control = async (method, url, body) => {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  // A fresh tenant with nothing but the application deploy-cli signs in with.
  let fresh = 0;
  const freshTenant = async () => {
    fresh += 1;
    const seed = {
      name: `${round}-${fresh}`,
      clients: [
        {
          name: explorer.name,
          client_id: explorer.client_id,
          client_secret: explorer.client_secret,
          app_type: explorer.app_type,
          grant_types: explorer.grant_types,
          grants: [{ api: 'management', scopes: explorer.grants.find((g) => g.audience === summary.audience).scopes }],
        },
      ],
    };
    return control('POST', `${summary.base_url}/__authmock__/tenants`, { provider: 'auth0', seed });
  };
  const host = (tenant) => new URL(tenant.base_url).host;
  const config = (tenant) => ({
    AUTH0_DOMAIN: host(tenant),
    AUTH0_CLIENT_ID: explorer.client_id,
    AUTH0_CLIENT_SECRET: explorer.client_secret,
    AUTH0_INCLUDED_ONLY: INCLUDED,
    AUTH0_ALLOW_DELETE: true,
    AUTH0_KEYWORD_REPLACE_MAPPINGS: { AUTHMOCK_HOST: host(tenant) },
  });
  // deploy-cli's export, with the tenant's host turned into the keyword; returns the file.
  const exportTenant = async (tenant, name) => {
    const folder = path.join(out, name);
    await dump({ output_folder: folder, format: 'yaml', config: config(tenant) });
    const file = path.join(out, `${name}.yaml`);
    fs.writeFileSync(file, fs.readFileSync(path.join(folder, 'tenant.yaml'), 'utf8').split(host(tenant)).join(KEYWORD));
    return file;
  };
  const importTenant = (tenant, file) => deploy({ input_file: file, config: config(tenant) });
  const yaml = require('js-yaml');
  const load = (file) => yaml.load(fs.readFileSync(file, 'utf8'));

  // Each type deploy-cli exported must hold something, or two empty exports would compare equal.
  const nonEmpty = (file, types) => {
    const exported = load(file);
    const empty = types.filter((t) => !exported[t] || Object.keys(exported[t]).length === 0);
    if (empty.length) throw new Error(`${path.basename(file)} has no ${empty.join(', ')}`);
  };
  // The two exports, normalised (declared additions applied to the first, resources of a type
  // and keys sorted) and written as `<name>.compared.yaml`, must be equal; the diff of those
  // files shows what differs.
  const compare = (label, first, second, allowed) => {
    const expected = load(first);
    const applied = [];
    for (const allowance of allowed) {
      for (const item of expected[allowance.type] || []) {
        const parent = allowance.path.slice(0, -1).reduce((o, k) => (o ? o[k] : undefined), item);
        const key = allowance.path[allowance.path.length - 1];
        if (parent && !(key in parent)) {
          parent[key] = allowance.value;
          applied.push(`${allowance.type} "${item.name}": ${allowance.path.join('.')}: ${JSON.stringify(allowance.value)} (${allowance.why})`);
        }
      }
    }
    const [left, right] = [[first, expected], [second, load(second)]].map(([file, exported]) => {
      const compared = file.replace(/\.yaml$/, '.compared.yaml');
      fs.writeFileSync(compared, yaml.dump(normalised(exported), { sortKeys: true, lineWidth: -1 }));
      return compared;
    });
    const diff = spawnSync('diff', ['-u', left, right], { encoding: 'utf8' });
    if (diff.status === 0) {
      say(`ok   ${label}: ${path.basename(first)} and ${path.basename(second)} are equal`);
      for (const line of applied) say(`     added on import, declared: ${line}`);
      return true;
    }
    say(`FAIL ${label}: ${path.basename(first)} and ${path.basename(second)} differ\n${diff.stdout || diff.stderr}`);
    return false;
  };
  // Everything the file deploy-cli imported says is in the export of the tenant it wrote (which
  // has the provider's defaults besides): what it wrote, it reads back.
  const readsBack = (label, source, exportFile) => {
    const missing = [];
    const [wrote, read] = [load(source), load(exportFile)];
    const identity = (item) => (item.name !== undefined ? item.name : `${item.client_id} on ${item.audience}`);
    for (const [type, value] of Object.entries(wrote)) {
      if (!Array.isArray(value)) {
        contains(value, read[type], type, missing);
        continue;
      }
      for (const item of value) {
        const match = (read[type] || []).find((r) => identity(r) === identity(item));
        if (match) contains(item, match, `${type}[${identity(item)}]`, missing);
        else missing.push(`${type}[${identity(item)}]: not exported`);
      }
    }
    if (missing.length === 0) {
      say(`ok   ${label}: every value of ${path.basename(source)} is in ${path.basename(exportFile)}`);
      return true;
    }
    say(`FAIL ${label}: ${path.basename(exportFile)} lacks what ${path.basename(source)} says:\n${missing.map((m) => `  ${m}`).join('\n')}`);
    return false;
  };

  let ok = true;
  if (round === 'default') {
    // 1. The default seeded tenant.
    const seeded = { base_url: summary.base_url };
    const seededExport = await exportTenant(seeded, 'default');
    nonEmpty(seededExport, ['tenant', 'clients', 'databases', 'resourceServers', 'clientGrants']);
    const copy = await freshTenant();
    await importTenant(copy, seededExport);
    const copyExport = await exportTenant(copy, 'default-copy');
    ok = compare('default tenant: export, import into a fresh tenant, export', seededExport, copyExport, ADDED_ON_IMPORT);
  } else {
    // 2. A tenant deploy-cli wrote from fixture/tenant.yaml.
    const source = path.join(HERE, 'fixture', 'tenant.yaml');
    const written = await freshTenant();
    await importTenant(written, source);
    const writtenExport = await exportTenant(written, 'written');
    ok = readsBack('tenant written by deploy-cli: import, export', source, writtenExport);
    nonEmpty(writtenExport, ['tenant', 'clients', 'databases', 'connections', 'resourceServers', 'clientGrants', 'roles']);
    const second = await freshTenant();
    await importTenant(second, writtenExport);
    const secondExport = await exportTenant(second, 'written-copy');
    ok = compare('tenant written by deploy-cli: export, import into a fresh tenant, export', writtenExport, secondExport, []) && ok;
  }
  process.exit(ok ? 0 : 1);
}

// An export without what is no configuration: the order of the resources of a type (deploy-cli
// sorts applications and roles by name, but writes client grants in the order the tenant lists
// them, which is the order its own concurrent creates happened to reach the tenant) and the order
// of keys (it writes them as the tenant printed them; `yaml.dump` sorts them). The order inside
// a resource's arrays (callbacks, scopes, enabled clients) counts.
function normalised(exported) {
  const types = {};
  for (const [type, value] of Object.entries(exported)) {
    types[type] = Array.isArray(value) ? [...value].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)) : value;
  }
  return types;
}

// Whether `found` holds every value of `expected`: objects key by key, arrays element by element
// in any order (an element found inside some element of `found`), other values equal. Records
// each missing value with its path.
function contains(expected, found, at, missing) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(found)) return missing.push(`${at}: ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
    for (const [i, item] of expected.entries()) {
      if (!found.some((candidate) => contains(item, candidate, '', []) === 0)) {
        missing.push(`${at}[${i}]: ${JSON.stringify(item)}`);
      }
    }
  } else if (expected && typeof expected === 'object') {
    if (!found || typeof found !== 'object') return missing.push(`${at}: ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
    for (const [key, value] of Object.entries(expected)) contains(value, found[key], `${at}.${key}`, missing);
  } else if (expected !== found) {
    missing.push(`${at}: ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
  }
  return missing.length;
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

(process.env.AUTHMOCK_ROUNDTRIP ? child : parent)().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
