import { randomUUID } from 'node:crypto';
import { Browser, chromium, Page } from 'playwright-core';
import { NoticeGeneratorService } from '@sunshine/disclosure';
import { allocationBody, createLine } from '../factories/ledger';
import { DEMO_PASSWORD, startTestApi, startTestPortal, TestApi, TestPortal } from '../support/api';

const COUNTY = '450110'; // 武鸣区: no other suite works here

/** The public pages in a real browser (Debian's chromium): they render, read well to assistive tech, and work. */
describe('the public site in a browser', () => {
  let api: TestApi;
  let portal: TestPortal;
  let browser: Browser;
  let noticeId: string;
  const problems: string[] = [];

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`${path}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${path}: ${m.text()}`);
    });
    const res = await page.goto(`${portal.url}${path}`);
    expect(res?.status()).toBe(200);
    return page;
  };

  /** Every form control has a label, the page has one h1 and a language, images have alt text. */
  const checkAccessible = async (page: Page) => {
    // run in the page (a string: the project's TypeScript has no DOM types)
    const report = await page.evaluate<Record<string, unknown>>(`(() => {
      const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter((el) => {
          const id = el.getAttribute('id');
          return !(id && document.querySelector('label[for="' + id + '"]')) && !el.getAttribute('aria-label');
        })
        .map((el) => el.outerHTML);
      return {
        lang: document.documentElement.lang,
        h1: document.querySelectorAll('h1').length,
        unlabelled,
        imagesWithoutAlt: document.querySelectorAll('img:not([alt])').length,
        tablesWithoutCaption: [...document.querySelectorAll('table')].filter((t) => !t.querySelector('caption')).length,
      };
    })()`);
    expect(report).toEqual({
      lang: 'zh-CN',
      h1: 1,
      unlabelled: [],
      imagesWithoutAlt: 0,
      tablesWithoutCaption: 0,
    });
  };

  beforeAll(async () => {
    api = await startTestApi();
    portal = await startTestPortal();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const res = await api
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${await api.token('admin')}`)
      .send({
        username: 'finance.wuming',
        role: 'finance',
        password: DEMO_PASSWORD,
        jurisdictionCode: COUNTY,
      });
    expect(res.status).toBe(201);
    const line = await createLine(api, 'finance.wuming', { jurisdictionCode: COUNTY, amount: '800000.00' });
    const alloc = await api
      .http()
      .post(`/api/budget-lines/${line.id}/allocations`)
      .set('Authorization', `Bearer ${await api.token('finance.wuming')}`)
      .set('Idempotency-Key', randomUUID())
      .send(allocationBody('450110101', '321000.00', '2026-05-11'));
    expect(alloc.status).toBe(201);
    await api.app.get(NoticeGeneratorService).processPending();
    const list = await api
      .http()
      .get('/api/notices')
      .query({ subjectId: (alloc.body as { id: string }).id })
      .set('Authorization', `Bearer ${await api.token('finance.wuming')}`);
    noticeId = (list.body as { items: { id: string }[] }).items[0].id;
    for (const action of ['approve', 'publish']) {
      const r = await api
        .http()
        .post(`/api/notices/${noticeId}/${action}`)
        .set('Authorization', `Bearer ${await api.token('finance.wuming')}`)
        .send({});
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await api?.close();
  });

  it('renders every public page without script or style errors, labelled for assistive technology', async () => {
    for (const path of [
      '/',
      '/notices',
      `/notices/${noticeId}`,
      `/funds?jurisdiction=${COUNTY}&year=2026`,
      '/targets?year=2026',
      '/open-data',
    ]) {
      const page = await open(path);
      await checkAccessible(page);
      await page.close();
    }
    expect(problems).toEqual([]); // CSP refusals and script errors show up here
  });

  it('lets a citizen search, open a notice and file an objection with the keyboard-usable form', async () => {
    const page = await open('/notices');
    await page.getByLabel('关键词').fill('武鸣区');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(/\/notices\?/);
    await page
      .getByRole('link', { name: /武鸣区.*分配结果公告/ })
      .first()
      .click();
    await page.waitForURL(/\/notices\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('武鸣区');
    await page.getByLabel('联系电话或邮箱（必填，不公开）').fill('13900001111');
    await page.getByLabel('异议内容（必填）').fill('请公开本次分配的测算依据和村级明细。');
    await page.getByRole('button', { name: '提交异议' }).click();
    await page.waitForSelector('.tracking');
    const tracking = (await page.locator('.tracking').textContent())?.trim() ?? '';
    expect(tracking).toMatch(/^YY\d{8}[2-9A-HJKMNP-Z]{6}$/);
    const status = await open(`/objections/${tracking}`);
    await expect(status.locator('body').textContent()).resolves.toContain('办理中');
    await expect(status.locator('body').textContent()).resolves.not.toContain('13900001111');
    await page.close();
    await status.close();
    expect(problems).toEqual([]);
  });
});
