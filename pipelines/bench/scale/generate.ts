/**
 * Seeded, deterministic CRM exports at benchmark scale, written by DuckDB itself (a JS loop
 * writing 20M follow-up lines would take longer than everything it is meant to measure).
 *
 * Every value is a function of (row number, seed) through DuckDB's hash(), so one seed gives the
 * same files on every run; the files are cached by writeExports' caller and reused until
 * GENERATOR_VERSION or the seed changes.
 *
 * Shape, per opportunity: it reaches stages 1..k of the default stage set (k from a skewed
 * distribution, so the funnel narrows), with one follow-up record per stage reached and extra
 * touches up to four; about 4 follow-ups per opportunity in all. Won deals become orders of
 * about as many customers as a fifth of the opportunities.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '../../../src/lib/warehouse/duckdb.server.ts';
import { sqlString } from '../../../src/lib/warehouse/warehouse.server.ts';

/** Bump when the generated data changes shape, so cached exports are rebuilt. */
export const GENERATOR_VERSION = 1;
export const BENCH_SEED = 20261123;

export const BENCH_STAGES = ['潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约', '已成交'] as const;
const REGIONS = ['华东', '华南', '华北', '西南', '华中', '西北'];
const INDUSTRIES = ['制造业', '零售', '医疗健康', '教育', '金融', '物流', '能源', '互联网'];
const SOURCES = ['展会推广', '官网表单', '老客户转介绍', '渠道合作', '线上广告', '电话营销', '地推活动', '合作伙伴'];
const PRODUCTS = ['智能仓储系统', 'CRM云服务', '数据分析平台', '工业物联网网关', '售后维保服务', '培训服务'];
const LOST_REASONS = ['价格过高', '选择竞品', '预算取消', '需求变更', '决策延期', '联系不上'];
const METHODS = ['电话', '面谈', '邮件', '微信', '视频会议'];
/** Three years of data ending on the bench's as-of day. */
export const BENCH_START = '2023-01-01';
export const BENCH_AS_OF = '2025-12-31';
const DAYS = 1095;
export const BENCH_REPS = 400;
export const BENCH_TEAMS = 40;

export interface ExportFiles {
  reps: string;
  opportunities: string;
  stage_events: string;
  customers: string;
  orders: string;
  targets: string;
}

const list = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;

/** uniform integer in [0, n) from the row key `k` and a salt, stable for one seed */
function pick(seed: number, k: string, salt: string, n: number): string {
  return `(hash(${k}, ${seed}, '${salt}') % ${n})::INTEGER`;
}

