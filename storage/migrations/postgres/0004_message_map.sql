-- 0004: the map a posted message shows (issue 14, "choose the map"): the feature on
-- each axis, '' for the automatic projection's axis.
ALTER TABLE messages ADD COLUMN map_x text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN map_y text NOT NULL DEFAULT '';
