-- 0008: a weekly post is sent at most once (issue 25). Just before sending, the process
-- holding the claim records that it is sending this week (send_week), since when
-- (send_started, Unix seconds) and what the post shows (send_track_ids, send_labels).
-- Should it die between sending and recording "posted", the process that takes the
-- claim over sees send_week and looks for the post in the channel before sending
-- again; when it finds it, it records the week as posted with what that post showed.
ALTER TABLE schedules ADD COLUMN send_week TEXT;
ALTER TABLE schedules ADD COLUMN send_started REAL NOT NULL DEFAULT 0;
ALTER TABLE schedules ADD COLUMN send_track_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE schedules ADD COLUMN send_labels TEXT NOT NULL DEFAULT '{}';
