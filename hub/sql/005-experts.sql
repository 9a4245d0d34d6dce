-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 5: experts (issue 16).  An expert serves the
-- remote-service booths of one provider at every site from /hub/expert: the
-- role 'expert', with its provider like a provider-manager's.

ALTER TABLE hub_users DROP CONSTRAINT hub_users_role_check;
ALTER TABLE hub_users ADD CONSTRAINT hub_users_role_check
	CHECK (role IN ('admin', 'manager', 'technician', 'provider-manager', 'expert'));
ALTER TABLE hub_users DROP CONSTRAINT hub_users_check;
ALTER TABLE hub_users ADD CONSTRAINT hub_users_check
	CHECK ((role IN ('provider-manager', 'expert')) = (provider IS NOT NULL));
