import { createElement, lazy } from 'react';
import { ApartmentOutlined, AuditOutlined, SettingOutlined, TeamOutlined } from '@ant-design/icons';
import type { NavGroup, NavPage } from '../../nav/registry';

/** 系统管理: users, units and the audit log, on the identity and audit APIs. */
export const adminGroup: NavGroup = { key: 'admin', labelKey: 'nav.admin', icon: createElement(SettingOutlined), path: '/admin' };

export const adminPages: NavPage[] = [
  {
    key: 'admin.users',
    path: '/admin/users',
    labelKey: 'nav.admin.users',
    icon: createElement(TeamOutlined),
    area: 'admin',
    group: 'admin',
    component: lazy(() => import('./UsersPage')),
  },
  {
    key: 'admin.units',
    path: '/admin/units',
    labelKey: 'nav.admin.units',
    icon: createElement(ApartmentOutlined),
    area: 'admin',
    group: 'admin',
    component: lazy(() => import('./UnitsPage')),
  },
  {
    key: 'admin.audit',
    path: '/admin/audit',
    labelKey: 'nav.admin.audit',
    icon: createElement(AuditOutlined),
    area: 'audit',
    group: 'admin',
    component: lazy(() => import('./AuditPage')),
  },
];
