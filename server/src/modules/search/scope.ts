import { Inject, Injectable, Optional } from '@nestjs/common';
import { allowedUnitIds, type Principal } from '../../platform/identity';
import type { Role } from '../../platform/identity/roles';
import type { SearchScope } from './search.types';

/** Roles that read every document of the units where they hold them (system_admin passes too). */
export const SEARCH_UNIT_ROLES: readonly Role[] = ['archivist', 'accountant', 'auditor', 'unit_admin'];
/** Roles that may open the search at all; a borrower sees only what a loan grants. */
export const SEARCH_ROLES: readonly Role[] = [...SEARCH_UNIT_ROLES, 'borrower'];

/**
 * Extension point for single-document grants (借阅 loans): the lending module provides this token and the
 * documents its active loans open to the principal are added to every query's scope.
 */
export const SEARCH_DOCUMENT_GRANTS = Symbol('evarchive.search.document-grants');
export interface DocumentGrantSource {
  /** Search document ids (`voucher:<id>`, …) the principal may read outside its units, now. */
  documentIds(p: Principal): Promise<string[]>;
}

/** The one place a principal becomes a SearchScope, from the identity module's rule (principal.ts). */
@Injectable()
export class SearchScopeBuilder {
  constructor(@Optional() @Inject(SEARCH_DOCUMENT_GRANTS) private readonly grants?: DocumentGrantSource) {}

  async scopeOf(p: Principal): Promise<SearchScope> {
    return {
      unitIds: allowedUnitIds(p, SEARCH_UNIT_ROLES),
      documentIds: this.grants ? await this.grants.documentIds(p) : [],
    };
  }
}
