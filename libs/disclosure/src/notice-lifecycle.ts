import type { NoticeStatus } from './notice-types';

/** What can be done to a notice. A correction adds a version; it never overwrites one. */
export type NoticeAction = 'approve' | 'publish' | 'correct' | 'withdraw';

export interface NoticeTransition {
  action: NoticeAction;
  from: readonly NoticeStatus[];
  /** the status afterwards */
  to: (from: NoticeStatus) => NoticeStatus;
}

/**
 * The notice life cycle in one table: draft → approved → published, withdrawn from any live status.
 * A correction of a draft stays a draft; of an approved notice sends it back to draft (the new text needs
 * approval); of a published notice is published at once as a new public version, the old one kept beside it.
 */
export const NOTICE_TRANSITIONS: readonly NoticeTransition[] = [
  { action: 'approve', from: ['draft'], to: () => 'approved' },
  { action: 'publish', from: ['approved'], to: () => 'published' },
  {
    action: 'correct',
    from: ['draft', 'approved', 'published'],
    to: (from) => (from === 'published' ? 'published' : 'draft'),
  },
  { action: 'withdraw', from: ['draft', 'approved', 'published'], to: () => 'withdrawn' },
];

/** The status after `action` from `from`, or null when the table does not allow it. */
export function nextNoticeStatus(from: NoticeStatus, action: NoticeAction): NoticeStatus | null {
  const t = NOTICE_TRANSITIONS.find((r) => r.action === action);
  return t && t.from.includes(from) ? t.to(from) : null;
}
