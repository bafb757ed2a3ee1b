// One definition per command: the parser, `--help` and the docs all read it, so the usage text
// cannot drift from the options the command really takes.
import { type ParseArgsOptionDescriptor, parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string;
  /** Placeholder in the usage line, e.g. FILE. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as shown in usage, e.g. `<connector>`. */
  args?: string;
  options: Record<string, OptionSpec>;
  /** Environment variables the command reads: [name, what it does]. */
  env?: [string, string][];
  /** Free text after the options (modes, examples). */
  notes?: string[];
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** `--help`/`-h` was given: the caller prints help and does nothing else. */
  help: boolean;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const options: Record<string, ParseArgsOptionDescriptor> = {};
  for (const [name, o] of Object.entries({ ...spec.options, help: HELP_OPTION })) {
    const d: ParseArgsOptionDescriptor = { type: o.type };
    if (o.short) d.short = o.short;
    if (o.multiple) d.multiple = true;
    if (o.default !== undefined) d.default = o.default;
    options[name] = d;
  }
  // --help wins over every other mistake on the line: someone asking for help gets it.
  if (argv.includes('--help') || argv.includes('-h')) return { values: {}, positionals: [], help: true };
  try {
    const { values, positionals } = parseArgs({ args: withNegativeValues(spec, argv), options, allowPositionals: spec.args !== undefined, strict: true });
    return { values: values as Parsed['values'], positionals, help: false };
  } catch (err) {
    throw new UsageError(`${spec.name}: ${parseArgsMessage(err)}\n${usageLine(spec)}\nrun \`baton-serverless ${spec.name} --help\` for details`);
  }
}

/**
 * `--users -5` as `--users=-5`: Node's parser calls a value starting with a dash ambiguous, and
 * the flag's own check then says in one line what it takes.
 */
function withNegativeValues(spec: CommandSpec, argv: string[]): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** Node's parseArgs messages, made shorter and about this command. */
function parseArgsMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = (err as Error).message ?? String(err);
  const option = /'(-[^']*)'/.exec(message)?.[1]?.split(' ')[0];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trimEnd();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option && /argument missing/.test(message) ? `${option} needs a value` : message.split('\n')[0]!;
    default:
      return message.split('\n')[0]!;
  }
}

export function usageLine(spec: CommandSpec): string {
  const parts = [`usage: baton-serverless ${spec.name}`];
  if (spec.args) parts.push(spec.args);
  parts.push('[options]');
  return parts.join(' ');
}

export function helpText(spec: CommandSpec): string {
  const lines = [`baton-serverless ${spec.name}: ${spec.summary}`, '', usageLine(spec), '', 'options:'];
  const entries = Object.entries({ ...spec.options, help: HELP_OPTION });
  const labels = entries.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}`;
    return o.type === 'string' ? `${flag} ${o.value ?? 'VALUE'}` : flag;
  });
  const width = Math.min(
    36,
    labels.reduce((w, l) => Math.max(w, l.length), 0),
  );
  entries.forEach(([, o], i) => {
    const extra = [o.multiple ? 'repeatable' : '', o.default !== undefined ? `default ${o.default}` : ''].filter(Boolean).join('; ');
    lines.push(`  ${labels[i]!.padEnd(width)}  ${o.help}${extra ? ` (${extra})` : ''}`);
  });
  if (spec.env && spec.env.length > 0) {
    lines.push('', 'environment:');
    const w = spec.env.reduce((m, [k]) => Math.max(m, k.length), 0);
    for (const [k, v] of spec.env) lines.push(`  ${k.padEnd(w)}  ${v}`);
  }
  if (spec.notes && spec.notes.length > 0) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** A whole number in [min, max] from a flag, or a usage error naming the flag. */
export function intFlag(command: string, flag: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${command}: --${flag} takes a whole number ${range}, not ${JSON.stringify(raw)}`);
  }
  return n;
}
