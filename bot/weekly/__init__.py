"""Weekly posts: the pure rules (what is due, ISO weeks, the change line) and the clock
that claims and posts due schedules."""
