import { createElement, lazy } from 'react';
import { FieldTimeOutlined, InboxOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';
import type { Role } from '../../api/types';

/** Who may open the volume pages; the auditor reads only (the server refuses the actions anyway). */
const VOLUME_ROLES: readonly Role[] = ['archivist', 'accountant', 'unit_admin', 'auditor'];

/** 组卷: the volume builder and list, a volume's detail, and the retention overview. */
export const volumesPages: NavPage[] = [
  {
    key: 'volumes.list',
    path: '/volumes',
    labelKey: 'nav.volumes',
    icon: createElement(InboxOutlined),
    area: 'volumes',
    roles: VOLUME_ROLES,
    component: lazy(() => import('./VolumesPage')),
  },
  {
    key: 'volumes.retention',
    path: '/volumes/retention',
    labelKey: 'nav.volumes.retention',
    icon: createElement(FieldTimeOutlined),
    area: 'volumes',
    roles: VOLUME_ROLES,
    component: lazy(() => import('./RetentionPage')),
  },
  {
    key: 'volumes.detail',
    path: '/volumes/:id',
    labelKey: 'volumes.detail.title',
    area: 'volumes',
    roles: VOLUME_ROLES,
    hideInMenu: true,
    component: lazy(() => import('./VolumeDetailPage')),
  },
];
