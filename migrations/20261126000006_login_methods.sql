-- E-mail code sign-in is a login method the user may turn off (when another one remains).
ALTER TABLE auth.users ADD COLUMN email_code_enabled BOOLEAN NOT NULL DEFAULT true;
