import { Fen, fenFromDb, formatYuan } from '@sunshine/money';

/** A budget_lines row as the repository reads it (money already in fen). */
export interface BudgetLineRecord {
  id: string;
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  jurisdictionPath: string;
  holderDepartment: string;
  documentNo: string;
  title: string;
  amount: Fen;
  allocatedDown: Fen;
  assignedToProjects: Fen;
  paid: Fen;
  receivedOn: string;
  parentLineId: string | null;
  originAllocationId: string | null;
  status: 'active' | 'reversed';
  createdAt: Date;
  /** created_at at full (microsecond) precision, for keyset cursors */
  createdKey: string;
}

export interface BalancesView {
  amount: string;
  allocatedDown: string;
  assignedToProjects: string;
  paid: string;
  available: string;
}

export interface BudgetLineView extends BalancesView {
  id: string;
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  holderDepartment: string;
  documentNo: string;
  title: string;
  receivedOn: string;
  parentLineId: string | null;
  originAllocationId: string | null;
  status: 'active' | 'reversed';
  createdAt: string;
}

export const availableOf = (
  l: Pick<BudgetLineRecord, 'amount' | 'allocatedDown' | 'assignedToProjects'>,
): Fen => l.amount - l.allocatedDown - l.assignedToProjects;

export function balancesOf(
  l: Pick<BudgetLineRecord, 'amount' | 'allocatedDown' | 'assignedToProjects' | 'paid'>,
): BalancesView {
  return {
    amount: formatYuan(l.amount),
    allocatedDown: formatYuan(l.allocatedDown),
    assignedToProjects: formatYuan(l.assignedToProjects),
    paid: formatYuan(l.paid),
    available: formatYuan(availableOf(l)),
  };
}

export function toBudgetLineView(l: BudgetLineRecord): BudgetLineView {
  return {
    id: l.id,
    year: l.year,
    sourceCode: l.sourceCode,
    jurisdictionCode: l.jurisdictionCode,
    jurisdictionName: l.jurisdictionName,
    holderDepartment: l.holderDepartment,
    documentNo: l.documentNo,
    title: l.title,
    ...balancesOf(l),
    receivedOn: l.receivedOn,
    parentLineId: l.parentLineId,
    originAllocationId: l.originAllocationId,
    status: l.status,
    createdAt: l.createdAt.toISOString(),
  };
}

export interface BudgetLineRow {
  id: string;
  year: number;
  source_code: string;
  jurisdiction_code: string;
  jurisdiction_name: string;
  jurisdiction_path: string;
  holder_department: string;
  document_no: string;
  title: string;
  amount: string;
  allocated_down: string;
  assigned_to_projects: string;
  paid: string;
  received_on: string;
  parent_line_id: string | null;
  origin_allocation_id: string | null;
  status: 'active' | 'reversed';
  created_at: Date;
  created_key: string;
}

export function fromRow(r: BudgetLineRow): BudgetLineRecord {
  return {
    id: r.id,
    year: r.year,
    sourceCode: r.source_code,
    jurisdictionCode: r.jurisdiction_code,
    jurisdictionName: r.jurisdiction_name,
    jurisdictionPath: r.jurisdiction_path,
    holderDepartment: r.holder_department,
    documentNo: r.document_no,
    title: r.title,
    amount: fenFromDb(r.amount),
    allocatedDown: fenFromDb(r.allocated_down),
    assignedToProjects: fenFromDb(r.assigned_to_projects),
    paid: fenFromDb(r.paid),
    receivedOn: r.received_on,
    parentLineId: r.parent_line_id,
    originAllocationId: r.origin_allocation_id,
    status: r.status,
    createdAt: r.created_at,
    createdKey: r.created_key,
  };
}
