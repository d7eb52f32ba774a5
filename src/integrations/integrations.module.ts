import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThreeCommasConnection } from './three-commas-account.entity';
import type { ThreeCommasOptions } from './three-commas-client';
import { ThreeCommasController } from './three-commas.controller';
import { THREE_COMMAS_OPTIONS, ThreeCommasService } from './three-commas.service';

/** Integrations with other platforms: 3Commas connections, its bots and deals. */
@Module({})
export class IntegrationsModule {
  static forRoot(options: ThreeCommasOptions = {}): DynamicModule {
    return {
      module: IntegrationsModule,
      global: true,
      imports: [TypeOrmModule.forFeature([ThreeCommasConnection])],
      controllers: [ThreeCommasController],
      providers: [{ provide: THREE_COMMAS_OPTIONS, useValue: options }, ThreeCommasService],
      exports: [ThreeCommasService],
    };
  }
}
