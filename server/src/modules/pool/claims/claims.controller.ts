import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequestIp, Roles } from '../../../platform/identity/decorators';
import type { Principal } from '../../../platform/identity/principal';
import { BookedDocs, ClaimDocs, ReceiverDetailDocs, ReceiverFileDocs, ReceiverLookupDocs, ReimbursedDocs, ReleaseDocs } from '../pool.api-docs';
import { contentDisposition } from '../pool.controller';
import { PoolService } from '../pool.service';
import { BOOK_ROLES, CLAIM_CLIENT_ROLES, CLAIM_USER_ROLES, ClaimsService, WRITEBACK_READ_ROLES } from './claims.service';

const MOVE_ROLES = [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES];

/**
 * 用票端接口 (receiver API): reimbursement and accounting systems (signed API keys, client roles receiver /
 * accounting_system / reimbursement_system) and people on the web (reimbursement_clerk, accountant) move a voucher
 * through claimed → reimbursed → booked, or release it. Illegal transitions answer 409 naming the current state.
 */
@ApiTags('pool-receiver')
@Controller('pool/receiver/vouchers')
export class ClaimsController {
  constructor(
    private readonly claims: ClaimsService,
    private readonly pool: PoolService,
  ) {}

  /** Lookup by business identity: `?invoiceNumber=…[&invoiceCode=…]`, `?bankSerialNumber=…`, `?identityKey=…`. */
  @Get()
  @Roles(...WRITEBACK_READ_ROLES)
  @ReceiverLookupDocs()
  lookup(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    return this.claims.lookup(p, q);
  }

  /** State, live claim, claims, booking, receiver files and history of one voucher. */
  @Get(':id')
  @Roles(...WRITEBACK_READ_ROLES)
  @ReceiverDetailDocs()
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.claims.writeback(p, id);
  }

  /** One file of the voucher — its original, a version, or a receiver (入账) file a booking generated — audited. */
  @Get(':id/files/:fileId')
  @Roles(...WRITEBACK_READ_ROLES)
  @ReceiverFileDocs()
  async file(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('fileId') fileId: string, @RequestIp() ip: string | null) {
    const f = await this.pool.download(p, fileId, ip, { voucherId: id, roles: WRITEBACK_READ_ROLES });
    return new StreamableFile(f.stream, { type: f.mediaType, disposition: contentDisposition(f.filename), length: f.size });
  }

  /** `{reimbursementDocId, expiresAt?, claimantUser?}` → 201 claim; 409 already_claimed names the holder's document. */
  @Post(':id/claim')
  @Roles(...MOVE_ROLES)
  @ClaimDocs()
  @HttpCode(201)
  claim(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.claims.claim(p, id, body, ip);
  }

  /** `{reimbursementDocId?, reason: released|rejected|cancelled, note?}` → back to available. */
  @Post(':id/release')
  @Roles(...MOVE_ROLES)
  @ReleaseDocs()
  @HttpCode(200)
  release(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.claims.release(p, id, body, ip);
  }

  /** `{reimbursementDocId?, reimbursedAt?, amount?}` */
  @Post(':id/reimbursed')
  @Roles(...MOVE_ROLES)
  @ReimbursedDocs()
  @HttpCode(200)
  reimbursed(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.claims.reimbursed(p, id, body, ip);
  }

  /** `{journalVoucherNumber, period, bookedAt, summary?, entries:[{accountCode, accountName, debit|credit}]}` */
  @Post(':id/booked')
  @Roles(...BOOK_ROLES)
  @BookedDocs()
  @HttpCode(200)
  booked(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.claims.booked(p, id, body, ip);
  }
}
