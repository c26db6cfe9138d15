/**
 * The label sets of a metric that carry a provider, remembered by provider, so that a deleted provider's series
 * can be removed: a long-running server then keeps series for the providers that exist, not for all it ever saw.
 */
export class ProviderLabelSets<Labels extends { provider: string }> {
  private readonly byProvider = new Map<string, Map<string, Labels>>();

  note(labels: Labels): void {
    let sets = this.byProvider.get(labels.provider);
    if (!sets) this.byProvider.set(labels.provider, (sets = new Map()));
    sets.set(JSON.stringify(labels), labels);
  }

  /** The label sets of providers not among `present`, forgotten here; the caller removes their series. */
  prune(present: ReadonlySet<string>): Labels[] {
    const gone: Labels[] = [];
    for (const [provider, sets] of this.byProvider) {
      if (present.has(provider)) continue;
      gone.push(...sets.values());
      this.byProvider.delete(provider);
    }
    return gone;
  }
}
