import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Writes `changes` to one row by id in one statement (save() would read the row back first) and sets
 * the row's `updatedAt` to the time the database stamped on it.
 */
export async function updateRow<T extends ObjectLiteral & { id: string; updatedAt: Date }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  row: T,
  changes: QueryDeepPartialEntity<T>,
): Promise<void> {
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set(changes)
    .where('id = :id', { id: row.id })
    .returning(['updatedAt'])
    .updateEntity(false)
    .execute();
  const stamped = (result.raw as Array<{ updated_at: Date }>)[0];
  if (stamped) (row as { updatedAt: Date }).updatedAt = new Date(stamped.updated_at);
}
