import { applyCorrection, diffNoticeContent, withChanges } from './notice-diff';
import { NOTICE_TRANSITIONS, NoticeAction, nextNoticeStatus } from './notice-lifecycle';
import { NOTICE_STATUSES, NoticeStatus } from './notice-types';
import { JsonDecimal, oc4idsJson } from './oc4ids';
import { holdsPersonalData, maskNoticeContent, maskPersonalData } from './privacy';

describe('notice life cycle (one table)', () => {
  // the whole table by hand: every (status, action) pair and where it leads, null when refused
  const expected: Record<NoticeStatus, Record<NoticeAction, NoticeStatus | null>> = {
    draft: { approve: 'approved', publish: null, correct: 'draft', withdraw: 'withdrawn' },
    approved: { approve: null, publish: 'published', correct: 'draft', withdraw: 'withdrawn' },
    published: { approve: null, publish: null, correct: 'published', withdraw: 'withdrawn' },
    withdrawn: { approve: null, publish: null, correct: null, withdraw: null },
  };
  it('allows exactly the moves of the table and refuses every other', () => {
    const actions = NOTICE_TRANSITIONS.map((t) => t.action);
    for (const s of NOTICE_STATUSES) {
      for (const a of actions) expect([s, a, nextNoticeStatus(s, a)]).toEqual([s, a, expected[s][a]]);
    }
  });
});

describe('notice versions: diff and correction', () => {
  const v1 = {
    title: 'A',
    body: 'text',
    fields: [
      { key: 'amount', label: '金额', value: '100.00 元' },
      { key: 'to', label: '接收地区', value: '马山县' },
    ],
  };
  it('a correction replaces fields by key, adds new ones, keeps the rest', () => {
    const v2 = applyCorrection(v1, {
      fields: [
        { key: 'amount', label: '金额', value: '120.00 元' },
        { key: 'status', label: '状态', value: '已撤销' },
      ],
    });
    expect(v2.fields.map((f) => f.value)).toEqual(['120.00 元', '马山县', '已撤销']);
    expect(v1.fields[0].value).toBe('100.00 元'); // the old version is untouched
    expect(diffNoticeContent(v1, v2)).toEqual({
      title: null,
      body: null,
      fields: [
        { kind: 'changed', key: 'amount', label: '金额', before: '100.00 元', after: '120.00 元' },
        { kind: 'added', key: 'status', label: '状态', after: '已撤销' },
      ],
    });
  });
  it('lists versions each with its changes from the one before', () => {
    const v2 = applyCorrection(v1, { title: 'A2' });
    const v3 = applyCorrection(v2, { body: 'text 3' });
    const listed = withChanges([v1, v2, v3]);
    expect(listed.map((v) => v.changes?.title ?? null)).toEqual([null, { before: 'A', after: 'A2' }, null]);
    expect(listed[2].changes?.body).toEqual({ before: 'text', after: 'text 3' });
    expect(listed[0].changes).toBeNull();
  });
  it('reports a removed field and a changed title and body', () => {
    const d = diffNoticeContent(v1, { title: 'B', body: 'new', fields: [v1.fields[1]] });
    expect(d.title).toEqual({ before: 'A', after: 'B' });
    expect(d.body).toEqual({ before: 'text', after: 'new' });
    expect(d.fields).toEqual([{ kind: 'removed', key: 'amount', label: '金额', before: '100.00 元' }]);
  });
});

describe('privacy scan', () => {
  it('masks ID numbers (6 + 4) and mobile numbers (3 + 4), and only those', () => {
    const r = maskPersonalData(
      '户主 450122199001011234，电话 13812345678，金额 12345678901234.00，编号 4501221990010112345',
    );
    expect(r.text).toBe(
      '户主 450122********1234，电话 138****5678，金额 12345678901234.00，编号 4501221990010112345',
    );
    expect(r.masked).toBe(2);
    expect(maskPersonalData('45012219900101123X').text).toBe('450122********123X');
    expect(holdsPersonalData('138****5678 450122********1234')).toBe(false);
  });
  it('scans title, body and every field of a notice', () => {
    const { content, masked } = maskNoticeContent({
      title: '联系人 13912345678',
      body: '',
      fields: [{ key: 'x', label: '身份证', value: '450122199001011234' }],
    });
    expect(masked).toBe(2);
    expect(JSON.stringify(content)).not.toMatch(/13912345678|450122199001011234/);
  });
});

describe('OC4IDS amounts', () => {
  it('writes exact decimals as JSON numbers, even beyond what a double holds', () => {
    const text = oc4idsJson({
      a: new JsonDecimal('99999999999999.99'),
      b: [new JsonDecimal('0.05')],
      c: 'x',
    });
    expect(text).toBe('{"a":99999999999999.99,"b":[0.05],"c":"x"}');
    expect(() => new JsonDecimal('1e5')).toThrow();
  });
});
