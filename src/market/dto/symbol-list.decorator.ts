import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsString, Length } from 'class-validator';

/** A list of at most `maxItems` symbols in any spelling (`BTC/USDT`, `btc-usdt`, ...); the service normalises them. */
export function IsSymbolList(maxItems: number): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMaxSize(maxItems),
    IsString({ each: true }),
    Length(3, 40, { each: true }),
  );
}
