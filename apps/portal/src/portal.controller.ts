import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PublicLedgerQueries } from '@sunshine/funds';
import { PublicNoticesService } from '@sunshine/disclosure';
import { sumFen } from '@sunshine/money';
import { beijingTime, loadTemplates, Template } from '@sunshine/views';

const VIEWS = path.join(__dirname, 'views');

/** The public site (no login). Step 1: the home page with the public budget lines and allocations. */
@Controller()
export class PortalController {
  private readonly templates: Map<string, Template> = loadTemplates(VIEWS);
  private readonly css = readFileSync(path.join(__dirname, 'assets', 'portal.css'), 'utf8');

  constructor(
    private readonly ledger: PublicLedgerQueries,
    private readonly notices: PublicNoticesService,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async home(@Query('year') yearParam?: string): Promise<string> {
    const years = await this.ledger.years();
    const requested = Number(yearParam);
    const year =
      Number.isInteger(requested) && years.includes(requested)
        ? requested
        : (years[0] ?? new Date().getFullYear());
    const [lines, allocations, latest] = await Promise.all([
      this.ledger.rootLines(year),
      this.ledger.allocations(year),
      this.notices.latest(8),
    ]);
    return this.render('home', {
      year,
      years: years.length > 0 ? years : [year],
      lines,
      allocations,
      latest: latest.map((n) => ({
        id: n.id,
        type: n.type,
        typeName: n.typeName,
        title: n.title,
        jurisdictionName: n.jurisdictionName,
        updatedOn: beijingTime(new Date(n.updatedAt)).slice(0, 10),
        withdrawn: n.status === 'withdrawn',
      })),
      totals: {
        amount: sumFen(lines.map((l) => l.amount)),
        allocatedDown: sumFen(lines.map((l) => l.allocatedDown)),
      },
    });
  }

  @Get('assets/portal.css')
  stylesheet(@Res() res: Response): void {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(this.css);
  }

  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  private render(name: string, context: Record<string, unknown>): string {
    const template = this.templates.get(name);
    if (!template) throw new Error(`no template ${name}`);
    return template({
      ...context,
      generatedAt: beijingTime(new Date()),
    });
  }
}
