import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../auth/audited.decorator';
import { Auth } from '../platform/access/access.decorators';
import { actorNameOf, Caller, CallerContext } from '../platform/access/principal';
import { Role } from '../platform/access/role';
import { pageOf } from '../platform/http/page.dto';
import { ErrorResponseDto } from '../platform/openapi/error-response.dto';
import { ModelDto, ModelListDto, ModelQueryDto } from './dto/ml-model.dto';
import { MlPerformanceDto } from './dto/ml-performance.dto';
import { PredictionListDto, PredictionQueryDto } from './dto/ml-prediction.dto';
import { RetrainAcceptedDto, RetrainDto } from './dto/ml-retrain.dto';
import { MlModels } from './ml-models.service';
import { MlReports, toModelDto } from './ml-reports.service';
import { MlTraining } from './ml-training.service';

@ApiTags('ml')
@Controller('ml')
export class MlController {
  constructor(
    private readonly models: MlModels,
    private readonly training: MlTraining,
    private readonly reports: MlReports,
  ) {}

  @Get('models')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Versioned models, newest first: type, features, windows, walk-forward metrics, status',
  })
  @ApiOkResponse({ type: ModelListDto })
  async list(@Query() query: ModelQueryDto): Promise<ModelListDto> {
    const [models, total] = await this.models.list(query);
    return pageOf(models.map(toModelDto), total, query);
  }

  @Get('models/:id')
  @Auth(Role.READ_ONLY)
  @ApiOperation({ summary: 'One model with its walk-forward metrics, folds and confusion matrix' })
  @ApiOkResponse({ type: ModelDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ModelDto> {
    return toModelDto(await this.models.get(id));
  }

  @Post('models/:id/activate')
  @HttpCode(200)
  @Auth(Role.ADMIN)
  @Audited('ml.activate')
  @ApiOperation({
    summary:
      'Makes a model the active one of its type and timeframe (the one before is retired); also the rollback',
  })
  @ApiOkResponse({ type: ModelDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'It is already active' })
  async activate(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: CallerContext): Promise<ModelDto> {
    return toModelDto(await this.models.activate(id, actorNameOf(caller)));
  }

  @Post('retrain')
  @HttpCode(202)
  @Auth(Role.ADMIN)
  @Audited('ml.retrain')
  @ApiOperation({
    summary:
      'Retrains a model type as a job (seed 004): walk-forward evaluation and the fit in a worker thread; the new version becomes active only if it beats the active one',
  })
  @ApiAcceptedResponse({ type: RetrainAcceptedDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description:
      'A retrain of the type is queued or running, or (without force) started within ml.minRetrainMinutes',
  })
  retrain(@Body() dto: RetrainDto, @Caller() caller: CallerContext): Promise<RetrainAcceptedDto> {
    return this.training.retrain(dto, actorNameOf(caller));
  }

  @Get('performance')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary:
      'Per model (seed 004): walk-forward accuracy, precision, recall, F1, macro F1, log loss, confusion matrix, the majority-class baseline and the lift over it; live accuracy of its resolved predictions',
  })
  @ApiOkResponse({ type: MlPerformanceDto })
  performance(): Promise<MlPerformanceDto> {
    return this.reports.performance();
  }

  @Get('predictions')
  @Auth(Role.READ_ONLY)
  @ApiOperation({
    summary: 'Predictions at candle closes, newest first, with the realised label once known (seed 004)',
  })
  @ApiOkResponse({ type: PredictionListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  predictions(@Query() query: PredictionQueryDto): Promise<PredictionListDto> {
    return this.reports.predictions(query);
  }
}
