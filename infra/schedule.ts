// EventBridge Scheduler/rules expressions checked at synth with EventBridge's own rules, so a
// schedule that can never deploy fails `cdk synth` naming the field instead of failing at deploy.
//
// rate(value unit): a positive whole value; the unit singular for 1 and plural otherwise.
// cron(minutes hours day-of-month month day-of-week year): six fields; day-of-month and day-of-week
// cannot both be given, so exactly one of them is `?`.

const RATE = /^rate\((.*)\)$/s;
const CRON = /^cron\((.*)\)$/s;

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Extra forms this field allows besides lists, ranges and steps. */
  special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  // L: last day of the month; LW: its last weekday; 15W: the weekday nearest the 15th.
  { name: 'day-of-month', min: 1, max: 31, special: /^(?:\?|L|LW|(?:[1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // L: the last day of the week; 6L: the month's last Friday; 3#2: its second Tuesday.
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(?:\?|L|(?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(?:L|#[1-5]))$/i },
  { name: 'year', min: 1970, max: 2199 },
];

/** What is wrong with `expression` as an EventBridge schedule, or undefined when it is valid. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) return rateProblem(rate[1]!.trim());
  const cron = CRON.exec(expression);
  if (cron) return cronProblem(cron[1]!.trim());
  return 'expected rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), e.g. rate(1 hour) or cron(0 * * * ? *)';
}

function rateProblem(body: string): string | undefined {
  const m = /^(\S+)\s+(\S+)$/.exec(body);
  if (!m) return 'rate() takes a value and a unit, e.g. rate(1 hour) or rate(15 minutes)';
  const [, value, unit] = m as unknown as [string, string, string];
  if (!/^\d+$/.test(value) || Number(value) < 1) return `rate() value ${JSON.stringify(value)} must be a whole number of at least 1`;
  const n = Number(value);
  const singular = ['minute', 'hour', 'day'];
  const plural = ['minutes', 'hours', 'days'];
  if (n === 1 && !singular.includes(unit)) {
    return plural.includes(unit)
      ? `with a value of 1 the unit is singular: rate(1 ${unit.slice(0, -1)})`
      : `unit ${JSON.stringify(unit)} must be minute, hour or day`;
  }
  if (n > 1 && !plural.includes(unit)) {
    return singular.includes(unit)
      ? `with a value above 1 the unit is plural: rate(${n} ${unit}s)`
      : `unit ${JSON.stringify(unit)} must be minutes, hours or days`;
  }
  return undefined;
}

function cronProblem(body: string): string | undefined {
  const parts = body.split(/\s+/).filter(Boolean);
  if (parts.length !== 6) {
    return `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), this has ${parts.length}${parts.length === 5 ? ' (the year field is required)' : ''}`;
  }
  for (const [i, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[i]!, field);
    if (problem) return `cron() ${field.name} field ${JSON.stringify(parts[i])}: ${problem}`;
  }
  const [dom, dow] = [parts[2], parts[4]];
  if ((dom === '?') === (dow === '?')) {
    return 'cron() day-of-month and day-of-week cannot both be given (or both be ?): use ? in one of them, e.g. cron(0 * * * ? *)';
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  if (field.special?.test(text)) return undefined;
  if (text === '?') return '? is only allowed in day-of-month and day-of-week';
  for (const element of text.split(',')) {
    const problem = elementProblem(element, field);
    if (problem) return problem;
  }
  return undefined;
}

function elementProblem(element: string, field: Field): string | undefined {
  const [base, step, extra] = element.split('/');
  if (extra !== undefined) return 'at most one / per element';
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `step ${JSON.stringify(step)} must be a whole number of at least 1`;
  if (base === '*') return undefined;
  if (base === undefined || base === '') return 'an empty element';
  const bounds = base.split('-');
  if (bounds.length > 2) return `${JSON.stringify(base)} is not a value or a range`;
  for (const bound of bounds) {
    const problem = valueProblem(bound, field);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(value: string, field: Field): string | undefined {
  if (field.names?.includes(value.toUpperCase())) return undefined;
  if (!/^\d+$/.test(value)) {
    const named = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
    return `${JSON.stringify(value)} is not a number${named}`;
  }
  const n = Number(value);
  if (n < field.min || n > field.max) return `${n} is out of range ${field.min}-${field.max}`;
  return undefined;
}
