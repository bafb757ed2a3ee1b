// A small hand-written Segment workspace. The expected ids below were worked out by hand from the
// Go connector's rules (ids, keyword rules, snake_case slugs) and the README's bug fixes, not from
// the connector's output.
import type { SegmentTenant } from '../../../lambdas/segment/sim/index.ts';

const ws = { id: 'ws1', type: 'WORKSPACE' };

export function fixedTenant(): SegmentTenant {
  return {
    token: 'sgp_fixture_token_0123456789',
    workspace: { id: 'ws1', name: 'Acme', slug: 'acme' },
    roles: [
      { id: 'r-owner', name: 'Workspace Owner', description: 'Everything' },
      { id: 'r-member', name: 'Workspace Member', description: 'Per resource' },
      { id: 'r-srcadmin', name: 'Source Admin', description: 'Edit sources' },
      { id: 'r-srcro', name: 'Source Read-only', description: 'Read sources' },
      { id: 'r-wh', name: 'Warehouse Admin', description: 'Edit warehouses' },
      { id: 'r-fn', name: 'Functions Admin', description: 'Edit functions' },
      { id: 'r-engage', name: 'Engage User', description: 'Use spaces' },
      { id: 'r-space', name: 'Space Observer', description: 'Not an Engage role' },
      { id: 'r-both', name: 'Source Function Editor', description: 'Source functions' },
      { id: 'r-snake', name: 'JSONSource Viewer2', description: 'Slug rules' },
      // snake_case collides with "Source Admin": gets its id appended.
      { id: 'r-dup', name: 'Source admin', description: 'Colliding name' },
    ],
    sources: [
      { id: 'src1', name: 'Web' },
      { id: 'src2', name: 'iOS' },
    ],
    warehouses: [{ id: 'wh1', name: 'Snowflake Prod' }],
    functions: [
      { id: 'fnD', displayName: 'Enrich', kind: 'DESTINATION' },
      { id: 'fnI', displayName: 'Filter', kind: 'INSERT_DESTINATION' },
      { id: 'fnS', displayName: 'Webhook In', kind: 'SOURCE' },
    ],
    spaces: [{ id: 'sp1', name: 'Marketing' }],
    users: [
      {
        id: 'u1',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        permissions: [
          { roleId: 'r-owner', roleName: 'Workspace Owner', resources: [ws] },
          {
            roleId: 'r-srcadmin',
            roleName: 'Source Admin',
            resources: [
              { id: 'src1', type: 'SOURCE' },
              { id: 'src2', type: 'SOURCE' },
            ],
          },
          // Same role and resource again: one grant.
          { roleId: 'r-srcadmin', roleName: 'Source Admin', resources: [{ id: 'src1', type: 'SOURCE' }] },
        ],
      },
      {
        id: 'u2',
        name: 'Grace Brewster Hopper',
        email: 'grace@example.com',
        permissions: [
          { roleId: 'r-member', roleName: 'Workspace Member', resources: [ws] },
          {
            roleId: 'r-wh',
            roleName: 'Warehouse Admin',
            resources: [{ id: 'wh1', type: 'WAREHOUSE', labels: [{ key: 'env', value: 'prod' }] }],
            labels: [{ key: 'env', value: 'prod', description: 'production only' }],
          },
          { roleId: 'r-engage', roleName: 'Engage User', resources: [{ id: 'sp1', type: 'SPACE' }] },
          { roleId: 'r-fn', roleName: 'Functions Admin', resources: [{ id: 'fnI', type: 'FUNCTION' }] },
        ],
      },
      {
        id: 'u3',
        name: 'Plato',
        email: '',
        permissions: [
          { roleId: 'r-member', roleName: 'Workspace Member', resources: [ws] },
          // Role name lacks "Engage": no such entitlement, so no grant.
          { roleId: 'r-space', roleName: 'Space Observer', resources: [{ id: 'sp1', type: 'SPACE' }] },
          // Role not in GET /roles: no entitlement, no grant.
          { roleId: 'r-gone', roleName: 'Deleted Role', resources: [{ id: 'src1', type: 'SOURCE' }] },
          {
            roleId: 'r-both',
            roleName: 'Source Function Editor',
            resources: [
              { id: 'fnS', type: 'FUNCTION' },
              { id: 'src2', type: 'SOURCE' },
            ],
          },
        ],
      },
    ],
    groups: [
      {
        id: 'g1',
        name: 'Admins',
        memberIds: ['u1', 'u2'],
        permissions: [
          { roleId: 'r-owner', roleName: 'Workspace Owner', resources: [ws] },
          { roleId: 'r-srcro', roleName: 'Source Read-only', resources: [{ id: 'src2', type: 'SOURCE' }] },
        ],
      },
      {
        id: 'g2',
        name: 'Everyone',
        memberIds: ['u1', 'u2', 'u3'],
        permissions: [
          { roleId: 'r-engage', roleName: 'Engage User', resources: [{ id: 'sp1', type: 'SPACE' }] },
          { roleId: 'r-dup', roleName: 'Source admin', resources: [{ id: 'src1', type: 'SOURCE' }] },
        ],
      },
    ],
  };
}

