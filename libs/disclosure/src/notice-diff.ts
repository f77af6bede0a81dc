/** One line of a notice: a labelled value, in the order the notice shows them. */
export interface NoticeField {
  key: string;
  label: string;
  value: string;
}

export interface NoticeContent {
  title: string;
  fields: NoticeField[];
  body: string;
}

export type FieldChange =
  | { kind: 'changed'; key: string; label: string; before: string; after: string }
  | { kind: 'added'; key: string; label: string; after: string }
  | { kind: 'removed'; key: string; label: string; before: string };

/** What changed from one version to the next: the title, each field by key, and the free text. */
export function diffNoticeContent(
  before: NoticeContent,
  after: NoticeContent,
): {
  title: { before: string; after: string } | null;
  fields: FieldChange[];
  body: { before: string; after: string } | null;
} {
  const fields: FieldChange[] = [];
  const old = new Map(before.fields.map((f) => [f.key, f]));
  const now = new Map(after.fields.map((f) => [f.key, f]));
  for (const f of after.fields) {
    const o = old.get(f.key);
    if (!o) fields.push({ kind: 'added', key: f.key, label: f.label, after: f.value });
    else if (o.value !== f.value)
      fields.push({ kind: 'changed', key: f.key, label: f.label, before: o.value, after: f.value });
  }
  for (const o of before.fields) {
    if (!now.has(o.key)) fields.push({ kind: 'removed', key: o.key, label: o.label, before: o.value });
  }
  return {
    title: before.title === after.title ? null : { before: before.title, after: after.title },
    fields,
    body: before.body === after.body ? null : { before: before.body, after: after.body },
  };
}

/** A correction's new content: the old one with the given fields replaced (by key) or added at the end. */
export function applyCorrection(
  current: NoticeContent,
  change: { title?: string; body?: string; fields?: NoticeField[] },
): NoticeContent {
  const fields = current.fields.map((f) => ({ ...f }));
  for (const c of change.fields ?? []) {
    const i = fields.findIndex((f) => f.key === c.key);
    if (i >= 0) fields[i] = { ...c };
    else fields.push({ ...c });
  }
  return { title: change.title ?? current.title, body: change.body ?? current.body, fields };
}

/** Versions in order, each with what changed from the one before it (null for the first shown). */
export function withChanges<T extends NoticeContent>(
  versions: T[],
): (T & { changes: ReturnType<typeof diffNoticeContent> | null })[] {
  return versions.map((v, i) => ({ ...v, changes: i === 0 ? null : diffNoticeContent(versions[i - 1], v) }));
}
