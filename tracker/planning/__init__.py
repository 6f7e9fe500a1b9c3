"""Study-plan scheduling: pure functions that turn enrollments and reviews into a day-by-day plan."""