export const EXPECTED_RESOURCES = [
  'workspace:ws1',
  'user:u1',
  'user:u2',
  'user:u3',
  'group:g1',
  'group:g2',
  ...['r-owner', 'r-member', 'r-srcadmin', 'r-srcro', 'r-wh', 'r-fn', 'r-engage', 'r-space', 'r-both', 'r-snake', 'r-dup'].map((r) => `role:${r}`),
  'source:src1',
  'source:src2',
  'warehouse:wh1',
  'function:fnD',
  'function:fnI',
  'function:fnS',
  'space:sp1',
].sort();

const SOURCE_SLUGS = ['source_admin', 'source_read_only', 'source_function_editor', 'json_source_viewer_2', 'source_admin_r-dup'];
const FUNCTION_SLUGS = ['functions_admin', 'source_function_editor'];

export const EXPECTED_ENTITLEMENTS = [
  'workspace:ws1:member',
  'group:g1:member',
  'group:g2:member',
  ...['r-owner', 'r-member', 'r-srcadmin', 'r-srcro', 'r-wh', 'r-fn', 'r-engage', 'r-space', 'r-both', 'r-snake', 'r-dup'].map((r) => `role:${r}:member`),
  ...['src1', 'src2'].flatMap((s) => SOURCE_SLUGS.map((slug) => `source:${s}:${slug}`)),
  'warehouse:wh1:warehouse_admin',
  ...['fnD', 'fnI', 'fnS'].flatMap((f) => FUNCTION_SLUGS.map((slug) => `function:${f}:${slug}`)),
  'space:sp1:engage_user',
].sort();

export const EXPECTED_GRANTS = [
  'workspace:ws1:member:user:u1',
  'workspace:ws1:member:user:u2',
  'workspace:ws1:member:user:u3',
  'role:r-owner:member:user:u1',
  'source:src1:source_admin:user:u1',
  'source:src2:source_admin:user:u1',
  'role:r-member:member:user:u2',
  'warehouse:wh1:warehouse_admin:user:u2',
  'space:sp1:engage_user:user:u2',
  'function:fnI:functions_admin:user:u2',
  'role:r-member:member:user:u3',
  'function:fnS:source_function_editor:user:u3',
  'source:src2:source_function_editor:user:u3',
  'group:g1:member:user:u1',
  'group:g1:member:user:u2',
  'role:r-owner:member:group:g1',
  'source:src2:source_read_only:group:g1',
  'group:g2:member:user:u1',
  'group:g2:member:user:u2',
  'group:g2:member:user:u3',
  'space:sp1:engage_user:group:g2',
  'source:src1:source_admin_r-dup:group:g2',
].sort();
