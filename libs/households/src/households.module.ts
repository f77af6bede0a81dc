import { Module } from '@nestjs/common';
import { PiiCipher } from '@sunshine/common';
import { HouseholdsService } from './households.service';

/** Beneficiary households (受益户). The PII key comes from PII_KEY (the embedded default keeps one in DATA_DIR). */
@Module({
  providers: [
    HouseholdsService,
    {
      provide: PiiCipher,
      useFactory: () => {
        const key = process.env.PII_KEY;
        if (!key) throw new Error('PII_KEY is not set');
        return new PiiCipher(key);
      },
    },
  ],
  exports: [HouseholdsService],
})
export class HouseholdsModule {}
