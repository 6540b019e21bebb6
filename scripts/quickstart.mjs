#!/usr/bin/env node
// `npm start`'s main job, run after bootstrap: start the local two-datacenter topology with the
// built-in HTTP target (`hyperscale cluster up`), run examples/quickstart.yaml against its gate
// (`hyperscale run`), print the summary, stop everything and exit with the run's exit code.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages', 'client', 'dist', 'cli', 'main.js');
const topology = join(root, 'deploy', 'local', 'two-dc.yaml');
const job = join(root, 'examples', 'quickstart.yaml');

const cluster = spawn(process.execPath, [cli, 'cluster', 'up', '--topology', topology], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, HYPERSCALE_LOG_LEVEL: process.env['HYPERSCALE_LOG_LEVEL'] ?? 'warn' },
});
const clusterExited = new Promise((resolve) => cluster.once('exit', (code) => resolve(code)));

function stopCluster() {
  if (cluster.exitCode === null && cluster.signalCode === null) cluster.kill('SIGTERM');
  return clusterExited;
}

async function clusterUp() {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the local cluster did not come up within 60 s')), 60_000);
    cluster.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      if (buffered.includes('cluster up:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    cluster.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local cluster exited (code ${code}) before it was up`));
    });
  });
}

async function main() {
  process.on('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  await clusterUp();
  const run = spawn(process.execPath, [cli, 'run', job, '--gate', '127.0.0.1:7100'], { cwd: root, stdio: 'inherit' });
  const code = await new Promise((resolve) => run.once('exit', (c) => resolve(c ?? 1)));
  await stopCluster();
  return code;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`quickstart: ${error.message}`);
    await stopCluster();
    process.exit(1);
  },
);
