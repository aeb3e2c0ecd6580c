import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './client';

export interface ApiResource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads one resource for a page and re-loads it on demand. `load` receives an AbortSignal so leaving the page
 * cancels the request instead of setting state on an unmounted component. Pass `null` to skip loading.
 */
export function useApi<T>(load: ((signal: AbortSignal) => Promise<T>) | null, deps: unknown[]): ApiResource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(load !== null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const fn = loadRef.current;
    if (!fn) {
      setLoading(false);
      return;
    }
    const ctrl = new AbortController();
    setLoading(true);
    fn(ctrl.signal)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'client_error', (e as Error).message));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
    // The caller's deps decide when to reload; `load` is a new closure on every render and is read via the ref.
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
