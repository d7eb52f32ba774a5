import type { AppConfig } from '../config/app-config';

/**
 * The runtime settings: what an operator changes through /api/config without a restart. Boot-only
 * settings (port, database, secrets) stay environment variables and are not here.
 */
export interface RuntimeSettingsDocument {
  trading: {
    /** Off: every new order is refused with TRADING_DISABLED (exits of open trades still run). */
    enabled: boolean;
  };
  risk: {
    /** Most of an account's trading equity its open trades may hold, percent. */
    maxAccountExposurePercent: number;
    /** A ceiling over every preset's dailyLossLimitR (R); null: each preset's own. */
    dailyLossLimitR: number | null;
    /** A ceiling over every preset's maxConsecutiveLosses; null: each preset's own. */
    maxConsecutiveLosses: number | null;
  };
  dca: {
    enabled: boolean;
    /** Safety orders a DCA trade may add. */
    maxAttempts: number;
    /** Quote amount of the first safety order. */
    baseVolume: number;
    /** Each safety order is this many times the one before. */
    volumeScaling: number;
    /** Price drop from the last entry that triggers a safety order, percent. */
    stepPercent: number;
  };
  ml: {
    enabled: boolean;
    /** Predictions below this confidence are not acted on. */
    confidenceThreshold: number;
    /** Hours between two scheduled retrainings of a model type (enabled only). */
    retrainEveryHours: number;
    /** A retrain asked within this many minutes of the last one's start is refused (409) unless forced. */
    minRetrainMinutes: number;
    /** Days of candles a retrain learns from when the request does not say. */
    trainingDays: number;
  };
  scanner: {
    /** Candidates a new preset keeps when it does not say; null: its strategy's built-in value. */
    defaultMaxCandidates: number | null;
    /** Seconds between scans of a new preset that does not say; null: its strategy's built-in value. */
    defaultScanIntervalSeconds: number | null;
  };
  alerts: {
    /** Off: the alert rules are not evaluated and their open alerts resolve (thresholds: /api/alerts/rules). */
    rulesEnabled: boolean;
  };
  notifications: {
    /** Off: no webhook delivery is sent (they wait in the outbox). */
    webhooksEnabled: boolean;
  };
  sync: {
    /** Minutes between two scheduled syncs of each exchange account and 3Commas connection; 0: none. */
    everyMinutes: number;
  };
  rateLimits: {
    anonymousPerMinute: number;
    readOnlyPerMinute: number;
    controlPerMinute: number;
    adminPerMinute: number;
    keyCreationPerHour: number;
  };
}

export type SettingsSection = keyof RuntimeSettingsDocument;

type FieldRule =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max: number; nullable?: boolean }
  | { kind: 'number'; min: number; max: number; exclusiveMin?: boolean; nullable?: boolean };

const positiveInteger = (max: number): FieldRule => ({ kind: 'integer', min: 1, max });
const BOOLEAN: FieldRule = { kind: 'boolean' };

/** What each setting may hold. */
const RULES: { [S in SettingsSection]: Record<keyof RuntimeSettingsDocument[S], FieldRule> } = {
  trading: { enabled: BOOLEAN },
  risk: {
    maxAccountExposurePercent: { kind: 'number', min: 1, max: 100 },
    dailyLossLimitR: { kind: 'number', min: 0, max: 1000, exclusiveMin: true, nullable: true },
    maxConsecutiveLosses: { kind: 'integer', min: 1, max: 1000, nullable: true },
  },
  dca: {
    enabled: BOOLEAN,
    maxAttempts: { kind: 'integer', min: 0, max: 50 },
    baseVolume: { kind: 'number', min: 0, max: 1e12, exclusiveMin: true },
    volumeScaling: { kind: 'number', min: 1, max: 10 },
    stepPercent: { kind: 'number', min: 0, max: 90, exclusiveMin: true },
  },
  ml: {
    enabled: BOOLEAN,
    confidenceThreshold: { kind: 'number', min: 0, max: 1 },
    retrainEveryHours: positiveInteger(24 * 30),
    minRetrainMinutes: { kind: 'integer', min: 0, max: 24 * 60 },
    trainingDays: positiveInteger(365),
  },
  scanner: {
    defaultMaxCandidates: { kind: 'integer', min: 1, max: 100, nullable: true },
    defaultScanIntervalSeconds: { kind: 'integer', min: 5, max: 86_400, nullable: true },
  },
  alerts: { rulesEnabled: BOOLEAN },
  notifications: { webhooksEnabled: BOOLEAN },
  sync: { everyMinutes: { kind: 'integer', min: 0, max: 7 * 24 * 60 } },
  rateLimits: {
    anonymousPerMinute: positiveInteger(1_000_000),
    readOnlyPerMinute: positiveInteger(1_000_000),
    controlPerMinute: positiveInteger(1_000_000),
    adminPerMinute: positiveInteger(1_000_000),
    keyCreationPerHour: positiveInteger(1_000_000),
  },
};

