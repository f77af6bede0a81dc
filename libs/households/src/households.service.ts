import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  assertCovers,
  assertRole,
  DomainError,
  isValidIdNumber,
  maskIdNumber,
  notFound,
  PiiCipher,
} from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { JurisdictionsService } from '@sunshine/jurisdictions';

export const POVERTY_STATUSES = ['registered', 'exited', 'monitored', 'non_poor'] as const;
export type PovertyStatus = (typeof POVERTY_STATUSES)[number];

export interface HouseholdView {
  id: string;
  jurisdictionCode: string;
  headName: string;
  /** masked: first 6 and last 4 digits */
  idNumber: string;
  householdSize: number;
  povertyStatus: PovertyStatus;
}

interface Row {
  id: string;
  jurisdiction_code: string;
  jurisdiction_path: string;
  head_name: string;
  id_number_enc: Buffer;
  id_number_masked: string;
  household_size: number;
  poverty_status: PovertyStatus;
}

export const PII_CIPHER = Symbol('PII_CIPHER');

/**
 * 受益户: beneficiary households. ID numbers are encrypted at rest, found by keyed hash, masked in every
 * answer except the one explicit, audited read for authorised roles.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
    private readonly cipher: PiiCipher,
  ) {}

  async create(
    actor: Actor,
    input: {
      jurisdictionCode: string;
      headName: string;
      idNumber: string;
      householdSize: number;
      povertyStatus: PovertyStatus;
    },
  ): Promise<HouseholdView> {
    assertRole(actor, ['poverty_office', 'admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    const idNumber = input.idNumber.trim().toUpperCase();
    if (!isValidIdNumber(idNumber)) {
      throw new DomainError('VALIDATION_FAILED', 'not a valid citizen ID number (GB 11643)', [
        { field: 'idNumber', problem: 'invalid ID number' },
      ]);
    }
    const id = randomUUID();
    await this.dataSource.transaction(async (m) => {
      const inserted = await m.query<unknown[]>(
        `INSERT INTO beneficiary_households (id, jurisdiction_code, head_name, id_number_enc, id_number_hash, id_number_masked,
           household_size, poverty_status, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id_number_hash) DO NOTHING RETURNING id`,
        [
          id,
          j.code,
          input.headName,
          this.cipher.encrypt(idNumber),
          this.cipher.lookupHash(idNumber),
          maskIdNumber(idNumber),
          input.householdSize,
          input.povertyStatus,
          actor.id,
        ],
      );
      if (inserted.length === 0) {
        throw new DomainError('CONFLICT', 'a household with this ID number is registered already', [
          { field: 'idNumber', problem: 'already registered' },
        ]);
      }
      await this.audit.append(m, actor, [
        {
          action: 'household.create',
          entityType: 'household',
          entityId: id,
          jurisdictionCode: j.code,
          after: {
            headName: input.headName,
            idNumber: maskIdNumber(idNumber),
            householdSize: input.householdSize,
            povertyStatus: input.povertyStatus,
          },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<HouseholdView> {
    const row = await this.findRow(id);
    if (!row) throw notFound('household', id);
    assertCovers(actor, row.jurisdiction_path, 'id');
    return toView(row);
  }

  /** Exact look-up by ID number (through the keyed hash); answers masked. */
  async findByIdNumber(actor: Actor, idNumber: string): Promise<HouseholdView[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT h.*, j.path AS jurisdiction_path FROM beneficiary_households h JOIN jurisdictions j ON j.code = h.jurisdiction_code
       WHERE h.id_number_hash = $1 AND j.path LIKE $2`,
      [this.cipher.lookupHash(idNumber.trim().toUpperCase()), `${actor.jurisdictionPath}%`],
    );
    return rows.map(toView);
  }

  /** The one unmasked read: poverty office and auditors only, and every read is in the audit log. */
  async revealIdNumber(actor: Actor, id: string): Promise<{ id: string; idNumber: string }> {
    assertRole(actor, ['poverty_office', 'auditor']);
    const row = await this.findRow(id);
    if (!row) throw notFound('household', id);
    assertCovers(actor, row.jurisdiction_path, 'id');
    await this.dataSource.transaction((m) =>
      this.audit.append(m, actor, [
        {
          action: 'household.reveal_id_number',
          entityType: 'household',
          entityId: id,
          jurisdictionCode: row.jurisdiction_code,
        },
      ]),
    );
    return { id, idNumber: this.cipher.decrypt(row.id_number_enc) };
  }

  /** 脱贫: the household exited poverty on `exitedOn` (poverty office); counted by the battle map's targets. */
  async markExited(actor: Actor, id: string, exitedOn: string): Promise<HouseholdView> {
    assertRole(actor, ['poverty_office']);
    const row = await this.findRow(id);
    if (!row) throw notFound('household', id);
    assertCovers(actor, row.jurisdiction_path, 'id');
    if (row.poverty_status === 'exited') {
      throw new DomainError('CONFLICT', 'this household has exited already', [
        { field: 'id', problem: 'exited' },
      ]);
    }
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE beneficiary_households SET poverty_status = 'exited', exited_on = $2 WHERE id = $1`,
        [id, exitedOn],
      );
      await this.audit.append(m, actor, [
        {
          action: 'household.exit',
          entityType: 'household',
          entityId: id,
          jurisdictionCode: row.jurisdiction_code,
          before: { povertyStatus: row.poverty_status },
          after: { povertyStatus: 'exited', exitedOn },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /** Links a payment to the households it reaches (到户补助), inside the payment's transaction. */
  async linkToPayment(
    m: EntityManager,
    paymentId: string,
    householdIds: string[],
    projectPath: string,
  ): Promise<void> {
    if (householdIds.length === 0) return;
    const rows = await m.query<{ id: string; path: string }[]>(
      `SELECT h.id, j.path FROM beneficiary_households h JOIN jurisdictions j ON j.code = h.jurisdiction_code WHERE h.id = ANY($1::uuid[])`,
      [householdIds],
    );
    const found = new Map(rows.map((r) => [r.id, r.path]));
    for (const [i, hid] of householdIds.entries()) {
      const path = found.get(hid);
      if (!path) {
        throw new DomainError('VALIDATION_FAILED', `unknown household ${hid}`, [
          { field: `beneficiaryHouseholdIds[${i}]`, problem: 'unknown household' },
        ]);
      }
      if (!path.startsWith(projectPath)) {
        throw new DomainError('VALIDATION_FAILED', 'a household outside the project’s area', [
          { field: `beneficiaryHouseholdIds[${i}]`, problem: 'outside the project’s jurisdiction' },
        ]);
      }
    }
    await m.query(
      `INSERT INTO payment_beneficiaries (payment_id, household_id) SELECT $1, unnest($2::uuid[])`,
      [paymentId, householdIds],
    );
  }

  private async findRow(id: string): Promise<Row | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.dataSource.query<Row[]>(
      `SELECT h.*, j.path AS jurisdiction_path FROM beneficiary_households h JOIN jurisdictions j ON j.code = h.jurisdiction_code
       WHERE h.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}

const toView = (r: Row): HouseholdView => ({
  id: r.id,
  jurisdictionCode: r.jurisdiction_code,
  headName: r.head_name,
  idNumber: r.id_number_masked,
  householdSize: r.household_size,
  povertyStatus: r.poverty_status,
});
