import { expect } from 'chai';
import { startLoop, type LoopRun } from '../../src/core/lifecycle/loop';
import { capturedLogger } from '../support/captured-logger';
import { sleep, until } from '../support/wait';

/** A loop run that records how many runs are going at once, and can be held until released. */
function countedRun(options: { holdMs?: number; gate?: Promise<void> } = {}): { run: LoopRun; runs: () => number; mostAtOnce: () => number; signals: AbortSignal[] } {
  let running = 0;
  let runs = 0;
  let mostAtOnce = 0;
  const signals: AbortSignal[] = [];
  return {
    run: async (signal) => {
      runs += 1;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      signals.push(signal);
      try {
        if (options.holdMs !== undefined) await sleep(options.holdMs);
        if (options.gate) await options.gate;
      } finally {
        running -= 1;
      }
    },
    runs: () => runs,
    mostAtOnce: () => mostAtOnce,
    signals,
  };
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('the loop helper', function () {
  this.timeout(20_000);

  it('never starts a timed run while the one before is still going: the next is timed from its end', async () => {
    const log = capturedLogger();
    const counted = countedRun({ holdMs: 60 });
    const loop = startLoop({ name: 'test', timing: { everyMs: 5 }, logger: log.logger }, counted.run);
    await until(() => (counted.runs() >= 4 ? true : undefined), 'four runs');
    await loop.stop();
    expect(counted.mostAtOnce()).to.equal(1);
  });

  it('skips a cron time that comes while the run before is still going', async () => {
    const log = capturedLogger();
    const held = gate();
    const counted = countedRun({ gate: held.opened });
    // Every second, and at once: the first run is held over the next cron times.
    const loop = startLoop({ name: 'test-cron', timing: { cron: '* * * * * *', runAtStart: true }, logger: log.logger }, counted.run);
    await until(() => (log.lines().some((line) => line.event === 'loop.skipped') ? true : undefined), 'a cron time to be skipped', 5_000);
    expect(counted.runs()).to.equal(1);
    held.open();
    await until(() => (counted.runs() >= 2 ? true : undefined), 'the next cron time to run', 5_000);
    await loop.stop();
    expect(counted.mostAtOnce()).to.equal(1);
    expect(log.lines().find((line) => line.event === 'loop.skipped')?.loop).to.equal('test-cron');
  });

  it('stops idempotently: no run after stop(), which waits for the run in flight', async () => {
    const held = gate();
    const counted = countedRun({ gate: held.opened });
    const loop = startLoop({ name: 'test', timing: { everyMs: 5 }, logger: capturedLogger().logger }, counted.run);
    await until(() => (counted.runs() === 1 ? true : undefined), 'the first run');
    let stopped = false;
    const first = loop.stop().then(() => {
      stopped = true;
    });
    const second = loop.stop();
    await sleep(50);
    expect(stopped, 'stopped while a run was in flight').to.equal(false);
    expect(counted.signals[0].aborted).to.equal(false);
    held.open();
    await Promise.all([first, second]);
    expect(stopped).to.equal(true);
    await sleep(50);
    expect(counted.runs()).to.equal(1);
  });

  it('can be forced: the run in flight is told to give up through its signal, and is still waited for', async () => {
    let ended = false;
    const loop = startLoop({ name: 'test', timing: { everyMs: 5 }, logger: capturedLogger().logger }, async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await sleep(20);
      ended = true;
    });
    await sleep(30);
    const graceful = loop.stop();
    await loop.stop({ force: true });
    expect(ended).to.equal(true);
    await graceful;
  });

  it('logs a failed run and goes on; a run may set the time until the next one', async () => {
    const log = capturedLogger();
    let runs = 0;
    const loop = startLoop({ name: 'flaky', timing: { everyMs: 10 }, logger: log.logger }, async () => {
      runs += 1;
      if (runs === 1) throw new Error('the first run fails');
      // The second asks for the third soon, the third for the next in a minute.
      return { nextInMs: runs === 2 ? 5 : 60_000 };
    });
    await until(() => (runs >= 3 ? true : undefined), 'runs after the failed one');
    await sleep(100);
    await loop.stop();
    expect(runs).to.equal(3);
    const failed = log.lines().filter((line) => line.event === 'loop.failed');
    expect(failed.map((line) => line.loop)).to.deep.equal(['flaky']);
  });
});
