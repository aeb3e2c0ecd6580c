import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '../../platform/identity';
import { queryFromParams } from './query';
import { SEARCH_ROLES } from './scope';
import { SearchService } from './search.service';

@ApiTags('search')
@Controller()
export class SearchController {
  constructor(private readonly search: SearchService) {}

  /**
   * `GET /api/search?q=南通 发票&kind=inv_ord&from=2024-01-01&to=2024-12-31&refine=财政局&sort=date` →
   * `{total, hits, facets, nextCursor}`. Only documents of the caller's units (and loan grants) are searched.
   */
  @Get('search')
  @Roles(...SEARCH_ROLES)
  async find(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    return this.search.search(p, queryFromParams(q));
  }

  /** The same query as an Excel workbook (up to 10,000 rows). */
  @Get('search.xlsx')
  @Roles(...SEARCH_ROLES)
  async xlsx(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const { buffer, rows, truncated } = await this.search.exportXlsx(p, queryFromParams(q));
    const stamp = new Date().toISOString().slice(0, 10);
    reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    reply.header('content-disposition', `attachment; filename="search-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`档案检索-${stamp}.xlsx`)}`);
    reply.header('x-evarchive-rows', String(rows));
    if (truncated) reply.header('x-evarchive-truncated', 'true');
    return buffer;
  }
}
