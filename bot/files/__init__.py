"""A user's files and the terminal: reading a playlist file, writing results all or
nothing, and the text the command line prints."""
