"""Pure rules of interview practice (no database, no clock): the FSRS rating an attempt proposes, pattern
mastery with the next problems to try, and reading a CSV of solved problems. Services load rows, turn them
into these values and store what comes back."""
