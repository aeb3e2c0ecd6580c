import { createElement, lazy } from 'react';
import { SearchOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

/** 档案检索: one page on GET /api/search (roles from the `search` area). */
export const searchPages: NavPage[] = [
  {
    key: 'search',
    path: '/search',
    labelKey: 'nav.search',
    icon: createElement(SearchOutlined),
    area: 'search',
    component: lazy(() => import('./SearchPage')),
  },
];
