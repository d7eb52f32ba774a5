import type { Signal } from '../strategies/strategy';

/** Seed 002's engine states. IDLE: not running; the others are steps of a running bot's cycle. */
export const ENGINE_STATES = [
  'IDLE',
  'INITIALIZING',
  'SCANNING',
  'SIGNAL_WAIT',
  'SIZING',
  'EXECUTION',
  'MANAGING',
  'PAUSED',
  'ERROR',
  'EMERGENCY',
] as const;
export type EngineState = (typeof ENGINE_STATES)[number];

export const ENGINE_COMMANDS = [
  'start',
  'stop',
  'pause',
  'resume',
  'restart',
  'stop_entries',
  'time_stop',
  'panic_exit',
  'kill_switch',
  'reset_kill_switch',
  'retry',
] as const;
export type EngineCommand = (typeof ENGINE_COMMANDS)[number];

export interface EngineUpdate {
  botId: string;
  bot: string;
  state: EngineState;
  previous: EngineState;
  preset: string;
  mode: 'paper' | 'live';
  reason: string | null;
  at: string;
}

export interface SignalEvent extends Signal {
  botId: string;
  bot: string;
  preset: string;
  symbol: string;
  timeframe: string;
  candleTime: string;
}

export interface AlertEvent {
  level: 'info' | 'warning' | 'critical';
  source: string;
  code: string;
  message: string;
  botId: string | null;
  at: string;
}
