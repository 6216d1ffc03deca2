/* Each service's README is what another team reads before calling it: the commands, events and collections it names
 * are the ones the code has, and every command the service answers is named. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Events, Rpc } from '@wellifiy/contracts';

const ROOT = path.resolve(__dirname, '../..');
const SERVICES = ['channels', 'messages', 'notifications', 'activation-rules'] as const;
const RPC_NAMES: string[] = Object.values(Rpc);
const EVENT_NAMES: string[] = Object.values(Events);

const readme = (service: string): string => readFileSync(path.join(ROOT, 'apps', service, 'README.md'), 'utf8');

/** The text of a README's top-level bullet that starts with `- **<title>**`, up to the next one, a heading or a blank line. */
function bullet(text: string, title: string): string {
  const start = text.indexOf(`- **${title}**`);
  if (start < 0) return '';
  const rest = text.slice(start + 1);
  const end = rest.search(/\n(- \*\*|#|\n)/);
  return end < 0 ? rest : rest.slice(0, end);
}

const backticked = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

/** `channel.created|updated|member.added` → channel.created, channel.updated, channel.member.added. */
function expandEvents(token: string): string[] {
  const [first, ...alternatives] = token.split('|');
  const prefix = first.slice(0, first.indexOf('.') + 1);
  return [first, ...alternatives.map((a) => prefix + a)];
}

const EVENT_LIKE = /^[a-z]+(-[a-z]+)*\.[a-z]+([.-][a-z]+)*(\|[a-z.-]+)*$/;

/** String literals of the service's source and of the libraries the collections of every service come from. */
function sourceLiterals(dirs: string[]): Set<string> {
  const literals = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name))
        for (const m of readFileSync(full, 'utf8').matchAll(/['"`]([a-z][a-z_.]*)['"`]/g)) literals.add(m[1]);
    }
  };
  dirs.forEach((d) => walk(path.join(ROOT, d)));
  return literals;
}

describe.each(SERVICES)('apps/%s/README.md', (service) => {
  const text = readme(service);

  it('names only commands the service has, and every one it answers', () => {
    const named = backticked(text)
      .flatMap((t) => t.split(/\s+\/\s+/))
      .map((t) => (/^\.[a-z]/.test(t) ? `${service}${t}` : t))
      .filter((t) => t.startsWith(`${service}.`) && !/\s|\.(md|ts|json|ya?ml|example)$/.test(t));
    expect(named.filter((n) => !RPC_NAMES.includes(n))).toEqual([]);
    expect(RPC_NAMES.filter((n) => n.startsWith(`${service}.`) && !named.includes(n))).toEqual([]);
  });

  it('names only events that exist where it says what it consumes and emits', () => {
    const named = [bullet(text, 'Consumes'), bullet(text, 'Emits')]
      .flatMap(backticked)
      .filter((t) => EVENT_LIKE.test(t) && !t.startsWith('wellifiy.') && !RPC_NAMES.includes(t))
      .flatMap(expandEvents);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !EVENT_NAMES.includes(n))).toEqual([]);
  });

  it('names only collections the service uses in its Data list', () => {
    const data = bullet(text, 'Data');
    const named = backticked(data.slice(data.indexOf(':'))).filter((t) => /^[a-z]+([._][a-z]+)*$/.test(t));
    expect(named.length).toBeGreaterThan(0);
    const literals = sourceLiterals([`apps/${service}/src`, 'libs/persistence/src', 'libs/messaging/src']);
    expect(named.filter((n) => !literals.has(n))).toEqual([]);
  });
});