export const SETTINGS_SECTIONS = Object.keys(RULES) as SettingsSection[];

/** The first version: the environment's values where it has them, the defaults elsewhere. */
export function initialSettings(config: AppConfig): RuntimeSettingsDocument {
  return {
    trading: { enabled: config.trading.enabled },
    risk: {
      maxAccountExposurePercent: config.trading.maxAccountExposurePercent,
      dailyLossLimitR: null,
      maxConsecutiveLosses: null,
    },
    dca: { enabled: false, maxAttempts: 5, baseVolume: 100, volumeScaling: 1.5, stepPercent: 2 },
    ml: {
      enabled: false,
      confidenceThreshold: 0.6,
      retrainEveryHours: 24,
      minRetrainMinutes: 10,
      trainingDays: 60,
    },
    scanner: { defaultMaxCandidates: null, defaultScanIntervalSeconds: null },
    alerts: { rulesEnabled: true },
    notifications: { webhooksEnabled: true },
    sync: { everyMinutes: 0 },
    rateLimits: { ...config.rateLimits },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldProblem(rule: FieldRule, value: unknown): string | null {
  if (rule.kind === 'boolean') return typeof value === 'boolean' ? null : 'must be true or false';
  if (value === null) return rule.nullable ? null : 'must not be null';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  if (rule.kind === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
  if (rule.kind === 'number' && rule.exclusiveMin && value <= rule.min) return `must be > ${rule.min}`;
  if (value < rule.min) return `must be >= ${rule.min}`;
  if (value > rule.max) return `must be <= ${rule.max}`;
  return null;
}

/**
 * Every problem of a partial document, by its path under `prefix` (`settings.risk.dailyLossLimitR:
 * must be > 0`): unknown sections and fields, wrong types, values out of range. None: it may be merged.
 */
export function settingsProblems(patch: unknown, prefix: string): string[] {
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  if (!isObject(patch)) return [`${prefix || 'body'}: must be an object of settings sections`];
  const problems: string[] = [];
  for (const [section, fields] of Object.entries(patch)) {
    const rules = (RULES as Record<string, Record<string, FieldRule>>)[section];
    if (!rules) {
      problems.push(`${at(section)}: unknown section (one of ${SETTINGS_SECTIONS.join(', ')})`);
      continue;
    }
    if (!isObject(fields)) {
      problems.push(`${at(section)}: must be an object`);
      continue;
    }
    for (const [field, value] of Object.entries(fields)) {
      const rule = rules[field];
      const problem = rule
        ? fieldProblem(rule, value)
        : `unknown setting (one of ${Object.keys(rules).join(', ')})`;
      if (problem) problems.push(`${at(`${section}.${field}`)}: ${problem}`);
    }
  }
  return problems;
}

/** A valid partial document merged over a whole one (a new object; the current one is left as it is). */
export function mergeSettings(current: RuntimeSettingsDocument, patch: object): RuntimeSettingsDocument {
  const merged = structuredClone(current) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, fields] of Object.entries(patch as Record<string, Record<string, unknown>>))
    Object.assign(merged[section], fields);
  return merged as unknown as RuntimeSettingsDocument;
}

export interface SettingChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** The settings whose values differ, by path (`risk.dailyLossLimitR`). */
export function settingChanges(
  before: RuntimeSettingsDocument,
  after: RuntimeSettingsDocument,
): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const section of SETTINGS_SECTIONS) {
    const old = before[section] as Record<string, unknown>;
    const now = after[section] as Record<string, unknown>;
    for (const field of Object.keys(RULES[section]))
      if (old?.[field] !== now[field])
        changes.push({ path: `${section}.${field}`, from: old?.[field] ?? null, to: now[field] });
  }
  return changes;
}

/**
 * A stored document completed with the defaults of settings added since it was written (a newer
 * version of the application reads an older version's document).
 */
export function completeSettings(stored: object, defaults: RuntimeSettingsDocument): RuntimeSettingsDocument {
  const complete = structuredClone(defaults) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, fields] of Object.entries(stored as Record<string, unknown>))
    if (complete[section] && isObject(fields))
      for (const [field, value] of Object.entries(fields))
        if (field in complete[section]) complete[section][field] = value;
  return complete as unknown as RuntimeSettingsDocument;
}
