import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/** The API over the platform's job queue: list, inspect and cancel background jobs. */
@Module({
  controllers: [JobsController],
  providers: [JobsService],
})
export class JobsModule {}
