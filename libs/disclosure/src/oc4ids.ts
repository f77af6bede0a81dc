import { fenFromDb, formatYuan } from '@sunshine/money';
import type { PublicNotice } from './public-notices.service';

/** A row of the public_projects view. */
export interface PublicProjectRow {
  id: string;
  code: string;
  name: string;
  category_code: string;
  category_name: string;
  jurisdiction_code: string;
  jurisdiction_name: string;
  county_name: string | null;
  location: string | null;
  content_scale: string | null;
  owner_unit: string;
  planned_budget: string;
  start_on: string;
  end_on: string;
  benefit_mechanism: string | null;
  poor_households: number | null;
  poor_people: number | null;
  state: string;
  funded: string;
  paid: string;
  updated_at: Date;
  accepted_on: string | null;
}

/** OC4IDS schema version this package follows (standards/oc4ids-0.9.5). */
export const OC4IDS_VERSION = '0.9';

/** projectStatus (closed codelist) for each life-cycle state. */
export const OC4IDS_STATUS: Record<string, string> = {
  draft: 'identification',
  village_applied: 'identification',
  township_reviewed: 'identification',
  county_appraised: 'identification',
  approved: 'preparation',
  tendering: 'implementation',
  implementing: 'implementation',
  completed: 'completion',
  accepted: 'completion',
  audited: 'completion',
  closed: 'completion',
  rejected: 'cancelled',
  withdrawn: 'cancelled',
};

/** projectSector (open codelist, parent code first) for each project category. */
export const OC4IDS_SECTORS: Record<string, string[]> = {
  INFRA_ROAD: ['transport', 'transport.road'],
  INFRA_WATER: ['waterAndWaste'],
  VILLAGE_ENV: ['waterAndWaste'],
  INFRA_POWER: ['energy'],
  ENERGY: ['energy'],
  PV: ['energy', 'energy.solar'],
  HOUSING: ['socialHousing'],
  RELOCATION: ['socialHousing'],
  EDUCATION: ['education'],
  YULU: ['education'],
  EMPLOYMENT: ['education'],
  HEALTH: ['health'],
  INTERNET: ['communications'],
  CULTURE: ['cultureSportsAndRecreation'],
  ECOLOGY: ['naturalResources'],
  INDUSTRY: ['economy'],
  TOURISM: ['economy'],
  ECOMMERCE: ['economy'],
  COLLECTIVE: ['economy'],
  FINANCE: ['economy'],
  TO_HOUSEHOLD: ['economy'],
  SOCIAL_SECURITY: ['governance'],
  CAPACITY: ['governance'],
};

/** Categories whose projects build or rebuild an asset (projectType construction). */
const CONSTRUCTION = new Set([
  'INFRA',
  'INFRA_ROAD',
  'INFRA_WATER',
  'INFRA_POWER',
  'PV',
  'HOUSING',
  'RELOCATION',
  'VILLAGE_ENV',
  'CULTURE',
  'INTERNET',
]);

const DOCUMENT_TYPES: Record<string, string> = {
  D4: 'projectScope',
  D5: 'projectScope',
  D7: 'completionCertificate',
  D8: 'projectScope',
  D9: 'projectScope',
};

/**
 * An exact decimal for a JSON number: OC4IDS wants amounts as numbers, and a JS number cannot hold every
 * fen of 14-digit amounts; the package is serialised with `oc4idsJson`, which writes the digits as they are.
 */
export class JsonDecimal {
  constructor(readonly digits: string) {
    if (!/^-?\d+(\.\d+)?$/.test(digits)) throw new Error(`not a decimal: ${digits}`);
  }
  toJSON(): string {
    return `\u0000dec:${this.digits}\u0000`;
  }
}

/** JSON text of a package, with every JsonDecimal written as a bare number. */
export function oc4idsJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000dec:(-?\d+(?:\.\d+)?)\\u0000"/g, '$1');
}

const cny = (fen: string) => ({ amount: new JsonDecimal(formatYuan(fenFromDb(fen))), currency: 'CNY' });
const beijing = (date: string, end = false) => `${date}T${end ? '23:59:59' : '00:00:00'}+08:00`;

/** One project in OC4IDS 0.9 form, with links to its public notices as documents. */
export function oc4idsProject(
  p: PublicProjectRow,
  notices: Pick<PublicNotice, 'id' | 'type' | 'typeName' | 'title' | 'publishedAt' | 'updatedAt'>[],
  base: string,
  prefix: string,
): Record<string, unknown> {
  const authority = { id: `${p.jurisdiction_code}-${p.owner_unit}`, name: p.owner_unit };
  const sector = OC4IDS_SECTORS[p.category_code];
  const benefit = [
    p.benefit_mechanism,
    p.poor_households !== null ? `带动贫困户 ${p.poor_households} 户` : null,
  ]
    .filter((s): s is string => !!s)
    .join('；');
  const status = OC4IDS_STATUS[p.state] ?? 'identification';
  return {
    id: `${prefix}-${p.code}`,
    updated: p.updated_at.toISOString(),
    language: 'zh',
    title: p.name,
    description: [p.content_scale, benefit].filter((s) => !!s).join('。') || p.name,
    status,
    ...(sector ? { sector } : {}),
    ...(CONSTRUCTION.has(p.category_code) ? { type: 'construction' } : {}),
    purpose: p.benefit_mechanism || undefined,
    budget: { amount: cny(p.planned_budget) },
    period: { startDate: beijing(p.start_on), endDate: beijing(p.end_on, true) },
    locations: [
      {
        id: '1',
        description: p.location ?? p.jurisdiction_name,
        address: {
          locality: p.jurisdiction_name,
          region: p.county_name ?? p.jurisdiction_name,
          countryName: '中国',
        },
      },
    ],
    publicAuthority: authority,
    parties: [{ ...authority, roles: ['publicAuthority'] }],
    documents: notices.map((n) => ({
      id: n.id,
      documentType: DOCUMENT_TYPES[n.type] ?? 'projectScope',
      title: `${n.typeName}：${n.title}`,
      url: `${base}/notices/${n.id}`,
      datePublished: n.publishedAt,
      dateModified: n.updatedAt,
      format: 'text/html',
      language: 'zh',
    })),
    ...(status === 'completion'
      ? {
          completion: {
            ...(p.accepted_on ? { endDate: beijing(p.accepted_on) } : {}),
            finalValue: cny(p.paid),
          },
        }
      : {}),
  };
}
