import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import path from 'node:path';
import { ApiExceptionFilter, DomainError, ErrorDetail, Page } from '@sunshine/common';
import {
  NOTICE_SPECS,
  NOTICE_TYPES,
  NoticeType,
  ObjectionIntakeService,
  PublicNotice,
  PublicNoticesService,
  PublicObjectionView,
  PublicProjectsService,
  oc4idsJson,
} from '@sunshine/disclosure';
import { stringify } from 'csv-stringify/sync';
import { beijingTime, loadTemplates, Template } from '@sunshine/views';

const VIEWS = path.join(__dirname, 'views');
const CSV_HEADER = [
  '公告编号',
  '类型',
  '类型名称',
  '状态',
  '地区代码',
  '地区',
  '项目编号',
  '年度',
  '版本',
  '标题',
  '发布时间',
  '更新时间',
  '内容',
  '网址',
];
const PAGE_SIZE = 20;

const isType = (t: unknown): t is NoticeType =>
  typeof t === 'string' && (NOTICE_TYPES as readonly string[]).includes(t);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What a citizen may send with an objection; the same rules for the form and for JSON. */
export function checkObjection(body: Record<string, unknown>): {
  value: { name?: string; contact: string; text: string };
  problems: ErrorDetail[];
} {
  const allowed = new Set(['name', 'contact', 'text']);
  const problems: ErrorDetail[] = Object.keys(body)
    .filter((k) => !allowed.has(k))
    .map((k) => ({ field: k, problem: 'unknown field' }));
  const name = str(body.name).trim();
  const contact = str(body.contact).trim();
  const text = str(body.text).trim();
  if (body.name !== undefined && typeof body.name !== 'string')
    problems.push({ field: 'name', problem: 'must be text' });
  if (name.length > 50) problems.push({ field: 'name', problem: 'at most 50 characters' });
  if (contact.length < 5 || contact.length > 100)
    problems.push({ field: 'contact', problem: '请填写联系电话或电子邮箱（5–100 个字符）' });
  if (text.length < 5 || text.length > 2000)
    problems.push({ field: 'text', problem: '请填写异议内容（5–2000 个字）' });
  return { value: { name: name || undefined, contact, text }, problems };
}

/** The public disclosure pages: notices (search, one notice with every version), objections, the JSON feed. */
@Controller()
@UseFilters(ApiExceptionFilter)
export class NoticesController {
  private readonly templates: Map<string, Template> = loadTemplates(VIEWS);

  constructor(
    private readonly notices: PublicNoticesService,
    private readonly intake: ObjectionIntakeService,
    private readonly projects: PublicProjectsService,
  ) {}

