import { SetMetadata } from '@nestjs/common';
import type { JobOptions } from './job.types';

export const JOB_METADATA = 'evarchive:job';

/**
 * Marks a provider method as the handler of a named background job. The platform's JobsService finds every
 * such method when the application boots, creates the queue, starts a worker and registers the cron schedule.
 *
 *   @Job({ name: 'checks.fixity', cron: '0 2 * * *', retry: { limit: 3, delaySeconds: 60 } })
 *   async fixity(data: { volumeId: string }, job: JobContext) { … }
 */
export const Job = (options: JobOptions): MethodDecorator => SetMetadata(JOB_METADATA, options);
