import { SingleBar } from 'cli-progress';
import type { RefreshProgress } from '../core/refresh/refresh-progress';

const PHASES: RefreshProgress['phase'][] = ['setup', 'collect', 'persist', 'done'];

/** A terminal progress bar over a refresh's phases, with the objects built so far per collection. */
export class RefreshProgressBar {
  private readonly bar = new SingleBar({
    format: '{phase} [{bar}] {objects} objects  {detail}',
    stream: process.stdout,
    hideCursor: true,
    clearOnComplete: false,
    barsize: 20,
    fps: 10,
  });
  private started = false;

  update(progress: RefreshProgress): void {
    const step = PHASES.indexOf(progress.phase) + 1;
    const objects = Object.values(progress.built).reduce((sum, n) => sum + n, 0);
    const detail = Object.entries(progress.built).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ');
    const payload = { phase: progress.phase.padEnd(7), objects, detail };
    if (!this.started) {
      this.bar.start(PHASES.length, step, payload);
      this.started = true;
    } else if (progress.phase === 'done') {
      this.bar.update(step, { phase: 'done   ' });
    } else {
      this.bar.update(step, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}
