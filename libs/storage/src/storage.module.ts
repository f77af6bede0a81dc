import { Module } from '@nestjs/common';
import path from 'node:path';
import { FileStorage, LocalDiskStorage } from './file-storage';

/** FileStorage on local disk: FILES_DIR, or DATA_DIR/files (DATA_DIR default ./data). */
@Module({
  providers: [
    {
      provide: FileStorage,
      useFactory: () =>
        new LocalDiskStorage(
          path.resolve(process.env.FILES_DIR ?? path.join(process.env.DATA_DIR ?? './data', 'files')),
        ),
    },
  ],
  exports: [FileStorage],
})
export class StorageModule {}
