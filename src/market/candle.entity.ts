import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One candle of one symbol on one exchange ("simulated" for the embedded market). Market data, not
 * money: stored as double precision for range scans and indicators.
 */
@Entity('candles')
export class CandleRow {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  exchange!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  symbol!: string;

  @PrimaryColumn({ type: 'varchar', length: 4 })
  timeframe!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  openTime!: Date;

  @Column({ type: 'double precision' })
  open!: number;

  @Column({ type: 'double precision' })
  high!: number;

  @Column({ type: 'double precision' })
  low!: number;

  @Column({ type: 'double precision' })
  close!: number;

  @Column({ type: 'double precision' })
  volume!: number;
}
