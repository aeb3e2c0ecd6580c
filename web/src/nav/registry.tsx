import type { ComponentType, LazyExoticComponent, ReactNode } from 'react';
import type { Role } from '../api/types';
import type { MessageKey } from '../i18n/I18nProvider';
import { AREA_ROLES, type Area } from './areas';
import { homePages } from '../workspaces/home';
import { adminGroup, adminPages } from '../workspaces/admin';
import { searchPages } from '../workspaces/search';
import { volumesPages } from '../workspaces/volumes';
import { poolPages } from '../workspaces/pool';
import { journalPages } from '../workspaces/journal';
import { checksPages } from '../workspaces/checks';
import { poolClaimsPages } from '../workspaces/pool-claims';

/**
 * The navigation registry: every page of the app, with the roles allowed to open it. The side menu, the
 * router and the 403 guard are all built from this list, so a page cannot be reachable but unlisted, or
 * listed for a role the guard then refuses. A workspace adds its pages by exporting `NavPage[]` from its
 * folder's index and appending them to `registry` below.
 */
export interface NavPage {
  /** Stable id, used as the menu key. */
  key: string;
  /** Absolute route path (may contain `:params`; such pages should set `hideInMenu`). */
  path: string;
  labelKey: MessageKey;
  icon?: ReactNode;
  area: Area;
  /** Narrower than the area's roles when set (e.g. units list only for system administrators). */
  roles?: readonly Role[];
  /** Lazy, so each workspace is its own chunk and the login page stays small. */
  component: LazyExoticComponent<ComponentType>;
  /** Key of the NavGroup this page sits under in the menu. */
  group?: string;
  hideInMenu?: boolean;
}

export interface NavGroup {
  key: string;
  labelKey: MessageKey;
  icon?: ReactNode;
  /** Opening this path goes to the group's first page the user may open (403 when none). */
  path: string;
}

export const registry: NavPage[] = [...homePages, ...poolPages, ...poolClaimsPages, ...journalPages, ...adminPages, ...volumesPages, ...searchPages, ...checksPages];
export const groups: NavGroup[] = [adminGroup];

export function allowedRoles(page: NavPage): readonly Role[] | 'all' {
  return page.roles ?? AREA_ROLES[page.area];
}

/**
 * Mirrors the server's rule (platform/identity/principal.ts): a system administrator passes every role check,
 * so the UI never hides from them what the API would let them do.
 */
export function canOpen(page: NavPage, roles: ReadonlySet<Role>): boolean {
  const allowed = allowedRoles(page);
  return allowed === 'all' || roles.has('system_admin') || allowed.some((r) => roles.has(r));
}

export type MenuNode = { type: 'page'; page: NavPage } | { type: 'group'; group: NavGroup; pages: NavPage[] };

/** The menu for a set of roles, in registry order; a group appears where its first visible page would. */
export function menuFor(roles: ReadonlySet<Role>): MenuNode[] {
  const nodes: MenuNode[] = [];
  for (const page of registry) {
    if (page.hideInMenu || !canOpen(page, roles)) continue;
    if (!page.group) {
      nodes.push({ type: 'page', page });
      continue;
    }
    let node = nodes.find((n): n is Extract<MenuNode, { type: 'group' }> => n.type === 'group' && n.group.key === page.group);
    if (!node) {
      const group = groups.find((g) => g.key === page.group);
      if (!group) throw new Error(`nav page ${page.key}: unknown group ${page.group}`);
      node = { type: 'group', group, pages: [] };
      nodes.push(node);
    }
    node.pages.push(page);
  }
  return nodes;
}
