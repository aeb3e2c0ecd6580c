import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { VOUCHER_KIND_NAMES, type VoucherKind } from '../../formats/voucher';
import type { Principal } from '../../platform/identity';
import { SEARCH } from '../../platform/tokens';
import { normalizeQuery } from './query';
import { SearchScopeBuilder } from './scope';
import { SearchRepository } from './search.repository';
import { CATEGORY_NAMES, type Category, type SearchBackend, type SearchQuery, type SearchResult, type SearchScope } from './search.types';

/** Rows an export may hold: a spreadsheet is for reading, not a bulk copy of the archive. */
export const EXPORT_MAX_ROWS = 10_000;

@Injectable()
export class SearchService implements OnApplicationShutdown {
  constructor(
    @Inject(SEARCH) readonly backend: SearchBackend,
    private readonly scopes: SearchScopeBuilder,
    private readonly repo: SearchRepository,
  ) {}

  async search(p: Principal, query: SearchQuery): Promise<SearchResult> {
    return this.searchInScope(await this.scopes.scopeOf(p), query);
  }

  /** For callers that already hold a scope (CLI as an administrator, benchmarks). */
  async searchInScope(scope: SearchScope, query: SearchQuery): Promise<SearchResult> {
    const result = await this.backend.search(normalizeQuery(query), scope);
    if (result.facets) await this.label(result);
    return result;
  }

  private async label(r: SearchResult): Promise<void> {
    const f = r.facets!;
    const names = await this.repo.unitNames(f.unit.map((b) => b.value));
    for (const b of f.unit) b.label = names.get(b.value) ?? b.value;
    // Journal vouchers (modules/ledger) are indexed with kind `journal`.
    for (const b of f.kind) b.label = VOUCHER_KIND_NAMES[b.value as VoucherKind] ?? (b.value === 'journal' ? '记账凭证' : b.value);
    for (const b of f.category) b.label = CATEGORY_NAMES[b.value as Category] ?? b.value;
  }

  /** The same query as a workbook (every page up to EXPORT_MAX_ROWS, in the query's order). */
  async exportXlsx(p: Principal, query: SearchQuery): Promise<{ buffer: Buffer; rows: number; truncated: boolean }> {
    const scope = await this.scopes.scopeOf(p);
    const wb = new ExcelJS.Workbook();
    wb.creator = 'evarchive';
    const ws = wb.addWorksheet('检索结果');
    ws.columns = [
      { header: '档号', key: 'archivalCode', width: 24 },
      { header: '类别', key: 'category', width: 8 },
      { header: '种类', key: 'kind', width: 24 },
      { header: '号码', key: 'number', width: 24 },
      { header: '题名', key: 'title', width: 36 },
      { header: '日期', key: 'date', width: 12 },
      { header: '金额', key: 'amount', width: 14, style: { numFmt: '#,##0.00' } },
      { header: '相关方', key: 'parties', width: 40 },
      { header: '单位', key: 'unit', width: 24 },
      { header: '状态', key: 'state', width: 10 },
      { header: 'ID', key: 'id', width: 40 },
    ];
    ws.getRow(1).font = { bold: true };
    const unitCache = new Map<string, string>();
    let cursor: string | undefined;
    let rows = 0;
    let truncated = false;
    for (;;) {
      const page = await this.backend.search(normalizeQuery({ ...query, limit: 500, cursor, facets: false, highlight: false }), scope);
      const missing = [...new Set(page.hits.map((h) => h.unitId).filter((u) => !unitCache.has(u)))];
      for (const [id, name] of await this.repo.unitNames(missing)) unitCache.set(id, name);
      for (const h of page.hits) {
        if (rows >= EXPORT_MAX_ROWS) {
          truncated = true;
          break;
        }
        ws.addRow({
          archivalCode: h.archivalCode ?? '',
          category: CATEGORY_NAMES[h.category as Category] ?? h.category,
          kind: (h.kind && VOUCHER_KIND_NAMES[h.kind as VoucherKind]) ?? h.kind ?? '',
          number: h.invoiceNumber ?? '',
          title: h.title,
          date: h.date ?? '',
          // Excel keeps numbers as doubles; two-decimal amounts up to 10^13 survive exactly, and the text form
          // is what was stored. The cell is numeric so sums work in the sheet.
          amount: h.amount === null ? null : Number(h.amount),
          parties: h.parties.join('；'),
          unit: unitCache.get(h.unitId) ?? h.unitId,
          state: h.state,
          id: h.id,
        });
        rows++;
      }
      if (truncated || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if (truncated) ws.addRow({ title: `仅导出前 ${EXPORT_MAX_ROWS} 条，请缩小检索范围` });
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    return { buffer, rows, truncated };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}
