-- 0003: which pipeline configuration (feature providers, k range, seed) made an
-- analysis. The cache key stays analysis_key(playlist, options), so a posted message
-- can always find its analysis; the pipeline serves an analysis only for its own
-- variant and replaces it otherwise.
ALTER TABLE analyses ADD COLUMN variant text NOT NULL DEFAULT '';
