import { InvalidInputError } from './invalid-input-error';
import { POWER_STATES } from './model';
import { deriveSeed, Random } from './random';
import type { DemoCloudState } from './state';

/** The busiest activity one may ask for: changes per second. */
export const MAX_ACTIVITY_RATE = 10_000;
/** How often the activity catches up with its rate. */
const TICK_MS = 20;
/** Salt of the activity's random stream, apart from generation's and mutations'. */
const ACTIVITY_SALT = 900;

/**
 * Background "activity": the cloud changing by itself at a steady rate, as a busy real one does — mostly power
 * changes, with resizes, new VMs and deleted ones mixed in. Every change goes through the state, so each one is an
 * event. Which changes happen is drawn from the cloud's seed; when they happen follows the wall clock.
 */
export class DemoActivity {
  private timer: NodeJS.Timeout | undefined;
  private rate = 0;
  private startedAt = 0;
  private done = 0;
  private readonly rng: Random;

  constructor(private readonly state: DemoCloudState) {
    this.rng = new Random(deriveSeed(state.seed, ACTIVITY_SALT));
  }

  /** Changes per second now (0: none) and how many it has made since it was last started. */
  current(): { rate_per_second: number; changes: number } {
    return { rate_per_second: this.rate, changes: this.done };
  }

  /** Starts (or restarts) the activity at `ratePerSecond` changes per second; 0 stops it. */
  start(ratePerSecond: unknown): { rate_per_second: number; changes: number } {
    if (typeof ratePerSecond !== 'number' || !(ratePerSecond >= 0 && ratePerSecond <= MAX_ACTIVITY_RATE)) {
      throw new InvalidInputError(`rate_per_second must be a number from 0 to ${MAX_ACTIVITY_RATE}`);
    }
    this.stop();
    this.rate = ratePerSecond;
    this.startedAt = Date.now();
    this.done = 0;
    if (ratePerSecond > 0) this.timer = setInterval(() => this.catchUp(), TICK_MS);
    return this.current();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.rate = 0;
  }

  /** Makes the changes that are due by now, so the rate holds whatever the timer's jitter. */
  private catchUp(): void {
    const due = Math.floor(((Date.now() - this.startedAt) * this.rate) / 1000);
    for (; this.done < due; this.done += 1) this.change();
  }

  private change(): void {
    const vms = this.state.list('vms');
    const roll = this.rng.next();
    if (vms.length === 0 || roll < 0.05) {
      this.state.mutate({ add: 1 });
    } else if (roll < 0.1) {
      this.state.mutate({ delete: 1 });
    } else if (roll < 0.2) {
      const vm = this.rng.pick(vms);
      const flavors = this.state.list('flavors').filter((f) => f.id !== vm.flavor_id);
      if (flavors.length > 0) this.state.resize(vm.id, this.rng.pick(flavors).id);
    } else {
      const vm = this.rng.pick(vms);
      this.state.setPowerState(vm.id, this.rng.pick(POWER_STATES.filter((s) => s !== vm.power_state)));
    }
  }
}
