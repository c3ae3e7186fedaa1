import { describe, expect, it } from 'vitest';
import { parseDrillKeys, parseUrlFilters, presetRange, URL_LIMITS, UrlParamError, urlFiltersToSearch } from './url-params.ts';

const calendar = { year_start_month: 1, week_start: 'monday' as const };

describe('presetRange', () => {
  it('this week starts on the configured weekday', () => {
    // 2026-10-31 is a Saturday: the Monday week began 5 days earlier (Oct 26), the Sunday week 6 (Oct 25)
    expect(presetRange('this-week', '2026-10-31', calendar)).toEqual({ from: '2026-10-26', to: '2026-10-31' });
    expect(presetRange('this-week', '2026-10-31', { ...calendar, week_start: 'sunday' })).toEqual({ from: '2026-10-25', to: '2026-10-31' });
    // on a Monday the Monday week is that day alone
    expect(presetRange('this-week', '2026-10-26', calendar)).toEqual({ from: '2026-10-26', to: '2026-10-26' });
  });

  it('quarters and years follow the fiscal year start', () => {
    // calendar year: October is in Q4 (Oct–Dec)
    expect(presetRange('this-quarter', '2026-10-31', calendar)).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    // fiscal year from April: quarters Apr–Jun, Jul–Sep, Oct–Dec, Jan–Mar; Feb 2027 is in Q4 = Jan–Mar
    expect(presetRange('this-quarter', '2027-02-10', { ...calendar, year_start_month: 4 })).toEqual({ from: '2027-01-01', to: '2027-02-10' });
    // that fiscal year began April 2026 (10 months before February)
    expect(presetRange('this-year', '2027-02-10', { ...calendar, year_start_month: 4 })).toEqual({ from: '2026-04-01', to: '2027-02-10' });
    expect(presetRange('this-year', '2026-10-31', calendar)).toEqual({ from: '2026-01-01', to: '2026-10-31' });
  });

  it('last N days include as-of', () => {
    // Oct 31 back 6 days = Oct 25: seven days Oct 25..31
    expect(presetRange('last-7', '2026-10-31', calendar)).toEqual({ from: '2026-10-25', to: '2026-10-31' });
    // 30 days ending Mar 1 2024 (leap year): Feb has 29 days, so Mar 1 − 29 days = Feb 1
    expect(presetRange('last-30', '2024-03-01', calendar)).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(presetRange('this-month', '2026-10-31', calendar)).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(presetRange('all', '2026-10-31', calendar)).toBeNull();
  });
});

describe('URL filters', () => {
  it('reads repeated and comma-separated filters, ignores junk, and writes them back', () => {
    const f = parseUrlFilters(new URLSearchParams('team=华东一组&team=华北组,华东一组&region=&by=owner&as_of=2026-13&foo=1'));
    expect(f).toEqual({ period: 'all', as_of: undefined, filters: { team: ['华东一组', '华北组'] }, by: 'owner' });
    expect(urlFiltersToSearch(f).toString()).toBe(new URLSearchParams([['team', '华东一组'], ['team', '华北组'], ['by', 'owner']]).toString());
  });

  it('explicit dates without a preset are a custom period; a preset drops stray dates', () => {
    expect(parseUrlFilters(new URLSearchParams('from=2026-01-01&to=2026-06-30'))).toMatchObject({ period: 'custom', from: '2026-01-01', to: '2026-06-30' });
    const preset = parseUrlFilters(new URLSearchParams('period=last-30&from=2026-01-01'));
    expect(preset.period).toBe('last-30');
    expect(preset.from).toBeUndefined();
  });
});

describe('URL limits', () => {
  it('refuses a filter with too many or too long values, naming the parameter', () => {
    const many = new URLSearchParams(Array.from({ length: URL_LIMITS.maxValuesPerFilter + 1 }, (_, i) => ['owner', `rep${i}`]));
    expect(() => parseUrlFilters(many)).toThrow(/URL parameter owner has more than 100 values/);
    // exactly the cap is fine
    expect(parseUrlFilters(new URLSearchParams(Array.from({ length: 100 }, (_, i) => ['owner', `rep${i}`]))).filters.owner).toHaveLength(100);
    expect(() => parseUrlFilters(new URLSearchParams({ team: 'x'.repeat(201) }))).toThrow(UrlParamError);
  });

  it('checks drill-down keys: known shape, bounded count and length', () => {
    expect(parseDrillKeys(new URLSearchParams('k.stage=需求挖掘&k.owner=王磊&period=all'))).toEqual({ stage: '需求挖掘', owner: '王磊' });
    expect(() => parseDrillKeys(new URLSearchParams('k.Stage;drop=1'))).toThrow(/k\.Stage;drop is not a drill-down key name/);
    expect(() => parseDrillKeys(new URLSearchParams(Array.from({ length: 11 }, (_, i) => [`k.key_${'abcdefghijk'[i]}`, 'v'])))).toThrow(/URL parameter k has more than 10 drill-down keys/);
  });
});
