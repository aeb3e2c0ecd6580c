import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '../../platform/jobs/jobs.service';
import { SEARCH } from '../../platform/tokens';
import { OUTBOX_JOB } from './indexer.service';
import { OpenSearchBackend } from './opensearch.backend';
import type { SearchBackend } from './search.types';

/**
 * Feeds the external index from search_outbox. Queued by every indexed change (at most one waiting, policy
 * `short`), and every minute as a sweep for changes made where no job could be queued. A failure leaves the
 * outbox rows in place and the job is retried with backoff, so no committed change is lost.
 *
 * Declared only with the OpenSearch backend: on PostgreSQL search_document is the index and there is nothing
 * to feed (no queue, no schedule).
 */
@Injectable()
export class SearchOutboxJob implements OnModuleInit {
  constructor(
    @Inject(SEARCH) private readonly backend: SearchBackend,
    private readonly jobs: JobsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const backend = this.backend;
    if (!(backend instanceof OpenSearchBackend)) return;
    await this.jobs.define({
      name: OUTBOX_JOB,
      cron: '* * * * *',
      policy: 'short',
      retry: { limit: 20, delaySeconds: 5, backoff: true },
      expireInSeconds: 3600,
      handler: async () => ({ applied: await backend.processOutbox() }),
    });
  }
}
