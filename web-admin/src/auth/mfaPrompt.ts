// "Turn on two-factor sign-in first": every human staff account needs TOTP before any change
// (the server answers 403 mfa_required otherwise). Screens ask before a write (useWriteGate);
// a 403 mfa_required from the server raises the same prompt (api/client.ts). The prompt
// itself is <MfaPrompt> in the layout.

export const MFA_PROMPT_EVENT = 'helium:mfa-required';

export function requestMfa(): void {
    window.dispatchEvent(new Event(MFA_PROMPT_EVENT));
}

export function onMfaRequested(cb: () => void): () => void {
    window.addEventListener(MFA_PROMPT_EVENT, cb);
    return () => window.removeEventListener(MFA_PROMPT_EVENT, cb);
}
