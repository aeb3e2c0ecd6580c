import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../database/database';
import { JobsService } from '../jobs/jobs.service';
import { Public } from '../identity/decorators';
import { DB } from '../tokens';
import { APP_VERSION } from './version';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], description: '"ok" when every dependency answers' })
  status: 'ok' | 'degraded';

  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ enum: ['ok', 'error'] })
  db: 'ok' | 'error';

  @ApiPropertyOptional({ description: 'why the database check failed' })
  dbError?: string;

  @ApiProperty({ enum: ['running', 'off'], description: 'background jobs in this process' })
  jobs: 'running' | 'off';
}

@ApiTags('platform')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly jobs: JobsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: the database answers; no login needed' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const body: HealthDto = { status: 'ok', version: APP_VERSION, db: 'ok', jobs: this.jobs.running ? 'running' : 'off' };
    try {
      await sql`select 1`.execute(this.db);
    } catch (e) {
      body.status = 'degraded';
      body.db = 'error';
      body.dbError = (e as Error).message;
      reply.status(503);
    }
    return body;
  }
}
