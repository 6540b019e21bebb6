// One error for a bad job spec that lists every problem at once, each with the field path and the
// rule it broke, so a user fixes the whole file in one pass. The gate maps it to INVALID_ARGUMENT.

export interface SpecProblem {
  /** e.g. 'workflows[1].steps[0].url'; '' for the document itself. */
  path: string;
  /** e.g. 'must be an absolute http(s) URL'. */
  rule: string;
}

export class JobSpecError extends Error {
  override readonly name = 'JobSpecError';
  readonly problems: readonly SpecProblem[];

  constructor(problems: readonly SpecProblem[]) {
    const lines = problems.map((p) => `  - ${p.path === '' ? '(document)' : p.path}: ${p.rule}`);
    super(`invalid job spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}
