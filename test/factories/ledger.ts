import { randomUUID } from 'node:crypto';
import { TestApi } from '../support/api';

let counter = 0;
/** A unique 文号 per call so suites never collide. */
export const docNo = (prefix = '测财'): string => `${prefix}〔2026〕${Date.now() % 100000}-${++counter}号`;

export interface LineBody {
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  documentNo: string;
  title: string;
  amount: string;
  receivedOn: string;
}

export function lineBody(overrides: Partial<LineBody> = {}): LineBody {
  return {
    year: 2026,
    sourceCode: 'CN-FIN',
    jurisdictionCode: '450124',
    documentNo: docNo(),
    title: '测试资金指标',
    amount: '1000000.00',
    receivedOn: '2026-03-02',
    ...overrides,
  };
}

export interface LineView {
  id: string;
  jurisdictionCode: string;
  amount: string;
  allocatedDown: string;
  assignedToProjects: string;
  paid: string;
  available: string;
  status: string;
}

/** Creates a budget line through the API as `username` (a finance user over the jurisdiction). */
export async function createLine(
  api: TestApi,
  username: string,
  overrides: Partial<LineBody> = {},
): Promise<LineView> {
  const res = await api
    .http()
    .post('/api/budget-lines')
    .set('Authorization', `Bearer ${await api.token(username)}`)
    .set('Idempotency-Key', randomUUID())
    .send(lineBody(overrides));
  if (res.status !== 201) throw new Error(`create line: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as LineView;
}

export function allocationBody(toJurisdictionCode: string, amount: string, issuedOn = '2026-04-01') {
  return { toJurisdictionCode, amount, documentNo: docNo('测分'), issuedOn };
}
