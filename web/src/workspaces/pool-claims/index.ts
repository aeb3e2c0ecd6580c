import { createElement, lazy } from 'react';
import { ApiOutlined, AuditOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

/** 票据池 part B: the reimbursement/booking worklist and page of one voucher, and the bank connector settings. */
export const poolClaimsPages: NavPage[] = [
  {
    key: 'pool.claims',
    path: '/pool/claims',
    labelKey: 'poolb.claims.nav',
    icon: createElement(AuditOutlined),
    area: 'pool',
    roles: ['reimbursement_clerk', 'accountant', 'unit_admin', 'archivist'],
    component: lazy(() => import('./ClaimsPage')),
  },
  {
    key: 'pool.claims.voucher',
    path: '/pool/claims/:id',
    labelKey: 'poolb.workflow.title',
    area: 'pool',
    hideInMenu: true,
    component: lazy(() => import('./WorkflowPage')),
  },
  {
    key: 'pool.connectors',
    path: '/pool/connectors',
    labelKey: 'poolb.connectors.nav',
    icon: createElement(ApiOutlined),
    area: 'pool',
    roles: ['unit_admin'],
    component: lazy(() => import('./ConnectorsPage')),
  },
];
