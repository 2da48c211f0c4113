"""What commands call: the analyzer, the explorer of cached analyses, the analysis
line a command waits in and the queue behind it. No Discord here."""
