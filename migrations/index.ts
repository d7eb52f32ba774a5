import { SystemSamples1763900000000 } from './1763900000000-SystemSamples';
import { Identity1795430271341 } from './1795430271341-Identity';
import { Candles1795432335554 } from './1795432335554-Candles';
import { ExchangeAccounts1795433459444 } from './1795433459444-ExchangeAccounts';
import { PaperExchange1795433958126 } from './1795433958126-PaperExchange';
import { ExchangeAccountLastSync1795437378911 } from './1795437378911-ExchangeAccountLastSync';
import { TradingOrders1795439137348 } from './1795439137348-TradingOrders';
import { Trades1795440995874 } from './1795440995874-Trades';
import { TradeHistoryScores1795442206158 } from './1795442206158-TradeHistoryScores';
import { Presets1795447802372 } from './1795447802372-Presets';
import { Bots1795448998771 } from './1795448998771-Bots';
import { Backtests1795450494140 } from './1795450494140-Backtests';
import { RevokeOwnerlessKeys1795460000000 } from './1795460000000-RevokeOwnerlessKeys';
import { FeesInBaseAndThirdCurrency1795973891135 } from './1795973891135-FeesInBaseAndThirdCurrency';
import { RiskPausesLift1795974524684 } from './1795974524684-RiskPausesLift';
import { FullCloseOrders1795975876859 } from './1795975876859-FullCloseOrders';
import { JobProgress1795985374728 } from './1795985374728-JobProgress';
import { TradeSizing1796230130012 } from './1796230130012-TradeSizing';
import { BotCapital1796241146819 } from './1796241146819-BotCapital';
import { SettingsVersions1796242663684 } from './1796242663684-SettingsVersions';
import { Alerts1796243289269 } from './1796243289269-Alerts';
import { AlertRulesSilencesOutbox1796278256184 } from './1796278256184-AlertRulesSilencesOutbox';
import { Webhooks1796278641659 } from './1796278641659-Webhooks';
import { MonitoringSamples1796279415724 } from './1796279415724-MonitoringSamples';
import { DcaDeals1796281365846 } from './1796281365846-DcaDeals';
import { AlertNotified1796284791234 } from './1796284791234-AlertNotified';
import { AlertEvents1796285421875 } from './1796285421875-AlertEvents';
import { DcaPresets1796288721125 } from './1796288721125-DcaPresets';
import { DcaBacktests1796289771938 } from './1796289771938-DcaBacktests';
import { EquityPoints1796291192996 } from './1796291192996-EquityPoints';
import { DcaDealPerPair1796292966500 } from './1796292966500-DcaDealPerPair';
import { MlModels1796341897164 } from './1796341897164-MlModels';
import { BotSignals1796344383961 } from './1796344383961-BotSignals';
import { Integrations1796352336139 } from './1796352336139-Integrations';

/** Every migration, oldest first. `npm run migration:generate` adds new ones here. */
export const ALL_MIGRATIONS = [
  SystemSamples1763900000000,
  Identity1795430271341,
  Candles1795432335554,
  ExchangeAccounts1795433459444,
  PaperExchange1795433958126,
  ExchangeAccountLastSync1795437378911,
  TradingOrders1795439137348,
  Trades1795440995874,
  TradeHistoryScores1795442206158,
  Presets1795447802372,
  Bots1795448998771,
  Backtests1795450494140,
  RevokeOwnerlessKeys1795460000000,
  FeesInBaseAndThirdCurrency1795973891135,
  RiskPausesLift1795974524684,
  FullCloseOrders1795975876859,
  JobProgress1795985374728,
  TradeSizing1796230130012,
  BotCapital1796241146819,
  SettingsVersions1796242663684,
  Alerts1796243289269,
  AlertRulesSilencesOutbox1796278256184,
  Webhooks1796278641659,
  MonitoringSamples1796279415724,
  DcaDeals1796281365846,
  AlertNotified1796284791234,
  AlertEvents1796285421875,
  DcaPresets1796288721125,
  DcaBacktests1796289771938,
  EquityPoints1796291192996,
  DcaDealPerPair1796292966500,
  MlModels1796341897164,
  BotSignals1796344383961,
  Integrations1796352336139,
];
