import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PublicLedgerQueries } from '@sunshine/funds';
import { PublicNoticesService } from '@sunshine/disclosure';
import { PublicTargetsQueries } from '@sunshine/monitoring';
import { sumFen } from '@sunshine/money';
import { beijingTime, groupThousands, loadTemplates, Template } from '@sunshine/views';

const VIEWS = path.join(__dirname, 'views');

/** The public site (no login). Step 1: the home page with the public budget lines and allocations. */
@Controller()
export class PortalController {
  private readonly templates: Map<string, Template> = loadTemplates(VIEWS);
  private readonly css = readFileSync(path.join(__dirname, 'assets', 'portal.css'), 'utf8');

  constructor(
    private readonly ledger: PublicLedgerQueries,
    private readonly notices: PublicNoticesService,
    private readonly targets: PublicTargetsQueries,
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

  /** 资金去向: what a jurisdiction held in a year, what it received from above and what it passed down. */
  @Get('funds')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  async funds(
    @Query('jurisdiction') jurisdiction?: string,
    @Query('year') yearParam?: string,
  ): Promise<string> {
    const years = await this.ledger.years();
    const requested = Number(yearParam);
    const year =
      Number.isInteger(requested) && years.includes(requested)
        ? requested
        : (years[0] ?? new Date().getFullYear());
    const code = /^\d{6}(\d{3}){0,2}$/.test(jurisdiction ?? '') ? (jurisdiction as string) : null;
    if (!code) {
      const roots = await this.ledger.rootLines(year);
      const holders = [...new Map(roots.map((l) => [l.holderCode, l.holderName])).entries()].map(
        ([c, n]) => ({
          code: c,
          name: n,
        }),
      );
      return this.render('funds', { title: '资金去向', year, years, code: '', holders, chosen: false });
    }
    const f = await this.ledger.funds(code, year);
    const name = f.lines[0]?.holderName ?? f.received[0]?.toName ?? f.passedDown[0]?.fromName ?? code;
    const balance = (l: (typeof f.lines)[number]) => l.amount - l.allocatedDown - l.assignedToProjects;
    return this.render('funds', {
      title: `${name}${year}年资金去向`,
      year,
      years,
      code,
      name,
      chosen: true,
      empty: f.lines.length === 0 && f.received.length === 0 && f.passedDown.length === 0,
      lines: f.lines.map((l) => ({ ...l, balance: balance(l) })),
      received: f.received,
      passedDown: f.passedDown,
      totals: {
        amount: sumFen(f.lines.map((l) => l.amount)),
        allocatedDown: sumFen(f.lines.map((l) => l.allocatedDown)),
        assigned: sumFen(f.lines.map((l) => l.assignedToProjects)),
        paid: sumFen(f.lines.map((l) => l.paid)),
        balance: sumFen(f.lines.map(balance)),
        received: sumFen(f.received.map((a) => a.amount)),
        passedDown: sumFen(f.passedDown.map((a) => a.amount)),
      },
    });
  }

  /** 挂图作战: a jurisdiction's targets for a year against what has been done (as last computed). */
  @Get('targets')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  async battleMap(
    @Query('jurisdiction') jurisdiction?: string,
    @Query('year') yearParam?: string,
  ): Promise<string> {
    const year = /^\d{4}$/.test(yearParam ?? '')
      ? Number(yearParam)
      : Number(beijingTime(new Date()).slice(0, 4));
    const code = /^\d{6}(\d{3}){0,2}$/.test(jurisdiction ?? '') ? (jurisdiction as string) : null;
    if (!code) {
      return this.render('targets', {
        title: '挂图作战',
        year,
        code: '',
        chosen: false,
        places: await this.targets.places(year),
      });
    }
    const t = await this.targets.of(code, year);
    return this.render('targets', {
      title: `${t.name ?? code}${year}年脱贫攻坚目标`,
      year,
      code,
      name: t.name ?? code,
      chosen: true,
      asOf: t.items[0]?.asOf ?? '',
      items: t.items.map((i) => ({
        ...i,
        target: i.unit === '元' ? groupThousands(i.target) : i.target,
        actual: i.unit === '元' ? groupThousands(i.actual) : i.actual,
        percent: (i.percentBp / 100).toFixed(2),
        width: Math.min(100, Math.floor(i.percentBp / 100)),
      })),
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
