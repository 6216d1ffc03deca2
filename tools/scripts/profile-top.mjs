#!/usr/bin/env node
// Summarises V8 CPU profiles (written by `npm run bench -- --profile` into reports/profiles): self time by
// package or source area, and the hottest functions. Usage: node tools/scripts/profile-top.mjs reports/profiles/*.cpuprofile
import { readFileSync } from 'node:fs';
import path from 'node:path';

const top = (map, n) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
const area = (url) => {
  if (!url) return '(native / idle / gc)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 6).split('/').slice(0, 3).join('/') : url;
};

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const byArea = new Map();
  const byFn = new Map();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    busy += us / 1000;
    const a = functionName === '(garbage collector)' ? '(gc)' : area(url);
    byArea.set(a, (byArea.get(a) ?? 0) + us / 1000);
    const key = `${functionName || '(anonymous)'} ${url ? path.basename(url) + ':' + (lineNumber + 1) : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us / 1000);
  }
  console.log(`\n## ${path.basename(file)}: ${busy.toFixed(0)} ms on CPU of ${total.toFixed(0)} ms (${((100 * busy) / total).toFixed(0)} %)`);
  console.log('by area:');
  for (const [k, ms] of top(byArea, 15)) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${k}`);
  console.log('hottest functions:');
  for (const [k, ms] of top(byFn, 15)) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${k}`);
}
