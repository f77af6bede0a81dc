import type { Role } from '@sunshine/common';

/** Notice types of DOMAIN §5 (国开办发〔2017〕50号). */
export const NOTICE_TYPES = ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9'] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

export const NOTICE_STATUSES = ['draft', 'approved', 'published', 'withdrawn'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/**
 * When a notice is due, counted from its trigger date:
 * - `workingDays`: that many working days after (调休 included, libs/calendar);
 * - `before`: by a date of the subject (entry into the library, the project's start, the payment).
 */
export type NoticeDeadline = { kind: 'workingDays'; days: number } | { kind: 'before'; what: string };

export interface NoticeTypeSpec {
  type: NoticeType;
  name: string;
  trigger: string;
  deadline: NoticeDeadline;
  /** roles that approve, publish, correct and withdraw it (谁分配谁公开、谁使用谁公开) */
  publishers: readonly Role[];
  /** staff enter it by hand (a document, a plan, a subsidy list); the others come from ledger and project events */
  manual: boolean;
}

export const NOTICE_SPECS: Record<NoticeType, NoticeTypeSpec> = {
  D1: {
    type: 'D1',
    name: '政策文件',
    trigger: '文件印发',
    deadline: { kind: 'workingDays', days: 20 },
    publishers: ['poverty_office'],
    manual: true,
  },
  D2: {
    type: 'D2',
    name: '资金分配结果',
    trigger: '资金分配下达',
    deadline: { kind: 'workingDays', days: 15 },
    publishers: ['finance'],
    manual: false,
  },
  D3: {
    type: 'D3',
    name: '年度计划、整合方案',
    trigger: '计划批复',
    deadline: { kind: 'workingDays', days: 20 },
    publishers: ['poverty_office'],
    manual: true,
  },
  D4: {
    type: 'D4',
    name: '项目库入库公示',
    trigger: '项目审定入库',
    deadline: { kind: 'before', what: '入库生效前' },
    publishers: ['poverty_office'],
    manual: false,
  },
  D5: {
    type: 'D5',
    name: '项目实施前公示',
    trigger: '项目启动',
    deadline: { kind: 'before', what: '项目开工前' },
    publishers: ['poverty_office', 'project_owner'],
    manual: false,
  },
  D6: {
    type: 'D6',
    name: '到户补助名单',
    trigger: '补助审定',
    deadline: { kind: 'before', what: '补助发放前' },
    publishers: ['poverty_office'],
    manual: true,
  },
  D7: {
    type: 'D7',
    name: '竣工公告',
    trigger: '项目验收',
    deadline: { kind: 'workingDays', days: 15 },
    publishers: ['poverty_office', 'project_owner'],
    manual: false,
  },
  D8: {
    type: 'D8',
    name: '绩效目标',
    trigger: '绩效目标设定',
    deadline: { kind: 'before', what: '与入库公示同时' },
    publishers: ['poverty_office'],
    manual: false,
  },
  D9: {
    type: 'D9',
    name: '项目变更',
    trigger: '变更批准',
    deadline: { kind: 'workingDays', days: 15 },
    publishers: ['poverty_office'],
    manual: false,
  },
};

/** The supervision hotline every project notice carries (DOMAIN §5). */
export const SUPERVISION_HOTLINE = '12317';

/** Days a citizen's objection must be answered within (DOMAIN §5). */
export const OBJECTION_ANSWER_DAYS = 20;
