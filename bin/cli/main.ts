// baton-serverless: parses the command line against the one definition of each command
// (commands.ts), runs it, and turns every failure into one line and an exit code:
// 0 done (also when the reader of stdout went away), 1 failed, 2 wrong usage, 130/143 interrupted.
import { existsSync, readFileSync } from 'node:fs';
import { COMMANDS, findCommand, type Io } from './commands.ts';
import { describeFailure } from './failure.ts';
import { Output, PipeClosed } from './output.ts';
import { printableLines } from './printable.ts';
import { helpText, parseCommand } from './spec.ts';
import { UsageError } from './usage.ts';

export function version(): string {
  // bin/cli/ in the repository, dist/bin/cli/ in the package: the package's own package.json either way.
  const candidates = ['../../package.json', '../../../package.json'].map((p) => new URL(p, import.meta.url));
  const file = candidates.find((url) => existsSync(url) && (JSON.parse(readFileSync(url, 'utf8')) as { name?: string }).name === 'baton-serverless');
  const pkg = JSON.parse(readFileSync(file ?? candidates[0]!, 'utf8')) as { version: string };
  return `baton-serverless ${pkg.version} (node ${process.version})`;
}

export function generalHelp(): string {
  const width = COMMANDS.reduce((w, c) => Math.max(w, c.spec.name.length), 0);
  return [
    'baton-serverless: Baton-style identity syncs to c1z, without servers',
    '',
    'usage: baton-serverless <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'help for one command: baton-serverless <command> --help (or: baton-serverless help <command>)',
    'exit codes: 0 done, 1 failed, 2 wrong usage, 130 interrupted (Ctrl-C), 143 terminated',
    'version: baton-serverless --version',
  ].join('\n');
}

export async function main(argv: string[], given: Io = { out: new Output(), err: (s) => process.stderr.write(`${s}\n`) }): Promise<number> {
  // Messages echo arguments and app answers: no control character reaches the terminal raw.
  const io: Io = { out: given.out, err: (s) => given.err(printableLines(s)) };
  const [command, ...rest] = argv;
  const say = async (text: string) => {
    await io.out.line(text);
    await io.out.flush();
  };
  try {
    if (command === undefined) {
      io.err(generalHelp());
      return 2;
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      await say(version());
      return 0;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      const topic = rest[0];
      if (topic === undefined) await say(generalHelp());
      else {
        const found = findCommand(topic);
        if (!found) throw new UsageError(`help: unknown command ${JSON.stringify(topic)}; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}`);
        await say(helpText(found.spec));
      }
      return 0;
    }
    const found = findCommand(command);
    if (!found)
      throw new UsageError(
        `unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}\nrun \`baton-serverless --help\` for details`,
      );
    const parsed = parseCommand(found.spec, rest);
    if (parsed.help) {
      await say(helpText(found.spec));
      return 0;
    }
    await (await found.run())(parsed, io, found.spec.name);
    await io.out.flush();
    return 0;
  } catch (e) {
    if (e instanceof PipeClosed) return 0;
    if (e instanceof UsageError) {
      io.err(`baton-serverless: ${e.message}`);
      return 2;
    }
    const failure = describeFailure(e);
    for (const line of failure.lines) io.err(line);
    return failure.exitCode;
  }
}
