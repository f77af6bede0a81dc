import { Foundation1764000000000 } from './1764000000000-foundation';
import { ProjectsPayments1764100000000 } from './1764100000000-projects-payments';
import { FactorPlans1764200000000 } from './1764200000000-factor-plans';
import { Beneficiaries1764300000000 } from './1764300000000-beneficiaries';
import { ChangesAttachmentsImports1764400000000 } from './1764400000000-changes-attachments-imports';
import { Monitoring1764500000000 } from './1764500000000-monitoring';
import { Alerts1764600000000 } from './1764600000000-alerts';
import { Performance1764700000000 } from './1764700000000-performance';
import { Targets1764800000000 } from './1764800000000-targets';
import { ProgressRollup1764900000000 } from './1764900000000-progress-rollup';
import { Disclosure1765000000000 } from './1765000000000-disclosure';
import { PublicLedgerViews1765100000000 } from './1765100000000-public-ledger-views';
import { PublicProjects1765200000000 } from './1765200000000-public-projects';
import { PublicTargets1765300000000 } from './1765300000000-public-targets';
import { NoticeSearch1765400000000 } from './1765400000000-notice-search';

/** Every migration, in order. The one DataSource (libs/database) registers this list. */
export const ALL_MIGRATIONS = [
  Foundation1764000000000,
  ProjectsPayments1764100000000,
  FactorPlans1764200000000,
  Beneficiaries1764300000000,
  ChangesAttachmentsImports1764400000000,
  Monitoring1764500000000,
  Alerts1764600000000,
  Performance1764700000000,
  Targets1764800000000,
  ProgressRollup1764900000000,
  Disclosure1765000000000,
  PublicLedgerViews1765100000000,
  PublicProjects1765200000000,
  PublicTargets1765300000000,
  NoticeSearch1765400000000,
];
