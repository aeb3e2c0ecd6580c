import { Spin } from 'antd';
import { Suspense, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { canOpen, registry, type NavGroup, type NavPage } from '../nav/registry';
import { ForbiddenPage } from './ErrorPages';

export function FullPageSpin() {
  return (
    <div style={{ height: '100vh', display: 'grid', placeItems: 'center' }}>
      <Spin size="large" />
    </div>
  );
}

/** Signed-in area: waits for /api/auth/me, sends anonymous visitors to /login?next=<where they wanted to go>. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'anonymous') {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** One registered page, behind the registry's role check. */
export function PageRoute({ page }: { page: NavPage }) {
  const { effectiveRoles } = useAuth();
  if (!canOpen(page, effectiveRoles)) return <ForbiddenPage />;
  const Page = page.component;
  return (
    <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
      <Page />
    </Suspense>
  );
}

/** A menu group's own path (e.g. /admin) opens its first page this user may open. */
export function GroupRoute({ group }: { group: NavGroup }) {
  const { effectiveRoles } = useAuth();
  const first = registry.find((p) => p.group === group.key && !p.hideInMenu && canOpen(p, effectiveRoles));
  return first ? <Navigate to={first.path} replace /> : <ForbiddenPage />;
}
