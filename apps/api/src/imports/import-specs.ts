import { IsUUID, Length, IsString } from 'class-validator';
import type { ImportColumn } from '@sunshine/imports';
import { CreateAllocationDto } from '../ledger/budget-lines.controller';
import { CreatePaymentDto } from '../projects/payments.controller';

/** An allocation row: the API's allocation body plus the line it comes from. Same validators as the API. */
export class AllocationImportRow extends CreateAllocationDto {
  @IsUUID()
  budgetLineId: string;
}

/** A payment row: the API's payment body; the project is named by its code in the sheet. */
export class PaymentImportRow extends CreatePaymentDto {}

export class ProjectCodeCell {
  @IsString()
  @Length(1, 64)
  projectCode: string;
}

export type ImportKind = 'allocations' | 'payments';

export const IMPORT_KINDS: readonly ImportKind[] = ['allocations', 'payments'];

export const IMPORT_TITLES: Record<ImportKind, string> = {
  allocations: '资金分配下达',
  payments: '资金拨付报账',
};

export const IMPORT_COLUMNS: Record<ImportKind, readonly ImportColumn[]> = {
  allocations: [
    {
      field: 'budgetLineId',
      header: '来源指标ID',
      required: true,
      example: '00000000-0000-0000-0000-000000000000',
      note: '被分配的预算指标的ID（在指标详情中可见）',
    },
    {
      field: 'toJurisdictionCode',
      header: '接收区划代码',
      required: true,
      example: '450124',
      note: '接收资金的下级区划代码（6、9或12位）；对口帮扶资金填结对地区代码',
    },
    {
      field: 'amount',
      header: '金额（元）',
      required: true,
      money: true,
      example: '500000.00',
      note: '以元为单位，最多两位小数',
    },
    {
      field: 'documentNo',
      header: '文号',
      required: true,
      example: '南财农〔2026〕30号',
      note: '下达文件文号',
    },
    {
      field: 'issuedOn',
      header: '下达日期',
      required: true,
      date: true,
      example: '2026-04-15',
      note: 'YYYY-MM-DD',
    },
    {
      field: 'receivedOn',
      header: '到账日期',
      required: false,
      date: true,
      example: '2026-04-20',
      note: '资金到达接收单位的日期，默认同下达日期',
    },
    {
      field: 'holderDepartment',
      header: '接收单位',
      required: false,
      example: '马山县财政局',
      note: '默认“区划名称+财政局”',
    },
    {
      field: 'title',
      header: '摘要',
      required: false,
      example: '',
      note: '下级指标名称，默认沿用来源指标名称',
    },
  ],
  payments: [
    {
      field: 'projectCode',
      header: '项目编号',
      required: true,
      example: 'XM-450124101001-2026-00001',
      note: '项目库中的项目编号',
    },
    {
      field: 'budgetLineId',
      header: '指标ID',
      required: true,
      example: '00000000-0000-0000-0000-000000000000',
      note: '项目资金安排所用的预算指标ID',
    },
    {
      field: 'amount',
      header: '金额（元）',
      required: true,
      money: true,
      example: '12000.00',
      note: '以元为单位，最多两位小数',
    },
    {
      field: 'payee',
      header: '收款人',
      required: true,
      example: '马山县路桥工程有限公司',
      note: '收款单位或个人',
    },
    {
      field: 'purposeCode',
      header: '用途代码',
      required: true,
      example: 'construction_works',
      note: '支付用途代码（见“支付用途”列表；负面清单用途不得支付）',
    },
    {
      field: 'invoiceNo',
      header: '发票号',
      required: true,
      example: 'FP-2026-000123',
      note: '发票或合同编号',
    },
    {
      field: 'paidOn',
      header: '支付日期',
      required: true,
      date: true,
      example: '2026-06-15',
      note: 'YYYY-MM-DD',
    },
  ],
};
