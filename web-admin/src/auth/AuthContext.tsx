// Who is signed in and what they may do: adminGetMe (profile, role) and adminListRoles (the
// role → permission table). Screens ask `can(permission)`; navigation comes from lib/nav;
// write actions go through `useWriteGate` (TOTP first).

import type { AdminMe, RoleMatrix } from '@helium/sdk';
import { createContext, useCallback, useContext } from 'react';
import { allowed } from '../lib/nav';
import { requestMfa } from './mfaPrompt';

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

/**
 * Runs a write action — or, while the signed-in account has no TOTP, asks to turn it on first
 * (the server refuses every change but self-service with 403 mfa_required until then).
 */
export function useWriteGate(): (action: () => void) => void {
    const { me } = useAuth();
    return useCallback(
        (action: () => void) => {
            if (me.mfaEnabled) action();
            else requestMfa();
        },
        [me.mfaEnabled],
    );
}
