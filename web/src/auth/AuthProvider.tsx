import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthorized } from '../api/client';
import type { CurrentUser, LoginResponse, Role, UnitRef } from '../api/types';

const UNIT_KEY = 'evarchive.unit';

export type AuthState =
  | { status: 'loading' }
  | { status: 'anonymous'; error?: ApiError }
  | { status: 'authenticated'; user: CurrentUser };

interface AuthValue {
  state: AuthState;
  user: CurrentUser | null;
  /** The unit the user is working in; pages scope their queries by it. null when the user has no unit. */
  currentUnit: UnitRef | null;
  setCurrentUnit(unitId: string): void;
  /** Roles that hold in the current unit: unit-less grants (system-wide) plus the grants for that unit. */
  effectiveRoles: ReadonlySet<Role>;
  login(username: string, password: string): Promise<CurrentUser>;
  logout(): Promise<void>;
  /** Re-reads /api/auth/me, after a change to the user's own roles or units (e.g. a unit was created). */
  refresh(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function rolesInUnit(user: CurrentUser, unitId: string | null): Set<Role> {
  return new Set(user.roles.filter((g) => g.unitId === null || g.unitId === unitId).map((g) => g.role));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [unitId, setUnitId] = useState<string | null>(() => localStorage.getItem(UNIT_KEY));

  useEffect(() => {
    const ctrl = new AbortController();
    api
      .get<{ user: CurrentUser }>('/api/auth/me', { expect401: true, signal: ctrl.signal })
      .then(({ user }) => setState({ status: 'authenticated', user }))
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        // 401 is the normal "not signed in"; anything else (server down) is shown on the login page.
        setState({ status: 'anonymous', error: e instanceof ApiError && e.status !== 401 ? e : undefined });
      });
    return () => ctrl.abort();
  }, []);

  // A session that expires while the app is open: drop the user, the route guard then sends them to /login.
  useEffect(() => onUnauthorized(() => setState({ status: 'anonymous' })), []);

  const login = useCallback(async (username: string, password: string) => {
    const res = await api.post<LoginResponse>('/api/auth/login', { username, password }, { expect401: true });
    setState({ status: 'authenticated', user: res.user });
    return res.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout', {}, { expect401: true });
    } finally {
      setState({ status: 'anonymous' });
    }
  }, []);

  const refresh = useCallback(async () => {
    const { user } = await api.get<{ user: CurrentUser }>('/api/auth/me');
    setState({ status: 'authenticated', user });
  }, []);

  const setCurrentUnit = useCallback((id: string) => {
    localStorage.setItem(UNIT_KEY, id);
    setUnitId(id);
  }, []);

  const value = useMemo<AuthValue>(() => {
    const user = state.status === 'authenticated' ? state.user : null;
    // The remembered unit only counts if this user still belongs to it (another user may have used this browser).
    const currentUnit = user ? (user.units.find((u) => u.id === unitId) ?? user.units[0] ?? null) : null;
    return {
      state,
      user,
      currentUnit,
      setCurrentUnit,
      effectiveRoles: user ? rolesInUnit(user, currentUnit?.id ?? null) : new Set<Role>(),
      login,
      logout,
      refresh,
    };
  }, [state, unitId, setCurrentUnit, login, logout, refresh]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
