import { BadRequestException, NotFoundException } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { canonicalJson, sha256Hex } from './canonical-json';
import { isIsoDate, todayInChina } from './dates';
import { DomainError, ReplayedError } from './errors';
import { ApiExceptionFilter } from './exception.filter';
import { decodeCursor, encodeCursor, toPage } from './pagination';
import { createValidationPipe } from './validation';
import { IsIsoDate, IsYuan } from './validators';

class Dto {
  @IsYuan()
  amount: string;

  @IsIsoDate()
  on: string;

  @IsOptional()
  @IsString()
  note?: string;
}

describe('validation pipe', () => {
  const pipe = createValidationPipe();
  const validate = (body: unknown) => pipe.transform(body, { type: 'body', metatype: Dto });

  it('accepts a yuan string and a calendar date', async () => {
    await expect(validate({ amount: '1200000.50', on: '2026-02-28' })).resolves.toMatchObject({
      amount: '1200000.50',
    });
  });

  it.each([1200, '1.234', '-5', 'abc', '1e5', '１００', '100000000000000000000'])(
    'rejects amount %p as VALIDATION_FAILED naming the field',
    async (amount) => {
      const err = (await validate({ amount, on: '2026-02-28' }).catch((e: unknown) => e)) as DomainError;
      expect(err).toBeInstanceOf(DomainError);
      expect(err.toBody()).toMatchObject({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        details: [{ field: 'amount' }],
      });
    },
  );

  it('rejects unknown fields and impossible dates', async () => {
    const err = (await validate({ amount: '1', on: '2026-02-30', extra: 1 }).catch(
      (e: unknown) => e,
    )) as DomainError;
    expect(err.details.map((d) => d.field).sort()).toEqual(['extra', 'on']);
  });
});

describe('error filter', () => {
  const filter = new ApiExceptionFilter();
  it('maps domain errors, replayed answers, Nest exceptions and body-parser errors to the API.md shape', () => {
    expect(filter.toBody(new DomainError('INSUFFICIENT_BALANCE', 'no'))).toEqual({
      statusCode: 422,
      code: 'INSUFFICIENT_BALANCE',
      message: 'no',
      details: [],
    });
    const replay = { statusCode: 409, code: 'IDEMPOTENCY_CONFLICT', message: 'x', details: [] };
    expect(filter.toBody(new ReplayedError(replay))).toBe(replay);
    expect(filter.toBody(new NotFoundException())).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(filter.toBody(new BadRequestException('bad'))).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(
      filter.toBody(Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed', status: 400 })),
    ).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(filter.toBody(new Error('boom'))).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'internal error',
      details: [],
    });
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes bigint as strings, so equal content hashes equally', () => {
    expect(canonicalJson({ b: 1, a: { d: 2n, c: [3, { f: 1, e: 2 }] }, z: undefined })).toBe(
      '{"a":{"c":[3,{"e":2,"f":1}],"d":"2"},"b":1}',
    );
    expect(sha256Hex(canonicalJson({ x: 1, y: 2 }))).toBe(sha256Hex(canonicalJson({ y: 2, x: 1 })));
  });
});

describe('pagination and dates', () => {
  it('round-trips cursors and cuts pages', () => {
    expect(decodeCursor(encodeCursor({ c: '2026-01-01', id: 'x' }))).toEqual({ c: '2026-01-01', id: 'x' });
    expect(() => decodeCursor('%%%')).toThrow(DomainError);
    const page = toPage(
      [1, 2, 3],
      2,
      (n) => n * 10,
      (n) => ({ n }),
    );
    expect(page.items).toEqual([10, 20]);
    expect(decodeCursor(page.nextCursor ?? '')).toEqual({ n: 2 });
    expect(
      toPage(
        [1],
        2,
        (n) => n,
        (n) => ({ n }),
      ).nextCursor,
    ).toBeNull();
  });

  it('knows calendar dates and the date in China', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(todayInChina(new Date('2026-06-30T17:00:00Z'))).toBe('2026-07-01');
  });
});
