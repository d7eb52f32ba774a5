import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { AlertEvent } from './alert-event.entity';
import { AlertRule } from './alert-rule.entity';
import { AlertSources } from './alert-sources.service';
import { AlertSilence } from './alert-silence.entity';
import { AlertSilencesController } from './alert-silences.controller';
import { AlertSilencesService } from './alert-silences.service';
import { AlertRulesService } from './alert-rules.service';
import { Alert } from './alert.entity';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/**
 * Alerts, stored and managed: raised by the engine, the other modules and the rules on the system's
 * measures, acknowledged and resolved by people.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Alert, AlertEvent, AlertRule, AlertSilence]), AuthModule],
  controllers: [AlertsController, AlertSilencesController],
  providers: [AlertsService, AlertRulesService, AlertSilencesService, AlertSources],
  exports: [AlertsService],
})
export class AlertsModule {}
