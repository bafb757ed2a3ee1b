// Schedules are checked at synth with EventBridge's rules for rate() and cron(): an expression
// EventBridge would refuse at deploy fails loadConfig naming the field and what is wrong.
import { describe, expect, it } from 'vitest';
import { scheduleProblem } from '../../infra/schedule.ts';
import { errorOf, lineFor } from './config-errors.ts';

describe('scheduleProblem', () => {
  it.each([
    'rate(1 minute)',
    'rate(1 hour)',
    'rate(1 day)',
    'rate(5 minutes)',
    'rate(12 hours)',
    'rate(7 days)',
    'cron(0 * * * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 12 L * ? *)',
    'cron(0 12 15W * ? *)',
    'cron(0 12 ? * 6L 2030-2035)',
    'cron(0,30 1,13 ? JAN,JUL SUN *)',
  ])('accepts %s', (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(1 minutes)', 'with a value of 1 the unit is singular: rate(1 minute)'],
    ['rate(5 minute)', 'with a value above 1 the unit is plural: rate(5 minutes)'],
    ['rate(0 hours)', 'rate() value "0" must be a whole number of at least 1'],
    ['rate(1.5 hours)', 'rate() value "1.5" must be a whole number of at least 1'],
    ['rate(2 weeks)', 'unit "weeks" must be minutes, hours or days'],
    ['rate(hour)', 'rate() takes a value and a unit, e.g. rate(1 hour) or rate(15 minutes)'],
    ['cron(99 * * * ? *)', 'cron() minutes field "99": 99 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'cron() hours field "24": 24 is out of range 0-23'],
    ['cron(0 * 32 * ? *)', 'cron() day-of-month field "32": 32 is out of range 1-31'],
    ['cron(0 * ? 13 MON *)', 'cron() month field "13": 13 is out of range 1-12'],
    ['cron(0 * ? * FUN *)', 'cron() day-of-week field "FUN": "FUN" is not a number or SUN-SAT'],
    ['cron(0 * * * ? 1969)', 'cron() year field "1969": 1969 is out of range 1970-2199'],
    ['cron(0 * * * * *)', 'cron() day-of-month and day-of-week cannot both be given (or both be ?): use ? in one of them, e.g. cron(0 * * * ? *)'],
    ['cron(0 * ? * ? *)', 'cron() day-of-month and day-of-week cannot both be given (or both be ?): use ? in one of them, e.g. cron(0 * * * ? *)'],
    ['cron(0 * * * ?)', 'cron() takes 6 fields (minutes hours day-of-month month day-of-week year), this has 5 (the year field is required)'],
    ['cron(0/0 * * * ? *)', 'cron() minutes field "0/0": step "0" must be a whole number of at least 1'],
    ['cron(? * * * ? *)', 'cron() minutes field "?": ? is only allowed in day-of-month and day-of-week'],
    ['every hour', 'expected rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), e.g. rate(1 hour) or cron(0 * * * ? *)'],
  ])('refuses %s', (expression, problem) => {
    expect(scheduleProblem(expression)).toBe(problem);
  });
});

describe('loadConfig', () => {
  it.each(['cron(99 * * * ? *)', 'rate(1 minutes)', 'cron(0 * * * * *)'])('refuses the schedule %s in one line naming the key', (schedule) => {
    const line = lineFor(errorOf({ connectors: [{ name: 'slack', schedule }] }), 'connectors[0].schedule');
    expect(line).toContain(`"${schedule}" is not an EventBridge schedule`);
  });
});

describe('JSON given with -c', () => {
  it('that does not parse is reported as such, naming the key, not as a type mismatch', () => {
    const line = lineFor(errorOf({ connectors: '["slack",]' }), 'connectors');
    expect(line).toMatch(/not valid JSON \(.+\); quote the whole value for the shell/);
    expect(line).not.toContain('expected array');
  });
});
