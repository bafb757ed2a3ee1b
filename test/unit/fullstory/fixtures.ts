// A small, hand-written Fullstory org. The expected rows in the tests are worked out from each mode's
// mapping rules (lambdas/fullstory/README.md), not from the connector's output.
import type { FullstoryTenant } from '../../../lambdas/fullstory/sim/tenant.ts';

export const FIXED_TENANT: FullstoryTenant = {
  seats: [
    {
      id: 's-001',
      userName: 'alice@acme.test',
      displayName: 'Alice Archer',
      name: { givenName: 'Alice', familyName: 'Archer' },
      emails: [{ value: 'alice@acme.test', primary: true, type: 'work' }],
      active: true,
    },
    {
      // Inactive; the primary address is not the first one.
      id: 's-002',
      userName: 'bob@acme.test',
      name: { givenName: 'Bob', familyName: 'Baker' },
      emails: [
        { value: 'bob.work@acme.test', type: 'work' },
        { value: 'bob@acme.test', primary: true, type: 'home' },
      ],
      active: false,
    },
    {
      // No emails, no name, empty displayName, a userName that is not an address.
      id: 's-003',
      userName: 'carol',
      displayName: '',
      active: true,
    },
    {
      // Only non-primary emails.
      id: 's-004',
      userName: 'dan@acme.test',
      displayName: 'Dan D.',
      emails: [
        { value: 'dan@home.test', primary: false, type: 'home' },
        { value: 'dan@acme.test', type: 'work' },
      ],
      active: true,
    },
    {
      // Only a given name.
      id: 's-005',
      userName: 'erin@acme.test',
      name: { givenName: 'Erin' },
      emails: [{ value: 'erin@acme.test', primary: true }],
      active: true,
    },
    {
      // No `active` at all.
      id: 's-006',
      userName: 'frank@acme.test',
      displayName: 'Frank Fisher',
      emails: [{ value: 'frank@acme.test', primary: true }],
    },
    {
      // Nothing but an id.
      id: 's-007',
      active: true,
    },
  ],
  endUsers: [
    {
      id: '987654321',
      uid: 'xyz123',
      display_name: 'Daniel Falko',
      email: 'daniel.falko@example.com',
      is_being_deleted: false,
      properties: { pricing_plan: 'paid' },
    },
    { id: '1002', uid: '', display_name: 'Anonymous Visitor', email: 'anon@example.com', is_being_deleted: false },
    { id: '1003', uid: 'u-3', display_name: 'No Email', email: '', is_being_deleted: false },
    { id: '1004', uid: 'u-4', display_name: '', email: 'nameless@example.com', is_being_deleted: false },
    { id: '1005', uid: 'u-5', display_name: 'Leaving Larry', email: 'larry@example.com', is_being_deleted: true },
  ],
};

export interface Row {
  type: string;
  id: string;
  displayName: string;
  emails: { address: string; primary: boolean }[];
  login: string;
  status: 'ENABLED' | 'DISABLED';
  accountType: 'HUMAN';
  profile: Record<string, string>;
}

export const EXPECTED_SCIM_ROWS: Row[] = [
  {
    type: 'user',
    id: 's-001',
    displayName: 'Alice Archer',
    emails: [{ address: 'alice@acme.test', primary: true }],
    login: 'alice@acme.test',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Alice Archer', first_name: 'Alice', last_name: 'Archer', scim_id: 's-001', user_name: 'alice@acme.test' },
  },
  {
    type: 'user',
    id: 's-002',
    displayName: 'Bob Baker',
    emails: [{ address: 'bob@acme.test', primary: true }],
    login: 'bob@acme.test',
    status: 'DISABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Bob Baker', first_name: 'Bob', last_name: 'Baker', scim_id: 's-002', user_name: 'bob@acme.test' },
  },
  {
    type: 'user',
    id: 's-003',
    displayName: 'carol',
    emails: [{ address: 'carol', primary: false }],
    login: 'carol',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'carol', scim_id: 's-003', user_name: 'carol' },
  },
  {
    type: 'user',
    id: 's-004',
    displayName: 'Dan D.',
    emails: [{ address: 'dan@home.test', primary: false }],
    login: 'dan@acme.test',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Dan D.', scim_id: 's-004', user_name: 'dan@acme.test' },
  },
  {
    type: 'user',
    id: 's-005',
    displayName: 'erin@acme.test',
    emails: [{ address: 'erin@acme.test', primary: true }],
    login: 'erin@acme.test',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'erin@acme.test', first_name: 'Erin', scim_id: 's-005', user_name: 'erin@acme.test' },
  },
  {
    type: 'user',
    id: 's-006',
    displayName: 'Frank Fisher',
    emails: [{ address: 'frank@acme.test', primary: true }],
    login: 'frank@acme.test',
    status: 'DISABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Frank Fisher', scim_id: 's-006', user_name: 'frank@acme.test' },
  },
  {
    type: 'user',
    id: 's-007',
    displayName: '',
    emails: [],
    login: '',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: '', scim_id: 's-007', user_name: '' },
  },
];

export const EXPECTED_API_ROWS: Row[] = [
  {
    type: 'user',
    id: '987654321',
    displayName: 'Daniel Falko',
    emails: [{ address: 'daniel.falko@example.com', primary: true }],
    login: '',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Daniel Falko', user_id: '987654321', user_uid: 'xyz123' },
  },
  {
    type: 'user',
    id: '1002',
    displayName: 'Anonymous Visitor',
    emails: [{ address: 'anon@example.com', primary: true }],
    login: '',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Anonymous Visitor', user_id: '1002', user_uid: '' },
  },
  {
    type: 'user',
    id: '1003',
    displayName: 'No Email',
    emails: [],
    login: '',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'No Email', user_id: '1003', user_uid: 'u-3' },
  },
  {
    type: 'user',
    id: '1004',
    displayName: '',
    emails: [{ address: 'nameless@example.com', primary: true }],
    login: '',
    status: 'ENABLED',
    accountType: 'HUMAN',
    profile: { display_name: '', user_id: '1004', user_uid: 'u-4' },
  },
  {
    type: 'user',
    id: '1005',
    displayName: 'Leaving Larry',
    emails: [{ address: 'larry@example.com', primary: true }],
    login: '',
    status: 'DISABLED',
    accountType: 'HUMAN',
    profile: { display_name: 'Leaving Larry', user_id: '1005', user_uid: 'u-5' },
  },
];
