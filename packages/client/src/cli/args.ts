// Minimal argument parsing: positionals, `--flag value`, `--flag=value` and boolean flags.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs(
  argv: readonly string[],
  booleanFlags: readonly string[],
): { positional: string[]; flags: Record<string, string | boolean> } {
  const positional: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (booleanFlags.includes(name)) flags[name] = true;
    else if (inline !== undefined) flags[name] = inline;
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
      i++;
    }
  }
  return { positional, flags };
}
