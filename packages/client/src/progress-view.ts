// The live view while a job runs: one line per update on a terminal (rewritten in place), or a
// line every few seconds when output is a file or a pipe.
import { summarize } from '@hyperscale/loadgen';
import type { JobUpdate } from '@hyperscale/protocol';
import { jobStatusName, statsFromProto } from '@hyperscale/wire';

export class ProgressView {
  private lastPrinted = 0;
  private status = 'SUBMITTED';
  private line = '';

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly now: () => number = Date.now,
  ) {}

  update(update: JobUpdate): void {
    const u = update.update;
    if (u.case === 'status') {
      if (u.value.datacenter)
        this.note(
          `${u.value.datacenter}: ${jobStatusName(u.value.status)}${u.value.reason ? ` (${u.value.reason})` : ''}`,
        );
      else this.status = jobStatusName(u.value.status);
    } else if (u.case === 'progress') {
      const parts = u.value.datacenters.map((dc) => {
        let requests = 0;
        let errors = 0;
        let rps = 0;
        for (const w of dc.workflows) {
          const stats = statsFromProto(w);
          if (!stats) continue;
          const s = summarize(stats);
          requests += s.requests;
          errors += s.errors;
          rps += s.rps;
        }
        return `${dc.datacenter} ${requests} req ${errors} err ${rps.toFixed(0)}/s`;
      });
      this.line = `${this.status} ${(Number(u.value.elapsedMs) / 1000).toFixed(1)}s | ${parts.join(' | ')}`;
    }
    this.render();
  }

  finish(): void {
    if (this.out.isTTY && this.line) this.out.write('\n');
  }

  private note(text: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}\n`);
    else this.out.write(`${text}\n`);
  }

  private render(): void {
    if (!this.line) return;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${this.line}`);
    } else if (this.now() - this.lastPrinted >= 2_000) {
      this.lastPrinted = this.now();
      this.out.write(`${this.line}\n`);
    }
  }
}