  @Get('notices')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  async list(
    @Query('type') type?: string,
    @Query('jurisdiction') jurisdiction?: string,
    @Query('year') year?: string,
    @Query('q') q?: string,
    @Query('page') page?: string,
  ): Promise<string> {
    const filter = {
      type: isType(type) ? type : undefined,
      jurisdictionCode: /^\d{6}(\d{3}){0,2}$/.test(str(jurisdiction)) ? jurisdiction : undefined,
      year: /^\d{4}$/.test(str(year)) ? Number(year) : undefined,
      q: str(q).slice(0, 100) || undefined,
    };
    const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(str(page), 10) || 1));
    const { items, total, capped } = await this.notices.search({ ...filter, limit: PAGE_SIZE, page: pageNo });
    // past the cap the pages go on while there are items (next appears when this page is full)
    const pages = capped
      ? Math.max(pageNo, Math.ceil(total / PAGE_SIZE))
      : Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (p: number) =>
      `/notices?${new URLSearchParams({
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.jurisdictionCode ? { jurisdiction: filter.jurisdictionCode } : {}),
        ...(filter.year ? { year: String(filter.year) } : {}),
        ...(filter.q ? { q: filter.q } : {}),
        page: String(p),
      }).toString()}`;
    return this.render('notices', {
      title: '公告公示',
      filter: {
        type: filter.type ?? '',
        q: filter.q ?? '',
        year: filter.year ? String(filter.year) : '',
        jurisdiction: filter.jurisdictionCode ?? '',
      },
      types: NOTICE_TYPES.map((t) => ({ code: t, name: NOTICE_SPECS[t].name })),
      items: items.map(listItem),
      total,
      capped,
      page: pageNo,
      pages,
      prev: pageNo > 1 ? link(pageNo - 1) : null,
      next: pageNo < pages || (capped && items.length === PAGE_SIZE) ? link(pageNo + 1) : null,
    });
  }

  @Get('notices/:id')
  async notice(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const found = await this.notices.get(id);
    if (!found) {
      res
        .status(404)
        .type('html')
        .send(this.render('not-found', { title: '未找到公告' }));
      return;
    }
    res.type('html').set('Cache-Control', 'public, max-age=60').send(this.noticePage(found, null));
  }

  /** A project's public page: its facts as last announced, and every notice about it (入库, 实施前, 竣工, 变更). */
  @Get('projects/:code')
  async project(@Param('code') code: string, @Res() res: Response): Promise<void> {
    const notices = /^[A-Za-z0-9-]{1,40}$/.test(code) ? await this.notices.forProject(code) : [];
    if (notices.length === 0) {
      res
        .status(404)
        .type('html')
        .send(this.render('not-found', { title: '未找到项目' }));
      return;
    }
    // the facts as the latest of completion, pre-implementation or library notice states them
    const live = notices.filter((n) => n.status === 'published');
    const facts =
      ['D7', 'D5', 'D4'].map((t) => live.filter((n) => n.type === t).pop()).find((n) => n !== undefined) ??
      notices[notices.length - 1];
    const name = facts.fields.find((f) => f.key === 'projectName')?.value ?? code;
    res
      .type('html')
      .set('Cache-Control', 'public, max-age=60')
      .send(
        this.render('project', {
          title: name,
          code,
          name,
          jurisdictionName: facts.jurisdictionName,
          facts: facts.fields.filter((f) => f.key !== 'hotline'),
          factsFrom: { id: facts.id, typeName: facts.typeName },
          notices: notices.map(listItem),
        }),
      );
  }

  /** 异议: a form post (HTML answer) or JSON (201 {trackingNo}); at most 10 a minute from one address. */
  @Post('notices/:id/objections')
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  async object(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const json = typeof req.is('application/json') === 'string';
    const { value, problems } = checkObjection(body ?? {});
    if (problems.length > 0) {
      if (json) throw new DomainError('VALIDATION_FAILED', 'the objection is incomplete', problems);
      const found = await this.notices.get(id);
      if (!found)
        throw new DomainError('NOT_FOUND', `notice ${id} not found`, [{ field: 'id', problem: 'not found' }]);
      res.status(400).type('html').send(this.noticePage(found, { problems, value }));
      return;
    }
    const filed = await this.intake.file(id, value);
    if (json) {
      res.status(201).json(filed);
      return;
    }
    res
      .status(201)
      .type('html')
      .send(
        this.render('objection', {
          title: '异议已受理',
          filed: true,
          objection: shown(await this.intake.byTrackingNo(filed.trackingNo)),
        }),
      );
  }

  @Get('objections/:trackingNo')
  async objection(@Param('trackingNo') trackingNo: string, @Res() res: Response): Promise<void> {
    try {
      const objection = await this.intake.byTrackingNo(trackingNo);
      res.type('html').send(
        this.render('objection', {
          title: `异议 ${objection.trackingNo}`,
          filed: false,
          objection: shown(objection),
        }),
      );
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'NOT_FOUND') throw e;
      res
        .status(404)
        .type('html')
        .send(this.render('not-found', { title: '未找到异议' }));
    }
  }

  /** 开放数据: what can be downloaded, in which format, under which licence, field by field. */
  @Get('open-data')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  async openData(): Promise<string> {
    const years = await this.notices.years();
    return this.render('open-data', {
      title: '开放数据',
      years,
      types: NOTICE_TYPES.map((t) => {
        const spec = NOTICE_SPECS[t];
        return {
          code: t,
          name: spec.name,
          trigger: spec.trigger,
          deadline:
            spec.deadline.kind === 'workingDays' ? `${spec.deadline.days} 个工作日内` : spec.deadline.what,
        };
      }),
    });
  }

  /** Atom feed of the latest public changes (publications, corrections, withdrawals), for a region if asked. */
  @Get('feed.atom')
  async atom(
    @Query('jurisdiction') jurisdiction: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const code = /^\d{6}(\d{3}){0,2}$/.test(str(jurisdiction)) ? jurisdiction : undefined;
    const items = await this.notices.latest(50, code);
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const xml = this.render('feed', {
      feedTitle: code ? `扶贫资金与项目公告（${items[0]?.jurisdictionName ?? code}）` : '扶贫资金与项目公告',
      feedId: `${base}/feed.atom${code ? `?jurisdiction=${code}` : ''}`,
      selfUrl: `${base}/feed.atom${code ? `?jurisdiction=${code}` : ''}`,
      base,
      updated: items[0]?.updatedAt ?? new Date(0).toISOString(),
      entries: items.map((n) => ({
        ...n,
        withdrawn: n.status === 'withdrawn',
        corrected: n.version > 1,
        summary: n.fields.map((f) => `${f.label}：${f.value}`).join('；'),
      })),
    });
    res.type('application/atom+xml; charset=utf-8').set('Cache-Control', 'public, max-age=60').send(xml);
  }

  /** Every public notice as CSV (UTF-8 with BOM, so Excel opens it), streamed a batch at a time. */
  @Get('api/public/notices.csv')
  async csv(
    @Query('type') type: string | undefined,
    @Query('jurisdiction') jurisdiction: string | undefined,
    @Query('year') year: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.sendNotices(req, res, 'csv', 'notices.csv', {
      type: isType(type) ? type : undefined,
      jurisdictionCode: /^\d{6}(\d{3}){0,2}$/.test(str(jurisdiction)) ? jurisdiction : undefined,
      year: /^\d{4}$/.test(str(year)) ? Number(year) : undefined,
    });
  }

  /** Bulk files per year: notices-2025.csv (Excel) and notices-2025.jsonl (one public notice per line). */
  @Get('api/public/bulk/:file')
  async bulk(@Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const m = /^notices-(\d{4})\.(csv|jsonl)$/.exec(file);
    if (!m) {
      throw new DomainError('NOT_FOUND', `no bulk file ${file}`, [
        { field: 'file', problem: 'notices-<year>.csv or notices-<year>.jsonl' },
      ]);
    }
    await this.sendNotices(req, res, m[2] as 'csv' | 'jsonl', file, { year: Number(m[1]) });
  }

  /** Streams public notices in publication order, waiting for the client when its buffer is full. */
  private async sendNotices(
    req: Request,
    res: Response,
    format: 'csv' | 'jsonl',
    filename: string,
    filter: { type?: NoticeType; jurisdictionCode?: string; year?: number },
  ): Promise<void> {
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const write = async (chunk: string) => {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
    };
    res.status(200);
    res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${filename}"`);
    res.set('Cache-Control', 'public, max-age=300');
    if (format === 'csv') {
      await write('\uFEFF');
      await write(stringify([CSV_HEADER]));
    }
    for await (const batch of this.notices.all(filter)) {
      if (format === 'jsonl') {
        await write(
          batch.map((n) => `${JSON.stringify({ ...n, url: `${base}/notices/${n.id}` })}\n`).join(''),
        );
        continue;
      }
      await write(
        stringify(
          batch.map((n) => [
            n.id,
            n.type,
            n.typeName,
            n.status === 'withdrawn' ? '已撤回' : '已发布',
            n.jurisdictionCode,
            n.jurisdictionName,
            n.projectCode ?? '',
            n.year,
            n.version,
            n.title,
            n.publishedAt,
            n.updatedAt,
            n.fields.map((f) => `${f.label}：${f.value}`).join('\n'),
            `${base}/notices/${n.id}`,
          ]),
        ),
      );
    }
    res.end();
  }

  /** Announced projects as an OC4IDS 0.9 project package (standards/oc4ids-0.9.5), exact amounts. */
  @Get('api/public/oc4ids/projects.json')
  async oc4ids(
    @Query('jurisdiction') jurisdiction: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const pkg = await this.projects.oc4idsPackage(base, {
      jurisdictionCode: /^\d{6}(\d{3}){0,2}$/.test(str(jurisdiction)) ? jurisdiction : undefined,
      prefix: process.env.OC4IDS_PREFIX,
    });
    if (!pkg)
      throw new DomainError('NOT_FOUND', 'no project has been announced yet', [
        { field: 'jurisdiction', problem: 'no announced project' },
      ]);
    res
      .type('application/json; charset=utf-8')
      .set('Cache-Control', 'public, max-age=300')
      .send(oc4idsJson(pkg));
  }

  /** Changes since a moment, oldest first, keyset cursor: what a mirror or a newsroom polls. */
  @Get('api/public/notices')
  @HttpCode(200)
  feed(
    @Query('since') since?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
    @Query('jurisdiction') jurisdiction?: string,
  ): Promise<Page<PublicNotice>> {
    const n = limit === undefined ? undefined : Number(limit);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 500)) {
      throw new DomainError('VALIDATION_FAILED', 'limit is 1–500', [
        { field: 'limit', problem: 'an integer 1–500' },
      ]);
    }
    return this.notices.feed({
      since: since || undefined,
      cursor: cursor || undefined,
      limit: n,
      jurisdictionCode: /^\d{6}(\d{3}){0,2}$/.test(str(jurisdiction)) ? jurisdiction : undefined,
    });
  }

  private noticePage(
    found: NonNullable<Awaited<ReturnType<PublicNoticesService['get']>>>,
    form: { problems: ErrorDetail[]; value: { name?: string; contact: string; text: string } } | null,
  ): string {
    const { notice, versions } = found;
    return this.render('notice', {
      title: notice.title,
      notice: {
        ...notice,
        publishedAt: beijingTime(new Date(notice.publishedAt)),
        withdrawnAt: notice.withdrawnAt ? beijingTime(new Date(notice.withdrawnAt)) : null,
      },
      withdrawn: notice.status === 'withdrawn',
      versions: versions
        .map((v) => ({
          ...v,
          createdAt: beijingTime(new Date(v.createdAt)),
          current: v.version === notice.version,
          fieldChanges: v.changes?.fields ?? [],
          titleChange: v.changes?.title ?? null,
          bodyChanged: v.changes?.body !== null && v.changes?.body !== undefined,
        }))
        .reverse(),
      corrected: versions.length > 1,
      form: form
        ? {
            errors: form.problems.map((p) => p.problem),
            name: form.value.name ?? '',
            contact: form.value.contact,
            text: form.value.text,
          }
        : { errors: [], name: '', contact: '', text: '' },
    });
  }

  private render(name: string, context: Record<string, unknown>): string {
    const template = this.templates.get(name);
    if (!template) throw new Error(`no template ${name}`);
    return template({ ...context, generatedAt: beijingTime(new Date()) });
  }
}

/** An objection with its times in Beijing time, for the page. */
function shown(o: PublicObjectionView) {
  return {
    ...o,
    receivedAt: beijingTime(new Date(o.receivedAt)),
    answeredAt: o.answeredAt ? beijingTime(new Date(o.answeredAt)) : null,
  };
}

function listItem(n: PublicNotice) {
  return {
    id: n.id,
    type: n.type,
    typeName: n.typeName,
    title: n.title,
    jurisdictionName: n.jurisdictionName,
    publishedOn: beijingTime(new Date(n.publishedAt)).slice(0, 10),
    withdrawn: n.status === 'withdrawn',
    corrected: n.version > 1,
  };
}
