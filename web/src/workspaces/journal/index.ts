import { createElement, lazy } from 'react';
import { CloudUploadOutlined, FileTextOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import type { NavPage } from '../../nav/registry';

/** 记账凭证: journal vouchers with their evidence chain, the suggestion queue, and the ledger import. */
export const journalPages: NavPage[] = [
  {
    key: 'journal.list',
    path: '/journal',
    labelKey: 'nav.journal',
    icon: createElement(FileTextOutlined),
    area: 'journal',
    component: lazy(() => import('./JournalListPage')),
  },
  {
    key: 'journal.suggestions',
    path: '/journal/suggestions',
    labelKey: 'journal.suggestions.nav',
    icon: createElement(QuestionCircleOutlined),
    area: 'journal',
    component: lazy(() => import('./SuggestionsPage')),
  },
  {
    key: 'journal.import',
    path: '/journal/import',
    labelKey: 'journal.import.nav',
    icon: createElement(CloudUploadOutlined),
    area: 'journal',
    // Writing the ledger is the accountant's; the others read it.
    roles: ['accountant'],
    component: lazy(() => import('./ImportPage')),
  },
  {
    key: 'journal.detail',
    path: '/journal/vouchers/:id',
    labelKey: 'journal.detail.nav',
    area: 'journal',
    hideInMenu: true,
    component: lazy(() => import('./JournalDetailPage')),
  },
];
