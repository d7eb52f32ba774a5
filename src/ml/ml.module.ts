import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { MlController } from './ml.controller';
import { MlModel } from './ml-model.entity';
import { MlModels } from './ml-models.service';
import { MlPrediction } from './ml-prediction.entity';
import { MlPredictor } from './ml-predictor.service';
import { MlReports } from './ml-reports.service';
import { MlTraining } from './ml-training.service';
import './ml.events';

/** ML: versioned models trained as jobs in a worker thread, predictions at candle closes, and their reports. */
@Module({
  imports: [TypeOrmModule.forFeature([MlModel, MlPrediction]), MarketModule],
  controllers: [MlController],
  providers: [MlModels, MlTraining, MlPredictor, MlReports],
  exports: [MlModels],
})
export class MlModule {}
