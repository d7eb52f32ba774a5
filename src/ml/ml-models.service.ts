import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual, Repository } from 'typeorm';
import { ApiError } from '../platform/http/api-error';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import type { ModelParameters, ModelType } from './ml-inference';
import { MlModel } from './ml-model.entity';

/** A model ready to predict: what a bot, a backtest or the predictor reads. */
export interface LoadedModel {
  id: string;
  type: ModelType;
  version: number;
  timeframe: string;
  /** The symbols it learned from: those it predicts. */
  symbols: string[];
  parameters: ModelParameters;
  labelSettings: MlModel['labelSettings'];
  trainingTo: number;
}

export function loadedModel(model: MlModel): LoadedModel {
  return {
    id: model.id,
    type: model.type,
    version: model.version,
    timeframe: model.timeframe,
    symbols: model.symbols,
    parameters: model.parameters,
    labelSettings: model.labelSettings,
    trainingTo: model.trainingTo.getTime(),
  };
}

/**
 * The versioned models: list, activation (one active per type and timeframe; activating an older one
 * is the rollback), and the active models in memory, read again when one is activated (here or, by the
 * database, in another instance within `refresh`).
 */
@Injectable()
export class MlModels {
  private readonly activeModels = new Map<string, LoadedModel>();
  private activeIds = '';

  constructor(
    @InjectRepository(MlModel) private readonly models: Repository<MlModel>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  list(filter: { type?: string; status?: string; limit: number; offset: number }) {
    return this.models.findAndCount({
      where: {
        ...(filter.type ? { type: filter.type as ModelType } : {}),
        ...(filter.status ? { status: filter.status as MlModel['status'] } : {}),
      },
      order: { trainedAt: 'DESC', version: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  async get(id: string): Promise<MlModel> {
    const model = await this.models.findOneBy({ id });
    if (!model) throw ApiError.notFound(`No model ${id}`);
    return model;
  }

  async nextVersion(type: ModelType): Promise<number> {
    const row = await this.models
      .createQueryBuilder('model')
      .select('COALESCE(max(model.version), 0)', 'version')
      .where('model.type = :type', { type })
      .getRawOne<{ version: number | string }>();
    return Number(row?.version ?? 0) + 1;
  }

  activeOf(type: ModelType, timeframe: string): Promise<MlModel | null> {
    return this.models.findOneBy({ type, timeframe, status: 'active' });
  }

  lastTrained(type: ModelType): Promise<MlModel | null> {
    return this.models.findOne({ where: { type }, order: { trainedAt: 'DESC' } });
  }

  async save(model: MlModel): Promise<void> {
    await this.models.insert(model);
    if (model.status === 'active') {
      await this.refresh();
      this.events.publish('ml.model', {
        id: model.id,
        type: model.type,
        version: model.version,
        status: 'active',
      });
    }
  }

  async retire(id: string, reason: string): Promise<void> {
    await this.models.update({ id, status: 'active' }, { status: 'retired', statusReason: reason });
  }

  /**
   * Makes a model the active one of its type and timeframe, the one before retired, in one transaction
   * (the partial unique index keeps it to one even when two instances race).
   */
  async activate(id: string, actor: string): Promise<MlModel> {
    const model = await this.get(id);
    if (model.status === 'active')
      throw ApiError.conflict(`model ${id} (${model.type} v${model.version}) is already active`);
    await this.db.transaction(async (manager) => {
      const repository = manager.getRepository(MlModel);
      await repository.update(
        { type: model.type, timeframe: model.timeframe, status: 'active' },
        { status: 'retired', statusReason: `replaced by v${model.version} (${actor})` },
      );
      await repository.update(
        { id },
        {
          status: 'active',
          statusReason: `activated by ${actor}`,
          activatedAt: new Date(this.clock.nowMs()),
        },
      );
    });
    await this.refresh();
    this.events.publish('ml.model', { id, type: model.type, version: model.version, status: 'active' });
    return this.get(id);
  }

  /** The active model of a type and timeframe, from memory (refreshed by `refresh`). */
  active(type: ModelType, timeframe: string): LoadedModel | undefined {
    return this.activeModels.get(`${type}|${timeframe}`);
  }

  allActive(): LoadedModel[] {
    return [...this.activeModels.values()];
  }

  /** Reads which models are active and loads those that changed. */
  async refresh(): Promise<void> {
    const rows = await this.models.find({ where: { status: 'active' }, select: { id: true } });
    const ids = rows
      .map((row) => row.id)
      .sort()
      .join(',');
    if (ids === this.activeIds) return;
    const models = await this.models.findBy({ status: 'active' });
    this.activeModels.clear();
    for (const model of models) this.activeModels.set(`${model.type}|${model.timeframe}`, loadedModel(model));
    this.activeIds = ids;
  }

  /**
   * For a backtest: every model of the type and timeframe trained on data that ended by `through`, oldest
   * first (at each time the replay uses the newest one trained before it).
   */
  async trainedThrough(type: ModelType, timeframe: string, through: number): Promise<LoadedModel[]> {
    const models = await this.models.find({
      where: { type, timeframe, trainingTo: LessThanOrEqual(new Date(through)) },
      order: { trainingTo: 'ASC' },
    });
    return models.map(loadedModel);
  }

  /** The earliest end of training of the type and timeframe's models (to say why a backtest is refused). */
  async earliestTrainingEnd(type: ModelType, timeframe: string): Promise<Date | null> {
    const model = await this.models.findOne({ where: { type, timeframe }, order: { trainingTo: 'ASC' } });
    return model?.trainingTo ?? null;
  }
}
