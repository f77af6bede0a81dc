import { Foundation1764000000000 } from './1764000000000-foundation';

/** Every migration, in order. The one DataSource (libs/database) registers this list. */
export const ALL_MIGRATIONS = [Foundation1764000000000];
