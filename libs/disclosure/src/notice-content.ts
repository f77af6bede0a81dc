import { groupThousands } from '@sunshine/views';
import { NoticeContent, NoticeField } from './notice-diff';
import { SUPERVISION_HOTLINE } from './notice-types';

/** What the content builders read about a project (from the projects context's public view). */
export interface ProjectFacts {
  code: string;
  name: string;
  categoryName: string;
  jurisdictionName: string;
  /** the county (or higher) whose poverty office publishes the project's notices */
  publisherName: string;
  location: string | null;
  contentScale: string | null;
  ownerUnit: string;
  responsiblePerson: string;
  plannedBudget: string;
  startOn: string;
  endOn: string;
  benefitMechanism: string | null;
  poorHouseholds: number | null;
  poorPeople: number | null;
  performanceTargets: { indicator: string; unit: string; targetValue: string; deadline: string | null }[];
  funded: string;
  paid: string;
  fundings: { sourceName: string; documentNo: string; amount: string }[];
}

export interface AllocationFacts {
  year: number;
  sourceName: string;
  documentNo: string;
  fromName: string;
  fromDepartment: string;
  toName: string;
  amount: string;
  issuedOn: string;
  receivedOn: string;
  lineTitle: string;
}

const f = (key: string, label: string, value: string): NoticeField => ({ key, label, value });
const yuan = (amount: string): string => `${groupThousands(amount)} 元`;

function targetsText(p: ProjectFacts): string {
  if (p.performanceTargets.length === 0) return '（未设定）';
  return p.performanceTargets
    .map(
      (t, i) =>
        `${i + 1}. ${t.indicator}：${t.targetValue} ${t.unit}${t.deadline ? `（${t.deadline} 前）` : ''}`,
    )
    .join('\n');
}

function benefitText(p: ProjectFacts): string {
  const who =
    p.poorHouseholds !== null || p.poorPeople !== null
      ? `带动贫困户 ${p.poorHouseholds ?? '—'} 户、贫困人口 ${p.poorPeople ?? '—'} 人`
      : '';
  return [p.benefitMechanism ?? '', who].filter((s) => s !== '').join('；') || '（未填写）';
}

function projectBasics(p: ProjectFacts): NoticeField[] {
  return [
    f('projectCode', '项目编号', p.code),
    f('projectName', '项目名称', p.name),
    f('category', '项目类别', p.categoryName),
    f('location', '建设地点', p.location ?? p.jurisdictionName),
    f('contentScale', '建设内容及规模', p.contentScale ?? '（未填写）'),
    f('ownerUnit', '项目实施单位', p.ownerUnit),
    f('responsiblePerson', '项目责任人', p.responsiblePerson),
    f('plannedBudget', '计划投资', yuan(p.plannedBudget)),
    f('schedule', '计划工期', `${p.startOn} 至 ${p.endOn}`),
  ];
}

const hotline = f('hotline', '监督举报电话', `${SUPERVISION_HOTLINE}（全国扶贫监督举报电话）`);

/** D2 资金分配结果. */
export function allocationNotice(a: AllocationFacts): NoticeContent {
  return {
    title: `${a.fromName}${a.year}年${a.sourceName}分配结果公告（${a.toName}）`,
    fields: [
      f('documentNo', '下达文号', a.documentNo),
      f('year', '资金年度', `${a.year}年`),
      f('source', '资金来源', a.sourceName),
      f('line', '资金指标', a.lineTitle),
      f('from', '分配单位', a.fromDepartment),
      f('to', '接收地区', a.toName),
      f('amount', '分配金额', yuan(a.amount)),
      f('issuedOn', '下达日期', a.issuedOn),
      f('receivedOn', '到账日期', a.receivedOn),
      hotline,
    ],
    body: `根据“谁分配谁公开”的原则，现将${a.year}年${a.sourceName}分配结果予以公告，接受社会监督。`,
  };
}

