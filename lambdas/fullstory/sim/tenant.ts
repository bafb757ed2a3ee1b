// A Fullstory org as the simulator serves it: SCIM seats (teammates) and captured end-users (the
// server API v2 population). Records are raw wire objects so fixtures can omit fields the way the
// real API may.
import { rng } from '../../../shared/sim/kit.ts';

export interface ScimEmail {
  value: string;
  primary?: boolean;
  type?: string;
}

export interface ScimUser {
  id: string;
  userName?: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string };
  emails?: ScimEmail[];
  active?: boolean;
}

export interface EndUser {
  id: string;
  uid: string;
  display_name: string;
  email: string;
  is_being_deleted: boolean;
  properties?: Record<string, string>;
}

export interface FullstoryTenant {
  seats: ScimUser[];
  endUsers: EndUser[];
}

const GIVEN = ['Ada', 'Bram', 'Chen', 'Dalia', 'Emeka', 'Freya', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Mira', 'Nils', 'Oona', 'Priya'];
const FAMILY = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Berg', 'Costa', 'Ivanova', 'Reyes'];

/**
 * A deterministic org of `users` seats and as many captured end-users. The first seats and end-users
 * are the edge cases the Go connector meets (inactive, no emails, only non-primary emails, only a given name, no
 * `active`; empty uid/email/display name, being deleted), the rest are ordinary.
 */
export function generateTenant(options: { seed?: number; users?: number } = {}): FullstoryTenant {
  const n = Math.max(0, options.users ?? 25);
  const rand = rng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rand() * 16).toString(16)).join('');

  const seats: ScimUser[] = [];
  for (let i = 0; i < n; i++) {
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    const userName = `${given}.${family}.${i}@acme.example`.toLowerCase();
    const base: ScimUser = {
      // The index in the last group keeps ids unique at any tenant size.
      id: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${i.toString(16).padStart(12, '0')}`,
      userName,
      displayName: `${given} ${family}`,
      name: { givenName: given, familyName: family },
      emails: [{ value: userName, primary: true, type: 'work' }],
      active: rand() > 0.1,
    };
    switch (i) {
      case 0:
        base.active = false;
        break;
      case 1:
        delete base.emails;
        delete base.displayName;
        break;
      case 2:
        base.emails = [
          { value: `${given}@home.example`.toLowerCase(), primary: false, type: 'home' },
          { value: userName, type: 'work' },
        ];
        break;
      case 3:
        delete base.displayName;
        base.name = { givenName: given };
        break;
      case 4:
        delete base.active;
        break;
    }
    seats.push(base);
  }

  const endUsers: EndUser[] = [];
  for (let i = 0; i < n; i++) {
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    const user: EndUser = {
      // Stride 1009 with a jitter below it: random-looking yet unique.
      id: String(4_000_000_000 + i * 1009 + Math.floor(rand() * 1000)),
      uid: `cust-${hex(6)}`,
      display_name: `${given} ${family}`,
      email: `${given}.${family}.${i}@shopper.example`.toLowerCase(),
      is_being_deleted: false,
      properties: { pricing_plan: pick(['free', 'paid', 'trial']) },
    };
    if (i === 0) user.uid = '';
    if (i === 1) user.email = '';
    if (i === 2) user.display_name = '';
    if (i === 3) user.is_being_deleted = true;
    endUsers.push(user);
  }
  return { seats, endUsers };
}
