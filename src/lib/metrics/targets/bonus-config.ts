/**
 * The `bonus` config key: seed 001's tiered bonus (阶梯式奖金加速器: 基础目标、挑战目标和卓越目标
 * 三档激励标准, 超额部分按几何级数递增计算奖金). Wire into src/lib/config/config.ts as
 * `bonus: bonusConfigSchema,`.
 *
 * Payout for one rep and period (actual = the same revenue the targets use):
 *   within_base × min(actual, base)
 * + above_base × the part of actual between base and challenge
 * + above_challenge × the part between challenge and excellence
 * + above_excellence × the part above excellence.
 * Tier targets come from the targets table (tier challenge / excellence); where a tier is
 * missing it is base × its factor, and the result says which (`tiers_from`). With a factor of
 * null and no tier target, the band below it has no upper end.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const bonusConfigSchema = z
  .object({
    /** Off: no bonus table. */
    enabled: z.boolean().default(true),
    /** Who is paid: rep targets (or team targets for a team bonus). */
    dimension: z.enum(['rep', 'team', 'region']).default('rep'),
    /** Which target periods are paid on: whole calendar months, quarters or years. */
    period: z.enum(['month', 'quarter', 'year']).default('quarter'),
    rates: z
      .object({
        within_base: rate.default(0),
        above_base: rate.default(0.02),
        above_challenge: rate.default(0.04),
        above_excellence: rate.default(0.08),
      })
      .strict()
      .prefault({}),
    /** challenge = base × this when the targets table has no challenge target. */
    challenge_factor: z.number().min(1).nullable().default(1.2),
    excellence_factor: z.number().min(1).nullable().default(1.5),
  })
  .strict()
  .refine((b) => b.challenge_factor === null || b.excellence_factor === null || b.excellence_factor >= b.challenge_factor, {
    message: 'excellence_factor must not be below challenge_factor',
    path: ['excellence_factor'],
  })
  .prefault({});

export type BonusConfig = z.infer<typeof bonusConfigSchema>;

