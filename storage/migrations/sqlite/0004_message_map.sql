-- 0004: the map a posted message shows (issue 14, "choose the map"): the feature on
-- each axis, '' for the automatic projection's axis. Which clustering it shows is
-- already its analysis_key (a re-clustering stores its own analysis and key).
ALTER TABLE messages ADD COLUMN map_x TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN map_y TEXT NOT NULL DEFAULT '';
