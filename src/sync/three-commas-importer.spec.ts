import { dealToTrade } from './three-commas-importer';
import type { ThreeCommasDeal } from '../integrations/three-commas-client';

const base: ThreeCommasDeal = {
  id: 1,
  bot_id: 7,
  account_id: 31001,
  pair: 'USDT_BTC',
  status: 'completed',
  'finished?': true,
  max_safety_orders: 5,
  completed_safety_orders_count: 2,
  completed_manual_safety_orders_count: 1,
  created_at: '2026-11-20T10:00:00.000Z',
  closed_at: '2026-11-20T14:00:00.000Z',
  bought_amount: '0.03',
  bought_volume: '1800',
  sold_amount: '0.03',
  sold_volume: '1830',
  final_profit: '27.5',
};
const exchangeOf = () => 'binance';

describe('dealToTrade', () => {
  it('maps a long deal: bought is the entry, 3Commas net profit as PnL, the rest of the move as fees', () => {
    expect(dealToTrade(base, 'conn', exchangeOf, 'user:root')).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'long',
      status: 'CLOSED',
      entryAmount: '0.03',
      entryCost: '1800',
      exitCost: '1830',
      realizedPnl: '27.5',
      fees: '2.5',
      dcaAttempts: 3,
      maxDcaAttempts: 5,
      dcaEnabled: true,
      closeReason: 'take_profit',
      externalId: '3commas:deal:1',
      source: '3commas',
      accountId: 'conn',
      exchangeId: 'binance',
    });
  });

  it('maps a short deal the other way round: sold is the entry, bought back the exit', () => {
    const short = {
      ...base,
      strategy: 'short',
      sold_volume: '1830',
      bought_volume: '1800',
      final_profit: null,
    };
    expect(dealToTrade(short, 'conn', exchangeOf, null)).toMatchObject({
      side: 'short',
      entryCost: '1830',
      exitCost: '1800',
      realizedPnl: '30',
      fees: '0',
    });
  });

  it('leaves out a deal that did not both buy and sell', () => {
    expect(dealToTrade({ ...base, sold_amount: '0' }, 'conn', exchangeOf, null)).toBeNull();
    expect(dealToTrade({ ...base, closed_at: null }, 'conn', exchangeOf, null)).toBeNull();
  });
});
