-- The two idempotent inserts of one daily check-in (CheckInService + PointsEngine), each its own commit like the
-- gateway's. Runs against copies of check_ins / point_entries (same columns and indexes) in a scratch schema.
\set m random(1, 2000000000)
INSERT INTO check_ins (id, member_id, day, streak, checked_in_at)
  VALUES (gen_random_uuid(), md5(:m::text)::uuid, CURRENT_DATE, 1, now())
  ON CONFLICT (member_id, day) DO NOTHING;
INSERT INTO point_entries (id, member_id, action, source_key, points_tenths, rule_id, occurred_at, organization_path, note)
  VALUES (gen_random_uuid(), md5(:m::text)::uuid, 'checkin', 'checkin:' || CURRENT_DATE, 10, gen_random_uuid(), now(), '/bench/branch/', NULL)
  ON CONFLICT (member_id, action, source_key) DO NOTHING;
