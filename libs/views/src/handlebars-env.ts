import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { maskIdNumber } from '@sunshine/common';
import { formatYuan, fenFromDb } from '@sunshine/money';

export { maskIdNumber };

/**
 * One Handlebars environment for the portal, the console and the reports: strict mode (a missing
 * variable is an error, not an empty string), shared partials and the helpers for money, dates and masking.
 */
export function createViewEnvironment(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('yuan', (fen: unknown) =>
    formatYuan(typeof fen === 'bigint' ? fen : fenFromDb(fen as string)),
  );
  hbs.registerHelper('money', (fen: unknown) =>
    groupThousands(formatYuan(typeof fen === 'bigint' ? fen : fenFromDb(fen as string))),
  );
  hbs.registerHelper('wan', (fen: unknown) =>
    formatWan(typeof fen === 'bigint' ? fen : fenFromDb(fen as string)),
  );
  hbs.registerHelper('date', (d: unknown) =>
    typeof d === 'string' ? d.slice(0, 10) : d instanceof Date ? d.toISOString().slice(0, 10) : '',
  );
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hbs.registerHelper('maskId', (id: unknown) => maskIdNumber(String(id)));
  hbs.registerHelper('maskPhone', (p: unknown) => maskPhone(String(p)));
  return hbs;
}

/** 123456789n fen → "123.46万" for overview tables (amounts stay exact in detail views). */
export function formatWan(fen: bigint): string {
  const yuan100 = fen; // fen = yuan × 100, so wan × 100 = fen / 10000
  const wanTimes100 = (yuan100 + 5000n) / 10000n;
  return `${formatYuan(wanTimes100)}万`;
}

/** "10000000.00" → "10,000,000.00" (display only; the API and files keep plain decimal strings). */
export function groupThousands(yuan: string): string {
  const [whole, frac] = yuan.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac !== undefined ? `.${frac}` : ''}`;
}

/** A timestamp as Beijing time, "2026-11-24 20:15 (北京时间)". */
export function beijingTime(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')}（北京时间）`;
}

/** Phone → 138****5678. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

export type Template = (context: unknown) => string;

/** Compiles every *.hbs of a folder (partials from its `partials/` subfolder) in strict mode. */
export function loadTemplates(
  dir: string,
  hbs: typeof Handlebars = createViewEnvironment(),
): Map<string, Template> {
  const partials = path.join(dir, 'partials');
  if (existsSync(partials)) {
    for (const f of readdirSync(partials).filter((n) => n.endsWith('.hbs'))) {
      hbs.registerPartial(f.replace(/\.hbs$/, ''), readFileSync(path.join(partials, f), 'utf8'));
    }
  }
  const out = new Map<string, Template>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.hbs'))) {
    const compiled = hbs.compile(readFileSync(path.join(dir, f), 'utf8'), { strict: true });
    out.set(f.replace(/\.hbs$/, ''), (ctx) => compiled(ctx));
  }
  return out;
}
