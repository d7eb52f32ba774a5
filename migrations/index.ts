import { SystemSamples1763900000000 } from './1763900000000-SystemSamples';
import { Identity1795430271341 } from './1795430271341-Identity';
import { Candles1795432335554 } from './1795432335554-Candles';
import { ExchangeAccounts1795433459444 } from './1795433459444-ExchangeAccounts';
import { PaperExchange1795433958126 } from './1795433958126-PaperExchange';

/** Every migration, oldest first. `npm run migration:generate` adds new ones here. */
export const ALL_MIGRATIONS = [
  SystemSamples1763900000000,
  Identity1795430271341,
  Candles1795432335554,
  ExchangeAccounts1795433459444,
  PaperExchange1795433958126,
];
