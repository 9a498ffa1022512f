-- Every staff member needs TOTP before writing, whatever the role: the per-role setting is
-- gone (an operator reading it would believe it still chose who needs MFA).
UPDATE application__config SET value = value - 'mfa_required_roles', version = version + 1, updated_at = now()
 WHERE key = 'admin-jwt' AND value ? 'mfa_required_roles';
