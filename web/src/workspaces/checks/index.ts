import { createElement, lazy } from 'react';
import { FileProtectOutlined, SafetyOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

/** 四性检测 and 归档信息包: runs, results, signed reports, packages with verification (area roles: archivist, auditor, unit_admin). */
export const checksPages: NavPage[] = [
  {
    key: 'checks.runs',
    path: '/checks',
    labelKey: 'nav.checks',
    icon: createElement(SafetyOutlined),
    area: 'checks',
    component: lazy(() => import('./ChecksPage')),
  },
  {
    key: 'checks.packages',
    path: '/checks/packages',
    labelKey: 'nav.checks.packages',
    icon: createElement(FileProtectOutlined),
    area: 'checks',
    component: lazy(() => import('./PackagesPage')),
  },
];
