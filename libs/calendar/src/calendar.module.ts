import { Module } from '@nestjs/common';
import { CalendarService } from './calendar.service';

/** The working-day calendar (chinese-days + overrides), for monitoring and disclosure deadlines. */
@Module({ providers: [CalendarService], exports: [CalendarService] })
export class CalendarModule {}
