"""Writers of what a rehearsal tells people and machines: plans, reports, JUnit."""
