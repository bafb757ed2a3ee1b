// A small Okta org written by hand: every user status, a BUILT_IN, an Okta, an empty and an
// APP_GROUP group, group-held standard and custom roles (one inactive), admins with direct roles,
// an active and an inactive app, a custom role bound on a resource set to a user, a group and a
// member that is neither.
import { generateTenant, type OktaTenant, type SimRole } from '../../../lambdas/okta/sim/index.ts';

const role = (id: string, type: string, assignmentType: 'USER' | 'GROUP', extra: Partial<SimRole> = {}): SimRole => ({
  id,
  type,
  label: type,
  status: 'ACTIVE',
  assignmentType,
  ...extra,
});

export function fixedTenant(): OktaTenant {
  // Credentials (SSWS token, the OAuth app and its key) from the generator; the org by hand.
  const base = generateTenant({ seed: 7, users: 1, groups: 0, apps: 0, admins: 0, customRoles: 0, resourceSets: 0 });
  const at = '2024-03-01T10:00:00.000Z';
  const u = (id: string, status: string, profile: Record<string, unknown>, lastLogin: string | null = null) => ({
    id,
    status,
    created: at,
    lastLogin,
    profile,
  });
  return {
    ...base,
    users: [
      u(
        '00u1',
        'ACTIVE',
        { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', login: 'ada@acme.test', secondEmail: 'ada@home.test', employeeNumber: '1001' },
        '2026-11-30T08:00:00.000Z',
      ),
      u('00u2', 'SUSPENDED', { firstName: 'Grace', lastName: 'Hopper', email: 'grace@acme.test', login: 'grace', displayName: 'Grace H.', employee_id: 'E-2' }),
      u('00u3', 'DEPROVISIONED', { firstName: 'Alan', lastName: 'Turing', email: 'alan@partner.test', login: 'alan@partner.test' }),
      u('00u4', 'STAGED', { login: 'odd@login@test' }),
      u('00u5', 'PROVISIONED', { firstName: 'Barbara', lastName: 'Liskov', email: 'barbara@acme.test', login: 'barbara@acme.test' }),
      u('00u6', 'LOCKED_OUT', { firstName: 'Ken', lastName: 'Thompson', email: 'ken@acme.test', login: 'ken@acme.test' }),
    ],
    groups: [
      {
        id: '00g1',
        type: 'BUILT_IN',
        name: 'Everyone',
        description: 'All users in your organization',
        members: ['00u1', '00u2', '00u3', '00u4', '00u5', '00u6'],
        roles: [],
      },
      {
        id: '00g2',
        type: 'OKTA_GROUP',
        name: 'Engineers',
        description: null,
        members: ['00u1', '00u2'],
        roles: [
          role('gra1', 'USER_ADMIN', 'GROUP'),
          role('gra2', 'CUSTOM', 'GROUP', { label: 'Helpdesk lite', role: 'cr01', resourceSet: 'iam1' }),
          role('gra3', 'REPORT_ADMIN', 'GROUP', { status: 'INACTIVE' }),
        ],
      },
      { id: '00g3', type: 'OKTA_GROUP', name: 'Empty', description: 'nobody', members: [], roles: [role('gra4', 'APP_ADMIN', 'GROUP')] },
      { id: '00g4', type: 'APP_GROUP', name: 'AD push', description: null, members: ['00u5'], roles: [] },
    ],
    apps: [
      {
        id: '0oa1',
        label: 'Salesforce',
        status: 'ACTIVE',
        signOnMode: 'SAML_2_0',
        users: [
          { id: '00u1', scope: 'USER' },
          { id: '00u2', scope: 'GROUP' },
        ],
        groups: ['00g2'],
      },
      { id: '0oa2', label: 'Legacy', status: 'INACTIVE', signOnMode: 'BOOKMARK', users: [{ id: '00u3', scope: 'USER' }], groups: [] },
    ],
    adminRoles: new Map([
      ['00u1', [role('ra1', 'SUPER_ADMIN', 'USER'), role('ra2', 'ORG_ADMIN', 'USER', { status: 'INACTIVE' })]],
      ['00u5', [role('ra3', 'CUSTOM', 'USER', { label: 'Helpdesk lite', role: 'cr01', resourceSet: 'iam1' }), role('ra4', 'WORKFLOWS_ADMIN', 'USER')]],
    ]),
    customRoles: [{ id: 'cr01', label: 'Helpdesk lite', description: 'Reset passwords' }],
    resourceSets: [
      {
        id: 'iam1',
        label: 'Support scope',
        description: 'Users of support',
        bindings: [
          {
            role: 'cr01',
            members: [
              { id: 'irb1', href: 'https://sim.okta.test/api/v1/users/00u5' },
              { id: 'irb2', href: 'https://sim.okta.test/api/v1/groups/00g2' },
              { id: 'irb3', href: 'https://sim.okta.test/api/v1/apps/0oa1' },
            ],
          },
        ],
      },
    ],
    apiTokens: [
      {
        id: '00T1',
        name: 'CI token',
        userId: '00u1',
        created: '2025-01-02T03:04:05.000Z',
        lastUpdated: '2026-11-01T00:00:00.000Z',
        expiresAt: '2027-01-02T03:04:05.000Z',
      },
    ],
  };
}
