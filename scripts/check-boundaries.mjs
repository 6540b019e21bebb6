#!/usr/bin/env node
// Enforces the dependency rules of DESIGN.md §3 on every source file:
//  - packages never import services;
//  - the protocol package imports no other workspace package;
//  - the pure packages (vivaldi, routing, timeout, backpressure, and swim outside its shell)
//    touch no sockets, timers, filesystem, wall clock or unseeded randomness: they receive a Clock
//    and a random source instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PURE = new Set(['vivaldi', 'routing', 'timeout', 'backpressure', 'swim']);
// Folders inside a pure package where its imperative shell lives (I/O is allowed there).
const SHELL_DIRS = ['src/shell/', 'src/cli/'];
const IO_MODULES =
  /^(node:)?(dgram|net|tls|http|https|http2|fs|fs\/promises|child_process|worker_threads|timers|timers\/promises|cluster|dns)$/;
const IMPURE_CALLS = [
  [/\bsetTimeout\s*\(/, 'setTimeout'],
  [/\bsetInterval\s*\(/, 'setInterval'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'gen') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function stripComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function importsOf(source) {
  const found = [];
  const re =
    /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) found.push(m[1] ?? m[2] ?? m[3]);
  return found;
}

const problems = [];
const packagesDir = join(root, 'packages');
for (const pkg of readdirSync(packagesDir)) {
  const srcDir = join(packagesDir, pkg, 'src');
  let files;
  try {
    files = walk(srcDir);
  } catch {
    continue;
  }
  for (const file of files) {
    const rel = relative(join(packagesDir, pkg), file).replaceAll('\\', '/');
    const shown = relative(root, file);
    const source = stripComments(readFileSync(file, 'utf8'));
    for (const spec of importsOf(source)) {
      if (/^@hyperscale\/[a-z-]+-svc/.test(spec) || /(^|\/)services\//.test(spec)) {
        problems.push(`${shown}: imports the service '${spec}'; packages never import services`);
      }
      if (pkg === 'protocol' && spec.startsWith('@hyperscale/')) {
        problems.push(`${shown}: protocol imports '${spec}'; protocol depends on no other workspace package`);
      }
      if (PURE.has(pkg) && !SHELL_DIRS.some((d) => rel.startsWith(d)) && IO_MODULES.test(spec)) {
        problems.push(`${shown}: pure package imports '${spec}'; move I/O behind an interface in its shell`);
      }
    }
    if (PURE.has(pkg) && !SHELL_DIRS.some((d) => rel.startsWith(d))) {
      for (const [re, what] of IMPURE_CALLS) {
        if (re.test(source)) problems.push(`${shown}: pure package uses ${what}; take a Clock / random source instead`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`boundary check: ${problems.length} problem(s)`);
  for (const p of problems) console.error('  ' + p);
  process.exit(1);
}
console.log('boundary check: ok');
