import { createElement } from 'react';
import { SettingOutlined } from '@ant-design/icons';
import type { NavGroup, NavPage } from '../../nav/registry';

export const adminGroup: NavGroup = { key: 'admin', labelKey: 'nav.admin', icon: createElement(SettingOutlined), path: '/admin' };

export const adminPages: NavPage[] = [];
