import { lazy } from 'react';
import { createElement } from 'react';
import { HomeOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

export const homePages: NavPage[] = [
  {
    key: 'home',
    path: '/',
    labelKey: 'nav.home',
    icon: createElement(HomeOutlined),
    area: 'home',
    component: lazy(() => import('./HomePage')),
  },
];
