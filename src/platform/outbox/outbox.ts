import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../time/clock';

/** Writes events for the outside world inside the transaction of the change they tell of. */
@Injectable()
export class Outbox {
  constructor(private readonly clock: Clock) {}

  async add(manager: EntityManager, type: string, data: object): Promise<void> {
    await manager.query('INSERT INTO outbox_events (id, type, data, occurred_at) VALUES ($1, $2, $3, $4)', [
      randomUUID(),
      type,
      JSON.stringify(data),
      this.clock.now(),
    ]);
  }
}
