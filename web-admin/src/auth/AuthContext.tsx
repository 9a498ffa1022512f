// Who is signed in and what they may do: adminGetMe (profile, role) and adminListRoles (the
// role → permission table). Screens ask `can(permission)`; navigation comes from lib/nav.

import type { AdminMe, RoleMatrix } from '@helium/sdk';
import { createContext, useContext } from 'react';
import { allowed } from '../lib/nav';

export interface Auth {
    me: AdminMe;
    roles: RoleMatrix;
    permissions: ReadonlySet<string>;
    can: (permission: string) => boolean;
    signOut: () => Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
    const v = useContext(AuthContext);
    if (!v) throw new Error('useAuth outside a signed-in screen');
    return v;
}

export function makeCan(permissions: ReadonlySet<string>) {
    return (permission: string) => allowed(permissions, permission);
}