/** D4 项目库入库公示. */
export function libraryNotice(p: ProjectFacts): NoticeContent {
  return {
    title: `${p.publisherName}扶贫项目库入库公示：${p.name}`,
    fields: [...projectBasics(p), f('benefit', '带贫减贫机制', benefitText(p)), hotline],
    body: '以下项目经县级论证审定，拟纳入扶贫项目库，现予公示。如有异议，请在公示期内通过本页或监督电话反映。',
  };
}

/** D8 绩效目标 (published with D4). */
export function targetsNotice(p: ProjectFacts): NoticeContent {
  return {
    title: `${p.name} 绩效目标公示`,
    fields: [
      f('projectCode', '项目编号', p.code),
      f('projectName', '项目名称', p.name),
      f('ownerUnit', '项目实施单位', p.ownerUnit),
      f('targets', '绩效目标', targetsText(p)),
      hotline,
    ],
    body: '现将项目绩效目标予以公示，项目完成后将公告目标完成情况。',
  };
}

/** D5 项目实施前公示: what DOMAIN §5 lists for a project notice. */
export function preImplementationNotice(p: ProjectFacts): NoticeContent {
  const funds =
    p.fundings.length === 0
      ? '（尚未安排资金）'
      : p.fundings.map((x) => `${x.sourceName}（${x.documentNo}）：${yuan(x.amount)}`).join('\n');
  return {
    title: `${p.publisherName}扶贫项目实施前公示：${p.name}`,
    fields: [
      ...projectBasics(p),
      f('funding', '资金来源及金额', funds),
      f('fundedTotal', '已安排资金合计', yuan(p.funded)),
      f('targets', '绩效目标', targetsText(p)),
      f('benefit', '带贫减贫机制', benefitText(p)),
      hotline,
    ],
    body: '根据“谁使用谁公开”的原则，项目开工前将以下信息予以公示，村务公开栏公示不少于10天，接受群众监督。',
  };
}

/** D7 竣工公告. */
export function completionNotice(p: ProjectFacts, acceptedOn: string): NoticeContent {
  return {
    title: `${p.name} 竣工公告`,
    fields: [
      ...projectBasics(p),
      f('acceptedOn', '验收日期', acceptedOn),
      f('fundedTotal', '安排资金', yuan(p.funded)),
      f('paid', '已拨付资金', yuan(p.paid)),
      f('targets', '绩效目标', targetsText(p)),
      f('benefit', '带贫减贫机制', benefitText(p)),
      hotline,
    ],
    body: '项目已竣工并通过验收，现将建设及资金使用情况予以公告。',
  };
}

const CHANGE_LABELS: Record<string, string> = {
  contentScale: '建设内容及规模',
  location: '建设地点',
  plannedBudget: '计划投资',
  startOn: '开工日期',
  endOn: '完工日期',
  name: '项目名称',
  benefitMechanism: '带贫减贫机制',
  responsiblePerson: '项目责任人',
};

const show = (key: string, v: unknown): string => {
  if (v === null || v === undefined || v === '') return '（空）';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return key === 'plannedBudget' ? yuan(s) : s;
};

/** D9 项目变更: each changed field before and after. */
export function changeNotice(
  p: Pick<ProjectFacts, 'code' | 'name' | 'ownerUnit' | 'jurisdictionName'>,
  change: { before: Record<string, unknown>; after: Record<string, unknown>; approvedOn: string },
): NoticeContent {
  const keys = Object.keys(change.after).sort();
  return {
    title: `${p.name} 项目变更公告`,
    fields: [
      f('projectCode', '项目编号', p.code),
      f('projectName', '项目名称', p.name),
      f('ownerUnit', '项目实施单位', p.ownerUnit),
      ...keys.map((k) =>
        f(
          `change.${k}`,
          `变更：${CHANGE_LABELS[k] ?? k}`,
          `${show(k, change.before[k])} → ${show(k, change.after[k])}`,
        ),
      ),
      f('approvedOn', '批准日期', change.approvedOn),
      hotline,
    ],
    body: '项目变更已按程序批准，现将变更事项予以公告。',
  };
}
