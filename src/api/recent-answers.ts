/**
 * Answers kept for a short while by key, each made once however many ask at the same time (the first request makes
 * it, the others wait for it), for reads that many clients poll and that may be that old. A failed answer is not
 * kept: the next request tries again.
 */
export class RecentAnswers<T> {
  private readonly answers = new Map<string, { at: number; answer: Promise<T> }>();

  constructor(private readonly freshMs: number) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const kept = this.answers.get(key);
    if (kept && now - kept.at < this.freshMs) return kept.answer;
    const answer = make();
    this.answers.set(key, { at: now, answer });
    answer.catch(() => {
      if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
    });
    // Expired entries go when asked for again; the keys are few (the fleet, and each provider).
    return answer;
  }
}
