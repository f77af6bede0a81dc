import { Module } from '@nestjs/common';
import { CalendarModule } from '@sunshine/calendar';
import { FundsModule } from '@sunshine/funds';
import { MonitoringModule } from '@sunshine/monitoring';
import { ProjectsModule } from '@sunshine/projects';
import { NoticeGeneratorService } from './notice-generator.service';
import { NoticeOverdueMonitor } from './notice-overdue.monitor';
import { NoticesService } from './notices.service';
import { ObjectionIntakeService, ObjectionsService } from './objections.service';
import { PublicNoticesService } from './public-notices.service';
import { PublicProjectsService } from './public-projects.service';

/** Disclosure (公告公示, DOMAIN §5): notices from events, their versions and life cycle, objections, public reads. */
@Module({
  imports: [CalendarModule, FundsModule, ProjectsModule, MonitoringModule],
  providers: [
    NoticesService,
    NoticeGeneratorService,
    ObjectionsService,
    ObjectionIntakeService,
    PublicNoticesService,
    NoticeOverdueMonitor,
  ],
  exports: [
    NoticesService,
    NoticeGeneratorService,
    ObjectionsService,
    ObjectionIntakeService,
    PublicNoticesService,
  ],
})
export class DisclosureModule {}

/** What the public site needs: reads of the public views and the objection intake, nothing else. */
@Module({
  providers: [PublicNoticesService, ObjectionIntakeService, PublicProjectsService],
  exports: [PublicNoticesService, ObjectionIntakeService, PublicProjectsService],
})
export class PublicDisclosureModule {}
