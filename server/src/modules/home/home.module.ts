import { Module } from '@nestjs/common';
import { HomeController } from './home.controller';
import { HomeService } from './home.service';

/** 首页 work counts (`GET /api/home/summary`): read-only counts over the pool, matching, volumes and checks tables. */
@Module({
  controllers: [HomeController],
  providers: [HomeService],
})
export class HomeModule {}
