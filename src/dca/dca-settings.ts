import { ApiError } from '../platform/http/api-error';
import type { RuntimeSettings } from '../platform/settings/runtime-settings';
import { cumulativeDeviation, LadderSettings } from './dca-ladder';
import type { DealSettings, TakeProfitStep } from './dca-deal.entity';
import type { DealSettingsDto } from './dto/dca-deal.dto';
import type { LadderSettingsDto } from './dto/dca-plan.dto';

// Deal and ladder settings as given (API, presets), completed from the runtime settings and checked.

/** Ladder settings with every absent one from the `dca` runtime settings or 3Commas' defaults. */
export function ladderSettingsOf(given: LadderSettingsDto, defaults: RuntimeSettings): LadderSettings {
  const dca = defaults.section('dca');
  const settings: LadderSettings = {
    baseOrderVolume: given.baseOrderVolume ?? dca.baseVolume,
    safetyOrderVolume: given.safetyOrderVolume ?? dca.baseVolume,
    volumeType: given.volumeType ?? 'quote',
    maxSafetyOrders: Math.floor(given.maxSafetyOrders ?? dca.maxAttempts),
    priceDeviation: given.priceDeviation ?? dca.stepPercent,
    volumeScale: given.volumeScale ?? dca.volumeScaling,
    stepScale: given.stepScale ?? 1,
    takeProfit: given.takeProfit ?? 1.5,
    takeProfitType: given.takeProfitType ?? 'total',
  };
  // The last safety order must stay above a price of 0.
  const deepest = cumulativeDeviation(settings.priceDeviation, settings.stepScale, settings.maxSafetyOrders);
  if (!(deepest < 100))
    throw ApiError.validation(
      `priceDeviation, stepScale, maxSafetyOrders: the last safety order would be ${Number.isFinite(deepest) ? deepest.toFixed(2) : 'infinitely far'} % below the base price; a ladder must stay under 100 %`,
    );
  return settings;
}

/** Take-profit steps as given, checked: shares making 100 %, profits rising. */
function takeProfitStepsOf(steps: TakeProfitStep[] | undefined): TakeProfitStep[] | null {
  if (!steps?.length) return null;
  const problems: string[] = [];
  const total = steps.reduce((sum, step) => sum + step.amountPercent, 0);
  if (Math.abs(total - 100) > 1e-6) problems.push(`takeProfitSteps: the shares make ${total} %, not 100 %`);
  steps.forEach((step, index) => {
    if (index > 0 && step.profitPercent <= steps[index - 1].profitPercent)
      problems.push(`takeProfitSteps.${index}.profitPercent: must be above the step before`);
  });
  if (problems.length > 0) throw ApiError.validation(problems.join('; '), { fields: problems });
  return steps.map(({ amountPercent, profitPercent }) => ({ amountPercent, profitPercent }));
}

/** Deal settings: the ladder's, and one safety order resting at a time, no stop loss, trailing or timeout unless given. */
export function dealSettingsOf(given: DealSettingsDto, defaults: RuntimeSettings): DealSettings {
  return {
    ...ladderSettingsOf(given, defaults),
    activeSafetyOrders: given.activeSafetyOrders ?? 1,
    startOrderType: given.startOrderType ?? 'market',
    takeProfitSteps: takeProfitStepsOf(given.takeProfitSteps),
    stopLossToBreakeven: given.stopLossToBreakeven ?? false,
    stopLoss: given.stopLoss ?? null,
    trailingDeviation: given.trailingDeviation ?? null,
    dealTimeoutMinutes: given.dealTimeoutMinutes ?? null,
  };
}

/** The settings an explicit null turns off. */
const CLEARABLE = new Set(['stopLoss', 'trailingDeviation', 'dealTimeoutMinutes', 'takeProfitSteps']);

/**
 * Changes over a deal's settings (a preset's, a bot's): a value given replaces the current one, null
 * turns off a stop loss, trailing, timeout or take-profit steps, an absent one stays; then checked as a
 * whole, as new settings are.
 */
export function mergeDealSettings(
  current: DealSettings,
  changes: DealSettingsDto,
  defaults: RuntimeSettings,
): DealSettings {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current))
    if (value !== null && key !== 'exitsByTrade') merged[key] = value;
  for (const [key, value] of Object.entries(changes) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    if (value === null) {
      if (CLEARABLE.has(key)) delete merged[key];
      continue;
    }
    merged[key] = value;
  }
  return dealSettingsOf(merged, defaults);
}
