import { Inject, Injectable } from '@nestjs/common';
import { Job } from '../../platform/jobs/job.decorator';
import { SEARCH } from '../../platform/tokens';
import { OUTBOX_JOB } from './indexer.service';
import { OpenSearchBackend } from './opensearch.backend';
import type { SearchBackend } from './search.types';

/**
 * Feeds the external index from search_outbox. Queued by every indexed change (at most one waiting, policy
 * `short`), and every minute as a sweep for changes made where no job could be queued. A failure leaves the
 * outbox rows in place and the job is retried with backoff, so no committed change is lost.
 */
@Injectable()
export class SearchOutboxJob {
  constructor(@Inject(SEARCH) private readonly backend: SearchBackend) {}

  @Job({ name: OUTBOX_JOB, cron: '* * * * *', policy: 'short', retry: { limit: 20, delaySeconds: 5, backoff: true }, expireInSeconds: 3600 })
  async run(): Promise<{ applied: number }> {
    if (!(this.backend instanceof OpenSearchBackend)) return { applied: 0 };
    return { applied: await this.backend.processOutbox() };
  }
}
