import { Module } from '@nestjs/common';
import { ConfigController } from './config.controller';

/** The runtime settings' API; the settings themselves are the platform's RuntimeSettings. */
@Module({ controllers: [ConfigController] })
export class SettingsModule {}
