-- 0009: short leases shared by every process of a deployment (issue 25), when there is
-- no Redis: the lock that serialises page turns of one message ('page:<message id>')
-- and the member cooldown ('cooldown:<user id>'). A lease is held by owner until expires
-- (Unix seconds); taking it is one conditional upsert that one process wins.
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    expires REAL NOT NULL
);