/** Writes the six exports for `opportunities` opportunities into `dir`; returns their paths. */
export async function writeExports(connection: DuckDBConnection, dir: string, opportunities: number, seed = BENCH_SEED): Promise<ExportFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const files: ExportFiles = {
    reps: path.join(dir, 'reps.csv'),
    opportunities: path.join(dir, 'opportunities.csv'),
    stage_events: path.join(dir, 'stage_events.csv'),
    customers: path.join(dir, 'customers.csv'),
    orders: path.join(dir, 'orders.csv'),
    targets: path.join(dir, 'targets.csv'),
  };
  const customers = Math.max(100, Math.floor(opportunities / 5));
  const copy = (sql: string, file: string) => connection.run(`COPY (${sql}) TO ${sqlString(file)} (HEADER, DELIMITER ',')`);

  await copy(
    `SELECT 'R' || lpad(r::VARCHAR, 4, '0') AS owner,
            'T' || lpad((r % ${BENCH_TEAMS})::VARCHAR, 2, '0') AS team,
            ${list(REGIONS)}[(r % ${BENCH_TEAMS}) % ${REGIONS.length} + 1] AS region,
            'M' || lpad((r % ${BENCH_TEAMS})::VARCHAR, 2, '0') AS manager,
            DATE '2020-01-01' + ${pick(seed, 'r', 'hired', 1000)} AS hired_at,
            CASE WHEN ${pick(seed, 'r', 'left', 20)} = 0 THEN DATE '${BENCH_START}' + ${pick(seed, 'r', 'leftday', DAYS)} END AS left_at
     FROM range(${BENCH_REPS}) t(r)`,
    files.reps,
  );

  // k = stages reached: 1 → 40%, 2 → 20%, 3 → 15%, 4 → 10%, 5 → 5%, 6 (won) → 10%
  await connection.run(`CREATE OR REPLACE TEMP TABLE bench_opps AS
    WITH base AS (
      SELECT i, ${pick(seed, 'i', 'k', 100)} AS kq, ${pick(seed, 'i', 'rep', BENCH_REPS)} AS rep,
             TIMESTAMP '${BENCH_START}' + to_seconds(${pick(seed, 'i', 'created', DAYS * 86400)}) AS created_at,
             ${pick(seed, 'i', 'status', 10)} AS sq
      FROM range(${opportunities}) t(i)
    )
    SELECT i, rep, created_at,
           CASE WHEN kq < 40 THEN 1 WHEN kq < 60 THEN 2 WHEN kq < 75 THEN 3 WHEN kq < 85 THEN 4 WHEN kq < 90 THEN 5 ELSE 6 END AS k,
           sq
    FROM base`);
  // per stage reached, the follow-up that moved it there: 1..14 days after the previous one
  await connection.run(`CREATE OR REPLACE TEMP TABLE bench_steps AS
    SELECT o.i, s.step, o.created_at + to_seconds((sum(CASE WHEN s.step = 1 THEN 0 ELSE 86400 + ${pick(seed, 'o.i * 8 + s.step', 'gap', 13 * 86400)} END)
             OVER (PARTITION BY o.i ORDER BY s.step))::BIGINT) AS moved_at
    FROM bench_opps o, range(1, 7) s(step) WHERE s.step <= o.k`);

  await copy(
    `WITH last AS (SELECT i, max(moved_at) AS last_at FROM bench_steps GROUP BY i)
     SELECT 'OPP-' || lpad(o.i::VARCHAR, 8, '0') AS opportunity_id,
            'Deal ' || o.i AS opportunity_name,
            'Customer ' || ${pick(seed, 'o.i', 'cust', customers)} AS customer_name,
            'R' || lpad(o.rep::VARCHAR, 4, '0') AS owner,
            'T' || lpad((o.rep % ${BENCH_TEAMS})::VARCHAR, 2, '0') AS team,
            ${list(REGIONS)}[(o.rep % ${BENCH_TEAMS}) % ${REGIONS.length} + 1] AS region,
            ${list(INDUSTRIES)}[${pick(seed, 'o.i', 'ind', INDUSTRIES.length)} + 1] AS industry,
            ${list(PRODUCTS)}[${pick(seed, 'o.i', 'prod', PRODUCTS.length)} + 1] AS product,
            ${list(SOURCES)}[${pick(seed, 'o.i', 'src', SOURCES.length)} + 1] AS source,
            ${list([...BENCH_STAGES])}[o.k] AS stage,
            CASE WHEN o.k = 6 THEN 'won' WHEN o.sq < 6 AND l.last_at < TIMESTAMP '${BENCH_AS_OF}' - INTERVAL 30 DAY THEN 'lost' ELSE 'open' END AS status,
            strftime(o.created_at, '%Y-%m-%d %H:%M:%S') AS created_at,
            strftime(l.last_at, '%Y-%m-%d %H:%M:%S') AS stage_entered_at,
            CASE WHEN o.k = 6 OR (o.sq < 6 AND l.last_at < TIMESTAMP '${BENCH_AS_OF}' - INTERVAL 30 DAY)
                 THEN strftime(l.last_at + INTERVAL 2 DAY, '%Y-%m-%d %H:%M:%S') END AS closed_at,
            (10000 + ${pick(seed, 'o.i', 'amount', 990)} * 1000) AS expected_amount,
            CASE WHEN o.k = 6 THEN (10000 + ${pick(seed, 'o.i', 'amount', 990)} * 1000) * 0.95 END AS amount,
            CASE WHEN o.k < 6 AND o.sq < 6 AND l.last_at < TIMESTAMP '${BENCH_AS_OF}' - INTERVAL 30 DAY
                 THEN ${list(LOST_REASONS)}[${pick(seed, 'o.i', 'lost', LOST_REASONS.length)} + 1] END AS lost_reason
     FROM bench_opps o JOIN last l USING (i)
     WHERE o.created_at <= TIMESTAMP '${BENCH_AS_OF}'`,
    files.opportunities,
  );

  // one record per stage reached, then plain touches (no stage change) up to four per deal
  await copy(
    `SELECT 'OPP-' || lpad(i::VARCHAR, 8, '0') AS opportunity_id,
            strftime(moved_at, '%Y-%m-%d %H:%M:%S') AS occurred_at,
            from_stage, to_stage,
            ${list(METHODS)}[${pick(seed, 'i * 16 + n', 'method', METHODS.length)} + 1] AS method,
            'touch ' || n AS summary,
            strftime(moved_at + INTERVAL 7 DAY, '%Y-%m-%d %H:%M:%S') AS next_followup_at,
            'R' || lpad(rep::VARCHAR, 4, '0') AS owner
     FROM (
       SELECT s.i, s.step AS n, s.moved_at, o.rep,
              CASE WHEN s.step > 1 THEN ${list([...BENCH_STAGES])}[s.step - 1] END AS from_stage,
              ${list([...BENCH_STAGES])}[s.step] AS to_stage
       FROM bench_steps s JOIN bench_opps o USING (i)
       UNION ALL
       SELECT o.i, 6 + x.n, o.created_at + to_seconds(x.n * 86400 + ${pick(seed, 'o.i * 8 + x.n', 'touch', 86400)}), o.rep, NULL, NULL
       FROM bench_opps o, range(1, 4) x(n) WHERE o.k + x.n <= 4
     )
     WHERE moved_at <= TIMESTAMP '${BENCH_AS_OF}'`,
    files.stage_events,
  );

  await copy(
    `SELECT 'C' || lpad(c::VARCHAR, 8, '0') AS customer_id, 'Customer ' || c AS customer_name,
            ${list(INDUSTRIES)}[${pick(seed, 'c', 'cind', INDUSTRIES.length)} + 1] AS industry,
            ${list(REGIONS)}[${pick(seed, 'c', 'creg', REGIONS.length)} + 1] AS region,
            DATE '${BENCH_START}' + ${pick(seed, 'c', 'seen', DAYS)} AS first_seen_at,
            'R' || lpad(${pick(seed, 'c', 'cown', BENCH_REPS)}::VARCHAR, 4, '0') AS owner
     FROM range(${customers}) t(c)`,
    files.customers,
  );

  // each won deal is an order of its customer; plus repeat orders from the same customers
  await copy(
    `WITH won AS (SELECT o.i, o.rep, s.moved_at FROM bench_opps o JOIN bench_steps s ON s.i = o.i AND s.step = 6)
     SELECT 'SO' || lpad(i::VARCHAR, 9, '0') || '-' || n AS order_id,
            'C' || lpad(${pick(seed, 'i', 'cust', customers)}::VARCHAR, 8, '0') AS customer_id,
            'Customer ' || ${pick(seed, 'i', 'cust', customers)} AS customer_name,
            strftime(moved_at + to_days((n - 1) * 90), '%Y-%m-%d %H:%M:%S') AS ordered_at,
            ${list(PRODUCTS)}[${pick(seed, 'i', 'prod', PRODUCTS.length)} + 1] AS product,
            1 AS quantity,
            (10000 + ${pick(seed, 'i * 4 + n', 'oamount', 990)} * 1000) * 0.95 AS amount,
            'R' || lpad(rep::VARCHAR, 4, '0') AS owner,
            'OPP-' || lpad(i::VARCHAR, 8, '0') AS opportunity_id
     FROM won, range(1, 1 + 1 + ${pick(seed, 'i', 'repeat', 3)}) r(n)
     WHERE moved_at + to_days((n - 1) * 90) <= TIMESTAMP '${BENCH_AS_OF}'`,
    files.orders,
  );

  // monthly revenue targets per rep: about 10% above what the generated orders bring (~6.3 元 per opportunity per rep-month)
  await copy(
    `SELECT strftime(m, '%Y-%m-%d') AS period_start, strftime(m + INTERVAL 1 MONTH - INTERVAL 1 DAY, '%Y-%m-%d') AS period_end,
            'rep' AS dimension, 'R' || lpad(r::VARCHAR, 4, '0') AS dimension_value, 'revenue' AS metric,
            ${Math.round(opportunities * 7)} AS target_value
     FROM range(${BENCH_REPS}) t(r), range(DATE '${BENCH_START}', DATE '${BENCH_AS_OF}', INTERVAL 1 MONTH) g(m)`,
    files.targets,
  );
  await connection.run('DROP TABLE bench_steps; DROP TABLE bench_opps');
  return files;
}
