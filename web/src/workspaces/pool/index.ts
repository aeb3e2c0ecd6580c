import { createElement, lazy } from 'react';
import { CloudUploadOutlined, InboxOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

/** 票据池: the pool list, a voucher's detail and the collection upload, on the pool API. */
export const poolPages: NavPage[] = [
  {
    key: 'pool.list',
    path: '/pool',
    labelKey: 'nav.pool',
    icon: createElement(InboxOutlined),
    area: 'pool',
    component: lazy(() => import('./PoolListPage')),
  },
  {
    key: 'pool.upload',
    path: '/pool/upload',
    labelKey: 'pool.upload.nav',
    icon: createElement(CloudUploadOutlined),
    area: 'pool',
    component: lazy(() => import('./UploadPage')),
  },
  {
    key: 'pool.detail',
    path: '/pool/vouchers/:id',
    labelKey: 'pool.detail.title',
    area: 'pool',
    hideInMenu: true,
    component: lazy(() => import('./VoucherDetailPage')),
  },
];
