#!/usr/bin/env node
// Mints an access token for local use: npm run token -- --user tm_1 --kind team_member --org org_1 [--perms messaging:manage,settings:manage,audit:read] [--ttl 3600]
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { DEV_JWT_SECRET } from './dev-env.mjs';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    kind: { type: 'string', default: 'team_member' },
    org: { type: 'string', default: 'org_1' },
    perms: { type: 'string', default: '' },
    ttl: { type: 'string', default: '3600' },
  },
});
if (!values.user || !['team_member', 'patient'].includes(values.kind)) {
  console.error('usage: npm run token -- --user <id> [--kind team_member|patient] [--org <orgId>] [--perms a,b] [--ttl seconds]');
  process.exit(2);
}
const perms = values.perms.split(',').map((p) => p.trim()).filter(Boolean);
const token = jwt.sign({ sub: values.user, org: values.org, kind: values.kind, perms }, DEV_JWT_SECRET, {
  algorithm: 'HS256',
  expiresIn: Number(values.ttl),
});
process.stdout.write(`${token}\n`);
