/** What a benchmark must undo at the end, undone in reverse order; every step runs even when an earlier one fails. */
export class Cleanups {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error: unknown) {
        console.error('cleanup step failed:', error);
      }
    }
  }
}
