import { ApiError } from '../platform/http/api-error';
import type { RuntimeSettings } from '../platform/settings/runtime-settings';
import type { LadderSettings } from './dca-ladder';
import type { DealSettings, TakeProfitStep } from './dca-deal.entity';
import type { DealSettingsDto } from './dto/dca-deal.dto';
import type { LadderSettingsDto } from './dto/dca-plan.dto';

// Deal and ladder settings as given (API, presets), completed from the runtime settings and checked.

/** Ladder settings with every absent one from the `dca` runtime settings or 3Commas' defaults. */
export function ladderSettingsOf(given: LadderSettingsDto, defaults: RuntimeSettings): LadderSettings {
  const dca = defaults.section('dca');
  return {
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
