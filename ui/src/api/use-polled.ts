import { useCallback, useEffect, useRef, useState } from 'react';
import { asError } from './api-error';
import { useAuth } from '../auth/auth-context';

export interface PolledWatch<T> {
  value: T | null;
  error: Error | null;
  /** A newer view than the last poll's (the answer to an action on it), shown at once. */
  show: (value: T) => void;
}

/**
 * Follows one API resource (GET `path`) while `nextPollMs` of its latest answer says when to ask again (null: it has
 * reached its end); a null path stops following. Each answer waits for the one before, so a slow server is never
 * asked twice at once; one failed poll is shown but does not end the watch, as what is followed goes on.
 */
export function usePolled<T>(path: string | null, nextPollMs: (value: T) => number | null, failedPollMs: number): PolledWatch<T> {
  const { api } = useAuth();
  const [watch, setWatch] = useState<{ value: T | null; error: Error | null }>({ value: null, error: null });
  // The caller's latest schedule, read at each poll: a new function at each render does not restart the watch.
  const schedule = useRef(nextPollMs);
  schedule.current = nextPollMs;

  useEffect(() => {
    setWatch({ value: null, error: null });
    if (path === null) return undefined;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      let next: number | null = failedPollMs;
      try {
        const value = await api.get<T>(path);
        if (stopped) return;
        setWatch({ value, error: null });
        next = schedule.current(value);
      } catch (error: unknown) {
        if (stopped) return;
        setWatch((current) => ({ ...current, error: asError(error) }));
      }
      if (next !== null) timer = window.setTimeout(() => void poll(), next);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, path, failedPollMs]);

  const show = useCallback((value: T) => setWatch({ value, error: null }), []);
  return { ...watch, show };
}
