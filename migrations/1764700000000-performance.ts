import { MigrationInterface, QueryRunner } from 'typeorm';

/** 绩效评价: the actual value of a project's performance indicator as a progress report states it. */
export class Performance1764700000000 implements MigrationInterface {
  name = 'Performance1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_indicator_actuals (
        report_id uuid NOT NULL REFERENCES project_progress_reports(id),
        target_id bigint NOT NULL REFERENCES project_performance_targets(id),
        actual_value numeric NOT NULL,
        PRIMARY KEY (report_id, target_id)
      );
      CREATE INDEX progress_indicator_actuals_target_idx ON progress_indicator_actuals (target_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE progress_indicator_actuals;`);
  }
}
