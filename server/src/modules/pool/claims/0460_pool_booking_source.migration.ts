import { Kysely, sql } from 'kysely';

/**
 * Where a booking (入账 write-back) came from: the receiver API (the accounting system or an accountant posting it)
 * or matching (a journal voucher linked to the voucher by a rule or by a person's accepted suggestion). A booking
 * made by matching remembers the link, the journal voucher and the state it was booked from, so that removing the
 * link can undo exactly that booking — and nothing a person or another system did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('voucher_booking')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('receiver_api').check(sql`source in ('receiver_api', 'matching')`))
    .addColumn('match_link_id', 'uuid')
    .addColumn('journal_voucher_id', 'uuid')
    .addColumn('from_state', 'text')
    .execute();
  await db.schema.createIndex('voucher_booking_link').on('voucher_booking').column('match_link_id').where(sql.ref('match_link_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('voucher_booking_link').ifExists().execute();
  await db.schema.alterTable('voucher_booking').dropColumn('from_state').dropColumn('journal_voucher_id').dropColumn('match_link_id').dropColumn('source').execute();
}
