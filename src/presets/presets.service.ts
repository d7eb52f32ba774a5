import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { normalizeSymbol } from '../market/symbols';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { EventBus } from '../platform/events/event-bus';
import { ApiError } from '../platform/http/api-error';
import { StrategiesService } from '../strategies/strategies.service';
import { resolveParameters } from '../strategies/strategy';
import { BUILTIN_PRESETS } from './builtin-presets';
import { CreatePresetDto, UpdatePresetDto } from './dto/preset.dto';
import { PresetDetailDto, PresetSummaryDto } from './dto/preset-view.dto';
import { Preset } from './preset.entity';
import { DcaBotConfig, PresetConfig, PresetKind, PresetMlConfig } from './preset-config';
import { mergeDealSettings } from '../dca/dca-settings';

/**
 * The default configuration of a new preset: a DCA preset's is dca_conservative_v1's; one using
 * `strategy` its built-in preset's, else breakout_v1's.
 */
function baseConfigFor(kind: PresetKind, strategy: string | undefined): PresetConfig {
  const builtin =
    kind === 'dca'
      ? BUILTIN_PRESETS.dca_conservative_v1
      : (Object.values(BUILTIN_PRESETS).find(
          (config) => config.kind === 'strategy' && config.strategy.name === strategy,
        ) ?? BUILTIN_PRESETS.breakout_v1);
  return structuredClone(builtin);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** Presets: named strategy + risk + scanner configurations, validated as a whole before they are stored. */
@Injectable()
export class PresetsService {
  constructor(
    @InjectRepository(Preset) private readonly presets: Repository<Preset>,
    private readonly strategies: StrategiesService,
    private readonly events: EventBus,
    private readonly settings: RuntimeSettings,
  ) {}

  async list(limit: number, offset: number): Promise<{ items: Preset[]; total: number }> {
    const [items, total] = await this.presets.findAndCount({
      order: { builtin: 'DESC', name: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async get(name: string): Promise<Preset> {
    const preset = await this.presets.findOneBy({ name });
    if (!preset) throw ApiError.notFound(`No preset ${name}`);
    return preset;
  }

  async create(dto: CreatePresetDto): Promise<Preset> {
    const kind = dto.kind ?? 'strategy';
    if (kind === 'strategy' && !dto.strategy?.name)
      throw ApiError.validation('strategy.name: a new preset needs a strategy');
    const { name, ...changes } = dto;
    const config = this.merge(this.baseWithDefaults(kind, dto.strategy?.name), changes);
    // The insert is the existence check, so two concurrent creations cannot both succeed.
    const inserted = await this.presets
      .createQueryBuilder()
      .insert()
      .values({ name, builtin: false, config })
      .orIgnore()
      .returning(['name'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) throw ApiError.conflict(`A preset named ${name} exists`);
    this.events.publish('preset.changed', { name, change: 'created' });
    return this.get(name);
  }

  /** The strategy's built-in configuration with the scanner defaults of the runtime settings, where set. */
  private baseWithDefaults(kind: PresetKind, strategy: string | undefined): PresetConfig {
    const base = baseConfigFor(kind, strategy);
    const { defaultMaxCandidates, defaultScanIntervalSeconds } = this.settings.section('scanner');
    if (defaultMaxCandidates !== null) base.scannerConfig.maxCandidates = defaultMaxCandidates;
    if (defaultScanIntervalSeconds !== null)
      base.scannerConfig.scanIntervalSeconds = defaultScanIntervalSeconds;
    return base;
  }

  async update(name: string, changes: UpdatePresetDto): Promise<Preset> {
    const preset = await this.get(name);
    preset.config = this.merge(preset.config, changes);
    await this.presets.update({ name }, { config: preset.config });
    this.events.publish('preset.changed', { name, change: 'updated' });
    return this.get(name);
  }

  async delete(name: string): Promise<void> {
    const preset = await this.get(name);
    if (preset.builtin)
      throw ApiError.conflict(`${name} is a built-in preset: it can be edited but not deleted`);
    await this.presets.delete({ name, builtin: false });
    this.events.publish('preset.changed', { name, change: 'deleted' });
  }

  /**
   * The stored configuration with the changes applied, validated as a whole: the strategy exists, its
   * parameters are known and in range, the ATR band is ordered, the universe's symbols are well formed.
   */
  private merge(current: PresetConfig, changes: UpdatePresetDto): PresetConfig {
    const strategyName = changes.strategy?.name ?? current.strategy.name;
    const strategy = this.strategies.list().find((candidate) => candidate.name === strategyName);
    if (!strategy)
      throw ApiError.validation(
        `strategy.name: no strategy ${strategyName}; known: ${this.strategies
          .list()
          .map((known) => known.name)
          .join(', ')}`,
      );
    const keepParameters = strategyName === current.strategy.name;
    const given = { ...(keepParameters ? current.strategy.parameters : {}), ...changes.strategy?.parameters };
    const { params, errors } = resolveParameters(strategy, given);
    const problems = errors.map((error) => `strategy.parameters.${error}`);
    const kind = changes.kind ?? current.kind;
    const merged: PresetConfig = {
      kind,
      description: changes.description ?? current.description,
      strategyType: changes.strategyType ?? current.strategyType,
      strategy: { name: strategyName, parameters: params },
      timeframe: changes.timeframe ?? current.timeframe,
      risk: { ...current.risk, ...withoutUndefined(changes.risk ?? {}) },
      scannerConfig: {
        ...current.scannerConfig,
        ...withoutUndefined({ ...changes.scannerConfig, filters: undefined, scoreWeights: undefined }),
        filters: {
          ...current.scannerConfig.filters,
          ...withoutUndefined(changes.scannerConfig?.filters ?? {}),
        },
        scoreWeights: {
          ...current.scannerConfig.scoreWeights,
          ...withoutUndefined(changes.scannerConfig?.scoreWeights ?? {}),
        },
      },
    };
    if (changes.ml !== undefined || current.ml) merged.ml = this.mergeMl(current.ml, changes, kind, problems);
    if (kind === 'dca') merged.dca = this.mergeDca(current.dca, changes, problems);
    else if (changes.dca) problems.push('dca: only a preset of kind dca has deal settings');
    const { filters, scoreWeights, universe } = merged.scannerConfig;
    if (filters.minAtrPct > filters.maxAtrPct)
      problems.push('scannerConfig.filters.minAtrPct: must not exceed maxAtrPct');
    if (!Object.values(scoreWeights).some((weight) => (weight ?? 0) > 0))
      problems.push('scannerConfig.scoreWeights: at least one weight must be above 0');
    if (universe) {
      const symbols: string[] = [];
      universe.forEach((raw, index) => {
        const symbol = normalizeSymbol(raw);
        if (symbol) symbols.push(symbol);
        else problems.push(`scannerConfig.universe.${index}: ${raw} is not a symbol like BTC/USDT`);
      });
      merged.scannerConfig.universe = [...new Set(symbols)];
    }
    if (problems.length > 0) throw ApiError.validation(problems.join('; '), { errors: problems });
    return merged;
  }

  /** The ML use with the changes applied (null: none; minConfidence defaults to ml.confidenceThreshold). */
  private mergeMl(
    current: PresetMlConfig | null | undefined,
    changes: UpdatePresetDto,
    kind: PresetConfig['kind'],
    problems: string[],
  ): PresetMlConfig | null {
    if (changes.ml === null) return null;
    const given = changes.ml ?? {};
    const modelType = given.modelType ?? current?.modelType;
    if (!modelType) {
      problems.push('ml.modelType: required (logistic or mlp)');
      return null;
    }
    if (kind === 'dca') problems.push('ml: only a strategy preset uses an ML model');
    return {
      modelType,
      minConfidence:
        given.minConfidence ?? current?.minConfidence ?? this.settings.section('ml').confidenceThreshold,
      mode: given.mode ?? current?.mode ?? 'filter',
    };
  }

  /** A DCA preset's bot settings with the changes applied (absent ones: current, else dca_conservative_v1's). */
  private mergeDca(current: DcaBotConfig | null | undefined, changes: UpdatePresetDto, problems: string[]) {
    const base = current ?? structuredClone(BUILTIN_PRESETS.dca_conservative_v1.dca!);
    const given = changes.dca ?? {};
    const deal = mergeDealSettings(base.deal, given.deal ?? {}, this.settings);
    if (deal.maxSafetyOrders > 0 && deal.activeSafetyOrders > deal.maxSafetyOrders)
      problems.push('dca.deal.activeSafetyOrders: must not exceed maxSafetyOrders');
    return {
      deal,
      maxActiveDeals: given.maxActiveDeals ?? base.maxActiveDeals,
      cooldownSeconds: given.cooldownSeconds ?? base.cooldownSeconds,
      startCondition: given.startCondition ?? base.startCondition,
    };
  }
}

export function toPresetSummary(preset: Preset): PresetSummaryDto {
  const { config } = preset;
  return {
    name: preset.name,
    kind: config.kind,
    description: config.description,
    riskPerTrade: config.risk.riskPerTrade,
    maxPositions: config.risk.maxConcurrentPositions,
    strategyType: config.strategyType,
    strategy: config.strategy.name,
    timeframe: config.timeframe,
    builtin: preset.builtin,
    updatedAt: preset.updatedAt.toISOString(),
  };
}

export function toPresetDetail(preset: Preset): PresetDetailDto {
  return {
    name: preset.name,
    builtin: preset.builtin,
    config: preset.config,
    createdAt: preset.createdAt.toISOString(),
    updatedAt: preset.updatedAt.toISOString(),
  };
}
