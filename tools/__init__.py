"""Developer tools: template and form generators, synthetic applicants. Not shipped in the wheel."""
