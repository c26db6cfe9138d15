import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/auth-context';
import type { ApiClient } from './api-client';
import { asError } from './api-error';

export interface ApiData<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

export interface UseApiOptions {
  /** Load again every this many ms while the component is shown (live pages); off when absent. */
  intervalMs?: number;
  /** Changing it loads again like reload(), keeping the data shown until the answer (e.g. after a refresh). */
  version?: number;
}

/**
 * Loads `load(api)` when shown and whenever `key` changes (a string naming what is loaded, e.g. the URL). A reload
 * keeps the data shown until the new answer arrives, so live pages do not flicker; an answer that arrives after the
 * key changed is dropped.
 */
export function useApi<T>(key: string, load: (api: ApiClient) => Promise<T>, options: UseApiOptions = {}): ApiData<T> {
  const { api } = useAuth();
  const [state, setState] = useState<{ key: string; data?: T; error?: Error; loading: boolean }>({ key, loading: true });
  const [generation, setGeneration] = useState(0);
  // The latest loader, so a caller's inline function does not restart the effect on every render.
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    let current = true;
    setState((previous) => (previous.key === key ? { ...previous, loading: true } : { key, loading: true }));
    loader.current(api).then(
      (data) => { if (current) setState({ key, data, loading: false }); },
      (error: unknown) => {
        if (current) setState((previous) => ({ ...previous, key, error: asError(error), loading: false }));
      },
    );
    return () => { current = false; };
  }, [api, key, generation, options.version]);

  const { intervalMs } = options;
  useEffect(() => {
    if (intervalMs === undefined) return undefined;
    const timer = window.setInterval(() => setGeneration((value) => value + 1), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const shown = state.key === key ? state : { data: undefined, error: undefined, loading: true };
  return { data: shown.data, error: shown.error, loading: shown.loading, reload };
}
