import { registerDecorator, ValidationOptions } from 'class-validator';
import { isYuanString } from '@sunshine/money';
import { isIsoDate } from './dates';

/** A yuan amount as a decimal string (API.md pattern). JSON numbers, signs, exponents… fail. */
export function IsYuan(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isYuan',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a yuan amount as a string with at most 2 decimals, e.g. "1200000.50"',
        ...options,
      },
      validator: { validate: (value: unknown) => isYuanString(value) },
    });
  };
}

/** A calendar date YYYY-MM-DD. */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isIsoDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a date YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
    });
  };
}
