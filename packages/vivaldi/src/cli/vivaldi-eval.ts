#!/usr/bin/env node
// vivaldi-eval: how well do coordinates embed YOUR latency matrix? Reads a JSON matrix (an object
// with `rtt_ms`, like shared/data/azure-44-rtt.json, or a bare array of rows), simulates every node
// probing one random peer per round with the matrix RTT (optionally jittered), and prints one JSON
// line with the accuracy figures. The imperative shell around evaluation.ts: file and argv only.
import { readFileSync } from 'node:fs';
import { SERF_REFERENCE_CONFIG } from '../config.js';
import { evaluateMatrix, validateMatrix } from '../evaluation.js';

const USAGE =
  'usage: vivaldi-eval --matrix FILE.json --rounds N --seed S [--noise FRACTION] [--algorithm hyperscale|serf]';

interface Args {
  matrix: string;
  rounds: number;
  seed: number;
  noise: number;
  algorithm: 'hyperscale' | 'serf';
}

function parseArgs(argv: readonly string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument ${flag}`);
    const eq = flag.indexOf('=');
    if (eq > 0) {
      values.set(flag.slice(2, eq), flag.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      values.set(flag.slice(2), value);
    }
  }
  for (const key of values.keys()) {
    if (!['matrix', 'rounds', 'seed', 'noise', 'algorithm'].includes(key))
      throw new UsageError(`unknown flag --${key}`);
  }
  const matrix = values.get('matrix');
  if (matrix === undefined) throw new UsageError('--matrix is required');
  const rounds = integer(values.get('rounds'), 'rounds', 1, 1_000_000);
  const seed = integer(values.get('seed'), 'seed', 0, 0xffff_ffff);
  const noise = Number(values.get('noise') ?? '0');
  if (!Number.isFinite(noise) || noise < 0 || noise > 10) throw new UsageError('--noise must be a number in [0, 10]');
  const algorithm = values.get('algorithm') ?? 'hyperscale';
  if (algorithm !== 'hyperscale' && algorithm !== 'serf')
    throw new UsageError('--algorithm must be hyperscale or serf');
  return { matrix, rounds, seed, noise, algorithm };
}

function integer(raw: string | undefined, name: string, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

class UsageError extends Error {}

function main(): number {
  try {
    const args = parseArgs(process.argv.slice(2));
    const parsed: unknown = JSON.parse(readFileSync(args.matrix, 'utf8'));
    const raw = Array.isArray(parsed) ? parsed : (parsed as { rtt_ms?: unknown } | null)?.rtt_ms;
    const matrix = validateMatrix(raw);
    const report = evaluateMatrix(matrix, {
      rounds: args.rounds,
      seed: args.seed,
      noise: args.noise,
      config: args.algorithm === 'serf' ? SERF_REFERENCE_CONFIG : {},
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`vivaldi-eval: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main();
