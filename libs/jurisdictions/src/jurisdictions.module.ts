import { Global, Module } from '@nestjs/common';
import { JurisdictionsService } from './jurisdictions.service';

@Global()
@Module({ providers: [JurisdictionsService], exports: [JurisdictionsService] })
export class JurisdictionsModule {}
