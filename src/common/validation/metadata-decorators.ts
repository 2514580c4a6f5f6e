import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { isPlainObject } from './text.js';

type Doc = Pick<ApiPropertyOptions, 'description' | 'example' | 'format' | 'enum'>;

/**
 * An optional string property: type and length are checked here (class-validator), documented for
 * Swagger on the same line, and `null` counts as absent (RFC 7591 §2 leaves unset fields out).
 */
export const OptionalString = (maxLength: number, doc: Doc) =>
  applyDecorators(
    IsOptional(),
    IsString({ message: '$property must be a string' }),
    MaxLength(maxLength, { message: `$property must be at most ${maxLength} characters` }),
    ApiPropertyOptional({ type: String, maxLength, ...doc }),
  );

/** An optional array of strings with bounds on its size and on each item. */
export const OptionalStringArray = (maxItems: number, maxItemLength: number, doc: Doc) =>
  applyDecorators(
    IsOptional(),
    IsArray({ message: '$property must be an array of strings' }),
    ArrayMaxSize(maxItems, { message: `$property must have at most ${maxItems} items` }),
    IsString({ each: true, message: '$property must be an array of strings' }),
    MaxLength(maxItemLength, {
      each: true,
      message: `each $property item must be at most ${maxItemLength} characters`,
    }),
    ApiPropertyOptional({ type: [String], maxItems, ...doc }),
  );

/** A string or a JSON object (e.g. `jwks`, which the reference types as a string holding a JWK Set). */
export function IsStringOrObject(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringOrObject',
      validator: {
        validate: (value: unknown) => typeof value === 'string' || isPlainObject(value),
        defaultMessage: () => '$property must be a JSON object or a string holding one',
      },
    },
    options,
  );
}
