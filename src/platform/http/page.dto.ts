import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 500;

/** `@Transform(queryBoolean)`: a query string's `true`/`false` as a boolean (anything else left for the validator). */
export const queryBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** `limit` and `offset` of every list route; each list sets its own default limit. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // 1e308 is an integer to JavaScript, and out of the database's range (it answered 500).
  @Max(Number.MAX_SAFE_INTEGER)
  offset: number = 0;
}

/** The list shape of every list route: `class UserListDto extends PageOf(UserResponseDto) {}`. */
export function PageOf<T>(item: ClassType<T>) {
  class Page {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ type: 'integer', description: 'Rows matching the filters, on all pages' })
    total!: number;

    @ApiProperty({ type: 'integer' })
    limit!: number;

    @ApiProperty({ type: 'integer' })
    offset!: number;
  }
  return Page;
}

export function pageOf<T>(
  items: T[],
  total: number,
  page: PageQueryDto,
): { items: T[]; total: number; limit: number; offset: number } {
  return { items, total, limit: page.limit, offset: page.offset };
}
