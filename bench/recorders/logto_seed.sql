insert into resources (tenant_id, id, name, indicator) values
  ('default', 'rdefmapi', 'Logto Management API', 'https://default.logto.app/api'),
  ('admin', 'radmdef', 'Logto Management API for tenant default', 'https://default.logto.app/api'),
  ('admin', 'radmadm', 'Logto Management API for tenant admin', 'https://admin.logto.app/api'),
  ('admin', 'rcloud', 'Logto Cloud API', 'https://cloud.logto.io/api'),
  ('admin', 'rme', 'Logto Me API', 'https://profile.logto.io/api');
insert into scopes (tenant_id, id, resource_id, name, description) values
  ('default', 'sdefall', 'rdefmapi', 'all', 'Default scope for Management API, allows all permissions.'),
  ('admin', 'sadmdefall', 'radmdef', 'all', 'Default scope for Management API, allows all permissions.'),
  ('admin', 'sadmadmall', 'radmadm', 'all', 'Default scope for Management API, allows all permissions.'),
  ('admin', 'scloudcreate', 'rcloud', 'create:tenant', 'Allow creating new tenants.'),
  ('admin', 'scloudmanage', 'rcloud', 'manage:tenant', 'Allow managing existing tenants.'),
  ('admin', 'smeall', 'rme', 'all', 'Default scope for Me API, allows all permissions.');
insert into roles (tenant_id, id, name, description) values
  ('default', 'rodefint', '#internal:admin', 'Internal admin role for Logto tenant default.'),
  ('admin', 'rouser', 'user', 'Default role for admin tenant.'),
  ('admin', 'rodefadmin', 'default:admin', 'Admin role for Logto tenant default.'),
  ('admin', 'roadmadmin', 'admin:admin', 'Admin role for Logto tenant admin.');
insert into roles_scopes (tenant_id, id, role_id, scope_id) values
  ('default', 'rs1', 'rodefint', 'sdefall'),
  ('admin', 'rs2', 'rouser', 'smeall'),
  ('admin', 'rs3', 'rouser', 'scloudcreate'),
  ('admin', 'rs4', 'rodefadmin', 'sadmdefall'),
  ('admin', 'rs5', 'roadmadmin', 'sadmadmall');
insert into logto_configs (tenant_id, key, value) values
  ('default', 'adminConsole', '{"language": "en", "appearanceMode": "system", "livePreviewChecked": false, "applicationCreated": false, "signInExperienceCustomized": false, "passwordlessConfigured": false, "selfHostingChecked": false, "communityChecked": false, "m2mApplicationCreated": false}'),
  ('admin', 'adminConsole', '{"language": "en", "appearanceMode": "system", "livePreviewChecked": false, "applicationCreated": false, "signInExperienceCustomized": false, "passwordlessConfigured": false, "selfHostingChecked": false, "communityChecked": false, "m2mApplicationCreated": false}'),
  ('default', 'oidc.privateKeys', '["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]'),
  ('admin', 'oidc.privateKeys', '["-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n"]'),
  ('default', 'oidc.cookieKeys', '["cookiekeydefault"]'),
  ('admin', 'oidc.cookieKeys', '["cookiekeyadmin"]');
insert into applications (tenant_id, id, name, secret, type, oidc_client_metadata) values
  ('admin', 'admin-console', 'Admin Console', 'secret', 'SPA', '{"redirectUris": [], "postLogoutRedirectUris": []}');
insert into roles (tenant_id, id, name, description) values
  ('admin', 'rotenantapp', 'tenantApplication', 'The role for the tenants'' applications.');
insert into applications (tenant_id, id, name, secret, type, oidc_client_metadata) values
  ('admin', 'm2mcloud', 'Cloud Service', 'secret2', 'MachineToMachine', '{"redirectUris": [], "postLogoutRedirectUris": []}');
insert into applications_roles (tenant_id, id, application_id, role_id) values
  ('admin', 'ar1', 'm2mcloud', 'rotenantapp');
