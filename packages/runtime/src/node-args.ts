// The Node/V8 flags a service runs with live in one place, its package.json
// (`hyperscale.nodeArgs`), so that every launcher starts it the same way and a process started
// without them can say so.
import { readFileSync } from 'node:fs';
import type { Logger } from './logging.js';

const FLAG = /^--[a-z0-9][a-z0-9-]*(=[^\s]+)?$/;

/** The flags of `hyperscale.nodeArgs` in the package.json at `packageJsonPath` ([] when absent). */
export function serviceNodeArgs(packageJsonPath: string | URL): string[] {
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { hyperscale?: { nodeArgs?: unknown } };
  const args = manifest.hyperscale?.nodeArgs;
  if (args === undefined) return [];
  if (!Array.isArray(args))
    throw new Error(`${String(packageJsonPath)}: hyperscale.nodeArgs must be an array of flags`);
  for (const [i, arg] of args.entries()) {
    if (typeof arg !== 'string' || !FLAG.test(arg))
      throw new Error(
        `${String(packageJsonPath)}: hyperscale.nodeArgs[${i}] (${JSON.stringify(arg)}) is not a flag like --name or --name=value`,
      );
  }
  return args as string[];
}

/** The expected flags that neither the command line (`execArgv`) nor NODE_OPTIONS carries. */
export function nodeArgsNotInEffect(
  expected: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(normalise));
  return expected.filter((flag) => !given.has(normalise(flag)));
}

/** V8 treats `--max_semi_space_size` and `--max-semi-space-size` as one flag. */
function normalise(flag: string): string {
  return flag.replace(/^[^=]*/, (name) => name.replaceAll('_', '-'));
}

/**
 * Logs a warning naming the flags of the service's package.json this process was started without
 * (a hand-written command line, say); the service still serves. Returns them.
 */
export function warnWithoutNodeArgs(
  packageJsonPath: string | URL,
  logger: Pick<Logger, 'warn'>,
  started: { execArgv: readonly string[]; nodeOptions: string | undefined } = {
    execArgv: process.execArgv,
    nodeOptions: process.env['NODE_OPTIONS'],
  },
): string[] {
  const missing = nodeArgsNotInEffect(serviceNodeArgs(packageJsonPath), started.execArgv, started.nodeOptions);
  if (missing.length > 0)
    logger.warn({ missing }, `started without node flags ${missing.join(' ')}: start it as its package.json says`);
  return missing;
}
