-- 0007 (issue 23): layout pages and 💚 by consent.
-- A layout message has no separate content: the text above its page (the answer's
-- summary, a weekly post's change line) is kept here so every page turn shows it again.
ALTER TABLE messages ADD COLUMN intro TEXT NOT NULL DEFAULT '';
-- The language it is shown in (a Discord locale such as 'ja'; '' = English).
ALTER TABLE messages ADD COLUMN locale TEXT NOT NULL DEFAULT '';

-- Per-member choices. show_liked: whether the member's 💚 may appear on shared
-- messages (NULL = never answered, treated as no; 0 = no; 1 = yes).
CREATE TABLE member_settings (
    user_id    INTEGER PRIMARY KEY,
    show_liked INTEGER,
    updated_at REAL    NOT NULL
);
